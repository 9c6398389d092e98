"""Assignment and Grade Services 2.0: service tokens, line items, and the grade outbox.

Service tokens come from the platform's token URL with the OAuth 2 client-credentials
grant and a JWT assertion signed by the tool key (`kid` in the header: Moodle refuses an
assertion without it). Tokens are cached in the database until shortly before expiry.

Scores are never posted inline: `services.enqueue_grade` writes an outbox row, and the
scheduler job (`calls.deliver_outbox`) sends what is due, retrying failures with
exponential back-off. A row is marked sent only after the platform accepted it, and the
score keeps the timestamp of the completion, so a resend after a crash is a no-op for
the platform.

This module never opens a transaction nor calls the network while one is open: the
functions that touch the database (`cached_token`, `token_assertion`, `save_token`,
`claim_due`, `record_outcome`) take and return plain values, and the functions that
talk to a platform (`request_token`, `get_line_items`, `post_line_item`, `post_score`,
`send_grade`) touch no database. `pathways.lti.calls` runs them in that order.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from pathways.db import db
from pathways.db import utcnow
from pathways.errors import DomainError
from pathways.errors import Invalid
from pathways.lti import claims
from pathways.lti import http
from pathways.lti import keys
from pathways.lti import lti11
from pathways.lti.models import LtiAccessToken
from pathways.lti.models import LtiContext
from pathways.lti.models import LtiOutbox
from pathways.lti.models import LtiPlatform

log = logging.getLogger(__name__)

SCORE_SCOPES = (claims.AGS_SCOPE_LINEITEM, claims.AGS_SCOPE_SCORE, claims.AGS_SCOPE_RESULT_READONLY)
BASIC_OUTCOME_SCOPE = "https://purl.imsglobal.org/spec/lti-bo/scope/basicoutcome"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
TOKEN_MARGIN = timedelta(seconds=60)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)
# A claimed row is not due again for this long: another scheduler skips it while it is
# being sent, and a scheduler that dies mid-send leaves it to be retried afterwards.
CLAIM_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 15
BATCH = 100


class ServiceFailed(DomainError):
    """A platform service call failed (unreachable, refused, unreadable)."""

    status = 502
    title = "The LMS did not answer as expected"


@dataclass(frozen=True)
class ServiceAccess:
    """What a call to a platform's services needs, read from its registration."""

    platform_id: int
    client_id: str
    token_url: str

    @classmethod
    def of(cls, platform: LtiPlatform) -> ServiceAccess:
        return cls(platform.id, platform.client_id, platform.token_url)


def scope_key(scopes) -> str:
    """The cache key of a set of scopes: sorted, space separated (the request's `scope`)."""
    return " ".join(sorted(set(scopes)))


# --- service tokens -------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def cached_token(platform_id: int, scope: str, *, now: datetime | None = None) -> str | None:
    """A cached bearer token for `scope` that is still good, or None."""
    now = now or utcnow()
    cached = db.session.scalar(
        sa.select(LtiAccessToken).filter_by(platform_id=platform_id, scopes=scope)
    )
    if cached is not None and cached.expires_at - TOKEN_MARGIN > now:
        return keys.decrypt_secret(cached.token_encrypted)
    return None


def token_assertion(access: ServiceAccess, *, now: datetime | None = None) -> str:
    """The signed client assertion a token request carries (valid SIGNED_LIFETIME)."""
    now = now or utcnow()
    return keys.sign_jwt(
        claims.client_credentials_assertion_claims(
            client_id=access.client_id,
            token_url=access.token_url,
            now=int(now.timestamp()),
            jti=secrets.token_urlsafe(16),
            lifetime=keys.SIGNED_LIFETIME,
        )
    )


def request_token(
    access: ServiceAccess, scope: str, assertion: str, *, now: datetime | None = None
) -> IssuedToken:
    """Ask the platform's token URL for a bearer token (network only).

    :raises ServiceFailed: the token URL is unreachable or refused the assertion.
    """
    now = now or utcnow()
    form = urlencode(
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": scope,
        }
    ).encode("ascii")
    try:
        answer = http.request(
            "POST",
            access.token_url,
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        document = answer.json() if answer.ok else None
    except (http.HttpFailure, ValueError) as error:
        raise ServiceFailed(f"token request failed: {error}", code="token_failed") from error
    if not isinstance(document, dict) or not isinstance(document.get("access_token"), str):
        raise ServiceFailed(
            f"the token URL refused the request (HTTP {answer.status}): {answer.body[:200]!r}",
            code="token_refused",
        )
    try:
        lifetime = int(document.get("expires_in", 3600))
    except (TypeError, ValueError):
        lifetime = 3600
    return IssuedToken(document["access_token"], now + timedelta(seconds=max(lifetime, 0)))


def save_token(platform_id: int, scope: str, issued: IssuedToken) -> None:
    """Cache a token (encrypted) for its platform and scopes."""
    cached = db.session.scalar(
        sa.select(LtiAccessToken).filter_by(platform_id=platform_id, scopes=scope)
    )
    if cached is None:
        cached = LtiAccessToken(platform_id=platform_id, scopes=scope)
        db.session.add(cached)
    cached.token_encrypted = keys.encrypt_secret(issued.token)
    cached.expires_at = issued.expires_at
    db.session.flush()


def _authorised(
    method: str,
    url: str,
    bearer: str,
    *,
    accept: str,
    body: Any = None,
    content_type: str | None = None,
) -> http.HttpResponse:
    headers = {"Authorization": f"Bearer {bearer}", "Accept": accept}
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = content_type or "application/json"
    try:
        return http.request(method, url, headers=headers, body=data)
    except http.HttpFailure as error:
        raise ServiceFailed(str(error), code="platform_unreachable") from error


# --- line items ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gradebook:
    """A course's line items container URL and the access to reach it."""

    access: ServiceAccess
    lineitems_url: str


def gradebook_of(context: LtiContext) -> Gradebook:
    """:raises Invalid: the course did not grant Pathways its gradebook."""
    if context.platform is None or not context.lineitems_url:
        raise Invalid("This course did not grant Pathways access to its gradebook.", code="no_ags")
    return Gradebook(ServiceAccess.of(context.platform), context.lineitems_url)


def check_line_item(label: str, score_maximum: float) -> None:
    """:raises Invalid: an empty label or a scoreMaximum that is not positive."""
    if not label.strip():
        raise Invalid("Give the line item a label.", errors={"label": ["Required."]})
    if not score_maximum or score_maximum <= 0:
        raise Invalid(
            "scoreMaximum must be greater than 0.",
            errors={"scoreMaximum": ["Must be greater than 0."]},
        )


def get_line_items(url: str, bearer: str) -> list[dict[str, Any]]:
    """Every line item of the container at `url`, following rel="next" (network only).

    :raises ServiceFailed:
    """
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    for _ in range(100):
        if next_url is None:
            break
        answer = _authorised("GET", next_url, bearer, accept=LINEITEMS_TYPE)
        if not answer.ok:
            raise ServiceFailed(f"listing line items answered HTTP {answer.status}")
        try:
            page = answer.json()
        except ValueError as error:
            raise ServiceFailed("the line items are not JSON") from error
        items.extend(item for item in page if isinstance(item, dict))
        next_url = next_link(answer.headers.get("link"))
    return items


def post_line_item(
    url: str,
    bearer: str,
    *,
    label: str,
    score_maximum: float,
    resource_link_id: str | None = None,
    resource_id: str | None = None,
    tag: str | None = None,
) -> dict[str, Any]:
    """Create a gradebook column in the container at `url` (network only).

    :raises ServiceFailed:
    """
    body: dict[str, Any] = {"label": label.strip(), "scoreMaximum": score_maximum}
    for key, value in (
        ("resourceLinkId", resource_link_id),
        ("resourceId", resource_id),
        ("tag", tag),
    ):
        if value:
            body[key] = value
    answer = _authorised(
        "POST", url, bearer, accept=LINEITEM_TYPE, body=body, content_type=LINEITEM_TYPE
    )
    if not answer.ok:
        raise ServiceFailed(f"creating the line item answered HTTP {answer.status}")
    return answer.json()


def next_link(header: str | None) -> str | None:
    """The `rel="next"` target of an RFC 8288 Link header, or None."""
    for part in (header or "").split(","):
        section = part.strip()
        if not section.startswith("<") or ">" not in section:
            continue
        target, _, params = section[1:].partition(">")
        rels = [p.strip() for p in params.split(";") if p.strip().lower().startswith("rel=")]
        for rel in rels:
            if "next" in rel.split("=", 1)[1].strip().strip('"').lower().split():
                return target.strip()
    return None


def get_json(url: str, bearer: str, *, accept: str) -> http.HttpResponse:
    """A GET with a bearer token (network only). :raises ServiceFailed: unreachable."""
    return _authorised("GET", url, bearer, accept=accept)


# --- the outbox -------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """Delay before attempt `attempts + 1`: 30 s, 1 min, 2 min ... capped at 6 h."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(attempts - 1, 0)))


@dataclass(frozen=True)
class OutgoingGrade:
    """One claimed outbox row, with everything its delivery needs (no ORM object)."""

    id: int
    kind: str
    url: str
    payload: dict[str, Any]
    access: ServiceAccess | None  # an LTI 1.3 platform
    consumer_key: str | None = None  # an LTI 1.1 consumer
    consumer_secret: str | None = None

    @property
    def scopes(self) -> tuple[str, ...] | None:
        """The service token scopes its delivery needs; None when it is OAuth 1 signed."""
        if self.kind == "ags_score":
            return SCORE_SCOPES
        if self.consumer_key is None:  # Basic Outcomes claimed in an LTI 1.3 launch
            return (BASIC_OUTCOME_SCOPE,)
        return None


def claim_due(*, now: datetime | None = None, limit: int = BATCH) -> list[OutgoingGrade]:
    """Claim the rows that are due: count the attempt, lease them for CLAIM_LEASE.

    On PostgreSQL the rows are locked with SKIP LOCKED while they are claimed, so two
    schedulers never claim the same row; once the claim commits, the lease keeps them.
    """
    now = now or utcnow()
    query = (
        sa.select(LtiOutbox)
        .where(LtiOutbox.status == "pending", LtiOutbox.next_attempt_at <= now)
        .order_by(LtiOutbox.next_attempt_at, LtiOutbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = []
    for row in db.session.scalars(query).all():
        row.attempts += 1
        row.next_attempt_at = now + CLAIM_LEASE
        consumer = row.consumer
        claimed.append(
            OutgoingGrade(
                id=row.id,
                kind=row.kind,
                url=row.url,
                payload=dict(row.payload),
                access=ServiceAccess.of(row.platform) if row.platform is not None else None,
                consumer_key=consumer.consumer_key if consumer is not None else None,
                consumer_secret=(
                    keys.decrypt_secret(consumer.secret_encrypted) if consumer is not None else None
                ),
            )
        )
    db.session.flush()
    return claimed


def post_score(url: str, bearer: str, score: dict[str, Any]) -> None:
    """POST one AGS score (network only). :raises ServiceFailed: not accepted."""
    answer = _authorised(
        "POST", url, bearer, accept="application/json", body=score, content_type=SCORE_TYPE
    )
    if not answer.ok:
        raise ServiceFailed(f"HTTP {answer.status}: {answer.body[:200]!r}")


def send_grade(grade: OutgoingGrade, bearer: str | None) -> None:
    """Deliver one claimed row (network only); `bearer` when `grade.scopes` asks for one.

    :raises ServiceFailed, lti11.OutcomeFailed: not accepted.
    """
    if grade.kind == "ags_score":
        post_score(grade.url, bearer, grade.payload["score"])
    elif grade.kind in ("pox_replace", "pox_delete"):
        lti11.send_outcome(
            grade.kind,
            grade.url,
            grade.payload,
            message_id=f"pathways-{grade.id}-{secrets.token_hex(4)}",
            consumer_key=grade.consumer_key,
            consumer_secret=grade.consumer_secret,
            bearer=bearer,
        )
    else:
        raise ServiceFailed(f"unknown outbox kind {grade.kind!r}")


def record_outcome(grade_id: int, error: str | None, *, now: datetime | None = None) -> str:
    """Record a delivery: sent, or the error with a retry after `backoff` (after
    MAX_ATTEMPTS the row is `failed`, kept and visible, instead of retried forever).

    Returns "sent", "retry" or "failed".
    """
    now = now or utcnow()
    row = db.session.get(LtiOutbox, grade_id)
    if row is None:  # deleted meanwhile (its platform removed)
        return "failed"
    if error is None:
        row.status = "sent"
        row.sent_at = now
        row.last_error = None
        outcome = "sent"
    else:
        row.last_error = error[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
            outcome = "failed"
            log.error("lti outbox gave up", extra={"outbox": row.id, "error": row.last_error})
        else:
            row.next_attempt_at = now + backoff(row.attempts)
            outcome = "retry"
            log.warning("lti outbox retry", extra={"outbox": row.id, "error": row.last_error})
    db.session.flush()
    return outcome
