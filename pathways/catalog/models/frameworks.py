"""Frameworks, their competency item trees, crosswalks and associations (CASE-like)."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.accounts.models import Organisation
from pathways.catalog.enums import AssociationStatus
from pathways.catalog.enums import CaseType
from pathways.catalog.enums import CrosswalkStatus
from pathways.catalog.enums import FrameworkStatus
from pathways.catalog.enums import ItemKind
from pathways.catalog.enums import Relation
from pathways.catalog.models._types import enum_column
from pathways.db import UTCDateTime
from pathways.db import db
from pathways.db import utcnow


class Framework(db.Model):
    """An occupational standard or certification scheme (a CASE CFDocument).

    `title`, `description` and `notice` are language maps (``{"en": ..., "fr": ...}``).
    An illustrative framework carries a notice shown on every page and export.
    """

    __tablename__ = "catalog_framework"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    identifier: so.Mapped[str] = so.mapped_column(sa.String(100), unique=True)
    uuid: so.Mapped[str] = so.mapped_column(sa.String(36), unique=True)
    title: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON)
    description: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)
    # Who publishes it, as given (an organisation code, or a name from a CASE import).
    publisher: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    publisher_organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL")
    )
    version: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    languages: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    is_illustrative: so.Mapped[bool] = so.mapped_column(default=False)
    notice: so.Mapped[dict[str, str] | None] = so.mapped_column(sa.JSON)
    status: so.Mapped[FrameworkStatus] = so.mapped_column(
        enum_column(FrameworkStatus), default=FrameworkStatus.PUBLISHED
    )
    uri: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    # CASE fields with no column of their own (subject, licence, adoption status...).
    extra: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    publisher_organisation: so.Mapped[Organisation | None] = so.relationship()
    items: so.Mapped[list[CompetencyItem]] = so.relationship(
        back_populates="framework",
        cascade="all, delete-orphan",
        order_by="CompetencyItem.position",
    )

    @property
    def is_published(self) -> bool:
        return self.status is FrameworkStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<Framework {self.identifier} {self.version}>"


class CompetencyItem(db.Model):
    """A node of a framework (a CASE CFItem): occupation > area > competency > indicator,
    or certification > module > activity. `code` is the CASE humanCodingScheme."""

    __tablename__ = "catalog_item"
    __table_args__ = (sa.UniqueConstraint("framework_id", "code"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    framework_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_framework.id", ondelete="CASCADE"), index=True
    )
    uuid: so.Mapped[str] = so.mapped_column(sa.String(36), unique=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(100))
    kind: so.Mapped[ItemKind] = so.mapped_column(enum_column(ItemKind))
    parent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("catalog_item.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int] = so.mapped_column(default=0)
    title: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON)
    description: so.Mapped[dict[str, str] | None] = so.mapped_column(sa.JSON)
    uri: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    group: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    is_optional: so.Mapped[bool] = so.mapped_column(default=False)
    # An item that is itself an earnable external credential (MSSC CPT): validity_years,
    # awarded_when_all_held, prerequisites (codes), as in the content files.
    credential: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON)
    extra: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)

    framework: so.Mapped[Framework] = so.relationship(back_populates="items")
    parent: so.Mapped[CompetencyItem | None] = so.relationship(
        remote_side=[id], back_populates="children"
    )
    children: so.Mapped[list[CompetencyItem]] = so.relationship(
        back_populates="parent", order_by="CompetencyItem.position"
    )

    def __repr__(self) -> str:
        return f"<CompetencyItem {self.code}>"


class Crosswalk(db.Model):
    """A named set of associations between frameworks, with provenance (CFAssociationGrouping)."""

    __tablename__ = "catalog_crosswalk"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100), unique=True)
    uuid: so.Mapped[str] = so.mapped_column(sa.String(36), unique=True)
    title: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON)
    description: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)
    status: so.Mapped[CrosswalkStatus] = so.mapped_column(
        enum_column(CrosswalkStatus), default=CrosswalkStatus.ACTIVE
    )
    # title, url, publisher, signed_on, press_release_on, references: as in the content file.
    source: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    asserted_by: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    entered_by: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    entered_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    associations: so.Mapped[list[Association]] = so.relationship(back_populates="crosswalk")

    @property
    def is_active(self) -> bool:
        return self.status is CrosswalkStatus.ACTIVE


class Association(db.Model):
    """A typed link origin > destination (a CASE CFAssociation), with its provenance.

    `relation` (exact / related / broader / narrower) is set for crosswalk relations, read
    origin versus destination; structural links (isPartOf, precedes...) leave it empty.
    Only declared exact relations (`exactMatchOf`, status declared) substitute in stacking.
    """

    __tablename__ = "catalog_association"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    uuid: so.Mapped[str] = so.mapped_column(sa.String(36), unique=True)
    origin_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_item.id", ondelete="CASCADE"), index=True
    )
    destination_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_item.id", ondelete="CASCADE"), index=True
    )
    case_type: so.Mapped[CaseType] = so.mapped_column(enum_column(CaseType))
    relation: so.Mapped[Relation | None] = so.mapped_column(enum_column(Relation))
    status: so.Mapped[AssociationStatus] = so.mapped_column(
        enum_column(AssociationStatus), default=AssociationStatus.DECLARED
    )
    # The framework versions the relation was stated against.
    origin_version: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    destination_version: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # statement (language map), whole_credential_only, must_be_current, excludes (codes).
    scope: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    source_title: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    source_url: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    source_date: so.Mapped[date | None] = so.mapped_column(sa.Date)
    asserted_by: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    note: so.Mapped[dict[str, str] | None] = so.mapped_column(sa.JSON)
    # The named crosswalk (CASE CFAssociationGrouping) this relation belongs to, if any.
    grouping: so.Mapped[str | None] = so.mapped_column(sa.String(100), index=True)
    crosswalk_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("catalog_crosswalk.id", ondelete="CASCADE"), index=True
    )
    entered_by: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    origin: so.Mapped[CompetencyItem] = so.relationship(foreign_keys=[origin_id])
    destination: so.Mapped[CompetencyItem] = so.relationship(foreign_keys=[destination_id])
    crosswalk: so.Mapped[Crosswalk | None] = so.relationship(back_populates="associations")

    @property
    def is_declared_exact(self) -> bool:
        return (
            self.case_type is CaseType.EXACT_MATCH_OF and self.status is AssociationStatus.DECLARED
        )
