"""Regressions found by running the public LRS conformance suite against /xapi.

Each test states, in our own terms, one behaviour the suite checks that the LRS got
wrong at first; the spec section is named in the test's docstring.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests.xapi.factories import lrs_headers
from tests.xapi.factories import make_lrs_client
from tests.xapi.factories import new_id
from tests.xapi.factories import statement

pytestmark = pytest.mark.integration

FORM = "application/x-www-form-urlencoded"


def test_alternate_get_takes_version_and_credentials_from_real_headers(client):
    """Communication 1.3: the form may leave out headers the client sent as headers."""
    created = make_lrs_client()
    client.post("/xapi/statements", json=statement(), headers=lrs_headers(created))
    response = client.post(
        "/xapi/statements?method=GET",
        data=urlencode({"limit": "1"}),
        content_type=FORM,
        headers=lrs_headers(created),
    )
    assert (response.status_code, len(response.json["statements"])) == (200, 1)


def test_alternate_put_content_defaults_to_json(client):
    """Communication 1.3: `content` without a Content-Type field is the JSON document."""
    created = make_lrs_client()
    sid = new_id()
    response = client.post(
        "/xapi/statements?method=PUT",
        data=urlencode({"statementId": sid, "content": json.dumps(statement())}),
        content_type=FORM,
        headers=lrs_headers(created),
    )
    assert response.status_code == 204, response.get_data(as_text=True)
    stored = client.get(f"/xapi/statements?statementId={sid}", headers=lrs_headers(created))
    assert (stored.status_code, stored.json["id"]) == (200, sid)


def test_alternate_form_version_wins_over_the_real_header(client):
    """Communication 1.3: a header given in the form is the one the LRS honours."""
    created = make_lrs_client()
    body = urlencode(
        {
            "statementId": new_id(),
            "X-Experience-API-Version": "0.8",
            "content": json.dumps(statement()),
        }
    )
    response = client.post(
        "/xapi/statements?method=PUT",
        data=body,
        content_type=FORM,
        headers=lrs_headers(created),
    )
    assert (response.status_code, list(response.json["errors"])) == (
        400,
        ["X-Experience-API-Version"],
    )


def test_unknown_statement_404_still_says_how_current_the_lrs_is(client):
    """Communication 2.1.3: every Statement Resource answer has Consistent-Through."""
    created = make_lrs_client()
    response = client.get(f"/xapi/statements?statementId={new_id()}", headers=lrs_headers(created))
    assert response.status_code == 404
    assert response.headers["X-Experience-API-Consistent-Through"].endswith("Z")


def test_rejected_batch_answer_says_how_current_the_lrs_is(client):
    created = make_lrs_client()
    bad = statement(verb="should fail")
    response = client.post(
        "/xapi/statements", json=[statement(), bad], headers=lrs_headers(created)
    )
    assert response.status_code == 400
    assert response.headers["X-Experience-API-Consistent-Through"].endswith("Z")


def _profile_url(profile_id: str) -> str:
    agent = json.dumps({"mbox": "mailto:profiled@example.com"})
    return "/xapi/agents/profile?" + urlencode({"agent": agent, "profileId": profile_id})


def test_new_profile_document_put_without_precondition_is_400(client):
    """Communication 3.1: a client MUST send If-Match or If-None-Match to a profile."""
    created = make_lrs_client()
    url = _profile_url(new_id())
    bare = client.put(url, json={"a": 1}, headers=lrs_headers(created))
    guarded = client.put(url, json={"a": 1}, headers=lrs_headers(created, **{"If-None-Match": "*"}))
    assert (bare.status_code, bare.json["code"], guarded.status_code) == (
        400,
        "precondition_required",
        204,
    )


def test_existing_profile_document_put_without_precondition_stays_409(client):
    created = make_lrs_client()
    url = _profile_url(new_id())
    client.put(url, json={"a": 1}, headers=lrs_headers(created, **{"If-None-Match": "*"}))
    response = client.put(url, json={"a": 2}, headers=lrs_headers(created))
    assert response.status_code == 409


def test_state_put_needs_no_precondition(client):
    created = make_lrs_client()
    query = urlencode(
        {
            "activityId": "http://example.com/act",
            "agent": json.dumps({"mbox": "mailto:stateful@example.com"}),
            "stateId": new_id(),
        }
    )
    response = client.put(
        f"/xapi/activities/state?{query}", json={"a": 1}, headers=lrs_headers(created)
    )
    assert response.status_code == 204


def test_posting_unparseable_json_to_a_new_document_is_400(client):
    """Communication 2.2: a POSTed application/json document must be a JSON object."""
    created = make_lrs_client()
    query = urlencode({"activityId": "http://example.com/act", "profileId": new_id()})
    url = f"/xapi/activities/profile?{query}"
    broken = client.post(
        url,
        data='{"a": 1}[',
        content_type="application/json",
        headers=lrs_headers(created),
    )
    stored = client.get(url, headers=lrs_headers(created))
    assert (broken.status_code, stored.status_code) == (400, 404)


VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def _voiding(target: str) -> dict:
    body = statement(verb=VOIDED)
    body["object"] = {"objectType": "StatementRef", "id": target}
    return body


def test_a_voiding_statement_whose_target_is_absent_can_itself_be_voided(client):
    """Data 2.3.2: a "voided" statement that voided nothing is an ordinary statement."""
    created = make_lrs_client()
    headers = lrs_headers(created)
    orphan = client.post("/xapi/statements", json=_voiding(new_id()), headers=headers).json[0]
    voiding = client.post("/xapi/statements", json=_voiding(orphan), headers=headers)
    by_id = client.get(f"/xapi/statements?statementId={orphan}", headers=headers)
    by_voided_id = client.get(f"/xapi/statements?voidedStatementId={orphan}", headers=headers)
    assert (voiding.status_code, by_id.status_code, by_voided_id.json["id"]) == (200, 404, orphan)


def test_an_effective_voiding_statement_still_cannot_be_voided(client):
    created = make_lrs_client()
    headers = lrs_headers(created)
    target = client.post("/xapi/statements", json=statement(), headers=headers).json[0]
    voiding = client.post("/xapi/statements", json=_voiding(target), headers=headers).json[0]
    again = client.post("/xapi/statements", json=_voiding(voiding), headers=headers)
    kept = client.get(f"/xapi/statements?statementId={voiding}", headers=headers)
    assert (again.status_code, kept.status_code) == (400, 200)
