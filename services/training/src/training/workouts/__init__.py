"""workouts aggregate."""
