"""Stacking rule files as shipped in content/rules/, stored raw for the stacking package."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.db import UTCDateTime
from pathways.db import db
from pathways.db import utcnow


class RuleFile(db.Model):
    """One content rule file (kind stacking_rules): the whole document in `data`."""

    __tablename__ = "catalog_rule_file"
    __table_args__ = (sa.UniqueConstraint("occupation_code", "version"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    framework: so.Mapped[str] = so.mapped_column(sa.String(100))
    occupation_code: so.Mapped[str] = so.mapped_column(sa.String(100))
    version: so.Mapped[int] = so.mapped_column()
    data: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    loaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
