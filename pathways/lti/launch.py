"""The LTI 1.3 launch (`POST /lti/launch`): state, signature, claims, nonce, then the user,
their roles, the cohort, the resource link and where to land.

Everything runs in the caller's transaction: a refused launch raises `LaunchRefused`
and the caller rolls back, so a refusal creates nothing.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import quote
from urllib.parse import unquote
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from pathways.accounts.models import User
from pathways.catalog import queries as catalog
from pathways.catalog import services as catalog_services
from pathways.db import db
from pathways.db import utcnow
from pathways.lti import claims
from pathways.lti import keys
from pathways.lti import oidc
from pathways.lti import services
from pathways.lti.claims import LaunchRefused
from pathways.lti.models import LtiContext
from pathways.lti.models import LtiDeepLinkSession
from pathways.lti.models import LtiPlatform
from pathways.lti.models import LtiUsedNonce
from pathways.web.routing import MAX_DATABASE_ID

log = logging.getLogger(__name__)

NONCE_KEPT_FOR = timedelta(hours=2)
DEEP_LINK_LIFETIME = timedelta(hours=1)
TARGET_PARAM = "pathways_target"
# Set by deep linking on each link it returns, and on nothing else: LMSs (Moodle) merge
# the tool's own custom parameters into every link's, and a tool-level `pathways_target`
# (a default for links placed by hand) would otherwise override every deep-linked one.
LINK_TARGET_PARAM = "pathways_link_target"
# The portal page of each kind of target: where a launch lands and what deep linking links.
PAGE_PATHS = {
    "credential": "/micro-credentials/{}",
    "module": "/modules/{}",
    "pathway": "/pathways/{}",
}
# Pathways URLs a target_link_uri may carry (older links included).
_PATHS = (
    (re.compile(r"^/catalog/([^/]+)/modules/([^/]+)/?$"), "module", 2),
    (re.compile(r"^/modules/([^/]+)/?$"), "module", 1),
    (re.compile(r"^/catalog/([^/]+)/?$"), "credential", 1),
    (re.compile(r"^/micro-credentials/([^/]+)/?$"), "credential", 1),
    (re.compile(r"^/pathways/([^/]+)/?$"), "pathway", 1),
)


@dataclass(frozen=True)
class LaunchResult:
    user: User
    platform: LtiPlatform
    context: claims.LaunchContext
    cohort: LtiContext | None
    target: tuple[str, str] | None
    deep_link_handle: str | None = None
    is_new_account: bool = False
    email_taken: bool = False


# --- where a link lands -----------------------------------------------------------------------


def parse_target(value: str) -> tuple[str, str] | None:
    """`credential:CODE`, `module:ID` or `pathway:OCCUPATION` -> (kind, code)."""
    kind, sep, code = (value or "").partition(":")
    kind = kind.strip().lower()
    if sep and kind in services.TARGET_KINDS and code.strip():
        return kind, code.strip()
    return None


def resolve_target(custom: dict[str, Any], target_link_uri: str | None) -> tuple[str, str] | None:
    """What a resource link points at, the link's own word first:

    1. `pathways_link_target`, which only deep linking sets, on the link itself;
    2. a Pathways page in target_link_uri (a deep-linked item's own URL);
    3. `pathways_target` (or `credential` / `module` / `pathway`), which may come from
       the tool's configuration, as the default of links placed by hand.
    """
    if isinstance(custom.get(LINK_TARGET_PARAM), str):
        found = parse_target(custom[LINK_TARGET_PARAM])
        if found:
            return found
    if target_link_uri and oidc.is_own_url(target_link_uri):
        path = urlsplit(target_link_uri).path
        for pattern, kind, group in _PATHS:
            match = pattern.match(path)
            if match:
                return kind, unquote(match.group(group))
    if isinstance(custom.get(TARGET_PARAM), str):
        found = parse_target(custom[TARGET_PARAM])
        if found:
            return found
    for kind in services.TARGET_KINDS:
        value = custom.get(kind)
        if isinstance(value, str) and value.strip():
            return kind, value.strip()
    return None


def target_path(target: tuple[str, str] | None, *, viewer: User | None = None) -> str | None:
    """The portal path of a target, or None when that page would only say "not found":
    an unknown or unpublished micro-credential, an unknown module or one of a draft the
    viewer may not see, or a route this deployment lacks."""
    if target is None:
        return None
    kind, code = target
    if kind == "credential" and catalog.published_version(code) is None:
        return None
    if kind == "module":
        # The id comes from the LMS: what the module page's URL would refuse is no module.
        if not (code.isascii() and code.isdigit()) or int(code) > MAX_DATABASE_ID:
            return None
        module = catalog.module_by_id(int(code))
        if module is None or not catalog_services.can_view(viewer, module.version):
            return None
    path = PAGE_PATHS[kind].format(code)
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except RequestRedirect:
        pass
    except HTTPException:
        return None
    return PAGE_PATHS[kind].format(quote(code, safe=""))


# --- the launch -------------------------------------------------------------------------------


def _nonce_fresh(platform: LtiPlatform, nonce: Any, expected: str) -> bool:
    if not isinstance(nonce, str) or not secrets.compare_digest(nonce, expected):
        return False
    used = db.session.scalar(
        sa.select(LtiUsedNonce.id).filter_by(platform_id=platform.id, nonce=nonce)
    )
    return used is None


def handle_launch(
    id_token: str | None,
    state: str | None,
    *,
    cookie_value: str | None,
    now: datetime | None = None,
) -> LaunchResult:
    """Verify and perform one LTI 1.3 launch.

    :raises LaunchRefused: any check failed (see `oidc.consume_state`,
        `keys.verify_platform_jwt`, `claims.parse_launch`), plus ``missing_id_token``,
        ``platform_disabled``, ``account_conflict``.
    """
    now = now or utcnow()
    if not id_token:
        raise LaunchRefused(
            "missing_id_token",
            "The launch could not be read.",
            "The LMS must POST id_token and state to Pathways' launch URL.",
        )
    login = oidc.consume_state(state, cookie_value, now=now)
    platform = db.session.get(LtiPlatform, login.platform_id)
    if platform is None or not platform.is_enabled:
        raise LaunchRefused(
            "platform_disabled",
            "This LMS's access to Pathways is switched off.",
            "The platform registration is disabled in Pathways.",
        )
    verified = keys.verify_platform_jwt(platform, id_token)
    nonce_ok = _nonce_fresh(platform, verified.claims.get("nonce"), login.nonce)
    context = claims.parse_launch(
        verified.claims,
        issuer=platform.issuer,
        client_id=platform.client_id,
        deployment_ids=frozenset(platform.deployment_ids),
        now=int(now.timestamp()),
        expected_nonce_ok=nonce_ok,
    )
    db.session.add(
        LtiUsedNonce(
            platform_id=platform.id, nonce=verified.claims["nonce"], expires_at=now + NONCE_KEPT_FOR
        )
    )
    if context.platform.product_family_code and not platform.product_family_code:
        platform.product_family_code = context.platform.product_family_code[:64]

    provisioned = services.provision_launch_user(
        provider="lti",
        issuer=platform.issuer,
        subject=context.subject,
        email=context.email,
        name=context.name,
        given_name=context.given_name,
        family_name=context.family_name,
        trusts_email=platform.trusts_email,
        locale=context.locale,
    )
    user = provisioned.user
    services.grant_roles(user, platform, context.role_kinds)

    cohort = None
    if context.context is not None:
        cohort = services.upsert_context(
            platform=platform,
            context_id=context.context.id,
            title=context.context.title,
            label=context.context.label,
            deployment_id=context.deployment_id,
            memberships_url=context.nrps.context_memberships_url if context.nrps else None,
            lineitems_url=context.ags.lineitems if context.ags else None,
            ags_scopes=context.ags.scope if context.ags else (),
        )
        services.enrol(cohort, user, context.roles)

    target = resolve_target(context.custom, context.target_link_uri)
    handle = None
    if context.resource_link is not None:
        link = services.upsert_resource_link(
            platform=platform,
            context=cohort,
            resource_link_id=context.resource_link.id,
            title=context.resource_link.title,
            target=target,
            lineitem_url=context.ags.lineitem if context.ags else None,
        )
        if target is None and link.target_kind:
            target = (link.target_kind, link.target_code)
        if context.is_learner:
            services.upsert_grade_link(
                user=user,
                link=link,
                lti_user_id=context.subject,
                lineitem_url=context.ags.lineitem if context.ags else None,
                outcome_url=(
                    context.basic_outcome.lis_outcome_service_url if context.basic_outcome else None
                ),
                sourcedid=(
                    context.basic_outcome.lis_result_sourcedid if context.basic_outcome else None
                ),
            )
    else:
        handle = _start_deep_linking(platform, user, context, now)
    log.info(
        "lti launch",
        extra={"platform": platform.id, "user_id": user.id, "message_type": context.message_type},
    )
    return LaunchResult(
        user, platform, context, cohort, target, handle, provisioned.is_new, provisioned.email_taken
    )


def _start_deep_linking(
    platform: LtiPlatform, user: User, context: claims.LaunchContext, now: datetime
) -> str:
    if not (context.is_instructor or context.is_admin):
        raise LaunchRefused(
            "deep_linking_not_allowed",
            "Only instructors can add Pathways content to a course.",
            "A deep linking request came from a user without an Instructor, "
            "ContentDeveloper or Administrator role.",
        )
    settings = context.deep_linking
    handle = secrets.token_urlsafe(32)
    db.session.add(
        LtiDeepLinkSession(
            handle=handle,
            platform_id=platform.id,
            user_id=user.id,
            deployment_id=context.deployment_id,
            settings={
                "deep_link_return_url": settings.deep_link_return_url,
                "accept_types": list(settings.accept_types),
                "accept_presentation_document_targets": list(
                    settings.accept_presentation_document_targets
                ),
                "accept_multiple": settings.accept_multiple,
                "accept_lineitem": settings.accept_lineitem,
                "data": settings.data,
                "title": settings.title,
                "text": settings.text,
            },
            created_at=now,
            expires_at=now + DEEP_LINK_LIFETIME,
        )
    )
    db.session.flush()
    return handle
