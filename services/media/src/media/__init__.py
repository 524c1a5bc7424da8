"""The media service (DESIGN §1)."""
