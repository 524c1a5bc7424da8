"""foods aggregate."""
