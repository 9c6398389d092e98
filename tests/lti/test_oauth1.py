from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qsl
from urllib.parse import quote
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from oauthlib.oauth1 import SIGNATURE_PLAINTEXT
from oauthlib.oauth1 import SIGNATURE_TYPE_AUTH_HEADER
from oauthlib.oauth1 import SIGNATURE_TYPE_BODY
from oauthlib.oauth1 import Client
from oauthlib.oauth1.rfc5849 import utils as oauth_utils

from pathways.lti.claims import LaunchRefused
from pathways.lti.oauth1 import Lti11Launch
from pathways.lti.oauth1 import body_hash
from pathways.lti.oauth1 import external_url
from pathways.lti.oauth1 import sign_outcome_request
from pathways.lti.oauth1 import verify_lti11_launch

pytestmark = pytest.mark.unit

NOW = 1_760_000_000
KEY = "moodle-college"
SECRET = "s3cret-shared"
URL = "https://pathways.example.org/lti/11/launch"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person"
SYSTEM = "http://purl.imsglobal.org/vocab/lis/v2/system/person"
SOURCEDID = '{"data":{"instanceid":"88","userid":"42","launchid":9},"hash":"ab"}'


def moodle_params() -> dict[str, str]:
    """The fields Moodle's LTI 1.1 launch form posts (before signing)."""
    return {
        "user_id": "42",
        "lis_person_sourcedid": "",
        "roles": ",".join(
            [
                "Instructor",
                "urn:lti:sysrole:ims/lis/Administrator",
                "urn:lti:instrole:ims/lis/Administrator",
            ]
        ),
        "context_id": "17",
        "context_label": "MFG-101",
        "context_title": "Manufacturing Fundamentals",
        "resource_link_title": "Safety module",
        "resource_link_description": "",
        "resource_link_id": "88",
        "context_type": "CourseSection",
        "lis_course_section_sourcedid": "",
        "lis_result_sourcedid": SOURCEDID,
        "lis_outcome_service_url": "https://moodle.example-college.ca/mod/lti/service.php",
        "lis_person_name_given": "Ana",
        "lis_person_name_family": "Tremblay",
        "lis_person_name_full": "Ana Tremblay",
        "ext_user_username": "atremblay",
        "lis_person_contact_email_primary": "ana.tremblay@example-college.ca",
        "launch_presentation_locale": "fr_ca",
        "ext_lms": "moodle-2",
        "tool_consumer_info_product_family_code": "moodle",
        "tool_consumer_info_version": "2024042200",
        "lti_version": "LTI-1p0",
        "lti_message_type": "basic-lti-launch-request",
        "tool_consumer_instance_guid": "moodle.example-college.ca",
        "tool_consumer_instance_name": "Example College",
        "custom_pathway": "cnc-operator",
        "launch_presentation_document_target": "iframe",
        "launch_presentation_return_url": "https://moodle.example-college.ca/mod/lti/return.php?x=1",
        "ext_submit": "Press to launch this activity",
    }


def sign_body(
    params: dict[str, str],
    *,
    url: str = URL,
    secret: str = SECRET,
    key: str = KEY,
    timestamp: int = NOW,
    nonce: str = "nonce-0001",
    method: str = "HMAC-SHA1",
) -> dict[str, str]:
    """Sign as the platform does (oauthlib's client, OAuth params in the form body)."""
    client = Client(
        key,
        client_secret=secret,
        signature_method=method,
        signature_type=SIGNATURE_TYPE_BODY,
        timestamp=str(timestamp),
        nonce=nonce,
        callback_uri="about:blank",
    )
    _uri, _headers, body = client.sign(url, "POST", body=params, headers=dict(FORM))
    return dict(parse_qsl(body, keep_blank_values=True))


class NonceStore:
    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()
        self.calls: list[tuple[str, str, int]] = []

    def __call__(self, key: str, nonce: str, timestamp: int) -> bool:
        self.calls.append((key, nonce, timestamp))
        if (key, nonce) in self.seen:
            return True
        self.seen.add((key, nonce))
        return False


def verify(body_params, *, url=URL, headers=None, nonces=None, now=NOW) -> Lti11Launch:
    return verify_lti11_launch(
        method="POST",
        url=url,
        headers=headers if headers is not None else dict(FORM),
        body_params=body_params,
        consumer_secret_lookup={KEY: SECRET}.get,
        nonce_seen=nonces if nonces is not None else NonceStore(),
        now=now,
    )


def refusal(body_params, **kwargs) -> str:
    with pytest.raises(LaunchRefused) as caught:
        verify(body_params, **kwargs)
    return caught.value.reason_code


def test_valid_moodle_launch_is_accepted_and_typed():
    signed = sign_body(moodle_params())
    launch = verify(signed)
    expected_params = {k: v for k, v in signed.items() if k != "oauth_signature"}
    assert launch == Lti11Launch(
        consumer_key=KEY,
        user_id="42",
        resource_link_id="88",
        roles=(
            f"{MEMBERSHIP}#Instructor",
            f"{SYSTEM}#Administrator",
            f"{INSTITUTION}#Administrator",
        ),
        role_kinds=frozenset({"instructor", "administrator"}),
        resource_link_title="Safety module",
        name_full="Ana Tremblay",
        name_given="Ana",
        name_family="Tremblay",
        email="ana.tremblay@example-college.ca",
        context_id="17",
        context_label="MFG-101",
        context_title="Manufacturing Fundamentals",
        lis_outcome_service_url="https://moodle.example-college.ca/mod/lti/service.php",
        lis_result_sourcedid=SOURCEDID,
        launch_presentation_return_url="https://moodle.example-college.ca/mod/lti/return.php?x=1",
        launch_presentation_locale="fr_ca",
        tool_consumer_info_product_family_code="moodle",
        tool_consumer_instance_guid="moodle.example-college.ca",
        custom={"pathway": "cnc-operator"},
        params=expected_params,
    )
    assert (launch.is_instructor, launch.is_admin, launch.is_learner) == (True, True, False)


def test_authorization_header_launch_is_accepted():
    params = moodle_params()
    params["roles"] = "Learner"
    client = Client(
        KEY,
        client_secret=SECRET,
        signature_type=SIGNATURE_TYPE_AUTH_HEADER,
        timestamp=str(NOW),
        nonce="hdr-nonce",
    )
    _uri, headers, _body = client.sign(URL, "POST", body=params, headers=dict(FORM))
    assert headers["Authorization"].startswith("OAuth ")
    launch = verify(params, headers=headers)
    assert (launch.user_id, launch.role_kinds) == ("42", frozenset({"learner"}))


def test_unicode_and_reserved_characters_in_fields_verify():
    params = moodle_params()
    params["lis_person_name_full"] = "Zoë Côté-Ñúñez & Co + 100% = ok"
    params["context_title"] = "Usinage CNC — niveau 1 / FR"
    launch = verify(sign_body(params))
    assert (launch.name_full, launch.context_title) == (
        "Zoë Côté-Ñúñez & Co + 100% = ok",
        "Usinage CNC — niveau 1 / FR",
    )


def test_query_string_of_the_launch_url_is_part_of_the_signature():
    url = URL + "?pathway=cnc-operator&lang=fr"
    signed = sign_body(moodle_params(), url=url)
    assert verify(signed, url=url).params["pathway"] == "cnc-operator"
    assert refusal(signed, url=URL + "?pathway=other&lang=fr") == "bad_signature"


def _escape(value: str) -> str:
    return quote(value, safe="~")


def hand_signature(method: str, url: str, pairs: list[tuple[str, str]], secret: str) -> str:
    """RFC 5849 HMAC-SHA1 written out with the standard library, for cross-checking."""
    normalized = "&".join(f"{k}={v}" for k, v in sorted((_escape(k), _escape(v)) for k, v in pairs))
    base = "&".join(_escape(part) for part in (method, url, normalized))
    digest = hmac.new(f"{_escape(secret)}&".encode(), base.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def test_repeated_form_field_values_are_all_signed():
    # oauthlib's client collapses repeated fields, so this request is signed by hand.
    pairs = list(moodle_params().items()) + [("custom_tag", "a"), ("custom_tag", "b")]
    pairs += [
        ("oauth_consumer_key", KEY),
        ("oauth_nonce", "rep"),
        ("oauth_timestamp", str(NOW)),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_version", "1.0"),
    ]
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        multi.setdefault(key, []).append(value)
    multi["oauth_signature"] = [hand_signature("POST", URL, pairs, SECRET)]
    assert verify(multi).custom["tag"] == "a"
    multi["custom_tag"] = ["a"]
    assert refusal(multi) == "bad_signature"


@pytest.mark.parametrize(
    ("signed_url", "seen_url"),
    [
        (
            "https://pathways.example.org/lti/11/launch",
            "https://pathways.example.org:443/lti/11/launch",
        ),
        (
            "http://pathways.example.org:80/lti/11/launch",
            "http://pathways.example.org/lti/11/launch",
        ),
        (
            "https://Pathways.Example.ORG/lti/11/launch",
            "HTTPS://pathways.example.org/lti/11/launch",
        ),
        (
            "https://pathways.example.org:8443/lti/11/launch",
            "https://pathways.example.org:8443/lti/11/launch",
        ),
    ],
)
def test_url_normalisation(signed_url, seen_url):
    assert verify(sign_body(moodle_params(), url=signed_url), url=seen_url).user_id == "42"


def test_non_default_port_is_significant():
    signed = sign_body(moodle_params(), url="https://pathways.example.org:8443/lti/11/launch")
    assert refusal(signed, url="https://pathways.example.org/lti/11/launch") == "bad_signature"


def test_behind_a_proxy_the_external_url_verifies_and_the_internal_does_not():
    signed = sign_body(moodle_params())
    internal = "http://127.0.0.1:8000/lti/11/launch"
    assert refusal(signed, url=internal) == "bad_signature"
    public = external_url(
        internal, forwarded_proto="https, http", forwarded_host="pathways.example.org, proxy"
    )
    assert public == URL
    assert verify(signed, url=public).user_id == "42"


def test_tampered_parameter_is_refused():
    signed = sign_body(moodle_params())
    signed["roles"] = "Administrator"
    assert refusal(signed) == "bad_signature"


def test_added_parameter_is_refused():
    signed = sign_body(moodle_params())
    signed["custom_extra"] = "1"
    assert refusal(signed) == "bad_signature"


def test_wrong_secret_is_refused():
    assert refusal(sign_body(moodle_params(), secret="not-the-secret")) == "bad_signature"


def test_unknown_consumer_key_is_refused():
    assert refusal(sign_body(moodle_params(), key="someone-else")) == "unknown_consumer"


@pytest.mark.parametrize("offset", [-301, 301, -10_000])
def test_timestamp_outside_window_is_refused(offset):
    assert refusal(sign_body(moodle_params(), timestamp=NOW + offset)) == "timestamp"


@pytest.mark.parametrize("offset", [-300, 300])
def test_timestamp_at_window_edge_is_accepted(offset):
    assert verify(sign_body(moodle_params(), timestamp=NOW + offset)).user_id == "42"


def test_replayed_nonce_is_refused_and_records_once():
    nonces = NonceStore()
    signed = sign_body(moodle_params(), nonce="same")
    verify(signed, nonces=nonces)
    assert refusal(signed, nonces=nonces) == "replayed_nonce"
    assert nonces.calls == [(KEY, "same", NOW), (KEY, "same", NOW)]


def test_forged_request_does_not_reach_the_nonce_store():
    nonces = NonceStore()
    refusal(sign_body(moodle_params(), secret="wrong"), nonces=nonces)
    assert nonces.calls == []


@pytest.mark.parametrize("method", [SIGNATURE_PLAINTEXT, SIGNATURE_HMAC_SHA256])
def test_other_signature_methods_are_refused(method):
    assert refusal(sign_body(moodle_params(), method=method)) == "signature_method"


def test_unsigned_launch_is_refused():
    assert refusal(moodle_params()) == "oauth_missing"


def test_duplicated_oauth_parameter_is_refused():
    signed = sign_body(moodle_params())
    duplicated = {k: [v] for k, v in signed.items()}
    duplicated["oauth_nonce"].append("other")
    assert refusal(duplicated) == "oauth_malformed"


@pytest.mark.parametrize(
    ("change", "reason_code"),
    [
        ({"lti_message_type": "ContentItemSelectionRequest"}, "unsupported_message_type"),
        ({"lti_version": "LTI-2p0"}, "wrong_version"),
        ({"resource_link_id": ""}, "missing_resource_link"),
        ({"user_id": ""}, "anonymous_launch"),
    ],
)
def test_lti_parameter_refusals(change, reason_code):
    params = moodle_params()
    params.update(change)
    assert refusal(sign_body(params)) == reason_code


def test_missing_message_type_is_refused():
    params = moodle_params()
    del params["lti_message_type"]
    assert refusal(sign_body(params)) == "unsupported_message_type"


def test_body_hash_matches_hand_computed_sha1():
    body = b'<?xml version="1.0" encoding="UTF-8"?><imsx_POXEnvelopeRequest/>'
    expected = base64.b64encode(hashlib.sha1(body).digest()).decode()
    assert body_hash(body) == expected


def test_sign_outcome_request_header_is_verifiable():
    url = "https://moodle.example-college.ca/mod/lti/service.php"
    body = '<?xml version="1.0" encoding="UTF-8"?><a>Côté 0.92</a>'.encode()
    headers = sign_outcome_request(url, body, KEY, SECRET)
    assert headers["Content-Type"] == "application/xml"
    oauth = dict(oauth_utils.parse_authorization_header(headers["Authorization"]))
    oauth = {k: oauth_utils.unescape(v) for k, v in oauth.items()}
    assert oauth["oauth_body_hash"] == base64.b64encode(hashlib.sha1(body).digest()).decode()
    assert (oauth["oauth_consumer_key"], oauth["oauth_signature_method"]) == (KEY, "HMAC-SHA1")
    # Recompute the signature independently: base string over URL and every oauth_ param.
    params = [(k, v) for k, v in oauth.items() if k != "oauth_signature"]
    assert hand_signature("POST", url, params, SECRET) == oauth["oauth_signature"]


def test_sign_outcome_request_refuses_non_utf8_body():
    with pytest.raises(ValueError):
        sign_outcome_request("https://x.example/s", "é".encode("latin-1"), KEY, SECRET)


def test_form_helper_round_trip():
    # The signed body is ordinary form encoding: what a browser posts and Flask decodes.
    signed = sign_body(moodle_params())
    assert dict(parse_qsl(urlencode(signed), keep_blank_values=True)) == signed


@settings(max_examples=60, deadline=None)
@given(
    value=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
    title=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
)
def test_any_field_text_signed_by_the_platform_verifies(value, title):
    params = moodle_params()
    params["custom_note"] = value
    params["context_title"] = title
    launch = verify(sign_body(params))
    assert (launch.custom["note"], launch.params["context_title"]) == (value, title)
