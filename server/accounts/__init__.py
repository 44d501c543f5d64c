"""Users, roles, scopes, sessions, login throttling and the guard."""
