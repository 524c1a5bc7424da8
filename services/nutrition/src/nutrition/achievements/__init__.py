"""achievements aggregate."""
