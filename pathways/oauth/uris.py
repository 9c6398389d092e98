"""Which redirect URIs a client may register, and when a requested one matches (pure).

A redirect URI is `https://...`, or plain `http://` to a loopback host (`localhost`,
`127.0.0.1`, `[::1]`) for native apps and development (RFC 8252 section 7.3); never with a
fragment or user info. A requested URI matches a registered one exactly, except that a
loopback URI may name any port (native apps listen on an ephemeral port).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# A URI as RFC 3986 writes it: printable ASCII without space, quotes, <>, \\, ^, `, {, |, }.
URI_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
IP_LITERAL = re.compile(r"^[0-9a-fA-F:.]+$")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_URI_LENGTH = 500


def _parts(uri: str):
    if not URI_CHARACTERS.match(uri):
        return None
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError:
        return None
    if parts.hostname is not None and not _is_host(parts.hostname):
        return None
    return parts


def _is_host(host: str) -> bool:
    """A DNS name (labels of letters, digits and inner hyphens) or an IP literal."""
    if IP_LITERAL.match(host):
        return True
    labels = host.removesuffix(".").split(".")
    return len(host) <= 253 and all(LABEL.match(label) for label in labels)


def is_loopback(uri: str) -> bool:
    parts = _parts(uri)
    return parts is not None and parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS


def redirect_uri_problem(uri: object) -> str | None:
    """Why `uri` cannot be registered as a redirect URI, or None when it can."""
    if not isinstance(uri, str) or not uri:
        return "a redirect URI must be a non-empty string"
    if len(uri) > MAX_URI_LENGTH:
        return f"a redirect URI has at most {MAX_URI_LENGTH} characters"
    parts = _parts(uri)
    if parts is None or not parts.hostname:
        return f"{uri} is not an absolute URL"
    if parts.fragment or "#" in uri:
        return f"{uri} has a fragment"
    if parts.username or parts.password:
        return f"{uri} carries user information"
    if parts.scheme == "https" or is_loopback(uri):
        return None
    return f"{uri} must use https (plain http only to localhost or 127.0.0.1)"


def web_uri_problem(uri: object) -> str | None:
    """Why `uri` cannot stand as a client's page or logo address (https, or loopback http)."""
    if not isinstance(uri, str) or len(uri) > MAX_URI_LENGTH:
        return "a URI of at most 500 characters is expected"
    parts = _parts(uri)
    if parts is None or not parts.hostname or parts.username or parts.password:
        return f"{uri} is not an absolute URL"
    if parts.scheme == "https" or is_loopback(uri):
        return None
    return f"{uri} must use https"


def redirect_uri_matches(registered: str, requested: str) -> bool:
    """Exact match; for a registered loopback URI, any port of the same loopback host."""
    if requested == registered:
        return True
    if not (is_loopback(registered) and is_loopback(requested)):
        return False
    a, b = urlsplit(registered), urlsplit(requested)
    return (a.hostname, a.path or "/", a.query) == (b.hostname, b.path or "/", b.query)
