"""The read side of the LRS: statement queries with keyset pages, activities, agents.

A query is a plain `StatementQuery`. Pages are keyset pages on (stored, pk); `upper`
freezes the newest `stored` a query (and each of its continuation pages) may return,
so a client paging through `more` sees exactly the statements that existed when it
started, however many arrive meanwhile.

Filters on agent, verb, activity and registration also match a statement whose object
is a StatementRef to a statement that matches them (Communication 2.1.3): a second
keyset query finds those, and the two pages merge.

Each organisation's statements are its own: a query carries the API clients whose
statements it may return (`authority_client_ids`: the reader itself with xapi:read:own,
its organisation's clients with xapi:read; None only with the platform's xapi:read:all),
and the Agents and Activities answers say only what those statements show.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.accounts.models import ApiClient
from pathways.catalog.enums import VersionStatus
from pathways.catalog.models import MicroCredential
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.models import Module
from pathways.catalog.models import ModuleActivity
from pathways.db import db
from pathways.xapi.models import Activity
from pathways.xapi.models import ActivityMapping
from pathways.xapi.models import Attachment
from pathways.xapi.models import Statement
from pathways.xapi.models import StatementActivity
from pathways.xapi.models import StatementAgent


@dataclass(frozen=True)
class StatementQuery:
    agent: str | None = None  # an IFI key (statements.agent_ifi)
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_agents: bool = False
    related_activities: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    ascending: bool = False
    upper: datetime | None = None  # frozen when the first page is asked for
    after: tuple[datetime, int] | None = None  # the last (stored, pk) already served
    # The clients whose statements may be returned; None: every client (xapi:read:all).
    authority_client_ids: tuple[int, ...] | None = None
    # With related_agents: the API client whose `authority` agent is `agent` (its
    # statements match through authority_client_id, not through agent rows).
    agent_client_id: int | None = None

    @property
    def has_target_filters(self) -> bool:
        return any((self.agent, self.verb, self.activity, self.registration))


@dataclass(frozen=True)
class Row:
    pk: int
    stored: datetime
    full_json: str


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_query: StatementQuery | None  # the query of the next page, or None at the end


# Aliases built once: building them per query costs more than running the query.
_DIRECT = (Statement, so.aliased(StatementAgent, name="a"), so.aliased(StatementActivity, name="t"))
_TARGET = (
    so.aliased(Statement, name="target"),
    so.aliased(StatementAgent, name="ta"),
    so.aliased(StatementActivity, name="tt"),
)
_REF = so.aliased(Statement, name="ref")


def _target_conditions(query: StatementQuery, aliases: tuple) -> tuple[list, list, tuple]:
    """Joins, conditions and the (stored, pk) columns to order by, for the filters."""
    s, a, t = aliases
    joins = []
    conditions = []
    order = (s.stored, s.pk)
    if query.agent and query.related_agents and query.agent_client_id is not None:
        conditions.append(
            sa.or_(
                s.pk.in_(sa.select(a.statement_pk).where(a.ifi == query.agent)),
                s.authority_client_id == query.agent_client_id,
            )
        )
    elif query.agent:
        joins.append((a, a.statement_pk == s.pk))
        conditions.append(a.ifi == query.agent)
        if not query.related_agents:
            conditions.append(a.is_related.is_(False))
        if query.verb:
            conditions.append(a.verb_id == query.verb)
        order = (a.stored, a.statement_pk)
    if query.activity:
        joins.append((t, t.statement_pk == s.pk))
        conditions.append(t.activity_id == query.activity)
        if not query.related_activities:
            conditions.append(t.is_related.is_(False))
        if not query.agent:
            order = (t.stored, t.statement_pk)
    if query.verb:
        conditions.append(s.verb_id == query.verb)
    if query.registration:
        conditions.append(s.registration == query.registration)
    return joins, conditions, order


def _time_conditions(query: StatementQuery, order: tuple) -> list:
    stored, pk = order
    conditions = []
    if query.since is not None:
        conditions.append(stored > query.since)
    if query.until is not None:
        conditions.append(stored <= query.until)
    if query.upper is not None:
        conditions.append(stored <= query.upper)
    if query.after is not None:
        cursor = sa.tuple_(stored, pk)
        bound = sa.tuple_(sa.literal(query.after[0], Statement.stored.type), query.after[1])
        conditions.append(cursor > bound if query.ascending else cursor < bound)
    return conditions


def _ordered(select, query: StatementQuery, order: tuple):
    stored, pk = order
    if query.ascending:
        return select.order_by(stored.asc(), pk.asc())
    return select.order_by(stored.desc(), pk.desc())


def _direct(query: StatementQuery, limit: int):
    s = _DIRECT[0]
    joins, conditions, order = _target_conditions(query, _DIRECT)
    select = sa.select(s.pk, s.stored, s.full_json)
    for target, on in joins:
        select = select.join(target, on)
    conditions += _time_conditions(query, order)
    conditions.append(s.is_voided.is_(False))
    if query.authority_client_ids is not None:
        conditions.append(s.authority_client_id.in_(query.authority_client_ids))
    return _ordered(select.where(*conditions), query, order).limit(limit)


def _by_reference(query: StatementQuery, limit: int):
    """Statements whose StatementRef object targets a statement matching the filters."""
    t = _TARGET[0]
    joins, conditions, _ = _target_conditions(query, _TARGET)
    targets = sa.select(t.statement_id)
    for target, on in joins:
        targets = targets.join(target, on)
    targets = targets.where(*conditions)
    r = _REF
    order = (r.stored, r.pk)
    where = [r.object_ref.is_not(None), r.object_ref.in_(targets), r.is_voided.is_(False)]
    where += _time_conditions(query, order)
    if query.authority_client_ids is not None:
        where.append(r.authority_client_id.in_(query.authority_client_ids))
    return _ordered(sa.select(r.pk, r.stored, r.full_json).where(*where), query, order).limit(limit)


def find_statements(query: StatementQuery) -> Page:
    """One page of statements (newest first unless `ascending`), and the next page's query."""
    limit = query.limit + 1
    rows = {
        row.pk: Row(row.pk, row.stored, row.full_json)
        for row in db.session.execute(_direct(query, limit))
    }
    if query.has_target_filters:
        for row in db.session.execute(_by_reference(query, limit)):
            rows.setdefault(row.pk, Row(row.pk, row.stored, row.full_json))
    ordered = sorted(rows.values(), key=lambda r: (r.stored, r.pk), reverse=not query.ascending)
    page = ordered[: query.limit]
    if len(ordered) <= query.limit:
        return Page(page, None)
    last = page[-1]
    return Page(page, replace(query, after=(last.stored, last.pk)))


def get_statement(
    statement_id: str, *, voided: bool, authority_client_ids: tuple[int, ...] | None = None
):
    """The stored JSON and `stored` of one statement, or None.

    `voided` False finds a statement that is not voided (statementId); True finds one
    that is (voidedStatementId).
    """
    conditions = [
        Statement.statement_id == statement_id.lower(),
        Statement.is_voided.is_(voided),
    ]
    if authority_client_ids is not None:
        conditions.append(Statement.authority_client_id.in_(authority_client_ids))
    row = db.session.execute(
        sa.select(Statement.pk, Statement.stored, Statement.full_json).where(*conditions)
    ).first()
    return Row(row.pk, row.stored, row.full_json) if row is not None else None


def attachments_of(statements: list[dict]) -> list[Attachment]:
    """The stored attachment contents the statements name, once each."""
    hashes: list[str] = []
    for statement in statements:
        for attachment in statement.get("attachments") or []:
            sha2 = attachment.get("sha2", "").lower()
            if sha2 and sha2 not in hashes:
                hashes.append(sha2)
    if not hashes:
        return []
    found = {
        a.sha2: a
        for a in db.session.scalars(sa.select(Attachment).where(Attachment.sha2.in_(hashes)))
    }
    return [found[h] for h in hashes if h in found]


def organisation_client_ids(organisation_id: int) -> tuple[int, ...]:
    """Every API client of an organisation, revoked ones included: what they stored
    stays the organisation's."""
    return tuple(
        db.session.scalars(
            sa.select(ApiClient.id)
            .where(ApiClient.organisation_id == organisation_id)
            .order_by(ApiClient.id)
        )
    )


def activity_is_known(activity_id: str, authority_client_ids: tuple[int, ...] | None) -> bool:
    """Whether statements of these clients (None: of any) name the activity."""
    if authority_client_ids is None:
        return True
    return (
        db.session.scalar(
            sa.select(StatementActivity.statement_pk)
            .join(Statement, Statement.pk == StatementActivity.statement_pk)
            .where(
                StatementActivity.activity_id == activity_id,
                Statement.authority_client_id.in_(authority_client_ids),
            )
            .limit(1)
        )
        is not None
    )


def known_agents(ifis: list[str], authority_client_ids: tuple[int, ...] | None) -> set[str]:
    """Those of the IFIs that statements of these clients (None: of any) name."""
    if not ifis:
        return set()
    query = sa.select(StatementAgent.ifi).distinct().where(StatementAgent.ifi.in_(ifis))
    if authority_client_ids is not None:
        query = query.join(Statement, Statement.pk == StatementAgent.statement_pk).where(
            Statement.authority_client_id.in_(authority_client_ids)
        )
    return set(db.session.scalars(query))


def get_activity(activity_id: str, authority_client_ids: tuple[int, ...] | None = None) -> dict:
    """The Activity object with the definition merged from every statement seen, when
    statements of these clients (None: of any) name it; otherwise only its id."""
    activity: dict = {"objectType": "Activity", "id": activity_id}
    if not activity_is_known(activity_id, authority_client_ids):
        return activity
    definition = db.session.scalar(
        sa.select(Activity.definition).where(Activity.activity_id == activity_id)
    )
    if definition:
        activity["definition"] = definition
    return activity


# --- activity mappings of LMS connections -------------------------------------------------------


# Built once: the projector asks it of every batch that holds evidence. One round trip
# for both ways an activity counts: a published module lists it, or the connection that
# stored the statement maps it.
_NO_CLIENT = sa.cast(sa.null(), sa.Integer)
_NO_CODE = sa.cast(sa.null(), sa.String)
_EVIDENCE_TARGETS = sa.union_all(
    sa.select(ModuleActivity.activity_iri, _NO_CLIENT, _NO_CODE, _NO_CODE)
    .join(Module, ModuleActivity.module_id == Module.id)
    .join(MicroCredentialVersion, Module.version_id == MicroCredentialVersion.id)
    .where(
        ModuleActivity.activity_iri.in_(sa.bindparam("iris", expanding=True)),
        MicroCredentialVersion.status == VersionStatus.PUBLISHED,
    ),
    sa.select(
        ActivityMapping.activity_iri,
        ActivityMapping.client_id,
        ActivityMapping.credential_code,
        ActivityMapping.module_code,
    ).where(
        ActivityMapping.activity_iri.in_(sa.bindparam("mapped_iris", expanding=True)),
        ActivityMapping.client_id.in_(sa.bindparam("clients", expanding=True)),
    ),
)


def evidence_targets(
    activity_iris: set[str], client_ids: set[int]
) -> tuple[set[str], dict[tuple[int, str], list[tuple[str, str]]]]:
    """Of these activity IRIs: those a published module lists, and (client, IRI) -> the
    (credential code, module code) pairs that client's connection maps them to."""
    if not activity_iris:
        return set(), {}
    iris = sorted(activity_iris)
    listed: set[str] = set()
    mapped: dict[tuple[int, str], list[tuple[str, str]]] = {}
    rows = db.session.execute(
        _EVIDENCE_TARGETS,
        {"iris": iris, "mapped_iris": iris if client_ids else [], "clients": sorted(client_ids)},
    )
    for iri, client_id, credential_code, module_code in rows:
        if client_id is None:
            listed.add(iri)
        else:
            mapped.setdefault((client_id, iri), []).append((credential_code, module_code))
    return listed, mapped


def mapped_targets(
    client_ids: set[int], activity_iris: set[str]
) -> dict[tuple[int, str], list[tuple[str, str]]]:
    """(client, activity IRI) -> the (credential code, module code) pairs its connection
    maps it to, for the given clients and IRIs."""
    if not client_ids or not activity_iris:
        return {}
    found: dict[tuple[int, str], list[tuple[str, str]]] = {}
    rows = db.session.execute(
        sa.select(
            ActivityMapping.client_id,
            ActivityMapping.activity_iri,
            ActivityMapping.credential_code,
            ActivityMapping.module_code,
        ).where(
            ActivityMapping.client_id.in_(sorted(client_ids)),
            ActivityMapping.activity_iri.in_(sorted(activity_iris)),
        )
    )
    for client_id, iri, credential_code, module_code in rows:
        found.setdefault((client_id, iri), []).append((credential_code, module_code))
    return found


def published_modules_named(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], list[Module]]:
    """(credential code, module code) -> that module in every published version."""
    if not pairs:
        return {}
    found: dict[tuple[str, str], list[Module]] = {}
    credential_codes = sorted({credential for credential, _ in pairs})
    rows = db.session.execute(
        sa.select(MicroCredential.code, Module)
        .join(MicroCredentialVersion, Module.version_id == MicroCredentialVersion.id)
        .join(MicroCredential, MicroCredentialVersion.credential_id == MicroCredential.id)
        .where(
            MicroCredential.code.in_(credential_codes),
            MicroCredentialVersion.status == VersionStatus.PUBLISHED,
        )
        .options(so.joinedload(Module.version).joinedload(MicroCredentialVersion.credential))
        .order_by(Module.version_id, Module.position)
    ).all()
    for credential_code, module in rows:
        key = (credential_code, module.code)
        if key in pairs:
            found.setdefault(key, []).append(module)
    return found


def mappings_of(client_id: int) -> list[ActivityMapping]:
    return list(
        db.session.scalars(
            sa.select(ActivityMapping)
            .where(ActivityMapping.client_id == client_id)
            .order_by(ActivityMapping.activity_iri, ActivityMapping.id)
        )
    )
