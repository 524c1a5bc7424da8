"""The goals service (DESIGN §1)."""
