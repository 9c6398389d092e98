"""The search index of published micro-credential versions, maintained by the app.

`SearchDocument` holds each version's folded text and its filter values; `SearchTerm` is
an inverted index (folded word -> version) that both SQLite and PostgreSQL scan by prefix.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.db import db


class SearchDocument(db.Model):
    __tablename__ = "catalog_search_document"

    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_version.id", ondelete="CASCADE"), primary_key=True
    )
    credential_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_microcredential.id", ondelete="CASCADE"), index=True
    )
    issuing_organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    effort_hours: so.Mapped[int] = so.mapped_column(default=0, index=True)
    delivery_mode: so.Mapped[str] = so.mapped_column(sa.String(32), default="")
    # Space-separated, padded with spaces: " en fr ".
    languages: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    # Folded (lower case, no accents) title, description and outcomes in every language.
    text: so.Mapped[str] = so.mapped_column(sa.Text, default="")


class SearchTerm(db.Model):
    __tablename__ = "catalog_search_term"

    term: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_search_document.version_id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )
