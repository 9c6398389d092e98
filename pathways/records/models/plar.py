"""PLAR: an assessor's work-based decision on one competency item (usually an indicator).

`PlarAssessment` is the current decision per (learner, item); every recording and every
correction appends a `PlarAssessmentRevision`, never updated or deleted, so the history
of who decided what, when, and why it was corrected is kept.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.db import UTCDateTime
from pathways.db import db
from pathways.db import utcnow


class PlarAssessment(db.Model):
    """The current decision on one item for one learner: met or not yet."""

    __tablename__ = "records_plar_assessment"
    __table_args__ = (sa.UniqueConstraint("learner_id", "item_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    learner_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_item.id", ondelete="RESTRICT"), index=True
    )
    # The item's code, copied: the stacking engine reads codes, not ids.
    item_code: so.Mapped[str] = so.mapped_column(sa.String(100))
    is_met: so.Mapped[bool] = so.mapped_column()
    assessed_on: so.Mapped[date] = so.mapped_column(sa.Date)
    evidence_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    assessor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The latest revision's number (1 for a first recording).
    revision: so.Mapped[int] = so.mapped_column(default=1)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    learner = so.relationship("User", foreign_keys=[learner_id])
    assessor = so.relationship("User", foreign_keys=[assessor_id])
    item = so.relationship("CompetencyItem")
    revisions: so.Mapped[list[PlarAssessmentRevision]] = so.relationship(
        back_populates="assessment", order_by="PlarAssessmentRevision.number"
    )

    @property
    def current_revision(self) -> PlarAssessmentRevision | None:
        return self.revisions[-1] if self.revisions else None


class PlarAssessmentRevision(db.Model):
    """One recording or correction of a PLAR decision (append-only).

    `evidence_path` is the stored file's name under ``instance/uploads/plar/`` (random,
    never the uploaded name); `evidence_filename` is the name the assessor uploaded.
    """

    __tablename__ = "records_plar_revision"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    assessment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("records_plar_assessment.id", ondelete="CASCADE"), index=True
    )
    number: so.Mapped[int] = so.mapped_column()
    is_met: so.Mapped[bool] = so.mapped_column()
    assessed_on: so.Mapped[date] = so.mapped_column(sa.Date)
    evidence_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    evidence_path: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    evidence_filename: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    evidence_content_type: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    evidence_size: so.Mapped[int | None] = so.mapped_column()
    # Why a correction was made (empty for the first recording).
    correction_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    assessment: so.Mapped[PlarAssessment] = so.relationship(back_populates="revisions")
    recorded_by = so.relationship("User")

    @property
    def is_correction(self) -> bool:
        return self.number > 1
