"""templates aggregate."""
