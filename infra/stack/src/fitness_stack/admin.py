"""`admin EMAIL`: give an existing identity user the `admin` role."""

from __future__ import annotations

import psycopg

from fitness_stack.postgres import DATABASE, with_database

# Coordinated with the identity service: table identity.users, column roles text[].
GRANT_SQL = """
UPDATE identity.users
   SET roles = array_append(coalesce(roles, '{}'), 'admin')
 WHERE lower(email) = lower(%(email)s) AND NOT ('admin' = ANY(coalesce(roles, '{}')))
RETURNING id
"""
FIND_SQL = "SELECT id, roles FROM identity.users WHERE lower(email) = lower(%(email)s)"


def grant_admin(admin_url: str, email: str) -> str:
    """Returns a message for the user; raises LookupError when no such user."""
    with psycopg.connect(with_database(admin_url, DATABASE)) as conn:
        found = conn.execute(FIND_SQL, {"email": email}).fetchone()
        if found is None:
            raise LookupError(f"no identity user with email {email!r} (register first)")
        updated = conn.execute(GRANT_SQL, {"email": email}).fetchone()
        conn.commit()
    if updated is None:
        return f"{email} already has role admin (user {found[0]})"
    return f"granted role admin to {email} (user {found[0]}); new tokens carry it"
