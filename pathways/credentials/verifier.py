"""This site's verifier: `verification.verify_credential` wired to Pathways.

- `site_fetcher()`: a `SafeHttpFetcher` (https only, no private addresses unless
  `VERIFY_ALLOW_HOSTS` names the host, size cap, timeouts) with one deadline for a whole
  verification; URLs of this site are answered in-process, never by a network round trip:
  DID documents and status lists by the credential services, any other page through the
  app itself.
- `issuer_name(issuer_id)`: the `issuer_known` check: this site's organisations (their
  did:web) and the trust list platform admins keep.
- `credential_from_url` / `credential_from_id`: what the verify page and API accept besides
  a file (`verification.parse_input`).
- `verify(credential)`: the verification, and `summarise(result)`: status, issuer, name.
- `count_request(key, ...)`: a fixed-window rate limit counted in the database, so every
  worker shares it.
- `record_verification(...)`: an employer verifier's history.

Functions flush and never commit.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from pathways.accounts.enums import Role
from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.credentials import did as didlib
from pathways.credentials import services
from pathways.credentials import verification
from pathways.credentials.enums import VerificationSource
from pathways.credentials.fetching import FetchError
from pathways.credentials.fetching import SafeHttpFetcher
from pathways.credentials.models import RateWindow
from pathways.credentials.models import TrustedIssuer
from pathways.credentials.models import Verification
from pathways.db import db
from pathways.db import utcnow
from pathways.errors import NotFound

LOCAL_ACCEPT = "application/ld+json, application/did+json, application/json;q=0.9"
_DID_PATH = re.compile(r"/orgs/([^/]+)/did\.json")
_STATUS_PATH = re.compile(r"/orgs/([^/]+)/status/(revocation|suspension)/(\d{1,9})")


class SourceError(ValueError):
    """What was given cannot be turned into a credential: `reason` and `params` as for
    `verification.InputError` (texts in `SOURCE_MESSAGES`)."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(SOURCE_MESSAGES[reason].format(**params))
        self.reason = reason
        self.params = params


SOURCE_MESSAGES: dict[str, str] = {
    "url_invalid": "give a web address that starts with https://",
    "url_unreachable": "the address could not be fetched: {error}",
    "id_invalid": "a credential id of this site is urn:uuid: followed by a UUID, or the UUID",
    "id_unknown": "this site issued no credential with this id",
    "nothing_given": "give a file, a web address or a credential id",
}


# -- fetching ---------------------------------------------------------------------------------


def _local_fetch(url: str) -> bytes:
    """A URL of this site (already rewritten under BASE_URL), answered in-process."""
    base = urlsplit(services.base_url())
    parts = urlsplit(url)
    path = parts.path[len(base.path.rstrip("/")) :] or "/"
    match = _DID_PATH.fullmatch(path)
    if match:
        organisation = db.session.scalar(
            sa.select(Organisation).where(Organisation.code == unquote(match.group(1)))
        )
        document = services.did_document(organisation) if organisation is not None else None
        if document is None:
            raise FetchError(f"{url} answered HTTP 404")
        return json.dumps(document, ensure_ascii=False).encode("utf-8")
    match = _STATUS_PATH.fullmatch(path)
    if match:
        code, purpose, number = unquote(match.group(1)), match.group(2), int(match.group(3))
        try:
            row = services.find_status_list(code, purpose, number)
        except NotFound:
            raise FetchError(f"{url} answered HTTP 404") from None
        return services.status_list_document(row).encode("utf-8")
    # Any other page of this site (a public credential page by content negotiation, an
    # issuer profile): through the app, as an anonymous visitor. A fresh app context keeps
    # the caller's `g` (its signed-in user) and database session out of that request.
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    app = current_app._get_current_object()
    with app.app_context():
        response = app.test_client().get(
            target, headers={"Accept": LOCAL_ACCEPT}, base_url=f"{base.scheme}://{base.netloc}"
        )
        try:
            if response.status_code != 200:
                raise FetchError(f"{url} answered HTTP {response.status_code}")
            return response.get_data()
        finally:
            response.close()


class _Deadline:
    """One deadline for a whole verification: each fetch gets what time is left."""

    def __init__(self, inner: SafeHttpFetcher, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds
        self.timeout = inner.timeout
        self.ends = time.monotonic() + seconds

    def local_url(self, url: str) -> str | None:
        """`url` rewritten under BASE_URL when this site serves it (see SafeHttpFetcher)."""
        return self.inner.local_url(url)

    def fetch(self, url: str) -> bytes:
        if self.inner.local_url(url) is None:
            left = self.ends - time.monotonic()
            if left <= 0.05:
                raise FetchError(
                    f"{url} was not fetched: the verification ran out of time "
                    f"({self.seconds:g} seconds in all)"
                )
            self.inner.timeout = min(self.timeout, left)
        return self.inner.fetch(url)


def site_fetcher() -> _Deadline:
    """The fetcher of a verification run by this site (config: VERIFY_*)."""
    config = current_app.config
    inner = SafeHttpFetcher(
        timeout=float(config["VERIFY_FETCH_TIMEOUT"]),
        max_bytes=verification.MAX_INPUT_BYTES,
        allow_hosts=config["VERIFY_ALLOW_HOSTS"],
        local_base_url=services.base_url(),
        local_fetch=_local_fetch,
    )
    return _Deadline(inner, float(config["VERIFY_TOTAL_TIMEOUT"]))


# -- what the verifier is given ---------------------------------------------------------------


def credential_from_url(url: str, *, fetcher: _Deadline | None = None) -> dict[str, Any]:
    """The credential at `url` (JSON, or a baked image).

    :raises SourceError: not an http(s) address, or it could not be fetched.
    :raises verification.InputError: what it holds is not a credential.
    """
    url = (url or "").strip()
    if not url.startswith(("https://", "http://")) or len(url) > 2048:
        raise SourceError("url_invalid")
    fetcher = fetcher or site_fetcher()
    try:
        body = fetcher.fetch(url)
    except FetchError as error:
        raise SourceError("url_unreachable", error=str(error)) from error
    return verification.parse_input(body)


def credential_from_id(text: str) -> dict[str, Any]:
    """The credential this site issued with this id (`urn:uuid:` optional).

    :raises SourceError: not a UUID, or no such credential.
    """
    value = (text or "").strip().lower().removeprefix("urn:uuid:")
    if not re.fullmatch(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", value):
        raise SourceError("id_invalid")
    try:
        row = services.get_credential(value)
    except NotFound:
        raise SourceError("id_unknown") from None
    return json.loads(row.document)


# -- verifying --------------------------------------------------------------------------------


def issuer_name(issuer_id: str) -> str | None:
    """The name of an issuer this site knows: one of its organisations (by did:web) or an
    outside issuer on the trust list; None otherwise."""
    prefix = didlib.did_web_for(services.base_url(), "orgs") + ":"
    if issuer_id.startswith(prefix):
        code = unquote(issuer_id.removeprefix(prefix))
        if code and ":" not in code:
            name = db.session.scalar(sa.select(Organisation.name).where(Organisation.code == code))
            if name:
                return name
    return db.session.scalar(
        sa.select(TrustedIssuer.name).where(TrustedIssuer.identifier == issuer_id)
    )


def verify(
    credential: Any, *, now: datetime | None = None, fetcher: Any = None
) -> verification.VerificationResult:
    """Verify a parsed credential as this site does (never raises)."""
    return verification.verify_credential(
        credential,
        fetcher=fetcher or site_fetcher(),
        now=now or utcnow(),
        trusted_issuers=issuer_name,
    )


STATUSES = ("active", "revoked", "suspended", "expired", "not_yet_valid", "not_verified")


@dataclass(frozen=True)
class Summary:
    """What a reader wants first: is it good, what is it, who issued it."""

    verified: bool
    status: str  # one of STATUSES
    name: str
    credential_ref: str
    issuer_ref: str
    issuer_name: str  # as this site knows it, else as the credential names itself
    issuer_known: bool
    kind: str


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):  # a language map
        for key in ("en", "fr"):
            if isinstance(value.get(key), str):
                return value[key]
        return next((v for v in value.values() if isinstance(v, str)), "")
    return ""


def status_of(result: verification.VerificationResult) -> str:
    """active, revoked, suspended, expired, not_yet_valid or not_verified."""
    return _status({c.check: c.reason for c in result.checks}, result.verified)


def status_of_checks(checks: list[dict[str, Any]], verified: bool) -> str:
    """`status_of` for checks kept as data (`checks_as_data`)."""
    return _status({c.get("check"): c.get("reason") for c in checks}, verified)


def _status(reasons: dict[Any, Any], verified: bool) -> str:
    if reasons.get("revocation") == "revoked":
        return "revoked"
    if reasons.get("suspension") == "suspended":
        return "suspended"
    if reasons.get("valid_until") == "expired":
        return "expired"
    if reasons.get("valid_from") == "not_yet_valid":
        return "not_yet_valid"
    return "active" if verified else "not_verified"


def claimed_issuer_name(document: dict[str, Any] | None) -> str:
    """The issuer's name as the credential itself gives it (not vouched for)."""
    issuer = (document or {}).get("issuer")
    return _text(issuer.get("name"))[:200] if isinstance(issuer, dict) else ""


def summarise(result: verification.VerificationResult) -> Summary:
    document = result.credential or {}
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    name = _text(document.get("name"))
    if isinstance(achievement, dict):
        name = _text(achievement.get("name")) or name
    known = result.check("issuer_known")
    is_known = known is not None and known.passed is True
    if is_known:
        shown_issuer = str(known.params.get("name", ""))
    else:
        shown_issuer = claimed_issuer_name(document)
    ref = document.get("id")
    return Summary(
        verified=result.verified,
        status=status_of(result),
        name=name[:300],
        credential_ref=ref[:500] if isinstance(ref, str) else "",
        issuer_ref=(result.issuer_id or "")[:500],
        issuer_name=shown_issuer[:200],
        issuer_known=is_known,
        kind=result.kind or "",
    )


def checks_as_data(checks: list[verification.Check]) -> list[dict[str, Any]]:
    """The checks as JSON values (what is stored, and what the API answers)."""
    return [
        {
            "check": c.check,
            "passed": c.passed,
            "reason": c.reason,
            "detail": c.detail,
            "params": json.loads(json.dumps(c.params, default=str)),
        }
        for c in checks
    ]


# -- rate limits ------------------------------------------------------------------------------


def count_request(key: str, *, limit: int, window_seconds: int, now: datetime) -> int | None:
    """Count one request under `key` in the current fixed window.

    Returns None when it is within `limit`, else the seconds until the window ends (for
    Retry-After). One atomic upsert, so concurrent workers never lose a count; windows
    that ended are deleted as new ones begin.
    """
    moment = int(now.timestamp())
    start = moment - moment % window_seconds
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(RateWindow)
        .values(key=key[:120], window_start=start, hits=1)
        .on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"hits": RateWindow.hits + 1}
        )
        .returning(RateWindow.hits)
    )
    hits = db.session.execute(statement).scalar_one()
    if hits == 1:
        db.session.execute(sa.delete(RateWindow).where(RateWindow.window_start < start))
    if hits > limit:
        return max(1, start + window_seconds - moment)
    return None


# -- employers' history -----------------------------------------------------------------------


def keeps_history(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.has_role(Role.EMPLOYER_VERIFIER)


def record_verification(
    user: User,
    result: verification.VerificationResult,
    *,
    source: VerificationSource,
    now: datetime,
) -> Verification:
    """Keep a verification an employer verifier ran (with the credential as checked)."""
    summary = summarise(result)
    employers = user.organisations_where(Role.EMPLOYER_VERIFIER)
    document = None
    if result.credential is not None:
        document = json.dumps(result.credential, ensure_ascii=False, separators=(",", ":"))
    row = Verification(
        user_id=user.id,
        organisation_id=employers[0].id if employers else None,
        source=source,
        checked_at=now,
        verified=summary.verified,
        status=summary.status,
        credential_ref=summary.credential_ref,
        name=summary.name,
        issuer_ref=summary.issuer_ref,
        issuer_name=summary.issuer_name,
        checks=checks_as_data(result.checks),
        document=document,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _visible_verifications(user: User) -> sa.Select:
    """Verifications of the user's employer organisations (and their own)."""
    organisation_ids = [o.id for o in user.organisations_where(Role.EMPLOYER_VERIFIER)]
    return sa.select(Verification).where(
        sa.or_(Verification.organisation_id.in_(organisation_ids), Verification.user_id == user.id)
    )


def verifications_for(user: User, *, limit: int = 200) -> list[Verification]:
    """What the user's employer organisations verified, newest first."""
    return list(
        db.session.scalars(
            _visible_verifications(user)
            .options(so.joinedload(Verification.user))
            .order_by(Verification.checked_at.desc(), Verification.id.desc())
            .limit(limit)
        )
    )


def get_verification(verification_id: int, *, viewer: User) -> Verification:
    """:raises NotFound: no such verification, or not one of the viewer's organisations."""
    row = db.session.scalar(
        _visible_verifications(viewer).where(Verification.id == verification_id)
    )
    if row is None:
        raise NotFound("No such verification.")
    return row
