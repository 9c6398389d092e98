"""Module progress, and the evidence (xAPI statements) it is computed from."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.db import UTCDateTime
from pathways.db import db


class ModuleEvidence(db.Model):
    """One projected statement about a learner and a module (completed, passed, failed, scored).

    Kept so that progress can be recomputed when a statement is voided: the row is
    marked `is_voided` and the progress is derived again from the rest.
    """

    __tablename__ = "records_module_evidence"
    __table_args__ = (
        sa.UniqueConstraint("statement_id", "module_id"),
        sa.Index("ix_records_module_evidence_user_module", "user_id", "module_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    module_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_module.id", ondelete="CASCADE"), index=True
    )
    statement_id: so.Mapped[str] = so.mapped_column(sa.String(36), index=True)
    verb: so.Mapped[str] = so.mapped_column(sa.String(16))  # completed | passed | failed | scored
    score_scaled: so.Mapped[float | None] = so.mapped_column()
    occurred_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    is_voided: so.Mapped[bool] = so.mapped_column(default=False)


class ModuleProgress(db.Model):
    """A learner's standing in one module, derived from the module's evidence."""

    __tablename__ = "records_module_progress"
    __table_args__ = (sa.UniqueConstraint("user_id", "module_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    module_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_module.id", ondelete="CASCADE"), index=True
    )
    # in_progress | completed | passed | failed
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="in_progress")
    is_complete: so.Mapped[bool] = so.mapped_column(default=False)
    best_score_scaled: so.Mapped[float | None] = so.mapped_column()
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The statement that completed (or passed) the module.
    completion_statement_id: so.Mapped[str | None] = so.mapped_column(sa.String(36))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
