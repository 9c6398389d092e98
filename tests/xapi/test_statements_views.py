"""normalise, the canonical and ids formats, query-filter keys and statement comparison."""

from __future__ import annotations

import copy
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from pathways.xapi.statements import StatementError
from pathways.xapi.statements import agent_ifi
from pathways.xapi.statements import canonical
from pathways.xapi.statements import ids_format
from pathways.xapi.statements import normalise
from pathways.xapi.statements import related_activities
from pathways.xapi.statements import related_agents
from pathways.xapi.statements import same_statement
from pathways.xapi.statements import statement_activities
from pathways.xapi.statements import statement_agents
from pathways.xapi.statements import validate_statement

pytestmark = pytest.mark.unit

STORED = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
AUTHORITY = {
    "objectType": "Agent",
    "account": {"homePage": "https://lrs.example", "name": "moodle"},
}
ACTIVITY = {
    "id": "http://example.com/act/1",
    "definition": {
        "name": {"en-US": "Weld", "fr-CA": "Souder", "en-GB": "Weld (GB)"},
        "description": {"fr": "Description", "de": "Beschreibung"},
        "interactionType": "choice",
        "choices": [{"id": "a", "description": {"en": "A", "fr": "Ah"}}],
        "extensions": {"http://example.com/ext": {"en": "not a language map"}},
    },
}
STATEMENT = {
    "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
    "actor": {"objectType": "Agent", "name": "Ada", "mbox": "mailto:ada@Example.COM"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
    "object": copy.deepcopy(ACTIVITY),
    "context": {
        "instructor": {"name": "Prof", "openid": "http://openid.example.org/prof"},
        "team": {
            "objectType": "Group",
            "name": "Crew",
            "member": [
                {"mbox": "mailto:b@example.com"},
                {"mbox_sha1sum": "CD9B00A5611F94EAA7B1661EDAB976068E364975"},
            ],
        },
        "contextActivities": {
            "parent": {"id": "http://example.com/course", "definition": {"name": {"en": "C"}}},
            "grouping": [{"id": "http://example.com/program"}],
        },
        "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
    },
    "attachments": [
        {
            "usageType": "http://example.com/usage",
            "display": {"de": "Anhang", "en-US": "Attachment"},
            "contentType": "text/plain",
            "length": 1,
            "sha2": "a" * 64,
        }
    ],
}
SUBSTATEMENT = {
    "actor": {"account": {"homePage": "https://moodle.example.edu", "name": "42"}},
    "verb": {
        "id": "http://adlnet.gov/expapi/verbs/planned",
        "display": {"en-US": "planned", "fr": "prévu"},
    },
    "object": {
        "objectType": "SubStatement",
        "actor": {"openid": "http://openid.example.org/sub"},
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/attended",
            "display": {"fr": "assisté", "en": "attended"},
        },
        "object": {
            "id": "http://example.com/sub/activity",
            "definition": {"name": {"fr": "Réunion", "en": "Meeting"}},
        },
        "context": {
            "instructor": {"mbox": "mailto:teacher@example.com"},
            "team": {"objectType": "Group", "mbox": "mailto:team@example.com"},
            "contextActivities": {"category": {"id": "http://example.com/sub/category"}},
        },
    },
    "authority": {
        "objectType": "Group",
        "member": [
            {"account": {"homePage": "http://example.com/oauth", "name": "consumer"}},
            {"mbox": "mailto:user@example.com"},
        ],
    },
}


def test_fixtures_are_valid():
    assert (validate_statement(STATEMENT), validate_statement(SUBSTATEMENT)) == (None, None)


# ---------------------------------------------------------------- normalise


def test_normalise_fills_what_the_lrs_sets():
    given = {k: v for k, v in STATEMENT.items() if k != "id"}
    before = copy.deepcopy(given)
    result = normalise(given, stored=STORED, authority=AUTHORITY)
    assert given == before
    assert result == {
        **given,
        "id": result["id"],
        "object": {**given["object"], "objectType": "Activity"},
        "context": {
            **given["context"],
            "contextActivities": {
                "parent": [given["context"]["contextActivities"]["parent"]],
                "grouping": given["context"]["contextActivities"]["grouping"],
            },
        },
        "stored": "2024-05-01T12:00:00.123Z",
        "timestamp": "2024-05-01T12:00:00.123Z",
        "authority": AUTHORITY,
        "version": "1.0.0",
    }
    assert validate_statement(result) is None
    assert len(result["id"]) == 36 and result["id"][14] == "4"


def test_normalise_keeps_given_id_timestamp_version_and_overwrites_authority():
    given = {**STATEMENT, "timestamp": "2024-04-30T08:00:00+02:00", "version": "1.0.3"}
    given["authority"] = {"mbox": "mailto:claimed@example.com"}
    given["stored"] = "2000-01-01T00:00:00Z"
    result = normalise(given, stored=STORED, authority=AUTHORITY, version="1.0.9")
    assert (
        result["id"],
        result["timestamp"],
        result["version"],
        result["authority"],
        result["stored"],
    ) == (
        STATEMENT["id"],
        "2024-04-30T08:00:00+02:00",
        "1.0.3",
        AUTHORITY,
        "2024-05-01T12:00:00.123Z",
    )


def test_normalise_converts_stored_to_utc_and_uses_version_default():
    eastern = datetime(2024, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=-4)))
    result = normalise(
        {k: v for k, v in STATEMENT.items()}, stored=eastern, authority=AUTHORITY, version="1.0.3"
    )
    assert (result["stored"], result["version"]) == ("2024-05-01T12:00:00.000Z", "1.0.3")


def test_normalise_reaches_into_a_substatement():
    result = normalise(SUBSTATEMENT, stored=STORED, authority=AUTHORITY)
    sub = result["object"]
    assert (sub["object"]["objectType"], sub["context"]["contextActivities"]) == (
        "Activity",
        {"category": [{"id": "http://example.com/sub/category"}]},
    )
    assert "objectType" not in SUBSTATEMENT["object"]["object"]


def test_normalise_gives_each_statement_a_new_id():
    ids = {normalise(SUBSTATEMENT, stored=STORED, authority=AUTHORITY)["id"] for _ in range(5)}
    assert len(ids) == 5


# ---------------------------------------------------------------- canonical


def test_canonical_picks_best_language_and_leaves_extensions():
    result = canonical(STATEMENT, ["fr-CA", "en"])
    definition = result["object"]["definition"]
    assert (
        result["verb"]["display"],
        definition["name"],
        definition["description"],
        definition["choices"][0]["description"],
        definition["extensions"],
        result["context"]["contextActivities"]["parent"]["definition"]["name"],
        result["attachments"][0]["display"],
    ) == (
        {"en-US": "completed"},
        {"fr-CA": "Souder"},
        {"fr": "Description"},
        {"fr": "Ah"},
        {"http://example.com/ext": {"en": "not a language map"}},
        {"en": "C"},
        {"en-US": "Attachment"},
    )
    assert STATEMENT["verb"]["display"] == {"en-US": "completed"}
    assert len(STATEMENT["object"]["definition"]["name"]) == 3


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        (["en-GB"], {"en-GB": "Weld (GB)"}),
        (["EN-gb"], {"en-GB": "Weld (GB)"}),
        (["en"], {"en-US": "Weld"}),
        (["fr"], {"fr-CA": "Souder"}),
        (["de", "fr-CA"], {"fr-CA": "Souder"}),
        (["ja"], {"en-US": "Weld"}),
        ([], {"en-US": "Weld"}),
        (["*"], {"en-US": "Weld"}),
        (["fr-CA-x-foo"], {"fr-CA": "Souder"}),
    ],
)
def test_canonical_language_choice(languages, expected):
    assert canonical(STATEMENT, languages)["object"]["definition"]["name"] == expected


def test_canonical_reaches_into_a_substatement():
    result = canonical(SUBSTATEMENT, ["fr"])
    assert (
        result["verb"]["display"],
        result["object"]["verb"]["display"],
        result["object"]["object"]["definition"]["name"],
    ) == ({"fr": "prévu"}, {"fr": "assisté"}, {"fr": "Réunion"})


# ---------------------------------------------------------------- ids


def test_ids_format():
    result = ids_format(STATEMENT)
    assert result == {
        "id": STATEMENT["id"],
        "actor": {"objectType": "Agent", "mbox": "mailto:ada@Example.COM"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "http://example.com/act/1"},
        "context": {
            "instructor": {"openid": "http://openid.example.org/prof"},
            "team": {
                "objectType": "Group",
                "member": [
                    {"mbox": "mailto:b@example.com"},
                    {"mbox_sha1sum": "CD9B00A5611F94EAA7B1661EDAB976068E364975"},
                ],
            },
            "contextActivities": {
                "parent": [{"id": "http://example.com/course"}],
                "grouping": [{"id": "http://example.com/program"}],
            },
            "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
        },
        "attachments": STATEMENT["attachments"],
    }


def test_ids_format_substatement_and_groups():
    result = ids_format(SUBSTATEMENT)
    assert (
        result["authority"],
        result["object"]["actor"],
        result["object"]["context"]["team"],
    ) == (
        {
            "objectType": "Group",
            "member": [
                {"account": {"homePage": "http://example.com/oauth", "name": "consumer"}},
                {"mbox": "mailto:user@example.com"},
            ],
        },
        {"openid": "http://openid.example.org/sub"},
        {"objectType": "Group", "mbox": "mailto:team@example.com"},
    )
    group_object = ids_format(
        {
            **STATEMENT,
            "object": {
                "objectType": "Group",
                "name": "G",
                "mbox": "mailto:g@x.org",
                "member": [{"mbox": "mailto:a@x.org"}],
            },
        }
    )
    assert group_object["object"] == {"objectType": "Group", "mbox": "mailto:g@x.org"}


# ---------------------------------------------------------------- filter keys


@pytest.mark.parametrize(
    ("agent", "key"),
    [
        ({"mbox": "mailto:Ada@Example.COM"}, "mbox:mailto:Ada@example.com"),
        (
            {"mbox_sha1sum": "CD9B00A5611F94EAA7B1661EDAB976068E364975"},
            "mbox_sha1sum:cd9b00a5611f94eaa7b1661edab976068e364975",
        ),
        ({"openid": "http://openid.example.org/1"}, "openid:http://openid.example.org/1"),
        (
            {"account": {"homePage": "https://lms.example", "name": "123"}},
            "account:https://lms.example|123",
        ),
        ({"objectType": "Group", "mbox": "mailto:g@x.org", "member": []}, "mbox:mailto:g@x.org"),
    ],
)
def test_agent_ifi(agent, key):
    assert agent_ifi(agent) == key


def test_agent_ifi_of_anonymous_group_is_an_error():
    with pytest.raises(StatementError) as caught:
        agent_ifi({"objectType": "Group", "member": [{"mbox": "mailto:a@x.org"}]})
    assert str(caught.value) == "agent: has no inverse functional identifier"


def test_statement_agents_and_related_agents():
    assert statement_agents(STATEMENT) == {"mbox:mailto:ada@example.com"}
    assert related_agents(STATEMENT) == {
        "mbox:mailto:ada@example.com",
        "openid:http://openid.example.org/prof",
        "mbox:mailto:b@example.com",
        "mbox_sha1sum:cd9b00a5611f94eaa7b1661edab976068e364975",
    }


def test_agents_in_substatement_count_only_when_related():
    assert statement_agents(SUBSTATEMENT) == {"account:https://moodle.example.edu|42"}
    assert related_agents(SUBSTATEMENT) == {
        "account:https://moodle.example.edu|42",
        "account:http://example.com/oauth|consumer",
        "mbox:mailto:user@example.com",
        "openid:http://openid.example.org/sub",
        "mbox:mailto:teacher@example.com",
        "mbox:mailto:team@example.com",
    }


def test_related_agents_without_the_authority():
    assert related_agents(SUBSTATEMENT, authority=False) == {
        "account:https://moodle.example.edu|42",
        "openid:http://openid.example.org/sub",
        "mbox:mailto:teacher@example.com",
        "mbox:mailto:team@example.com",
    }


def test_agent_object_counts_for_the_agent_filter():
    statement = {**STATEMENT, "object": {"objectType": "Agent", "openid": "http://o.example/1"}}
    assert statement_agents(statement) == {
        "mbox:mailto:ada@example.com",
        "openid:http://o.example/1",
    }
    group = {
        "objectType": "Group",
        "mbox": "mailto:g@x.org",
        "member": [{"mbox": "mailto:m@x.org"}],
    }
    assert statement_agents({**STATEMENT, "actor": group}) == {"mbox:mailto:g@x.org"}


def test_statement_activities_and_related_activities():
    assert statement_activities(STATEMENT) == {"http://example.com/act/1"}
    assert related_activities(STATEMENT) == {
        "http://example.com/act/1",
        "http://example.com/course",
        "http://example.com/program",
    }
    assert statement_activities(SUBSTATEMENT) == set()
    assert related_activities(SUBSTATEMENT) == {
        "http://example.com/sub/activity",
        "http://example.com/sub/category",
    }
    ref = {**STATEMENT, "object": {"objectType": "StatementRef", "id": STATEMENT["id"]}}
    assert (statement_activities(ref), related_activities(ref)) == (
        set(),
        {"http://example.com/course", "http://example.com/program"},
    )


# ---------------------------------------------------------------- same_statement


def test_same_statement_ignores_lrs_assigned_and_unordered_parts():
    stored = normalise(STATEMENT, stored=STORED, authority=AUTHORITY)
    resent = copy.deepcopy(STATEMENT)
    resent["id"] = resent["id"].upper()
    resent["actor"]["mbox"] = "mailto:ada@example.com"
    resent["verb"]["display"] = {"fr": "terminé"}
    resent["object"]["definition"] = {"name": {"en": "Changed"}}
    resent["context"]["team"]["member"].reverse()
    resent["context"]["team"]["member"][0]["mbox_sha1sum"] = (
        "cd9b00a5611f94eaa7b1661edab976068e364975"
    )
    resent["context"]["registration"] = resent["context"]["registration"].upper()
    del resent["attachments"]
    resent["version"] = "1.0.3"
    assert same_statement(stored, resent) is True
    assert same_statement(resent, stored) is True


def test_same_statement_compares_timestamps_as_instants():
    a = {**STATEMENT, "timestamp": "2024-05-01T12:00:00.000Z"}
    b = {**STATEMENT, "timestamp": "2024-05-01T08:00:00-04:00"}
    c = {**STATEMENT, "timestamp": "2024-05-01T12:00:01Z"}
    assert (same_statement(a, b), same_statement(a, c), same_statement(a, STATEMENT)) == (
        True,
        False,
        True,
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.update(id="0d41c918-b88b-4b20-a0a5-a4c32391aaa0"),
        lambda s: s["actor"].update(mbox="mailto:other@example.com"),
        lambda s: s["actor"].update(name="Ada L."),
        lambda s: s["verb"].update(id="http://adlnet.gov/expapi/verbs/passed"),
        lambda s: s["object"].update(id="http://example.com/act/2"),
        lambda s: s.update(result={"duration": "PT1H"}),
        lambda s: s["context"].update(registration="00000000-0000-4000-8000-000000000000"),
        lambda s: s["context"]["contextActivities"]["grouping"].append(
            {"id": "http://example.com/x"}
        ),
        lambda s: s["context"]["team"]["member"].pop(),
    ],
)
def test_same_statement_detects_real_differences(change):
    other = copy.deepcopy(STATEMENT)
    change(other)
    assert same_statement(STATEMENT, other) is False


def test_same_statement_duration_is_compared_as_a_string():
    a = {**STATEMENT, "result": {"duration": "PT1H"}}
    b = {**STATEMENT, "result": {"duration": "PT60M"}}
    assert (same_statement(a, b), same_statement(a, copy.deepcopy(a))) == (False, True)


def test_same_statement_object_type_defaults():
    explicit = copy.deepcopy(STATEMENT)
    explicit["object"]["objectType"] = "Activity"
    del explicit["actor"]["objectType"]
    assert same_statement(STATEMENT, explicit) is True


def test_same_statement_substatement():
    resent = copy.deepcopy(SUBSTATEMENT)
    resent["object"]["verb"]["display"] = {}
    resent["object"]["object"]["definition"] = {}
    resent["object"]["context"]["contextActivities"]["category"] = [
        {"id": "http://example.com/sub/category"}
    ]
    changed = copy.deepcopy(SUBSTATEMENT)
    changed["object"]["actor"] = {"openid": "http://openid.example.org/other"}
    assert (same_statement(SUBSTATEMENT, resent), same_statement(SUBSTATEMENT, changed)) == (
        True,
        False,
    )
