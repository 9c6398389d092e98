"""Names and Role Provisioning Services 2.0: read a course roster and enrol the cohort.

The roster is paged with `Link: <...>; rel="next"`. Member roles come as full URIs or as
short names (`Learner`); `claims.normalise_role` accepts both. Members are provisioned
as a launch would (linked by (issuer, user_id), email only when the platform is trusted)
and get the mapped memberships in the registration's college.
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


def fetch_roster(context: LtiContext) -> tuple[list[dict], int]:
    """Every member of the course, following rel="next". :raises ServiceFailed, Invalid:"""
    if context.platform is None or not context.memberships_url:
        raise Invalid("This course did not grant Pathways access to its roster.", code="no_nrps")
    members: list[dict] = []
    url: str | None = context.memberships_url
    pages = 0
    while url is not None and pages < MAX_PAGES:
        answer = ags.service_call(
            context.platform, "GET", url, (claims.NRPS_SCOPE,), accept=MEMBERSHIP_TYPE
        )
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
        url = ags.next_link(answer.headers.get("link"))
    return members, pages


def sync_roster(context: LtiContext, *, now: datetime | None = None) -> RosterSync:
    """Enrol every roster member in the cohort (inactive/deleted members kept inactive)."""
    now = now or utcnow()
    platform = context.platform
    members, pages = fetch_roster(context)
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
            email=member.get("email") if isinstance(member.get("email"), str) else None,
            name=member.get("name") if isinstance(member.get("name"), str) else None,
            given_name=member.get("given_name")
            if isinstance(member.get("given_name"), str)
            else None,
            family_name=member.get("family_name")
            if isinstance(member.get("family_name"), str)
            else None,
            trusts_email=platform.trusts_email,
        )
        is_active = str(member.get("status", "Active")).lower() == "active"
        if is_active:
            services.grant_roles(user, platform.organisation, claims.map_roles(roles))
            active += 1
        else:
            inactive += 1
        services.enrol(context, user, roles, source="roster", is_active=is_active)
    context.roster_synced_at = now
    db.session.flush()
    log.info("lti roster synced", extra={"context": context.id, "members": active})
    return RosterSync(active, inactive, pages)
