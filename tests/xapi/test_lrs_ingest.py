"""The statements POST hot path: round trips per batch, stored JSON, definitions across batches."""

from __future__ import annotations

import json
from functools import reduce
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from tests.xapi.factories import lrs_headers
from tests.xapi.factories import make_lrs_client
from tests.xapi.factories import new_id
from tests.xapi.factories import statement

pytestmark = pytest.mark.integration

IRI = "https://moodle.example/mod/quiz/view.php?id=7"
VIEWED = "http://adlnet.gov/expapi/verbs/viewed"


def moodle(n: int, *, verb: str = VIEWED) -> dict:
    body = statement(
        actor={"account": {"homePage": "https://moodle.example", "name": str(n)}},
        verb=verb,
        activity=f"https://moodle.example/mod/page/view.php?id={n}",
        timestamp="2026-11-01T10:00:00+02:00",
    )
    body["context"] = {
        "platform": "Moodle",
        "contextActivities": {
            "grouping": [{"id": "https://moodle.example", "definition": {"name": {"en": "Moodle"}}}]
        },
    }
    return body


@pytest.mark.parametrize("verb", [VIEWED, "http://adlnet.gov/expapi/verbs/completed"])
def test_a_batch_costs_the_same_statements_for_1_and_3(client, count_queries, verb):
    created = make_lrs_client()
    headers = lrs_headers(created)
    client.post("/xapi/statements", json=[moodle(n, verb=verb) for n in range(3)], headers=headers)
    counts = []
    for size in (1, 3):
        with count_queries() as queries:
            response = client.post(
                "/xapi/statements",
                json=[moodle(n, verb=verb) for n in range(size)],
                headers=headers,
            )
        assert response.status_code == 200
        counts.append(len(queries))
    from pathways.db import db

    sqlite = db.engine.dialect.name == "sqlite"
    # Client check, (SQLite: write lock), statements, agent rows, activity rows, activity
    # definitions, then for evidence verbs one probe of the modules listing the activities.
    expected = 5 + sqlite + (verb != VIEWED)
    assert counts == [expected, expected]


def test_stored_json_keeps_what_the_fast_encoder_refuses(client):
    """Integers past 64 bits and deep nesting are stored exactly (stdlib fallback)."""
    created = make_lrs_client()
    deep: object = "bottom"
    for _ in range(300):
        deep = [deep]
    body = statement(statement_id=new_id())
    body["result"] = {
        "extensions": {
            "https://example.com/big": 123456789012345678901234567890,
            "https://example.com/deep": deep,
            "https://example.com/small": 1e-05,
            "https://example.com/text": 'é \u2028 "quoted" \\',
        }
    }
    headers = lrs_headers(created)
    assert client.post("/xapi/statements", json=body, headers=headers).status_code == 200
    response = client.get(f"/xapi/statements?statementId={body['id']}", headers=headers)
    assert response.json["result"] == body["result"]
    text = response.get_data(as_text=True)
    assert "123456789012345678901234567890" in text
    # A replay compares equal to what was stored.
    assert client.post("/xapi/statements", json=body, headers=headers).status_code == 200


def test_timestamp_and_stored_columns(client):
    from pathways.db import db
    from pathways.xapi.models import Statement
    from pathways.xapi.statements import parse_timestamp

    created = make_lrs_client()
    with_time = moodle(1)
    without_time = moodle(2)
    del without_time["timestamp"]
    ids = client.post(
        "/xapi/statements", json=[with_time, without_time], headers=lrs_headers(created)
    ).json
    rows = {
        row.statement_id: row
        for row in db.session.scalars(sa.select(Statement).where(Statement.statement_id.in_(ids)))
    }
    first, second = (json.loads(rows[i].full_json) for i in ids)
    assert rows[ids[0]].timestamp == parse_timestamp("2026-11-01T08:00:00Z")
    assert first["timestamp"] == "2026-11-01T10:00:00+02:00"
    assert second["timestamp"] == second["stored"] == first["stored"]
    assert rows[ids[1]].timestamp == rows[ids[1]].stored == parse_timestamp(first["stored"])
    assert rows[ids[0]].stored == rows[ids[1]].stored


DEFINITION_SEQUENCES = {
    "unchanged": [{"name": {"en": "Quiz"}, "type": "https://example.com/t"}] * 2,
    "keys in another order": [
        {"name": {"en": "Quiz", "fr": "Questionnaire"}, "type": "https://example.com/t"},
        {"type": "https://example.com/t", "name": {"fr": "Questionnaire", "en": "Quiz"}},
    ],
    "a language added": [{"name": {"en": "Quiz"}}, {"name": {"fr": "Questionnaire"}}],
    "a language changed": [{"name": {"en": "Quiz"}}, {"name": {"en": "Test"}}],
    "type replaced": [{"type": "https://example.com/a"}, {"type": "https://example.com/b"}],
    "description added": [{"name": {"en": "Quiz"}}, {"description": {"en": "Ten questions"}}],
    "extensions merged, null kept": [
        {"extensions": {"https://example.com/a": 1, "https://example.com/n": None}},
        {"extensions": {"https://example.com/b": {"x": [1, 2]}}},
        {"extensions": {"https://example.com/a": 1}},
    ],
    "number spelled otherwise": [
        {"extensions": {"https://example.com/a": 1}},
        {"extensions": {"https://example.com/a": 1.0}},
    ],
    "choices replaced": [
        {"interactionType": "choice", "choices": [{"id": "a"}, {"id": "b"}]},
        {"interactionType": "choice", "choices": [{"id": "b"}, {"id": "a"}]},
    ],
    "nul character": [{"name": {"en": "Qu\u0000iz"}}, {"name": {"en": "Qu\u0000iz"}}],
    "nul character then changed": [{"name": {"en": "Qu\u0000iz"}}, {"name": {"fr": "Q"}}],
}


def _merge(old: dict, new: dict) -> dict:
    merged = dict(old)
    for key, value in new.items():
        if key in ("name", "description", "extensions") and isinstance(value, dict):
            merged[key] = {**merged.get(key, {}), **value}
        else:
            merged[key] = value
    return merged


@pytest.mark.parametrize("name", list(DEFINITION_SEQUENCES))
def test_definitions_merge_across_batches(client, name):
    from pathways.db import db
    from pathways.xapi.models import Activity

    sequence = DEFINITION_SEQUENCES[name]
    created = make_lrs_client()
    headers = lrs_headers(created)
    updated = []
    for definition in sequence:
        body = statement(activity=IRI)
        body["object"]["definition"] = definition
        assert client.post("/xapi/statements", json=body, headers=headers).status_code == 200
        updated.append(
            db.session.scalar(sa.select(Activity.updated_at).where(Activity.activity_id == IRI))
        )
    response = client.get(f"/xapi/activities?{urlencode({'activityId': IRI})}", headers=headers)
    assert response.json["definition"] == reduce(_merge, sequence, {})
    # A batch that would change nothing leaves the row alone.
    unchanged = [
        reduce(_merge, sequence[: i + 1], {}) == reduce(_merge, sequence[:i], {})
        for i in range(1, len(sequence))
    ]
    assert [a == b for a, b in zip(updated, updated[1:], strict=False)] == unchanged


def test_a_revoked_client_is_refused_from_its_next_batch(client):
    from pathways.accounts import services
    from pathways.db import transaction

    created = make_lrs_client()
    headers = lrs_headers(created)
    assert client.post("/xapi/statements", json=[moodle(1)], headers=headers).status_code == 200
    with transaction():
        services.revoke_api_client(created.client.id, actor=None)
    response = client.post("/xapi/statements", json=[moodle(2)], headers=headers)
    assert (response.status_code, response.json["code"]) == (401, "bad_credentials")
