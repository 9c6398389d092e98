"""The Statement resource over HTTP: PUT, POST, GET, filters, formats, voiding, errors."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests.xapi.factories import lrs_headers
from tests.xapi.factories import make_lrs_client
from tests.xapi.factories import new_id
from tests.xapi.factories import statement

pytestmark = pytest.mark.integration

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VIEWED = "http://adlnet.gov/expapi/verbs/viewed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
ALICE = {"mbox": "mailto:alice@example.com", "name": "Alice"}
BOB = {"account": {"homePage": "https://moodle.example", "name": "42"}, "name": "Bob"}


@pytest.fixture
def lrs(client):
    created = make_lrs_client()

    class LRS:
        headers = lrs_headers(created)
        key_id = created.client.key_id

        def post(self, body, **kwargs):
            return client.post("/xapi/statements", json=body, headers=self.headers, **kwargs)

        def put(self, statement_id, body):
            return client.put(
                f"/xapi/statements?statementId={statement_id}", json=body, headers=self.headers
            )

        def get(self, **params):
            query = urlencode(
                {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
            )
            return client.get(f"/xapi/statements?{query}", headers=self.headers)

        def ids(self, **params):
            response = self.get(**params)
            assert response.status_code == 200, response.get_data(as_text=True)
            return [s["id"] for s in response.json["statements"]]

    return LRS()


def test_put_stores_and_get_returns_it_exactly(lrs):
    sid = new_id()
    assert lrs.put(sid, statement(actor=ALICE)).status_code == 204
    response = lrs.get(statementId=sid)
    assert response.status_code == 200
    body = response.json
    assert body["id"] == sid
    assert body["authority"] == {
        "objectType": "Agent",
        "name": "Moodle",
        "account": {"homePage": "http://localhost", "name": lrs.key_id},
    }
    assert body["version"] == "1.0.0"
    assert body["timestamp"] == body["stored"]
    assert response.headers["Last-Modified"].endswith("GMT")
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_put_same_statement_again_is_204_and_different_is_409(lrs):
    sid = new_id()
    original = statement(actor=ALICE)
    assert lrs.put(sid, original).status_code == 204
    assert lrs.put(sid, original).status_code == 204
    changed = statement(actor=ALICE, verb=VIEWED)
    response = lrs.put(sid, changed)
    assert response.status_code == 409
    assert lrs.get(statementId=sid).json["verb"]["id"] == COMPLETED


def test_put_needs_a_statement_id_matching_the_body(lrs, client):
    response = client.put("/xapi/statements", json=statement(), headers=lrs.headers)
    assert (response.status_code, response.json["errors"]) == (
        400,
        {"statementId": ["is required"]},
    )
    assert lrs.put("not-a-uuid", statement()).status_code == 400
    response = lrs.put(new_id(), statement(statement_id=new_id()))
    assert response.status_code == 400
    assert response.json["errors"] == {"statement.id": ["differs from the statementId parameter"]}


def test_post_batch_returns_ids_in_order_and_assigns_missing_ones(lrs):
    given = new_id()
    response = lrs.post([statement(), statement(statement_id=given), statement()])
    assert response.status_code == 200
    ids = response.json
    assert len(ids) == 3 and ids[1] == given
    assert lrs.ids(limit=10, ascending="true") == ids


def test_post_is_all_or_nothing_and_names_the_failing_path(lrs):
    bad = statement()
    bad["verb"]["id"] = "not an iri"
    response = lrs.post([statement(actor=ALICE), bad])
    assert response.status_code == 400
    assert list(response.json["errors"]) == ["statements[1].verb.id"]
    assert response.json["detail"].startswith("statements[1].verb.id: ")
    assert lrs.ids() == []


def test_post_with_an_existing_id_and_other_content_is_409_and_stores_nothing(lrs):
    sid = new_id()
    assert lrs.put(sid, statement()).status_code == 204
    response = lrs.post([statement(actor=ALICE), statement(statement_id=sid, verb=VIEWED)])
    assert response.status_code == 409
    assert lrs.ids() == [sid]


def test_post_replaying_the_same_statement_is_200_with_its_id(lrs):
    sid = new_id()
    assert lrs.post(statement(statement_id=sid)).json == [sid]
    assert lrs.post(statement(statement_id=sid)).json == [sid]
    assert lrs.ids() == [sid]


def test_agent_verb_activity_registration_filters(lrs):
    registration = new_id()
    a = lrs.post(statement(actor=ALICE)).json[0]
    b = lrs.post(statement(actor=BOB, verb=VIEWED)).json[0]
    c = lrs.post(
        statement(
            actor=ALICE,
            activity="https://moodle.example/mod/quiz/view.php?id=7",
            context={"registration": registration},
        )
    ).json[0]
    assert lrs.ids(agent=ALICE) == [c, a]
    assert lrs.ids(agent={"account": BOB["account"]}) == [b]
    assert lrs.ids(verb=VIEWED) == [b]
    assert lrs.ids(activity="https://moodle.example/mod/quiz/view.php?id=7") == [c]
    assert lrs.ids(registration=registration) == [c]
    assert lrs.ids(agent=ALICE, verb=COMPLETED, ascending="true") == [a, c]


def test_related_agents_and_related_activities(lrs):
    parent = "https://moodle.example/course/view.php?id=3"
    sid = lrs.post(
        statement(
            actor=ALICE,
            context={
                "instructor": BOB,
                "contextActivities": {"parent": [{"id": parent}]},
            },
        )
    ).json[0]
    assert lrs.ids(agent=BOB) == []
    assert lrs.ids(agent=BOB, related_agents="true") == [sid]
    assert lrs.ids(activity=parent) == []
    assert lrs.ids(activity=parent, related_activities="true") == [sid]


def test_since_until_limit_and_more(lrs, client):
    ids = [lrs.post(statement()).json[0] for _ in range(5)]
    first = lrs.get(limit=2)
    assert [s["id"] for s in first.json["statements"]] == ids[:2:-1][:2]
    seen = [s["id"] for s in first.json["statements"]]
    more = first.json["more"]
    while more:
        page = client.get(more, headers=lrs.headers)
        assert page.status_code == 200
        seen += [s["id"] for s in page.json["statements"]]
        more = page.json["more"]
    assert seen == ids[::-1]
    stored = [lrs.get(statementId=i).json["stored"] for i in ids]
    assert lrs.ids(since=stored[2], ascending="true") == [
        i for i, s in zip(ids, stored, strict=True) if s > stored[2]
    ]
    assert set(lrs.ids(until=stored[1])) <= set(ids[:2])


def test_formats_ids_and_canonical(lrs, client):
    sid = new_id()
    body = statement(actor=ALICE, statement_id=sid)
    body["object"]["definition"]["name"] = {"en": "Page", "fr": "Page FR"}
    lrs.put(sid, body)
    ids = lrs.get(statementId=sid, format="ids").json
    assert ids["actor"] == {"mbox": "mailto:alice@example.com"}
    assert ids["object"] == {"id": body["object"]["id"]}
    assert ids["verb"] == {"id": COMPLETED}
    response = client.get(
        f"/xapi/statements?statementId={sid}&format=canonical",
        headers={**lrs.headers, "Accept-Language": "fr"},
    )
    assert response.json["object"]["definition"]["name"] == {"fr": "Page FR"}
    assert lrs.get(statementId=sid, format="bogus").status_code == 400


def test_voiding_hides_the_statement_but_voidedStatementId_finds_it(lrs):
    target = lrs.post(statement(actor=ALICE)).json[0]
    voiding = lrs.post(
        statement(actor=ALICE, verb=VOIDED, object={"objectType": "StatementRef", "id": target})
        | {"object": {"objectType": "StatementRef", "id": target}}
    ).json[0]
    assert lrs.get(statementId=target).status_code == 404
    assert lrs.get(voidedStatementId=target).json["id"] == target
    assert lrs.get(voidedStatementId=voiding).status_code == 404
    # The voiding statement targets a statement matching the filter: it is returned.
    assert lrs.ids(verb=COMPLETED) == [voiding]
    assert lrs.ids() == [voiding]


def test_voiding_a_voiding_statement_is_refused(lrs):
    target = lrs.post(statement()).json[0]
    voiding = statement(verb=VOIDED)
    voiding["object"] = {"objectType": "StatementRef", "id": target}
    voiding_id = lrs.post(voiding).json[0]
    again = statement(verb=VOIDED)
    again["object"] = {"objectType": "StatementRef", "id": voiding_id}
    response = lrs.post(again)
    assert response.status_code == 400
    assert response.json["errors"] == {"statement.object": ["a voiding statement cannot be voided"]}


def test_statement_ref_to_a_matching_statement_is_returned_by_the_filter(lrs):
    target = lrs.post(statement(actor=ALICE)).json[0]
    ref = statement(actor=BOB, verb=VIEWED)
    ref["object"] = {"objectType": "StatementRef", "id": target}
    ref_id = lrs.post(ref).json[0]
    assert lrs.ids(agent=ALICE) == [ref_id, target]
    assert lrs.ids(verb=COMPLETED) == [ref_id, target]


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"bogus": "1"}, "bogus"),
        ({"statementId": "x"}, "statementId"),
        ({"limit": "-1"}, "limit"),
        ({"ascending": "yes"}, "ascending"),
        ({"since": "yesterday"}, "since"),
        ({"agent": "{not json"}, "agent"),
        ({"agent": json.dumps({"name": "no ifi"})}, "agent"),
        ({"verb": "not an iri"}, "verb"),
        ({"registration": "abc"}, "registration"),
    ],
)
def test_bad_query_parameters_are_400_naming_them(lrs, client, params, path):
    response = client.get(f"/xapi/statements?{urlencode(params)}", headers=lrs.headers)
    assert response.status_code == 400
    assert list(response.json["errors"])[0].split(".")[0] == path


def test_statement_id_with_other_filters_is_400(lrs):
    sid = lrs.post(statement()).json[0]
    response = lrs.get(statementId=sid, verb=COMPLETED)
    assert (response.status_code, list(response.json["errors"])) == (400, ["verb"])
    response = lrs.get(statementId=sid, voidedStatementId=sid)
    assert (response.status_code, list(response.json["errors"])) == (400, ["voidedStatementId"])


def test_unknown_statement_is_404(lrs):
    response = lrs.get(statementId=new_id())
    assert response.status_code == 404
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_consistent_through_and_last_modified_on_queries(lrs):
    lrs.post(statement())
    response = lrs.get()
    assert response.headers["X-Experience-API-Consistent-Through"].endswith("Z")
    assert response.headers["Last-Modified"].endswith("GMT")
    assert response.mimetype == "application/json"


def test_moodle_batch_without_ids(lrs):
    """logstore_xapi: no ids, account or mbox actors, context extensions."""
    batch = [
        {
            "actor": {
                "name": "Student 1",
                "account": {"homePage": "https://moodle.example", "name": str(n)},
            },
            "verb": {"id": VIEWED if n % 2 else COMPLETED, "display": {"en": "viewed"}},
            "object": {
                "id": f"https://moodle.example/mod/page/view.php?id={n}",
                "definition": {
                    "type": "http://id.tincanapi.com/activitytype/lms/module",
                    "name": {"en": "Page"},
                },
            },
            "timestamp": "2024-05-01T10:00:00+00:00",
            "context": {
                "platform": "Moodle",
                "language": "en",
                "extensions": {
                    "http://lrs.learninglocker.net/define/extensions/info": {
                        "https://moodle.org/": "4.1",
                        "event_name": "\\mod_page\\event\\course_module_viewed",
                    }
                },
                "contextActivities": {
                    "grouping": [
                        {
                            "id": "https://moodle.example",
                            "definition": {"type": "http://id.tincanapi.com/activitytype/lms"},
                        }
                    ],
                    "category": [
                        {
                            "id": "http://moodle.org",
                            "definition": {"type": "http://id.tincanapi.com/activitytype/source"},
                        }
                    ],
                },
            },
        }
        for n in range(20)
    ]
    response = lrs.post(batch)
    assert response.status_code == 200
    assert len(response.json) == 20
    assert lrs.ids(limit=50, ascending="true") == response.json


def test_read_own_scope_sees_only_its_own_statements(client):
    writer = make_lrs_client(scopes=("xapi:write", "xapi:read:own"))
    other = make_lrs_client(scopes=("xapi:write",))
    mine = client.post("/xapi/statements", json=statement(), headers=lrs_headers(writer)).json
    client.post("/xapi/statements", json=statement(), headers=lrs_headers(other))
    response = client.get("/xapi/statements", headers=lrs_headers(writer))
    assert [s["id"] for s in response.json["statements"]] == mine
    assert client.get("/xapi/statements", headers=lrs_headers(other)).status_code == 403


def test_related_agents_finds_statements_by_their_authority(lrs):
    sid = lrs.post(statement(actor=ALICE)).json[0]
    authority = {"account": {"homePage": "http://localhost", "name": lrs.key_id}}
    assert lrs.ids(agent=authority) == []
    assert lrs.ids(agent=authority, related_agents="true") == [sid]
