"""What each role's dashboard shows: one panel per role the user holds.

Feature packages add their panels to `PANEL_PROVIDERS`; each provider takes the
user and returns panels (title, items, links) or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from pathways.accounts.enums import Role
from pathways.accounts.models import User
from pathways.catalog import queries as catalog_queries
from pathways.catalog.enums import VersionStatus
from pathways.catalog.models import MicroCredential
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.models import VersionPartner
from pathways.db import db
from pathways.errors import NotFound
from pathways.stacking import queries as stacking
from pathways.stacking import services as stacking_services


@dataclass
class Link:
    label: str
    url: str


@dataclass
class Panel:
    title: str
    role: str
    text: str = ""
    links: list[Link] = field(default_factory=list)


def _admin_panel(user: User) -> list[Panel]:
    panels = []
    for membership in user.memberships:
        if membership.role in (Role.COLLEGE_ADMIN, Role.PLATFORM_ADMIN):
            organisation = membership.organisation
            panels.append(
                Panel(
                    title=str(_l("Administer %(name)s", name=organisation.name)),
                    role=membership.role.value,
                    links=[
                        Link(
                            str(_l("Members and invitations")),
                            url_for("accounts.manage_members", code=organisation.code),
                        ),
                        Link(
                            str(_l("API clients and LMS connections")),
                            url_for("accounts.manage_api_clients", code=organisation.code),
                        ),
                        Link(
                            str(_l("Issued credentials")),
                            url_for(
                                "credentials.list_credentials",
                                org=organisation.code
                                if membership.role is Role.COLLEGE_ADMIN
                                else None,
                            ),
                        ),
                    ],
                )
            )
    return panels


ROLE_INTRO = {
    Role.LEARNER: _l("Follow your pathways toward an occupational certification."),
    Role.COLLEGE_EDITOR: _l("Draft and publish your college's micro-credentials."),
    Role.PARTNER_REVIEWER: _l("Review and endorse the micro-credentials you co-design."),
    Role.ASSESSOR: _l("Record work-based assessments for your candidates."),
    Role.EMPLOYER_VERIFIER: _l("Verify the credentials candidates share with you."),
    Role.PLATFORM_ADMIN: _l("Manage organisations, users and integrations."),
}

ROLE_TITLES = {
    Role.LEARNER: _l("Learner"),
    Role.COLLEGE_EDITOR: _l("College editor"),
    Role.COLLEGE_ADMIN: _l("College administrator"),
    Role.PARTNER_REVIEWER: _l("Industry partner reviewer"),
    Role.ASSESSOR: _l("Assessor"),
    Role.EMPLOYER_VERIFIER: _l("Employer verifier"),
    Role.PLATFORM_ADMIN: _l("Platform administrator"),
}


def _role_panels(user: User) -> list[Panel]:
    roles = sorted(user.roles, key=lambda r: list(Role).index(r)) or [Role.LEARNER]
    return [
        Panel(title=str(ROLE_TITLES[role]), role=role.value, text=str(ROLE_INTRO.get(role, "")))
        for role in roles
        if role in ROLE_INTRO
    ]


def _catalog_panels(user: User) -> list[Panel]:
    """College editors: their college's micro-credentials by state; partner reviewers: the
    drafts and reviews their organisation is invited to."""
    panels = []
    for organisation in user.organisations_where(Role.COLLEGE_EDITOR):
        counts = dict(
            db.session.execute(
                sa.select(MicroCredentialVersion.status, sa.func.count())
                .join(MicroCredentialVersion.credential)
                .where(MicroCredential.issuing_organisation_id == organisation.id)
                .group_by(MicroCredentialVersion.status)
            ).all()
        )
        panels.append(
            Panel(
                title=str(_l("Micro-credentials of %(name)s", name=organisation.name)),
                role=Role.COLLEGE_EDITOR.value,
                text=str(
                    _l(
                        "%(drafts)d draft(s), %(review)d in review, %(published)d published, "
                        "%(retired)d retired.",
                        drafts=counts.get(VersionStatus.DRAFT, 0),
                        review=counts.get(VersionStatus.IN_REVIEW, 0),
                        published=counts.get(VersionStatus.PUBLISHED, 0),
                        retired=counts.get(VersionStatus.RETIRED, 0),
                    )
                ),
                links=[
                    Link(
                        str(_l("Open the college dashboard")), url_for("catalog.college_dashboard")
                    ),
                    Link(str(_l("New micro-credential")), url_for("catalog.create_draft")),
                ],
            )
        )
    partner_ids = [org.id for org in user.organisations_where(Role.PARTNER_REVIEWER)]
    if partner_ids:
        versions = db.session.scalars(
            sa.select(MicroCredentialVersion)
            .join(VersionPartner, VersionPartner.version_id == MicroCredentialVersion.id)
            .where(
                VersionPartner.organisation_id.in_(partner_ids),
                MicroCredentialVersion.status.in_([VersionStatus.DRAFT, VersionStatus.IN_REVIEW]),
            )
            .order_by(MicroCredentialVersion.id)
        ).unique()
        links = [
            Link(
                f"{version.credential.code} v{version.number}",
                url_for("catalog.review_version", version_id=version.id),
            )
            for version in versions
        ]
        panels.append(
            Panel(
                title=str(_l("Micro-credentials to review")),
                role=Role.PARTNER_REVIEWER.value,
                text="" if links else str(_l("Nothing to review yet.")),
                links=[
                    *links,
                    Link(str(_l("All your reviews")), url_for("catalog.partner_reviews")),
                ],
            )
        )
    return panels


def _next_step(user_id: int, code: str, locale: str, context) -> str:
    """The next step of a learner's pathway, in words ("" when the pathway has no rules)."""
    try:
        data = stacking_services.pathway(user_id, code, locale=locale, context=context)
    except NotFound:
        return ""
    if data["satisfied"]:
        return str(_l("requirements met"))
    if data["awaiting_signoff"]:
        return str(_l("next step: the workplace sign-off"))
    if data["next_steps"]:
        step = data["next_steps"][0]
        return str(_l("next step: %(code)s %(title)s", code=step["code"], title=step["title"]))
    if data["workplace_assessment"]:
        return str(_l("next step: a workplace assessment"))
    return ""


def _pathway_panels(user: User) -> list[Panel]:
    """Learners: their target occupations and progress. Assessors: what awaits sign-off."""
    panels = []
    if user.has_role(Role.LEARNER):
        outcomes = stacking.outcomes_of(user.id)
        targets = stacking.targets_of(user.id)
        titles = catalog_queries.occupation_titles(targets)
        locale = str(get_locale() or "en")
        context = stacking.load_context() if targets else None
        links = []
        for code in targets:
            outcome = outcomes.get(code)
            title = titles.get(code, {})
            name = title.get(locale) or title.get("en") or code
            progress = f" ({round(outcome.progress * 100)} %)" if outcome else ""
            step = _next_step(user.id, code, locale, context)
            links.append(
                Link(
                    f"{name}{progress}" + (f" — {step}" if step else ""),
                    url_for("stacking.show_pathway", occupation_code=code),
                )
            )
        links.append(Link(str(_l("Choose occupations")), url_for("stacking.list_pathways")))
        panels.append(
            Panel(
                title=str(_l("My pathways")),
                role=Role.LEARNER.value,
                text="" if len(links) > 1 else str(_l("You have not chosen an occupation yet.")),
                links=links,
            )
        )
    if user.has_role(Role.ASSESSOR):
        waiting = len(stacking.awaiting_assessment_for(user))
        panels.append(
            Panel(
                title=str(_l("Assessments")),
                role=Role.ASSESSOR.value,
                text=str(_l("%(count)d certification(s) await your sign-off.", count=waiting)),
                links=[
                    Link(str(_l("Open the assessment queue")), url_for("stacking.assessment_queue"))
                ],
            )
        )
    return panels


PANEL_PROVIDERS: list[Callable[[User], list[Panel]]] = [
    _role_panels,
    _admin_panel,
    _catalog_panels,
    _pathway_panels,
]


def dashboard_panels(user: User) -> list[Panel]:
    return [panel for provider in PANEL_PROVIDERS for panel in provider(user)]
