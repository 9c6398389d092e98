"""Outgoing calls to LMS platforms, each in steps: read what the call needs in a short
transaction and commit, call the platform with no transaction open, then record the
answer in a new transaction.

A platform may take seconds to answer, and may call Pathways back meanwhile (Moodle
marks an activity complete on a grade and sends its `completed` statement at once): a
transaction held across the call would keep SQLite's write lock, or PostgreSQL's row
locks and a connection, for as long as the LMS takes. `http.request` refuses to run
inside a transaction, so a call site that forgets is caught by the first test that
drives it.

These functions are boundaries, like an endpoint or a job: they commit (several times),
so callers must not be inside a transaction of their own with work to keep.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pathways.accounts.models import User
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.lti import ags
from pathways.lti import claims
from pathways.lti import keys
from pathways.lti import lti11
from pathways.lti import nrps
from pathways.lti import oidc
from pathways.lti import queries
from pathways.lti import registration
from pathways.lti import services
from pathways.lti.claims import LaunchRefused
from pathways.lti.models import LtiGradeLink

log = logging.getLogger(__name__)


# --- service tokens -------------------------------------------------------------------------


class Tokens:
    """Bearer tokens for one run of calls: the database cache, then the platform.

    A token found or fetched once is reused for the rest of the run without asking the
    database again.
    """

    def __init__(self) -> None:
        self._known: dict[tuple[int, str], str] = {}

    def bearer(self, access: ags.ServiceAccess, scopes) -> str:
        """:raises ServiceFailed: the token URL is unreachable or refused."""
        scope = ags.scope_key(scopes)
        known = self._known.get((access.platform_id, scope))
        if known is not None:
            return known
        with transaction():
            token = ags.cached_token(access.platform_id, scope)
            assertion = None if token is not None else ags.token_assertion(access)
        if token is None:
            issued = ags.request_token(access, scope, assertion)
            with transaction():
                ags.save_token(access.platform_id, scope, issued)
            token = issued.token
        self._known[(access.platform_id, scope)] = token
        return token


# --- the grade outbox -----------------------------------------------------------------------


def deliver_outbox(*, now: datetime | None = None, limit: int = ags.BATCH) -> dict[str, int]:
    """Send the outbox rows that are due; returns counts {sent, retry, failed}.

    The rows are claimed and committed first (`ags.claim_due`), each is sent with no
    transaction open, and each outcome is recorded in its own transaction at once, so a
    crash mid-batch resends at most the row being sent (after its lease).
    """
    now = now or utcnow()
    with transaction():
        claimed = ags.claim_due(now=now, limit=limit)
    tokens = Tokens()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for grade in claimed:
        error = None
        try:
            bearer = tokens.bearer(grade.access, grade.scopes) if grade.scopes else None
            ags.send_grade(grade, bearer)
        except Exception as failure:  # noqa: BLE001 -- any failure is retried; one row never stops the batch
            error = f"{type(failure).__name__}: {failure}"
        with transaction():
            counts[ags.record_outcome(grade.id, error, now=now)] += 1
    return counts


# --- line items and rosters (an instructor's requests) -------------------------------------------


def list_line_items(context_pk: int, actor: User) -> list[dict[str, Any]]:
    """The course's gradebook line items. :raises Forbidden, Invalid, ServiceFailed:"""
    with transaction():
        context = queries.get_context(context_pk)
        services.require_instructor(context, actor)
        gradebook = ags.gradebook_of(context)
    bearer = Tokens().bearer(gradebook.access, (claims.AGS_SCOPE_LINEITEM,))
    return ags.get_line_items(gradebook.lineitems_url, bearer)


def create_line_item(context_pk: int, actor: User, **item: Any) -> dict[str, Any]:
    """Create a gradebook column in the course. :raises Forbidden, Invalid, ServiceFailed:"""
    with transaction():
        context = queries.get_context(context_pk)
        services.require_instructor(context, actor)
        gradebook = ags.gradebook_of(context)
        ags.check_line_item(item["label"], item["score_maximum"])
    bearer = Tokens().bearer(gradebook.access, (claims.AGS_SCOPE_LINEITEM,))
    return ags.post_line_item(gradebook.lineitems_url, bearer, **item)


def sync_roster(context_pk: int, actor: User | None) -> nrps.RosterSync:
    """Read the course roster (NRPS) and enrol the cohort; `actor` None is the operator.

    :raises Forbidden, Invalid, ServiceFailed:
    """
    with transaction():
        context = queries.get_context(context_pk)
        if actor is not None:
            services.require_instructor(context, actor)
        source = nrps.roster_source(context)
    bearer = Tokens().bearer(source.access, (claims.NRPS_SCOPE,))
    members, pages = nrps.fetch_roster(source.memberships_url, bearer)
    with transaction():
        return nrps.apply_roster(queries.get_context(context_pk), members, pages)


# --- platform keys (before a launch) ------------------------------------------------------------


def ensure_platform_keys(state: str | None, id_token: str | None) -> None:
    """Fetch the launching platform's JWKS when the launch will need it (missing, stale,
    or without the token's `kid`), and cache it; the launch then verifies with what is
    cached and calls nobody.

    Nothing is consumed: an unknown state or a malformed token is left for the launch to
    refuse. A fetch that fails is no refusal when the cached keys still hold the kid.

    :raises LaunchRefused: ``jwks_unavailable`` and no usable cached key.
    """
    try:
        kid = keys.unverified_header(id_token or "").get("kid")
    except LaunchRefused:
        return
    with transaction():
        platform = oidc.pending_platform(state)
        if platform is None or not keys.needs_jwks(platform, kid):
            return
        platform_id, jwks_url = platform.id, platform.jwks_url
        has_kid = platform.jwks_cache is not None and kid in keys.cached_kids(platform)
    try:
        document = keys.fetch_jwks(jwks_url)
    except LaunchRefused:
        if has_kid:
            log.warning(
                "platform JWKS refetch failed; cached keys used", extra={"platform": platform_id}
            )
            return
        raise
    with transaction():
        keys.store_jwks(queries.get_platform(platform_id), document)


# --- dynamic registration ---------------------------------------------------------------------


@dataclass(frozen=True)
class DynamicRegistration:
    organisation_name: str
    platform_name: str


def register_dynamically(
    link_token: str, openid_configuration: str, registration_token: str | None
) -> DynamicRegistration:
    """The tool side of LTI Dynamic Registration: check the registration link, read the
    platform's configuration and register with it (no transaction open), then store the
    platform (disabled until approved) and use the link up.

    :raises Invalid: the registration link is invalid, used or expired.
    :raises RegistrationFailed: the platform's configuration or answer is unusable.
    """
    with transaction():
        registration.open_registration_link(link_token)
    config = registration.discover(openid_configuration, registration_token)
    reply = registration.post_registration(
        config, registration_token, registration.tool_client_registration()
    )
    with transaction():
        link = registration.open_registration_link(link_token)
        registered = registration.store_registration(link, config, reply)
        return DynamicRegistration(link.organisation.name, registered.platform.name)


# --- LTI 1.1 results --------------------------------------------------------------------------


def read_result(grade_id: int) -> float | None:
    """The score an LTI 1.1 platform holds for one grade link (None if unset).

    :raises OutcomeFailed: no outcome service, or the platform refused.
    """
    with transaction():
        grade = db.session.get(LtiGradeLink, grade_id)
        if grade is None:
            raise lti11.OutcomeFailed("no such grade link")
        target = lti11.outcome_target(grade)
    return lti11.read_result(target)
