"""OIDC third-party-initiated login: the first leg of an LTI 1.3 launch.

The platform sends iss, login_hint, target_link_uri (and lti_message_hint, client_id,
lti_deployment_id); the tool stores a state and a nonce server-side, keyed by the state
value, and redirects the browser to the platform's authorisation URL. The launch then
checks the state against that row (single use), never against a cookie alone: LMS iframes
often block third-party cookies. When the browser does keep cookies, a per-login cookie
binds the state to this browser as well.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from urllib.parse import urlencode
from urllib.parse import urlsplit

from flask import current_app

from pathways.db import db
from pathways.db import utcnow
from pathways.lti import queries
from pathways.lti.claims import LaunchRefused
from pathways.lti.models import LtiLoginState
from pathways.lti.models import LtiPlatform

STATE_LIFETIME = timedelta(minutes=10)
COOKIE_PREFIX = "lti1p3_"


@dataclass(frozen=True)
class LoginRedirect:
    url: str  # the platform's authorisation URL with the OIDC request
    state: str
    cookie_name: str
    cookie_value: str
    max_age: int


def launch_url() -> str:
    return current_app.config["BASE_URL"] + "/lti/launch"


def hash_cookie(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def is_own_url(url: str) -> bool:
    """Whether `url` points at this deployment (scheme and host of BASE_URL)."""
    base = urlsplit(current_app.config["BASE_URL"])
    parts = urlsplit(url)
    return (parts.scheme, parts.netloc.lower()) == (base.scheme, base.netloc.lower())


def _pick_platform(issuer: str, client_id: str | None) -> LtiPlatform:
    candidates = queries.find_platform(issuer, client_id)
    if not candidates and queries.find_platform(issuer, client_id, enabled=False):
        raise LaunchRefused(
            "platform_disabled",
            "This LMS's access to Pathways is switched off, or awaits approval.",
            "The platform registration is disabled in Pathways: an admin of its college "
            "approves it on the college's LMS connections page.",
        )
    if not candidates:
        raise LaunchRefused(
            "unknown_platform",
            "This LMS is not registered with Pathways.",
            f"No enabled platform registration for issuer {issuer!r}"
            + (f" and client ID {client_id!r}" if client_id else "")
            + "; register the platform in Pathways (LTI platforms) first.",
        )
    if len(candidates) > 1 and not client_id:
        raise LaunchRefused(
            "ambiguous_platform",
            "Pathways cannot tell which registration of your LMS this is.",
            "Several registrations share this issuer: the LMS must send client_id in the "
            "login initiation request.",
        )
    return candidates[0]


def begin_login(params: Mapping[str, str], *, now: datetime | None = None) -> LoginRedirect:
    """Validate a login initiation request, store state + nonce, build the redirect.

    :raises LaunchRefused: ``login_incomplete``, ``unknown_platform``,
        ``ambiguous_platform``, ``unknown_deployment``, ``foreign_target``.
    """
    now = now or utcnow()
    issuer = (params.get("iss") or "").strip()
    login_hint = params.get("login_hint") or ""
    target = params.get("target_link_uri") or ""
    if not issuer or not login_hint or not target:
        missing = [
            n
            for n, v in (("iss", issuer), ("login_hint", login_hint), ("target_link_uri", target))
            if not v
        ]
        raise LaunchRefused(
            "login_incomplete",
            "The LMS started the launch without the information Pathways needs.",
            f"The OIDC login initiation lacks {', '.join(missing)}; set the tool's initiate "
            "login URL to Pathways' login URL.",
        )
    client_id = params.get("client_id") or None
    platform = _pick_platform(issuer, client_id)
    deployment_id = params.get("lti_deployment_id")
    if deployment_id and deployment_id not in platform.deployment_ids:
        raise LaunchRefused(
            "unknown_deployment",
            "This installation of Pathways in your LMS is not registered.",
            f"Add deployment ID {deployment_id!r} to the Pathways platform registration.",
        )
    if not is_own_url(target):
        raise LaunchRefused(
            "foreign_target",
            "The LMS asked Pathways to open a page elsewhere.",
            f"target_link_uri {target!r} is not a Pathways URL; use the tool URLs shown on "
            "the Pathways registration page.",
        )
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    cookie_value = secrets.token_urlsafe(32)
    db.session.add(
        LtiLoginState(
            state=state,
            nonce=nonce,
            platform_id=platform.id,
            target_link_uri=target,
            cookie_hash=hash_cookie(cookie_value),
            created_at=now,
            expires_at=now + STATE_LIFETIME,
        )
    )
    db.session.flush()
    request = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": launch_url(),
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        request["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if urlsplit(platform.auth_url).query else "?"
    return LoginRedirect(
        url=platform.auth_url + separator + urlencode(request),
        state=state,
        cookie_name=COOKIE_PREFIX + state[:16],
        cookie_value=cookie_value,
        max_age=int(STATE_LIFETIME.total_seconds()),
    )


def consume_state(
    state: str | None, cookie_value: str | None, *, now: datetime | None = None
) -> LtiLoginState:
    """The login row for `state`, marked used. A cookie, when the browser sent one, must
    match the one set at login; a missing cookie is accepted (blocked in iframes).

    :raises LaunchRefused: ``state_mismatch`` (unknown, expired, used or wrong cookie).
    """
    now = now or utcnow()
    hint = (
        "The launch did not come back with the state Pathways issued at login: it expired "
        "(more than 10 minutes), was used already, or the LMS's redirect URI is not "
        "Pathways' launch URL."
    )
    row = None
    if state:
        row = db.session.scalar(db.select(LtiLoginState).filter_by(state=state))
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise LaunchRefused(
            "state_mismatch",
            "This launch is not valid any more; please launch again from the course.",
            hint,
        )
    if cookie_value and row.cookie_hash and hash_cookie(cookie_value) != row.cookie_hash:
        raise LaunchRefused(
            "state_mismatch",
            "This launch was started in another browser; please launch again from the course.",
            hint,
        )
    row.used_at = now
    db.session.flush()
    return row


def pending_platform(state: str | None, *, now: datetime | None = None) -> LtiPlatform | None:
    """The platform of a login that is still open for `state` (nothing is consumed), or
    None: the launch itself refuses a bad state."""
    now = now or utcnow()
    if not state:
        return None
    row = db.session.scalar(db.select(LtiLoginState).filter_by(state=state))
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return db.session.get(LtiPlatform, row.platform_id)


def cookie_name_for(state: str | None) -> str:
    return COOKIE_PREFIX + (state or "")[:16]
