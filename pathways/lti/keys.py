"""Keys: the tool's RSA key pairs (JWKS, rotation, signing) and the platforms' public keys
(JWKS fetched over HTTP, cached on the registration, refetched on an unknown kid; the
fetch and the verification are separate steps, so no launch transaction waits on it).

Private keys and shared secrets are stored encrypted (Fernet) under a key derived from
SECRET_KEY with HKDF, so a database dump alone reveals none of them. JWTs are signed and
verified with joserfc, RS256 only: `none` and HS* are refused before any key is used.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from pathways.db import db
from pathways.db import utcnow
from pathways.lti import http
from pathways.lti.claims import LaunchRefused
from pathways.lti.models import LtiPlatform
from pathways.lti.models import LtiToolKey

log = logging.getLogger(__name__)

ALGORITHM = "RS256"
KEY_SIZE = 2048
# The longest-lived JWT the tool signs (deep linking responses, client assertions).
SIGNED_LIFETIME = 300
# A retired key stays published this long: everything it signed has expired by then,
# with room for platform clock skew.
RETIRED_KEY_PUBLISHED_FOR = timedelta(seconds=SIGNED_LIFETIME + 3600)
JWKS_TTL = timedelta(hours=1)
JWKS_TIMEOUT = 10.0

# --- encryption of stored secrets -------------------------------------------------------


def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"pathways-lti", info=b"stored-secrets"
    ).derive(secret)
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_secret(plain: str) -> str:
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt_secret(stored: str) -> str:
    """:raises ValueError: encrypted under another SECRET_KEY, or corrupt."""
    try:
        return _fernet().decrypt(stored.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise ValueError("stored secret cannot be decrypted (SECRET_KEY changed?)") from error


# --- the tool's keys ----------------------------------------------------------------------


def create_tool_key() -> LtiToolKey:
    """A new RSA key pair; it becomes the signing key (the newest unretired one)."""
    kid = secrets.token_urlsafe(12)
    key = RSAKey.generate_key(KEY_SIZE, parameters={"kid": kid, "use": "sig", "alg": ALGORITHM})
    public = dict(key.as_dict(private=False))
    public.update({"kid": kid, "use": "sig", "alg": ALGORITHM})
    row = LtiToolKey(
        kid=kid,
        private_key_encrypted=encrypt_secret(key.as_pem(private=True).decode("ascii")),
        public_jwk=public,
    )
    db.session.add(row)
    db.session.flush()
    return row


def current_tool_key() -> LtiToolKey:
    """The signing key, created on first use."""
    row = db.session.scalar(
        sa.select(LtiToolKey)
        .where(LtiToolKey.retired_at.is_(None))
        .order_by(LtiToolKey.created_at.desc(), LtiToolKey.id.desc())
        .limit(1)
    )
    return row if row is not None else create_tool_key()


def rotate_tool_key(*, now: datetime | None = None) -> LtiToolKey:
    """Create a new signing key and retire the others (they stay published a while)."""
    now = now or utcnow()
    for row in db.session.scalars(sa.select(LtiToolKey).where(LtiToolKey.retired_at.is_(None))):
        row.retired_at = now
    db.session.flush()
    return create_tool_key()


def published_keys(*, now: datetime | None = None) -> list[LtiToolKey]:
    """Keys in the JWKS: unretired ones, and retired ones whose signatures may still be valid."""
    now = now or utcnow()
    cutoff = now - RETIRED_KEY_PUBLISHED_FOR
    return list(
        db.session.scalars(
            sa.select(LtiToolKey)
            .where(sa.or_(LtiToolKey.retired_at.is_(None), LtiToolKey.retired_at > cutoff))
            .order_by(LtiToolKey.id)
        )
    )


def tool_jwks(*, now: datetime | None = None) -> dict[str, Any]:
    """The tool's JWKS document (public keys only)."""
    keys = published_keys(now=now)
    if not keys:
        keys = [current_tool_key()]
    return {"keys": [dict(row.public_jwk) for row in keys]}


def sign_jwt(claims: dict[str, Any]) -> str:
    """Sign claims with the current tool key: RS256 with `kid` in the header."""
    row = current_tool_key()
    key = RSAKey.import_key(decrypt_secret(row.private_key_encrypted))
    return jwt.encode(
        {"alg": ALGORITHM, "kid": row.kid, "typ": "JWT"}, claims, key, algorithms=[ALGORITHM]
    )


# --- platform keys --------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifiedToken:
    header: dict[str, Any]
    claims: dict[str, Any]


def _refuse_key(code: str, message: str, hint: str) -> LaunchRefused:
    return LaunchRefused(code, message, hint)


def unverified_header(token: str) -> dict[str, Any]:
    """The JOSE header of a compact JWS, unverified. :raises LaunchRefused: malformed."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise _refuse_key(
            "malformed",
            "The launch could not be read.",
            "The id_token is not a compact JWS (three dot-separated parts).",
        )
    try:
        padded = parts[0] + "=" * (-len(parts[0]) % 4)
        header = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError) as error:
        raise _refuse_key(
            "malformed",
            "The launch could not be read.",
            "The id_token header is not base64url JSON.",
        ) from error
    if not isinstance(header, dict):
        raise _refuse_key(
            "malformed",
            "The launch could not be read.",
            "The id_token header is not a JSON object.",
        )
    return header


def _keys_from_jwks(document: Any) -> dict[str | None, RSAKey]:
    keys: dict[str | None, RSAKey] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA":
            continue
        if entry.get("use") not in (None, "sig") or entry.get("alg") not in (None, ALGORITHM):
            continue
        try:
            public = {k: v for k, v in entry.items() if k in ("kty", "n", "e", "kid")}
            keys[entry.get("kid")] = RSAKey.import_key(public)
        except (JoseError, ValueError, TypeError):
            log.warning("unusable key in platform JWKS", extra={"kid": entry.get("kid")})
    return keys


def _static_keys(platform: LtiPlatform) -> dict[str | None, RSAKey]:
    text = (platform.static_public_key or "").strip()
    if text.startswith("{"):
        document = json.loads(text)
        if "keys" not in document:
            document = {"keys": [document]}
        return _keys_from_jwks(document)
    key = RSAKey.import_key(text)
    return {None: key}


def fetch_jwks(jwks_url: str) -> dict[str, Any]:
    """The platform's JWKS document from `jwks_url` (network only).

    :raises LaunchRefused: ``jwks_unavailable``: unreachable, or not a JSON object.
    """
    hint = (
        f"Pathways could not read the platform's public keys from {jwks_url!r}; "
        "check the JWKS (public keyset) URL in the platform registration."
    )
    try:
        answer = http.request(
            "GET", jwks_url or "", timeout=JWKS_TIMEOUT, headers={"Accept": "application/json"}
        )
        document = answer.json() if answer.ok else None
    except (http.HttpFailure, ValueError) as error:
        log.warning("platform JWKS fetch failed", extra={"error": str(error)[:300]})
        raise _refuse_key(
            "jwks_unavailable", "The LMS's signing keys could not be read.", hint
        ) from error
    if not isinstance(document, dict):
        raise _refuse_key("jwks_unavailable", "The LMS's signing keys could not be read.", hint)
    return document


def store_jwks(platform: LtiPlatform, document: dict[str, Any], *, now: datetime | None = None):
    """Cache a fetched JWKS on the registration."""
    platform.jwks_cache = document
    platform.jwks_fetched_at = now or utcnow()
    db.session.flush()


def needs_jwks(platform: LtiPlatform, kid: Any, *, now: datetime | None = None) -> bool:
    """Whether the JWKS must be fetched before a token signed with `kid` can be checked:
    no cache, a cache older than JWKS_TTL, or one without that kid (the platform may have
    rotated its keys). A static key never needs it."""
    if platform.static_public_key or not platform.jwks_url:
        return False
    now = now or utcnow()
    if platform.jwks_cache is None or platform.jwks_fetched_at is None:
        return True
    if now - platform.jwks_fetched_at >= JWKS_TTL:
        return True
    cached = _keys_from_jwks(platform.jwks_cache)
    return not (kid in cached or (kid is None and len(cached) == 1))


def cached_kids(platform: LtiPlatform) -> set[str | None]:
    """The kids of the keys cached from the platform's JWKS."""
    return set(_keys_from_jwks(platform.jwks_cache or {}))


def platform_keys(platform: LtiPlatform) -> dict[str | None, RSAKey]:
    """The platform's RSA signing keys by kid: the static key, else the cached JWKS
    (fetched beforehand, outside the launch's transaction: `calls.ensure_platform_keys`).

    :raises LaunchRefused: ``jwks_unavailable``: no key was ever read.
    """
    if platform.static_public_key:
        return _static_keys(platform)
    if platform.jwks_cache is None:
        raise _refuse_key(
            "jwks_unavailable",
            "The LMS's signing keys could not be read.",
            f"Pathways has not read the platform's public keys from {platform.jwks_url!r}; "
            "check the JWKS (public keyset) URL in the platform registration.",
        )
    return _keys_from_jwks(platform.jwks_cache)


def verify_platform_jwt(platform: LtiPlatform, token: str) -> VerifiedToken:
    """Verify a platform-signed JWT (an id_token) and return its header and claims.

    Only RS256 is accepted. Keys come from the registration (`platform_keys`): the JWKS
    is fetched before, outside any transaction, when it is missing, stale or lacks the
    token's `kid` (`calls.ensure_platform_keys`). Claims are NOT checked here
    (`claims.parse_launch` does).

    :raises LaunchRefused: ``malformed``, ``bad_algorithm``, ``unknown_kid``,
        ``jwks_unavailable``, ``bad_signature``.
    """
    header = unverified_header(token)
    if header.get("alg") != ALGORITHM:
        raise _refuse_key(
            "bad_algorithm",
            "The launch is signed in a way Pathways does not accept.",
            f"The id_token uses alg {header.get('alg')!r}; LTI 1.3 requires RS256.",
        )
    kid = header.get("kid")
    keys = platform_keys(platform)

    def pick(candidates: dict[str | None, RSAKey]) -> RSAKey | None:
        if kid in candidates:
            return candidates[kid]
        if kid is None and len(candidates) == 1:
            return next(iter(candidates.values()))
        if None in candidates and len(candidates) == 1:  # a static key without kid
            return candidates[None]
        return None

    key = pick(keys)
    if key is None:
        raise _refuse_key(
            "unknown_kid",
            "The launch is signed with a key Pathways does not know.",
            f"No key with kid {kid!r} in the platform's JWKS at {platform.jwks_url!r}; check "
            "the JWKS URL in the platform registration.",
        )
    try:
        decoded = jwt.decode(token, key, algorithms=[ALGORITHM])
    except JoseError as error:
        raise _refuse_key(
            "bad_signature",
            "The launch signature is not valid.",
            "The id_token signature does not verify with the platform's published key; check "
            "the JWKS URL (or static key) in the platform registration.",
        ) from error
    return VerifiedToken(dict(decoded.header), dict(decoded.claims))
