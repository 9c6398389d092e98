"""Formats, the version header, agent parameters and statement batches."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from pathways.xapi.statements import StatementError
from pathways.xapi.statements import check_version_header
from pathways.xapi.statements import is_iso8601_duration
from pathways.xapi.statements import is_language_tag
from pathways.xapi.statements import parse_timestamp
from pathways.xapi.statements import validate_agent
from pathways.xapi.statements import validate_statements

pytestmark = pytest.mark.unit

STATEMENT = {
    "actor": {"mbox": "mailto:xapi@adlnet.gov"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
    "object": {"id": "http://www.example.com/meetings/occurances/34534"},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2013-05-18T05:32:34.804Z", datetime(2013, 5, 18, 5, 32, 34, 804000, tzinfo=UTC)),
        ("2013-05-18T05:32:34.804+00:00", datetime(2013, 5, 18, 5, 32, 34, 804000, tzinfo=UTC)),
        (
            "2013-05-18T05:32:34+05:30",
            datetime(2013, 5, 18, 5, 32, 34, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        ),
        ("2013-05-18T05:32:34-0500", datetime(2013, 5, 18, 10, 32, 34, tzinfo=UTC)),
        ("2013-05-18T05:32:34+01", datetime(2013, 5, 18, 4, 32, 34, tzinfo=UTC)),
        ("2013-05-18T05:32:34", datetime(2013, 5, 18, 5, 32, 34, tzinfo=UTC)),
        ("2013-05-18T05:32Z", datetime(2013, 5, 18, 5, 32, tzinfo=UTC)),
        ("20130518T053234.5Z", datetime(2013, 5, 18, 5, 32, 34, 500000, tzinfo=UTC)),
        ("2013-05-18T05:32:34.123456789Z", datetime(2013, 5, 18, 5, 32, 34, 123456, tzinfo=UTC)),
        ("2013-05-18T05:32:34,25Z", datetime(2013, 5, 18, 5, 32, 34, 250000, tzinfo=UTC)),
    ],
)
def test_parse_timestamp(text, expected):
    parsed = parse_timestamp(text)
    assert (parsed, parsed.utcoffset() is not None) == (expected, True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "2008-09-15T15:53:00.601-00",
            "'2008-09-15T15:53:00.601-00' uses the negative zero offset",
        ),
        ("2008-09-15T15:53:00-0000", "'2008-09-15T15:53:00-0000' uses the negative zero offset"),
        ("2008-09-15T15:53:00-00:00", "'2008-09-15T15:53:00-00:00' uses the negative zero offset"),
        ("01/011/2015", "'01/011/2015' is not an ISO 8601 timestamp"),
        ("2015-02-30T00:00:00Z", "'2015-02-30T00:00:00Z' is not a valid date and time"),
        ("2015-01-01T00:00:00+25:00", "'2015-01-01T00:00:00+25:00' has an offset out of range"),
        (20150101, "must be an ISO 8601 timestamp string"),
    ],
)
def test_parse_timestamp_refuses(text, message):
    with pytest.raises(ValueError) as caught:
        parse_timestamp(text)
    assert str(caught.value) == message


def test_positive_zero_offsets_are_accepted():
    moments = {parse_timestamp(f"2008-09-15T15:53:00{tz}") for tz in ("+00", "+0000", "+00:00")}
    assert moments == {datetime(2008, 9, 15, 15, 53, tzinfo=UTC)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT1H0M0.1S", True),
        ("P4W", True),
        ("P1.5W", True),
        ("P3Y1M29DT4H35M59.14S", True),
        ("PT0,5S", True),
        ("P", False),
        ("PT", False),
        ("P1DT", False),
        ("P1W1D", False),
        ("PA1H0M0S", False),
        ("P1S", False),
        ("PT1D", False),
        ("1H", False),
        (3600, False),
        (None, False),
    ],
)
def test_is_iso8601_duration(text, expected):
    assert is_iso8601_duration(text) is expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", True),
        ("EN-us", True),
        ("zh-yue-HK", True),
        ("en-GB-oed", True),
        ("i-klingon", True),
        ("x-private-01", True),
        ("de-Latn-DE-1996", True),
        ("sl-IT-nedis", True),
        ("en-US-u-islamcal", True),
        ("qaa-Qaaa-QM-x-southern", True),
        ("de-419-DE", False),
        ("a-DE", False),
        ("ar-a-aaa-b-bbb-a-ccc", False),
        ("de-DE-1901-1901", False),
        ("en-US-", False),
        ("en US", False),
        ("abcdefghi", False),
        ("", False),
        (None, False),
    ],
)
def test_is_language_tag(tag, expected):
    assert is_language_tag(tag) is expected


@pytest.mark.parametrize("value", ["1.0", "1.0.0", "1.0.3", " 1.0.3 ", "1.0.10"])
def test_version_header_accepted(value):
    assert check_version_header(value) == value.strip()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "header is required"),
        ("", "header is required"),
        ("0.95", "'0.95' is not a supported version (1.0.x)"),
        ("1.1.0", "'1.1.0' is not a supported version (1.0.x)"),
        ("2.0.0", "'2.0.0' is not a supported version (1.0.x)"),
        ("1.0.x", "'1.0.x' is not a supported version (1.0.x)"),
    ],
)
def test_version_header_refused(value, message):
    with pytest.raises(StatementError) as caught:
        check_version_header(value)
    assert (caught.value.path, caught.value.message) == ("X-Experience-API-Version", message)


@pytest.mark.parametrize(
    "agent",
    [
        {"mbox": "mailto:a@example.com"},
        {"objectType": "Agent", "account": {"homePage": "http://x.example", "name": "1"}},
        {"openid": "http://openid.example.org/1", "name": "A"},
    ],
)
def test_validate_agent_accepts(agent):
    assert validate_agent(agent) == agent


@pytest.mark.parametrize(
    ("agent", "allow_group", "path"),
    [
        ("mailto:a@example.com", False, "agent"),
        ({"name": "nobody"}, False, "agent"),
        ({"mbox": "a@example.com"}, False, "agent.mbox"),
        ({"objectType": "Group", "mbox": "mailto:g@example.com"}, False, "agent.objectType"),
        ({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}, True, "agent"),
        ({"mbox": "mailto:a@example.com", "extra": 1}, False, "agent.extra"),
    ],
)
def test_validate_agent_refuses(agent, allow_group, path):
    with pytest.raises(StatementError) as caught:
        validate_agent(agent, allow_group=allow_group)
    assert caught.value.path == path


def test_validate_agent_allows_identified_group_when_asked():
    group = {"objectType": "Group", "mbox": "mailto:g@example.com"}
    assert validate_agent(group, allow_group=True) == group


def test_validate_agent_uses_given_path():
    with pytest.raises(StatementError) as caught:
        validate_agent({"mbox": "x"}, "agent parameter")
    assert str(caught.value) == "agent parameter.mbox: must be a mailto: IRI with an e-mail address"


def test_single_statement_becomes_a_list():
    assert validate_statements(STATEMENT) == [STATEMENT]


def test_empty_array_is_an_empty_batch():
    assert validate_statements([]) == []


@pytest.mark.parametrize("body", ["x", 1, None, True])
def test_batch_must_be_object_or_array(body):
    with pytest.raises(StatementError) as caught:
        validate_statements(body)
    assert str(caught.value) == "statements: must be a Statement or an array of Statements"


def test_single_statement_paths_start_with_statement():
    with pytest.raises(StatementError) as caught:
        validate_statements({**STATEMENT, "verb": {"id": "attended"}})
    assert caught.value.path == "statement.verb.id"


def test_batch_item_not_an_object():
    with pytest.raises(StatementError) as caught:
        validate_statements([STATEMENT, "x"])
    assert str(caught.value) == "statements[1]: must be a Statement (a JSON object)"


def test_batch_with_repeated_id_is_refused_whatever_the_case():
    first = {**STATEMENT, "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"}
    second = {**STATEMENT, "id": "FD41C918-B88B-4B20-A0A5-A4C32391AAA0"}
    with pytest.raises(StatementError) as caught:
        validate_statements([first, STATEMENT, second])
    assert str(caught.value) == "statements[2].id: repeats the id of statements[0]"


def test_error_is_a_value_error_with_path_and_message():
    error = StatementError("statement.actor", "is required")
    assert (isinstance(error, ValueError), str(error), error.path, error.message) == (
        True,
        "statement.actor: is required",
        "statement.actor",
        "is required",
    )
