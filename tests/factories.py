"""Factories for tests: each commits, so the rows survive the app's own transactions."""

from __future__ import annotations

import itertools

from pathways.accounts import services
from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.db import transaction

PASSWORD = "correct horse battery"
_seq = itertools.count(1)

KIND_FOR_ROLE = {
    Role.LEARNER: OrganisationKind.COLLEGE,
    Role.COLLEGE_EDITOR: OrganisationKind.COLLEGE,
    Role.COLLEGE_ADMIN: OrganisationKind.COLLEGE,
    Role.PARTNER_REVIEWER: OrganisationKind.INDUSTRY_PARTNER,
    Role.ASSESSOR: OrganisationKind.EMPLOYER,
    Role.EMPLOYER_VERIFIER: OrganisationKind.EMPLOYER,
    Role.PLATFORM_ADMIN: OrganisationKind.PLATFORM,
}


def make_organisation(
    kind: OrganisationKind = OrganisationKind.COLLEGE,
    code: str | None = None,
    name: str | None = None,
) -> Organisation:
    n = next(_seq)
    with transaction():
        return services.create_organisation(code or f"org-{n}", name or f"Organisation {n}", kind)


def make_user(
    role: Role | None = None,
    *,
    organisation: Organisation | None = None,
    email: str | None = None,
    password: str = PASSWORD,
    name: str = "",
) -> User:
    n = next(_seq)
    with transaction():
        user = services.create_user(
            email or f"user{n}@example.com", password, display_name=name or f"User {n}"
        )
    if role is not None:
        organisation = organisation or make_organisation(KIND_FOR_ROLE[role])
        with transaction():
            services.add_membership(user, organisation, role)
    return user


def make_api_client(organisation: Organisation | None = None, scopes=("xapi:write",), name="LMS"):
    organisation = organisation or make_organisation()
    with transaction():
        return services.create_api_client(organisation, name, list(scopes), actor=None)
