"""LRS tables: statements with their query indexes, attachments, documents, activities.

A statement is kept whole (`full_json`, the normalised JSON exactly as served with
format=exact) beside the columns queries filter on. The agent and activity filters go
through side tables with one row per (statement, IFI) and (statement, activity id):
`is_related` is false when the row matches the plain filter (actor or Agent object;
object Activity) and true when it matches only with related_agents/related_activities.
Side rows repeat `stored` (and the agent rows the verb) so that the common query,
agent + verb + since, walks one composite index, (ifi, verb_id, stored, statement_pk),
in keyset order. `actor_ifi` and `object_activity_id` stay on the statement row for
reading and reporting; the side tables carry the filter indexes, so each stored
statement pays for each index once.

Pagination is keyset on (stored, pk): `pk` is the row's sequence number, `stored` has
microseconds, both only grow, so a page boundary never moves while statements arrive.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.db import UTCDateTime
from pathways.db import db

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a bigint identity.
BigPk = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

IRI = 2048
IFI = 512


class Statement(db.Model):
    __tablename__ = "xapi_statement"
    __table_args__ = (
        sa.Index("ix_xapi_statement_stored_pk", "stored", "pk"),
        sa.Index("ix_xapi_statement_verb_stored", "verb_id", "stored", "pk"),
        sa.Index("ix_xapi_statement_registration_stored", "registration", "stored", "pk"),
        sa.Index("ix_xapi_statement_authority_stored", "authority_client_id", "stored", "pk"),
        sa.Index("ix_xapi_statement_object_ref", "object_ref"),
    )

    pk: so.Mapped[int] = so.mapped_column(BigPk, primary_key=True, autoincrement=True)
    statement_id: so.Mapped[str] = so.mapped_column(sa.String(36), unique=True)
    actor_ifi: so.Mapped[str | None] = so.mapped_column(sa.String(IFI))
    verb_id: so.Mapped[str] = so.mapped_column(sa.String(IRI))
    object_activity_id: so.Mapped[str | None] = so.mapped_column(sa.String(IRI))
    # The id a StatementRef object points at (voiding statements among them).
    object_ref: so.Mapped[str | None] = so.mapped_column(sa.String(36))
    registration: so.Mapped[str | None] = so.mapped_column(sa.String(36))
    stored: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    timestamp: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    is_voided: so.Mapped[bool] = so.mapped_column(default=False)
    authority_client_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("api_client.id", ondelete="SET NULL")
    )
    full_json: so.Mapped[str] = so.mapped_column(sa.Text)


class StatementAgent(db.Model):
    __tablename__ = "xapi_statement_agent"
    __table_args__ = (
        sa.Index("ix_xapi_statement_agent_ifi_verb", "ifi", "verb_id", "stored", "statement_pk"),
        sa.Index("ix_xapi_statement_agent_ifi_stored", "ifi", "stored", "statement_pk"),
    )

    statement_pk: so.Mapped[int] = so.mapped_column(
        BigPk, sa.ForeignKey("xapi_statement.pk", ondelete="CASCADE"), primary_key=True
    )
    ifi: so.Mapped[str] = so.mapped_column(sa.String(IFI), primary_key=True)
    is_related: so.Mapped[bool] = so.mapped_column(default=False)
    verb_id: so.Mapped[str] = so.mapped_column(sa.String(IRI))
    stored: so.Mapped[datetime] = so.mapped_column(UTCDateTime)


class StatementActivity(db.Model):
    __tablename__ = "xapi_statement_activity"
    __table_args__ = (
        sa.Index("ix_xapi_statement_activity_id_stored", "activity_id", "stored", "statement_pk"),
    )

    statement_pk: so.Mapped[int] = so.mapped_column(
        BigPk, sa.ForeignKey("xapi_statement.pk", ondelete="CASCADE"), primary_key=True
    )
    activity_id: so.Mapped[str] = so.mapped_column(sa.String(IRI), primary_key=True)
    is_related: so.Mapped[bool] = so.mapped_column(default=False)
    stored: so.Mapped[datetime] = so.mapped_column(UTCDateTime)


class Attachment(db.Model):
    """Attachment content, once per SHA-256 (statements name it by `sha2`)."""

    __tablename__ = "xapi_attachment"

    sha2: so.Mapped[str] = so.mapped_column(sa.String(128), primary_key=True)
    content_type: so.Mapped[str] = so.mapped_column(sa.String(255))
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)


class Activity(db.Model):
    """The LRS's canonical Activity: the definition merged from the statements it saw."""

    __tablename__ = "xapi_activity"

    activity_id: so.Mapped[str] = so.mapped_column(sa.String(IRI), primary_key=True)
    definition: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)


class Document(db.Model):
    """A State, Activity Profile or Agent Profile document of one organisation.

    Each organisation's clients read and write their own documents only; a document
    stored before documents had an organisation (NULL) is served to nobody. Absent parts
    of the key are stored as "" so one unique constraint covers all three kinds (NULLs
    never collide in a unique index).
    """

    __tablename__ = "xapi_document"
    __table_args__ = (
        sa.UniqueConstraint(
            "organisation_id",
            "kind",
            "activity_id",
            "agent_ifi",
            "registration",
            "document_id",
            name="uq_xapi_document_key",
        ),
        sa.Index(
            "ix_xapi_document_scope",
            "organisation_id",
            "kind",
            "activity_id",
            "agent_ifi",
            "updated_at",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(BigPk, primary_key=True, autoincrement=True)
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE")
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))  # state | activity | agent
    activity_id: so.Mapped[str] = so.mapped_column(sa.String(IRI), default="")
    agent_ifi: so.Mapped[str] = so.mapped_column(sa.String(IFI), default="")
    registration: so.Mapped[str] = so.mapped_column(sa.String(36), default="")
    document_id: so.Mapped[str] = so.mapped_column(sa.String(IRI))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(255))
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    etag: so.Mapped[str] = so.mapped_column(sa.String(40))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)


class PendingActor(db.Model):
    """An actor IFI of a completion-like statement that maps to no user yet.

    When a user links that identity, the projector replays the statements listed here.
    """

    __tablename__ = "xapi_pending_actor"
    __table_args__ = (sa.Index("ix_xapi_pending_actor_ifi", "ifi"),)

    statement_pk: so.Mapped[int] = so.mapped_column(
        BigPk, sa.ForeignKey("xapi_statement.pk", ondelete="CASCADE"), primary_key=True
    )
    ifi: so.Mapped[str] = so.mapped_column(sa.String(IFI))


class ActivityMapping(db.Model):
    """An LMS connection's own word that one of its activity IRIs counts for a module:
    deployment configuration, kept apart from the curriculum (no new version needed).

    The module is named by its micro-credential's code and its own code, so the mapping
    holds for every published version that has the module. Only statements stored by that
    connection (API client) count through it.
    """

    __tablename__ = "xapi_activity_mapping"
    __table_args__ = (
        sa.UniqueConstraint(
            "client_id",
            "activity_iri",
            "credential_code",
            "module_code",
            name="uq_xapi_activity_mapping_target",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("api_client.id", ondelete="CASCADE"), index=True
    )
    activity_iri: so.Mapped[str] = so.mapped_column(sa.String(1000), index=True)
    credential_code: so.Mapped[str] = so.mapped_column(sa.String(100))
    module_code: so.Mapped[str] = so.mapped_column(sa.String(100))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
