"""The progress service (DESIGN §1)."""
