"""Catalog factories: each commits (see tests/factories.py)."""

from __future__ import annotations

import itertools
import uuid

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.catalog import services
from pathways.catalog.enums import ItemKind
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import Framework
from pathways.db import db
from pathways.db import transaction
from tests.factories import make_organisation
from tests.factories import make_user

_seq = itertools.count(1)


def text(en: str, fr: str | None = None) -> dict[str, str]:
    return {"en": en, "fr": fr or f"{en} (fr)"}


def make_framework(identifier: str | None = None) -> Framework:
    """A small published framework: occupation > area > competency > two indicators."""
    n = next(_seq)
    identifier = identifier or f"fw-{n}"
    with transaction():
        framework = Framework(
            identifier=identifier,
            uuid=str(uuid.uuid4()),
            title=text(f"Framework {n}"),
            description=text("A test framework"),
            publisher="test",
            version="1",
            languages=["en", "fr"],
        )
        db.session.add(framework)
        db.session.flush()
        parent = None
        for code, kind in (
            (f"T{n}", ItemKind.OCCUPATION),
            (f"T{n}-1", ItemKind.AREA),
            (f"T{n}-1.1", ItemKind.COMPETENCY),
        ):
            parent = CompetencyItem(
                framework_id=framework.id,
                uuid=str(uuid.uuid4()),
                code=code,
                kind=kind,
                parent_id=parent.id if parent else None,
                title=text(f"Item {code}"),
            )
            db.session.add(parent)
            db.session.flush()
        for index in (1, 2):
            db.session.add(
                CompetencyItem(
                    framework_id=framework.id,
                    uuid=str(uuid.uuid4()),
                    code=f"T{n}-1.1.{index}",
                    kind=ItemKind.INDICATOR,
                    parent_id=parent.id,
                    position=index,
                    title=text(f"Indicator {index}"),
                )
            )
    return framework


def complete_changes(framework: Framework) -> dict:
    """Every publish-gate field an author types (partners and endorsement come separately)."""
    n = framework.identifier.split("-")[-1]
    return {
        "title": text("Lockout basics", "Cadenassage de base"),
        "description": text("Holders lock out machines safely.", "Sécurité du cadenassage."),
        "outcomes": [{"id": "O1", "text": text("Locks out a machine")}],
        "alignments": [{"framework": framework.identifier, "item": f"T{n}-1.1.1", "outcome": "O1"}],
        "assessment_methods": [
            {"method": "observation", "weight_percent": 100, "description": text("Observed")}
        ],
        "evidence": text("Checklist"),
        "pass_standard": text("All steps"),
        "assessor": text("College assessor"),
        "challenge_route": {"is_available": True, "description": text("By PLAR")},
        "effort_hours": 10,
        "duration_weeks": 2,
        "delivery_mode": "hybrid",
        "languages": ["en", "fr"],
        "level": "entry",
        "credit_value": "none",
        "prerequisites": "none",
        "stacks_into": "standalone",
        "validity_months": None,
        "validity_recency": text("None"),
        "verification": {
            "format": "open_badges_3",
            "has_status_list": True,
            "statement": text("Signed"),
        },
        "ownership_statement": text("The earner owns it."),
        "modules": [
            {
                "code": f"M{n}",
                "title": text("Module"),
                "effort_hours": 10,
                "xapi_activity_ids": [f"https://lms.example/activities/m{n}"],
            }
        ],
    }


class Cast:
    """A college with two editors, a partner with a reviewer, and outsiders."""

    def __init__(self) -> None:
        self.college = make_organisation(OrganisationKind.COLLEGE)
        self.author = make_user(Role.COLLEGE_EDITOR, organisation=self.college)
        self.publisher = make_user(Role.COLLEGE_EDITOR, organisation=self.college)
        self.partner = make_organisation(OrganisationKind.INDUSTRY_PARTNER)
        self.reviewer = make_user(Role.PARTNER_REVIEWER, organisation=self.partner)
        self.other_college = make_organisation(OrganisationKind.COLLEGE)
        self.outsider_editor = make_user(Role.COLLEGE_EDITOR, organisation=self.other_college)
        self.learner = make_user(Role.LEARNER, organisation=self.college)
        self.framework = make_framework()

    def draft(self, code: str | None = None, *, complete: bool = True):
        with transaction():
            version = services.create_draft(
                code or f"MC-{next(_seq)}",
                self.college.code,
                complete_changes(self.framework) if complete else {},
                actor=self.author,
            )
        return version

    def ready_for_review(self, code: str | None = None):
        """A complete draft with the partner invited as co-designer and endorsing, in review."""
        version = self.draft(code)
        with transaction():
            services.invite_partner(version.id, self.partner.code, "co_designer", actor=self.author)
        with transaction():
            services.endorse(version.id, text("Confirms the content"), actor=self.reviewer)
        with transaction():
            services.submit_for_review(version.id, actor=self.author)
        return version

    def published(self, code: str | None = None):
        version = self.ready_for_review(code)
        with transaction():
            services.publish(version.id, actor=self.publisher)
        return version
