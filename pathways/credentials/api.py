"""Credential endpoints: the public protocol ones, and the JSON API under /api/v1.

`/orgs/<code>/did.json` is where did:web resolution of `did:web:<host>:orgs:<code>` looks;
the status list credentials are what every issued credential's `credentialStatus` names.

`GET /api/v1/learners/<id>/credentials` lists a learner's credentials as the exact signed
JSON; readers are those of the learner's pathways (the learner, staff of an organisation
where they learn, API clients of one holding `records:read`). `POST
/api/v1/credentials/<id>/revoke|suspend|reinstate` with `{"reason": ...}` are for the
issuing organisation's admins, platform admins and its API clients holding
`credentials:write`. Errors are problem+json.
"""

from __future__ import annotations

import json

from flask import Blueprint
from flask import Response
from flask import request
from flask_login import current_user

from pathways.accounts import services as accounts
from pathways.accounts.enums import Role
from pathways.accounts.enums import Scope
from pathways.accounts.permissions import api
from pathways.accounts.permissions import authenticated_client
from pathways.accounts.permissions import protocol
from pathways.credentials import ob3
from pathways.credentials import queries
from pathways.credentials import services
from pathways.db import transaction
from pathways.db import utcnow
from pathways.errors import Forbidden
from pathways.errors import Invalid
from pathways.errors import NotFound
from pathways.stacking import services as stacking

bp = Blueprint("credentials_api", __name__)

JSON_LD = "application/ld+json"


def _json(document: str | dict, content_type: str, max_age: int, etag: str | None = None):
    body = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    response = Response(body, content_type=f"{content_type}; charset=utf-8")
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    if etag:
        response.set_etag(etag)
        response.make_conditional(request)
    return response


def _organisation(code: str):
    try:
        return accounts.get_organisation(code)
    except NotFound:
        raise NotFound("No such issuer.") from None


@bp.get("/orgs/<code>/did.json")
@protocol("public: an issuer's DID document (did:web resolution)")
def did_document(code: str):
    """The issuer's DID document with every key it ever signed with."""
    document = services.did_document(_organisation(code))
    if document is None:
        raise NotFound("This organisation has not issued anything yet.")
    return _json(document, "application/did+json", 300)


@bp.get("/orgs/<code>/profile")
@protocol("public: an issuer's Open Badges 3.0 Profile")
def issuer_profile(code: str):
    organisation = _organisation(code)
    profile = services.issuer_profile(organisation)
    profile["@context"] = ["https://www.w3.org/ns/credentials/v2", ob3.OB_V3]
    return _json(profile, "application/json", 300)


@bp.get("/orgs/<code>/status/<purpose>/<int:number>")
@protocol("public: a signed Bitstring Status List credential")
def status_list(code: str, purpose: str, number: int):
    """The signed list; re-signed here when a status changed since it was last signed."""
    with transaction():
        row = services.find_status_list(code, purpose, number)
        document = services.status_list_document(row)
        etag = f"{row.id}-{row.signed_version}-{row.signed_at.timestamp():.0f}"
    max_age = int(services.STATUS_LIST_TTL.total_seconds())
    return _json(document, JSON_LD, max_age, etag)


# -- /api/v1 ----------------------------------------------------------------------------------

READERS = (Role.LEARNER, Role.ASSESSOR, Role.COLLEGE_ADMIN, Role.COLLEGE_EDITOR)
MANAGERS = (Role.COLLEGE_ADMIN, Role.PLATFORM_ADMIN)


def _moment(value) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def _summary(row, now) -> dict:
    return {
        "id": f"urn:uuid:{row.uuid}",
        "kind": row.kind.value,
        "status": row.status(now),
        "issuedAt": _moment(row.issued_at),
    }


@bp.get("/api/v1/learners/<int:learner_id>/credentials")
@api(Scope.RECORDS_READ, roles=READERS)
def list_learner_credentials(learner_id: int):
    """The learner's credentials: each item's `credential` is the exact signed JSON as issued.

    Items: id (urn:uuid), kind (micro_credential, certification, record), status (active,
    expired, suspended, revoked), issuedAt, credential.
    """
    client = authenticated_client()
    viewer = None if client is not None else current_user._get_current_object()
    if not stacking.can_view_learner(viewer, learner_id, client=client):
        raise Forbidden("You may not see this learner's credentials.", code="not_allowed")
    now = utcnow()
    items = []
    for row in queries.credentials_of_learner(learner_id):
        # The stored document is spliced in as it is: re-serialising could reorder its keys.
        head = json.dumps(_summary(row, now), ensure_ascii=False, separators=(",", ":"))
        items.append(f'{head[:-1]},"credential":{row.document}}}')
    body = '{"items":[' + ",".join(items) + "]}"
    return Response(body, content_type="application/json; charset=utf-8")


def _reason_of_request() -> str:
    payload = request.get_json(silent=True)
    reason = payload.get("reason") if isinstance(payload, dict) else None
    if reason is not None and not isinstance(reason, str):
        raise Invalid(
            "The reason is a string.", code="invalid", errors={"reason": ["Not a string."]}
        )
    return reason or ""


def _change(credential_id: str, change):
    reason = _reason_of_request()
    client = authenticated_client()
    actor = client if client is not None else current_user._get_current_object()
    with transaction():
        row = services.get_credential(credential_id)
        change(row, reason=reason, actor=actor)
        now = utcnow()
        body = {
            **_summary(row, now),
            "revokedAt": _moment(row.revoked_at),
            "suspendedAt": _moment(row.suspended_at),
        }
    return body


@bp.post("/api/v1/credentials/<credential_id>/revoke")
@api(Scope.CREDENTIALS_WRITE, roles=MANAGERS)
def revoke_credential(credential_id: str):
    """Revoke for good (reason required): what was stacked on it is revoked too.

    Body `{"reason": "..."}`; answers the credential's new status. 409 if already revoked.
    """
    return _change(credential_id, services.revoke)


@bp.post("/api/v1/credentials/<credential_id>/suspend")
@api(Scope.CREDENTIALS_WRITE, roles=MANAGERS)
def suspend_credential(credential_id: str):
    """Suspend until reinstated (reason required). 409 if revoked or already suspended."""
    return _change(credential_id, services.suspend)


@bp.post("/api/v1/credentials/<credential_id>/reinstate")
@api(Scope.CREDENTIALS_WRITE, roles=MANAGERS)
def reinstate_credential(credential_id: str):
    """Lift a suspension (reason required). 409 if not suspended, or revoked."""
    return _change(credential_id, services.reinstate)
