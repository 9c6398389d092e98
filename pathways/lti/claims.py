"""LTI 1.3 id_token claims -> a typed launch, and the claim sets the tool signs (PURE).

This module imports only the standard library. It never sees a JWT: the caller
verifies the signature against the platform's JWKS and hands over the decoded
payload; everything the 1EdTech Security Framework and LTI Core ask a tool to
check on that payload happens here, so it is testable without keys or a web app.

Public API:

- :func:`parse_launch` -> :class:`LaunchContext`, or :class:`LaunchRefused`.
- :func:`role_kinds` / :func:`normalise_role`: LIS role vocabularies -> the kind of LMS
  role (learner, instructor, administrator); what each may become in Pathways is the
  registration's choice, not this module's.
- :func:`deep_linking_response_claims`: payload of an ``LtiDeepLinkingResponse``.
- :func:`ags_score`: an AGS 2.0 Score JSON document.
- :func:`client_credentials_assertion_claims`: the JWT a tool signs to get a
  service access token (OAuth 2 client credentials, ``private_key_jwt``).

Values the tool itself builds wrongly (a score out of range, an item the
platform does not accept) raise :class:`InvalidLtiValue`, a ``ValueError``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

# --- claim names -----------------------------------------------------------------

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
CLAIM_MESSAGE_TYPE = LTI + "message_type"
CLAIM_VERSION = LTI + "version"
CLAIM_DEPLOYMENT_ID = LTI + "deployment_id"
CLAIM_TARGET_LINK_URI = LTI + "target_link_uri"
CLAIM_RESOURCE_LINK = LTI + "resource_link"
CLAIM_ROLES = LTI + "roles"
CLAIM_CONTEXT = LTI + "context"
CLAIM_TOOL_PLATFORM = LTI + "tool_platform"
CLAIM_LAUNCH_PRESENTATION = LTI + "launch_presentation"
CLAIM_CUSTOM = LTI + "custom"
CLAIM_DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
CLAIM_DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
CLAIM_DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
CLAIM_DL_MSG = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"
CLAIM_DL_LOG = "https://purl.imsglobal.org/spec/lti-dl/claim/log"
CLAIM_AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CLAIM_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CLAIM_BASIC_OUTCOME = "https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome"

LTI_VERSION = "1.3.0"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
SUPPORTED_MESSAGE_TYPES = frozenset({RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST})

AGS_SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
AGS_SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
AGS_SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
AGS_SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

# --- role vocabularies -----------------------------------------------------------

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person"
SYSTEM = "http://purl.imsglobal.org/vocab/lis/v2/system/person"
LTI_SYSTEM = "http://purl.imsglobal.org/vocab/lti/system/person"
COURSE_TYPE = "http://purl.imsglobal.org/vocab/lis/v2/course"

# The kinds of LMS role. None of them is a Pathways role: each registration says what a
# kind may become in its college (least privilege by default).
ROLE_LEARNER = "learner"
ROLE_INSTRUCTOR = "instructor"
ROLE_ADMINISTRATOR = "administrator"
ROLE_KINDS = (ROLE_LEARNER, ROLE_INSTRUCTOR, ROLE_ADMINISTRATOR)

# Principal context roles of LTI 1.3 Core, keyed by lower case so that the
# differently cased short names some LMSs send still normalise.
_CONTEXT_ROLES = {
    name.lower(): name
    for name in (
        "Administrator",
        "ContentDeveloper",
        "Instructor",
        "Learner",
        "Mentor",
        "Manager",
        "Member",
        "Officer",
    )
}
_INSTITUTION_ROLES = {
    name.lower(): name
    for name in (
        "Administrator",
        "Faculty",
        "Guest",
        "None",
        "Other",
        "Staff",
        "Student",
        "Alumni",
        "Instructor",
        "Learner",
        "Member",
        "Mentor",
        "Observer",
        "ProspectiveStudent",
    )
}
_SYSTEM_ROLES = {
    name.lower(): name
    for name in (
        "Administrator",
        "None",
        "AccountAdmin",
        "Creator",
        "SysAdmin",
        "SysSupport",
        "User",
    )
}
_COURSE_TYPES = {
    name.lower(): name for name in ("CourseTemplate", "CourseOffering", "CourseSection", "Group")
}

_LIS1_CONTEXT = "urn:lti:role:ims/lis/"
_LIS1_INSTITUTION = "urn:lti:instrole:ims/lis/"
_LIS1_SYSTEM = "urn:lti:sysrole:ims/lis/"
_LIS1_CONTEXT_TYPE = "urn:lti:context-type:ims/lis/"


class LaunchRefused(Exception):  # noqa: N818 -- the name says what happened to the launch
    """A launch (LTI 1.3 or 1.1) that the tool will not honour.

    ``reason_code`` is stable and machine readable (logs, tests, the error
    page's template); ``message`` is for the person who launched; ``admin_hint``
    says what the LMS administrator should check or change.
    """

    def __init__(self, reason_code: str, message: str, admin_hint: str) -> None:
        super().__init__(f"{reason_code}: {message}")
        self.reason_code = reason_code
        self.message = message
        self.admin_hint = admin_hint


class InvalidLtiValue(ValueError):
    """A value the tool was about to send breaks an LTI rule (score, content item...)."""


# --- typed launch ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LtiContext:
    """The course (or group) the launch comes from; ``type`` holds full URIs."""

    id: str
    label: str | None = None
    title: str | None = None
    type: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResourceLink:
    """The placement of the tool in the course that was clicked."""

    id: str
    title: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class LaunchPresentation:
    """How the platform shows the tool and where to send the user back."""

    return_url: str | None = None
    document_target: str | None = None
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class AgsEndpoint:
    """AGS 2.0 claim: granted scopes, the context's line items, this link's line item."""

    scope: tuple[str, ...] = ()
    lineitems: str | None = None
    lineitem: str | None = None


@dataclass(frozen=True, slots=True)
class NrpsService:
    """NRPS 2.0 claim: where the course roster can be read."""

    context_memberships_url: str
    service_versions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BasicOutcome:
    """LTI 1.1 Basic Outcomes carried in a 1.3 launch (Moodle sends it)."""

    lis_result_sourcedid: str
    lis_outcome_service_url: str


@dataclass(frozen=True, slots=True)
class DeepLinkingSettings:
    """``deep_linking_settings`` of an ``LtiDeepLinkingRequest``.

    ``accept_lineitem`` stays ``None`` when the platform did not say.
    """

    deep_link_return_url: str
    accept_types: tuple[str, ...]
    accept_presentation_document_targets: tuple[str, ...]
    accept_media_types: str | None = None
    accept_multiple: bool = False
    accept_lineitem: bool | None = None
    auto_create: bool = False
    title: str | None = None
    text: str | None = None
    data: str | None = None


@dataclass(frozen=True, slots=True)
class LaunchPlatform:
    """``tool_platform``: which LMS instance launched (``product_family_code`` "moodle")."""

    guid: str | None = None
    name: str | None = None
    product_family_code: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True)
class LaunchContext:
    """Everything Pathways needs from one verified LTI 1.3 launch.

    ``roles`` are full role URIs (short names and LIS v1 URNs normalised),
    in the platform's order without duplicates; ``role_kinds`` is
    :func:`role_kinds` of them. ``claims`` is a deep copy of the payload.
    """

    issuer: str
    client_id: str
    deployment_id: str
    message_type: str
    subject: str
    target_link_uri: str
    roles: tuple[str, ...]
    role_kinds: frozenset[str]
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    locale: str | None = None
    context: LtiContext | None = None
    resource_link: ResourceLink | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    launch_presentation: LaunchPresentation = field(default_factory=LaunchPresentation)
    ags: AgsEndpoint | None = None
    nrps: NrpsService | None = None
    basic_outcome: BasicOutcome | None = None
    deep_linking: DeepLinkingSettings | None = None
    platform: LaunchPlatform = field(default_factory=LaunchPlatform)
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def is_learner(self) -> bool:
        return ROLE_LEARNER in self.role_kinds

    @property
    def is_instructor(self) -> bool:
        """Instructor, teaching assistant or content developer in the context."""
        return ROLE_INSTRUCTOR in self.role_kinds

    @property
    def is_admin(self) -> bool:
        return ROLE_ADMINISTRATOR in self.role_kinds

    @property
    def is_deep_linking(self) -> bool:
        return self.message_type == DEEP_LINKING_REQUEST


# --- roles -----------------------------------------------------------------------


def normalise_role(role: str) -> str:
    """Return the full LIS v2 URI for ``role``.

    Accepts full URIs (returned unchanged), LTI 1.3's deprecated short context
    names (``Instructor``, ``Learner/GuestLearner``) and the LIS v1 URNs of LTI
    1.1 (``urn:lti:role:ims/lis/Learner``, ``urn:lti:instrole:ims/lis/Student``,
    ``urn:lti:sysrole:ims/lis/SysAdmin``). LIS v1 had ``TeachingAssistant`` as a
    principal context role; LTI 1.3 makes it a sub-role of ``Instructor``.
    Anything unrecognised is returned stripped, unchanged.
    """
    value = role.strip()
    if value.startswith(("http://", "https://")):
        return value
    lowered = value.lower()
    if lowered.startswith(_LIS1_INSTITUTION):
        name = value[len(_LIS1_INSTITUTION) :]
        return f"{INSTITUTION}#{_INSTITUTION_ROLES.get(name.lower(), name)}"
    if lowered.startswith(_LIS1_SYSTEM):
        name = value[len(_LIS1_SYSTEM) :]
        return f"{SYSTEM}#{_SYSTEM_ROLES.get(name.lower(), name)}"
    if lowered.startswith(_LIS1_CONTEXT):
        return _context_role_uri(value[len(_LIS1_CONTEXT) :])
    if ":" in value or not value:
        return value
    return _context_role_uri(value)


def _context_role_uri(name: str) -> str:
    principal, _, sub = name.partition("/")
    if principal.lower() == "teachingassistant":
        # LIS v1 TeachingAssistant/<Sub>: the sub-role names carry over to LTI 1.3.
        return f"{MEMBERSHIP}/Instructor#{sub or 'TeachingAssistant'}"
    principal = _CONTEXT_ROLES.get(principal.lower(), principal)
    if sub:
        return f"{MEMBERSHIP}/{principal}#{sub}"
    return f"{MEMBERSHIP}#{principal}"


def _split_role(uri: str) -> tuple[str, str, str | None]:
    """(vocabulary, principal, sub-role) of a full role URI; ("", "", None) if unknown."""
    base, sep, fragment = uri.partition("#")
    if not sep:
        return "", "", None
    if base in (INSTITUTION, SYSTEM, MEMBERSHIP, LTI_SYSTEM):
        return base, fragment, None
    if base.startswith(MEMBERSHIP + "/"):
        return MEMBERSHIP, base[len(MEMBERSHIP) + 1 :], fragment
    return "", "", None


def role_kinds(roles: Iterable[str]) -> set[str]:
    """The kinds of LMS role in LTI roles (full URIs, short names or LIS v1 URNs).

    - context ``Learner`` (and its sub-roles) -> ``learner``;
    - context ``Instructor`` or ``ContentDeveloper`` (and their sub-roles, so a
      ``TeachingAssistant``) -> ``instructor``;
    - ``Administrator`` in the context, institution or system vocabulary, and
      the system ``SysAdmin`` -> ``administrator``;
    - ``Mentor`` (an observer), institution ``Student``/``Instructor`` and
      anything unknown grant nothing: an institution role says nothing about
      this course.
    """
    granted: set[str] = set()
    for role in roles:
        if not isinstance(role, str):
            continue
        vocabulary, principal, _sub = _split_role(normalise_role(role))
        if vocabulary == MEMBERSHIP:
            if principal == "Learner":
                granted.add(ROLE_LEARNER)
            elif principal in ("Instructor", "ContentDeveloper"):
                granted.add(ROLE_INSTRUCTOR)
            elif principal == "Administrator":
                granted.add(ROLE_ADMINISTRATOR)
        elif vocabulary == INSTITUTION and principal == "Administrator":
            granted.add(ROLE_ADMINISTRATOR)
        elif vocabulary == SYSTEM and principal in ("Administrator", "SysAdmin"):
            granted.add(ROLE_ADMINISTRATOR)
    return granted


def normalise_context_type(value: str) -> str:
    """Full course-type URI for ``CourseSection`` or ``urn:lti:context-type:ims/lis/...``."""
    text = value.strip()
    if text.lower().startswith(_LIS1_CONTEXT_TYPE):
        text = text[len(_LIS1_CONTEXT_TYPE) :]
    if ":" in text:
        return text
    return f"{COURSE_TYPE}#{_COURSE_TYPES.get(text.lower(), text)}"


# --- parse_launch ----------------------------------------------------------------

_HINT_REGISTRATION = (
    "Compare the platform registration in Pathways (issuer, client ID, deployment IDs) "
    "with the tool configuration in the LMS."
)


def _refuse(code: str, message: str, hint: str = _HINT_REGISTRATION) -> LaunchRefused:
    return LaunchRefused(code, message, hint)


def _optional_str(value: Any, claim: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _refuse(
            "invalid_claim",
            f"The launch claim {claim} is not text.",
            "The LMS sent a malformed launch; check its LTI plugin version.",
        )
    return value or None


def _required_str(value: Any, code: str, message: str, hint: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _refuse(code, message, hint)
    return value


def _optional_object(payload: Mapping[str, Any], claim: str) -> Mapping[str, Any] | None:
    value = payload.get(claim)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise _refuse(
            "invalid_claim",
            f"The launch claim {claim} is not a JSON object.",
            "The LMS sent a malformed launch; check its LTI plugin version.",
        )
    return value


def _str_tuple(value: Any, claim: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        # Some platforms send a single string where the spec asks for an array.
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _refuse(
            "invalid_claim",
            f"The launch claim {claim} is not a list of strings.",
            "The LMS sent a malformed launch; check its LTI plugin version.",
        )
    return tuple(value)


def _int_time(payload: Mapping[str, Any], claim: str) -> int:
    value = payload.get(claim)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _refuse(
            "missing_claim",
            f"The launch has no valid '{claim}' time.",
            "The LMS must send exp and iat as NumericDate values in the id_token.",
        )
    return int(value)


def _check_audience(payload: Mapping[str, Any], client_id: str) -> None:
    aud = payload.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
        raise _refuse("wrong_audience", "The launch names no audience.")
    if client_id not in audiences:
        raise _refuse(
            "wrong_audience",
            "This launch was meant for another tool.",
            f"The id_token audience {audiences!r} does not contain this tool's client ID "
            f"{client_id!r}; fix the client ID in the Pathways platform registration.",
        )
    azp = payload.get("azp")
    if len(audiences) > 1 and azp is None:
        raise _refuse(
            "azp_missing",
            "The launch names several audiences but no authorised party.",
            "With several audiences the id_token must carry azp equal to the tool's client ID.",
        )
    if azp is not None and azp != client_id:
        raise _refuse(
            "azp_mismatch",
            "The launch was authorised for another tool.",
            f"The id_token azp {azp!r} is not this tool's client ID {client_id!r}.",
        )


def parse_launch(
    payload: Mapping[str, Any],
    *,
    issuer: str,
    client_id: str,
    deployment_ids: set[str] | frozenset[str],
    now: int,
    leeway: int = 60,
    expected_nonce_ok: bool | None = None,
) -> LaunchContext:
    """Check a signature-verified id_token payload and type it.

    ``issuer``, ``client_id`` and ``deployment_ids`` come from the platform
    registration; ``now`` is Unix seconds; ``leeway`` tolerates clock skew for
    ``exp`` and ``iat``. ``expected_nonce_ok`` is the caller's verdict on the
    nonce (matched the login's and not used before); ``None`` means the
    caller checks it elsewhere, and only its presence is checked here.

    The order of checks: iss, aud/azp, exp, iat, nonce, deployment, message
    type, version, target_link_uri, sub, roles, then the message's own claims
    (resource_link for ``LtiResourceLinkRequest``, deep_linking_settings for
    ``LtiDeepLinkingRequest``), then the optional claims' shapes.

    :raises LaunchRefused: with ``reason_code`` one of ``malformed``,
        ``wrong_issuer``, ``wrong_audience``, ``azp_missing``, ``azp_mismatch``,
        ``missing_claim``, ``expired``, ``issued_in_future``, ``nonce_missing``,
        ``nonce_invalid``, ``unknown_deployment``, ``unsupported_message_type``,
        ``wrong_version``, ``missing_target_link_uri``, ``anonymous_launch``,
        ``missing_roles``, ``missing_resource_link``,
        ``missing_deep_linking_settings``, ``invalid_claim``.
    """
    if not isinstance(payload, Mapping):
        raise _refuse(
            "malformed", "The launch could not be read.", "The id_token is not a JSON object."
        )

    if payload.get("iss") != issuer:
        raise _refuse(
            "wrong_issuer",
            "This launch comes from a platform Pathways does not know.",
            f"The id_token issuer {payload.get('iss')!r} differs from the registered issuer "
            f"{issuer!r}; the issuer must match the LMS URL exactly (scheme, host, path, no "
            "trailing slash difference).",
        )
    _check_audience(payload, client_id)

    exp = _int_time(payload, "exp")
    iat = _int_time(payload, "iat")
    if now >= exp + leeway:
        raise _refuse(
            "expired",
            "The launch has expired; please launch again from the course.",
            "The id_token had expired on arrival: check the LMS server clock (NTP).",
        )
    if iat > now + leeway:
        raise _refuse(
            "issued_in_future",
            "The launch is dated in the future; please launch again.",
            "The LMS server clock is ahead of Pathways' clock: check NTP on the LMS.",
        )

    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise _refuse(
            "nonce_missing",
            "The launch has no nonce.",
            "The id_token must carry the nonce sent in the OIDC login request.",
        )
    if expected_nonce_ok is False:
        raise _refuse(
            "nonce_invalid",
            "This launch was already used or does not match your login; please launch again.",
            "A replayed or mismatched nonce: if it repeats, check that the LMS returns the "
            "nonce from the OIDC login request unchanged.",
        )

    deployment_id = payload.get(CLAIM_DEPLOYMENT_ID)
    if not isinstance(deployment_id, str) or deployment_id not in deployment_ids:
        raise _refuse(
            "unknown_deployment",
            "This installation of Pathways in your LMS is not registered.",
            f"Add deployment ID {deployment_id!r} to the Pathways platform registration, "
            "or check which tool the LMS course uses.",
        )

    message_type = payload.get(CLAIM_MESSAGE_TYPE)
    if message_type not in SUPPORTED_MESSAGE_TYPES:
        raise _refuse(
            "unsupported_message_type",
            "Pathways cannot handle this kind of launch.",
            f"Message type {message_type!r} is not supported; Pathways accepts "
            "LtiResourceLinkRequest and LtiDeepLinkingRequest.",
        )
    if payload.get(CLAIM_VERSION) != LTI_VERSION:
        raise _refuse(
            "wrong_version",
            "The LMS speaks an LTI version Pathways does not support.",
            f"The launch claims LTI version {payload.get(CLAIM_VERSION)!r}; configure the "
            "tool as LTI 1.3 (version 1.3.0).",
        )

    target_link_uri = payload.get(CLAIM_TARGET_LINK_URI)
    if not isinstance(target_link_uri, str) or not target_link_uri:
        raise _refuse(
            "missing_target_link_uri",
            "The launch does not say what to open.",
            "The LMS must send the target_link_uri claim; set the tool URL in the LMS.",
        )

    subject = payload.get("sub")
    if not isinstance(subject, str) or not subject.strip():
        raise _refuse(
            "anonymous_launch",
            "Pathways needs to know who you are; anonymous launches are not accepted.",
            "Enable sharing of the user's identity with the tool (the id_token must carry "
            "sub): in Moodle, 'Share launcher's name/email with tool' and do not use "
            "anonymous access.",
        )
    if len(subject) > 255:
        raise _refuse(
            "invalid_claim", "The user identifier is too long.", "sub exceeds 255 characters."
        )

    if CLAIM_ROLES not in payload:
        raise _refuse(
            "missing_roles",
            "The launch does not state your role in the course.",
            "The LMS must send the roles claim (it may be an empty list).",
        )
    raw_roles = payload[CLAIM_ROLES]
    if not isinstance(raw_roles, list) or not all(isinstance(role, str) for role in raw_roles):
        raise _refuse(
            "invalid_claim",
            "The launch's roles could not be read.",
            "The roles claim must be a list of role URIs.",
        )
    roles = tuple(dict.fromkeys(normalise_role(role) for role in raw_roles if role.strip()))

    resource_link = None
    deep_linking = None
    if message_type == RESOURCE_LINK_REQUEST:
        resource_link = _parse_resource_link(payload)
    else:
        deep_linking = _parse_deep_linking_settings(payload)

    return LaunchContext(
        issuer=issuer,
        client_id=client_id,
        deployment_id=deployment_id,
        message_type=message_type,
        subject=subject,
        target_link_uri=target_link_uri,
        roles=roles,
        role_kinds=frozenset(role_kinds(roles)),
        name=_optional_str(payload.get("name"), "name"),
        given_name=_optional_str(payload.get("given_name"), "given_name"),
        family_name=_optional_str(payload.get("family_name"), "family_name"),
        email=_optional_str(payload.get("email"), "email"),
        locale=_optional_str(payload.get("locale"), "locale"),
        context=_parse_context(payload),
        resource_link=resource_link,
        custom=_parse_custom(payload),
        launch_presentation=_parse_presentation(payload),
        ags=_parse_ags(payload),
        nrps=_parse_nrps(payload),
        basic_outcome=_parse_basic_outcome(payload),
        deep_linking=deep_linking,
        platform=_parse_platform(payload),
        claims=copy.deepcopy(dict(payload)),
    )


def _parse_resource_link(payload: Mapping[str, Any]) -> ResourceLink:
    link = payload.get(CLAIM_RESOURCE_LINK)
    link_id = link.get("id") if isinstance(link, Mapping) else None
    if not isinstance(link_id, str) or not link_id:
        raise _refuse(
            "missing_resource_link",
            "The launch does not say which course activity was opened.",
            "An LtiResourceLinkRequest must carry resource_link.id; check the LMS activity.",
        )
    return ResourceLink(
        id=link_id,
        title=_optional_str(link.get("title"), "resource_link.title"),
        description=_optional_str(link.get("description"), "resource_link.description"),
    )


def _parse_deep_linking_settings(payload: Mapping[str, Any]) -> DeepLinkingSettings:
    settings = payload.get(CLAIM_DEEP_LINKING_SETTINGS)
    hint = (
        "An LtiDeepLinkingRequest must carry deep_linking_settings with "
        "deep_link_return_url, accept_types and accept_presentation_document_targets."
    )
    if not isinstance(settings, Mapping):
        raise _refuse(
            "missing_deep_linking_settings", "The content selection request is incomplete.", hint
        )
    return_url = settings.get("deep_link_return_url")
    accept_types = settings.get("accept_types")
    targets = settings.get("accept_presentation_document_targets")
    if not isinstance(return_url, str) or not return_url or accept_types is None or targets is None:
        raise _refuse(
            "missing_deep_linking_settings", "The content selection request is incomplete.", hint
        )
    name = "deep_linking_settings"
    data = settings.get("data")
    return DeepLinkingSettings(
        deep_link_return_url=return_url,
        accept_types=_str_tuple(accept_types, f"{name}.accept_types"),
        accept_presentation_document_targets=_str_tuple(targets, f"{name}.targets"),
        accept_media_types=_optional_str(settings.get("accept_media_types"), f"{name}.media"),
        accept_multiple=_flag(settings.get("accept_multiple"), default=False),
        accept_lineitem=_flag(settings.get("accept_lineitem"), default=None),
        auto_create=_flag(settings.get("auto_create"), default=False),
        title=_optional_str(settings.get("title"), f"{name}.title"),
        text=_optional_str(settings.get("text"), f"{name}.text"),
        # data is opaque and must come back byte for byte, so it is kept even when empty.
        data=data if isinstance(data, str) else None,
    )


def _flag(value: Any, *, default: bool | None) -> bool | None:
    # Some platforms send booleans as the strings "true"/"false".
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return default


def _parse_context(payload: Mapping[str, Any]) -> LtiContext | None:
    context = _optional_object(payload, CLAIM_CONTEXT)
    if context is None:
        return None
    context_id = context.get("id")
    if not isinstance(context_id, str) or not context_id:
        raise _refuse(
            "invalid_claim",
            "The course of the launch has no identifier.",
            "context.id is required.",
        )
    types = _str_tuple(context.get("type"), "context.type")
    return LtiContext(
        id=context_id,
        label=_optional_str(context.get("label"), "context.label"),
        title=_optional_str(context.get("title"), "context.title"),
        type=tuple(normalise_context_type(value) for value in types),
    )


def _parse_custom(payload: Mapping[str, Any]) -> dict[str, Any]:
    custom = _optional_object(payload, CLAIM_CUSTOM)
    return copy.deepcopy(dict(custom)) if custom else {}


def _parse_presentation(payload: Mapping[str, Any]) -> LaunchPresentation:
    presentation = _optional_object(payload, CLAIM_LAUNCH_PRESENTATION) or {}
    return LaunchPresentation(
        return_url=_optional_str(presentation.get("return_url"), "launch_presentation.return_url"),
        document_target=_optional_str(
            presentation.get("document_target"), "launch_presentation.document_target"
        ),
        locale=_optional_str(presentation.get("locale"), "launch_presentation.locale"),
    )


def _parse_ags(payload: Mapping[str, Any]) -> AgsEndpoint | None:
    ags = _optional_object(payload, CLAIM_AGS_ENDPOINT)
    if ags is None:
        return None
    return AgsEndpoint(
        scope=_str_tuple(ags.get("scope"), "lti-ags endpoint.scope"),
        lineitems=_optional_str(ags.get("lineitems"), "lti-ags endpoint.lineitems"),
        lineitem=_optional_str(ags.get("lineitem"), "lti-ags endpoint.lineitem"),
    )


def _parse_nrps(payload: Mapping[str, Any]) -> NrpsService | None:
    nrps = _optional_object(payload, CLAIM_NRPS)
    if nrps is None:
        return None
    url = _optional_str(nrps.get("context_memberships_url"), "namesroleservice.url")
    if url is None:
        return None
    return NrpsService(
        context_memberships_url=url,
        service_versions=_str_tuple(nrps.get("service_versions"), "namesroleservice.versions"),
    )


def _parse_basic_outcome(payload: Mapping[str, Any]) -> BasicOutcome | None:
    outcome = _optional_object(payload, CLAIM_BASIC_OUTCOME)
    if outcome is None:
        return None
    sourcedid = _optional_str(outcome.get("lis_result_sourcedid"), "basicoutcome.sourcedid")
    url = _optional_str(outcome.get("lis_outcome_service_url"), "basicoutcome.url")
    # Moodle sends the claim for instructors too, with an empty sourcedid: no grade to post.
    if sourcedid is None or url is None:
        return None
    return BasicOutcome(lis_result_sourcedid=sourcedid, lis_outcome_service_url=url)


def _parse_platform(payload: Mapping[str, Any]) -> LaunchPlatform:
    platform = _optional_object(payload, CLAIM_TOOL_PLATFORM) or {}
    return LaunchPlatform(
        guid=_optional_str(platform.get("guid"), "tool_platform.guid"),
        name=_optional_str(platform.get("name"), "tool_platform.name"),
        product_family_code=_optional_str(
            platform.get("product_family_code"), "tool_platform.product_family_code"
        ),
        version=_optional_str(platform.get("version"), "tool_platform.version"),
    )


# --- deep linking response ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineItem:
    """``lineItem`` of a deep-linked resource link: the platform creates the gradebook column."""

    score_maximum: float
    label: str | None = None
    resource_id: str | None = None
    tag: str | None = None


@dataclass(frozen=True, slots=True)
class ResourceLinkItem:
    """An ``ltiResourceLink`` content item: a Pathways page placed in a course."""

    title: str
    url: str | None = None
    text: str | None = None
    custom: Mapping[str, str] = field(default_factory=dict)
    line_item: LineItem | None = None

    type = "ltiResourceLink"


def _content_item(item: ResourceLinkItem) -> dict[str, Any]:
    body: dict[str, Any] = {"type": item.type, "title": item.title}
    if item.text is not None:
        body["text"] = item.text
    if item.url is not None:
        body["url"] = item.url
    if item.custom:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in item.custom.items()):
            raise InvalidLtiValue("custom parameters of a content item must be strings")
        body["custom"] = dict(item.custom)
    if item.line_item is not None:
        line = item.line_item
        maximum = line.score_maximum
        if isinstance(maximum, bool) or not isinstance(maximum, int | float):
            raise InvalidLtiValue("lineItem.scoreMaximum must be a number")
        if not math.isfinite(maximum) or maximum <= 0:
            raise InvalidLtiValue("lineItem.scoreMaximum must be greater than 0")
        line_body: dict[str, Any] = {"scoreMaximum": maximum, "label": line.label or item.title}
        if line.resource_id is not None:
            line_body["resourceId"] = line.resource_id
        if line.tag is not None:
            line_body["tag"] = line.tag
        body["lineItem"] = line_body
    return body


def deep_linking_response_claims(
    *,
    settings: DeepLinkingSettings,
    items: Sequence[ResourceLinkItem],
    client_id: str,
    issuer_of_tool: str,
    deployment_id: str,
    now: int,
    nonce: str,
    lifetime: int = 300,
    msg: str | None = None,
    log: str | None = None,
) -> dict[str, Any]:
    """The payload of the ``LtiDeepLinkingResponse`` JWT the tool signs.

    The tool is the issuer here, so ``iss`` is the tool's ``client_id`` and
    ``aud`` is ``issuer_of_tool``: the platform issuer the tool is registered
    with (the ``iss`` of the deep linking request). ``settings.data`` is echoed
    unchanged when the platform sent it. An empty ``items`` means "nothing
    chosen" and is valid.

    :raises InvalidLtiValue: an item type the platform's ``accept_types`` does
        not allow, several items when ``accept_multiple`` is false, a line item
        without a positive ``scoreMaximum``, non-string custom values.
    """
    for item in items:
        if item.type not in settings.accept_types:
            raise InvalidLtiValue(
                f"the platform does not accept {item.type!r} items "
                f"(accept_types: {list(settings.accept_types)!r})"
            )
    if len(items) > 1 and not settings.accept_multiple:
        raise InvalidLtiValue(
            "the platform accepts one content item only (accept_multiple is false)"
        )
    if lifetime <= 0:
        raise InvalidLtiValue("lifetime must be positive")
    claims: dict[str, Any] = {
        "iss": client_id,
        "aud": issuer_of_tool,
        "iat": now,
        "exp": now + lifetime,
        "nonce": nonce,
        CLAIM_MESSAGE_TYPE: DEEP_LINKING_RESPONSE,
        CLAIM_VERSION: LTI_VERSION,
        CLAIM_DEPLOYMENT_ID: deployment_id,
        CLAIM_DL_CONTENT_ITEMS: [_content_item(item) for item in items],
    }
    if settings.data is not None:
        claims[CLAIM_DL_DATA] = settings.data
    if msg is not None:
        claims[CLAIM_DL_MSG] = msg
    if log is not None:
        claims[CLAIM_DL_LOG] = log
    return claims


# --- AGS score and the client credentials assertion --------------------------------

ACTIVITY_PROGRESS = frozenset({"Initialized", "Started", "InProgress", "Submitted", "Completed"})
GRADING_PROGRESS = frozenset({"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"})


def _number(value: Any, name: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidLtiValue(f"{name} must be a finite number")
    return value


def _timestamp(value: datetime | str) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidLtiValue("timestamp must be timezone-aware")
        # The spec asks for sub-second precision so platforms can order scores.
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as error:
            raise InvalidLtiValue(f"timestamp {value!r} is not ISO 8601") from error
        if parsed.tzinfo is None:
            raise InvalidLtiValue("timestamp must carry a time zone offset")
        return value
    raise InvalidLtiValue("timestamp must be a datetime or an ISO 8601 string")


def ags_score(
    *,
    user_id: str,
    score_given: float | None,
    score_maximum: float | None,
    activity_progress: str,
    grading_progress: str,
    timestamp: datetime | str,
    comment: str | None = None,
) -> dict[str, Any]:
    """An AGS 2.0 Score (``application/vnd.ims.lis.v1.score+json``) for one user.

    ``score_given`` may be ``None`` (progress only); when given it must be
    >= 0 with a positive ``score_maximum`` (it may exceed the maximum: extra
    credit). Progress values come from the spec's vocabularies.

    :raises InvalidLtiValue: any value outside those rules.
    """
    if not isinstance(user_id, str) or not user_id:
        raise InvalidLtiValue("userId is required")
    if activity_progress not in ACTIVITY_PROGRESS:
        raise InvalidLtiValue(
            f"activityProgress {activity_progress!r} is not one of {sorted(ACTIVITY_PROGRESS)}"
        )
    if grading_progress not in GRADING_PROGRESS:
        raise InvalidLtiValue(
            f"gradingProgress {grading_progress!r} is not one of {sorted(GRADING_PROGRESS)}"
        )
    score: dict[str, Any] = {"userId": user_id}
    if score_given is not None:
        if score_maximum is None:
            raise InvalidLtiValue("scoreMaximum is required when scoreGiven is present")
        if _number(score_given, "scoreGiven") < 0:
            raise InvalidLtiValue("scoreGiven must be 0 or more")
        score["scoreGiven"] = score_given
    if score_maximum is not None:
        if _number(score_maximum, "scoreMaximum") <= 0:
            raise InvalidLtiValue("scoreMaximum must be greater than 0")
        score["scoreMaximum"] = score_maximum
    if comment is not None:
        score["comment"] = comment
    score["timestamp"] = _timestamp(timestamp)
    score["activityProgress"] = activity_progress
    score["gradingProgress"] = grading_progress
    return score


def client_credentials_assertion_claims(
    *, client_id: str, token_url: str, now: int, jti: str, lifetime: int = 300
) -> dict[str, Any]:
    """Claims of the JWT the tool signs to ask the platform's token URL for a
    service token (RFC 7523 ``client_assertion``): iss = sub = client_id,
    aud = the token URL, a unique ``jti`` the platform uses against replay.

    :raises InvalidLtiValue: empty ids, or a lifetime outside 1..3600 seconds.
    """
    if not client_id or not token_url or not jti:
        raise InvalidLtiValue("client_id, token_url and jti are required")
    if not 0 < lifetime <= 3600:
        raise InvalidLtiValue("lifetime must be between 1 and 3600 seconds")
    return {
        "iss": client_id,
        "sub": client_id,
        "aud": token_url,
        "iat": now,
        "exp": now + lifetime,
        "jti": jti,
    }
