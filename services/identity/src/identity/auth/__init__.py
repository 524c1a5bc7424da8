"""Registration, login, token refresh/rotation, logout, JWKS."""
