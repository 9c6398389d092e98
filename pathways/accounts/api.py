"""JSON endpoints for accounts under /api/v1."""

from __future__ import annotations

from flask import Blueprint
from flask import request
from flask_login import current_user

from pathways.accounts import queries
from pathways.accounts import services
from pathways.accounts.enums import Role
from pathways.accounts.permissions import api
from pathways.accounts.schemas import ApiClientIn
from pathways.accounts.schemas import ApiClientOut
from pathways.accounts.schemas import MeOut
from pathways.db import transaction
from pathways.errors import Forbidden

bp = Blueprint("accounts_api", __name__, url_prefix="/api/v1")

EVERY_ROLE = tuple(Role)
ADMINS = (Role.COLLEGE_ADMIN, Role.PLATFORM_ADMIN)


@bp.get("/me")
@api(roles=EVERY_ROLE)
def get_me():
    """The signed-in user and their memberships."""
    return MeOut().dump(current_user)


def _administered(code: str):
    organisation = services.get_organisation(code)
    if not services.can_administer(current_user, organisation):
        raise Forbidden(f"You do not administer {organisation.name}.")
    return organisation


@bp.get("/organisations/<code>/api-clients")
@api(roles=ADMINS)
def list_api_clients(code: str):
    organisation = _administered(code)
    return {"items": ApiClientOut(many=True).dump(queries.api_clients_of(organisation.id))}


@bp.post("/organisations/<code>/api-clients")
@api(roles=ADMINS)
def create_api_client(code: str):
    payload = ApiClientIn().load(request.get_json(silent=True) or {})
    with transaction():
        organisation = _administered(code)
        created = services.create_api_client(
            organisation, payload["name"], payload["scopes"], actor=current_user
        )
        body = ApiClientOut().dump(created.client)
    body["secret"] = created.secret
    body["bearer_token"] = created.bearer_token
    return body, 201


@bp.delete("/organisations/<code>/api-clients/<int:client_id>")
@api(roles=ADMINS)
def revoke_api_client(code: str, client_id: int):
    with transaction():
        organisation = _administered(code)
        client = queries.api_client_in(organisation.id, client_id)
        services.revoke_api_client(client.id, actor=current_user)
    return "", 204
