"""meal_templates aggregate."""
