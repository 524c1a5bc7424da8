"""User accounts and their profile fields."""
