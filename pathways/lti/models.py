"""LTI tables: the tool's keys, platform registrations, single-use login state and nonces,
LMS contexts (cohorts) with members, resource links, grade links, the grade outbox,
service access tokens, and LTI 1.1 consumers with their nonces.

Secrets (the tool's private keys, LTI 1.1 shared secrets) are stored encrypted with a
key derived from SECRET_KEY (`pathways.lti.keys`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.db import UTCDateTime
from pathways.db import db
from pathways.db import utcnow


def least_privilege() -> dict[str, list[str]]:
    """What each kind of LMS role becomes in the registration's college, by default:
    learners are learners; instructors and administrators get no Pathways role (an
    instructor sees their own course's cohort from the launch, nothing more)."""
    return {"learner": ["learner"], "instructor": [], "administrator": []}


class LtiToolKey(db.Model):
    """One RSA key pair of the tool. The newest unretired key signs; a retired key stays
    in the JWKS until `retired_at` + the longest lifetime of anything it signed."""

    __tablename__ = "lti_tool_key"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kid: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    private_key_encrypted: so.Mapped[str] = so.mapped_column(sa.Text)
    public_jwk: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    retired_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class LtiPlatform(db.Model):
    """An LTI 1.3 platform registration (an LMS), belonging to a college."""

    __tablename__ = "lti_platform"
    __table_args__ = (sa.UniqueConstraint("issuer", "client_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    issuer: so.Mapped[str] = so.mapped_column(sa.String(500))
    client_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    deployment_ids: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    auth_url: so.Mapped[str] = so.mapped_column(sa.Text)
    token_url: so.Mapped[str] = so.mapped_column(sa.Text)
    jwks_url: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # A static public key (a JWK as JSON, or a PEM) when the platform publishes no JWKS.
    static_public_key: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Link a launch to an existing account with the same email only when this is set.
    trusts_email: so.Mapped[bool] = so.mapped_column(default=False)
    # The Pathways roles each kind of LMS role (learner, instructor, administrator) is
    # granted in the college; set by its admin, least privilege by default.
    role_grants: so.Mapped[dict[str, list[str]]] = so.mapped_column(
        sa.JSON, default=least_privilege
    )
    is_enabled: so.Mapped[bool] = so.mapped_column(default=True)
    product_family_code: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    registered_via: so.Mapped[str] = so.mapped_column(sa.String(16), default="manual")
    jwks_cache: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON)
    jwks_fetched_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    organisation: so.Mapped[Organisation | None] = so.relationship()


class LtiRegistrationLink(db.Model):
    """A dynamic registration link an admin made for their college: single use, short
    lived; the random token is kept only as its SHA-256. The platform it registers stays
    disabled until an admin approves it."""

    __tablename__ = "lti_registration_link"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    platform_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("lti_platform.id", ondelete="SET NULL")
    )

    organisation: so.Mapped[Organisation] = so.relationship()


class LtiLoginState(db.Model):
    """The OIDC login's state and nonce, kept server-side keyed by state (single use).

    The state does not depend on a cookie: LMS iframes often block third-party cookies.
    `cookie_hash` binds it additionally to a browser cookie when the browser keeps one.
    """

    __tablename__ = "lti_login_state"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    state: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    nonce: so.Mapped[str] = so.mapped_column(sa.String(64))
    platform_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True
    )
    target_link_uri: so.Mapped[str] = so.mapped_column(sa.Text)
    cookie_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class LtiUsedNonce(db.Model):
    """id_token nonces already accepted, refused on replay until they expire."""

    __tablename__ = "lti_used_nonce"
    __table_args__ = (sa.UniqueConstraint("platform_id", "nonce"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    platform_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("lti_platform.id", ondelete="CASCADE")
    )
    nonce: so.Mapped[str] = so.mapped_column(sa.String(255))
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)


class Lti11Consumer(db.Model):
    """An LTI 1.1 tool consumer: key + shared secret (encrypted: HMAC needs the secret)."""

    __tablename__ = "lti11_consumer"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    consumer_key: so.Mapped[str] = so.mapped_column(sa.String(255), unique=True)
    secret_encrypted: so.Mapped[str] = so.mapped_column(sa.Text)
    trusts_email: so.Mapped[bool] = so.mapped_column(default=False)
    role_grants: so.Mapped[dict[str, list[str]]] = so.mapped_column(
        sa.JSON, default=least_privilege
    )
    is_enabled: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    organisation: so.Mapped[Organisation | None] = so.relationship()


class Lti11Nonce(db.Model):
    """oauth_nonce values seen within the timestamp window (replay protection)."""

    __tablename__ = "lti11_nonce"
    __table_args__ = (sa.UniqueConstraint("consumer_key", "nonce"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    consumer_key: so.Mapped[str] = so.mapped_column(sa.String(255))
    nonce: so.Mapped[str] = so.mapped_column(sa.String(255))
    timestamp: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)


class LtiContext(db.Model):
    """An LMS course (or group) seen in launches: a cohort of Pathways users."""

    __tablename__ = "lti_context"
    __table_args__ = (
        sa.UniqueConstraint("platform_id", "context_id"),
        sa.UniqueConstraint("consumer_id", "context_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    platform_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True
    )
    consumer_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("lti11_consumer.id", ondelete="CASCADE"), index=True
    )
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    context_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    title: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    label: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    deployment_id: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    memberships_url: so.Mapped[str | None] = so.mapped_column(sa.Text)
    lineitems_url: so.Mapped[str | None] = so.mapped_column(sa.Text)
    ags_scopes: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    roster_synced_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    platform: so.Mapped[LtiPlatform | None] = so.relationship()
    consumer: so.Mapped[Lti11Consumer | None] = so.relationship()
    members: so.Mapped[list[LtiContextMember]] = so.relationship(
        back_populates="context", cascade="all, delete-orphan"
    )


class LtiContextMember(db.Model):
    """A user in a context with the LTI roles (full URIs) the platform gave them."""

    __tablename__ = "lti_context_member"
    __table_args__ = (sa.UniqueConstraint("context_pk", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    context_pk: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("lti_context.id", ondelete="CASCADE")
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    roles: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    source: so.Mapped[str] = so.mapped_column(sa.String(16), default="launch")  # launch | roster
    is_active: so.Mapped[bool] = so.mapped_column(default=True)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    context: so.Mapped[LtiContext] = so.relationship(back_populates="members")
    user: so.Mapped[User] = so.relationship()


class LtiResourceLink(db.Model):
    """A placement of Pathways in a course, and the Pathways page it points at."""

    __tablename__ = "lti_resource_link"
    __table_args__ = (
        sa.UniqueConstraint("platform_id", "resource_link_id"),
        sa.UniqueConstraint("consumer_id", "resource_link_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    platform_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True
    )
    consumer_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("lti11_consumer.id", ondelete="CASCADE"), index=True
    )
    context_pk: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("lti_context.id", ondelete="SET NULL"), index=True
    )
    resource_link_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    title: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    # What the link opens: credential | module | pathway, and its code (None: dashboard).
    target_kind: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    target_code: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    lineitem_url: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    context: so.Mapped[LtiContext | None] = so.relationship()
    platform: so.Mapped[LtiPlatform | None] = so.relationship()
    consumer: so.Mapped[Lti11Consumer | None] = so.relationship()


class LtiGradeLink(db.Model):
    """Where a user's grade for one resource link goes: an AGS line item or LTI 1.1
    Basic Outcomes (service URL + sourcedid). `lti_user_id` is the platform's id for them."""

    __tablename__ = "lti_grade_link"
    __table_args__ = (sa.UniqueConstraint("user_id", "resource_link_pk"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    resource_link_pk: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("lti_resource_link.id", ondelete="CASCADE"), index=True
    )
    lti_user_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    lineitem_url: so.Mapped[str | None] = so.mapped_column(sa.Text)
    outcome_url: so.Mapped[str | None] = so.mapped_column(sa.Text)
    sourcedid: so.Mapped[str | None] = so.mapped_column(sa.Text)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    resource_link: so.Mapped[LtiResourceLink] = so.relationship()
    user: so.Mapped[User] = so.relationship()


class LtiOutbox(db.Model):
    """A grade call to an LMS, kept until delivered (retried with exponential back-off).

    `idempotency_key` is unique: one (user, resource link, award/module) enqueues once.
    `kind`: ags_score | pox_replace | pox_delete. `status`: pending | sent | failed.
    """

    __tablename__ = "lti_outbox"
    __table_args__ = (
        sa.Index("ix_lti_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    idempotency_key: so.Mapped[str] = so.mapped_column(sa.String(255), unique=True)
    platform_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True
    )
    consumer_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("lti11_consumer.id", ondelete="CASCADE"), index=True
    )
    # The learner's grade link it delivers for (its course's instructors see it).
    grade_link_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("lti_grade_link.id", ondelete="SET NULL"), index=True
    )
    url: so.Mapped[str] = so.mapped_column(sa.Text)
    payload: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="pending")
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    platform: so.Mapped[LtiPlatform | None] = so.relationship()
    consumer: so.Mapped[Lti11Consumer | None] = so.relationship()
    grade_link: so.Mapped[LtiGradeLink | None] = so.relationship()


class LtiAccessToken(db.Model):
    """A platform's OAuth 2 service token for a set of scopes, cached until it expires."""

    __tablename__ = "lti_access_token"
    __table_args__ = (sa.UniqueConstraint("platform_id", "scopes"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    platform_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("lti_platform.id", ondelete="CASCADE")
    )
    scopes: so.Mapped[str] = so.mapped_column(sa.String(1000))
    token_encrypted: so.Mapped[str] = so.mapped_column(sa.Text)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)


class LtiDeepLinkSession(db.Model):
    """A verified deep linking request awaiting the instructor's choice.

    `handle` (random, single use) travels in the selection form, so the choice does not
    depend on a session cookie an LMS iframe may drop.
    """

    __tablename__ = "lti_deep_link_session"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    handle: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    platform_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    deployment_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    settings: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    platform: so.Mapped[LtiPlatform] = so.relationship()
