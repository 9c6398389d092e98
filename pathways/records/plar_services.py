"""PLAR use cases: an assessor records work-based decisions per indicator and corrects them.

A decision is "met" or "not yet" on one leaf item (a performance indicator or an MSSC key
work activity), with the date of the assessment, an evidence note and optionally one
evidence file (PDF, PNG, JPEG or plain text, at most `MAX_EVIDENCE_BYTES`), stored under
the directory the caller gives (``instance/uploads/plar``) with a random name.

Every recording and correction appends a `PlarAssessmentRevision`; the `PlarAssessment`
holds the current decision that stacking reads. Assessors assess only learners of an
organisation where they hold the assessor role, and never themselves (DOMAIN.md section 7).
After each change the functions in `PLAR_HOOKS` run with the learner's id (stacking
re-evaluates). Functions flush, never commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.accounts.enums import Role
from pathways.accounts.models import Membership
from pathways.accounts.models import User
from pathways.catalog.enums import LEAF_KINDS
from pathways.catalog.enums import FrameworkStatus
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import Framework
from pathways.db import db
from pathways.db import utcnow
from pathways.errors import Forbidden
from pathways.errors import Invalid
from pathways.errors import NotFound
from pathways.records.models import PlarAssessment
from pathways.records.models import PlarAssessmentRevision

# Called as hook(learner_id) after a decision is recorded or corrected, in the same
# transaction. Stacking re-evaluates the learner's pathways.
PLAR_HOOKS: list[Callable[[int], None]] = []

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
MAX_NOTE_LENGTH = 4000
# Accepted evidence: the file's first bytes decide, never its name or declared type.
EVIDENCE_TYPES = {
    "application/pdf": (b"%PDF-", ".pdf"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
}
TEXT_TYPE = "text/plain"
STAFF_ROLES = (Role.ASSESSOR, Role.COLLEGE_ADMIN, Role.COLLEGE_EDITOR)


@dataclass(frozen=True)
class EvidenceFile:
    """An uploaded file as plain data: the name the user gave and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class StoredEvidence:
    path: Path
    filename: str
    content_type: str


# -- access ----------------------------------------------------------------------------------


def _shares_organisation(user: User, learner_id: int, roles: tuple[Role, ...]) -> bool:
    organisations = set(
        db.session.scalars(
            sa.select(Membership.organisation_id).where(
                Membership.user_id == learner_id, Membership.role == Role.LEARNER
            )
        )
    )
    return any(m.role in roles and m.organisation_id in organisations for m in user.memberships)


def can_assess(actor: User, learner_id: int) -> bool:
    """An assessor of an organisation where the learner learns, who is not the learner."""
    return actor.id != learner_id and _shares_organisation(actor, learner_id, (Role.ASSESSOR,))


def ensure_can_assess(actor: User, learner_id: int) -> None:
    """:raises Forbidden: the actor is the learner (never self), or assesses elsewhere."""
    if actor.id == learner_id:
        raise Forbidden("Assessors never assess themselves.", code="self_assessment")
    if not _shares_organisation(actor, learner_id, (Role.ASSESSOR,)):
        raise Forbidden("You do not assess for this learner's college or employer.")


def can_see(viewer: User, learner_id: int) -> bool:
    """The learner, or staff (assessor, college admin or editor) of the learner's organisation."""
    return viewer.id == learner_id or _shares_organisation(viewer, learner_id, STAFF_ROLES)


# -- evidence files --------------------------------------------------------------------------


def _sniff(data: bytes) -> tuple[str, str] | None:
    for content_type, (magic, suffix) in EVIDENCE_TYPES.items():
        if data.startswith(magic):
            return content_type, suffix
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    return TEXT_TYPE, ".txt"


def _store(evidence: EvidenceFile, storage_dir: Path) -> tuple[str, str, str, int]:
    if not evidence.data:
        raise Invalid("The evidence file is empty.", errors={"evidence": ["The file is empty."]})
    if len(evidence.data) > MAX_EVIDENCE_BYTES:
        raise Invalid(
            "The evidence file is too large.",
            code="too_large",
            errors={"evidence": [f"At most {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB."]},
        )
    sniffed = _sniff(evidence.data)
    if sniffed is None:
        raise Invalid(
            "This kind of file is not accepted.",
            code="unsupported_type",
            errors={"evidence": ["PDF, PNG, JPEG or plain text only."]},
        )
    content_type, suffix = sniffed
    storage_dir.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex + suffix
    (storage_dir / name).write_bytes(evidence.data)
    filename = Path(evidence.filename or "evidence").name[:255] or "evidence"
    return name, filename, content_type, len(evidence.data)


# -- recording and correcting ----------------------------------------------------------------


def _leaf(code: str) -> CompetencyItem:
    items = list(
        db.session.scalars(
            sa.select(CompetencyItem)
            .join(CompetencyItem.framework)
            .where(CompetencyItem.code == code, Framework.status == FrameworkStatus.PUBLISHED)
        )
    )
    if len(items) != 1:
        raise Invalid(
            f"Unknown indicator {code}.", errors={"items": [f"Unknown indicator {code}."]}
        )
    if items[0].kind not in LEAF_KINDS:
        raise Invalid(
            f"{code} is not a performance indicator.",
            errors={"items": [f"{code} is not a performance indicator."]},
        )
    return items[0]


def _check(assessed_on: dt.date, note: str) -> None:
    if assessed_on > utcnow().date():
        raise Invalid(
            "The assessment date is in the future.", errors={"assessed_on": ["In the future."]}
        )
    if len(note) > MAX_NOTE_LENGTH:
        raise Invalid("The note is too long.", errors={"note": ["Too long."]})


def _run_hooks(learner_id: int) -> None:
    for hook in PLAR_HOOKS:
        hook(learner_id)


def record_assessment(
    learner_id: int,
    item_codes: list[str],
    *,
    met: bool,
    assessed_on: dt.date,
    note: str = "",
    evidence: EvidenceFile | None = None,
    storage_dir: Path,
    actor: User,
) -> list[PlarAssessment]:
    """Record one decision on each indicator; an indicator already decided gets a new revision.

    :raises Forbidden: see `ensure_can_assess`.
    :raises Invalid: an unknown or non-leaf item, no item, a future date, bad evidence.
    """
    ensure_can_assess(actor, learner_id)
    codes = list(dict.fromkeys(code.strip() for code in item_codes if code.strip()))
    if not codes:
        raise Invalid("Choose at least one indicator.", errors={"items": ["Required."]})
    note = note.strip()
    _check(assessed_on, note)
    items = [_leaf(code) for code in codes]
    stored = _store(evidence, storage_dir) if evidence is not None else None
    existing = {
        row.item_id: row
        for row in db.session.scalars(
            sa.select(PlarAssessment)
            .where(
                PlarAssessment.learner_id == learner_id,
                PlarAssessment.item_id.in_([item.id for item in items]),
            )
            .options(so.selectinload(PlarAssessment.revisions))
        )
    }
    now = utcnow()
    results = []
    for item in items:
        row = existing.get(item.id)
        if row is None:
            row = PlarAssessment(
                learner_id=learner_id,
                item_id=item.id,
                item_code=item.code,
                revision=0,
                created_at=now,
            )
            db.session.add(row)
        _revise(row, met, assessed_on, note, stored, "", actor, now)
        results.append(row)
    db.session.flush()
    _run_hooks(learner_id)
    return results


def correct_assessment(
    assessment_id: int,
    *,
    met: bool,
    assessed_on: dt.date,
    note: str,
    reason: str,
    evidence: EvidenceFile | None = None,
    storage_dir: Path,
    actor: User,
) -> PlarAssessment:
    """Correct a decision: a new revision with the reason; earlier revisions stay.

    Without a new file, the previous revision's evidence file is carried over.

    :raises NotFound: no such assessment.
    :raises Forbidden: see `ensure_can_assess`.
    :raises Invalid: no reason given, a future date, bad evidence.
    """
    row = db.session.get(PlarAssessment, assessment_id)
    if row is None:
        raise NotFound("No such assessment.")
    ensure_can_assess(actor, row.learner_id)
    reason = reason.strip()
    if not reason:
        raise Invalid("Say why the decision is corrected.", errors={"reason": ["Required."]})
    note = note.strip()
    _check(assessed_on, note)
    stored = _store(evidence, storage_dir) if evidence is not None else None
    if stored is None and row.current_revision is not None:
        previous = row.current_revision
        if previous.evidence_path:
            stored = (
                previous.evidence_path,
                previous.evidence_filename or "evidence",
                previous.evidence_content_type or TEXT_TYPE,
                previous.evidence_size or 0,
            )
    _revise(row, met, assessed_on, note, stored, reason, actor, utcnow())
    db.session.flush()
    _run_hooks(row.learner_id)
    return row


def _revise(
    row: PlarAssessment,
    met: bool,
    assessed_on: dt.date,
    note: str,
    stored: tuple[str, str, str, int] | None,
    reason: str,
    actor: User,
    now: dt.datetime,
) -> None:
    row.revision = (row.revision or 0) + 1
    row.is_met = met
    row.assessed_on = assessed_on
    row.evidence_note = note
    row.assessor_id = actor.id
    row.updated_at = now
    path, filename, content_type, size = stored or (None, None, None, None)
    row.revisions.append(
        PlarAssessmentRevision(
            number=row.revision,
            is_met=met,
            assessed_on=assessed_on,
            evidence_note=note,
            evidence_path=path,
            evidence_filename=filename,
            evidence_content_type=content_type,
            evidence_size=size,
            correction_reason=reason,
            recorded_by_id=actor.id,
            recorded_at=now,
        )
    )


def evidence_of(revision_id: int, *, viewer: User, storage_dir: Path) -> StoredEvidence:
    """The evidence file of a revision, for the learner or the learner's staff.

    :raises NotFound: no such revision, no file, or the file is gone.
    :raises Forbidden: the viewer may not see this learner's record.
    """
    revision = db.session.get(PlarAssessmentRevision, revision_id)
    if revision is None or not revision.evidence_path:
        raise NotFound("No such evidence.")
    if not can_see(viewer, revision.assessment.learner_id):
        raise Forbidden("You may not see this learner's evidence.")
    path = storage_dir / revision.evidence_path
    if not path.is_file():
        raise NotFound("The evidence file is missing.")
    return StoredEvidence(
        path, revision.evidence_filename or path.name, revision.evidence_content_type or TEXT_TYPE
    )


def assessments_of(learner_id: int) -> list[PlarAssessment]:
    """A learner's current decisions by item code, with their revisions loaded."""
    return list(
        db.session.scalars(
            sa.select(PlarAssessment)
            .where(PlarAssessment.learner_id == learner_id)
            .options(so.selectinload(PlarAssessment.revisions))
            .order_by(PlarAssessment.item_code)
        )
    )
