"""OAuth clients, authorization codes and tokens (secrets only as SHA-256), held credentials.

The three OAuth tables carry the small methods Authlib's grants call on them (its
`ClientMixin`, `AuthorizationCodeMixin` and `TokenMixin` contracts). A secret, code or
token is never stored: only the SHA-256 of the random value, looked up by that digest.

`grant_id` ties an authorization code to every token issued from it and from its refresh
chain, so a replayed code or a reused (rotated) refresh token revokes the whole chain.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin
from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749 import TokenMixin

from pathways.accounts.models import User
from pathways.db import UTCDateTime
from pathways.db import db
from pathways.db import utcnow
from pathways.oauth.enums import HeldFormat
from pathways.oauth.enums import ObScope
from pathways.oauth.uris import redirect_uri_matches


def digest(secret: str) -> str:
    """The stored form of a client secret, code or token: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class OAuthClient(ClientMixin, db.Model):
    """A client registered through the public registration endpoint (RFC 7591)."""

    __tablename__ = "oauth_client"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    client_secret_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    client_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    client_uri: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    logo_uri: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    tos_uri: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    policy_uri: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    software_id: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    software_version: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    contacts: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    redirect_uris: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    scopes: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    grant_types: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    response_types: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    token_endpoint_auth_method: so.Mapped[str] = so.mapped_column(sa.String(32))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    # -- Authlib's ClientMixin ------------------------------------------------------------

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # every authorization request names its redirect_uri

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The requested OB scopes this client registered, in a fixed order; None if none."""
        requested = set((scope or "").split())
        allowed = [s.value for s in ObScope if s.value in requested and s.value in self.scopes]
        return " ".join(allowed) or None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return any(redirect_uri_matches(uri, redirect_uri) for uri in self.redirect_uris)

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(self.client_secret_hash, digest(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.token_endpoint_auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type in self.response_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


class OAuthAuthorizationCode(AuthorizationCodeMixin, db.Model):
    """A code handed to the client after the learner's consent: single use, short-lived."""

    __tablename__ = "oauth_authorization_code"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("oauth_client.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    grant_id: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    redirect_uri: so.Mapped[str] = so.mapped_column(sa.String(500))
    scope: so.Mapped[str] = so.mapped_column(sa.Text)
    code_challenge: so.Mapped[str] = so.mapped_column(sa.String(128))
    code_challenge_method: so.Mapped[str] = so.mapped_column(sa.String(10))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    client: so.Mapped[OAuthClient] = so.relationship()
    user: so.Mapped[User] = so.relationship()

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


class OAuthToken(TokenMixin, db.Model):
    """An access token and (when the client may refresh) its refresh token.

    Refreshing rotates: the old row's tokens are revoked and `rotated_at` set, so presenting
    that refresh token again is recognised as reuse.
    """

    __tablename__ = "oauth_token"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("oauth_client.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    grant_id: so.Mapped[str] = so.mapped_column(sa.String(32), index=True)
    access_token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    refresh_token_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    scope: so.Mapped[str] = so.mapped_column(sa.Text)
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    access_expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    refresh_expires_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    rotated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    client: so.Mapped[OAuthClient] = so.relationship()
    user: so.Mapped[User] = so.relationship()

    @property
    def scopes(self) -> list[str]:
        return self.scope.split()

    # -- Authlib's TokenMixin -------------------------------------------------------------

    def check_client(self, client: OAuthClient) -> bool:
        return self.client_id == client.id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int((self.access_expires_at - self.issued_at).total_seconds())

    def is_expired(self) -> bool:
        return self.access_expires_at <= utcnow()

    def is_revoked(self) -> bool:
        return self.revoked_at is not None or not self.user.is_enabled

    def get_user(self) -> User:
        return self.user

    def get_client(self) -> OAuthClient:
        return self.client


class HeldCredential(db.Model):
    """An outside credential a wallet pushed into a learner's account (upsertCredential).

    `document` is what the wallet sent: the credential JSON as received, or the compact JWS.
    Credentials are the same when issuer id and credential id are (OB 3.0 section 10);
    `equality_key` is the SHA-256 of both. `verified` is None until a verifier has run.
    """

    __tablename__ = "oauth_held_credential"
    __table_args__ = (sa.UniqueConstraint("user_id", "equality_key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    pushed_by_client_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("oauth_client.id", ondelete="SET NULL")
    )
    equality_key: so.Mapped[str] = so.mapped_column(sa.String(64))
    credential_id: so.Mapped[str] = so.mapped_column(sa.Text)
    issuer_id: so.Mapped[str] = so.mapped_column(sa.Text)
    name: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    format: so.Mapped[HeldFormat] = so.mapped_column(
        sa.Enum(
            HeldFormat,
            native_enum=False,
            length=8,
            values_callable=lambda values: [v.value for v in values],
        )
    )
    document: so.Mapped[str] = so.mapped_column(sa.Text)
    valid_from: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    verified: so.Mapped[bool | None] = so.mapped_column()
    verification: so.Mapped[list[dict] | None] = so.mapped_column(sa.JSON)
    verified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    user: so.Mapped[User] = so.relationship()
