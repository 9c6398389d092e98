"""Outside issuers and their credentials: the trust list, achievement mappings, imports.

Platform admins keep a list of issuers outside this platform that they trust (a DID or
URL, a display name, a note; e.g. the MSSC's DID), and map those issuers' achievements (by
achievement id or `humanCode`) to framework items (MSSC CPT badge -> item MSSC-CPT).

A learner brings in an outside Open Badges 3.0 credential (JSON or a baked image). It is
kept exactly as uploaded; when it verifies, its issuer is on the trust list and its
achievement is mapped, it becomes a verified `RecognisedCredential` at once and stacking
re-evaluates; otherwise a recognised credential is recorded that waits for an assessor, as
one the learner declares by hand does (or, when nothing says which item it is, the learner
is asked to choose one).

Functions flush and never commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.accounts.models import User
from pathways.catalog.enums import FrameworkStatus
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import Framework
from pathways.credentials import verification
from pathways.credentials import verifier
from pathways.credentials.enums import ImportOutcome
from pathways.credentials.models import AchievementMapping
from pathways.credentials.models import ImportedCredential
from pathways.credentials.models import TrustedIssuer
from pathways.db import db
from pathways.db import utcnow
from pathways.errors import Conflict
from pathways.errors import Invalid
from pathways.errors import NotFound
from pathways.stacking import services as stacking

IDENTIFIER_MAX = 500
NAME_MAX = 200
NOTE_MAX = 2000

# -- the trust list ---------------------------------------------------------------------------


def _identifier(value: str) -> str:
    text = (value or "").strip()
    if not text.startswith(("did:", "https://", "http://")) or len(text) > IDENTIFIER_MAX:
        raise Invalid(
            "An issuer is a DID (did:web:..., did:key:...) or an https address.",
            code="invalid_issuer",
            errors={"identifier": ["A DID or an https address."]},
        )
    if any(c.isspace() for c in text):
        raise Invalid(
            "An issuer identifier has no spaces.",
            code="invalid_issuer",
            errors={"identifier": ["No spaces."]},
        )
    return text


def trusted_issuers() -> list[TrustedIssuer]:
    return list(
        db.session.scalars(
            sa.select(TrustedIssuer)
            .options(so.selectinload(TrustedIssuer.mappings))
            .order_by(sa.func.lower(TrustedIssuer.name), TrustedIssuer.id)
        )
    )


def add_trusted_issuer(identifier: str, name: str, *, note: str = "", actor: User) -> TrustedIssuer:
    """Trust an outside issuer.

    :raises Invalid: not a DID or URL, or no name.
    :raises Conflict: already on the list.
    """
    identifier = _identifier(identifier)
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise Invalid(
            "Give the issuer's name as people know it.",
            code="invalid_name",
            errors={"name": ["Required."]},
        )
    if db.session.scalar(sa.select(TrustedIssuer.id).where(TrustedIssuer.identifier == identifier)):
        raise Conflict("This issuer is already on the list.", code="already_trusted")
    row = TrustedIssuer(
        identifier=identifier,
        name=name,
        note=(note or "").strip()[:NOTE_MAX],
        created_at=utcnow(),
        created_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def remove_trusted_issuer(issuer_id: int) -> None:
    """Stop trusting an issuer; its achievement mappings go with it. Recognised credentials
    already verified stay verified.

    :raises NotFound: no such entry.
    """
    row = db.session.get(TrustedIssuer, issuer_id)
    if row is None:
        raise NotFound("No such issuer on the list.")
    db.session.delete(row)
    db.session.flush()


# -- achievement mappings ---------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    code: str
    title: dict[str, str]


def credential_items() -> list[Item]:
    """Framework items that are credentials of their own (MSSC CPT...), by code."""
    rows = db.session.execute(
        sa.select(CompetencyItem.code, CompetencyItem.title)
        .join(Framework, CompetencyItem.framework_id == Framework.id)
        .where(
            Framework.status == FrameworkStatus.PUBLISHED,
            CompetencyItem.credential.is_not(None),
            sa.cast(CompetencyItem.credential, sa.String) != "null",
        )
        .order_by(CompetencyItem.code)
    ).all()
    seen: dict[str, Item] = {}
    for code, title in rows:
        seen.setdefault(code, Item(code, dict(title or {})))
    return list(seen.values())


def _item_code(code: str) -> str:
    code = (code or "").strip()
    if code not in {item.code for item in credential_items()}:
        raise Invalid(
            f"{code or 'That'} is not a credential of a published framework.",
            code="unknown_item",
            errors={"item_code": ["Not a credential of a published framework."]},
        )
    return code


def mappings() -> list[AchievementMapping]:
    return list(
        db.session.scalars(
            sa.select(AchievementMapping)
            .join(TrustedIssuer)
            .options(so.contains_eager(AchievementMapping.issuer))
            .order_by(sa.func.lower(TrustedIssuer.name), AchievementMapping.achievement)
        )
    )


def add_mapping(
    trusted_issuer_id: int, achievement: str, item_code: str, *, note: str = "", actor: User
) -> AchievementMapping:
    """Read an outside issuer's achievement (its id or humanCode) as a framework item.

    :raises NotFound: no such trusted issuer.
    :raises Invalid: no achievement given, or the item is no credential of a framework.
    :raises Conflict: this achievement of this issuer is already mapped.
    """
    issuer = db.session.get(TrustedIssuer, trusted_issuer_id)
    if issuer is None:
        raise NotFound("No such issuer on the list.")
    achievement = (achievement or "").strip()
    if not achievement or len(achievement) > IDENTIFIER_MAX:
        raise Invalid(
            "Give the achievement's id or its humanCode.",
            code="invalid_achievement",
            errors={"achievement": ["Required."]},
        )
    item_code = _item_code(item_code)
    exists = db.session.scalar(
        sa.select(AchievementMapping.id).where(
            AchievementMapping.trusted_issuer_id == issuer.id,
            AchievementMapping.achievement == achievement,
        )
    )
    if exists:
        raise Conflict("This achievement is already mapped.", code="already_mapped")
    row = AchievementMapping(
        trusted_issuer_id=issuer.id,
        achievement=achievement,
        item_code=item_code,
        note=(note or "").strip()[:NOTE_MAX],
        created_at=utcnow(),
        created_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def remove_mapping(mapping_id: int) -> None:
    """:raises NotFound: no such mapping."""
    row = db.session.get(AchievementMapping, mapping_id)
    if row is None:
        raise NotFound("No such mapping.")
    db.session.delete(row)
    db.session.flush()


def mapped_item(issuer_ref: str, achievement_ref: str, human_code: str) -> str | None:
    """The item an outside issuer's achievement maps to (by id first, then humanCode)."""
    for key in (achievement_ref, human_code):
        if not key:
            continue
        code = db.session.scalar(
            sa.select(AchievementMapping.item_code)
            .join(TrustedIssuer)
            .where(TrustedIssuer.identifier == issuer_ref, AchievementMapping.achievement == key)
        )
        if code:
            return code
    return None


# -- bringing outside credentials in ----------------------------------------------------------


def _achievement(document: dict[str, Any]) -> dict[str, Any]:
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    return achievement if isinstance(achievement, dict) else {}


def _day(value: Any) -> date | None:
    moment = verification.parse_datetime(value)
    return moment.date() if moment is not None else None


def _note(row: ImportedCredential, result: verification.VerificationResult) -> str:
    failed = [c for c in result.checks if c.passed is False and c.check != "issuer_known"]
    outcome = "verified" if result.verified else "not verified"
    if failed:
        outcome += f" ({failed[0].check}: {failed[0].detail})"
    issuer = row.issuer_name or row.issuer_ref
    return (
        f"Brought in by the learner as an Open Badges file ({row.filename or 'no file name'}): "
        f"{row.name or 'unnamed'}, issued by {issuer}; {outcome}."
    )[:2000]


def imports_of(user_id: int) -> list[ImportedCredential]:
    return list(
        db.session.scalars(
            sa.select(ImportedCredential)
            .where(ImportedCredential.user_id == user_id)
            .options(so.joinedload(ImportedCredential.recognised))
            .order_by(ImportedCredential.imported_at.desc(), ImportedCredential.id.desc())
        )
    )


@dataclass(frozen=True)
class ImportResult:
    row: ImportedCredential
    result: verification.VerificationResult


def import_credential(
    user: User,
    raw: bytes,
    *,
    filename: str = "",
    item_code: str | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Bring in an outside credential for `user` (see the module doc).

    `item_code` is the learner's own answer to "which credential is it", used only when no
    mapping says.

    :raises verification.InputError: the file holds no credential this site can read.
    :raises Conflict: the learner already brought in this credential.
    :raises Invalid: `item_code` is no credential of a framework.
    """
    now = now or utcnow()
    credential = verification.parse_input(raw)
    result = verifier.verify(credential, now=now)
    summary = verifier.summarise(result)
    if summary.credential_ref and db.session.scalar(
        sa.select(ImportedCredential.id).where(
            ImportedCredential.user_id == user.id,
            ImportedCredential.credential_ref == summary.credential_ref,
        )
    ):
        raise Conflict("You have already brought in this credential.", code="already_imported")
    achievement = _achievement(credential)
    achievement_ref = achievement.get("id") if isinstance(achievement.get("id"), str) else ""
    human_code = achievement.get("humanCode")
    human_code = human_code if isinstance(human_code, str) else ""
    mapped = mapped_item(summary.issuer_ref, achievement_ref, human_code)
    chosen = _item_code(item_code) if item_code and not mapped else None
    row = ImportedCredential(
        user_id=user.id,
        document=raw.decode("utf-8")
        if _is_json(raw)
        else json.dumps(credential, ensure_ascii=False),
        filename=(filename or "")[:255],
        credential_ref=summary.credential_ref,
        name=summary.name,
        issuer_ref=summary.issuer_ref,
        issuer_name=summary.issuer_name,
        achievement_ref=achievement_ref[:500],
        human_code=human_code[:100],
        verified=result.verified,
        checks=verifier.checks_as_data(result.checks),
        item_code=mapped or chosen,
        outcome=ImportOutcome.NEEDS_ITEM,
        imported_at=now,
    )
    db.session.add(row)
    db.session.flush()
    if row.item_code is not None:
        _recognise(row, result, automatic=bool(mapped) and result.verified)
    return ImportResult(row, result)


def _is_json(raw: bytes) -> bool:
    try:
        json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return True


def _recognise(
    row: ImportedCredential, result: verification.VerificationResult, *, automatic: bool
) -> None:
    document = result.credential or {}
    earned_on = (
        _day(document.get("validFrom", document.get("issuanceDate"))) or row.imported_at.date()
    )
    expires_on = _day(document.get("validUntil", document.get("expirationDate")))
    if expires_on is not None and expires_on <= earned_on:
        expires_on = earned_on + timedelta(days=1)  # valid for less than a day
    recognised = stacking.add_recognised_credential(
        row.user_id, row.item_code, earned_on, expires_on=expires_on, note=_note(row, result)
    )
    row.recognised_credential_id = recognised.id
    row.outcome = ImportOutcome.AWAITING_ASSESSOR
    db.session.flush()
    if automatic:
        stacking.verify_recognised_credential_by_proof(recognised.id)
        row.outcome = ImportOutcome.RECOGNISED
        db.session.flush()


def choose_item(import_id: int, item_code: str, *, actor: User) -> ImportedCredential:
    """The learner says which framework item an imported credential is; it then waits for
    an assessor (no mapping vouches for it).

    :raises NotFound: not one of the actor's imports.
    :raises Conflict: it already has an item.
    :raises Invalid: not a credential of a framework.
    """
    row = db.session.get(ImportedCredential, import_id)
    if row is None or row.user_id != actor.id:
        raise NotFound("No such imported credential.")
    if row.outcome is not ImportOutcome.NEEDS_ITEM:
        raise Conflict("This credential is already recorded.", code="already_recorded")
    row.item_code = _item_code(item_code)
    result = verifier.verify(verification.parse_input(row.document))
    _recognise(row, result, automatic=False)
    return row
