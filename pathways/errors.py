"""One error vocabulary for services, and the handlers that present it.

Services raise `DomainError` subclasses; endpoints let them propagate (the API
answers `application/problem+json`) or catch them to show them on a form.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask import current_app
from flask import g
from flask import jsonify
from flask import render_template
from flask import request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError

log = logging.getLogger(__name__)

# URL prefixes whose errors are JSON problems (the blueprint decides when one matched).
JSON_PREFIXES = ("/api/", "/xapi", "/ims/", "/lti/jwks", "/lti/register")
JSON_BLUEPRINT_SUFFIXES = ("_api",)
JSON_BLUEPRINTS = {"xapi", "case", "health"}


class DomainError(Exception):
    """A rule of the domain refused an operation; `status` is its HTTP meaning."""

    status = 400
    title = "Bad request"

    def __init__(
        self, detail: str, *, code: str | None = None, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.errors = errors


class Invalid(DomainError):
    status = 400
    title = "Invalid input"


class Unauthorized(DomainError):
    status = 401
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class PreconditionFailed(DomainError):
    status = 412
    title = "Precondition failed"


def wants_json() -> bool:
    """Whether the failing request belongs to a JSON URL space (by blueprint, else by prefix)."""
    blueprint = request.blueprint
    if blueprint:
        return blueprint in JSON_BLUEPRINTS or blueprint.endswith(JSON_BLUEPRINT_SUFFIXES)
    return request.path.startswith(JSON_PREFIXES)


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    code: str | None = None,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
):
    """An RFC 9457 problem document response."""
    body: dict[str, Any] = {
        "type": f"https://pathways.example/problems/{code or status}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if code:
        body["code"] = code
    if errors:
        body["errors"] = errors
    request_id = g.get("request_id")
    if request_id:
        body["request_id"] = request_id
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _render(status: int, title: str, detail: str, *, code=None, errors=None, headers=None):
    if wants_json():
        return problem(status, title, detail, code=code, errors=errors, headers=headers)
    from flask_babel import gettext as _  # noqa: PLC0415 -- only when rendering a page

    titles = {
        400: _("The request could not be understood"),
        401: _("Please sign in"),
        403: _("You may not do that"),
        404: _("Page not found"),
        405: _("That method is not allowed here"),
        409: _("That conflicts with the current state"),
        412: _("Someone changed this in the meantime"),
        413: _("That upload is too large"),
        500: _("Something went wrong on our side"),
    }
    page = render_template(
        "errors/error.html",
        status=status,
        title=titles.get(status, title),
        detail=detail,
        request_id=g.get("request_id"),
    )
    return page, status, headers or {}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        return _render(
            error.status, error.title, error.detail, code=error.code, errors=error.errors
        )

    @app.errorhandler(ValidationError)
    def handle_validation_error(error: ValidationError):
        messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        return _render(
            400, "Invalid input", "The request body is invalid.", code="invalid", errors=messages
        )

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
        status = error.code or 500
        detail = error.description or ""
        if status == 401 and wants_json():
            headers.setdefault("WWW-Authenticate", 'Basic realm="pathways"')
        if status == 401 and not wants_json():
            from flask import redirect  # noqa: PLC0415
            from flask import url_for  # noqa: PLC0415

            return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
        return _render(status, error.name, detail, headers=headers)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        if isinstance(error, HTTPException):  # pragma: no cover - routed above
            return handle_http_error(error)
        log.exception("unhandled error", extra={"path": request.path})
        if current_app.testing and current_app.config.get("PROPAGATE_UNHANDLED", False):
            raise error
        return _render(500, InternalServerError.name, "An unexpected error occurred.")
