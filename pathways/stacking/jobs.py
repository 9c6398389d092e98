"""Scheduled stacking work: the nightly re-evaluation pass (expiry, recency windows)."""

from __future__ import annotations

import datetime as dt

from pathways.db import db
from pathways.stacking import queries
from pathways.stacking import services

BATCH_SIZE = 200


def reevaluate_all(as_of: dt.date | None = None, *, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Re-evaluate every learner stacking knows of, in batches of `batch_size` learners.

    Expiry never revokes an issued certification (``may_revoke`` is false); a
    certification still awaiting assessment whose rules stopped holding is withdrawn.
    The catalog view is built once for the whole pass; each batch is flushed and the
    session emptied so memory stays flat.
    """
    context = queries.load_context()
    as_of = as_of or services.today()
    after = 0
    learners = evaluations = 0
    while True:
        batch = queries.learners_to_reevaluate(after, batch_size)
        if not batch:
            break
        evaluations += len(services.reevaluate_many(batch, as_of=as_of, context=context))
        learners += len(batch)
        after = batch[-1]
        db.session.flush()
        db.session.expunge_all()
    return {"learners": learners, "evaluations": evaluations}
