"""State, Activity Profile and Agent Profile documents (Communication 2.3, 2.6, 2.7, 3.1).

A document is addressed by a `DocumentKey`, within one organisation: each organisation's
clients see and change their own documents only. Writes honour `If-Match` and
`If-None-Match` (412 when they fail); a profile PUT with neither header on an existing
document is refused with 409, as Communication 3.1 requires. POST merges JSON objects
one level deep. ETags are the quoted SHA-1 of the content.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from pathways.db import db
from pathways.db import utcnow
from pathways.errors import Conflict
from pathways.errors import Invalid
from pathways.errors import PreconditionFailed
from pathways.xapi.models import Document

STATE = "state"
ACTIVITY_PROFILE = "activity"
AGENT_PROFILE = "agent"


@dataclass(frozen=True)
class DocumentKey:
    kind: str
    document_id: str | None  # None addresses every document of the scope
    activity_id: str = ""
    agent_ifi: str = ""
    registration: str = ""
    organisation_id: int | None = None

    def scope(self) -> list:
        conditions = [
            Document.organisation_id == self.organisation_id,
            Document.kind == self.kind,
            Document.activity_id == self.activity_id,
            Document.agent_ifi == self.agent_ifi,
        ]
        if self.kind == STATE:
            conditions.append(Document.registration == self.registration)
        return conditions


@dataclass(frozen=True)
class Preconditions:
    if_match: str | None = None
    if_none_match: str | None = None

    @property
    def given(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None


def etag_of(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()  # noqa: S324 -- the spec's ETag, not security


def _tags(header: str) -> set[str]:
    tags = set()
    for item in header.split(","):
        item = item.strip()
        if item.startswith("W/"):
            item = item[2:]
        tags.add(item.strip('"').lower())
    return tags


def _check(document: Document | None, preconditions: Preconditions) -> None:
    if preconditions.if_match is not None:
        tags = _tags(preconditions.if_match)
        if document is None or ("*" not in tags and document.etag not in tags):
            raise PreconditionFailed("If-Match does not match the document", code="etag_mismatch")
    if preconditions.if_none_match is not None:
        tags = _tags(preconditions.if_none_match)
        if document is not None and ("*" in tags or document.etag in tags):
            raise PreconditionFailed(
                "If-None-Match matches the existing document", code="etag_match"
            )


def get_document(key: DocumentKey) -> Document | None:
    return db.session.scalar(
        sa.select(Document).where(*key.scope(), Document.document_id == key.document_id)
    )


def list_document_ids(key: DocumentKey, since: datetime | None) -> list[str]:
    conditions = key.scope()
    if since is not None:
        conditions.append(Document.updated_at > since)
    return list(
        db.session.scalars(
            sa.select(Document.document_id).where(*conditions).order_by(Document.document_id)
        )
    )


def _is_json(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


def _json_object(content: bytes, what: str) -> dict:
    try:
        value = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        value = None
    if not isinstance(value, dict):
        raise Invalid(f"{what} is not a JSON object; only JSON objects merge", code="not_json")
    return value


def put_document(
    key: DocumentKey,
    content: bytes,
    content_type: str,
    preconditions: Preconditions,
    *,
    needs_precondition: bool,
) -> Document:
    """Store (create or replace) a document.

    :raises PreconditionFailed: If-Match / If-None-Match fail.
    :raises Conflict: `needs_precondition` (profiles) and the document exists but the
        request names no precondition (Communication 3.1).
    :raises Invalid: `needs_precondition` and the document does not exist yet but the
        request names no precondition: a client MUST send one of the two headers to
        the profile resources (Communication 3.1), so the request is malformed.
    """
    document = get_document(key)
    _check(document, preconditions)
    if needs_precondition and not preconditions.given:
        if document is not None:
            raise Conflict(
                "the document exists: send If-Match (or If-None-Match) to change it",
                code="precondition_required",
            )
        raise Invalid(
            "send If-None-Match: * to create a profile document (or If-Match to replace one)",
            code="precondition_required",
            errors={"If-None-Match": ["If-Match or If-None-Match is required"]},
        )
    return _save(key, document, content, content_type)


def post_document(
    key: DocumentKey, content: bytes, content_type: str, preconditions: Preconditions
) -> Document:
    """Create a document, or merge a JSON object into an existing JSON object.

    :raises Invalid: either document is not a JSON object (application/json); a new
        document sent as application/json must parse as a JSON object too, since a
        POST is the merge request (Communication 2.2).
    :raises PreconditionFailed: If-Match / If-None-Match fail.
    """
    document = get_document(key)
    _check(document, preconditions)
    if document is None:
        if _is_json(content_type):
            _json_object(content, "the posted document")
        return _save(key, None, content, content_type)
    if not _is_json(document.content_type) or not _is_json(content_type):
        raise Invalid("only application/json documents merge", code="not_json")
    old = _json_object(document.content, "the stored document")
    new = _json_object(content, "the posted document")
    merged = json.dumps({**old, **new}, ensure_ascii=False).encode()
    return _save(key, document, merged, "application/json")


def _save(key: DocumentKey, document: Document | None, content: bytes, content_type: str):
    if document is None:
        document = Document(
            organisation_id=key.organisation_id,
            kind=key.kind,
            activity_id=key.activity_id,
            agent_ifi=key.agent_ifi,
            registration=key.registration,
            document_id=key.document_id,
        )
        db.session.add(document)
    document.content = content
    document.content_type = content_type or "application/octet-stream"
    document.etag = etag_of(content)
    document.updated_at = utcnow()
    db.session.flush()
    return document


def delete_document(key: DocumentKey, preconditions: Preconditions) -> None:
    """Delete one document (a missing one is no error), or every one of a State scope."""
    if key.document_id is None:
        db.session.execute(sa.delete(Document).where(*key.scope()))
        return
    document = get_document(key)
    _check(document, preconditions)
    if document is not None:
        db.session.delete(document)
        db.session.flush()
