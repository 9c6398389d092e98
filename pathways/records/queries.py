"""Reads of the learner's record that other packages' pages use."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from pathways.db import db
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
