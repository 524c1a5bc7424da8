"""The training service (DESIGN §1)."""
