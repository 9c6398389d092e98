"""Use cases behind the OAuth server and the Open Badges API.

Clients, codes and tokens: registration (the secret is returned once and stored as its
SHA-256), single-use authorization codes, tokens with rotating refresh tokens, revocation
of a token or of a whole grant (everything issued from one consent). A replayed code or a
reused refresh token revokes the grant it belongs to (RFC 9700 sections 2.2.2 and 4.14).

The learner's side: the Profile a wallet reads and may rename, and the outside credentials
a wallet pushes (upsertCredential), kept as received and checked by the credential
verifier (`pathways.credentials.verification`).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets
import uuid as uuidlib
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import sqlalchemy as sa
from flask import current_app

from pathways.accounts.models import User
from pathways.credentials import services as credential_services
from pathways.credentials import verification
from pathways.credentials.fetching import SafeHttpFetcher
from pathways.credentials.jsonld import OB_V3
from pathways.credentials.jsonld import VC_V2
from pathways.db import db
from pathways.db import utcnow
from pathways.errors import Invalid
from pathways.oauth import queries
from pathways.oauth.enums import HeldFormat
from pathways.oauth.models import HeldCredential
from pathways.oauth.models import OAuthAuthorizationCode
from pathways.oauth.models import OAuthClient
from pathways.oauth.models import OAuthToken
from pathways.oauth.models import digest

log = logging.getLogger(__name__)

MAX_PUSHED_BYTES = 2_000_000
MAX_NAME_LENGTH = 200
CLIENT_METADATA = (
    "client_name",
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
    "software_id",
    "software_version",
)

# -- clients -----------------------------------------------------------------------------


def register_client(client_id: str, client_secret: str, metadata: dict[str, Any]) -> OAuthClient:
    """Store a client registered through RFC 7591 from validated metadata."""
    client = OAuthClient(
        client_id=client_id,
        client_secret_hash=digest(client_secret),
        redirect_uris=list(metadata["redirect_uris"]),
        scopes=metadata["scope"].split(),
        grant_types=list(metadata["grant_types"]),
        response_types=list(metadata["response_types"]),
        token_endpoint_auth_method=metadata["token_endpoint_auth_method"],
        contacts=list(metadata.get("contacts") or []),
        **{name: metadata.get(name) for name in CLIENT_METADATA if name != "client_name"},
        client_name=metadata.get("client_name") or "",
    )
    db.session.add(client)
    db.session.flush()
    return client


# -- codes and tokens ----------------------------------------------------------------------


def _seconds(key: str) -> timedelta:
    return timedelta(seconds=int(current_app.config[key]))


def save_authorization_code(
    code: str,
    *,
    client: OAuthClient,
    user: User,
    redirect_uri: str,
    scope: str,
    code_challenge: str,
    code_challenge_method: str,
) -> OAuthAuthorizationCode:
    now = utcnow()
    row = OAuthAuthorizationCode(
        code_hash=digest(code),
        client_id=client.id,
        user_id=user.id,
        grant_id=secrets.token_hex(16),
        redirect_uri=redirect_uri,
        scope=scope,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
        created_at=now,
        expires_at=now + _seconds("OAUTH_CODE_SECONDS"),
    )
    db.session.add(row)
    db.session.flush()
    return row


def redeemable_code(code: str, client: OAuthClient) -> OAuthAuthorizationCode | None:
    """The unused, unexpired code issued to `client`; a code used before revokes its grant."""
    row = db.session.scalar(
        sa.select(OAuthAuthorizationCode)
        .where(OAuthAuthorizationCode.code_hash == digest(code))
        .with_for_update()
    )
    if row is None or row.client_id != client.id:
        return None
    if row.used_at is not None:
        log.warning("authorization code replayed; revoking its grant", extra={"client": client.id})
        revoke_grant(row.grant_id)
        return None
    if row.expires_at <= utcnow():
        return None
    return row


def mark_code_used(row: OAuthAuthorizationCode) -> None:
    row.used_at = utcnow()


def save_token(
    token: dict[str, Any], *, client: OAuthClient, user: User, grant_id: str
) -> OAuthToken:
    """Keep the digests of a token response Authlib generated (its `expires_in` counts)."""
    now = utcnow()
    refresh = token.get("refresh_token")
    row = OAuthToken(
        client_id=client.id,
        user_id=user.id,
        grant_id=grant_id,
        access_token_hash=digest(token["access_token"]),
        refresh_token_hash=digest(refresh) if refresh else None,
        scope=token.get("scope") or "",
        issued_at=now,
        access_expires_at=now + timedelta(seconds=int(token["expires_in"])),
        refresh_expires_at=(
            now + timedelta(days=int(current_app.config["OAUTH_REFRESH_TOKEN_DAYS"]))
            if refresh
            else None
        ),
    )
    db.session.add(row)
    db.session.flush()
    return row


def usable_refresh_token(refresh_token: str, client: OAuthClient) -> OAuthToken | None:
    """The live refresh token of `client`; one already rotated away revokes its grant."""
    row = queries.token_by_refresh_token(refresh_token, for_update=True)
    if row is None or row.client_id != client.id:
        return None
    if row.rotated_at is not None:
        log.warning("refresh token reused; revoking its grant", extra={"client": client.id})
        revoke_grant(row.grant_id)
        return None
    if row.revoked_at is not None or not row.user.is_enabled:
        return None
    if row.refresh_expires_at is None or row.refresh_expires_at <= utcnow():
        return None
    return row


def rotate_token(row: OAuthToken) -> None:
    """The refresh token was exchanged: this row's access and refresh tokens end now."""
    now = utcnow()
    row.rotated_at = now
    row.revoked_at = row.revoked_at or now


def revoke_grant(grant_id: str) -> int:
    """Revoke every token issued from one consent; how many were still live."""
    rows = db.session.scalars(
        sa.select(OAuthToken).where(
            OAuthToken.grant_id == grant_id, OAuthToken.revoked_at.is_(None)
        )
    ).all()
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    return len(rows)


def revoke_token(row: OAuthToken, *, is_refresh_token: bool) -> None:
    """RFC 7009: a refresh token ends its whole grant; an access token ends its own row."""
    if is_refresh_token:
        revoke_grant(row.grant_id)
    else:
        row.revoked_at = row.revoked_at or utcnow()


def disconnect_client(user: User, client_id: int) -> int:
    """The learner withdraws a client's access: all its tokens for them end."""
    rows = db.session.scalars(
        sa.select(OAuthToken).where(
            OAuthToken.user_id == user.id,
            OAuthToken.client_id == client_id,
            OAuthToken.revoked_at.is_(None),
        )
    ).all()
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    return len(rows)


# -- the learner's profile -----------------------------------------------------------------


def profile_id(user: User) -> str:
    """The learner's stable Profile id (the form credentials use for people)."""
    base = credential_services.base_url()
    return f"urn:uuid:{uuidlib.uuid5(uuidlib.NAMESPACE_URL, f'{base}/users/{user.id}')}"


def learner_profile(user: User) -> dict[str, Any]:
    """The OB 3.0 Profile of the learner: id, name and, when known, email."""
    profile: dict[str, Any] = {
        "@context": [VC_V2, OB_V3],
        "id": profile_id(user),
        "type": ["Profile"],
        "name": user.display_name or "",
    }
    if user.email:
        profile["email"] = user.email
    return profile


PROFILE_KEPT = frozenset({"@context", "id", "type", "name", "email"})


def update_learner_profile(user: User, payload: Any) -> dict[str, Any]:
    """putProfile: the learner's name may change; the rest must match what Pathways keeps.

    The email address signs the learner in, so a wallet cannot change it.

    :raises Invalid: not a Profile, another learner's id, an email change, or properties
        Pathways does not keep (the spec lets a server refuse those).
    """
    if not isinstance(payload, dict):
        raise Invalid("The body must be a JSON Profile object.", code="invalid_data")
    types = payload.get("type")
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or "Profile" not in types:
        raise Invalid("The body must be a Profile (type Profile).", code="invalid_data")
    if payload.get("id") not in (None, profile_id(user)):
        raise Invalid("The Profile id is not this learner's.", code="invalid_data")
    unknown = sorted(set(payload) - PROFILE_KEPT)
    if unknown:
        raise Invalid(
            f"Pathways keeps only a name and an email address; not {', '.join(unknown)}.",
            code="invalid_data",
        )
    email = payload.get("email")
    if email is not None and (
        not isinstance(email, str) or email.strip().lower() != (user.email or "").lower()
    ):
        raise Invalid(
            "The email address signs the learner in; change it in Pathways itself.",
            code="invalid_data",
        )
    name = payload.get("name")
    if name is not None:
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
            raise Invalid(
                f"The name must be text of 1 to {MAX_NAME_LENGTH} characters.",
                code="invalid_data",
            )
        user.display_name = " ".join(name.split())
        db.session.flush()
    return learner_profile(user)


# -- credentials a wallet pushes -----------------------------------------------------------


@dataclass(frozen=True)
class PushedCredential:
    format: HeldFormat
    text: str  # exactly what was received
    document: dict[str, Any]  # the credential (for a JWS: its payload's credential)
    credential_id: str
    issuer_id: str
    name: str
    valid_from: datetime | None

    @property
    def equality_key(self) -> str:
        """OB 3.0 section 10: same issuer id and credential id, unescaped and trimmed."""
        return digest(f"{_normal_id(self.issuer_id)}\n{_normal_id(self.credential_id)}")


def _normal_id(value: str) -> str:
    return unquote(value).strip()


def _parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _jws_payload(text: str) -> dict[str, Any]:
    parts = text.split(".")
    if len(parts) != 3 or not all(part.isascii() for part in parts) or not parts[2]:
        raise Invalid("A text/plain body must be a compact JWS.", code="invalid_data")
    try:
        raw = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise Invalid("The JWS payload is not JSON.", code="invalid_data") from exc
    if not isinstance(payload, dict):
        raise Invalid("The JWS payload is not a JSON object.", code="invalid_data")
    credential = payload.get("vc") if isinstance(payload.get("vc"), dict) else payload
    credential = dict(credential)
    credential.setdefault("id", payload.get("jti"))
    credential.setdefault("issuer", payload.get("iss"))
    return credential


def parse_pushed_credential(body: bytes, media_type: str) -> PushedCredential:
    """Read an upsertCredential body: an AchievementCredential as JSON, or a compact JWS.

    :raises Invalid: too large, unreadable, or not an OpenBadgeCredential with an id and an
        issuer (needed to tell whether it is already held).
    """
    if len(body) > MAX_PUSHED_BYTES:
        raise Invalid(f"A credential has at most {MAX_PUSHED_BYTES} bytes.", code="invalid_data")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid("The body is not UTF-8 text.", code="invalid_data") from exc
    if media_type == "text/plain":
        fmt = HeldFormat.JWS
        text = text.strip()
        document = _jws_payload(text)
    else:
        fmt = HeldFormat.JSON
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise Invalid("The body is not JSON.", code="invalid_data") from exc
        if not isinstance(document, dict):
            raise Invalid("The body must be a JSON credential object.", code="invalid_data")
    types = document.get("type")
    types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    if "VerifiableCredential" not in types or not (
        {"OpenBadgeCredential", "AchievementCredential"} & set(types)
    ):
        raise Invalid(
            "Only an OpenBadgeCredential (AchievementCredential) is accepted.", code="invalid_data"
        )
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    credential_id = document.get("id")
    if not isinstance(credential_id, str) or not credential_id.strip():
        raise Invalid("The credential has no id.", code="invalid_data")
    if not isinstance(issuer_id, str) or not issuer_id.strip():
        raise Invalid("The credential has no issuer id.", code="invalid_data")
    name = document.get("name")
    return PushedCredential(
        format=fmt,
        text=text,
        document=document,
        credential_id=credential_id,
        issuer_id=issuer_id,
        name=name[:300] if isinstance(name, str) else "",
        valid_from=_parse_datetime(document.get("validFrom") or document.get("issuanceDate")),
    )


def _issued_here(user: User, pushed: PushedCredential) -> bool:
    """Whether the credential is one Pathways issued to this learner (nothing to keep)."""
    credential_uuid = pushed.credential_id.strip().lower().removeprefix("urn:uuid:")
    try:
        credential_uuid = str(uuidlib.UUID(credential_uuid))
    except ValueError:
        return False
    row = queries.issued_to(user.id, credential_uuid)
    return row is not None and credential_services.issuer_did(row.issuer) == pushed.issuer_id


def _verify(pushed: PushedCredential) -> tuple[bool | None, list[dict[str, Any]] | None]:
    """The verifier's verdict on a pushed credential; (None, None) for a VC-JWT, whose proof
    format Pathways does not verify."""
    if pushed.format is HeldFormat.JWS:
        return None, None
    config = current_app.config
    fetcher = SafeHttpFetcher(
        timeout=float(config.get("VERIFY_FETCH_TIMEOUT", 5.0)),
        allow_hosts=config.get("VERIFY_ALLOW_HOSTS", ()),
    )
    result = verification.verify_credential(pushed.document, fetcher=fetcher, now=utcnow())
    checks = [
        {"check": c.check, "passed": c.passed, "reason": c.reason, "detail": c.detail}
        for c in result.checks
    ]
    return bool(result.verified), checks


def upsert_held_credential(
    user: User, pushed: PushedCredential, *, client: OAuthClient | None
) -> tuple[HeldCredential | None, bool]:
    """Keep a credential a wallet pushed; (row, created).

    The same credential again (same issuer and id) replaces the kept one unless the kept one
    is newer (a later `validFrom`). One Pathways issued to this learner is not copied:
    (None, False). Every kept credential is verified (VC-JWT ones excepted); it counts for
    nothing in stacking until an assessor or the trust rules act on it.
    """
    if _issued_here(user, pushed):
        return None, False
    now = utcnow()
    row = queries.held_credential(user.id, pushed.equality_key)
    created = row is None
    if row is None:
        row = HeldCredential(user_id=user.id, equality_key=pushed.equality_key, created_at=now)
        db.session.add(row)
    elif (
        row.valid_from is not None
        and pushed.valid_from is not None
        and pushed.valid_from < row.valid_from
    ):
        return row, False
    row.pushed_by_client_id = client.id if client is not None else None
    row.credential_id = pushed.credential_id
    row.issuer_id = pushed.issuer_id
    row.name = pushed.name
    row.format = pushed.format
    row.document = pushed.text
    row.valid_from = pushed.valid_from
    row.issued_at = pushed.valid_from or now
    row.updated_at = now
    row.verified, row.verification = _verify(pushed)
    row.verified_at = now if row.verified is not None else None
    db.session.flush()
    return row, created
