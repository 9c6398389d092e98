"""Stacking tables: the occupations a learner targets and the last evaluation per occupation.

Rule files themselves are stored raw by the catalog (`catalog_rule_file`); certifications,
PLAR results and recognised external credentials belong to the learner's record
(`pathways.records.models`).
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.db import UTCDateTime
from pathways.db import db
from pathways.db import utcnow


class LearnerTarget(db.Model):
    """An occupation a learner has chosen to work toward."""

    __tablename__ = "stacking_learner_target"
    __table_args__ = (sa.UniqueConstraint("user_id", "occupation_code"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    occupation_code: so.Mapped[str] = so.mapped_column(sa.String(100))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class PathwayOutcome(db.Model):
    """A snapshot of one learner's evaluation against one occupation's rules.

    `result` is the engine's outcome tree as plain data
    (`pathways.stacking.engine.serialize.outcome_to_dict`). Replaced at every
    re-evaluation (an award made or revoked, a PLAR change, the nightly pass).
    """

    __tablename__ = "stacking_pathway_outcome"
    __table_args__ = (sa.UniqueConstraint("user_id", "occupation_code"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    occupation_code: so.Mapped[str] = so.mapped_column(sa.String(100))
    rule_version: so.Mapped[int] = so.mapped_column()
    is_satisfied: so.Mapped[bool] = so.mapped_column(default=False)
    is_awaiting_signoff: so.Mapped[bool] = so.mapped_column(default=False)
    progress: so.Mapped[float] = so.mapped_column(default=0.0)
    result: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    as_of: so.Mapped[date] = so.mapped_column(sa.Date)
    evaluated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
