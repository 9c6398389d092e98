"""What each role's dashboard shows: one panel per role the user holds.

Feature packages add their panels to `PANEL_PROVIDERS`; each provider takes the
user and returns panels (title, items, links) or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

from flask import url_for
from flask_babel import lazy_gettext as _l

from pathways.accounts.enums import Role
from pathways.accounts.models import User


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


PANEL_PROVIDERS: list[Callable[[User], list[Panel]]] = [_role_panels, _admin_panel]


def dashboard_panels(user: User) -> list[Panel]:
    return [panel for provider in PANEL_PROVIDERS for panel in provider(user)]
