"""Reads of the learner's record that other packages' pages use."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from pathways.catalog.models import MicroCredential
from pathways.catalog.models import MicroCredentialVersion
from pathways.db import db
from pathways.db import utcnow
from pathways.records.models import Award
from pathways.records.models import ModuleProgress


def module_progress(user_id: int, module_ids: Iterable[int]) -> dict[int, ModuleProgress]:
    """One learner's progress rows for these modules, by module id (absent: not started)."""
    ids = list(module_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(ModuleProgress).where(
            ModuleProgress.user_id == user_id, ModuleProgress.module_id.in_(ids)
        )
    )
    return {row.module_id: row for row in rows}


def active_award_for(user_id: int, credential_code: str) -> Award | None:
    """The learner's newest award of any version of a micro-credential that is not
    revoked, or None."""
    return db.session.scalar(
        sa.select(Award)
        .join(Award.version)
        .join(MicroCredentialVersion.credential)
        .where(
            Award.user_id == user_id,
            Award.revoked_at.is_(None),
            sa.or_(Award.expires_at.is_(None), Award.expires_at > utcnow()),
            MicroCredential.code == credential_code,
        )
        .order_by(Award.issued_at.desc(), Award.id.desc())
        .limit(1)
    )
