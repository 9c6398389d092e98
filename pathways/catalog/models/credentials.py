"""Micro-credentials, their immutable versions, modules and co-design records."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.accounts.models import ApiClient
from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.catalog.enums import DeliveryMode
from pathways.catalog.enums import Level
from pathways.catalog.enums import PartnerRole
from pathways.catalog.enums import Strength
from pathways.catalog.enums import VersionStatus
from pathways.catalog.models._types import enum_column
from pathways.catalog.models.frameworks import CompetencyItem
from pathways.db import UTCDateTime
from pathways.db import db
from pathways.db import utcnow


def new_etag() -> str:
    return uuid.uuid4().hex


class MicroCredential(db.Model):
    """The stable identity of a micro-credential across its versions."""

    __tablename__ = "catalog_microcredential"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(100), unique=True)
    issuing_organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    issuing_organisation: so.Mapped[Organisation] = so.relationship()
    versions: so.Mapped[list[MicroCredentialVersion]] = so.relationship(
        back_populates="credential",
        order_by="MicroCredentialVersion.number",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<MicroCredential {self.code}>"


class MicroCredentialVersion(db.Model):
    """One version of a micro-credential: draft > in_review > published > retired.

    A published version never changes; a new version is a copy. The columns hold the
    Ontario publish-gate fields (DOMAIN.md section 5); text fields are language maps.
    `etag` changes on every edit (If-Match on the API).
    """

    __tablename__ = "catalog_version"
    __table_args__ = (sa.UniqueConstraint("credential_id", "number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    credential_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_microcredential.id", ondelete="CASCADE"), index=True
    )
    number: so.Mapped[int] = so.mapped_column(default=1)
    status: so.Mapped[VersionStatus] = so.mapped_column(
        enum_column(VersionStatus), default=VersionStatus.DRAFT, index=True
    )
    etag: so.Mapped[str] = so.mapped_column(sa.String(32), default=new_etag)

    title: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)
    description: so.Mapped[dict[str, str] | None] = so.mapped_column(sa.JSON)
    co_issuers: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    # [{"id": "O1", "text": {"en": ..., "fr": ...}}, ...]
    outcomes: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)
    # [{"method": "test", "weight_percent": 60, "description": {...}}, ...]
    assessment_methods: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)
    evidence: so.Mapped[dict[str, str] | None] = so.mapped_column(sa.JSON)
    pass_standard: so.Mapped[dict[str, str] | None] = so.mapped_column(sa.JSON)
    assessor: so.Mapped[dict[str, str] | None] = so.mapped_column(sa.JSON)
    # {"is_available": bool, "description": {...}}
    challenge_route: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON)
    effort_hours: so.Mapped[int | None] = so.mapped_column()
    duration_weeks: so.Mapped[int | None] = so.mapped_column()
    delivery_mode: so.Mapped[DeliveryMode | None] = so.mapped_column(enum_column(DeliveryMode))
    languages: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    level: so.Mapped[Level | None] = so.mapped_column(enum_column(Level))
    # "none" or a language map.
    credit_value: so.Mapped[Any | None] = so.mapped_column(sa.JSON, nullable=True)
    # True when the author declared "none" (the Prerequisite rows list the others).
    has_no_prerequisites: so.Mapped[bool] = so.mapped_column(default=False)
    # "standalone" or a list of occupation / certification codes.
    stacks_into: so.Mapped[Any | None] = so.mapped_column(sa.JSON, nullable=True)
    # None means "does not expire" once validity_recency says the validity was declared.
    validity_months: so.Mapped[int | None] = so.mapped_column()
    validity_recency: so.Mapped[dict[str, str] | None] = so.mapped_column(sa.JSON)
    # {"format": "open_badges_3", "has_status_list": true, "statement": {...}}
    verification: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON)
    ownership_statement: so.Mapped[dict[str, str] | None] = so.mapped_column(sa.JSON)
    cip_2021: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    noc_2021: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    cost_cad: so.Mapped[int | None] = so.mapped_column()

    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The last author: never the one who publishes.
    updated_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    published_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Set instead of the user columns when an API client (a curriculum system) wrote it.
    created_by_client_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("api_client.id", ondelete="SET NULL")
    )
    updated_by_client_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("api_client.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    retired_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    credential: so.Mapped[MicroCredential] = so.relationship(back_populates="versions")
    created_by: so.Mapped[User | None] = so.relationship(foreign_keys=[created_by_id])
    updated_by: so.Mapped[User | None] = so.relationship(foreign_keys=[updated_by_id])
    published_by: so.Mapped[User | None] = so.relationship(foreign_keys=[published_by_id])
    created_by_client: so.Mapped[ApiClient | None] = so.relationship(
        foreign_keys=[created_by_client_id]
    )
    updated_by_client: so.Mapped[ApiClient | None] = so.relationship(
        foreign_keys=[updated_by_client_id]
    )
    modules: so.Mapped[list[Module]] = so.relationship(
        back_populates="version", order_by="Module.position", cascade="all, delete-orphan"
    )
    alignments: so.Mapped[list[Alignment]] = so.relationship(
        back_populates="version", order_by="Alignment.id", cascade="all, delete-orphan"
    )
    prerequisites: so.Mapped[list[Prerequisite]] = so.relationship(
        back_populates="version", order_by="Prerequisite.id", cascade="all, delete-orphan"
    )
    partners: so.Mapped[list[VersionPartner]] = so.relationship(
        back_populates="version", order_by="VersionPartner.id", cascade="all, delete-orphan"
    )
    endorsements: so.Mapped[list[Endorsement]] = so.relationship(
        back_populates="version", order_by="Endorsement.id", cascade="all, delete-orphan"
    )
    comments: so.Mapped[list[Comment]] = so.relationship(
        back_populates="version", order_by="Comment.id", cascade="all, delete-orphan"
    )
    events: so.Mapped[list[VersionEvent]] = so.relationship(
        back_populates="version", order_by="VersionEvent.id", cascade="all, delete-orphan"
    )

    @property
    def code(self) -> str:
        return self.credential.code

    @property
    def is_published(self) -> bool:
        return self.status is VersionStatus.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.status is VersionStatus.DRAFT

    @property
    def active_endorsements(self) -> list[Endorsement]:
        return [e for e in self.endorsements if e.voided_at is None]

    def __repr__(self) -> str:
        return f"<MicroCredentialVersion {self.credential_id} v{self.number} {self.status}>"


class Module(db.Model):
    """An LMS-delivered unit of a version, with the xAPI activity IRIs its LMSs send."""

    __tablename__ = "catalog_module"
    __table_args__ = (sa.UniqueConstraint("version_id", "code"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_version.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int] = so.mapped_column(default=0)
    code: so.Mapped[str] = so.mapped_column(sa.String(100))
    title: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON)
    effort_hours: so.Mapped[int] = so.mapped_column(default=0)
    lti_resource_link_id: so.Mapped[str | None] = so.mapped_column(sa.String(255), index=True)

    version: so.Mapped[MicroCredentialVersion] = so.relationship(back_populates="modules")
    activities: so.Mapped[list[ModuleActivity]] = so.relationship(
        back_populates="module", order_by="ModuleActivity.id", cascade="all, delete-orphan"
    )

    @property
    def activity_iris(self) -> list[str]:
        return [activity.activity_iri for activity in self.activities]


class ModuleActivity(db.Model):
    """An xAPI activity IRI whose completion counts for a module."""

    __tablename__ = "catalog_module_activity"
    __table_args__ = (sa.UniqueConstraint("module_id", "activity_iri"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    module_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_module.id", ondelete="CASCADE"), index=True
    )
    activity_iri: so.Mapped[str] = so.mapped_column(sa.String(500), index=True)

    module: so.Mapped[Module] = so.relationship(back_populates="activities")


class Alignment(db.Model):
    """A version's outcome aligned to a framework item (an indicator or activity)."""

    __tablename__ = "catalog_alignment"
    __table_args__ = (sa.UniqueConstraint("version_id", "item_id", "outcome"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_version.id", ondelete="CASCADE"), index=True
    )
    item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_item.id", ondelete="RESTRICT"), index=True
    )
    outcome: so.Mapped[str] = so.mapped_column(sa.String(16), default="")
    strength: so.Mapped[Strength] = so.mapped_column(enum_column(Strength), default=Strength.FULL)

    version: so.Mapped[MicroCredentialVersion] = so.relationship(back_populates="alignments")
    item: so.Mapped[CompetencyItem] = so.relationship()


class Prerequisite(db.Model):
    """A micro-credential that must be held before this version is awarded (CASE precedes)."""

    __tablename__ = "catalog_prerequisite"
    __table_args__ = (sa.UniqueConstraint("version_id", "required_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_version.id", ondelete="CASCADE"), index=True
    )
    required_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_microcredential.id", ondelete="RESTRICT"), index=True
    )

    version: so.Mapped[MicroCredentialVersion] = so.relationship(back_populates="prerequisites")
    required: so.Mapped[MicroCredential] = so.relationship()


class VersionPartner(db.Model):
    """An industry organisation invited to a version as co-designer or endorser."""

    __tablename__ = "catalog_version_partner"
    __table_args__ = (sa.UniqueConstraint("version_id", "organisation_id", "role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_version.id", ondelete="CASCADE"), index=True
    )
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: so.Mapped[PartnerRole] = so.mapped_column(enum_column(PartnerRole))
    invited_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    invited_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    version: so.Mapped[MicroCredentialVersion] = so.relationship(back_populates="partners")
    organisation: so.Mapped[Organisation] = so.relationship()


class Endorsement(db.Model):
    """A partner's endorsement of one exact version; any later edit voids it."""

    __tablename__ = "catalog_endorsement"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_version.id", ondelete="CASCADE"), index=True
    )
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # What the endorsement confirms (a language map).
    statement: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON)
    # The etag of the version as endorsed.
    version_etag: so.Mapped[str] = so.mapped_column(sa.String(32), default="")
    endorsed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    voided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    void_reason: so.Mapped[str | None] = so.mapped_column(sa.String(200))

    version: so.Mapped[MicroCredentialVersion] = so.relationship(back_populates="endorsements")
    organisation: so.Mapped[Organisation] = so.relationship()
    user: so.Mapped[User | None] = so.relationship()

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


class Comment(db.Model):
    """A threaded comment on a version, or on one of its modules."""

    __tablename__ = "catalog_comment"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_version.id", ondelete="CASCADE"), index=True
    )
    module_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("catalog_module.id", ondelete="CASCADE"), index=True
    )
    parent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("catalog_comment.id", ondelete="CASCADE"), index=True
    )
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    version: so.Mapped[MicroCredentialVersion] = so.relationship(back_populates="comments")
    module: so.Mapped[Module | None] = so.relationship()
    author: so.Mapped[User | None] = so.relationship()
    parent: so.Mapped[Comment | None] = so.relationship(remote_side=[id])


class VersionEvent(db.Model):
    """One entry of a version's history: who moved it from which state to which, and when."""

    __tablename__ = "catalog_version_event"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_version.id", ondelete="CASCADE"), index=True
    )
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The API client that acted (actor_id is then None); both None for the system.
    actor_client_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("api_client.id", ondelete="SET NULL")
    )
    # None for events that change no state (an edit, an invitation, an endorsement).
    from_status: so.Mapped[VersionStatus | None] = so.mapped_column(enum_column(VersionStatus))
    to_status: so.Mapped[VersionStatus | None] = so.mapped_column(enum_column(VersionStatus))
    action: so.Mapped[str] = so.mapped_column(sa.String(32))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    version: so.Mapped[MicroCredentialVersion] = so.relationship(back_populates="events")
    actor: so.Mapped[User | None] = so.relationship()
    actor_client: so.Mapped[ApiClient | None] = so.relationship()
