"""Names and Role Provisioning Services 2.0: read a course roster and enrol the cohort.

The roster is paged with `Link: <...>; rel="next"`. Member roles come as full URIs or as
short names (`Learner`); `claims.normalise_role` accepts both. Members are provisioned
as a launch would (linked by (issuer, user_id), email only when the platform is trusted)
and get the mapped memberships in the registration's college.

Reading the roster (`fetch_roster`, network only) and enrolling it (`apply_roster`,
database only) are separate steps: `calls.sync_roster` runs them with no transaction
open while the LMS answers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from pathways.db import db
from pathways.db import utcnow
from pathways.errors import Invalid
from pathways.lti import ags
from pathways.lti import claims
from pathways.lti import services
from pathways.lti.models import LtiContext

log = logging.getLogger(__name__)

MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 200


@dataclass(frozen=True)
class RosterSync:
    members: int
    inactive: int
    pages: int


@dataclass(frozen=True)
class RosterSource:
    """A course's membership URL and the access to reach it."""

    access: ags.ServiceAccess
    memberships_url: str


def roster_source(context: LtiContext) -> RosterSource:
    """:raises Invalid: the course did not grant Pathways its roster."""
    if context.platform is None or not context.memberships_url:
        raise Invalid("This course did not grant Pathways access to its roster.", code="no_nrps")
    return RosterSource(ags.ServiceAccess.of(context.platform), context.memberships_url)


def fetch_roster(url: str, bearer: str) -> tuple[list[dict], int]:
    """Every member of the course, following rel="next" (network only).

    :raises ServiceFailed:
    """
    members: list[dict] = []
    next_url: str | None = url
    pages = 0
    while next_url is not None and pages < MAX_PAGES:
        answer = ags.get_json(next_url, bearer, accept=MEMBERSHIP_TYPE)
        if not answer.ok:
            raise ags.ServiceFailed(
                f"the roster answered HTTP {answer.status}", code="roster_failed"
            )
        try:
            page = answer.json()
        except ValueError as error:
            raise ags.ServiceFailed("the roster is not JSON", code="roster_failed") from error
        pages += 1
        found = page.get("members") if isinstance(page, dict) else None
        members.extend(m for m in (found or []) if isinstance(m, dict))
        next_url = ags.next_link(answer.headers.get("link"))
    return members, pages


def _text(member: dict, name: str) -> str | None:
    value = member.get(name)
    return value if isinstance(value, str) else None


def apply_roster(
    context: LtiContext, members: list[dict], pages: int, *, now: datetime | None = None
) -> RosterSync:
    """Enrol every roster member in the cohort (inactive/deleted members kept inactive)."""
    now = now or utcnow()
    platform = context.platform
    active = inactive = 0
    for member in members:
        user_id = member.get("user_id")
        if not isinstance(user_id, str) or not user_id.strip():
            continue
        raw_roles = [r for r in member.get("roles") or [] if isinstance(r, str) and r.strip()]
        roles = list(dict.fromkeys(claims.normalise_role(r) for r in raw_roles))
        user = services.provision_user(
            provider="lti",
            issuer=platform.issuer,
            subject=user_id,
            email=_text(member, "email"),
            name=_text(member, "name"),
            given_name=_text(member, "given_name"),
            family_name=_text(member, "family_name"),
            trusts_email=platform.trusts_email,
        )
        is_active = str(member.get("status", "Active")).lower() == "active"
        if is_active:
            services.grant_roles(user, platform, claims.role_kinds(roles))
            active += 1
        else:
            inactive += 1
        services.enrol(context, user, roles, source="roster", is_active=is_active)
    context.roster_synced_at = now
    db.session.flush()
    log.info("lti roster synced", extra={"context": context.id, "members": active})
    return RosterSync(active, inactive, pages)
