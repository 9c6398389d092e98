"""The OpenAPI 3 document of /api/v1, built from the URL map, and its docs page.

Each JSON route's docstring gives its summary; its access rule gives its security.
"""

from __future__ import annotations

import inspect
import re

from apispec import APISpec
from flask import Blueprint
from flask import current_app
from flask import render_template

from pathways.accounts.permissions import public

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

_CONVERTER = re.compile(r"<(?:(?P<converter>[a-z]+):)?(?P<name>\w+)>")
_TYPES = {"int": "integer", "float": "number"}


def build_openapi() -> dict:
    spec = APISpec(
        title="Pathways API",
        version="1",
        openapi_version="3.0.3",
        info={
            "description": "Micro-credentials, pathways and records. Errors are "
            "application/problem+json (RFC 9457)."
        },
        servers=[{"url": current_app.config["BASE_URL"]}],
    )
    spec.components.security_scheme("clientBasic", {"type": "http", "scheme": "basic"})
    spec.components.security_scheme("clientBearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
    paths: dict[str, dict] = {}
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1/"):
            continue
        view = current_app.view_functions[rule.endpoint]
        access = getattr(view, "access_rule", None)
        path = _CONVERTER.sub(lambda m: "{" + m["name"] + "}", rule.rule)
        parameters = [
            {
                "name": m["name"],
                "in": "path",
                "required": True,
                "schema": {"type": _TYPES.get(m["converter"] or "", "string")},
            }
            for m in _CONVERTER.finditer(rule.rule)
        ]
        doc = inspect.getdoc(view) or rule.endpoint
        security = []
        if access is not None and access.kind == "api":
            if access.scopes:
                security += [{"clientBasic": []}, {"clientBearer": []}]
            if access.roles:
                security.append({"session": []})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation = {
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "summary": doc.splitlines()[0],
                "description": doc,
                "parameters": parameters,
                "responses": {
                    "200": {"description": "Success"},
                    "default": {
                        "description": "An error",
                        "content": {"application/problem+json": {"schema": {"type": "object"}}},
                    },
                },
                "tags": [rule.endpoint.split(".")[0].removesuffix("_api")],
            }
            if security:
                operation["security"] = security
            if access is not None and access.scopes:
                operation["x-scopes"] = sorted(access.scopes)
            if access is not None and access.roles:
                operation["x-roles"] = sorted(r.value for r in access.roles)
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
@public
def openapi_document():
    """The OpenAPI 3 document of this API."""
    return build_openapi()


@bp.get("/docs")
@public
def api_docs_page():
    """A readable page of the API, rendered on the server from the OpenAPI document."""
    return render_template("web/api_docs.html", spec=build_openapi())
