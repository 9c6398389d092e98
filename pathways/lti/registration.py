"""The tool's URLs and configuration, and LTI Dynamic Registration (1EdTech LTI-DR 1.0).

A platform admin hands an LMS admin one URL: `/lti/register/<token>`, where the signed
token names the college the new registration will belong to (so nobody can register a
platform into a college they were not invited to). The LMS opens it with
`openid_configuration` and `registration_token`; Pathways fetches the platform's
configuration, POSTs its client registration, stores the platform with the returned
client_id and deployment id, and the page closes itself with a postMessage.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer

from pathways.accounts.models import Organisation
from pathways.db import db
from pathways.errors import Invalid
from pathways.lti import claims
from pathways.lti import http
from pathways.lti import services
from pathways.lti.models import LtiPlatform

log = logging.getLogger(__name__)

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
REGISTRATION_TOKEN_MAX_AGE = 30 * 24 * 3600
TOOL_SCOPES = (
    claims.AGS_SCOPE_LINEITEM,
    claims.AGS_SCOPE_LINEITEM_READONLY,
    claims.AGS_SCOPE_RESULT_READONLY,
    claims.AGS_SCOPE_SCORE,
    claims.NRPS_SCOPE,
)


def base_url() -> str:
    return current_app.config["BASE_URL"]


def tool_urls(organisation: Organisation | None = None) -> dict[str, str]:
    """The URLs an LMS admin pastes into the LMS (deep linking uses the launch URL)."""
    base = base_url()
    urls = {
        "login": f"{base}/lti/login",
        "launch": f"{base}/lti/launch",
        "jwks": f"{base}/lti/jwks",
        "deep_linking": f"{base}/lti/launch",
        "target_link": f"{base}/lti/launch",
        "lti11_launch": f"{base}/lti/1.1/launch",
    }
    if organisation is not None:
        urls["dynamic_registration"] = f"{base}/lti/register/{registration_token_for(organisation)}"
    return urls


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lti-dynamic-registration")


def registration_token_for(organisation: Organisation) -> str:
    return _serializer().dumps({"org": organisation.code})


def organisation_for_token(token: str) -> Organisation:
    """:raises Invalid: a forged or expired registration link, or an unknown college."""
    try:
        data = _serializer().loads(token, max_age=REGISTRATION_TOKEN_MAX_AGE)
    except SignatureExpired as error:
        raise Invalid(
            "This registration link has expired; ask Pathways for a new one.",
            code="registration_link_expired",
        ) from error
    except BadSignature as error:
        raise Invalid(
            "This registration link is not valid.", code="registration_link_invalid"
        ) from error
    organisation = db.session.scalar(db.select(Organisation).filter_by(code=data.get("org")))
    if organisation is None:
        raise Invalid(
            "The college of this registration link no longer exists.",
            code="registration_link_invalid",
        )
    return organisation


def tool_client_registration() -> dict[str, Any]:
    """The client registration the tool POSTs to the platform's registration endpoint."""
    urls = tool_urls()
    domain = urlsplit(base_url()).netloc
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls["login"],
        "redirect_uris": [urls["launch"]],
        "client_name": "Pathways",
        "jwks_uri": urls["jwks"],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(TOOL_SCOPES),
        TOOL_CONFIGURATION: {
            "domain": domain,
            "description": "Micro-credential learning pathways aligned to occupational standards.",
            "target_link_uri": urls["target_link"],
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email", "locale"],
            "messages": [
                {"type": claims.RESOURCE_LINK_REQUEST, "target_link_uri": urls["launch"]},
                {
                    "type": claims.DEEP_LINKING_REQUEST,
                    "target_link_uri": urls["deep_linking"],
                    "label": "Pathways",
                },
            ],
        },
    }


class RegistrationFailed(Exception):
    """Dynamic registration could not complete; `message` is for the LMS admin."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Registered:
    platform: LtiPlatform
    deployment_id: str | None


def _get_json(url: str, *, token: str | None = None) -> dict[str, Any]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        answer = http.request("GET", url, headers=headers)
        document = answer.json() if answer.ok else None
    except (http.HttpFailure, ValueError) as error:
        raise RegistrationFailed(f"Pathways could not read {url}: {error}") from error
    if not isinstance(document, dict):
        raise RegistrationFailed(f"{url} did not answer an OpenID configuration (JSON object).")
    return document


@dataclass(frozen=True)
class PlatformConfiguration:
    """The parts of a platform's OpenID configuration a registration keeps."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    product_family_code: str | None


def discover(openid_configuration: str, registration_token: str | None) -> PlatformConfiguration:
    """Read and check the platform's OpenID configuration (network only).

    :raises RegistrationFailed: unreachable, incomplete, or served from another host.
    """
    if not openid_configuration:
        raise RegistrationFailed("The LMS did not send openid_configuration.")
    config = _get_json(openid_configuration, token=registration_token)
    required = (
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "registration_endpoint",
    )
    missing = [name for name in required if not isinstance(config.get(name), str)]
    if missing:
        raise RegistrationFailed(f"The OpenID configuration lacks {', '.join(missing)}.")
    issuer = config["issuer"]
    # The spec: the configuration must come from the issuer's own host.
    if urlsplit(issuer).netloc.lower() != urlsplit(openid_configuration).netloc.lower():
        raise RegistrationFailed("The issuer's host differs from the configuration URL's host.")
    platform_config = config.get(PLATFORM_CONFIGURATION) or {}
    product = (
        platform_config.get("product_family_code") if isinstance(platform_config, dict) else None
    )
    return PlatformConfiguration(
        issuer=issuer,
        authorization_endpoint=config["authorization_endpoint"],
        token_endpoint=config["token_endpoint"],
        jwks_uri=config["jwks_uri"],
        registration_endpoint=config["registration_endpoint"],
        product_family_code=product if isinstance(product, str) else None,
    )


@dataclass(frozen=True)
class ClientRegistration:
    """What the platform answered: the tool's client_id and its deployment id."""

    client_id: str
    deployment_id: str | None


def post_registration(
    config: PlatformConfiguration, registration_token: str | None, tool: dict[str, Any]
) -> ClientRegistration:
    """POST the tool's client registration to the platform (network only).

    :raises RegistrationFailed: the platform refused it or could not be reached.
    """
    body = json.dumps(tool).encode("utf-8")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        answer = http.request("POST", config.registration_endpoint, headers=headers, body=body)
        reply = answer.json() if answer.ok else None
    except (http.HttpFailure, ValueError) as error:
        raise RegistrationFailed(f"The registration request failed: {error}") from error
    if not isinstance(reply, dict) or not reply.get("client_id"):
        raise RegistrationFailed(f"The LMS refused the registration (HTTP {answer.status}).")
    tool_config = reply.get(TOOL_CONFIGURATION) or {}
    deployment_id = tool_config.get("deployment_id") if isinstance(tool_config, dict) else None
    return ClientRegistration(
        str(reply["client_id"]), str(deployment_id) if deployment_id else None
    )


def store_registration(
    organisation: Organisation, config: PlatformConfiguration, reply: ClientRegistration
) -> Registered:
    """Store (or refresh) the platform a dynamic registration made."""
    existing = db.session.scalar(
        db.select(LtiPlatform).filter_by(issuer=config.issuer, client_id=reply.client_id)
    )
    if existing is not None:
        services.update_platform(
            existing,
            {
                "auth_url": config.authorization_endpoint,
                "token_url": config.token_endpoint,
                "jwks_url": config.jwks_uri,
                "organisation": organisation,
            },
            actor=None,
        )
        platform = existing
    else:
        platform = services.create_platform(
            issuer=config.issuer,
            client_id=reply.client_id,
            deployment_ids=[],
            auth_url=config.authorization_endpoint,
            token_url=config.token_endpoint,
            jwks_url=config.jwks_uri,
            organisation=organisation,
            name=(config.product_family_code or urlsplit(config.issuer).netloc),
            registered_via="dynamic",
            product_family_code=config.product_family_code,
            actor=None,
        )
    if reply.deployment_id:
        services.add_deployment(platform, reply.deployment_id, actor=None)
    log.info(
        "lti platform registered dynamically",
        extra={"platform": platform.id, "issuer": config.issuer},
    )
    return Registered(platform, reply.deployment_id)
