"""Reads for stacking: the engine's catalog view and rule sets, learners' achievements.

`load_context()` builds everything the pure engine needs from the catalog tables in a
handful of queries: the competency item tree of the published frameworks, every crosswalk
relation (as engine `Equivalence` values), the published micro-credentials (as `Offer`
values) and each occupation's newest stacking rule file, parsed. Build it once per request,
command or job batch and pass it on: the engine caches compiled rules by the identity of
the catalog object.

`load_achievements(user_ids, context)` reads awards, PLAR results, recognised external
credentials and sign-offs for a batch of learners in four queries.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.accounts.enums import Role
from pathways.accounts.models import Membership
from pathways.accounts.models import User
from pathways.catalog import queries as catalog_queries
from pathways.catalog.enums import CrosswalkStatus
from pathways.catalog.enums import FrameworkStatus
from pathways.catalog.enums import VersionStatus
from pathways.catalog.models import Alignment
from pathways.catalog.models import Association
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import Crosswalk
from pathways.catalog.models import Framework
from pathways.catalog.models import MicroCredential
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.models import Module
from pathways.catalog.models import Prerequisite
from pathways.db import db
from pathways.records.models import Award
from pathways.records.models import ModuleProgress
from pathways.records.models import OccupationCertification
from pathways.records.models import PlarAssessment
from pathways.records.models import RecognisedCredential
from pathways.records.models.certifications import CertificationStatus
from pathways.stacking.engine.achievements import Achievements
from pathways.stacking.engine.achievements import Catalog
from pathways.stacking.engine.achievements import EarnedCredential
from pathways.stacking.engine.achievements import Equivalence
from pathways.stacking.engine.achievements import ExternalCredential
from pathways.stacking.engine.achievements import Offer
from pathways.stacking.engine.achievements import PlarResult
from pathways.stacking.engine.achievements import Signoff
from pathways.stacking.engine.rules import RuleError
from pathways.stacking.engine.rules import RuleSet
from pathways.stacking.engine.rules import parse_rule_file
from pathways.stacking.models import LearnerTarget
from pathways.stacking.models import PathwayOutcome

log = logging.getLogger(__name__)

# Staff of a learner's organisation who may read the learner's pathways.
STAFF_ROLES = (Role.ASSESSOR, Role.COLLEGE_ADMIN, Role.COLLEGE_EDITOR)


@dataclass(frozen=True)
class ItemInfo:
    code: str
    title: dict[str, str]
    kind: str
    parent: str | None
    framework: str


@dataclass(frozen=True)
class FrameworkInfo:
    identifier: str
    title: dict[str, str]
    is_illustrative: bool
    notice: dict[str, str] | None


@dataclass(frozen=True)
class VersionInfo:
    """What stacking needs of one micro-credential version."""

    id: int
    code: str
    number: int
    title: dict[str, str]
    effort_hours: float
    aligned_items: frozenset[str]
    prerequisites: frozenset[str]
    is_published: bool
    validity_months: int | None = None


@dataclass(frozen=True, eq=False)
class EngineContext:
    """The engine's inputs that do not depend on the learner, for one date's work."""

    catalog: Catalog
    rulesets: dict[str, RuleSet]
    rule_errors: dict[str, str]
    items: dict[str, ItemInfo]
    frameworks: dict[str, FrameworkInfo]
    versions: dict[int, VersionInfo]
    # code -> the newest published version of that micro-credential
    current: dict[str, VersionInfo] = field(default_factory=dict)

    def children(self, code: str) -> tuple[str, ...]:
        return self.catalog.children(code)

    def title(self, code: str) -> dict[str, str]:
        """The language map naming an item or a micro-credential (the code when unknown)."""
        if code in self.items:
            return self.items[code].title
        if code in self.current:
            return self.current[code].title
        return {"en": code}


def _days(months: int | None) -> int | None:
    # The planner only checks a plan against validity; a month of 30.44 days is close enough.
    return None if months is None else round(months * 30.44)


def load_context() -> EngineContext:
    """Build the engine's catalog view and parse every occupation's newest rule file.

    A rule file that does not parse is left out (and logged) with its error in
    `rule_errors`; `validate_rule_files` reports it too.
    """
    frameworks = {
        framework.identifier: FrameworkInfo(
            framework.identifier,
            dict(framework.title or {}),
            bool(framework.is_illustrative),
            dict(framework.notice) if framework.notice else None,
        )
        for framework in db.session.scalars(
            sa.select(Framework).where(Framework.status == FrameworkStatus.PUBLISHED)
        )
    }
    rows = db.session.execute(
        sa.select(
            CompetencyItem.id,
            CompetencyItem.code,
            CompetencyItem.parent_id,
            CompetencyItem.kind,
            CompetencyItem.title,
            Framework.identifier,
        )
        .join(Framework, CompetencyItem.framework_id == Framework.id)
        .where(Framework.status == FrameworkStatus.PUBLISHED)
        .order_by(CompetencyItem.position, CompetencyItem.id)
    ).all()
    code_of = {row.id: row.code for row in rows}
    items = {
        row.code: ItemInfo(
            row.code,
            dict(row.title or {}),
            str(row.kind),
            code_of.get(row.parent_id),
            row.identifier,
        )
        for row in rows
    }
    origin = so.aliased(CompetencyItem)
    destination = so.aliased(CompetencyItem)
    relations = db.session.execute(
        sa.select(Association, origin.code, destination.code, Crosswalk.name, Crosswalk.status)
        .join(origin, Association.origin_id == origin.id)
        .join(destination, Association.destination_id == destination.id)
        .outerjoin(Crosswalk, Association.crosswalk_id == Crosswalk.id)
        .where(Association.relation.is_not(None))
        .order_by(Association.id)
    ).all()
    equivalences = tuple(
        Equivalence(
            crosswalk=name or association.grouping or "",
            source=source,
            target=target,
            relation=str(association.relation),
            status="withdrawn"
            if crosswalk_status is CrosswalkStatus.WITHDRAWN
            else str(association.status),
            scope_note=str((association.scope or {}).get("statement", {}).get("en", "")),
        )
        for association, source, target, name, crosswalk_status in relations
    )
    versions = _load_versions(
        sa.select(MicroCredentialVersion).where(
            MicroCredentialVersion.status.in_((VersionStatus.PUBLISHED, VersionStatus.RETIRED))
        )
    )
    current: dict[str, VersionInfo] = {}
    for info in sorted(versions.values(), key=lambda v: (v.code, v.number)):
        if info.is_published:
            current[info.code] = info
    offers = tuple(
        Offer(
            code=info.code,
            effort_hours=info.effort_hours,
            aligned_items=info.aligned_items,
            prerequisites=info.prerequisites,
            validity_days=_days(info.validity_months),
            version=info.number,
            is_published=info.is_published,
            title=info.title.get("en", info.code),
        )
        for info in versions.values()
    )
    catalog = Catalog(
        items={code: info.parent for code, info in items.items()},
        equivalences=equivalences,
        offers=offers,
    )
    rulesets: dict[str, RuleSet] = {}
    errors: dict[str, str] = {}
    for row in catalog_queries.rule_files():  # by occupation, then version: the newest wins
        try:
            rulesets[row.occupation_code] = parse_rule_file(row.data)
            errors.pop(row.occupation_code, None)
        except RuleError as error:
            errors[row.occupation_code] = str(error)
            rulesets.pop(row.occupation_code, None)
            log.warning("rule file does not parse", extra={"occupation": row.occupation_code})
    return EngineContext(catalog, rulesets, errors, items, frameworks, versions, current)


def _load_versions(select: sa.Select) -> dict[int, VersionInfo]:
    rows = db.session.execute(
        select.with_only_columns(
            MicroCredentialVersion.id,
            MicroCredential.code,
            MicroCredentialVersion.number,
            MicroCredentialVersion.title,
            MicroCredentialVersion.effort_hours,
            MicroCredentialVersion.status,
            MicroCredentialVersion.validity_months,
        ).join(MicroCredential, MicroCredentialVersion.credential_id == MicroCredential.id)
    ).all()
    if not rows:
        return {}
    ids = [row.id for row in rows]
    aligned: dict[int, set[str]] = defaultdict(set)
    for version_id, code in db.session.execute(
        sa.select(Alignment.version_id, CompetencyItem.code)
        .join(CompetencyItem, Alignment.item_id == CompetencyItem.id)
        .where(Alignment.version_id.in_(ids))
    ):
        aligned[version_id].add(code)
    required: dict[int, set[str]] = defaultdict(set)
    for version_id, code in db.session.execute(
        sa.select(Prerequisite.version_id, MicroCredential.code)
        .join(MicroCredential, Prerequisite.required_id == MicroCredential.id)
        .where(Prerequisite.version_id.in_(ids))
    ):
        required[version_id].add(code)
    return {
        row.id: VersionInfo(
            id=row.id,
            code=row.code,
            number=row.number,
            title=dict(row.title or {}),
            effort_hours=float(row.effort_hours or 0),
            aligned_items=frozenset(aligned[row.id]),
            prerequisites=frozenset(required[row.id]),
            is_published=row.status is VersionStatus.PUBLISHED,
            validity_months=row.validity_months,
        )
        for row in rows
    }


def version_infos(version_ids: Iterable[int], context: EngineContext) -> dict[int, VersionInfo]:
    """Version facts for these ids: from the context, else read (drafts of old awards)."""
    wanted = set(version_ids)
    found = {vid: context.versions[vid] for vid in wanted if vid in context.versions}
    missing = wanted - set(found)
    if missing:
        found.update(
            _load_versions(
                sa.select(MicroCredentialVersion).where(
                    MicroCredentialVersion.id.in_(sorted(missing))
                )
            )
        )
    return found


def _day(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(UTC).date()


def load_achievements(user_ids: Iterable[int], context: EngineContext) -> dict[int, Achievements]:
    """Everything each learner holds, as engine values (every id gets an entry).

    Revoked and expired awards are included with their dates: the engine reports why they
    do not count. Only certifications that are not revoked and were signed off give a
    sign-off.
    """
    ids = sorted(set(user_ids))
    credentials: dict[int, list] = defaultdict(list)
    plar: dict[int, list] = defaultdict(list)
    external: dict[int, list] = defaultdict(list)
    signoffs: dict[int, list] = defaultdict(list)
    if ids:
        awards = db.session.execute(
            sa.select(
                Award.user_id,
                Award.micro_credential_version_id,
                Award.issued_at,
                Award.expires_at,
                Award.revoked_at,
            )
            .where(Award.user_id.in_(ids))
            .order_by(Award.id)
        ).all()
        infos = version_infos((row.micro_credential_version_id for row in awards), context)
        for row in awards:
            info = infos[row.micro_credential_version_id]
            credentials[row.user_id].append(
                EarnedCredential(
                    code=info.code,
                    version=info.number,
                    earned_on=_day(row.issued_at),
                    expires_on=_day(row.expires_at),
                    effort_hours=info.effort_hours,
                    aligned_items=info.aligned_items,
                    revoked_on=_day(row.revoked_at),
                )
            )
        for row in db.session.execute(
            sa.select(
                PlarAssessment.learner_id,
                PlarAssessment.item_code,
                PlarAssessment.is_met,
                PlarAssessment.assessed_on,
                PlarAssessment.assessor_id,
            )
            .where(PlarAssessment.learner_id.in_(ids))
            .order_by(PlarAssessment.id)
        ):
            plar[row.learner_id].append(
                PlarResult(row.item_code, row.is_met, row.assessed_on, str(row.assessor_id or ""))
            )
        for row in db.session.scalars(
            sa.select(RecognisedCredential)
            .where(RecognisedCredential.user_id.in_(ids))
            .order_by(RecognisedCredential.id)
        ):
            external[row.user_id].append(
                ExternalCredential(row.code, row.earned_on, row.expires_on, row.verified)
            )
        for row in db.session.scalars(
            sa.select(OccupationCertification)
            .where(
                OccupationCertification.user_id.in_(ids),
                OccupationCertification.signed_off_at.is_not(None),
                OccupationCertification.status != CertificationStatus.REVOKED,
            )
            .order_by(OccupationCertification.id)
        ):
            signoffs[row.user_id].append(
                Signoff(
                    row.occupation_code,
                    _day(row.signed_off_at),
                    str(row.signed_off_by_id or ""),
                )
            )
    return {
        user_id: Achievements(
            tuple(credentials[user_id]),
            tuple(plar[user_id]),
            tuple(external[user_id]),
            tuple(signoffs[user_id]),
        )
        for user_id in ids
    }


# -- learners, targets, outcomes, certifications -----------------------------------------------


def targets_of(user_id: int) -> list[str]:
    """The occupation codes a learner targets, in the order chosen."""
    return list(
        db.session.scalars(
            sa.select(LearnerTarget.occupation_code)
            .where(LearnerTarget.user_id == user_id)
            .order_by(LearnerTarget.id)
        )
    )


def outcomes_of(user_id: int) -> dict[str, PathwayOutcome]:
    """The stored outcome snapshots of a learner, by occupation code."""
    return {
        row.occupation_code: row
        for row in db.session.scalars(
            sa.select(PathwayOutcome).where(PathwayOutcome.user_id == user_id)
        )
    }


def certifications_of(
    user_id: int, *, include_revoked: bool = False
) -> list[OccupationCertification]:
    """A learner's occupation certifications, newest first."""
    query = sa.select(OccupationCertification).where(OccupationCertification.user_id == user_id)
    if not include_revoked:
        query = query.where(OccupationCertification.status != CertificationStatus.REVOKED)
    return list(db.session.scalars(query.order_by(OccupationCertification.id.desc())))


def active_certification(user_id: int, occupation_code: str) -> OccupationCertification | None:
    """The certification that is not revoked for this learner and occupation, if any."""
    return db.session.scalar(
        sa.select(OccupationCertification)
        .where(
            OccupationCertification.user_id == user_id,
            OccupationCertification.occupation_code == occupation_code,
            OccupationCertification.status != CertificationStatus.REVOKED,
        )
        .order_by(OccupationCertification.id.desc())
        .limit(1)
    )


def organisations_where_learner(user_id: int) -> set[int]:
    """Organisations in which the user holds the learner role."""
    return set(
        db.session.scalars(
            sa.select(Membership.organisation_id).where(
                Membership.user_id == user_id, Membership.role == Role.LEARNER
            )
        )
    )


def is_staff_of(viewer: User, learner_id: int, roles: Iterable[Role] = STAFF_ROLES) -> bool:
    """Whether `viewer` holds one of `roles` in an organisation where the learner learns."""
    organisations = organisations_where_learner(learner_id)
    wanted = set(roles)
    return any(
        membership.role in wanted and membership.organisation_id in organisations
        for membership in viewer.memberships
    )


def candidates_of(assessor: User) -> list[User]:
    """Learners of the organisations where `assessor` assesses (never the assessor)."""
    organisations = [m.organisation_id for m in assessor.memberships if m.role is Role.ASSESSOR]
    if not organisations:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id.in_(organisations),
                Membership.role == Role.LEARNER,
                User.id != assessor.id,
            )
            .distinct()
            .order_by(User.display_name, User.id)
        )
    )


def awaiting_assessment_for(assessor: User) -> list[OccupationCertification]:
    """Certifications awaiting a sign-off, of the assessor's candidates, oldest first."""
    candidates = [user.id for user in candidates_of(assessor)]
    if not candidates:
        return []
    return list(
        db.session.scalars(
            sa.select(OccupationCertification)
            .where(
                OccupationCertification.user_id.in_(candidates),
                OccupationCertification.status == CertificationStatus.AWAITING_ASSESSMENT,
            )
            .options(so.joinedload(OccupationCertification.user))
            .order_by(OccupationCertification.created_at, OccupationCertification.id)
        )
    )


def learners_to_reevaluate(after_id: int, limit: int) -> list[int]:
    """Ids above `after_id` of users with anything stacking looks at, ascending, `limit` at most."""
    sources: list[Any] = [
        sa.select(LearnerTarget.user_id.label("uid")),
        sa.select(PathwayOutcome.user_id.label("uid")),
        sa.select(Award.user_id.label("uid")),
        sa.select(PlarAssessment.learner_id.label("uid")),
        sa.select(RecognisedCredential.user_id.label("uid")),
        sa.select(OccupationCertification.user_id.label("uid")),
    ]
    union = sa.union(*sources).subquery()
    return list(
        db.session.scalars(
            sa.select(union.c.uid).where(union.c.uid > after_id).order_by(union.c.uid).limit(limit)
        )
    )


def credentials_in_progress(user_id: int) -> set[str]:
    """Codes of micro-credentials with module progress but no award that is not revoked."""
    started = set(
        db.session.scalars(
            sa.select(MicroCredential.code)
            .join(
                MicroCredentialVersion, MicroCredentialVersion.credential_id == MicroCredential.id
            )
            .join(Module, Module.version_id == MicroCredentialVersion.id)
            .join(ModuleProgress, ModuleProgress.module_id == Module.id)
            .where(ModuleProgress.user_id == user_id)
        )
    )
    return started


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def plar_assessment(assessment_id: int) -> PlarAssessment | None:
    return db.session.get(PlarAssessment, assessment_id)


def recognised_of(user_id: int) -> list[RecognisedCredential]:
    """A learner's external credentials, newest first."""
    return list(
        db.session.scalars(
            sa.select(RecognisedCredential)
            .where(RecognisedCredential.user_id == user_id)
            .order_by(RecognisedCredential.earned_on.desc(), RecognisedCredential.id.desc())
        )
    )


def external_credential_codes() -> set[str]:
    """Codes of framework items that are earnable credentials of their own (MSSC CPT...)."""
    return set(
        db.session.scalars(
            sa.select(CompetencyItem.code)
            .join(Framework, CompetencyItem.framework_id == Framework.id)
            .where(
                Framework.status == FrameworkStatus.PUBLISHED,
                CompetencyItem.credential.is_not(None),
                sa.cast(CompetencyItem.credential, sa.String) != "null",
            )
        )
    )
