"""Users, organisations, memberships, invitations and API clients."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.db import UTCDateTime
from pathways.db import db
from pathways.db import utcnow


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    kind: so.Mapped[OrganisationKind] = so.mapped_column(
        sa.Enum(
            OrganisationKind,
            native_enum=False,
            length=32,
            values_callable=lambda kinds: [k.value for k in kinds],
        )
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    memberships: so.Mapped[list[Membership]] = so.relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.code}>"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254), unique=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(256))
    locale: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    is_enabled: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_signin_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    failed_signin_count: so.Mapped[int] = so.mapped_column(default=0)
    last_failed_signin_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Bumped on password change so outstanding reset links stop working.
    password_changed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    memberships: so.Mapped[list[Membership]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot sign in
        return self.is_enabled

    def roles_in(self, organisation_id: int) -> set[Role]:
        return {m.role for m in self.memberships if m.organisation_id == organisation_id}

    @property
    def roles(self) -> set[Role]:
        # Self-registered users belong to no organisation yet: they are learners.
        return {m.role for m in self.memberships} or {Role.LEARNER}

    def has_role(self, *roles: Role, organisation_id: int | None = None) -> bool:
        if organisation_id is None:
            return bool(self.roles & set(roles))
        return any(
            m.role in roles and m.organisation_id == organisation_id for m in self.memberships
        )

    def organisations_where(self, *roles: Role) -> list[Organisation]:
        return [m.organisation for m in self.memberships if m.role in roles]

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (sa.UniqueConstraint("user_id", "organisation_id", "role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: so.Mapped[Role] = so.mapped_column(
        sa.Enum(
            Role, native_enum=False, length=32, values_callable=lambda rs: [r.value for r in rs]
        )
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    user: so.Mapped[User] = so.relationship(back_populates="memberships")
    organisation: so.Mapped[Organisation] = so.relationship(back_populates="memberships")


class Invitation(db.Model):
    """An organisation admin's invitation of an email address to a role."""

    __tablename__ = "invitation"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    role: so.Mapped[Role] = so.mapped_column(
        sa.Enum(
            Role, native_enum=False, length=32, values_callable=lambda rs: [r.value for r in rs]
        )
    )
    invited_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    accepted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    organisation: so.Mapped[Organisation] = so.relationship()
    invited_by: so.Mapped[User | None] = so.relationship()


class ApiClient(db.Model):
    """A machine client (an LMS, an integration): key id + hashed secret + scopes."""

    __tablename__ = "api_client"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    key_id: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    secret_hash: so.Mapped[str] = so.mapped_column(sa.String(128))
    scopes: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    organisation: so.Mapped[Organisation] = so.relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class ExternalIdentity(db.Model):
    """A user's identity at another system: an LTI platform user, an LMS's xAPI account.

    `provider` says which protocol named it ("lti" for LTI 1.3 (iss, sub), "lti11" for
    LTI 1.1 (consumer key, user_id), "xapi_account" for an xAPI account (homePage, name),
    "mbox" for an email IFI); `issuer` is the platform issuer, consumer key or home page.
    """

    __tablename__ = "external_identity"
    __table_args__ = (sa.UniqueConstraint("provider", "issuer", "subject"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    provider: so.Mapped[str] = so.mapped_column(sa.String(32))
    issuer: so.Mapped[str] = so.mapped_column(sa.String(500))
    subject: so.Mapped[str] = so.mapped_column(sa.String(255))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    user: so.Mapped[User] = so.relationship()
