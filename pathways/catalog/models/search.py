"""The filter columns of the search index of published micro-credential versions.

`SearchDocument` holds each version's filter values; the full-text side (FTS5 on SQLite,
tsvector on PostgreSQL) and the facet-value table are made by the search-index migration
and written by `pathways.catalog.search`, outside the models.
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
