"""calculations aggregate."""
