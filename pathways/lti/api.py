"""LTI JSON endpoints: the tool's JWKS at /lti/jwks, and /api/v1/lti/... for platform
admins (registrations) and instructors (line items, roster sync).

One blueprint without a prefix, so `/lti/jwks` (a spec-fixed URL) answers JSON errors
like the rest of the API.
"""

from __future__ import annotations

from flask import Blueprint
from flask import request
from flask_login import current_user

from pathways.accounts import services as accounts
from pathways.accounts.enums import Role
from pathways.accounts.enums import Scope
from pathways.accounts.permissions import api
from pathways.accounts.permissions import protocol
from pathways.db import transaction
from pathways.lti import calls
from pathways.lti import keys
from pathways.lti import queries
from pathways.lti import services
from pathways.lti.schemas import LineItemIn
from pathways.lti.schemas import PlatformIn
from pathways.lti.schemas import PlatformOut
from pathways.lti.schemas import PlatformPatch

bp = Blueprint("lti_api", __name__)

ADMINS = (Role.PLATFORM_ADMIN,)
# Any signed-in person: an LMS instructor holds no Pathways role (least privilege); the
# service checks that they teach the course (`services.require_instructor`).
TEACHERS = tuple(Role)


def _actor():
    # An API client with lti:admin acts as the operator; a signed-in admin acts as themself.
    return current_user if current_user.is_authenticated else None


@bp.get("/lti/jwks")
@protocol("public: the tool's public signing keys (JWKS)")
def jwks():
    """The tool's public keys (JWKS), including retired keys still valid."""
    with transaction():
        document = keys.tool_jwks()
    response = document, 200, {"Cache-Control": "public, max-age=300"}
    return response


@bp.get("/api/v1/lti/platforms")
@api(Scope.LTI_ADMIN, roles=ADMINS)
def list_platforms():
    """LTI 1.3 platform registrations."""
    return {"items": PlatformOut(many=True).dump(queries.platforms())}


@bp.post("/api/v1/lti/platforms")
@api(Scope.LTI_ADMIN, roles=ADMINS)
def create_platform():
    """Register an LTI 1.3 platform."""
    payload = PlatformIn().load(request.get_json(silent=True) or {})
    with transaction():
        org_code = payload.pop("organisation")
        organisation = accounts.get_organisation(org_code) if org_code else None
        platform = services.create_platform(organisation=organisation, actor=_actor(), **payload)
        body = PlatformOut().dump(platform)
    return body, 201


@bp.get("/api/v1/lti/platforms/<int:platform_id>")
@api(Scope.LTI_ADMIN, roles=ADMINS)
def get_platform(platform_id: int):
    """One platform registration."""
    return PlatformOut().dump(queries.get_platform(platform_id))


@bp.patch("/api/v1/lti/platforms/<int:platform_id>")
@api(Scope.LTI_ADMIN, roles=ADMINS)
def update_platform(platform_id: int):
    """Change a platform registration (deployments, URLs, trust, enabled)."""
    changes = PlatformPatch().load(request.get_json(silent=True) or {})
    with transaction():
        platform = queries.get_platform(platform_id)
        if "organisation" in changes:
            code = changes["organisation"]
            changes["organisation"] = accounts.get_organisation(code) if code else None
        services.update_platform(platform, changes, actor=_actor())
        body = PlatformOut().dump(platform)
    return body


@bp.get("/api/v1/lti/contexts/<int:context_id>/lineitems")
@api(roles=TEACHERS)
def list_line_items(context_id: int):
    """The LMS course's gradebook line items (AGS)."""
    return {"items": calls.list_line_items(context_id, current_user)}


@bp.post("/api/v1/lti/contexts/<int:context_id>/lineitems")
@api(roles=TEACHERS)
def create_line_item(context_id: int):
    """Create a gradebook line item in the LMS course (AGS)."""
    payload = LineItemIn().load(request.get_json(silent=True) or {})
    item = calls.create_line_item(
        context_id,
        current_user,
        label=payload["label"],
        score_maximum=payload["scoreMaximum"],
        resource_link_id=payload["resourceLinkId"],
        resource_id=payload["resourceId"],
        tag=payload["tag"],
    )
    return item, 201


@bp.post("/api/v1/lti/contexts/<int:context_id>/roster-sync")
@api(roles=TEACHERS)
def sync_roster(context_id: int):
    """Read the LMS course roster (NRPS) and enrol the cohort."""
    result = calls.sync_roster(context_id, current_user)
    return {"members": result.members, "inactive": result.inactive, "pages": result.pages}
