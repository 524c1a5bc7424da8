"""Account deletion (GDPR): immediate deactivation, and the hard delete after a grace period."""
