"""Roles, organisation kinds and API scopes."""

from __future__ import annotations

import enum


class OrganisationKind(enum.StrEnum):
    COLLEGE = "college"
    INDUSTRY_PARTNER = "industry_partner"
    EMPLOYER = "employer"
    STANDARDS_BODY = "standards_body"
    PLATFORM = "platform"


class Role(enum.StrEnum):
    LEARNER = "learner"
    COLLEGE_EDITOR = "college_editor"
    COLLEGE_ADMIN = "college_admin"
    PARTNER_REVIEWER = "partner_reviewer"
    ASSESSOR = "assessor"
    EMPLOYER_VERIFIER = "employer_verifier"
    PLATFORM_ADMIN = "platform_admin"


# Roles an organisation admin of that kind may grant; platform admins grant any.
ROLES_BY_KIND: dict[OrganisationKind, tuple[Role, ...]] = {
    OrganisationKind.COLLEGE: (
        Role.LEARNER,
        Role.COLLEGE_EDITOR,
        Role.COLLEGE_ADMIN,
        Role.ASSESSOR,
    ),
    OrganisationKind.INDUSTRY_PARTNER: (Role.PARTNER_REVIEWER, Role.COLLEGE_ADMIN, Role.ASSESSOR),
    OrganisationKind.EMPLOYER: (
        Role.EMPLOYER_VERIFIER,
        Role.ASSESSOR,
        Role.LEARNER,
        Role.COLLEGE_ADMIN,
    ),
    OrganisationKind.STANDARDS_BODY: (Role.PARTNER_REVIEWER, Role.COLLEGE_ADMIN),
    OrganisationKind.PLATFORM: (Role.PLATFORM_ADMIN,),
}

# Roles that administer their organisation (members, API clients).
ADMIN_ROLES = frozenset({Role.COLLEGE_ADMIN, Role.PLATFORM_ADMIN})


class Scope(enum.StrEnum):
    XAPI_WRITE = "xapi:write"
    XAPI_READ = "xapi:read"
    XAPI_READ_OWN = "xapi:read:own"
    # Read every organisation's statements: only a client of the platform's organisation.
    XAPI_READ_ALL = "xapi:read:all"
    CATALOG_READ = "catalog:read"
    CATALOG_WRITE = "catalog:write"
    RECORDS_READ = "records:read"
    # Revoke, suspend and reinstate the organisation's issued credentials: never a default.
    CREDENTIALS_WRITE = "credentials:write"
    LTI_ADMIN = "lti:admin"
