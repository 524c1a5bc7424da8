"""exercises aggregate."""
