"""diary aggregate."""
