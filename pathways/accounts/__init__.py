"""Users, organisations, memberships, roles and API clients; the one access policy."""
