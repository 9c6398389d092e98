"""The Open Badges 3.0 Service Description Document (pure: plain values in, a dict out).

An OpenAPI 3.0 document (OB 3.0 sections 6.3 and 7.1.1, data model
`ServiceDescriptionDocument`): `info` with the required `x-imssf-privacyPolicyUrl`, the
three API paths, and the `OAuth2ACG` security scheme naming the registration,
authorization, token and refresh URLs and the four scopes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pathways.oauth.enums import ObScope

SCOPE_DESCRIPTIONS = {
    ObScope.CREDENTIAL_READONLY: "Permission to read AchievementCredentials for the "
    "authenticated entity.",
    ObScope.CREDENTIAL_UPSERT: "Permission to create or update AchievementCredentials for "
    "the authenticated entity.",
    ObScope.PROFILE_READONLY: "Permission to read the profile for the authenticated entity.",
    ObScope.PROFILE_UPDATE: "Permission to update the profile for the authenticated entity.",
}


@dataclass(frozen=True)
class Endpoints:
    api_base: str  # .../ims/ob/v3p0
    registration: str
    authorization: str
    token: str
    privacy_policy: str
    terms_of_service: str


def _operation(
    operation_id: str, summary: str, scope: ObScope | None, responses: dict[str, str]
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": ["OpenBadgeCredentials"] if scope else ["Discovery"],
        "responses": {
            **{status: {"description": text} for status, text in responses.items()},
            "default": {
                "description": "The request was invalid or cannot be served "
                "(an Imsx_StatusInfo explains why)."
            },
        },
    }
    if scope is not None:
        operation["security"] = [{"OAuth2ACG": [scope.value]}]
    return operation


def service_description(endpoints: Endpoints, *, name: str, version: str) -> dict[str, Any]:
    """The document served at GET /ims/ob/v3p0/discovery."""
    return {
        "openapi": "3.0.1",
        "info": {
            "title": f"{name} Open Badges API",
            "description": "Open Badges 3.0 API of this Pathways deployment.",
            "version": version,
            "termsOfService": endpoints.terms_of_service,
            "x-imssf-privacyPolicyUrl": endpoints.privacy_policy,
        },
        "servers": [{"url": endpoints.api_base}],
        "tags": [
            {"name": "OpenBadgeCredentials", "description": "Exchange credentials and profile."},
            {"name": "Discovery", "description": "This service description document."},
        ],
        "paths": {
            "/credentials": {
                "get": _operation(
                    "getCredentials",
                    "The learner's OpenBadgeCredentials (limit, offset, since).",
                    ObScope.CREDENTIAL_READONLY,
                    {"200": "GetOpenBadgeCredentialsResponse, with X-Total-Count and Link."},
                ),
                "post": _operation(
                    "upsertCredential",
                    "Add or replace a credential the learner holds.",
                    ObScope.CREDENTIAL_UPSERT,
                    {"200": "Replaced (already held).", "201": "Created."},
                ),
            },
            "/profile": {
                "get": _operation(
                    "getProfile",
                    "The learner's Profile.",
                    ObScope.PROFILE_READONLY,
                    {"200": "The Profile."},
                ),
                "put": _operation(
                    "putProfile",
                    "Update the learner's Profile (the name).",
                    ObScope.PROFILE_UPDATE,
                    {"200": "The Profile as now kept."},
                ),
            },
            "/discovery": {
                "get": _operation(
                    "getServiceDescription",
                    "This service description document.",
                    None,
                    {"200": "The ServiceDescriptionDocument."},
                )
            },
        },
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant authorization",
                    "x-imssf-name": name,
                    "x-imssf-privacyPolicyUrl": endpoints.privacy_policy,
                    "x-imssf-registrationUrl": endpoints.registration,
                    "x-imssf-termsOfServiceUrl": endpoints.terms_of_service,
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": endpoints.authorization,
                            "tokenUrl": endpoints.token,
                            "refreshUrl": endpoints.token,
                            "scopes": {scope.value: SCOPE_DESCRIPTIONS[scope] for scope in ObScope},
                        }
                    },
                }
            },
            "schemas": {},
        },
    }
