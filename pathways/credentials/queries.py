"""Reads of issued credentials: a learner's credentials, an issuer's register, history.

Status in SQL mirrors `IssuedCredential.status(now)`: revoked wins, then suspended, then
expired (`valid_until` passed); anything else is active.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.accounts.enums import Role
from pathways.accounts.models import ApiClient
from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.credentials.enums import CredentialKind
from pathways.credentials.models import CredentialEvent
from pathways.credentials.models import IssuedCredential
from pathways.credentials.models import IssuerKey
from pathways.db import db

STATUSES = ("active", "expired", "suspended", "revoked")
# Kinds a learner holds (endorsements belong to a partner, not to a learner).
LEARNER_KINDS = (
    CredentialKind.MICRO_CREDENTIAL,
    CredentialKind.CERTIFICATION,
    CredentialKind.RECORD,
)


def credential_uuid(text: str | None) -> str | None:
    """The canonical uuid of `urn:uuid:...` or a bare uuid, else None."""
    value = (text or "").strip().lower().removeprefix("urn:uuid:")
    try:
        return str(uuidlib.UUID(value))
    except ValueError:
        return None


def status_is(status: str, now: datetime) -> sa.ColumnElement[bool]:
    """A condition true for the credentials whose `status(now)` is `status`."""
    not_revoked = IssuedCredential.revoked_at.is_(None)
    not_suspended = IssuedCredential.suspended_at.is_(None)
    expired = sa.and_(
        IssuedCredential.valid_until.is_not(None), IssuedCredential.valid_until <= now
    )
    if status == "revoked":
        return IssuedCredential.revoked_at.is_not(None)
    if status == "suspended":
        return sa.and_(not_revoked, IssuedCredential.suspended_at.is_not(None))
    if status == "expired":
        return sa.and_(not_revoked, not_suspended, expired)
    if status == "active":
        return sa.and_(not_revoked, not_suspended, sa.not_(expired))
    raise ValueError(f"unknown status {status!r}")


def credentials_of_learner(user_id: int) -> list[IssuedCredential]:
    """The learner's credentials, oldest first (revoked and replaced ones included)."""
    return list(
        db.session.scalars(
            sa.select(IssuedCredential)
            .where(IssuedCredential.user_id == user_id, IssuedCredential.kind.in_(LEARNER_KINDS))
            .order_by(IssuedCredential.issued_at, IssuedCredential.id)
        )
    )


def live_count_of_learner(user_id: int) -> int:
    """How many of the learner's credentials are not revoked."""
    return db.session.scalar(
        sa.select(sa.func.count(IssuedCredential.id)).where(
            IssuedCredential.user_id == user_id, IssuedCredential.revoked_at.is_(None)
        )
    )


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def managed_organisation_ids(user: User) -> list[int] | None:
    """Organisations whose credentials `user` administers; None: every one (platform admin)."""
    if user.has_role(Role.PLATFORM_ADMIN):
        return None
    return sorted({m.organisation_id for m in user.memberships if m.role is Role.COLLEGE_ADMIN})


def organisations(ids: list[int] | None) -> list[Organisation]:
    query = sa.select(Organisation).order_by(Organisation.name)
    if ids is not None:
        query = query.where(Organisation.id.in_(ids))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Register:
    """One page of an issuer's credentials and how many match in all."""

    rows: list[IssuedCredential]
    total: int


def register(
    organisation_ids: list[int] | None,
    *,
    now: datetime,
    text: str = "",
    status: str = "",
    organisation_id: int | None = None,
    offset: int = 0,
    limit: int = 25,
) -> Register:
    """Credentials issued by the given organisations (None: all), newest first.

    `text` is a credential id (`urn:uuid:` optional) or part of the learner's email;
    `status` one of `STATUSES` or empty for any.
    """
    query = sa.select(IssuedCredential).outerjoin(User, IssuedCredential.user_id == User.id)
    if organisation_ids is not None:
        query = query.where(IssuedCredential.issuer_organisation_id.in_(organisation_ids))
    if organisation_id is not None:
        query = query.where(IssuedCredential.issuer_organisation_id == organisation_id)
    text = (text or "").strip()
    if text:
        uuid = credential_uuid(text)
        if uuid is not None:
            query = query.where(IssuedCredential.uuid == uuid)
        else:
            pattern = (
                "%"
                + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                + "%"
            )
            query = query.where(User.email.like(pattern, escape="\\"))
    if status:
        query = query.where(status_is(status, now))
    total = db.session.scalar(query.with_only_columns(sa.func.count(IssuedCredential.id)))
    rows = list(
        db.session.scalars(
            query.options(
                so.contains_eager(IssuedCredential.user), so.joinedload(IssuedCredential.issuer)
            )
            .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )
    return Register(rows, total or 0)


def events_of(credential_id: int) -> list[CredentialEvent]:
    """A credential's history, oldest first, with who acted."""
    return list(
        db.session.scalars(
            sa.select(CredentialEvent)
            .where(CredentialEvent.credential_id == credential_id)
            .options(so.joinedload(CredentialEvent.actor))
            .order_by(CredentialEvent.at, CredentialEvent.id)
        )
    )


def clients_named_in(events: list[CredentialEvent]) -> dict[int, ApiClient]:
    """The API clients that acted in these events, by id."""
    ids = {e.actor_client_id for e in events if e.actor_client_id is not None}
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(sa.select(ApiClient).where(ApiClient.id.in_(ids)))}


def siblings_of(row: IssuedCredential) -> list[IssuedCredential]:
    """Other credentials issued for the same award or certification (reissues, CLR + badge)."""
    if row.award_id is not None:
        condition = IssuedCredential.award_id == row.award_id
    elif row.certification_id is not None:
        condition = IssuedCredential.certification_id == row.certification_id
    elif row.endorsement_id is not None:
        condition = IssuedCredential.endorsement_id == row.endorsement_id
    else:
        return []
    return list(
        db.session.scalars(
            sa.select(IssuedCredential)
            .where(condition, IssuedCredential.id != row.id)
            .order_by(IssuedCredential.id)
        )
    )


def credential_by_id(credential_id: int) -> IssuedCredential | None:
    return db.session.get(IssuedCredential, credential_id)


def issuer_keys(organisation_id: int) -> list[IssuerKey]:
    """Every key the organisation ever had, oldest first."""
    return list(
        db.session.scalars(
            sa.select(IssuerKey)
            .where(IssuerKey.organisation_id == organisation_id)
            .order_by(IssuerKey.id)
        )
    )
