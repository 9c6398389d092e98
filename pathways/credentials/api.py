"""Public credential protocol endpoints: issuers' DID documents and profiles, status lists.

`/orgs/<code>/did.json` is where did:web resolution of `did:web:<host>:orgs:<code>` looks;
the status list credentials are what every issued credential's `credentialStatus` names.
"""

from __future__ import annotations

import json

from flask import Blueprint
from flask import Response
from flask import request

from pathways.accounts import services as accounts
from pathways.accounts.permissions import protocol
from pathways.credentials import services
from pathways.db import transaction
from pathways.errors import NotFound

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
    profile["@context"] = ["https://www.w3.org/ns/credentials/v2", services.ob3.OB_V3]
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
