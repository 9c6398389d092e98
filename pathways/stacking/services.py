"""Stacking use cases: evaluate learners against occupations, store outcomes, certify.

The pure engine (`pathways.stacking.engine`) decides; this module loads its inputs
(`queries.load_context`, `queries.load_achievements`), stores what it said
(`PathwayOutcome` per learner and occupation) and keeps the learner's
`OccupationCertification` in step:

* rules hold and nothing else is needed: "certified" (issued now);
* rules hold but the required work-based sign-off is missing: "awaiting_assessment",
  which puts it in the queue of the assessors of the learner's college or employer;
* rules stop holding: a certification awaiting assessment is withdrawn ("revoked");
  an issued one keeps its own validity (expiry does not revoke it) unless the
  re-evaluation was caused by an input being revoked, voided or corrected
  (``may_revoke``), which revokes it (DOMAIN.md section 6, example 3).

Re-evaluation runs when an award is made or revoked (`AWARD_HOOKS`), when a PLAR
decision changes (`PLAR_HOOKS`), when a sign-off is given, and nightly (`jobs.py`).
Functions flush, never commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pathways.accounts import services as account_services
from pathways.accounts.enums import Role
from pathways.accounts.models import ApiClient
from pathways.accounts.models import User
from pathways.catalog import queries as catalog_queries
from pathways.catalog.models import MicroCredentialVersion
from pathways.db import db
from pathways.db import utcnow
from pathways.errors import Conflict
from pathways.errors import Forbidden
from pathways.errors import Invalid
from pathways.errors import NotFound
from pathways.records import plar_services
from pathways.records import services as record_services
from pathways.records.models import Award
from pathways.records.models import OccupationCertification
from pathways.records.models import RecognisedCredential
from pathways.records.models.certifications import CertificationStatus
from pathways.stacking import queries
from pathways.stacking.engine.achievements import Achievements
from pathways.stacking.engine.evaluate import Outcome
from pathways.stacking.engine.evaluate import compiled
from pathways.stacking.engine.evaluate import prepare
from pathways.stacking.engine.planner import plan as make_plan
from pathways.stacking.engine.rules import Credential
from pathways.stacking.engine.rules import MinHours
from pathways.stacking.engine.rules import RuleSet
from pathways.stacking.engine.rules import parse_rule
from pathways.stacking.engine.rules import validate_rules
from pathways.stacking.engine.rules import walk
from pathways.stacking.engine.serialize import hint_to_dict
from pathways.stacking.engine.serialize import outcome_to_dict
from pathways.stacking.engine.serialize import plan_to_dict
from pathways.stacking.models import LearnerTarget
from pathways.stacking.models import PathwayOutcome
from pathways.stacking.queries import EngineContext

WITHDRAWN = "rules no longer satisfied"
INPUT_REVOKED = "an input was revoked, voided or corrected"

# Called as hook(certification) in the same transaction when a certification becomes
# certified or revoked: credentials issues (or revokes) its CLR and badge.
CERTIFICATION_HOOKS: list[Callable[[OccupationCertification], None]] = []


def today() -> dt.date:
    return utcnow().date()


# -- rule files ------------------------------------------------------------------------------


def validate_rule_files(context: EngineContext | None = None) -> dict[str, list[str]]:
    """Check every occupation's newest rule file against the published catalog.

    Returns occupation code -> problems (``path: message``), for every rule file (an
    empty list when it is sound). Parse errors are reported as the only problem.
    """
    context = context or queries.load_context()
    report: dict[str, list[str]] = {code: [error] for code, error in context.rule_errors.items()}
    for code, ruleset in context.rulesets.items():
        problems = [str(error) for error in validate_rules(ruleset, context.catalog)]
        if ruleset.occupation not in context.items:
            problems.insert(0, f"file.occupation: unknown occupation {ruleset.occupation}")
        report[code] = problems
    return dict(sorted(report.items()))


def ruleset_for(occupation_code: str, context: EngineContext) -> RuleSet:
    """The newest rule set of an occupation.

    :raises NotFound: no rule file is loaded for it.
    """
    ruleset = context.rulesets.get(occupation_code)
    if ruleset is None:
        raise NotFound(f"No stacking rules for {occupation_code}.", code="no_rules")
    return ruleset


# -- evaluation and certification ------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    user_id: int
    occupation: str
    outcome: Outcome
    certification: OccupationCertification | None


def reevaluate(
    user_id: int,
    *,
    occupations: Iterable[str] | None = None,
    may_revoke: bool = False,
    as_of: dt.date | None = None,
    context: EngineContext | None = None,
) -> list[Evaluation]:
    """Re-evaluate one learner (every occupation with rules, or those named)."""
    return reevaluate_many(
        [user_id], occupations=occupations, may_revoke=may_revoke, as_of=as_of, context=context
    )


def reevaluate_many(
    user_ids: Iterable[int],
    *,
    occupations: Iterable[str] | None = None,
    may_revoke: bool = False,
    as_of: dt.date | None = None,
    context: EngineContext | None = None,
) -> list[Evaluation]:
    """Evaluate learners, store each outcome, and create, certify or revoke certifications.

    ``may_revoke``: an input was revoked, voided or corrected, so an issued
    certification that no longer holds is revoked (expiry alone never revokes one).
    """
    context = context or queries.load_context()
    as_of = as_of or today()
    ids = sorted(set(user_ids))
    codes = sorted(context.rulesets) if occupations is None else sorted(set(occupations))
    rulesets = [context.rulesets[code] for code in codes if code in context.rulesets]
    achievements = queries.load_achievements(ids, context)
    stored = {
        (row.user_id, row.occupation_code): row
        for row in db.session.scalars(
            sa.select(PathwayOutcome).where(
                PathwayOutcome.user_id.in_(ids),
                PathwayOutcome.occupation_code.in_([r.occupation for r in rulesets]),
            )
        )
    }
    certifications: dict[tuple[int, str], OccupationCertification] = {}
    for row in db.session.scalars(
        sa.select(OccupationCertification)
        .where(
            OccupationCertification.user_id.in_(ids),
            OccupationCertification.status != CertificationStatus.REVOKED,
        )
        .order_by(OccupationCertification.id)
    ):
        certifications[(row.user_id, row.occupation_code)] = row
    now = utcnow()
    results: list[Evaluation] = []
    changed: list[OccupationCertification] = []
    for user_id in ids:
        learner = prepare(achievements[user_id], as_of, context.catalog)
        for ruleset in rulesets:
            outcome = compiled(ruleset, context.catalog).evaluate(learner, as_of)
            key = (user_id, ruleset.occupation)
            _store_outcome(stored.get(key), user_id, ruleset, outcome, as_of, now)
            before = certifications.get(key)
            status_before = before.status if before is not None else None
            certification = _apply(
                before,
                user_id,
                ruleset,
                outcome,
                achievements[user_id],
                as_of,
                now,
                may_revoke=may_revoke,
            )
            results.append(Evaluation(user_id, ruleset.occupation, outcome, certification))
            if certification is not None and certification.status != status_before:
                changed.append(certification)
    db.session.flush()
    _announce(changed)
    return results


def _announce(changed: list[OccupationCertification]) -> None:
    """Run `CERTIFICATION_HOOKS` for certifications that became certified or revoked."""
    for certification in changed:
        if certification.status in (CertificationStatus.CERTIFIED, CertificationStatus.REVOKED):
            for hook in CERTIFICATION_HOOKS:
                hook(certification)


def _store_outcome(
    row: PathwayOutcome | None,
    user_id: int,
    ruleset: RuleSet,
    outcome: Outcome,
    as_of: dt.date,
    now: dt.datetime,
) -> PathwayOutcome:
    data = outcome_to_dict(outcome, as_of=as_of)
    if row is None:
        row = PathwayOutcome(user_id=user_id, occupation_code=ruleset.occupation)
        db.session.add(row)
    row.rule_version = ruleset.version
    row.is_satisfied = outcome.satisfied
    row.is_awaiting_signoff = _awaiting_signoff(outcome)
    row.progress = data["progress"]
    row.result = data
    row.as_of = as_of
    row.evaluated_at = now
    return row


def _awaiting_signoff(outcome: Outcome) -> bool:
    """The rules hold but for a work-based sign-off (the rule set's or a `signoff` node)."""
    if outcome.satisfied:
        return outcome.awaiting_signoff
    missing = outcome.missing
    return bool(
        missing.signoff
        and not (missing.credentials or missing.indicators or missing.external or missing.hours)
    )


def _basis(
    ruleset: RuleSet, outcome: Outcome, achievements: Achievements, as_of: dt.date
) -> dict[str, Any]:
    used = sorted(outcome.used)
    credentials = sorted(key for key in used if ":" not in key and key != "signoff")
    held = [
        {"code": c.code, "version": c.version, "earned_on": c.earned_on.isoformat()}
        for c in sorted(achievements.credentials, key=lambda c: (c.code, c.earned_on))
        if c.code in credentials and c.revoked_on is None
    ]
    return {
        "as_of": as_of.isoformat(),
        "framework": ruleset.framework,
        "rule_version": ruleset.version,
        "credentials": held,
        "plar": [key.removeprefix("plar:") for key in used if key.startswith("plar:")],
        "external": [key.removeprefix("ext:") for key in used if key.startswith("ext:")],
        "signoff": "signoff" in used or (outcome.satisfied and ruleset.requires_signoff),
    }


def _apply(
    current: OccupationCertification | None,
    user_id: int,
    ruleset: RuleSet,
    outcome: Outcome,
    achievements: Achievements,
    as_of: dt.date,
    now: dt.datetime,
    *,
    may_revoke: bool,
) -> OccupationCertification | None:
    complete = outcome.satisfied and not outcome.awaiting_signoff
    awaiting = _awaiting_signoff(outcome)
    if complete:
        if current is None:
            current = OccupationCertification(
                user_id=user_id,
                occupation_code=ruleset.occupation,
                framework=ruleset.framework,
                rule_version=ruleset.version,
                status=CertificationStatus.CERTIFIED,
                issued_at=now,
                basis=_basis(ruleset, outcome, achievements, as_of),
            )
            db.session.add(current)
        elif current.status is CertificationStatus.AWAITING_ASSESSMENT:
            current.status = CertificationStatus.CERTIFIED
            current.issued_at = now
            current.rule_version = ruleset.version
            current.basis = _basis(ruleset, outcome, achievements, as_of)
        return current
    if awaiting:
        if current is None:
            current = OccupationCertification(
                user_id=user_id,
                occupation_code=ruleset.occupation,
                framework=ruleset.framework,
                rule_version=ruleset.version,
                status=CertificationStatus.AWAITING_ASSESSMENT,
                basis=_basis(ruleset, outcome, achievements, as_of),
            )
            db.session.add(current)
        elif current.status is CertificationStatus.AWAITING_ASSESSMENT:
            current.rule_version = ruleset.version
            current.basis = _basis(ruleset, outcome, achievements, as_of)
        return current
    if current is None:
        return None
    if current.status is CertificationStatus.AWAITING_ASSESSMENT:
        current.status = CertificationStatus.REVOKED
        current.revoked_at = now
        current.revocation_reason = WITHDRAWN
    elif may_revoke:
        current.status = CertificationStatus.REVOKED
        current.revoked_at = now
        current.revocation_reason = INPUT_REVOKED
    return current


def sign_off(certification_id: int, *, actor: User, note: str = "") -> OccupationCertification:
    """An assessor signs off a certification awaiting assessment; it is then re-evaluated.

    :raises NotFound: no such certification.
    :raises Forbidden: the actor is the learner, or not an assessor of the learner's
        college or employer.
    :raises Conflict: it is not awaiting assessment.
    """
    certification = db.session.get(OccupationCertification, certification_id)
    if certification is None:
        raise NotFound("No such certification.")
    ensure_can_assess(actor, certification.user_id)
    if certification.status is not CertificationStatus.AWAITING_ASSESSMENT:
        raise Conflict(
            f"This certification is {certification.status.value}, not awaiting assessment.",
            code="not_awaiting_assessment",
        )
    certification.signed_off_by_id = actor.id
    certification.signed_off_at = utcnow()
    certification.signoff_note = note.strip()
    db.session.flush()
    reevaluate(certification.user_id, occupations=[certification.occupation_code])
    return certification


# -- access ----------------------------------------------------------------------------------


def can_view_learner(
    viewer: User | None, learner_id: int, *, client: ApiClient | None = None
) -> bool:
    """The learner, staff of the learner's college or employer, or a client of one of them.

    An API client must hold ``records:read`` (the route checks it) and belong to an
    organisation where the learner learns.
    """
    if client is not None:
        return client.organisation_id in queries.organisations_where_learner(learner_id)
    if viewer is None or not viewer.is_authenticated:
        return False
    return viewer.id == learner_id or queries.is_staff_of(viewer, learner_id)


def ensure_can_view(
    viewer: User | None, learner_id: int, *, client: ApiClient | None = None
) -> None:
    """:raises Forbidden: see `can_view_learner`."""
    if not can_view_learner(viewer, learner_id, client=client):
        raise Forbidden("You may not see this learner's pathways.")


def ensure_can_assess(actor: User, learner_id: int) -> None:
    """:raises Forbidden: the actor is the learner (never self), or assesses for none of the
    learner's organisations (see `pathways.records.plar_services.ensure_can_assess`)."""
    plar_services.ensure_can_assess(actor, learner_id)


# -- targets ---------------------------------------------------------------------------------


def add_target(
    user: User, occupation_code: str, *, context: EngineContext | None = None
) -> LearnerTarget:
    """Add an occupation to the learner's targets (idempotent) and evaluate it.

    :raises NotFound: the occupation has no stacking rules.
    """
    context = context or queries.load_context()
    ruleset_for(occupation_code, context)
    target = db.session.scalar(
        sa.select(LearnerTarget).filter_by(user_id=user.id, occupation_code=occupation_code)
    )
    if target is None:
        target = LearnerTarget(user_id=user.id, occupation_code=occupation_code)
        db.session.add(target)
        db.session.flush()
    reevaluate(user.id, occupations=[occupation_code], context=context)
    return target


def remove_target(user: User, occupation_code: str) -> None:
    """Remove an occupation from the learner's targets (records stay)."""
    db.session.execute(
        sa.delete(LearnerTarget).where(
            LearnerTarget.user_id == user.id, LearnerTarget.occupation_code == occupation_code
        )
    )
    db.session.flush()


# -- recognised external credentials ---------------------------------------------------------


def add_recognised_credential(
    learner_id: int,
    code: str,
    earned_on: dt.date,
    *,
    expires_on: dt.date | None = None,
    note: str = "",
    context: EngineContext | None = None,
) -> RecognisedCredential:
    """Record an external credential a learner declares; it does not count until verified.

    :raises Invalid: the code is no item of a published framework, or the dates are reversed.
    """
    context = context or queries.load_context()
    if code not in context.items:
        raise Invalid(f"Unknown credential {code}.", errors={"code": ["Unknown credential."]})
    if expires_on is not None and expires_on <= earned_on:
        raise Invalid("It expires before it was earned.", errors={"expires_on": ["Too early."]})
    row = RecognisedCredential(
        user_id=learner_id, code=code, earned_on=earned_on, expires_on=expires_on, note=note
    )
    db.session.add(row)
    db.session.flush()
    return row


def verify_recognised_credential(credential_id: int, *, actor: User) -> RecognisedCredential:
    """An assessor of the learner's organisation verifies an external credential.

    :raises NotFound: no such record.
    :raises Forbidden: see `ensure_can_assess`.
    """
    row = db.session.get(RecognisedCredential, credential_id)
    if row is None:
        raise NotFound("No such credential.")
    ensure_can_assess(actor, row.user_id)
    row.verified = True
    row.verified_by_id = actor.id
    row.verified_at = utcnow()
    db.session.flush()
    reevaluate(row.user_id)
    return row


def verify_recognised_credential_by_proof(credential_id: int) -> RecognisedCredential:
    """Verified without an assessor: the learner brought the credential itself, its signature
    and status verified, its issuer is on the platform's trust list and its achievement maps
    to this item (`pathways.credentials.trust.import_credential` decides). Re-evaluates.

    :raises NotFound: no such record.
    """
    row = db.session.get(RecognisedCredential, credential_id)
    if row is None:
        raise NotFound("No such credential.")
    row.verified = True
    row.verified_by_id = None
    row.verified_at = utcnow()
    db.session.flush()
    reevaluate(row.user_id)
    return row


# -- the pathway as shown to people and clients ------------------------------------------------


def _text(value: dict[str, str] | None, locale: str) -> str:
    if not value:
        return ""
    return value.get(locale) or value.get("en") or next(iter(value.values()), "")


def _rule_codes(ruleset: RuleSet) -> list[str]:
    codes: list[str] = []
    for node, _path in walk(ruleset.rule):
        if isinstance(node, Credential):
            codes.append(node.code)
        elif isinstance(node, MinHours) and node.from_codes:
            codes.extend(node.from_codes)
    return list(dict.fromkeys(codes))


def _missing_in_words(
    outcome: Outcome, context: EngineContext, locale: str
) -> list[dict[str, Any]]:
    """Each unsatisfied leaf of the outcome: what it needs, with the engine's reasons."""
    found: list[dict[str, Any]] = []
    for node in outcome.walk():
        if node.satisfied or node.children:
            continue
        missing = node.missing
        entry: dict[str, Any] = {
            "path": node.path,
            "kind": node.kind,
            "credentials": list(missing.credentials),
            "external": list(missing.external),
            "indicators": len(missing.indicators),
            "hours": missing.hours,
            "signoff": missing.signoff,
            "reasons": [reason.text for reason in node.reasons],
            "option": _option(node.path, outcome),
        }
        entry["titles"] = {
            code: _text(context.title(code), locale)
            for code in missing.credentials + missing.external
        }
        found.append(entry)
    return found


def _option(path: str, root: Outcome) -> int | None:
    # With an `any` at the root, say which alternative a need belongs to (1-based).
    if root.kind != "any":
        return None
    prefix = f"{root.path}.any["
    if not path.startswith(prefix):
        return None
    return int(path[len(prefix) :].split("]", 1)[0]) + 1


def _plannable(ruleset: RuleSet) -> tuple[RuleSet, tuple[str, ...]]:
    """The rule set the planner is given, and the items of its `covers` nodes.

    A workplace assessor may record any indicator as met (PLAR), so coverage is never a
    reason to take a course: the planner plans the other requirements (credentials, hours,
    recency) with each `covers` node made to hold, and the pathway lists the indicators the
    plan still leaves uncovered, for a workplace assessment (DOMAIN.md section 6, example 1).
    """
    items: list[str] = []

    def relax(data: Any) -> Any:
        if isinstance(data, list):
            return [relax(item) for item in data]
        if not isinstance(data, dict):
            return data
        if set(data) == {"covers"}:
            items.extend(data["covers"]["items"])
            return {"min_hours": {"hours": 0}}  # always holds
        return {key: relax(value) for key, value in data.items()}

    relaxed = parse_rule(relax(ruleset.rule.to_data()))
    return dataclasses.replace(ruleset, rule=relaxed), tuple(dict.fromkeys(items))


def pathway(
    learner_id: int,
    occupation_code: str,
    *,
    as_of: dt.date | None = None,
    locale: str = "en",
    context: EngineContext | None = None,
) -> dict[str, Any]:
    """One learner's pathway toward an occupation, evaluated and planned now, as plain data.

    Callers check access first (`ensure_can_view`). Keys: ``learner_id``, ``occupation``
    (code, title, framework, illustrative, notice), ``rule_version``, ``as_of``,
    ``satisfied``, ``awaiting_signoff``, ``progress``, ``certification``, ``areas``
    (per competency area: indicators, covered, progress), ``credentials`` (the graph's
    nodes: status earned / in_progress / planned / missing, prerequisites), ``next_steps``
    and ``plan`` (the planner's), ``missing`` (needs with the engine's reasons),
    ``notes`` (related-only and other non-counting hints), ``outcome`` (the full tree).

    :raises NotFound: the occupation has no stacking rules.
    """
    context = context or queries.load_context()
    as_of = as_of or today()
    ruleset = ruleset_for(occupation_code, context)
    achievements = queries.load_achievements([learner_id], context)[learner_id]
    learner = prepare(achievements, as_of, context.catalog)
    outcome = compiled(ruleset, context.catalog).evaluate(learner, as_of)
    catalog = context.catalog
    covered_mask = learner.view(None, frozenset()).mask
    plannable, covers_items = _plannable(ruleset)
    planned = make_plan(plannable, achievements, catalog, as_of)
    after_plan = covered_mask
    for step in planned.steps:
        info = context.current.get(step.code)
        if info is not None:
            after_plan |= catalog.alignment_mask(info.aligned_items)
    wanted = 0
    for code in covers_items:
        wanted |= catalog.mask(code)
    workplace = catalog.decode(wanted & ~after_plan) if not outcome.satisfied else []
    areas = []
    for area in catalog.children(occupation_code):
        mask = catalog.mask(area)
        total = mask.bit_count()
        covered = (mask & covered_mask).bit_count()
        areas.append(
            {
                "code": area,
                "title": _text(context.title(area), locale),
                "indicators": total,
                "covered": covered,
                "progress": round(covered / total, 3) if total else 0.0,
            }
        )
    held = {
        c.code
        for c in achievements.credentials
        if c.earned_on <= as_of
        and (c.expires_on is None or c.expires_on > as_of)
        and (c.revoked_on is None or c.revoked_on > as_of)
    }
    started = queries.credentials_in_progress(learner_id)
    plan_codes = list(planned.codes)
    codes = list(dict.fromkeys(_rule_codes(ruleset) + plan_codes))
    # Prerequisites of shown credentials are shown too: they are the graph's edges.
    index = 0
    while index < len(codes):
        info = context.current.get(codes[index])
        if info is not None:
            codes.extend(code for code in sorted(info.prerequisites) if code not in codes)
        index += 1
    credentials = []
    for code in codes:
        info = context.current.get(code)
        if code in held:
            status = "earned"
        elif code in started:
            status = "in_progress"
        elif code in plan_codes:
            status = "planned"
        else:
            status = "missing"
        credentials.append(
            {
                "code": code,
                "title": _text(info.title if info else None, locale) or code,
                "status": status,
                "effort_hours": info.effort_hours if info else None,
                "prerequisites": sorted(info.prerequisites) if info else [],
                "in_plan": code in plan_codes,
            }
        )
    hints: dict[tuple, dict[str, str]] = {}
    for node in outcome.walk():
        for hint in node.hints:
            hints.setdefault((hint.crosswalk, hint.source, hint.target), hint_to_dict(hint))
    certification = queries.active_certification(learner_id, occupation_code)
    framework = context.frameworks.get(ruleset.framework)
    illustrative = ruleset.illustrative or bool(framework and framework.is_illustrative)
    data = outcome_to_dict(outcome, as_of=as_of)
    plan_data = plan_to_dict(planned)
    return {
        "learner_id": learner_id,
        "occupation": {
            "code": occupation_code,
            "title": _text(context.title(occupation_code), locale),
            "rule_title": _text(dict(ruleset.title), locale),
            "framework": ruleset.framework,
            "illustrative": illustrative,
            "notice": _text(framework.notice if framework else None, locale)
            if illustrative
            else "",
        },
        "rule_version": ruleset.version,
        "requires_signoff": ruleset.requires_signoff,
        "as_of": as_of.isoformat(),
        "satisfied": outcome.satisfied and not outcome.awaiting_signoff,
        "awaiting_signoff": _awaiting_signoff(outcome),
        "progress": data["progress"],
        "certification": None
        if certification is None
        else {
            "id": certification.id,
            "status": certification.status.value,
            "rule_version": certification.rule_version,
            "issued_at": certification.issued_at.isoformat() if certification.issued_at else None,
            "signed_off_at": certification.signed_off_at.isoformat()
            if certification.signed_off_at
            else None,
        },
        "areas": areas,
        "credentials": credentials,
        "next_steps": [
            {**step, "title": _text(context.title(step["code"]), locale) or step["title"]}
            for step in plan_data["steps"]
        ],
        "plan": {key: value for key, value in plan_data.items() if key != "steps"},
        "workplace_assessment": [
            {"code": code, "title": _text(context.title(code), locale)} for code in workplace
        ],
        "missing": _missing_in_words(outcome, context, locale),
        "notes": [hint["text"] for hint in hints.values()],
        "outcome": data,
    }


def pathway_summaries(
    learner_id: int, *, locale: str = "en", context: EngineContext | None = None
) -> list[dict[str, Any]]:
    """Every occupation with rules: title, whether targeted, stored progress and status."""
    context = context or queries.load_context()
    targets = queries.targets_of(learner_id)
    outcomes = queries.outcomes_of(learner_id)
    certifications = {c.occupation_code: c for c in queries.certifications_of(learner_id)}
    summaries = []
    for code, ruleset in sorted(context.rulesets.items()):
        outcome = outcomes.get(code)
        certification = certifications.get(code)
        summaries.append(
            {
                "code": code,
                "title": _text(context.title(code), locale),
                "illustrative": ruleset.illustrative,
                "is_target": code in targets,
                "progress": outcome.progress if outcome else None,
                "certification": certification.status.value if certification else None,
            }
        )
    return summaries


# -- hooks -----------------------------------------------------------------------------------


def on_award_changed(user: User, award: Any) -> None:
    """`records.services.AWARD_HOOKS` entry: re-evaluate the learner after an award changes.

    A revoked award may revoke the certifications that relied on it.
    """
    reevaluate(user.id, may_revoke=award.revoked_at is not None)


def on_plar_changed(learner_id: int) -> None:
    """`records.plar_services.PLAR_HOOKS` entry: a decision was recorded or corrected."""
    reevaluate(learner_id, may_revoke=True)


for _hooks, _hook in (
    (record_services.AWARD_HOOKS, on_award_changed),
    (record_services.AWARD_REVOKED_HOOKS, on_award_changed),
    (plar_services.PLAR_HOOKS, on_plar_changed),
):
    if _hook not in _hooks:
        _hooks.append(_hook)


# -- demo and operator helpers ---------------------------------------------------------------


def user_by_email(email: str) -> User:
    """:raises NotFound: no account with this email."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"No account {email}.")
    return user


def grant_demo_awards(
    email: str,
    codes: list[str],
    *,
    target: str | None = None,
    employer_code: str | None = None,
) -> list[str]:
    """Demo data only: award the newest published version of each code (if not held).

    Awards are dated today and run `AWARD_HOOKS` as real awards do. With `target`, the
    occupation joins the learner's targets; with `employer_code`, the learner also joins
    that organisation as a learner, so its assessors see them.

    :raises NotFound: no such account, code or organisation.
    """
    user = user_by_email(email)
    if employer_code:
        account_services.add_membership(
            user, account_services.get_organisation(employer_code), Role.LEARNER
        )
    awarded = []
    now = utcnow()
    for code in codes:
        version = catalog_queries.published_version(code)
        if version is None:
            raise NotFound(f"No published version of {code}.")
        held = db.session.scalar(
            sa.select(Award.id)
            .join(
                MicroCredentialVersion,
                Award.micro_credential_version_id == MicroCredentialVersion.id,
            )
            .where(
                Award.user_id == user.id,
                Award.revoked_at.is_(None),
                MicroCredentialVersion.credential_id == version.credential_id,
            )
        )
        if held is not None:
            continue
        award = Award(
            user_id=user.id,
            micro_credential_version_id=version.id,
            issued_at=now,
            expires_at=record_services.add_months(now, version.validity_months)
            if version.validity_months
            else None,
            basis={"demo": True},
        )
        db.session.add(award)
        db.session.flush()
        awarded.append(code)
        for hook in record_services.AWARD_HOOKS:
            hook(user, award)
    if target:
        add_target(user, target)
    return awarded
