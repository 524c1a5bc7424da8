"""User activity days (for DAU/WAU/MAU and retention) and the admin engagement metrics."""
