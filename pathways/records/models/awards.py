"""Awards of micro-credentials: issued, expiring, revoked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.db import UTCDateTime
from pathways.db import db


class Award(db.Model):
    """A learner earned a micro-credential version.

    `basis` records why: {"statements": [statement ids], "modules": [module ids]}. An
    award is never deleted; revoking sets `revoked_at` and `revocation_reason`.
    """

    __tablename__ = "records_award"
    __table_args__ = (
        sa.Index("ix_records_award_user_version", "user_id", "micro_credential_version_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    micro_credential_version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("catalog_version.id", ondelete="RESTRICT"), index=True
    )
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    expires_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    basis: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revocation_reason: so.Mapped[str | None] = so.mapped_column(sa.String(200))

    user = so.relationship("User")
    version = so.relationship("MicroCredentialVersion")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
