from __future__ import annotations

import copy
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from pathways.lti import claims
from pathways.lti.claims import AgsEndpoint
from pathways.lti.claims import BasicOutcome
from pathways.lti.claims import DeepLinkingSettings
from pathways.lti.claims import InvalidLtiValue
from pathways.lti.claims import LaunchContext
from pathways.lti.claims import LaunchPlatform
from pathways.lti.claims import LaunchPresentation
from pathways.lti.claims import LaunchRefused
from pathways.lti.claims import LineItem
from pathways.lti.claims import LtiContext
from pathways.lti.claims import NrpsService
from pathways.lti.claims import ResourceLink
from pathways.lti.claims import ResourceLinkItem
from pathways.lti.claims import ags_score
from pathways.lti.claims import client_credentials_assertion_claims
from pathways.lti.claims import deep_linking_response_claims
from pathways.lti.claims import normalise_role
from pathways.lti.claims import parse_launch
from pathways.lti.claims import role_kinds

pytestmark = pytest.mark.unit

ISSUER = "https://moodle.example-college.ca"
CLIENT_ID = "aBc123XyZ"
NOW = 1_760_000_000
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person"
SYSTEM = "http://purl.imsglobal.org/vocab/lis/v2/system/person"
AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
MEMBERSHIPS_URL = f"{ISSUER}/mod/lti/services.php/CourseSection/17/bindings/2/memberships"


def moodle_payload() -> dict:
    """A resource link launch as Moodle 4.x sends it for a site admin teaching the course."""
    return {
        "nonce": "n-0f3c9a",
        "iat": NOW - 5,
        "exp": NOW + 55,
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "42",
        LTI + "deployment_id": "3",
        LTI + "target_link_uri": "https://pathways.example.org/lti/launch",
        LTI + "lis": {"person_sourcedid": "", "course_section_sourcedid": ""},
        LTI + "roles": [
            f"{INSTITUTION}#Administrator",
            f"{MEMBERSHIP}#Instructor",
            f"{SYSTEM}#Administrator",
        ],
        LTI + "context": {
            "id": "17",
            "label": "MFG-101",
            "title": "Manufacturing Fundamentals",
            "type": ["CourseSection"],
        },
        LTI + "resource_link": {"title": "Safety module", "description": "", "id": "88"},
        "https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome": {
            "lis_result_sourcedid": '{"data":{"instanceid":"88","userid":"42"},"hash":"ab12"}',
            "lis_outcome_service_url": f"{ISSUER}/mod/lti/service.php",
        },
        "given_name": "Ana",
        "family_name": "Tremblay",
        "name": "Ana Tremblay",
        "email": "ana.tremblay@example-college.ca",
        LTI + "ext": {"user_username": "atremblay", "lms": "moodle-2"},
        LTI + "launch_presentation": {
            "locale": "fr_ca",
            "document_target": "iframe",
            "return_url": f"{ISSUER}/mod/lti/return.php?course=17&instanceid=88",
        },
        LTI + "tool_platform": {
            "product_family_code": "moodle",
            "version": "2024042200",
            "guid": "moodle.example-college.ca",
            "name": "Example College",
            "description": "Example College Moodle",
        },
        LTI + "version": "1.3.0",
        LTI + "message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
            "scope": [
                AGS + "lineitem",
                AGS + "lineitem.readonly",
                AGS + "result.readonly",
                AGS + "score",
            ],
            "lineitems": f"{ISSUER}/mod/lti/services.php/17/lineitems?type_id=2",
            "lineitem": f"{ISSUER}/mod/lti/services.php/17/lineitems/9/lineitem?type_id=2",
        },
        "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
            "context_memberships_url": MEMBERSHIPS_URL,
            "service_versions": ["1.0", "2.0"],
        },
        LTI + "custom": {"pathway": "cnc-operator"},
    }


def deep_linking_payload() -> dict:
    payload = moodle_payload()
    del payload[LTI + "resource_link"]
    payload[LTI + "message_type"] = "LtiDeepLinkingRequest"
    payload["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["frame", "iframe", "window"],
        "accept_copy_advice": False,
        "accept_multiple": True,
        "accept_unsigned": False,
        "auto_create": False,
        "can_confirm": False,
        "deep_link_return_url": f"{ISSUER}/mod/lti/contentitem_return.php?course=17&id=2",
        "title": "Pathways",
        "text": "",
        "data": "opaque-42",
    }
    return payload


def parse(payload: dict, **overrides) -> LaunchContext:
    arguments = {
        "issuer": ISSUER,
        "client_id": CLIENT_ID,
        "deployment_ids": {"3"},
        "now": NOW,
    }
    arguments.update(overrides)
    return parse_launch(payload, **arguments)


def test_moodle_resource_link_launch_parses_to_the_exact_context():
    payload = moodle_payload()
    expected = LaunchContext(
        issuer=ISSUER,
        client_id=CLIENT_ID,
        deployment_id="3",
        message_type="LtiResourceLinkRequest",
        subject="42",
        target_link_uri="https://pathways.example.org/lti/launch",
        roles=(
            f"{INSTITUTION}#Administrator",
            f"{MEMBERSHIP}#Instructor",
            f"{SYSTEM}#Administrator",
        ),
        role_kinds=frozenset({"administrator", "instructor"}),
        name="Ana Tremblay",
        given_name="Ana",
        family_name="Tremblay",
        email="ana.tremblay@example-college.ca",
        locale=None,
        context=LtiContext(
            id="17",
            label="MFG-101",
            title="Manufacturing Fundamentals",
            type=("http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection",),
        ),
        resource_link=ResourceLink(id="88", title="Safety module", description=None),
        custom={"pathway": "cnc-operator"},
        launch_presentation=LaunchPresentation(
            return_url=f"{ISSUER}/mod/lti/return.php?course=17&instanceid=88",
            document_target="iframe",
            locale="fr_ca",
        ),
        ags=AgsEndpoint(
            scope=(
                AGS + "lineitem",
                AGS + "lineitem.readonly",
                AGS + "result.readonly",
                AGS + "score",
            ),
            lineitems=f"{ISSUER}/mod/lti/services.php/17/lineitems?type_id=2",
            lineitem=f"{ISSUER}/mod/lti/services.php/17/lineitems/9/lineitem?type_id=2",
        ),
        nrps=NrpsService(
            context_memberships_url=MEMBERSHIPS_URL,
            service_versions=("1.0", "2.0"),
        ),
        basic_outcome=BasicOutcome(
            lis_result_sourcedid='{"data":{"instanceid":"88","userid":"42"},"hash":"ab12"}',
            lis_outcome_service_url=f"{ISSUER}/mod/lti/service.php",
        ),
        deep_linking=None,
        platform=LaunchPlatform(
            guid="moodle.example-college.ca",
            name="Example College",
            product_family_code="moodle",
            version="2024042200",
        ),
        claims=moodle_payload(),
    )
    context = parse(payload)
    assert context == expected
    assert (context.is_instructor, context.is_learner, context.is_admin) == (True, False, True)


def test_claims_are_a_copy_of_the_payload():
    payload = moodle_payload()
    context = parse(payload)
    payload[LTI + "custom"]["pathway"] = "changed"
    assert (context.claims[LTI + "custom"], context.custom) == (
        {"pathway": "cnc-operator"},
        {"pathway": "cnc-operator"},
    )


def test_learner_launch_with_audience_list_and_azp():
    payload = moodle_payload()
    payload["aud"] = [CLIENT_ID, "another-audience"]
    payload["azp"] = CLIENT_ID
    payload[LTI + "roles"] = [f"{MEMBERSHIP}#Learner"]
    context = parse(payload)
    assert (context.role_kinds, context.is_learner, context.is_instructor) == (
        frozenset({"learner"}),
        True,
        False,
    )


def test_empty_roles_list_is_accepted():
    payload = moodle_payload()
    payload[LTI + "roles"] = []
    context = parse(payload)
    assert (context.roles, context.role_kinds) == ((), frozenset())


def test_deep_linking_request_parses_settings():
    context = parse(deep_linking_payload())
    assert (context.message_type, context.resource_link, context.deep_linking) == (
        "LtiDeepLinkingRequest",
        None,
        DeepLinkingSettings(
            deep_link_return_url=f"{ISSUER}/mod/lti/contentitem_return.php?course=17&id=2",
            accept_types=("ltiResourceLink",),
            accept_presentation_document_targets=("frame", "iframe", "window"),
            accept_media_types=None,
            accept_multiple=True,
            accept_lineitem=None,
            auto_create=False,
            title="Pathways",
            text=None,
            data="opaque-42",
        ),
    )


def test_instructor_launch_with_empty_sourcedid_has_no_basic_outcome():
    payload = moodle_payload()
    payload["https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome"]["lis_result_sourcedid"] = (
        ""
    )
    assert parse(payload).basic_outcome is None


def test_leeway_accepts_small_clock_skew():
    payload = moodle_payload()
    payload["exp"] = NOW - 30
    payload["iat"] = NOW + 30
    assert parse(payload).subject == "42"


def _without(key: str):
    def change(payload: dict) -> None:
        del payload[key]

    return change


def _set(key: str, value):
    def change(payload: dict) -> None:
        payload[key] = value

    return change


REFUSALS = [
    ("wrong iss", _set("iss", "https://evil.example"), "wrong_issuer"),
    ("issuer with trailing slash", _set("iss", ISSUER + "/"), "wrong_issuer"),
    ("wrong aud", _set("aud", "other-client"), "wrong_audience"),
    ("aud list without client", _set("aud", ["x", "y"]), "wrong_audience"),
    ("several aud without azp", _set("aud", [CLIENT_ID, "other"]), "azp_missing"),
    ("azp of another client", _set("azp", "other"), "azp_mismatch"),
    ("expired", _set("exp", NOW - 60), "expired"),
    ("no exp", _without("exp"), "missing_claim"),
    ("iat in the future beyond leeway", _set("iat", NOW + 61), "issued_in_future"),
    ("no nonce", _without("nonce"), "nonce_missing"),
    ("unknown deployment", _set(LTI + "deployment_id", "4"), "unknown_deployment"),
    ("no deployment", _without(LTI + "deployment_id"), "unknown_deployment"),
    ("wrong version", _set(LTI + "version", "1.1"), "wrong_version"),
    (
        "wrong message type",
        _set(LTI + "message_type", "LtiSubmissionReviewRequest"),
        "unsupported_message_type",
    ),
    ("no target_link_uri", _without(LTI + "target_link_uri"), "missing_target_link_uri"),
    ("missing sub", _without("sub"), "anonymous_launch"),
    ("blank sub", _set("sub", " "), "anonymous_launch"),
    ("no roles claim", _without(LTI + "roles"), "missing_roles"),
    ("roles not a list", _set(LTI + "roles", "Learner"), "invalid_claim"),
    (
        "missing resource link id",
        _set(LTI + "resource_link", {"title": "x"}),
        "missing_resource_link",
    ),
    ("no resource link", _without(LTI + "resource_link"), "missing_resource_link"),
    ("context not an object", _set(LTI + "context", "17"), "invalid_claim"),
    ("name not text", _set("name", 5), "invalid_claim"),
]


@pytest.mark.parametrize(
    ("change", "reason_code"),
    [(change, code) for _label, change, code in REFUSALS],
    ids=[label for label, _change, _code in REFUSALS],
)
def test_each_refusal_gives_its_reason_code(change, reason_code):
    payload = moodle_payload()
    change(payload)
    with pytest.raises(LaunchRefused) as caught:
        parse(payload)
    assert caught.value.reason_code == reason_code
    assert caught.value.message
    assert caught.value.admin_hint


def test_nonce_verdict_false_is_refused():
    with pytest.raises(LaunchRefused) as caught:
        parse(moodle_payload(), expected_nonce_ok=False)
    assert caught.value.reason_code == "nonce_invalid"


def test_deep_linking_without_settings_is_refused():
    payload = deep_linking_payload()
    settings = payload["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]
    del settings["deep_link_return_url"]
    with pytest.raises(LaunchRefused) as caught:
        parse(payload)
    assert caught.value.reason_code == "missing_deep_linking_settings"


def test_wrong_audience_hint_names_both_client_ids():
    payload = moodle_payload()
    payload["aud"] = "other-client"
    with pytest.raises(LaunchRefused) as caught:
        parse(payload)
    assert caught.value.admin_hint == (
        "The id_token audience ['other-client'] does not contain this tool's client ID "
        "'aBc123XyZ'; fix the client ID in the Pathways platform registration."
    )


# --- roles -------------------------------------------------------------------------

ROLE_TABLE = [
    (f"{MEMBERSHIP}#Learner", {"learner"}),
    (f"{MEMBERSHIP}/Learner#NonCreditLearner", {"learner"}),
    (f"{MEMBERSHIP}#Instructor", {"instructor"}),
    (f"{MEMBERSHIP}/Instructor#TeachingAssistant", {"instructor"}),
    (f"{MEMBERSHIP}#ContentDeveloper", {"instructor"}),
    (f"{MEMBERSHIP}#Administrator", {"administrator"}),
    (f"{MEMBERSHIP}#Mentor", set()),
    (f"{MEMBERSHIP}#Manager", set()),
    (f"{INSTITUTION}#Administrator", {"administrator"}),
    (f"{INSTITUTION}#Instructor", set()),
    (f"{INSTITUTION}#Student", set()),
    (f"{SYSTEM}#Administrator", {"administrator"}),
    (f"{SYSTEM}#SysAdmin", {"administrator"}),
    (f"{SYSTEM}#User", set()),
    ("http://purl.imsglobal.org/vocab/lti/system/person#TestUser", set()),
    ("Learner", {"learner"}),
    ("Instructor", {"instructor"}),
    ("ContentDeveloper", {"instructor"}),
    ("Administrator", {"administrator"}),
    ("Mentor", set()),
    ("TeachingAssistant", {"instructor"}),
    ("instructor", {"instructor"}),
    ("urn:lti:role:ims/lis/Learner", {"learner"}),
    ("urn:lti:role:ims/lis/Learner/NonCreditLearner", {"learner"}),
    ("urn:lti:role:ims/lis/Instructor", {"instructor"}),
    ("urn:lti:role:ims/lis/TeachingAssistant", {"instructor"}),
    ("urn:lti:role:ims/lis/Mentor", set()),
    ("urn:lti:instrole:ims/lis/Administrator", {"administrator"}),
    ("urn:lti:instrole:ims/lis/Student", set()),
    ("urn:lti:sysrole:ims/lis/SysAdmin", {"administrator"}),
    ("urn:lti:sysrole:ims/lis/Administrator", {"administrator"}),
    ("urn:lti:sysrole:ims/lis/User", set()),
    ("http://example.com/roles#Wizard", set()),
    ("Wizard", set()),
    ("", set()),
]


@pytest.mark.parametrize(
    ("role", "expected"), ROLE_TABLE, ids=[r or "empty" for r, _ in ROLE_TABLE]
)
def test_role_mapping_table(role, expected):
    assert role_kinds([role]) == expected


def test_role_kinds_unions_and_ignores_non_strings():
    roles = ["Learner", f"{MEMBERSHIP}#Instructor", 7, "urn:lti:sysrole:ims/lis/Administrator"]
    assert role_kinds(roles) == {"learner", "instructor", "administrator"}


NORMALISE_TABLE = [
    ("Learner", f"{MEMBERSHIP}#Learner"),
    (" learner ", f"{MEMBERSHIP}#Learner"),
    ("Instructor/TeachingAssistant", f"{MEMBERSHIP}/Instructor#TeachingAssistant"),
    ("TeachingAssistant", f"{MEMBERSHIP}/Instructor#TeachingAssistant"),
    ("urn:lti:role:ims/lis/TeachingAssistant/Grader", f"{MEMBERSHIP}/Instructor#Grader"),
    ("urn:lti:role:ims/lis/Learner", f"{MEMBERSHIP}#Learner"),
    (
        "urn:lti:role:ims/lis/Instructor/PrimaryInstructor",
        f"{MEMBERSHIP}/Instructor#PrimaryInstructor",
    ),
    ("urn:lti:instrole:ims/lis/Faculty", f"{INSTITUTION}#Faculty"),
    ("urn:lti:sysrole:ims/lis/SysAdmin", f"{SYSTEM}#SysAdmin"),
    (f"{MEMBERSHIP}#Learner", f"{MEMBERSHIP}#Learner"),
    ("urn:other:thing", "urn:other:thing"),
]


@pytest.mark.parametrize(("role", "expected"), NORMALISE_TABLE)
def test_normalise_role(role, expected):
    assert normalise_role(role) == expected


def test_short_and_urn_roles_are_normalised_in_the_launch():
    payload = moodle_payload()
    payload[LTI + "roles"] = [
        "Learner",
        "urn:lti:role:ims/lis/Learner",
        "urn:lti:role:ims/lis/Mentor",
    ]
    assert parse(payload).roles == (f"{MEMBERSHIP}#Learner", f"{MEMBERSHIP}#Mentor")


# --- deep linking response ----------------------------------------------------------


def settings(**changes) -> DeepLinkingSettings:
    base = {
        "deep_link_return_url": f"{ISSUER}/mod/lti/contentitem_return.php",
        "accept_types": ("ltiResourceLink",),
        "accept_presentation_document_targets": ("iframe",),
        "accept_multiple": True,
        "data": "opaque-42",
    }
    base.update(changes)
    return DeepLinkingSettings(**base)


def test_deep_linking_response_claims():
    item = ResourceLinkItem(
        title="CNC operator pathway",
        text="Stack four micro-credentials",
        url="https://pathways.example.org/lti/launch",
        custom={"pathway": "cnc-operator"},
        line_item=LineItem(
            score_maximum=100, label="CNC pathway", resource_id="pw-7", tag="pathway"
        ),
    )
    claims_set = deep_linking_response_claims(
        settings=settings(),
        items=[item, ResourceLinkItem(title="Safety module")],
        client_id=CLIENT_ID,
        issuer_of_tool=ISSUER,
        deployment_id="3",
        now=NOW,
        nonce="dl-nonce",
    )
    assert claims_set == {
        "iss": CLIENT_ID,
        "aud": ISSUER,
        "iat": NOW,
        "exp": NOW + 300,
        "nonce": "dl-nonce",
        LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0",
        LTI + "deployment_id": "3",
        "https://purl.imsglobal.org/spec/lti-dl/claim/data": "opaque-42",
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [
            {
                "type": "ltiResourceLink",
                "title": "CNC operator pathway",
                "text": "Stack four micro-credentials",
                "url": "https://pathways.example.org/lti/launch",
                "custom": {"pathway": "cnc-operator"},
                "lineItem": {
                    "scoreMaximum": 100,
                    "label": "CNC pathway",
                    "resourceId": "pw-7",
                    "tag": "pathway",
                },
            },
            {"type": "ltiResourceLink", "title": "Safety module"},
        ],
    }


def test_deep_linking_without_data_omits_the_data_claim():
    claims_set = deep_linking_response_claims(
        settings=settings(data=None),
        items=[],
        client_id=CLIENT_ID,
        issuer_of_tool=ISSUER,
        deployment_id="3",
        now=NOW,
        nonce="n",
    )
    assert sorted(claims_set) == sorted(
        [
            "iss",
            "aud",
            "iat",
            "exp",
            "nonce",
            LTI + "message_type",
            LTI + "version",
            LTI + "deployment_id",
            "https://purl.imsglobal.org/spec/lti-dl/claim/content_items",
        ]
    )


@pytest.mark.parametrize(
    ("dl_settings", "items", "message"),
    [
        (
            settings(accept_types=("link", "file")),
            [ResourceLinkItem(title="A")],
            "the platform does not accept 'ltiResourceLink' items (accept_types: ['link', 'file'])",
        ),
        (
            settings(accept_multiple=False),
            [ResourceLinkItem(title="A"), ResourceLinkItem(title="B")],
            "the platform accepts one content item only (accept_multiple is false)",
        ),
        (
            settings(),
            [ResourceLinkItem(title="A", line_item=LineItem(score_maximum=0))],
            "lineItem.scoreMaximum must be greater than 0",
        ),
    ],
)
def test_deep_linking_response_refusals(dl_settings, items, message):
    with pytest.raises(InvalidLtiValue) as caught:
        deep_linking_response_claims(
            settings=dl_settings,
            items=items,
            client_id=CLIENT_ID,
            issuer_of_tool=ISSUER,
            deployment_id="3",
            now=NOW,
            nonce="n",
        )
    assert str(caught.value) == message


def test_single_item_allowed_when_accept_multiple_false():
    claims_set = deep_linking_response_claims(
        settings=settings(accept_multiple=False),
        items=[ResourceLinkItem(title="A")],
        client_id=CLIENT_ID,
        issuer_of_tool=ISSUER,
        deployment_id="3",
        now=NOW,
        nonce="n",
    )
    assert claims_set["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"] == [
        {"type": "ltiResourceLink", "title": "A"}
    ]


# --- AGS score and client assertion ---------------------------------------------------


def test_ags_score_document():
    stamp = datetime(2026, 3, 1, 14, 30, 5, 123456, tzinfo=UTC)
    assert ags_score(
        user_id="42",
        score_given=87.5,
        score_maximum=100,
        activity_progress="Completed",
        grading_progress="FullyGraded",
        timestamp=stamp,
        comment="Well done",
    ) == {
        "userId": "42",
        "scoreGiven": 87.5,
        "scoreMaximum": 100,
        "comment": "Well done",
        "timestamp": "2026-03-01T14:30:05.123+00:00",
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
    }


def test_ags_progress_only_score():
    stamp = datetime(2026, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert ags_score(
        user_id="42",
        score_given=None,
        score_maximum=None,
        activity_progress="Started",
        grading_progress="NotReady",
        timestamp=stamp,
    ) == {
        "userId": "42",
        "timestamp": "2026-03-01T09:00:00.000-05:00",
        "activityProgress": "Started",
        "gradingProgress": "NotReady",
    }


def _score(**changes):
    arguments = {
        "user_id": "42",
        "score_given": 1.0,
        "score_maximum": 1.0,
        "activity_progress": "Completed",
        "grading_progress": "FullyGraded",
        "timestamp": "2026-03-01T14:30:05.123+00:00",
    }
    arguments.update(changes)
    return ags_score(**arguments)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"activity_progress": "Done"}, "activityProgress 'Done' is not one of "),
        ({"grading_progress": "Graded"}, "gradingProgress 'Graded' is not one of "),
        ({"score_given": -1}, "scoreGiven must be 0 or more"),
        ({"score_maximum": 0}, "scoreMaximum must be greater than 0"),
        ({"score_maximum": None}, "scoreMaximum is required when scoreGiven is present"),
        ({"score_given": float("nan")}, "scoreGiven must be a finite number"),
        ({"score_given": True}, "scoreGiven must be a finite number"),
        ({"timestamp": datetime(2026, 1, 1)}, "timestamp must be timezone-aware"),
        ({"timestamp": "2026-01-01T00:00:00"}, "timestamp must carry a time zone offset"),
        ({"user_id": ""}, "userId is required"),
    ],
)
def test_ags_score_refusals(changes, message):
    with pytest.raises(InvalidLtiValue) as caught:
        _score(**changes)
    assert str(caught.value).startswith(message)


def test_ags_score_may_exceed_maximum():
    assert _score(score_given=110, score_maximum=100)["scoreGiven"] == 110


def test_client_credentials_assertion_claims():
    assert client_credentials_assertion_claims(
        client_id=CLIENT_ID, token_url=f"{ISSUER}/mod/lti/token.php", now=NOW, jti="j-1"
    ) == {
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "aud": f"{ISSUER}/mod/lti/token.php",
        "iat": NOW,
        "exp": NOW + 300,
        "jti": "j-1",
    }


def test_client_credentials_lifetime_bounds():
    with pytest.raises(InvalidLtiValue):
        client_credentials_assertion_claims(
            client_id=CLIENT_ID, token_url="https://x", now=NOW, jti="j", lifetime=0
        )


def test_module_imports_only_the_standard_library():
    import ast
    import pathlib
    import sys

    tree = ast.parse(pathlib.Path(claims.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported - set(sys.stdlib_module_names) == set()


def test_payload_is_not_mutated():
    payload = moodle_payload()
    before = copy.deepcopy(payload)
    parse(payload)
    assert payload == before
