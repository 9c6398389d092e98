"""LTI 1.1 (legacy) launches signed with OAuth 1.0a, and signing Basic Outcomes calls.

The signature maths is oauthlib's (RFC 5849 HMAC-SHA1 and the OAuth body hash
extension); this module decides what to feed it and which requests to
refuse. It knows nothing of Flask or the database: the caller passes the URL
as the platform saw it, the decoded form fields, a secret lookup and a nonce
store, so the same code serves the endpoint and the tests.

Behind a reverse proxy the URL the application sees (``http://127.0.0.1:8000``)
is not the one the platform signed (``https://pathways.example.org``): build
it with :func:`external_url` from trusted forwarded values, or run the app
behind ``ProxyFix``. Scheme and host are compared case-insensitively and the
default ports (80 for http, 443 for https) are dropped, as RFC 5849 3.4.1.2
requires, so ``https://HOST:443/x`` and ``https://host/x`` verify alike.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import parse_qsl
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from oauthlib.common import Request
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1
from oauthlib.oauth1 import SIGNATURE_TYPE_AUTH_HEADER
from oauthlib.oauth1 import Client
from oauthlib.oauth1.rfc5849 import signature as oauth_signature
from oauthlib.oauth1.rfc5849 import utils as oauth_utils

from pathways.lti.claims import ROLE_ADMINISTRATOR
from pathways.lti.claims import ROLE_INSTRUCTOR
from pathways.lti.claims import ROLE_LEARNER
from pathways.lti.claims import LaunchRefused
from pathways.lti.claims import normalise_role
from pathways.lti.claims import role_kinds

LTI11_MESSAGE_TYPE = "basic-lti-launch-request"
LTI11_VERSION = "LTI-1p0"
_REQUIRED_OAUTH = (
    "oauth_consumer_key",
    "oauth_signature",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_nonce",
)
_HINT_KEYS = "Check the consumer key and shared secret configured for Pathways in the LMS."


@dataclass(frozen=True, slots=True)
class Lti11Launch:
    """A verified LTI 1.1 ``basic-lti-launch-request``.

    ``roles`` are the ``roles`` parameter normalised to full LIS v2 URIs (as in
    an LTI 1.3 launch); ``role_kinds`` is :func:`role_kinds` of them.
    ``custom`` holds the ``custom_*`` parameters without the prefix (the keys
    an LTI 1.3 custom claim would have). ``params`` is every signed parameter
    except ``oauth_signature``.
    """

    consumer_key: str
    user_id: str
    resource_link_id: str
    roles: tuple[str, ...]
    role_kinds: frozenset[str]
    resource_link_title: str | None = None
    name_full: str | None = None
    name_given: str | None = None
    name_family: str | None = None
    email: str | None = None
    context_id: str | None = None
    context_label: str | None = None
    context_title: str | None = None
    lis_outcome_service_url: str | None = None
    lis_result_sourcedid: str | None = None
    launch_presentation_return_url: str | None = None
    launch_presentation_locale: str | None = None
    tool_consumer_info_product_family_code: str | None = None
    tool_consumer_instance_guid: str | None = None
    custom: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)

    @property
    def is_learner(self) -> bool:
        return ROLE_LEARNER in self.role_kinds

    @property
    def is_instructor(self) -> bool:
        return ROLE_INSTRUCTOR in self.role_kinds

    @property
    def is_admin(self) -> bool:
        return ROLE_ADMINISTRATOR in self.role_kinds


def external_url(
    url: str, *, forwarded_proto: str | None = None, forwarded_host: str | None = None
) -> str:
    """``url`` with the scheme and host a trusted proxy reports (``X-Forwarded-Proto``,
    ``X-Forwarded-Host``; the first value of a comma-separated list).

    Only pass headers set by your own proxy: a client can send them too.
    """
    parts = urlsplit(url)
    scheme = parts.scheme
    netloc = parts.netloc
    if forwarded_proto:
        scheme = forwarded_proto.split(",")[0].strip().lower()
    if forwarded_host:
        netloc = forwarded_host.split(",")[0].strip()
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def _param_list(body_params: Mapping[str, str | Sequence[str]]) -> list[tuple[str, str]]:
    # A form may repeat a field (MultiDict.to_dict(flat=False)); every value is signed.
    pairs: list[tuple[str, str]] = []
    for key, value in body_params.items():
        if isinstance(value, str):
            pairs.append((key, value))
        else:
            pairs.extend((key, str(item)) for item in value)
    return pairs


def _header_params(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    for name, value in headers.items():
        if name.lower() == "authorization" and value[:6].lower() == "oauth ":
            try:
                pairs = oauth_utils.parse_authorization_header(value)
            except ValueError as error:
                raise LaunchRefused(
                    "oauth_malformed",
                    "The launch signature could not be read.",
                    "The OAuth Authorization header is malformed.",
                ) from error
            return [(k, oauth_utils.unescape(v)) for k, v in pairs if k != "realm"]
    return []


def _refuse_oauth(code: str, message: str, hint: str) -> LaunchRefused:
    return LaunchRefused(code, message, hint)


def verify_lti11_launch(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body_params: Mapping[str, str | Sequence[str]],
    consumer_secret_lookup: Callable[[str], str | None],
    nonce_seen: Callable[[str, str, int], bool],
    now: int,
    window: int = 300,
) -> Lti11Launch:
    """Verify an LTI 1.1 launch and return its typed parameters.

    ``url`` is the full URL the platform posted to (query string included);
    ``body_params`` the decoded form fields; OAuth parameters may come in the
    body (the LTI norm) or an ``Authorization: OAuth`` header.
    ``consumer_secret_lookup(key)`` returns the shared secret or ``None``;
    ``nonce_seen(key, nonce, timestamp)`` returns True for a nonce already
    used and records it otherwise; it is called only once the signature is
    valid, so forged requests cannot fill the nonce store.

    :raises LaunchRefused: ``oauth_malformed``, ``oauth_missing``,
        ``signature_method`` (anything but HMAC-SHA1), ``timestamp`` (outside
        ``now`` +/- ``window``), ``unknown_consumer``, ``bad_signature``,
        ``replayed_nonce``, ``unsupported_message_type``, ``wrong_version``,
        ``missing_resource_link``, ``anonymous_launch``.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise _refuse_oauth("oauth_malformed", "The launch URL is invalid.", f"Bad URL {url!r}.")
    query_params = parse_qsl(parts.query, keep_blank_values=True)
    header_params = _header_params(headers)
    form_params = _param_list(body_params)
    params = query_params + header_params + form_params

    oauth_pairs = [(k, v) for k, v in params if k.startswith("oauth_")]
    oauth = dict(oauth_pairs)
    if len(oauth) != len(oauth_pairs):
        raise _refuse_oauth(
            "oauth_malformed",
            "The launch signature could not be read.",
            "An OAuth parameter appears more than once in the launch request.",
        )
    missing = [name for name in _REQUIRED_OAUTH if not oauth.get(name)]
    if missing:
        raise _refuse_oauth(
            "oauth_missing",
            "The launch is not signed.",
            f"The launch lacks {', '.join(missing)}; configure the tool in the LMS with a "
            "consumer key and secret.",
        )
    if oauth.get("oauth_version", "1.0") != "1.0":
        raise _refuse_oauth(
            "oauth_malformed",
            "The launch signature could not be read.",
            "oauth_version must be 1.0.",
        )
    if oauth["oauth_signature_method"] != SIGNATURE_HMAC_SHA1:
        raise _refuse_oauth(
            "signature_method",
            "The launch is signed in a way Pathways does not accept.",
            f"Signature method {oauth['oauth_signature_method']!r} is refused; LTI 1.1 "
            "requires HMAC-SHA1.",
        )
    try:
        timestamp = int(oauth["oauth_timestamp"])
    except ValueError:
        timestamp = None
    if timestamp is None or abs(now - timestamp) > window:
        raise _refuse_oauth(
            "timestamp",
            "The launch has expired; please launch again from the course.",
            f"oauth_timestamp is more than {window} seconds from Pathways' clock: check the "
            "LMS server clock (NTP).",
        )

    consumer_key = oauth["oauth_consumer_key"]
    secret = consumer_secret_lookup(consumer_key)
    if secret is None:
        raise _refuse_oauth(
            "unknown_consumer",
            "This LMS is not registered with Pathways.",
            f"Consumer key {consumer_key!r} is unknown: register it in Pathways or fix the "
            "key in the LMS.",
        )

    request = Request(url, method.upper())
    # The signature base string takes every parameter but oauth_signature itself.
    request.params = [(k, v) for k, v in params if k != "oauth_signature"]
    request.signature = oauth["oauth_signature"]
    if not oauth_signature.verify_hmac_sha1(request, secret):
        raise _refuse_oauth(
            "bad_signature",
            "The launch signature is not valid.",
            _HINT_KEYS + " If Pathways runs behind a proxy, the launch URL must be the "
            "public https URL the LMS posts to.",
        )

    nonce = oauth["oauth_nonce"]
    if nonce_seen(consumer_key, nonce, timestamp):
        raise _refuse_oauth(
            "replayed_nonce",
            "This launch was already used; please launch again from the course.",
            "A launch was replayed (same oauth_nonce); if it repeats, check for a proxy that "
            "resubmits requests.",
        )

    values: dict[str, str] = {}
    for key, value in params:
        if key != "oauth_signature":
            values.setdefault(key, value)
    return _typed_launch(consumer_key, values)


def _typed_launch(consumer_key: str, values: dict[str, str]) -> Lti11Launch:
    if values.get("lti_message_type") != LTI11_MESSAGE_TYPE:
        raise _refuse_oauth(
            "unsupported_message_type",
            "Pathways cannot handle this kind of launch.",
            f"lti_message_type {values.get('lti_message_type')!r} is not {LTI11_MESSAGE_TYPE!r}.",
        )
    if values.get("lti_version") != LTI11_VERSION:
        raise _refuse_oauth(
            "wrong_version",
            "The LMS speaks an LTI version Pathways does not support here.",
            f"lti_version {values.get('lti_version')!r} is not {LTI11_VERSION!r}.",
        )
    resource_link_id = values.get("resource_link_id", "")
    if not resource_link_id:
        raise _refuse_oauth(
            "missing_resource_link",
            "The launch does not say which course activity was opened.",
            "A basic-lti-launch-request must carry resource_link_id.",
        )
    user_id = values.get("user_id", "")
    if not user_id.strip():
        raise _refuse_oauth(
            "anonymous_launch",
            "Pathways needs to know who you are; anonymous launches are not accepted.",
            "Enable sharing of the user's identity with the tool (user_id must be sent).",
        )
    raw_roles = [role for role in values.get("roles", "").split(",") if role.strip()]
    roles = tuple(dict.fromkeys(normalise_role(role) for role in raw_roles))

    def text(name: str) -> str | None:
        return values.get(name) or None

    return Lti11Launch(
        consumer_key=consumer_key,
        user_id=user_id,
        resource_link_id=resource_link_id,
        roles=roles,
        role_kinds=frozenset(role_kinds(roles)),
        resource_link_title=text("resource_link_title"),
        name_full=text("lis_person_name_full"),
        name_given=text("lis_person_name_given"),
        name_family=text("lis_person_name_family"),
        email=text("lis_person_contact_email_primary"),
        context_id=text("context_id"),
        context_label=text("context_label"),
        context_title=text("context_title"),
        lis_outcome_service_url=text("lis_outcome_service_url"),
        lis_result_sourcedid=text("lis_result_sourcedid"),
        launch_presentation_return_url=text("launch_presentation_return_url"),
        launch_presentation_locale=text("launch_presentation_locale"),
        tool_consumer_info_product_family_code=text("tool_consumer_info_product_family_code"),
        tool_consumer_instance_guid=text("tool_consumer_instance_guid"),
        custom={k[len("custom_") :]: v for k, v in values.items() if k.startswith("custom_")},
        params=values,
    )


def body_hash(body: bytes) -> str:
    """``oauth_body_hash``: base64 of the SHA-1 of the exact body bytes."""
    return base64.b64encode(hashlib.sha1(body).digest()).decode("ascii")  # noqa: S324 -- the extension's hash


def sign_outcome_request(url: str, body: bytes, consumer_key: str, secret: str) -> dict[str, str]:
    """Headers for POSTing a Basic Outcomes (POX) body to ``lis_outcome_service_url``.

    Returns ``Authorization`` (OAuth 1.0a HMAC-SHA1 over the URL, the OAuth
    parameters and ``oauth_body_hash``) and ``Content-Type: application/xml``.
    Send ``body`` byte for byte as given.

    :raises ValueError: ``body`` is not UTF-8 (POX documents are).
    """
    text = body.decode("utf-8")
    client = Client(
        consumer_key,
        client_secret=secret,
        signature_method=SIGNATURE_HMAC_SHA1,
        signature_type=SIGNATURE_TYPE_AUTH_HEADER,
    )
    _uri, headers, _body = client.sign(
        url, http_method="POST", body=text, headers={"Content-Type": "application/xml"}
    )
    authorization = headers["Authorization"]
    # oauthlib adds the body hash for non-form bodies; LTI outcomes are void without it.
    if f'oauth_body_hash="{oauth_utils.escape(body_hash(body))}"' not in authorization:
        raise ValueError("the signed request carries no oauth_body_hash")
    return {"Authorization": authorization, "Content-Type": "application/xml"}
