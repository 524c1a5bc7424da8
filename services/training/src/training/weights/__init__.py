"""weights aggregate."""
