"""Admin back office: user management and the append-only audit log of admin actions."""
