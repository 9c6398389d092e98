"""Assignment and Grade Services 2.0: service tokens, line items, and the grade outbox.

Service tokens come from the platform's token URL with the OAuth 2 client-credentials
grant and a JWT assertion signed by the tool key (`kid` in the header: Moodle refuses an
assertion without it). Tokens are cached in the database until shortly before expiry.

Scores are never posted inline: `services.enqueue_grade` writes an outbox row, and
`deliver_due` (the scheduler job) sends what is due, retrying failures with exponential
back-off. A row is marked sent only after the platform accepted it, and the score keeps
the timestamp of the completion, so a resend after a crash is a no-op for the platform.
"""

from __future__ import annotations

import json
import logging
import secrets
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
MAX_ATTEMPTS = 15
BATCH = 100


class ServiceFailed(DomainError):
    """A platform service call failed (unreachable, refused, unreadable)."""

    status = 502
    title = "The LMS did not answer as expected"


# --- service tokens -------------------------------------------------------------------------


def access_token(
    platform: LtiPlatform, scopes: tuple[str, ...] | list[str], *, now: datetime | None = None
) -> str:
    """A bearer token for `scopes`, from the cache or the platform's token URL.

    :raises ServiceFailed: the token URL is unreachable or refused the assertion.
    """
    now = now or utcnow()
    scope = " ".join(sorted(set(scopes)))
    cached = db.session.scalar(
        sa.select(LtiAccessToken).filter_by(platform_id=platform.id, scopes=scope)
    )
    if cached is not None and cached.expires_at - TOKEN_MARGIN > now:
        return keys.decrypt_secret(cached.token_encrypted)
    assertion = keys.sign_jwt(
        claims.client_credentials_assertion_claims(
            client_id=platform.client_id,
            token_url=platform.token_url,
            now=int(now.timestamp()),
            jti=secrets.token_urlsafe(16),
            lifetime=keys.SIGNED_LIFETIME,
        )
    )
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
            platform.token_url,
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
    token = document["access_token"]
    if cached is None:
        cached = LtiAccessToken(platform_id=platform.id, scopes=scope)
        db.session.add(cached)
    cached.token_encrypted = keys.encrypt_secret(token)
    cached.expires_at = now + timedelta(seconds=max(lifetime, 0))
    db.session.flush()
    return token


def service_call(
    platform: LtiPlatform,
    method: str,
    url: str,
    scopes,
    *,
    accept: str,
    body: Any = None,
    content_type: str | None = None,
) -> http.HttpResponse:
    headers = {"Authorization": f"Bearer {access_token(platform, scopes)}", "Accept": accept}
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = content_type or "application/json"
    try:
        return http.request(method, url, headers=headers, body=data)
    except http.HttpFailure as error:
        raise ServiceFailed(str(error), code="platform_unreachable") from error


# --- line items ------------------------------------------------------------------------------


def _require_lineitems(context: LtiContext) -> tuple[LtiPlatform, str]:
    if context.platform is None or not context.lineitems_url:
        raise Invalid("This course did not grant Pathways access to its gradebook.", code="no_ags")
    return context.platform, context.lineitems_url


def list_line_items(context: LtiContext) -> list[dict[str, Any]]:
    """The course's line items (every page). :raises ServiceFailed, Invalid:"""
    platform, url = _require_lineitems(context)
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    for _ in range(100):
        if next_url is None:
            break
        answer = service_call(
            platform, "GET", next_url, (claims.AGS_SCOPE_LINEITEM,), accept=LINEITEMS_TYPE
        )
        if not answer.ok:
            raise ServiceFailed(f"listing line items answered HTTP {answer.status}")
        page = answer.json()
        items.extend(item for item in page if isinstance(item, dict))
        next_url = next_link(answer.headers.get("link"))
    return items


def create_line_item(
    context: LtiContext,
    *,
    label: str,
    score_maximum: float,
    resource_link_id: str | None = None,
    resource_id: str | None = None,
    tag: str | None = None,
) -> dict[str, Any]:
    """Create a gradebook column in the course. :raises ServiceFailed, Invalid:"""
    platform, url = _require_lineitems(context)
    if not label.strip():
        raise Invalid("Give the line item a label.", errors={"label": ["Required."]})
    if not score_maximum or score_maximum <= 0:
        raise Invalid(
            "scoreMaximum must be greater than 0.",
            errors={"scoreMaximum": ["Must be greater than 0."]},
        )
    body: dict[str, Any] = {"label": label.strip(), "scoreMaximum": score_maximum}
    for key, value in (
        ("resourceLinkId", resource_link_id),
        ("resourceId", resource_id),
        ("tag", tag),
    ):
        if value:
            body[key] = value
    answer = service_call(
        platform,
        "POST",
        url,
        (claims.AGS_SCOPE_LINEITEM,),
        accept=LINEITEM_TYPE,
        body=body,
        content_type=LINEITEM_TYPE,
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


# --- the outbox -------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """Delay before attempt `attempts + 1`: 30 s, 1 min, 2 min ... capped at 6 h."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(attempts - 1, 0)))


def _deliver(row: LtiOutbox, now: datetime) -> None:
    """Send one row. :raises ServiceFailed, lti11.OutcomeFailed: not accepted."""
    if row.kind == "ags_score":
        platform = row.platform
        answer = service_call(
            platform,
            "POST",
            row.url,
            SCORE_SCOPES,
            accept="application/json",
            body=row.payload["score"],
            content_type=SCORE_TYPE,
        )
        if not answer.ok:
            raise ServiceFailed(f"HTTP {answer.status}: {answer.body[:200]!r}")
    elif row.kind in ("pox_replace", "pox_delete"):
        bearer = None
        if row.consumer is None:  # an LTI 1.3 launch with the Basic Outcomes claim
            bearer = access_token(row.platform, (BASIC_OUTCOME_SCOPE,), now=now)
        lti11.deliver_pox(row, bearer=bearer)
    else:
        raise ServiceFailed(f"unknown outbox kind {row.kind!r}")


def deliver_due(*, now: datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """Send the outbox rows that are due; returns counts {sent, retry, failed}.

    On PostgreSQL the rows are locked with SKIP LOCKED, so two schedulers never send the
    same row. A failure sets `next_attempt_at` by `backoff`; after MAX_ATTEMPTS the row
    is `failed` (kept, visible to admins) instead of retried forever.
    """
    now = now or utcnow()
    query = (
        sa.select(LtiOutbox)
        .where(LtiOutbox.status == "pending", LtiOutbox.next_attempt_at <= now)
        .order_by(LtiOutbox.next_attempt_at, LtiOutbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for row in db.session.scalars(query).all():
        row.attempts += 1
        try:
            _deliver(row, now)
        except Exception as error:  # noqa: BLE001 -- any failure is retried; one row never stops the batch
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
                counts["failed"] += 1
                log.error("lti outbox gave up", extra={"outbox": row.id, "error": row.last_error})
            else:
                row.next_attempt_at = now + backoff(row.attempts)
                counts["retry"] += 1
                log.warning("lti outbox retry", extra={"outbox": row.id, "error": row.last_error})
        else:
            row.status = "sent"
            row.sent_at = now
            row.last_error = None
            counts["sent"] += 1
        db.session.flush()
    return counts
