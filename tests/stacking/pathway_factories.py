"""A small stacking world for integration tests: one illustrative occupation, two
micro-credentials, an MSSC-like certification with an exact and a related relation.

Occupation T-MO: areas T-MO-1 (indicators T-MO-1.1, T-MO-1.2) and T-MO-2 (T-MO-2.1,
T-MO-2.2). T-SAFE (10 h, 12 months) covers T-MO-1.*; T-CNC (20 h, needs T-SAFE) covers
T-MO-2.1. T-MO-2.2 is covered by no credential: only PLAR meets it. Rules:
``any(all(T-SAFE, T-CNC, min_hours 25, covers T-MO 1.0), equivalent(TX-2015, X-CPT))`` with
a required sign-off. X-CPT = T-MO is declared exact; X-CLT is only related (proposed).
Every factory commits, as `tests/factories.py` does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from pathways.accounts import services
from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.catalog.enums import AssociationStatus
from pathways.catalog.enums import CaseType
from pathways.catalog.enums import FrameworkStatus
from pathways.catalog.enums import ItemKind
from pathways.catalog.enums import Relation
from pathways.catalog.enums import VersionStatus
from pathways.catalog.models import Alignment
from pathways.catalog.models import Association
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import Crosswalk
from pathways.catalog.models import Framework
from pathways.catalog.models import MicroCredential
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.models import Prerequisite
from pathways.catalog.models import RuleFile
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.records import services as record_services
from pathways.records.models import Award
from tests.factories import make_organisation
from tests.factories import make_user

RULES = {
    "kind": "stacking_rules",
    "framework": "test-ill",
    "occupation": "T-MO",
    "version": 1,
    "illustrative": True,
    "title": {"en": "Test Machine Operator (illustrative)", "fr": "Opérateur test (illustratif)"},
    "requires_signoff": True,
    "rule": {
        "any": [
            {
                "all": [
                    {"credential": "T-SAFE"},
                    {"credential": "T-CNC"},
                    {"min_hours": {"hours": 25}},
                    {"covers": {"items": ["T-MO"], "fraction": 1.0}},
                ]
            },
            {"equivalent": {"crosswalk": "TX-2015", "credential": "X-CPT"}},
        ]
    },
}
NOTICE = {"en": "Illustrative test outline, not an official standard.", "fr": "Illustratif."}


@dataclass
class World:
    college: Organisation
    employer: Organisation
    learner: User
    assessor: User
    versions: dict[str, MicroCredentialVersion]


def _uuid() -> str:
    return str(uuid.uuid4())


def _item(framework, code, kind, parent=None, position=0) -> CompetencyItem:
    item = CompetencyItem(
        framework=framework,
        uuid=_uuid(),
        code=code,
        kind=kind,
        parent=parent,
        position=position,
        title={"en": f"Title of {code}", "fr": f"Titre de {code}"},
    )
    db.session.add(item)
    return item


def make_catalog(college: Organisation) -> dict[str, MicroCredentialVersion]:
    """The frameworks, crosswalk, micro-credentials and rule file; returns versions by code."""
    with transaction():
        ill = Framework(
            identifier="test-ill",
            uuid=_uuid(),
            title={"en": "Test illustrative framework"},
            is_illustrative=True,
            notice=NOTICE,
            status=FrameworkStatus.PUBLISHED,
        )
        mssc = Framework(
            identifier="test-mssc",
            uuid=_uuid(),
            title={"en": "Test MSSC"},
            status=FrameworkStatus.PUBLISHED,
        )
        db.session.add_all([ill, mssc])
        occupation = _item(ill, "T-MO", ItemKind.OCCUPATION)
        items = {"T-MO": occupation}
        for area_number in (1, 2):
            area = _item(ill, f"T-MO-{area_number}", ItemKind.AREA, occupation, area_number)
            items[area.code] = area
            for number in (1, 2):
                code = f"T-MO-{area_number}.{number}"
                items[code] = _item(ill, code, ItemKind.INDICATOR, area, number)
        cpt = _item(mssc, "X-CPT", ItemKind.CERTIFICATION)
        clt = _item(mssc, "X-CLT", ItemKind.CERTIFICATION, position=1)
        cpt.credential = {"validity_years": 5}
        clt.credential = {"validity_years": 5}
        crosswalk = Crosswalk(name="TX-2015", uuid=_uuid(), title={"en": "Test crosswalk"})
        db.session.add(crosswalk)
        db.session.flush()
        for origin, relation, case_type, status in (
            (cpt, Relation.EXACT, CaseType.EXACT_MATCH_OF, AssociationStatus.DECLARED),
            (clt, Relation.RELATED, CaseType.IS_RELATED_TO, AssociationStatus.PROPOSED),
        ):
            db.session.add(
                Association(
                    uuid=_uuid(),
                    origin_id=origin.id,
                    destination_id=occupation.id,
                    case_type=case_type,
                    relation=relation,
                    status=status,
                    grouping="TX-2015",
                    crosswalk_id=crosswalk.id,
                )
            )
        versions = {}
        for code, hours, aligned, months in (
            ("T-SAFE", 10, ["T-MO-1.1", "T-MO-1.2"], 12),
            ("T-CNC", 20, ["T-MO-2.1"], None),
        ):
            credential = MicroCredential(code=code, issuing_organisation_id=college.id)
            version = MicroCredentialVersion(
                credential=credential,
                number=1,
                status=VersionStatus.PUBLISHED,
                title={"en": f"{code} course", "fr": f"Cours {code}"},
                effort_hours=hours,
                validity_months=months,
                published_at=utcnow(),
            )
            db.session.add_all([credential, version])
            db.session.flush()
            for outcome, item_code in enumerate(aligned):
                db.session.add(
                    Alignment(
                        version_id=version.id, item_id=items[item_code].id, outcome=f"O{outcome}"
                    )
                )
            versions[code] = version
        db.session.add(
            Prerequisite(
                version_id=versions["T-CNC"].id,
                required_id=versions["T-SAFE"].credential_id,
            )
        )
        db.session.add(
            RuleFile(framework="test-ill", occupation_code="T-MO", version=1, data=RULES)
        )
    return versions


def make_world() -> World:
    """A college and an employer; a learner of both; an assessor at the employer."""
    college = make_organisation(OrganisationKind.COLLEGE)
    employer = make_organisation(OrganisationKind.EMPLOYER)
    learner = make_user(Role.LEARNER, organisation=college, name="Ana Learner")
    with transaction():
        services.add_membership(learner, employer, Role.LEARNER)
    assessor = make_user(Role.ASSESSOR, organisation=employer, name="Ash Assessor")
    versions = make_catalog(college)
    return World(college, employer, learner, assessor, versions)


def award(
    user: User,
    version: MicroCredentialVersion,
    *,
    issued_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
) -> Award:
    """An award as the records service makes one: the hooks run in the same transaction."""
    with transaction():
        row = Award(
            user_id=user.id,
            micro_credential_version_id=version.id,
            issued_at=issued_at or utcnow(),
            expires_at=expires_at,
            basis={"test": True},
        )
        db.session.add(row)
        db.session.flush()
        for hook in record_services.AWARD_HOOKS:
            hook(row.user, row)
    return row


def revoke(row: Award, reason: str = "test revocation") -> None:
    with transaction():
        row = db.session.get(Award, row.id)
        row.revoked_at = utcnow()
        row.revocation_reason = reason
        db.session.flush()
        for hook in record_services.AWARD_HOOKS:
            hook(row.user, row)
