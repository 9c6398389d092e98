"""An LMS connection's configuration (the API client an LMS stores statements with):
which of its activities count for which module, suggestions from what it sent, and the
learners it names by account (an LMS's user ids) linked to Pathways users.

Deployment configuration, not curriculum: none of it needs a new micro-credential
version. Each change projects at once what the connection stored before it.
Functions flush and never commit.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from pathways.accounts import services as accounts
from pathways.accounts.models import ApiClient
from pathways.accounts.models import User
from pathways.catalog import queries as catalog
from pathways.catalog.models import MicroCredentialVersion
from pathways.db import db
from pathways.db import utcnow
from pathways.errors import Conflict
from pathways.errors import DomainError
from pathways.errors import Forbidden
from pathways.errors import Invalid
from pathways.errors import NotFound
from pathways.xapi import projector
from pathways.xapi import queries
from pathways.xapi.models import Activity
from pathways.xapi.models import ActivityMapping
from pathways.xapi.models import Statement

log = logging.getLogger(__name__)

SUGGESTION_WINDOW = timedelta(days=7)
MAX_CSV_ROWS = 10_000


def connection_of(organisation_code: str, client_id: int, *, actor: User) -> ApiClient:
    """The organisation's LRS client `client_id`, for one of its admins.

    :raises NotFound: no such client in that organisation.
    :raises Forbidden: the actor does not administer the organisation.
    """
    organisation = accounts.get_organisation(organisation_code)
    if not accounts.can_administer(actor, organisation):
        raise Forbidden(f"You do not administer {organisation.name}.", code="not_admin")
    client = db.session.get(ApiClient, client_id)
    if client is None or client.organisation_id != organisation.id:
        raise NotFound("no such LMS connection", code="unknown_connection")
    return client


def connections_of(organisation_id: int) -> list[ApiClient]:
    """The organisation's clients that store statements (revoked ones too)."""
    rows = db.session.scalars(
        sa.select(ApiClient)
        .where(ApiClient.organisation_id == organisation_id)
        .order_by(ApiClient.created_at, ApiClient.id)
    )
    return [client for client in rows if client.has_scope("xapi:write")]


@dataclass(frozen=True)
class ModuleChoice:
    credential_code: str
    module_code: str
    title: str

    @property
    def value(self) -> str:
        return f"{self.credential_code}::{self.module_code}"


def module_choices(client: ApiClient) -> list[ModuleChoice]:
    """The modules a connection may map to: those of the newest published version of
    each micro-credential its own organisation issues."""
    latest: dict[str, MicroCredentialVersion] = {}
    for version in catalog.published_versions():
        if version.credential.issuing_organisation_id == client.organisation_id:
            latest[version.credential.code] = version
    choices = []
    for code, version in sorted(latest.items()):
        for module in sorted(version.modules, key=lambda m: (m.position, m.id)):
            title = module.title.get("en") or next(iter(module.title.values()), module.code)
            choices.append(ModuleChoice(code, module.code, f"{code} › {title}"))
    return choices


def _check_iri(value: str) -> str:
    value = (value or "").strip()
    parts = urlsplit(value)
    if not parts.scheme or (parts.scheme in ("http", "https") and not parts.netloc):
        raise Invalid(
            "Give the activity's full URL (its IRI).", errors={"activity": ["Not an IRI."]}
        )
    if len(value) > 1000:
        raise Invalid("That activity IRI is too long.", errors={"activity": ["Too long."]})
    return value


@dataclass(frozen=True)
class Mapped:
    mapping: ActivityMapping
    projected: int  # statements the connection stored before, read again


def map_activity(
    client: ApiClient, activity_iri: str, target: str, *, actor: User | None
) -> Mapped:
    """Count `activity_iri`, as this connection sends it, for a module (`target` is
    "CREDENTIAL::MODULE"); what the connection stored about it before projects now.

    :raises Invalid: not an IRI, or not a module of the organisation's published
        micro-credentials.
    :raises Conflict: mapped already.
    """
    iri = _check_iri(activity_iri)
    credential_code, _, module_code = (target or "").partition("::")
    allowed = {choice.value for choice in module_choices(client)}
    if f"{credential_code}::{module_code}" not in allowed:
        raise Invalid(
            "Choose a module of one of your organisation's published micro-credentials.",
            errors={"module": ["Not one of your modules."]},
        )
    exists = db.session.scalar(
        sa.select(ActivityMapping.id).filter_by(
            client_id=client.id,
            activity_iri=iri,
            credential_code=credential_code,
            module_code=module_code,
        )
    )
    if exists is not None:
        raise Conflict("That activity counts for that module already.", code="mapped_already")
    mapping = ActivityMapping(
        client_id=client.id,
        activity_iri=iri,
        credential_code=credential_code,
        module_code=module_code,
        created_at=utcnow(),
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(mapping)
    db.session.flush()
    projected = projector.project_activity(client.id, iri)
    log.info(
        "lms activity mapped",
        extra={"client": client.id, "module": target, "projected": projected},
    )
    return Mapped(mapping, projected)


def unmap_activity(client: ApiClient, mapping_id: int) -> None:
    """Stop counting an activity for a module. What it counted before stays recorded.

    :raises NotFound: not one of this connection's mappings.
    """
    mapping = db.session.get(ActivityMapping, mapping_id)
    if mapping is None or mapping.client_id != client.id:
        raise NotFound("no such activity mapping", code="unknown_mapping")
    db.session.delete(mapping)
    db.session.flush()


@dataclass(frozen=True)
class Suggestion:
    activity_iri: str
    name: str | None
    statements: int
    last_at: datetime


def _evidence_verbs() -> list[str]:
    return [
        prefix + name
        for prefix in projector.VERB_PREFIXES
        for name in ("completed", "passed", "failed")
    ]


def suggest_mappings(
    client: ApiClient, *, now: datetime | None = None, limit: int = 50
) -> list[Suggestion]:
    """Activities this connection sent completions (passed, failed) about lately that
    no module lists and it maps to none: what to map next, most sent first."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(
            Statement.object_activity_id,
            sa.func.count().label("n"),
            sa.func.max(Statement.stored).label("last"),
        )
        .where(
            Statement.authority_client_id == client.id,
            Statement.stored >= now - SUGGESTION_WINDOW,
            Statement.verb_id.in_(_evidence_verbs()),
            Statement.is_voided.is_(False),
            Statement.object_activity_id.is_not(None),
        )
        .group_by(Statement.object_activity_id)
        .order_by(sa.func.count().desc(), Statement.object_activity_id)
        .limit(limit * 4)
    ).all()
    iris = {row.object_activity_id for row in rows}
    listed = catalog.activities_in_published_modules(iris)
    mapped = {iri for _client, iri in queries.mapped_targets({client.id}, iris)}
    names = {
        activity_id: definition
        for activity_id, definition in db.session.execute(
            sa.select(Activity.activity_id, Activity.definition).where(
                Activity.activity_id.in_(sorted(iris))
            )
        )
    }
    found = []
    for row in rows:
        iri = row.object_activity_id
        if iri in listed or iri in mapped:
            continue
        name_map = (names.get(iri) or {}).get("name") or {}
        name = name_map.get("en") or next(iter(name_map.values()), None) if name_map else None
        found.append(Suggestion(iri, name, row.n, row.last))
    return found[:limit]


@dataclass
class AccountLinks:
    linked: int = 0
    unknown: list[str] = field(default_factory=list)  # emails no account has
    refused: list[str] = field(default_factory=list)  # LMS accounts another user holds


def link_accounts(client: ApiClient, home_page: str, rows: list[tuple[str, str]]) -> AccountLinks:
    """Link the LMS's accounts (its user ids, at `home_page`, as its xAPI statements name
    learners) to the Pathways users with these emails; statements kept for them project.

    :raises Invalid: `home_page` is not an http(s) URL.
    """
    parts = urlsplit((home_page or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(
            "Give the LMS's address, as its statements name it (for Moodle: its site URL).",
            errors={"home_page": ["Not an http(s) URL."]},
        )
    home_page = home_page.strip()
    result = AccountLinks()
    for name, email in rows:
        user = db.session.scalar(sa.select(User).filter_by(email=accounts.normalise_email(email)))
        if user is None or not user.is_enabled:
            result.unknown.append(email)
            continue
        try:
            with db.session.begin_nested():
                accounts.link_identity(user, "xapi_account", home_page, name)
        except DomainError:
            result.refused.append(name)
            continue
        result.linked += 1
    log.info(
        "lms accounts linked",
        extra={"client": client.id, "linked": result.linked, "unknown": len(result.unknown)},
    )
    return result


def parse_account_csv(data: bytes) -> list[tuple[str, str]]:
    """Rows (LMS account, email) of an uploaded CSV: a header naming `account` (or
    `username`, `user_id`, `id`) and `email` columns, in any order.

    :raises Invalid: not UTF-8 CSV, no such columns, or too many rows.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Invalid("The file is not UTF-8 text.", errors={"file": ["Not UTF-8."]}) from error
    reader = csv.DictReader(io.StringIO(text))
    headers = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    account = next(
        (headers[k] for k in ("account", "username", "user_id", "id") if k in headers), None
    )
    email = headers.get("email")
    if account is None or email is None:
        raise Invalid(
            "The CSV needs an `account` column (the LMS's user id) and an `email` column.",
            errors={"file": ["Missing columns."]},
        )
    rows = []
    for number, row in enumerate(reader, start=2):
        if number > MAX_CSV_ROWS + 1:
            raise Invalid(
                f"At most {MAX_CSV_ROWS} rows at a time.", errors={"file": ["Too many rows."]}
            )
        name = (row.get(account) or "").strip()
        address = (row.get(email) or "").strip()
        if name and "@" in address:
            rows.append((name, address))
    return rows
