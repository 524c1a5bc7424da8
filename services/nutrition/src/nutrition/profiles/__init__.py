"""profiles aggregate."""
