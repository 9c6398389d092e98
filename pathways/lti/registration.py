"""The tool's URLs and configuration, and LTI Dynamic Registration (1EdTech LTI-DR 1.0).

A college's admin (or a platform admin) makes a registration link,
`/lti/register/<token>`, and hands it to the LMS admin: single use, valid
REGISTRATION_LINK_LIFETIME, kept only as its SHA-256, it names the college the new
registration belongs to (nobody can register a platform into a college that did not
ask). The LMS opens it with `openid_configuration` and `registration_token`; Pathways
fetches the platform's configuration, POSTs its client registration, stores the
platform with the returned client_id and deployment id, disabled until an admin of the
college approves it, and the page closes itself with a postMessage.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from pathways.accounts import services as accounts
from pathways.accounts.enums import Role
from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.db import db
from pathways.db import utcnow
from pathways.errors import Forbidden
from pathways.errors import Invalid
from pathways.lti import claims
from pathways.lti import http
from pathways.lti import services
from pathways.lti.models import LtiPlatform
from pathways.lti.models import LtiRegistrationLink

log = logging.getLogger(__name__)

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
REGISTRATION_LINK_LIFETIME = timedelta(hours=24)
TOOL_SCOPES = (
    claims.AGS_SCOPE_LINEITEM,
    claims.AGS_SCOPE_LINEITEM_READONLY,
    claims.AGS_SCOPE_RESULT_READONLY,
    claims.AGS_SCOPE_SCORE,
    claims.NRPS_SCOPE,
)


def base_url() -> str:
    return current_app.config["BASE_URL"]


def tool_urls() -> dict[str, str]:
    """The URLs an LMS admin pastes into the LMS (deep linking uses the launch URL)."""
    base = base_url()
    return {
        "login": f"{base}/lti/login",
        "launch": f"{base}/lti/launch",
        "jwks": f"{base}/lti/jwks",
        "deep_linking": f"{base}/lti/launch",
        "target_link": f"{base}/lti/launch",
        "lti11_launch": f"{base}/lti/1.1/launch",
    }


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def registration_url(token: str) -> str:
    return f"{base_url()}/lti/register/{token}"


def create_registration_link(
    organisation: Organisation, *, actor: User | None, now: datetime | None = None
) -> tuple[LtiRegistrationLink, str]:
    """A new single-use registration link for a college: (the row, its token, which is
    shown once and kept only hashed). `actor` None is the command line.

    :raises Forbidden: the actor does not administer the college.
    :raises Invalid: the organisation is not a college.
    """
    if actor is not None and not (
        actor.has_role(Role.PLATFORM_ADMIN) or accounts.can_administer(actor, organisation)
    ):
        raise Forbidden(f"You do not administer {organisation.name}.", code="not_admin")
    if organisation.kind.value != "college":
        raise Invalid("Only a college connects an LMS over LTI.", code="not_a_college")
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    link = LtiRegistrationLink(
        token_hash=_hash(token),
        organisation=organisation,
        created_by_id=actor.id if actor is not None else None,
        created_at=now,
        expires_at=now + REGISTRATION_LINK_LIFETIME,
    )
    db.session.add(link)
    db.session.flush()
    return link, token


def open_registration_link(token: str, *, now: datetime | None = None) -> LtiRegistrationLink:
    """The registration link `token` names, while it may still be used.

    :raises Invalid: unknown, used, or expired.
    """
    now = now or utcnow()
    link = db.session.scalar(
        sa.select(LtiRegistrationLink).filter_by(token_hash=_hash(token or ""))
    )
    if link is None:
        raise Invalid("This registration link is not valid.", code="registration_link_invalid")
    if link.used_at is not None:
        raise Invalid(
            "This registration link has been used; ask the college's admin for a new one.",
            code="registration_link_used",
        )
    if link.expires_at <= now:
        raise Invalid(
            "This registration link has expired; ask the college's admin for a new one.",
            code="registration_link_expired",
        )
    return link


def pending_links(organisation: Organisation, *, now: datetime | None = None):
    """The college's registration links that may still be used, newest first."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            sa.select(LtiRegistrationLink)
            .where(
                LtiRegistrationLink.organisation_id == organisation.id,
                LtiRegistrationLink.used_at.is_(None),
                LtiRegistrationLink.expires_at > now,
            )
            .order_by(LtiRegistrationLink.created_at.desc(), LtiRegistrationLink.id.desc())
        )
    )


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
    link: LtiRegistrationLink, config: PlatformConfiguration, reply: ClientRegistration
) -> Registered:
    """Store (or refresh) the platform a dynamic registration made, and use up its link.

    A new platform stays disabled until an admin of the college approves it.
    """
    organisation = link.organisation
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
            is_enabled=False,
            actor=None,
        )
    if reply.deployment_id:
        services.add_deployment(platform, reply.deployment_id, actor=None)
    link.used_at = utcnow()
    link.platform_id = platform.id
    db.session.flush()
    log.info(
        "lti platform registered dynamically",
        extra={"platform": platform.id, "issuer": config.issuer},
    )
    return Registered(platform, reply.deployment_id)
