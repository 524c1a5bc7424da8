"""Transactional email: an outbox table written with the business change, sent by the worker."""
