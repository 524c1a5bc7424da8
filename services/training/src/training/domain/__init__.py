"""Pure training logic (no FastAPI, SQLAlchemy or broker imports)."""
