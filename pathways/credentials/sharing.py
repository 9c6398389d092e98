"""Learners share credentials with employer organisations, for a time they choose.

A share names one employer organisation of this platform and either chosen credentials
or the whole record (every credential the learner holds, later ones included). Only that
organisation's employer verifiers see it, and only while it runs: once it expires or the
learner withdraws it, it is gone for them at once (the same "not found" as a share that
never existed, so nothing is revealed). Each time one of them opens the share or one of
its credentials, a view is logged; the learner sees who looked, and when.

Functions flush and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.credentials.enums import CredentialKind
from pathways.credentials.models import CredentialShare
from pathways.credentials.models import CredentialShareItem
from pathways.credentials.models import CredentialShareView
from pathways.credentials.models import IssuedCredential
from pathways.db import db
from pathways.errors import Invalid
from pathways.errors import NotFound

DURATIONS = (30, 90, 365)  # days offered
MAX_DAYS = 2 * 365
MESSAGE_MAX = 1000
SHAREABLE_KINDS = (
    CredentialKind.MICRO_CREDENTIAL,
    CredentialKind.CERTIFICATION,
    CredentialKind.RECORD,
)


def share_until(days: int | None, on: date | None, *, now: datetime) -> datetime:
    """The end of a share: `days` from now, or the end of the day `on` (UTC).

    :raises Invalid: neither given, in the past, or more than two years ahead.
    """
    if days is not None and days > 0:
        until = now + timedelta(days=days)
    elif days is None and on is not None:
        until = datetime.combine(on, time(23, 59, 59), tzinfo=UTC)
    else:
        raise Invalid(
            "Choose how long to share.",
            code="until_missing",
            errors={"until": ["Choose a date."]},
        )
    if until <= now:
        raise Invalid(
            "The date has passed: choose a later one.",
            code="until_past",
            errors={"until": ["Choose a later date."]},
        )
    if until > now + timedelta(days=MAX_DAYS):
        raise Invalid(
            "Share for two years at most.",
            code="until_too_far",
            errors={"until": ["At most two years from today."]},
        )
    return until.replace(microsecond=0)


def employer_organisations() -> list[Organisation]:
    """The employer organisations a learner may share with."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.kind == OrganisationKind.EMPLOYER)
            .order_by(sa.func.lower(Organisation.name), Organisation.id)
        )
    )


def shareable_credentials(user_id: int) -> list[IssuedCredential]:
    """The learner's credentials that can be shared, newest first (re-issued ones are
    replaced by their successor)."""
    return list(
        db.session.scalars(
            sa.select(IssuedCredential)
            .where(
                IssuedCredential.user_id == user_id,
                IssuedCredential.kind.in_(SHAREABLE_KINDS),
                IssuedCredential.replaced_by_id.is_(None),
            )
            .options(so.joinedload(IssuedCredential.issuer))
            .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id.desc())
        )
    )


def create_share(
    user: User,
    organisation_id: int,
    *,
    expires_at: datetime,
    now: datetime,
    credential_ids: Iterable[int] = (),
    whole_record: bool = False,
    message: str = "",
) -> CredentialShare:
    """Share chosen credentials, or the whole record, with an employer until `expires_at`.

    :raises Invalid: not an employer organisation, nothing chosen, a credential that is not
        the learner's, a message too long, or an end outside (now, now + two years].
    """
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind is not OrganisationKind.EMPLOYER:
        raise Invalid(
            "Choose an employer organisation.",
            code="not_employer",
            errors={"organisation": ["Choose an employer."]},
        )
    if expires_at <= now or expires_at > now + timedelta(days=MAX_DAYS, minutes=1):
        raise Invalid("The end of the share is out of range.", errors={"until": ["Out of range."]})
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise Invalid(
            f"A message is at most {MESSAGE_MAX} characters.",
            errors={"message": [f"At most {MESSAGE_MAX} characters."]},
        )
    chosen: list[IssuedCredential] = []
    if not whole_record:
        ids = sorted(set(credential_ids))
        if not ids:
            raise Invalid(
                "Choose at least one credential, or share your whole record.",
                code="nothing_chosen",
                errors={"credentials": ["Choose at least one."]},
            )
        mine = {row.id: row for row in shareable_credentials(user.id)}
        if any(i not in mine for i in ids):
            raise Invalid(
                "You can share only your own credentials.",
                code="not_yours",
                errors={"credentials": ["Not one of your credentials."]},
            )
        chosen = [mine[i] for i in ids]
    share = CredentialShare(
        user_id=user.id,
        organisation_id=organisation.id,
        whole_record=whole_record,
        message=message,
        created_at=now,
        expires_at=expires_at,
    )
    share.items = [CredentialShareItem(credential_id=row.id) for row in chosen]
    db.session.add(share)
    db.session.flush()
    return share


def withdraw_share(share_id: int, *, actor: User, now: datetime) -> CredentialShare:
    """End a share at once (withdrawing twice changes nothing).

    :raises NotFound: not one of the actor's shares.
    """
    share = db.session.get(CredentialShare, share_id)
    if share is None or share.user_id != actor.id:
        raise NotFound("No such share.")
    if share.withdrawn_at is None:
        share.withdrawn_at = now
        db.session.flush()
    return share


# -- the learner's side -----------------------------------------------------------------------


@dataclass(frozen=True)
class ShareLine:
    share: CredentialShare
    credentials: list[IssuedCredential]
    views: list[CredentialShareView]
    state: str  # active | expired | withdrawn


def _state(share: CredentialShare, now: datetime) -> str:
    if share.withdrawn_at is not None:
        return "withdrawn"
    return "active" if share.expires_at > now else "expired"


def shares_of(user_id: int, *, now: datetime) -> list[ShareLine]:
    """The learner's shares, newest first, with what each shows and who opened it."""
    shares = list(
        db.session.scalars(
            sa.select(CredentialShare)
            .where(CredentialShare.user_id == user_id)
            .options(
                so.joinedload(CredentialShare.organisation),
                so.selectinload(CredentialShare.items).joinedload(CredentialShareItem.credential),
            )
            .order_by(CredentialShare.created_at.desc(), CredentialShare.id.desc())
        )
    )
    views = _views_of([s.id for s in shares])
    whole = shareable_credentials(user_id) if any(s.whole_record for s in shares) else []
    return [
        ShareLine(
            share,
            whole if share.whole_record else [item.credential for item in share.items],
            views.get(share.id, []),
            _state(share, now),
        )
        for share in shares
    ]


def _views_of(share_ids: list[int]) -> dict[int, list[CredentialShareView]]:
    found: dict[int, list[CredentialShareView]] = {}
    if not share_ids:
        return found
    for view in db.session.scalars(
        sa.select(CredentialShareView)
        .where(CredentialShareView.share_id.in_(share_ids))
        .options(so.joinedload(CredentialShareView.credential))
        .order_by(CredentialShareView.viewed_at.desc(), CredentialShareView.id.desc())
    ):
        found.setdefault(view.share_id, []).append(view)
    return found


# -- the employer's side ----------------------------------------------------------------------


def _employer_ids(user: User) -> list[int]:
    return sorted({o.id for o in user.organisations_where(Role.EMPLOYER_VERIFIER)})


def _visible(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(CredentialShare.withdrawn_at.is_(None), CredentialShare.expires_at > now)


def shares_for(user: User, *, now: datetime) -> list[CredentialShare]:
    """Running shares with the organisations where `user` is an employer verifier, newest
    first."""
    ids = _employer_ids(user)
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(CredentialShare)
            .where(CredentialShare.organisation_id.in_(ids), _visible(now))
            .options(
                so.joinedload(CredentialShare.user),
                so.joinedload(CredentialShare.organisation),
                so.selectinload(CredentialShare.items),
            )
            .order_by(CredentialShare.created_at.desc(), CredentialShare.id.desc())
        )
    )


def _log(share: CredentialShare, viewer: User, now: datetime, credential_id: int | None) -> None:
    db.session.add(
        CredentialShareView(
            share_id=share.id,
            credential_id=credential_id,
            viewer_id=viewer.id,
            viewer_name=(viewer.display_name or viewer.email or "")[:200],
            viewed_at=now,
        )
    )
    db.session.flush()


def _open(share_id: int, viewer: User, now: datetime) -> CredentialShare:
    share = db.session.scalar(
        sa.select(CredentialShare).where(
            CredentialShare.id == share_id,
            CredentialShare.organisation_id.in_(_employer_ids(viewer) or [-1]),
            _visible(now),
        )
    )
    if share is None:
        raise NotFound("No such share: it may have ended or been withdrawn.")
    return share


def credentials_of(share: CredentialShare) -> list[IssuedCredential]:
    if share.whole_record:
        return shareable_credentials(share.user_id)
    return [item.credential for item in share.items]


def open_share(share_id: int, *, viewer: User, now: datetime) -> CredentialShare:
    """A running share of one of the viewer's employer organisations; the view is logged.

    :raises NotFound: no such share, not shared with the viewer's organisations, expired or
        withdrawn (all alike).
    """
    share = _open(share_id, viewer, now)
    _log(share, viewer, now, None)
    return share


def open_shared_credential(
    share_id: int, credential_uuid: str, *, viewer: User, now: datetime, log: bool = True
) -> tuple[CredentialShare, IssuedCredential]:
    """One credential of a running share; opening it is logged (unless `log` is False).

    :raises NotFound: as `open_share`, or the credential is not in the share.
    """
    share = _open(share_id, viewer, now)
    found = next((c for c in credentials_of(share) if c.uuid == credential_uuid), None)
    if found is None:
        raise NotFound("No such credential in this share.")
    if log:
        _log(share, viewer, now, found.id)
    return share, found
