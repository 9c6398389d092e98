"""Storing statements: the write side of the Statement resource (one batch, one transaction).

The hot path is batched on purpose: one SELECT for the ids already known (none when the
client sends no ids), one INSERT per table for the whole batch (statements, agent rows,
activity rows), one query finding the Activity definitions the batch changes (on
PostgreSQL compared in the database) and writes for those only. No ORM object is built
per statement.

The store knows nothing of learner records: it says what it stored and what it voided
(`Stored`), and the endpoint hands that to the projector in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from pathways.accounts.models import ApiClient
from pathways.db import UTCDateTime
from pathways.db import db
from pathways.db import utcnow
from pathways.errors import Conflict
from pathways.errors import Invalid
from pathways.xapi.models import Activity
from pathways.xapi.models import Attachment
from pathways.xapi.models import Statement
from pathways.xapi.models import StatementActivity
from pathways.xapi.models import StatementAgent
from pathways.xapi.multipart import SIGNATURE_USAGE
from pathways.xapi.multipart import Part
from pathways.xapi.multipart import check_signature
from pathways.xapi.statements import VOIDED_VERB
from pathways.xapi.statements import StatementError
from pathways.xapi.statements import agent_ifi
from pathways.xapi.statements import format_timestamp
from pathways.xapi.statements import normalise
from pathways.xapi.statements import parse_timestamp
from pathways.xapi.statements import related_activities
from pathways.xapi.statements import related_agents
from pathways.xapi.statements import same_statement
from pathways.xapi.statements import statement_activities
from pathways.xapi.statements import statement_agents
from pathways.xapi.statements import validate_statements

SIGNATURE_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class Authority:
    """Who stores: the API client's id and organisation, and the Agent the LRS writes as
    `authority`."""

    client_id: int | None
    agent: dict
    organisation_id: int | None = None

    def owns(self, column):
        """A condition: the statement's `authority_client_id` column is one of this
        organisation's clients (statements of other organisations are not its to void)."""
        return column.in_(
            sa.select(ApiClient.id).where(ApiClient.organisation_id == self.organisation_id)
        )


def authority_for(client, base_url: str) -> Authority:
    """The `authority` Agent of an API client: its key id as an account at this LRS."""
    return Authority(
        client.id,
        {
            "objectType": "Agent",
            "name": client.name,
            "account": {"homePage": base_url, "name": client.key_id},
        },
        client.organisation_id,
    )


def invalid(error: StatementError) -> Invalid:
    """The 400 answer for a statement error; the detail names the failing path."""
    return Invalid(str(error), code="invalid_statement", errors={error.path: [error.message]})


def take_write_lock() -> None:
    """On SQLite, make this transaction a writer now, before it reads.

    In WAL mode a transaction that read and then writes fails at once (SQLITE_BUSY, no
    busy wait) when another writer committed in between; taking the write lock first
    makes concurrent batches queue on busy_timeout instead. PostgreSQL needs nothing.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.text("DELETE FROM xapi_pending_actor WHERE 1 = 0"))


def _check_attachments(statements: list[dict], parts: list[Part], path_of) -> dict[str, Part]:
    """Every attachment without fileUrl has its part; every part is some attachment's.

    Signature attachments are checked against their statement.
    """
    by_hash = {part.sha2: part for part in parts}
    declared: set[str] = set()
    for index, statement in enumerate(statements):
        for number, attachment in enumerate(statement.get("attachments") or []):
            path = f"{path_of(index)}.attachments[{number}]"
            sha2 = attachment["sha2"].lower()
            declared.add(sha2)
            part = by_hash.get(sha2)
            if part is None:
                if "fileUrl" not in attachment or attachment.get("usageType") == SIGNATURE_USAGE:
                    raise StatementError(path, "no multipart part carries this sha2")
                continue
            if attachment.get("usageType") == SIGNATURE_USAGE:
                if attachment.get("contentType") != SIGNATURE_CONTENT_TYPE:
                    raise StatementError(
                        f"{path}.contentType", "a signature must be application/octet-stream"
                    )
                check_signature(statement, part.content, path)
    extra = sorted(set(by_hash) - declared)
    if extra:
        raise StatementError("multipart", f"part {extra[0]} matches no attachment")
    return by_hash


def insert_ignoring_duplicates(table: sa.Table, keys: list[str]):
    """INSERT ... ON CONFLICT (keys) DO NOTHING on PostgreSQL and SQLite."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # noqa: PLC0415 -- per dialect
    else:
        from sqlalchemy.dialects.sqlite import insert  # noqa: PLC0415 -- per dialect
    return insert(table).on_conflict_do_nothing(index_elements=keys)


def _merge_definition(old: dict, new: dict) -> dict:
    """`new` over `old`; language maps and extensions merge key by key.

    Shallow on purpose: neither input is changed afterwards, and the result is only
    serialised.
    """
    merged = dict(old)
    for key, value in new.items():
        if key in ("name", "description", "extensions") and isinstance(value, dict):
            merged[key] = {**(merged.get(key) or {}), **value}
        else:
            merged[key] = value
    return merged


def _activity_definitions(statements: Iterable[dict]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for statement in statements:
        bodies = [statement]
        obj = statement.get("object")
        if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
            bodies.append(obj)
        for body in bodies:
            activities = []
            obj = body.get("object")
            if isinstance(obj, dict) and obj.get("objectType", "Activity") == "Activity":
                activities.append(obj)
            for items in ((body.get("context") or {}).get("contextActivities") or {}).values():
                activities.extend(items if isinstance(items, list) else [items])
            for activity in activities:
                definition = activity.get("definition")
                if isinstance(definition, dict) and definition:
                    # A batch repeats its context activities' definitions: merging an
                    # equal one changes nothing, and the first needs no copy.
                    current = found.get(activity["id"])
                    if current is None:
                        found[activity["id"]] = definition
                    elif current != definition:
                        found[activity["id"]] = _merge_definition(current, definition)
    return found


# The ids whose stored definition is not the batch's text (both written by json.dumps as the
# JSON column writes them), or that have none. An LMS sends the same definition of an
# activity batch after batch, so nearly every id drops out here; the rest go through
# `_merge_definition`, which still writes only what changes.
_CHANGED_DEFINITIONS_SQL = """
SELECT n.id
FROM unnest(%b::text[], %b::text[]) AS n(id, new_text)
LEFT JOIN xapi_activity AS a ON a.activity_id = n.id
WHERE a.definition IS NULL OR a.definition::text <> n.new_text
"""


def _changed_definitions(definitions: dict[str, dict]) -> list[str]:
    """Of these batch definitions, the activity ids whose stored row they may change.

    On PostgreSQL the texts are compared there, so an unchanged activity (nearly all of an
    LMS's, batch after batch) costs neither the transfer nor the parsing of its stored
    definition; SQLite reads and compares them all.
    """
    ids = list(definitions)
    if db.session.get_bind().dialect.name != "postgresql":
        return ids
    # json.dumps as the JSON column serialises (ensure_ascii, ", " and ": "), so that an
    # unchanged definition is the same text.
    texts = [json.dumps(definitions[activity_id]) for activity_id in ids]
    result = db.session.connection().exec_driver_sql(_CHANGED_DEFINITIONS_SQL, (ids, texts))
    return [row[0] for row in result]


def _save_definitions(definitions: dict[str, dict], now: datetime) -> None:
    if not definitions:
        return
    changed = _changed_definitions(definitions)
    if not changed:
        return
    existing = dict(
        db.session.execute(
            sa.select(Activity.activity_id, Activity.definition).where(
                Activity.activity_id.in_(changed)
            )
        ).all()
    )
    inserts = []
    for activity_id in sorted(changed):
        definition = definitions[activity_id]
        if activity_id not in existing:
            inserts.append(
                {"activity_id": activity_id, "definition": definition, "updated_at": now}
            )
            continue
        merged = _merge_definition(existing[activity_id] or {}, definition)
        if merged != existing[activity_id]:
            db.session.execute(
                sa.update(Activity)
                .where(Activity.activity_id == activity_id)
                .values(definition=merged, updated_at=now)
            )
    if inserts:
        # Another worker may insert the same new activity at the same moment.
        db.session.execute(insert_ignoring_duplicates(Activity.__table__, ["activity_id"]), inserts)


def dumps(value: object) -> str:
    """Compact UTF-8 JSON text, as statements are stored and served.

    orjson, several times faster than ``json.dumps(value, ensure_ascii=False,
    separators=(",", ":"))`` and the same JSON: only some floats are spelled otherwise
    (``1e-05`` as ``0.00001``), and a NaN (which only Python's lenient parser lets in)
    becomes null rather than text no JSON parser reads. The standard library takes what
    orjson refuses: integers past 64 bits, nesting deeper than 255 levels.
    """
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _row(statement: dict, authority: Authority, stored: datetime, stored_text: str) -> dict:
    actor = statement["actor"]
    try:
        actor_ifi = agent_ifi(actor)
    except StatementError:
        actor_ifi = None  # an anonymous Group: its members are in the agent side table
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    registration = (statement.get("context") or {}).get("registration")
    timestamp = statement["timestamp"]
    return {
        "statement_id": statement["id"].lower(),
        "actor_ifi": actor_ifi,
        "verb_id": statement["verb"]["id"],
        "object_activity_id": obj["id"] if object_type == "Activity" else None,
        "object_ref": obj["id"].lower() if object_type == "StatementRef" else None,
        "registration": registration.lower() if registration else None,
        "stored": stored,
        "timestamp": stored if timestamp == stored_text else parse_timestamp(timestamp),
        "is_voided": False,
        "authority_client_id": authority.client_id,
        "full_json": dumps(statement),
    }


@dataclass(frozen=True)
class StoredStatement:
    pk: int
    statement: dict
    client_id: int | None = None  # the API client that stored it


@dataclass(frozen=True)
class Stored:
    """What one call stored: the ids of the batch in order (new or already stored),
    the statements new to the LRS and still standing (voided in the same batch or in
    advance: left out), and the ids of earlier statements the batch voided."""

    ids: list[str]
    new: list[StoredStatement] = field(default_factory=list)
    voided: list[str] = field(default_factory=list)


def store_statements(
    data: object,
    *,
    authority: Authority,
    parts: list[Part] | None = None,
    statement_id: str | None = None,
    version: str = "1.0.0",
) -> Stored:
    """Validate and store a statement or a batch; all or nothing.

    `statement_id` is the PUT parameter: the body must be one statement whose id, when
    present, equals it. A statement whose id is already stored with the same content
    (`same_statement`) is accepted and left alone; with other content the batch fails.
    Voiding statements mark their targets voided.

    :raises Invalid: a statement breaks xAPI (the detail names the path), a voiding
        statement targets a voiding statement, attachments and parts do not match.
    :raises Conflict: an id exists with different content.
    """
    try:
        if statement_id is not None:
            if not isinstance(data, dict):
                raise StatementError("statement", "a PUT body must be one Statement")
            if "id" in data and str(data["id"]).lower() != statement_id.lower():
                raise StatementError("statement.id", "differs from the statementId parameter")
            data = {**data, "id": statement_id}
        statements = validate_statements(data)
        single = isinstance(data, dict)

        def path_of(index: int) -> str:
            return "statement" if single else f"statements[{index}]"

        by_hash = _check_attachments(statements, parts or [], path_of)
    except StatementError as error:
        raise invalid(error) from None
    if not statements:
        return Stored([])
    take_write_lock()

    # Ids already stored are compared with the statement as sent (before the LRS fills
    # stored, timestamp and authority), then everything is normalised in place.
    given = [s["id"].lower() for s in statements if "id" in s]
    existing = {}
    if given:
        existing = {
            row.statement_id: row.full_json
            for row in db.session.execute(
                sa.select(Statement.statement_id, Statement.full_json).where(
                    Statement.statement_id.in_(given)
                )
            )
        }
    now = utcnow()
    ids: list[str] = []
    new: list[dict] = []
    for index, statement in enumerate(statements):
        sid = statement["id"].lower() if "id" in statement else None
        known = existing.get(sid) if sid else None
        if known is not None:
            if not same_statement(json.loads(known), statement):
                raise Conflict(
                    f"{path_of(index)}.id: statement {sid} exists with different content",
                    code="statement_conflict",
                )
            ids.append(sid)
            continue
        normalised = normalise(
            statement, stored=now, authority=authority.agent, version=version, in_place=True
        )
        ids.append(normalised["id"].lower())
        new.append(normalised)
    if not new:
        return Stored(ids)

    _check_voiding(new, path_of)
    # `stored` is the batch's instant as its statements show it (milliseconds).
    stored_text = format_timestamp(now)
    stored = parse_timestamp(stored_text)
    rows = [_row(s, authority, stored, stored_text) for s in new]
    pk_of = dict(
        (statement_id, pk)
        for pk, statement_id in insert_rows(
            Statement.__table__, rows, returning=("pk", "statement_id")
        )
    )
    pks = [pk_of[row["statement_id"]] for row in rows]
    _insert_side_rows(new, pks, rows)
    voided, voided_early = _void_targets(new, set(given), authority)
    _save_definitions(_activity_definitions(new), now)
    _save_attachments(new, by_hash)
    standing = [
        StoredStatement(pk, s, authority.client_id)
        for pk, s in zip(pks, new, strict=True)
        if s["id"].lower() not in voided_early
    ]
    return Stored(ids, standing, voided)


def _pg_type(column: sa.Column) -> str:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return "timestamptz"
    if isinstance(kind, sa.Boolean):
        return "boolean"
    if isinstance(kind, sa.Integer):  # BigInteger included
        return "bigint"
    return "text"


def insert_rows(table: sa.Table, rows: list[dict], *, returning: tuple[str, ...] = ()):
    """Insert many rows in one statement; return the `returning` columns when asked.

    PostgreSQL gets ``INSERT ... SELECT ... FROM unnest(a1, a2, ...)`` with one array
    parameter per column (one value for a column equal in every row), sent in binary:
    one query text however many rows (prepared once per connection), no placeholder per
    value, and nothing to escape, encode or parse as text on either side (executemany
    would send a row per round trip; a JSON recordset made both sides write and read
    every value as text; ``%b`` is psycopg 3's binary placeholder, the driver the app
    always configures). Values must suit the column as they are: timestamps aware.
    SQLite (in-process, no round trips) uses executemany, through SQLAlchemy's
    insertmanyvalues when rows are returned. Returned rows come in no particular order:
    match them by a key column.
    """
    if not rows:
        return []
    columns = list(rows[0])
    if db.session.get_bind().dialect.name == "postgresql":
        # A column with one value for every row (the batch's `stored`, its client) goes
        # as one value: psycopg dumps array elements one by one in Python.
        values = {name: [row[name] for row in rows] for name in columns}
        varying = [name for name in columns if values[name].count(values[name][0]) < len(rows)]
        if not varying:
            varying = columns[:1]
        constant = [name for name in columns if name not in varying]
        selected = ", ".join(
            f"u.{name}" if name in varying else f"%b::{_pg_type(table.c[name])}" for name in columns
        )
        arrays = ", ".join(f"%b::{_pg_type(table.c[name])}[]" for name in varying)
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {selected} "
            f"FROM unnest({arrays}) AS u({', '.join(varying)})"
        )
        if returning:
            sql += f" RETURNING {', '.join(returning)}"
        arguments = [values[name][0] for name in columns if name in constant]
        arguments += [values[name] for name in varying]
        result = db.session.connection().exec_driver_sql(sql, tuple(arguments))
        return result.all() if returning else []
    statement = sa.insert(table)
    if returning:
        statement = statement.returning(*(table.c[name] for name in returning))
        return db.session.execute(statement, rows).all()
    db.session.execute(statement, rows)
    return []


def _insert_side_rows(statements: list[dict], pks: list[int], rows: list[dict]) -> None:
    """The agent and activity rows the filters use.

    The statement's own `authority` is left out of the agent rows: it is the API
    client, whose statements `authority_client_id` already finds (queries map an LRS
    authority agent to its client), and one more row per statement for the same IFI
    would only grow a hot index.
    """
    agent_rows = []
    activity_rows = []
    for statement, pk, row in zip(statements, pks, rows, strict=True):
        main = statement_agents(statement)
        for ifi in related_agents(statement, authority=False):
            agent_rows.append(
                {
                    "statement_pk": pk,
                    "ifi": ifi,
                    "is_related": ifi not in main,
                    "verb_id": row["verb_id"],
                    "stored": row["stored"],
                }
            )
        main = statement_activities(statement)
        for activity_id in main | related_activities(statement):
            activity_rows.append(
                {
                    "statement_pk": pk,
                    "activity_id": activity_id,
                    "is_related": activity_id not in main,
                    "stored": row["stored"],
                }
            )
    insert_rows(StatementAgent.__table__, agent_rows)
    insert_rows(StatementActivity.__table__, activity_rows)


def _check_voiding(statements: list[dict], path_of) -> None:
    """A statement may not void a voiding statement (Data 2.3.2).

    A stored "voided" statement whose own target is not in the LRS has voided nothing
    (the LRS accepted it without its target, Data 2.3.2); it stays an ordinary
    statement that a later voiding statement may void. The conformance suite relies
    on this: it voids such a statement and expects it gone from ``statementId``.
    """
    targets = {
        s["object"]["id"].lower(): index
        for index, s in enumerate(statements)
        if s["verb"]["id"] == VOIDED_VERB
    }
    if not targets:
        return
    voiding_in_batch = {s["id"].lower() for s in statements if s["verb"]["id"] == VOIDED_VERB}
    voided_target = aliased(Statement)
    voiding_stored = set(
        db.session.scalars(
            sa.select(Statement.statement_id)
            .join(voided_target, voided_target.statement_id == Statement.object_ref)
            .where(Statement.statement_id.in_(list(targets)), Statement.verb_id == VOIDED_VERB)
        )
    )
    for target, index in targets.items():
        if target in voiding_in_batch or target in voiding_stored:
            raise Invalid(
                f"{path_of(index)}.object: a voiding statement cannot be voided",
                code="invalid_statement",
                errors={f"{path_of(index)}.object": ["a voiding statement cannot be voided"]},
            )


def _void_targets(
    statements: list[dict], client_ids: set[str], authority: Authority
) -> tuple[list[str], set[str]]:
    """Mark targets of new voiding statements, and new statements voided in advance.

    A statement voids only its own organisation's statements: another organisation's
    are, for it, not in the LRS (so it voided nothing). Returns (the targets voided now,
    every id voided now: new statements voided in advance or in the same batch must not
    be projected).
    """
    targets = [s["object"]["id"].lower() for s in statements if s["verb"]["id"] == VOIDED_VERB]
    if targets:
        targets = list(
            db.session.scalars(
                sa.select(Statement.statement_id).where(
                    Statement.statement_id.in_(targets),
                    authority.owns(Statement.authority_client_id),
                )
            )
        )
    if targets:
        # _check_voiding has refused targets that are voiding statements with a target
        # of their own; the voiding statements left here voided nothing and are voidable.
        db.session.execute(
            sa.update(Statement).where(Statement.statement_id.in_(targets)).values(is_voided=True)
        )
    # Only an id the client chose can have been voided before it arrived; ids the LRS
    # has just assigned cannot (Moodle sends none, so its batches skip this query).
    ids = [
        s["id"].lower()
        for s in statements
        if s["verb"]["id"] != VOIDED_VERB and s["id"].lower() in client_ids
    ]
    if not ids:
        return targets, set(targets)
    early = db.session.scalars(
        sa.select(Statement.object_ref).where(
            Statement.object_ref.in_(ids),
            Statement.verb_id == VOIDED_VERB,
            Statement.is_voided.is_(False),
            authority.owns(Statement.authority_client_id),
        )
    ).all()
    if early:
        db.session.execute(
            sa.update(Statement).where(Statement.statement_id.in_(early)).values(is_voided=True)
        )
    return targets, set(early) | set(targets)


def _save_attachments(statements: list[dict], by_hash: dict[str, Part]) -> None:
    if not by_hash:
        return
    known = set(
        db.session.scalars(sa.select(Attachment.sha2).where(Attachment.sha2.in_(list(by_hash))))
    )
    rows = [
        {"sha2": sha2, "content_type": part.content_type, "content": part.content}
        for sha2, part in by_hash.items()
        if sha2 not in known
    ]
    if rows:
        db.session.execute(insert_ignoring_duplicates(Attachment.__table__, ["sha2"]), rows)
