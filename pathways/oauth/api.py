"""The Open Badges 3.0 API at /ims/ob/v3p0 and the OAuth 2.0 endpoints that guard it.

`ob_api` (OB 3.0 section 6): `GET /discovery` (public), `GET /credentials`
(credential.readonly: the learner's credentials as the exact stored JSON, paged with
`limit`/`offset`/`since`, `X-Total-Count` and `Link`), `POST /credentials`
(credential.upsert: 201 new, 200 already held), `GET /profile` (profile.readonly),
`PUT /profile` (profile.update). Every refusal is an Imsx_StatusInfo; a missing, expired
or revoked token is 401 and a token without the scope is 403, each with its
`WWW-Authenticate: Bearer ...` challenge (RFC 6750).

`oauth_api`: `POST /oauth/register` (RFC 7591, open), `POST /oauth/token` (authorization
code with PKCE, refresh token), `POST /oauth/revoke` (RFC 7009). Authlib answers these in
the OAuth error format.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlencode

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6750 import InsufficientScopeError
from authlib.oauth2.rfc6750 import InvalidTokenError
from flask import Blueprint
from flask import Response
from flask import current_app
from flask import g
from flask import jsonify
from flask import request
from flask import url_for
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from pathways.accounts.permissions import protocol
from pathways.db import transaction
from pathways.errors import DomainError
from pathways.errors import Invalid
from pathways.oauth import queries
from pathways.oauth import services
from pathways.oauth.discovery import Endpoints
from pathways.oauth.discovery import service_description
from pathways.oauth.enums import HeldFormat
from pathways.oauth.enums import ObScope
from pathways.oauth.server import authorization_server
from pathways.oauth.server import require_oauth

log = logging.getLogger(__name__)

ob_bp = Blueprint("ob_api", __name__, url_prefix="/ims/ob/v3p0")
oauth_bp = Blueprint("oauth_api", __name__)
blueprints = [ob_bp, oauth_bp]

REALM = "pathways"
CODE_MINOR = {
    400: "invalid_data",
    401: "unauthorizedrequest",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    406: "not_acceptable",
    413: "invalid_data",
    415: "invalid_data",
    500: "internal_server_error",
}
# imsx_codeMinorFieldValue's vocabulary (a DomainError code from it is passed on as is).
CODE_MINOR_VALUES = frozenset(
    {
        "forbidden",
        "fullsuccess",
        "internal_server_error",
        "invalid_data",
        "invalid_query_parameter",
        "misdirected_request",
        "not_acceptable",
        "not_allowed",
        "not_found",
        "not_modified",
        "server_busy",
        "unauthorizedrequest",
        "unknown",
    }
)
JSON_TYPES = ("application/json", "application/vc+ld+json", "application/ld+json")


# -- Imsx_StatusInfo -----------------------------------------------------------------------


def status_info(
    status: int,
    description: str,
    *,
    code_minor: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An Imsx_StatusInfo failure response (the OB API's error body)."""
    response = jsonify(
        {
            "imsx_codeMajor": "failure",
            "imsx_severity": "error",
            "imsx_description": description,
            "imsx_codeMinor": {
                "imsx_codeMinorField": [
                    {
                        "imsx_codeMinorFieldName": "TargetEndSystem",
                        "imsx_codeMinorFieldValue": code_minor or CODE_MINOR.get(status, "unknown"),
                    }
                ]
            },
        }
    )
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@ob_bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    minor = error.code if error.code in CODE_MINOR_VALUES else None
    return status_info(error.status, error.detail, code_minor=minor)


@ob_bp.errorhandler(ValidationError)
def _validation_error(error: ValidationError):
    return status_info(400, "The request body is invalid.")


@ob_bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return status_info(error.code or 500, error.description or error.name, headers=headers)


@ob_bp.errorhandler(Exception)
def _unexpected(error: Exception):
    if isinstance(error, HTTPException):  # pragma: no cover - routed above
        return _http_error(error)
    log.exception("unhandled error", extra={"path": request.path})
    if current_app.testing and current_app.config.get("PROPAGATE_UNHANDLED", False):
        raise error
    return status_info(500, "An unexpected error occurred.")


def _challenge(error: OAuth2Error, scope: str) -> Response:
    if isinstance(error, InsufficientScopeError):
        return status_info(
            403,
            f"The access token does not carry the scope {scope}.",
            headers={
                "WWW-Authenticate": f'Bearer realm="{REALM}", error="insufficient_scope", '
                f'scope="{scope}"'
            },
        )
    if isinstance(error, InvalidTokenError):
        return status_info(
            401,
            "The access token is unknown, expired or revoked.",
            headers={"WWW-Authenticate": f'Bearer realm="{REALM}", error="invalid_token"'},
        )
    return status_info(
        401,
        "A bearer access token is required (Authorization: Bearer ...).",
        headers={"WWW-Authenticate": f'Bearer realm="{REALM}"'},
    )


def bearer(scope: ObScope) -> Callable[[Callable], Callable]:
    """Require an OAuth 2.0 access token carrying `scope`; the view gets the token row."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            try:
                token = require_oauth.acquire_token([scope.value])
            except OAuth2Error as error:
                return _challenge(error, scope.value)
            g.oauth_token = token
            response = view(token, *args, **kwargs)
            response.headers["Cache-Control"] = "no-store"
            return response

        return protocol(f"OAuth 2.0 bearer access token with scope {scope.value}")(wrapper)

    return decorator


def _endpoints() -> Endpoints:
    config = current_app.config
    base = config["BASE_URL"]
    return Endpoints(
        api_base=f"{base}/ims/ob/v3p0",
        registration=base + url_for("oauth_api.register_client"),
        authorization=base + url_for("oauth.authorize"),
        token=base + url_for("oauth_api.issue_token"),
        privacy_policy=config["PRIVACY_POLICY_URL"] or base + url_for("oauth.privacy"),
        terms_of_service=config["TERMS_OF_SERVICE_URL"] or None,
    )


# -- the Open Badges API -------------------------------------------------------------------


@ob_bp.get("/discovery")
@protocol("public: the Open Badges 3.0 service description document")
def discovery():
    document = service_description(_endpoints(), name="Pathways", version="1.0")
    response = jsonify(document)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _int_argument(name: str, default: int, minimum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < minimum or len(raw) > 9:
        raise Invalid(
            f"{name} must be an integer of at least {minimum}.", code="invalid_query_parameter"
        )
    return int(raw)


def _since() -> datetime | None:
    raw = request.args.get("since")
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Invalid(
            "since must be a date and time with a zone, e.g. 2026-01-31T12:00:00Z.",
            code="invalid_query_parameter",
        )
    return moment


def _link_header(limit: int, offset: int, total: int, since: str | None) -> str:
    base = f"{current_app.config['BASE_URL']}/ims/ob/v3p0/credentials"

    def link(page_offset: int, rel: str) -> str:
        query = {"limit": limit, "offset": page_offset}
        if since is not None:
            query["since"] = since
        return f'<{base}?{urlencode(query)}>; rel="{rel}"'

    last = max(0, (total - 1) // limit * limit)
    links = []
    if offset + limit < total:
        links.append(link(offset + limit, "next"))
    links.append(link(last, "last"))
    links.append(link(0, "first"))
    if offset > 0:
        links.append(link(max(0, min(offset - limit, last)), "prev"))
    return ", ".join(links)


@ob_bp.get("/credentials")
@bearer(ObScope.CREDENTIAL_READONLY)
def get_credentials(token):
    """getCredentials: the token owner's credentials, each exactly as signed."""
    config = current_app.config
    limit = min(_int_argument("limit", config["PAGE_SIZE"], 1), config["MAX_PAGE_SIZE"])
    offset = _int_argument("offset", 0, 0)
    since = _since()
    page = queries.wallet_page(token.user_id, limit=limit, offset=offset, since=since)
    documents = [i.document for i in page.items if i.format is HeldFormat.JSON]
    compact = [json.dumps(i.document) for i in page.items if i.format is HeldFormat.JWS]
    # The stored texts are spliced in as they are: a wallet gets the bytes that were signed.
    body = (
        '{"credential": ['
        + ", ".join(documents)
        + '], "compactJwsString": ['
        + ", ".join(compact)
        + "]}"
    )
    response = Response(body, status=200, content_type="application/json")
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["Link"] = _link_header(limit, offset, page.total, request.args.get("since"))
    return response


@ob_bp.post("/credentials")
@bearer(ObScope.CREDENTIAL_UPSERT)
def upsert_credential(token):
    """upsertCredential: keep a credential the learner's wallet holds; 201 new, 200 known."""
    media_type = request.mimetype
    if media_type not in (*JSON_TYPES, "text/plain"):
        raise Invalid(
            "Send the credential as application/json, or a VC-JWT as text/plain.",
            code="invalid_data",
        )
    pushed = services.parse_pushed_credential(request.get_data(cache=False), media_type)
    with transaction():
        _row, created = services.upsert_held_credential(token.user, pushed, client=token.client)
    content_type = "text/plain" if pushed.format is HeldFormat.JWS else media_type
    return Response(pushed.text, status=201 if created else 200, content_type=content_type)


@ob_bp.get("/profile")
@bearer(ObScope.PROFILE_READONLY)
def get_profile(token):
    return jsonify(services.learner_profile(token.user))


@ob_bp.put("/profile")
@bearer(ObScope.PROFILE_UPDATE)
def put_profile(token):
    if not request.is_json:
        raise Invalid("Send the Profile as application/json.", code="invalid_data")
    payload = request.get_json(silent=True)
    with transaction():
        profile = services.update_learner_profile(token.user, payload)
    return jsonify(profile)


@ob_bp.route("/credentials", methods=["PUT", "PATCH", "DELETE"], endpoint="credentials_other")
@ob_bp.route("/profile", methods=["POST", "PATCH", "DELETE"], endpoint="profile_other")
@ob_bp.route("/discovery", methods=["POST", "PUT", "PATCH", "DELETE"], endpoint="discovery_other")
@protocol("none: answers 405 with an Imsx_StatusInfo, as the Open Badges API requires")
def method_not_allowed():
    allowed = {
        "ob_api.credentials_other": "GET, POST",
        "ob_api.profile_other": "GET, PUT",
        "ob_api.discovery_other": "GET",
    }[request.endpoint]
    return status_info(405, f"{request.method} is not allowed here.", headers={"Allow": allowed})


# -- OAuth 2.0 endpoints -------------------------------------------------------------------


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@oauth_bp.post("/oauth/register")
@protocol("public: OAuth 2.0 Dynamic Client Registration (RFC 7591), open as OB 3.0 requires")
def register_client():
    if not request.is_json or not isinstance(request.get_json(silent=True), dict):
        return _oauth_error("invalid_client_metadata", "Send the client metadata as JSON.")
    with transaction():
        return authorization_server().create_endpoint_response("client_registration")


@oauth_bp.post("/oauth/token")
@protocol("OAuth 2.0 client authentication: client_secret_basic or client_secret_post")
def issue_token():
    with transaction():
        return authorization_server().create_token_response()


@oauth_bp.post("/oauth/revoke")
@protocol("OAuth 2.0 client authentication: client_secret_basic or client_secret_post")
def revoke_token():
    with transaction():
        return authorization_server().create_endpoint_response("revocation")
