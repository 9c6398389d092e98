"""Record use cases: module progress from evidence, micro-credential awards.

Functions flush and never commit; the caller's boundary (an xAPI POST, a job) does.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from pathways.accounts.models import User
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.models import Module
from pathways.db import db
from pathways.db import utcnow
from pathways.records.models import Award
from pathways.records.models import ModuleEvidence
from pathways.records.models import ModuleProgress

# Called as hook(user, award) after an award is created, in the same transaction:
# stacking re-evaluates pathways, LTI queues grade passback.
AWARD_HOOKS: list[Callable] = []
# Called as hook(user, award) after an award is revoked (a voided statement): stacking
# re-evaluates and may revoke what relied on it; LTI clears the award's grade.
AWARD_REVOKED_HOOKS: list[Callable] = []
# Called as hook(user, progress) when a module becomes complete.
MODULE_HOOKS: list[Callable] = []
# Called as hook(user, progress) when a module's standing (status, completion, best
# score) changes, whichever way: LTI sends the learner's result to the LMS gradebook.
PROGRESS_HOOKS: list[Callable] = []

# "uncompleted" (an LMS marked the activity incomplete again) reverses what came before it.
EVIDENCE_VERBS = ("completed", "passed", "failed", "scored", "uncompleted")
COMPLETE = frozenset({"completed", "passed"})
REVERSED = "uncompleted"
VOIDED_REASON = "voided statement"
REVERSED_REASON = "completion reversed"


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year = moment.year + month // 12
    month = month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def record_module_evidence(
    user_id: int,
    module: Module,
    *,
    statement_id: str,
    verb: str,
    score_scaled: float | None,
    occurred_at: datetime,
) -> Award | None:
    """Record one statement about a module; update progress; award the version if due.

    `verb` is the evidence a statement gives (EVIDENCE_VERBS): "uncompleted" reverses
    the module's earlier evidence, and revokes the awards that counted its completion
    (through AWARD_REVOKED_HOOKS). Idempotent by (statement id, module): a replay
    changes nothing.
    """
    if verb not in EVIDENCE_VERBS:
        raise ValueError(f"unknown evidence verb {verb!r}")
    known = db.session.scalar(
        sa.select(ModuleEvidence.id).where(
            ModuleEvidence.statement_id == statement_id, ModuleEvidence.module_id == module.id
        )
    )
    if known is not None:
        return None
    db.session.add(
        ModuleEvidence(
            user_id=user_id,
            module_id=module.id,
            statement_id=statement_id,
            verb=verb,
            score_scaled=score_scaled,
            occurred_at=occurred_at,
        )
    )
    db.session.flush()
    progress = recompute_progress(user_id, module.id)
    if progress.is_complete:
        return award_if_complete(user_id, module.version)
    if verb == REVERSED:
        revoke_awards_counting(user_id, module.id, reason=REVERSED_REASON)
    return None


def recompute_progress(user_id: int, module_id: int) -> ModuleProgress:
    """Derive a learner's progress in a module from its evidence that is not voided.

    Only what came after the latest "uncompleted" counts: it reverses the rest.
    """
    evidence = db.session.scalars(
        sa.select(ModuleEvidence)
        .where(
            ModuleEvidence.user_id == user_id,
            ModuleEvidence.module_id == module_id,
            ModuleEvidence.is_voided.is_(False),
        )
        .order_by(ModuleEvidence.occurred_at, ModuleEvidence.id)
    ).all()
    progress = db.session.scalar(
        sa.select(ModuleProgress).filter_by(user_id=user_id, module_id=module_id)
    )
    if progress is None:
        progress = ModuleProgress(user_id=user_id, module_id=module_id, is_complete=False)
        db.session.add(progress)
    was_complete = bool(progress.is_complete)
    standing = (
        progress.status or "in_progress",
        bool(progress.is_complete),
        progress.best_score_scaled,
    )
    reversal = max((index for index, e in enumerate(evidence) if e.verb == REVERSED), default=-1)
    evidence = evidence[reversal + 1 :]
    verbs = {e.verb for e in evidence}
    status = next((v for v in ("passed", "completed", "failed") if v in verbs), "in_progress")
    completion = next((e for e in evidence if e.verb in COMPLETE), None)
    scores = [e.score_scaled for e in evidence if e.score_scaled is not None]
    progress.status = status
    progress.is_complete = status in COMPLETE
    progress.completed_at = completion.occurred_at if completion else None
    progress.completion_statement_id = completion.statement_id if completion else None
    progress.best_score_scaled = max(scores) if scores else None
    progress.updated_at = utcnow()
    db.session.flush()
    user = db.session.get(User, user_id)
    if progress.is_complete and not was_complete:
        for hook in MODULE_HOOKS:
            hook(user, progress)
    if (progress.status, progress.is_complete, progress.best_score_scaled) != standing:
        for hook in PROGRESS_HOOKS:
            hook(user, progress)
    return progress


def award_if_complete(user_id: int, version: MicroCredentialVersion) -> Award | None:
    """Award `version` when every one of its modules is complete and no award is active."""
    module_ids = [m.id for m in version.modules]
    if not module_ids:
        return None
    # An expired award does not block re-earning: the learner gets a new award.
    active = db.session.scalar(
        sa.select(Award.id).where(
            Award.user_id == user_id,
            Award.micro_credential_version_id == version.id,
            Award.revoked_at.is_(None),
            sa.or_(Award.expires_at.is_(None), Award.expires_at > utcnow()),
        )
    )
    if active is not None:
        return None
    progress = db.session.scalars(
        sa.select(ModuleProgress).where(
            ModuleProgress.user_id == user_id,
            ModuleProgress.module_id.in_(module_ids),
            ModuleProgress.is_complete.is_(True),
        )
    ).all()
    if len(progress) != len(module_ids):
        return None
    by_module = {p.module_id: p for p in progress}
    now = utcnow()
    award = Award(
        user_id=user_id,
        micro_credential_version_id=version.id,
        issued_at=now,
        expires_at=add_months(now, version.validity_months) if version.validity_months else None,
        basis={
            "statements": [by_module[m].completion_statement_id for m in module_ids],
            "modules": module_ids,
        },
    )
    db.session.add(award)
    db.session.flush()
    for hook in AWARD_HOOKS:
        hook(award.user, award)
    return award


def revoke_awards_counting(user_id: int, module_id: int, *, reason: str) -> list[Award]:
    """Revoke the learner's active awards whose basis counts this module (it is no longer
    complete), announcing each through AWARD_REVOKED_HOOKS."""
    now = utcnow()
    revoked = []
    awards = db.session.scalars(
        sa.select(Award).where(Award.user_id == user_id, Award.revoked_at.is_(None))
    ).all()
    for award in awards:
        if module_id in (award.basis.get("modules") or []):
            award.revoked_at = now
            award.revocation_reason = reason
            db.session.flush()
            for hook in AWARD_REVOKED_HOOKS:
                hook(award.user, award)
            revoked.append(award)
    return revoked


def void_evidence(statement_ids: list[str]) -> None:
    """Reverse what voided statements projected: progress recomputed, awards revoked.

    An award whose basis names a voided statement is revoked ("voided statement"); if
    the learner still completes the version through other statements, a new award with
    the new basis follows.
    """
    ids = {s.lower() for s in statement_ids}
    rows = db.session.scalars(
        sa.select(ModuleEvidence).where(
            ModuleEvidence.statement_id.in_(ids), ModuleEvidence.is_voided.is_(False)
        )
    ).all()
    if not rows:
        return
    affected = {(row.user_id, row.module_id) for row in rows}
    for row in rows:
        row.is_voided = True
    db.session.flush()
    for user_id, module_id in sorted(affected):
        recompute_progress(user_id, module_id)
    now = utcnow()
    users = {user_id for user_id, _ in affected}
    awards = db.session.scalars(
        sa.select(Award).where(Award.user_id.in_(users), Award.revoked_at.is_(None))
    ).all()
    for award in awards:
        if ids & set(award.basis.get("statements") or []):
            award.revoked_at = now
            award.revocation_reason = VOIDED_REASON
            db.session.flush()
            for hook in AWARD_REVOKED_HOOKS:
                hook(award.user, award)
            award_if_complete(award.user_id, award.version)


MERGED_REASON = "account merged"


def move_learner_records(from_user_id: int, to_user_id: int) -> None:
    """Give one account's module evidence to another: two accounts found to be one
    person (an LMS account linked to the learner's own).

    The first account's active awards are revoked ("account merged", through
    AWARD_REVOKED_HOOKS); its evidence joins the second's (a statement both hold counts
    once), whose progress is derived again and whose awards follow (AWARD_HOOKS).
    """
    now = utcnow()
    awards = db.session.scalars(
        sa.select(Award).where(Award.user_id == from_user_id, Award.revoked_at.is_(None))
    ).all()
    for award in awards:
        award.revoked_at = now
        award.revocation_reason = MERGED_REASON
        db.session.flush()
        for hook in AWARD_REVOKED_HOOKS:
            hook(award.user, award)
    held = {
        (row.statement_id, row.module_id)
        for row in db.session.execute(
            sa.select(ModuleEvidence.statement_id, ModuleEvidence.module_id).where(
                ModuleEvidence.user_id == to_user_id
            )
        )
    }
    module_ids = set()
    for row in db.session.scalars(
        sa.select(ModuleEvidence).where(ModuleEvidence.user_id == from_user_id)
    ).all():
        module_ids.add(row.module_id)
        if (row.statement_id, row.module_id) in held:
            db.session.delete(row)
        else:
            row.user_id = to_user_id
    db.session.execute(sa.delete(ModuleProgress).where(ModuleProgress.user_id == from_user_id))
    db.session.flush()
    versions = {}
    for module_id in sorted(module_ids):
        progress = recompute_progress(to_user_id, module_id)
        module = db.session.get(Module, module_id)
        if progress.is_complete and module is not None:
            versions[module.version_id] = module.version
    for version in versions.values():
        award_if_complete(to_user_id, version)
