"""Reads: clients and tokens by their secrets, and the credentials a wallet may pull.

A learner's wallet sees, oldest first, the OpenBadgeCredentials Pathways issued to them
(micro-credentials and occupation certifications; a ClrCredential is not an
AchievementCredential, and a credential replaced by a corrected one is left out) followed
in date order by the outside credentials wallets pushed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from pathways.credentials.enums import CredentialKind
from pathways.credentials.models import IssuedCredential
from pathways.db import db
from pathways.oauth.enums import HeldFormat
from pathways.oauth.models import HeldCredential
from pathways.oauth.models import OAuthClient
from pathways.oauth.models import OAuthToken
from pathways.oauth.models import digest

# The kinds of issued credential the Open Badges API returns (OpenBadgeCredentials).
WALLET_KINDS = (CredentialKind.MICRO_CREDENTIAL, CredentialKind.CERTIFICATION)


def client_by_client_id(client_id: str | None) -> OAuthClient | None:
    if not client_id or len(client_id) > 64:
        return None
    return db.session.scalar(sa.select(OAuthClient).where(OAuthClient.client_id == client_id))


def token_by_access_token(access_token: str | None) -> OAuthToken | None:
    if not access_token:
        return None
    return db.session.scalar(
        sa.select(OAuthToken).where(OAuthToken.access_token_hash == digest(access_token))
    )


def token_by_refresh_token(refresh_token: str, *, for_update: bool = False) -> OAuthToken | None:
    statement = sa.select(OAuthToken).where(OAuthToken.refresh_token_hash == digest(refresh_token))
    if for_update:
        statement = statement.with_for_update()
    return db.session.scalar(statement)


@dataclass(frozen=True)
class WalletItem:
    format: HeldFormat
    document: str  # exact stored text: signed JSON, or a compact JWS


@dataclass(frozen=True)
class WalletPage:
    total: int
    items: list[WalletItem]


def _wallet_rows(user_id: int, since: datetime | None) -> sa.CompoundSelect:
    issued = sa.select(
        IssuedCredential.issued_at.label("issued_at"),
        sa.literal_column("0").label("source"),
        IssuedCredential.id.label("row_id"),
        sa.literal_column(f"'{HeldFormat.JSON.value}'").label("format"),
        IssuedCredential.document.label("document"),
    ).where(
        IssuedCredential.user_id == user_id,
        IssuedCredential.kind.in_(WALLET_KINDS),
        IssuedCredential.replaced_by_id.is_(None),
    )
    held = sa.select(
        HeldCredential.issued_at.label("issued_at"),
        sa.literal_column("1").label("source"),
        HeldCredential.id.label("row_id"),
        HeldCredential.format.label("format"),
        HeldCredential.document.label("document"),
    ).where(HeldCredential.user_id == user_id)
    if since is not None:
        issued = issued.where(IssuedCredential.issued_at > since)
        held = held.where(HeldCredential.issued_at > since)
    return sa.union_all(issued, held)


def wallet_page(user_id: int, *, limit: int, offset: int, since: datetime | None) -> WalletPage:
    """One page of the learner's credentials for getCredentials, and how many there are."""
    rows = _wallet_rows(user_id, since).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(rows))
    page = db.session.execute(
        sa.select(rows.c.format, rows.c.document)
        .order_by(rows.c.issued_at, rows.c.source, rows.c.row_id)
        .limit(limit)
        .offset(offset)
    )
    return WalletPage(total, [WalletItem(HeldFormat(f), document) for f, document in page])


def held_credential(user_id: int, equality_key: str) -> HeldCredential | None:
    return db.session.scalar(
        sa.select(HeldCredential).where(
            HeldCredential.user_id == user_id, HeldCredential.equality_key == equality_key
        )
    )


def issued_to(user_id: int, credential_uuid: str) -> IssuedCredential | None:
    return db.session.scalar(
        sa.select(IssuedCredential).where(
            IssuedCredential.user_id == user_id, IssuedCredential.uuid == credential_uuid
        )
    )


def grants_of_user(user_id: int) -> list[tuple[OAuthClient, str, datetime]]:
    """(client, scope, last issued) for each client holding a live token of the learner."""
    rows = db.session.execute(
        sa.select(OAuthClient, OAuthToken.scope, OAuthToken.issued_at)
        .join(OAuthToken, OAuthToken.client_id == OAuthClient.id)
        .where(OAuthToken.user_id == user_id, OAuthToken.revoked_at.is_(None))
        .order_by(OAuthClient.client_name, OAuthClient.id, OAuthToken.issued_at.desc())
    ).all()
    seen: dict[int, tuple[OAuthClient, str, datetime]] = {}
    for client, scope, issued_at in rows:
        seen.setdefault(client.id, (client, scope, issued_at))
    return list(seen.values())
