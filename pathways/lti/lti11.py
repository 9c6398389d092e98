"""LTI 1.1 over HTTP: the launch (`POST /lti/1.1/launch`) and Basic Outcomes calls.

The OAuth 1.0a maths is `oauth1.verify_lti11_launch`; this module supplies the consumer
secrets (stored encrypted), the nonce table (replay within the timestamp window) and the
provisioning shared with LTI 1.3. Outcomes (replaceResult, deleteResult) go through the
outbox; readResult is a direct call (`calls.read_result`, outside any transaction).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pathways.accounts.models import User
from pathways.db import db
from pathways.db import utcnow
from pathways.lti import http
from pathways.lti import pox
from pathways.lti import queries
from pathways.lti import services
from pathways.lti.keys import decrypt_secret
from pathways.lti.launch import resolve_target
from pathways.lti.models import Lti11Consumer
from pathways.lti.models import Lti11Nonce
from pathways.lti.models import LtiContext
from pathways.lti.models import LtiGradeLink
from pathways.lti.models import LtiOutbox
from pathways.lti.oauth1 import Lti11Launch
from pathways.lti.oauth1 import sign_outcome_request
from pathways.lti.oauth1 import verify_lti11_launch

log = logging.getLogger(__name__)

WINDOW = 300  # seconds either side of now an oauth_timestamp may be


@dataclass(frozen=True)
class Lti11Result:
    user: User
    consumer: Lti11Consumer
    launch: Lti11Launch
    cohort: LtiContext | None
    target: tuple[str, str] | None
    is_new_account: bool = False
    email_taken: bool = False


def _secret_lookup(consumer_key: str) -> str | None:
    consumer = queries.consumer_by_key(consumer_key)
    if consumer is None or not consumer.is_enabled:
        return None
    return decrypt_secret(consumer.secret_encrypted)


def _nonce_seen(now: datetime):
    def seen(consumer_key: str, nonce: str, timestamp: int) -> bool:
        exists = db.session.scalar(
            sa.select(Lti11Nonce.id).filter_by(consumer_key=consumer_key, nonce=nonce[:255])
        )
        if exists is not None:
            return True
        try:
            with db.session.begin_nested():
                db.session.add(
                    Lti11Nonce(
                        consumer_key=consumer_key,
                        nonce=nonce[:255],
                        timestamp=timestamp,
                        expires_at=now + timedelta(seconds=2 * WINDOW),
                    )
                )
        except IntegrityError:  # a concurrent request used it first
            return True
        return False

    return seen


def handle_launch(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body_params: Mapping[str, str | Sequence[str]],
    now: datetime | None = None,
) -> Lti11Result:
    """Verify and perform an LTI 1.1 launch.

    :raises LaunchRefused: see `oauth1.verify_lti11_launch`, plus ``account_conflict``.
    """
    now = now or utcnow()
    launch = verify_lti11_launch(
        method=method,
        url=url,
        headers=headers,
        body_params=body_params,
        consumer_secret_lookup=_secret_lookup,
        nonce_seen=_nonce_seen(now),
        now=int(now.timestamp()),
        window=WINDOW,
    )
    consumer = queries.consumer_by_key(launch.consumer_key)
    provisioned = services.provision_launch_user(
        provider="lti11",
        issuer=consumer.consumer_key,
        subject=launch.user_id,
        email=launch.email,
        name=launch.name_full,
        given_name=launch.name_given,
        family_name=launch.name_family,
        trusts_email=consumer.trusts_email,
        locale=launch.launch_presentation_locale,
    )
    user = provisioned.user
    services.grant_roles(user, consumer, launch.role_kinds)
    cohort = None
    if launch.context_id:
        cohort = services.upsert_context(
            consumer=consumer,
            context_id=launch.context_id,
            title=launch.context_title,
            label=launch.context_label,
        )
        services.enrol(cohort, user, launch.roles)
    target = resolve_target(launch.custom, None)
    link = services.upsert_resource_link(
        consumer=consumer,
        context=cohort,
        resource_link_id=launch.resource_link_id,
        title=launch.resource_link_title,
        target=target,
    )
    if target is None and link.target_kind:
        target = (link.target_kind, link.target_code)
    if launch.is_learner:
        services.upsert_grade_link(
            user=user,
            link=link,
            lti_user_id=launch.user_id,
            outcome_url=launch.lis_outcome_service_url,
            sourcedid=launch.lis_result_sourcedid,
        )
    log.info("lti 1.1 launch", extra={"consumer": consumer.id, "user_id": user.id})
    return Lti11Result(
        user, consumer, launch, cohort, target, provisioned.is_new, provisioned.email_taken
    )


# --- Basic Outcomes -----------------------------------------------------------------------------


class OutcomeFailed(Exception):
    """The platform did not accept an outcomes call (retry later, or give up)."""


def _send_pox(
    url: str,
    body: bytes,
    *,
    consumer_key: str | None,
    consumer_secret: str | None,
    bearer: str | None = None,
) -> pox.PoxResponse:
    """POST one POX message (network only): OAuth 1 signed for an LTI 1.1 consumer, with
    a bearer token for Basic Outcomes claimed in an LTI 1.3 launch."""
    if consumer_key is not None:
        headers = sign_outcome_request(url, body, consumer_key, consumer_secret or "")
    else:
        headers = {"Content-Type": "application/xml", "Authorization": f"Bearer {bearer}"}
    try:
        answer = http.request("POST", url, headers=headers, body=body)
    except http.HttpFailure as error:
        raise OutcomeFailed(str(error)) from error
    if not answer.ok:
        raise OutcomeFailed(f"HTTP {answer.status}")
    try:
        response = pox.parse_response(answer.body)
    except pox.PoxError as error:
        raise OutcomeFailed(f"unreadable outcomes response: {error}") from error
    if not response.is_success:
        raise OutcomeFailed(f"{response.code_major}: {response.description or ''}".strip())
    return response


def send_outcome(
    kind: str,
    url: str,
    payload: dict,
    *,
    message_id: str,
    consumer_key: str | None,
    consumer_secret: str | None,
    bearer: str | None = None,
) -> None:
    """Send one outbox row of kind pox_replace / pox_delete (network only).

    :raises OutcomeFailed:
    """
    sourcedid = payload["sourcedid"]
    if kind == "pox_replace":
        body = pox.build_replace_result(message_id, sourcedid, float(payload["score"]))
    else:
        body = pox.build_delete_result(message_id, sourcedid)
    _send_pox(url, body, consumer_key=consumer_key, consumer_secret=consumer_secret, bearer=bearer)


@dataclass(frozen=True)
class OutcomeTarget:
    """Where one learner's LTI 1.1 result lives, with the consumer's credentials."""

    outcome_url: str
    sourcedid: str
    consumer_key: str
    consumer_secret: str


def outcome_target(grade: LtiGradeLink) -> OutcomeTarget:
    """:raises OutcomeFailed: this grade link has no LTI 1.1 outcome service."""
    consumer = grade.resource_link.consumer
    if consumer is None or not grade.outcome_url or not grade.sourcedid:
        raise OutcomeFailed("this grade link has no LTI 1.1 outcome service")
    return OutcomeTarget(
        grade.outcome_url,
        grade.sourcedid,
        consumer.consumer_key,
        decrypt_secret(consumer.secret_encrypted),
    )


def read_result(target: OutcomeTarget) -> float | None:
    """The score the platform holds for this learner (None if unset); network only.

    :raises OutcomeFailed: the platform refused or could not be reached.
    """
    body = pox.build_read_result(f"pathways-read-{secrets.token_hex(6)}", target.sourcedid)
    return _send_pox(
        target.outcome_url,
        body,
        consumer_key=target.consumer_key,
        consumer_secret=target.consumer_secret,
    ).score


def enqueue_delete(grade: LtiGradeLink, *, source_key: str) -> LtiOutbox | None:
    """Queue a deleteResult for this grade link (once per source_key)."""
    if not grade.outcome_url or not grade.sourcedid:
        return None
    link = grade.resource_link
    row = LtiOutbox(
        kind="pox_delete",
        idempotency_key=f"poxdel:{grade.user_id}:{link.id}:{source_key}",
        platform_id=link.platform_id,
        consumer_id=link.consumer_id,
        grade_link_id=grade.id,
        url=grade.outcome_url,
        payload={"sourcedid": grade.sourcedid},
        next_attempt_at=utcnow(),
    )
    return services.enqueue_row(row)
