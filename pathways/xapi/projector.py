"""Statements -> learner records, in the transaction that stores them (the endpoint
stores, then hands what was stored and voided here; the store never calls this module,
nor this module the store).

A statement projects when it is evidence (`evidence_of`: completed, passed, failed,
scored or uncompleted by the verb IRI's last segment, as ADL and Moodle name them, with
the result deciding: `success: false` fails, `completion: false` completes nothing), its
object is an Activity a published micro-credential module lists (or, for a quiz
attempt's own URL, one of its context's parent or grouping activities is), and its
actor maps to a user: mbox = the user's email,
mbox_sha1sum of it, or an account (homePage, name) linked as "xapi_account" or "lti"
(Moodle's LTI issuer is its home page and its LTI `sub` is the xAPI account name).
Statements of actors not yet known are noted in `xapi_pending_actor` and projected when
that identity is linked (`identity_linked`). Idempotent by statement id; voiding
reverses (records.services.void_evidence).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from typing import NamedTuple

import sqlalchemy as sa

from pathways.accounts.models import ExternalIdentity
from pathways.accounts.models import User
from pathways.accounts.signals import identity_linked
from pathways.catalog.queries import published_modules_for_activities
from pathways.db import db
from pathways.records import services as records
from pathways.xapi.models import PendingActor
from pathways.xapi.models import Statement
from pathways.xapi.models import StatementActivity
from pathways.xapi.queries import evidence_targets
from pathways.xapi.queries import known_agents
from pathways.xapi.queries import published_modules_named
from pathways.xapi.statements import agent_ifi
from pathways.xapi.statements import parse_timestamp

# Verb IRIs are known by their last segment under these vocabularies: ADL's (old and
# w3id), and TinCan's, which Moodle's logstore_xapi uses for module completions.
VERB_PREFIXES = (
    "http://adlnet.gov/expapi/verbs/",
    "https://w3id.org/xapi/adl/verbs/",
    "http://id.tincanapi.com/verb/",
)
VERBS = frozenset({"completed", "passed", "failed", "scored", "uncompleted"})
ACCOUNT_PROVIDERS = ("xapi_account", "lti")


def verb_name(verb_id: str) -> str | None:
    """completed / passed / failed / scored / uncompleted for the known verb IRIs."""
    for prefix in VERB_PREFIXES:
        if verb_id.startswith(prefix):
            name = verb_id[len(prefix) :]
            return name if name in VERBS else None
    return None


def evidence_of(statement: dict) -> str | None:
    """The evidence a statement gives about its activity, or None (nothing to record).

    The result decides over the verb: `success: false` is a failed attempt, whatever the
    verb says; `completion: false` completes nothing (a score it carries is kept as
    "scored"). `uncompleted` reverses an earlier completion.
    """
    name = verb_name(statement["verb"]["id"])
    if name is None or name in ("failed", "uncompleted"):
        return name
    result = statement.get("result") or {}
    if result.get("success") is False:
        return "failed"
    if name == "scored" or result.get("completion") is False:
        return "scored" if _score(statement) is not None else None
    return name


def _score(statement: dict) -> float | None:
    return ((statement.get("result") or {}).get("score") or {}).get("scaled")


def _context_ids(statement: dict, kind: str) -> tuple[str, ...]:
    items = ((statement.get("context") or {}).get("contextActivities") or {}).get(kind) or []
    if isinstance(items, dict):
        items = [items]
    return tuple(item["id"] for item in items if isinstance(item, dict) and "id" in item)


@dataclass(frozen=True)
class Candidate:
    """A stored statement that may be evidence, with the activity ids that may name its
    module, most specific first: the object; then the context's parent activities (a
    quiz attempt's quiz); then its grouping activities."""

    item: Any
    evidence: str
    levels: tuple[tuple[str, ...], ...]

    @property
    def client_id(self) -> int | None:
        return getattr(self.item, "client_id", None)

    def activity_ids(self, listed: set[str], mapped: set[tuple[int, str]]) -> tuple[str, ...]:
        """The ids of the first level a module lists, or the statement's own connection
        maps to a module (empty when none)."""
        for level in self.levels:
            found = tuple(iri for iri in level if iri in listed or (self.client_id, iri) in mapped)
            if found:
                return found
        return ()


def _candidates(statements) -> list[Candidate]:
    out = []
    for item in statements:
        statement = item.statement
        evidence = evidence_of(statement)
        obj = statement["object"]
        if evidence is None or obj.get("objectType", "Activity") != "Activity":
            continue
        levels = (
            (obj["id"],),
            _context_ids(statement, "parent"),
            _context_ids(statement, "grouping"),
        )
        out.append(Candidate(item, evidence, tuple(level for level in levels if level)))
    return out


def users_for_agents(agents: Iterable[dict]) -> dict[str, User]:
    """Map each agent's IFI key to its user, for those that map (a few queries per batch)."""
    agents = list(agents)
    found: dict[str, User] = {}
    emails = {}
    hashes = {}
    accounts = {}
    for agent in agents:
        key = agent_ifi(agent)
        if "mbox" in agent:
            emails[agent["mbox"][len("mailto:") :].lower()] = key
        elif "mbox_sha1sum" in agent:
            hashes[agent["mbox_sha1sum"].lower()] = key
        elif "account" in agent:
            account = agent["account"]
            accounts[(account["homePage"].strip().rstrip("/"), account["name"])] = key
    if emails:
        for user in db.session.scalars(sa.select(User).where(User.email.in_(list(emails)))):
            found[emails[user.email]] = user
    if hashes:
        # No index can answer a SHA-1 of an email: hash the addresses once per batch.
        for user in db.session.scalars(sa.select(User).where(User.email.is_not(None))):
            digest = hashlib.sha1(f"mailto:{user.email}".encode()).hexdigest()  # noqa: S324
            if digest in hashes:
                found[hashes[digest]] = user
    if accounts:
        rows = db.session.execute(
            sa.select(ExternalIdentity.issuer, ExternalIdentity.subject, User)
            .join(User, ExternalIdentity.user_id == User.id)
            .where(
                ExternalIdentity.provider.in_(ACCOUNT_PROVIDERS),
                ExternalIdentity.subject.in_(sorted({name for _, name in accounts})),
            )
        ).all()
        for issuer, subject, user in rows:
            key = accounts.get((issuer, subject))
            if key is not None:
                found.setdefault(key, user)
    return found


class Kept(NamedTuple):
    """A stored statement read back for projection (the store's own `StoredStatement`
    has the same fields; the projector needs nothing else of the store)."""

    pk: int
    statement: dict
    client_id: int | None = None


def project(statements) -> None:
    """Project stored statements into records: objects with `pk`, `statement` and the
    `client_id` that stored them (its connection's activity mappings count too)."""
    candidates = _candidates(statements)
    if not candidates:
        return
    # Most evidence in a batch is about activities no module lists: find the few that
    # are before loading any module.
    every = {iri for c in candidates for level in c.levels for iri in level}
    clients = {c.client_id for c in candidates if c.client_id is not None}
    listed, mapping = evidence_targets(every, clients)
    chosen = [(c, c.activity_ids(listed, set(mapping))) for c in candidates]
    chosen = [(c, iris) for c, iris in chosen if iris]
    if not chosen:
        return
    modules = published_modules_for_activities(
        {iri for _, iris in chosen for iri in iris if iri in listed}
    )
    named = published_modules_named({pair for pairs in mapping.values() for pair in pairs})
    users = users_for_agents(c.item.statement["actor"] for c, _ in chosen)
    pending = []
    for candidate, iris in chosen:
        statement = candidate.item.statement
        key = agent_ifi(statement["actor"])
        user = users.get(key)
        if user is None:
            pending.append({"statement_pk": candidate.item.pk, "ifi": key})
            continue
        targets = {module.id: module for iri in iris for module in modules.get(iri, [])}
        for iri in iris:
            for pair in mapping.get((candidate.client_id, iri), []):
                targets.update((module.id, module) for module in named.get(pair, []))
        for module in targets.values():
            records.record_module_evidence(
                user.id,
                module,
                statement_id=statement["id"].lower(),
                verb=candidate.evidence,
                score_scaled=_score(statement),
                occurred_at=parse_timestamp(statement["timestamp"]),
            )
    if pending:
        # A statement projected again (a new mapping) may be kept already.
        kept = set(
            db.session.scalars(
                sa.select(PendingActor.statement_pk).where(
                    PendingActor.statement_pk.in_([row["statement_pk"] for row in pending])
                )
            )
        )
        pending = [row for row in pending if row["statement_pk"] not in kept]
    if pending:
        db.session.execute(sa.insert(PendingActor), pending)


def project_activity(client_id: int, activity_iri: str, *, batch: int = 500) -> int:
    """Project the statements a connection stored about an activity before it was
    mapped (object or context activity); returns how many were read. Idempotent: what
    was projected already is left alone."""
    after = 0
    count = 0
    while True:
        rows = db.session.execute(
            sa.select(Statement.pk, Statement.full_json)
            .where(
                Statement.authority_client_id == client_id,
                Statement.is_voided.is_(False),
                Statement.pk > after,
                Statement.pk.in_(
                    sa.select(StatementActivity.statement_pk).where(
                        StatementActivity.activity_id == activity_iri
                    )
                ),
            )
            .order_by(Statement.pk)
            .limit(batch)
        ).all()
        if not rows:
            return count
        project([Kept(r.pk, json.loads(r.full_json), client_id) for r in rows])
        count += len(rows)
        after = rows[-1].pk


def unproject(statement_ids: list[str]) -> None:
    """Reverse what voided statements projected."""
    if not statement_ids:
        return
    records.void_evidence(statement_ids)
    db.session.execute(
        sa.delete(PendingActor).where(
            PendingActor.statement_pk.in_(
                sa.select(Statement.pk).where(Statement.statement_id.in_(statement_ids))
            )
        )
    )


def project_pending(ifis: list[str]) -> int:
    """Project the kept statements of actors that now map to a user; returns how many."""
    rows = db.session.execute(
        sa.select(Statement.pk, Statement.full_json, Statement.authority_client_id)
        .join(PendingActor, PendingActor.statement_pk == Statement.pk)
        .where(PendingActor.ifi.in_(ifis), Statement.is_voided.is_(False))
        .order_by(Statement.stored, Statement.pk)
    ).all()
    if not rows:
        return 0
    db.session.execute(
        sa.delete(PendingActor).where(PendingActor.statement_pk.in_([r.pk for r in rows]))
    )
    project([Kept(r.pk, json.loads(r.full_json), r.authority_client_id) for r in rows])
    return len(rows)


def ifis_of_identity(user: User, identity: ExternalIdentity) -> list[str]:
    """The IFI keys an identity (or the user's email) stands for."""
    ifis = []
    if identity.provider in ACCOUNT_PROVIDERS:
        for home in (identity.issuer, identity.issuer + "/"):
            ifis.append(agent_ifi({"account": {"homePage": home, "name": identity.subject}}))
    elif identity.provider == "mbox":
        ifis.append(agent_ifi({"mbox": f"mailto:{identity.subject}"}))
    if user.email:
        ifis.append(agent_ifi({"mbox": f"mailto:{user.email}"}))
        digest = hashlib.sha1(f"mailto:{user.email}".encode()).hexdigest()  # noqa: S324
        ifis.append(agent_ifi({"mbox_sha1sum": digest}))
    return ifis


@identity_linked.connect
def _on_identity_linked(user, identity=None, **_ignored) -> None:
    if identity is not None:
        project_pending(ifis_of_identity(user, identity))


def person_for(agent: dict, authority_client_ids: tuple[int, ...] | None = None) -> dict:
    """The Agents resource's Person for a reader that sees the statements of these
    clients (None: of all).

    The Person always holds what the request gave. The user behind it adds their name
    and their other identifiers only when the reader's statements name this agent, and
    only identifiers those statements name too: an LMS learns nothing of a person its
    own records do not show (asking for an address tells it no name).
    """
    person: dict = {"objectType": "Person"}
    names: list[str] = []
    mboxes: list[str] = []
    hashes: list[str] = []
    openids: list[str] = []
    accounts: list[dict] = []
    if agent.get("name"):
        names.append(agent["name"])
    if "mbox" in agent:
        mboxes.append(agent["mbox"])
    if "mbox_sha1sum" in agent:
        hashes.append(agent["mbox_sha1sum"])
    if "openid" in agent:
        openids.append(agent["openid"])
    if "account" in agent:
        accounts.append(agent["account"])
    is_agent = "objectType" not in agent or agent.get("objectType") == "Agent"
    key = agent_ifi(agent)
    user = None
    if is_agent and key in known_agents([key], authority_client_ids):
        user = users_for_agents([agent]).get(key)
    if user is not None:
        if user.display_name and user.display_name not in names:
            names.append(user.display_name)
        others: list[tuple[str, dict | str]] = []
        if user.email:
            others.append(("mbox", f"mailto:{user.email}"))
        for identity in db.session.scalars(
            sa.select(ExternalIdentity).where(
                ExternalIdentity.user_id == user.id,
                ExternalIdentity.provider.in_(ACCOUNT_PROVIDERS),
            )
        ):
            others.append(("account", {"homePage": identity.issuer, "name": identity.subject}))
        shown = known_agents(
            [agent_ifi({kind: value}) for kind, value in others], authority_client_ids
        )
        for kind, value in others:
            if agent_ifi({kind: value}) not in shown:
                continue
            if kind == "mbox" and value not in mboxes:
                mboxes.append(value)
            elif kind == "account" and value not in accounts:
                accounts.append(value)
    for name, values in (
        ("name", names),
        ("mbox", mboxes),
        ("mbox_sha1sum", hashes),
        ("openid", openids),
        ("account", accounts),
    ):
        if values:
            person[name] = values
    return person
