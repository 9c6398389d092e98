"""Occupation certifications earned by stacking, and recognised external credentials.

An `OccupationCertification` is created by the stacking service when an occupation's
rules hold: "awaiting_assessment" while a required work-based sign-off is missing,
"certified" once it holds completely, "revoked" when an input is revoked or voided (or,
before issue, when the rules stop holding). A `RecognisedCredential` is a credential from
another framework (e.g. MSSC CPT) a learner brings; it counts only once verified.
"""

from __future__ import annotations

import enum
from datetime import date
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.db import UTCDateTime
from pathways.db import db
from pathways.db import utcnow


class CertificationStatus(enum.StrEnum):
    # Kept beside its one table: records has no enums module of its own yet.
    AWAITING_ASSESSMENT = "awaiting_assessment"
    CERTIFIED = "certified"
    REVOKED = "revoked"


class OccupationCertification(db.Model):
    """A learner's certification in one occupation under one rule version.

    `basis` records what the rules relied on when it was last evaluated: awards, PLAR
    items, external credentials, the sign-off. At most one row per (user, occupation) is
    not revoked; the stacking service keeps it so.
    """

    __tablename__ = "records_occupation_certification"
    __table_args__ = (
        sa.Index("ix_records_occupation_certification_user_occ", "user_id", "occupation_code"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    occupation_code: so.Mapped[str] = so.mapped_column(sa.String(100))
    framework: so.Mapped[str] = so.mapped_column(sa.String(100))
    rule_version: so.Mapped[int] = so.mapped_column()
    status: so.Mapped[CertificationStatus] = so.mapped_column(
        sa.Enum(
            CertificationStatus,
            native_enum=False,
            length=32,
            values_callable=lambda values: [v.value for v in values],
        ),
        index=True,
    )
    basis: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    issued_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    signed_off_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    signed_off_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    signoff_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revocation_reason: so.Mapped[str | None] = so.mapped_column(sa.String(200))

    user = so.relationship("User", foreign_keys=[user_id])
    signed_off_by = so.relationship("User", foreign_keys=[signed_off_by_id])

    @property
    def is_awaiting_assessment(self) -> bool:
        return self.status is CertificationStatus.AWAITING_ASSESSMENT

    @property
    def is_certified(self) -> bool:
        return self.status is CertificationStatus.CERTIFIED


class RecognisedCredential(db.Model):
    """An external credential a learner holds (``code`` is a framework item, e.g. MSSC-CPT).

    Self-declared rows (`verified` false) never count in stacking; an assessor or college
    staff member verifies them.
    """

    __tablename__ = "records_recognised_credential"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code: so.Mapped[str] = so.mapped_column(sa.String(100))
    earned_on: so.Mapped[date] = so.mapped_column(sa.Date)
    expires_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    verified: so.Mapped[bool] = so.mapped_column(default=False)
    verified_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    verified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    user = so.relationship("User", foreign_keys=[user_id])
    verified_by = so.relationship("User", foreign_keys=[verified_by_id])
