"""The catalog JSON API under /api/v1 (blueprint `catalog_api`).

Reads: API clients with `catalog:read` or any signed-in user (drafts only for those the
services let see them). Writes: signed-in college editors and partner reviewers, and API
clients with `catalog:write`; the services decide on the organisation and the version's
state. A client acts for its own organisation, and authors only for a college (a
curriculum system): create, edit, submit, withdraw, copy, invite partners. Publishing,
returning, retiring, comments and endorsements are for people (403 `person_required`).
Errors are problem+json.
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import request
from flask_login import current_user

from pathways.accounts.enums import Role
from pathways.accounts.enums import Scope
from pathways.accounts.permissions import api
from pathways.accounts.permissions import authenticated_client
from pathways.accounts.permissions import public
from pathways.catalog import case
from pathways.catalog import queries
from pathways.catalog import search
from pathways.catalog import services
from pathways.catalog.actors import Actor
from pathways.catalog.actors import as_actor
from pathways.catalog.schemas import SUMMARY_FIELDS
from pathways.catalog.schemas import CommentIn
from pathways.catalog.schemas import CommentOut
from pathways.catalog.schemas import CreateDraftIn
from pathways.catalog.schemas import EndorsementIn
from pathways.catalog.schemas import EndorsementOut
from pathways.catalog.schemas import EventOut
from pathways.catalog.schemas import FrameworkOut
from pathways.catalog.schemas import ItemOut
from pathways.catalog.schemas import PartnerIn
from pathways.catalog.schemas import PartnerOut
from pathways.catalog.schemas import SearchIn
from pathways.catalog.schemas import TransitionIn
from pathways.catalog.schemas import VersionIn
from pathways.catalog.schemas import VersionOut
from pathways.db import transaction
from pathways.errors import NotFound

bp = Blueprint("catalog_api", __name__, url_prefix="/api/v1")

EVERY_ROLE = tuple(Role)
AUTHORS = (Role.COLLEGE_EDITOR, Role.PARTNER_REVIEWER)


def _actor() -> Actor | None:
    """The API client of the request (acting for its organisation), else the signed-in user.

    The services decide what each may see and do: a client without `catalog:write`, or of
    an organisation that is not a college, sees published data only and writes nothing.
    """
    client = authenticated_client()
    if client is not None:
        return Actor(client=client)
    return as_actor(current_user)


def _version_response(version, status: int = 200):
    body = VersionOut().dump(version)
    body["missing_publish_fields"] = services.missing_publish_fields(version)
    return body, status, {"ETag": f'"{version.etag}"'}


# Frameworks ------------------------------------------------------------------------------------


@bp.get("/frameworks")
@api(Scope.CATALOG_READ, roles=EVERY_ROLE)
def list_frameworks():
    """Published frameworks."""
    return {"items": FrameworkOut(many=True).dump(queries.published_frameworks())}


@bp.get("/frameworks/<identifier>")
@api(Scope.CATALOG_READ, roles=EVERY_ROLE)
def get_framework(identifier: str):
    """A framework with its item tree (each item with its `children`)."""
    framework = queries.get_framework(identifier)
    if framework is None or not framework.is_published:
        raise NotFound(f"No framework {identifier}.", code="no_such_framework")
    items = queries.items_of(framework.id)
    nodes = {item.id: {**ItemOut().dump(item), "children": []} for item in items}
    roots = []
    for item in items:
        (nodes[item.parent_id]["children"] if item.parent_id else roots).append(nodes[item.id])
    return {**FrameworkOut().dump(framework), "items": roots}


@bp.get("/frameworks/<identifier>/items/<item_code>")
@api(Scope.CATALOG_READ, roles=EVERY_ROLE)
def get_item(identifier: str, item_code: str):
    """One item with its indicator leaves."""
    item = queries.item_by_code(identifier, item_code)
    if item is None or not item.framework.is_published:
        raise NotFound(f"No item {item_code} in {identifier}.", code="no_such_item")
    body = ItemOut().dump(item)
    body["leaves"] = [leaf.code for leaf in queries.indicator_leaves(item)]
    return body


# Micro-credentials -----------------------------------------------------------------------------


@bp.get("/microcredentials")
@api(Scope.CATALOG_READ, roles=EVERY_ROLE)
def list_microcredentials():
    """Search published micro-credentials: q, filters, page, per_page; facets with counts."""
    args = SearchIn().load(request.args.to_dict())
    filters = search.SearchFilters(
        text=args["q"],
        occupation=args["occupation"],
        competency=args["competency"],
        college=args["college"],
        partner=args["partner"],
        effort_min=args["effort_min"],
        effort_max=args["effort_max"],
        language=args["language"],
        delivery_mode=args["delivery_mode"],
    )
    per_page = args["per_page"]
    result = search.search(filters, offset=(args["page"] - 1) * per_page, limit=per_page)
    versions = {v.id: v for v in queries.versions_by_ids(result.version_ids)}
    items = [versions[i] for i in result.version_ids if i in versions]
    return {
        "items": VersionOut(many=True, only=SUMMARY_FIELDS).dump(items),
        "total": result.total,
        "page": args["page"],
        "per_page": per_page,
        "facets": result.facets,
    }


@bp.post("/microcredentials")
@api(Scope.CATALOG_WRITE, roles=(Role.COLLEGE_EDITOR,))
def create_microcredential():
    """Create a micro-credential and its draft version 1.

    For a signed-in editor of the issuing college, or an API client of that college with
    `catalog:write` (another college as issuer: 403). The response carries the ETag.
    """
    payload = CreateDraftIn().load(request.get_json(silent=True) or {})
    code = payload.pop("code")
    issuer = payload.pop("issuing_organisation")
    with transaction():
        version = services.create_draft(code, issuer, payload, actor=_actor())
        response = _version_response(version, 201)
    return response


@bp.get("/microcredentials/<code>")
@api(Scope.CATALOG_READ, roles=EVERY_ROLE)
def get_microcredential(code: str):
    """The newest published version of a micro-credential."""
    version = queries.published_version(code)
    if version is None:
        raise NotFound(f"No published micro-credential {code}.", code="no_such_credential")
    return _version_response(version)


@bp.get("/microcredential-versions/<int:version_id>")
@api(Scope.CATALOG_READ, roles=EVERY_ROLE)
def get_version(version_id: int):
    """One version, with its ETag.

    Drafts and versions in review only for the issuing college's editors, its API clients
    with `catalog:write` (and `catalog:read` for this route), and invited partners; 404 for
    everyone else.
    """
    return _version_response(services.visible_version(version_id, actor=_actor()))


@bp.patch("/microcredential-versions/<int:version_id>")
@api(Scope.CATALOG_WRITE, roles=AUTHORS)
def update_version(version_id: int):
    """Edit a draft; needs `If-Match` with the version's current ETag (412 when stale).

    Without If-Match: 428. For the issuing college's editors and its API clients with
    `catalog:write`, and invited co-designers.
    """
    if_match = request.headers.get("If-Match")
    if not if_match:
        abort(428, description="Send If-Match with the ETag you last read.")
    changes = VersionIn().load(request.get_json(silent=True) or {})
    with transaction():
        version = services.update_draft(version_id, changes, actor=_actor(), if_match=if_match)
        response = _version_response(version)
    return response


TRANSITIONS = {
    "submit": lambda version_id, note, actor: services.submit_for_review(version_id, actor=actor),
    "withdraw": lambda version_id, note, actor: services.withdraw(version_id, actor=actor),
    "return": lambda version_id, note, actor: services.return_to_draft(
        version_id, note, actor=actor
    ),
    "publish": lambda version_id, note, actor: services.publish(version_id, actor=actor),
    "retire": lambda version_id, note, actor: services.retire(version_id, note, actor=actor),
    "copy": lambda version_id, note, actor: services.new_version(version_id, actor=actor),
}


@bp.post("/microcredential-versions/<int:version_id>/transitions")
@api(Scope.CATALOG_WRITE, roles=(Role.COLLEGE_EDITOR,))
def transition_version(version_id: int):
    """Move a version: submit, withdraw, return, publish, retire, or copy (a new draft).

    The issuing college's API clients with `catalog:write` may submit, withdraw and copy;
    return, publish and retire are decisions of signed-in editors (403 `person_required`
    for a client). The publisher is not the version's last author; a version last written
    by a client may be published by any editor of the college.
    """
    payload = TransitionIn().load(request.get_json(silent=True) or {})
    with transaction():
        version = TRANSITIONS[payload["action"]](version_id, payload["note"], _actor())
        response = _version_response(version, 201 if payload["action"] == "copy" else 200)
    return response


@bp.get("/microcredential-versions/<int:version_id>/history")
@api(Scope.CATALOG_READ, roles=EVERY_ROLE)
def get_version_history(version_id: int):
    """Who moved the version through which states, and when.

    Each entry names the user (`actor`) or the API client (`actor_client`) that acted.
    """
    events = services.version_history(version_id, actor=_actor())
    return {"items": EventOut(many=True).dump(events)}


@bp.post("/microcredential-versions/<int:version_id>/partners")
@api(Scope.CATALOG_WRITE, roles=(Role.COLLEGE_EDITOR,))
def invite_partner(version_id: int):
    """Invite an industry organisation as co_designer or endorser.

    For the issuing college's editors and its API clients with `catalog:write`.
    """
    payload = PartnerIn().load(request.get_json(silent=True) or {})
    with transaction():
        partner = services.invite_partner(
            version_id, payload["organisation"], payload["role"], actor=_actor()
        )
        body = PartnerOut().dump(partner)
    return body, 201


@bp.get("/microcredential-versions/<int:version_id>/comments")
@api(Scope.CATALOG_READ, roles=EVERY_ROLE)
def list_comments(version_id: int):
    """The comments on a version, oldest first (with parent_id for threads)."""
    version = services.visible_version(version_id, actor=_actor())
    return {"items": CommentOut(many=True).dump(version.comments)}


@bp.post("/microcredential-versions/<int:version_id>/comments")
@api(Scope.CATALOG_WRITE, roles=AUTHORS)
def add_comment(version_id: int):
    """Comment on a version or one of its modules, or reply to a comment.

    People only: API clients get 403 `person_required`.
    """
    payload = CommentIn().load(request.get_json(silent=True) or {})
    with transaction():
        comment = services.add_comment(
            version_id,
            payload["body"],
            actor=_actor(),
            module_id=payload["module_id"],
            parent_id=payload["parent_id"],
        )
        body = CommentOut().dump(comment)
    return body, 201


@bp.get("/microcredential-versions/<int:version_id>/endorsements")
@api(Scope.CATALOG_READ, roles=EVERY_ROLE)
def list_endorsements(version_id: int):
    """Endorsements of a version, voided ones included (with when and why)."""
    version = services.visible_version(version_id, actor=_actor())
    return {"items": EndorsementOut(many=True).dump(version.endorsements)}


@bp.post("/microcredential-versions/<int:version_id>/endorsements")
@api(Scope.CATALOG_WRITE, roles=(Role.PARTNER_REVIEWER,))
def endorse_version(version_id: int):
    """An invited partner's reviewer endorses this exact version.

    People only: API clients get 403 `person_required`.
    """
    payload = EndorsementIn().load(request.get_json(silent=True) or {})
    with transaction():
        endorsement = services.endorse(version_id, payload["statement"], actor=_actor())
        body = EndorsementOut().dump(endorsement)
    return body, 201


# CASE 1.1 REST binding (read-only, public, published frameworks only) -------------------------

case_bp = Blueprint("case", __name__, url_prefix="/ims/case/v1p1")


def _imsx_not_found(sourced_id: str):
    """The CASE binding's 404: an imsx_StatusInfo body naming the unknown object."""
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": f"No published object with sourcedId {sourced_id}.",
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "sourcedId",
                    "imsx_codeMinorFieldValue": "unknownobject",
                }
            ]
        },
    }
    return body, 404


@case_bp.get("/CFDocuments")
@public
def case_documents():
    """Every published framework as a CFDocument."""
    return {"CFDocuments": [case.document_json(f) for f in queries.published_frameworks()]}


@case_bp.get("/CFDocuments/<sourced_id>")
@public
def case_document(sourced_id: str):
    framework = queries.framework_by_uuid(sourced_id)
    if framework is None or not framework.is_published:
        return _imsx_not_found(sourced_id)
    return case.document_json(framework)


@case_bp.get("/CFPackages/<sourced_id>")
@public
def case_package(sourced_id: str):
    """A published framework as a CFPackage."""
    framework = queries.framework_by_uuid(sourced_id)
    if framework is None or not framework.is_published:
        return _imsx_not_found(sourced_id)
    return case.package_json(framework)


@case_bp.get("/CFItems/<sourced_id>")
@public
def case_item(sourced_id: str):
    item = case.published_item(sourced_id)
    if item is None:
        return _imsx_not_found(sourced_id)
    body = case.item_json(item)
    body["CFDocumentURI"] = {
        "title": item.framework.title.get("en", ""),
        "identifier": item.framework.uuid,
        "uri": case.document_json(item.framework)["uri"],
    }
    return body


@case_bp.get("/CFAssociations/<sourced_id>")
@public
def case_association(sourced_id: str):
    body = case.published_association(sourced_id)
    if body is None:
        return _imsx_not_found(sourced_id)
    return body


blueprints = [bp, case_bp]
