"""Reads for accounts."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.accounts.enums import Role
from pathways.accounts.models import ApiClient
from pathways.accounts.models import Invitation
from pathways.accounts.models import Membership
from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.db import db
from pathways.errors import NotFound


def organisations_administered_by(user: User) -> list[Organisation]:
    if user.has_role(Role.PLATFORM_ADMIN):
        return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))
    return sorted(
        {m.organisation for m in user.memberships if m.role is Role.COLLEGE_ADMIN},
        key=lambda o: o.name,
    )


def members_of(organisation_id: int) -> list[Membership]:
    return list(
        db.session.scalars(
            sa.select(Membership)
            .filter_by(organisation_id=organisation_id)
            .options(so.joinedload(Membership.user))
            .join(Membership.user)
            .order_by(User.email, Membership.role)
        )
    )


def open_invitations(organisation_id: int) -> list[Invitation]:
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .filter_by(organisation_id=organisation_id, accepted_at=None)
            .order_by(Invitation.created_at.desc())
        )
    )


def api_clients_of(organisation_id: int) -> list[ApiClient]:
    return list(
        db.session.scalars(
            sa.select(ApiClient)
            .filter_by(organisation_id=organisation_id)
            .order_by(ApiClient.created_at.desc(), ApiClient.id.desc())
        )
    )


def api_client_in(organisation_id: int, client_id: int) -> ApiClient:
    client = db.session.scalar(
        sa.select(ApiClient).filter_by(organisation_id=organisation_id, id=client_id)
    )
    if client is None:
        raise NotFound("no such API client in this organisation")
    return client
