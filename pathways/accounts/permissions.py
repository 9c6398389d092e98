"""The one access policy: every route declares who may use it.

A route is wrapped by exactly one of these decorators, which records an
`AccessRule` on the view function; `tests/accounts/test_access_policy.py` walks
the URL map and fails on any view without one.

- `public`: anyone, signed in or not.
- `signed_in`: any signed-in user.
- `allow(*roles)`: a signed-in user holding one of the roles in some organisation
  (services check the organisation itself).
- `api(*scopes, roles=...)`: an API client holding every scope (HTTP Basic or
  Bearer), or, when `roles` is given, a signed-in user with one of those roles.
- `protocol(note)`: the endpoint authenticates by its own standard (an LTI
  launch signed by the platform, the xAPI LRS's own client check); `note` says how.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

from flask import abort
from flask import g
from flask import request
from flask_login import current_user

from pathways.accounts.enums import Role


@dataclass(frozen=True)
class AccessRule:
    kind: str  # public | signed_in | roles | api | protocol
    roles: frozenset[Role] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    note: str = ""


def _mark(view: Callable, rule: AccessRule) -> Callable:
    if hasattr(view, "access_rule"):
        raise RuntimeError(f"{view.__name__} declares two access rules")
    view.access_rule = rule
    return view


def public(view: Callable) -> Callable:
    return _mark(view, AccessRule("public"))


def signed_in(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            abort(401)
        return view(*args, **kwargs)

    return _mark(wrapper, AccessRule("signed_in"))


def allow(*roles: Role) -> Callable[[Callable], Callable]:
    if not roles:
        raise ValueError("allow() needs at least one role; use signed_in or public")
    wanted = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if not current_user.has_role(*wanted):
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapper, AccessRule("roles", roles=wanted))

    return decorator


def api(*scopes: str, roles: tuple[Role, ...] = ()) -> Callable[[Callable], Callable]:
    wanted_scopes = frozenset(scopes)
    wanted_roles = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            client = authenticated_client()
            if client is not None:
                if not wanted_scopes:
                    abort(403, description="This endpoint is for signed-in users, not clients.")
                if not wanted_scopes <= set(client.scopes):
                    abort(
                        403,
                        description=f"This client lacks scope(s): "
                        f"{', '.join(sorted(wanted_scopes - set(client.scopes)))}.",
                    )
                return view(*args, **kwargs)
            if wanted_roles and current_user.is_authenticated:
                if current_user.has_role(*wanted_roles):
                    return view(*args, **kwargs)
                abort(403)
            abort(401)

        return _mark(wrapper, AccessRule("api", roles=wanted_roles, scopes=wanted_scopes))

    return decorator


def protocol(note: str) -> Callable[[Callable], Callable]:
    def decorator(view: Callable) -> Callable:
        return _mark(view, AccessRule("protocol", note=note))

    return decorator


def parse_client_credentials(header: str | None) -> tuple[str, str] | None:
    """(key_id, secret) from `Basic base64(key:secret)` or `Bearer key.secret`."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        key_id, sep, secret = decoded.partition(":")
    elif scheme == "bearer":
        key_id, sep, secret = value.partition(".")
    else:
        return None
    if not sep or not key_id or not secret:
        return None
    return key_id, secret


def authenticated_client():
    """The API client of this request (cached on `g`), or None.

    Credentials that are present but wrong answer 401 at once, rather than
    falling back to the session.
    """
    if "api_client" in g:
        return g.api_client
    from pathways.accounts.services import authenticate_api_client  # noqa: PLC0415 -- layer

    credentials = parse_client_credentials(request.headers.get("Authorization"))
    client = None
    if credentials is not None:
        client = authenticate_api_client(*credentials)
        if client is None:
            abort(401, description="Unknown or revoked API client credentials.")
    elif request.headers.get("Authorization"):
        abort(401, description="Unsupported Authorization header.")
    g.api_client = client
    return client
