"""`more` pages stay consistent while statements keep arriving."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests.xapi.factories import lrs_headers
from tests.xapi.factories import make_lrs_client
from tests.xapi.factories import statement

pytestmark = pytest.mark.integration

ALICE = {"mbox": "mailto:alice@example.com"}
VIEWED = "http://adlnet.gov/expapi/verbs/viewed"


def _page_through(client, headers, url, *, insert):
    seen = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        seen += [s["id"] for s in response.json["statements"]]
        url = response.json["more"]
        insert()
    return seen


@pytest.mark.parametrize("ascending", ["true", "false"])
def test_pages_see_exactly_the_statements_present_at_the_first_query(client, ascending):
    headers = lrs_headers(make_lrs_client())

    def post(batch):
        response = client.post("/xapi/statements", json=batch, headers=headers)
        assert response.status_code == 200
        return response.json

    before = post([statement(actor=ALICE, verb=VIEWED) for _ in range(7)])
    before += post([statement(actor=ALICE, verb=VIEWED) for _ in range(6)])
    arrived = []

    def insert():
        # New statements for the same agent and verb, between every two pages.
        arrived.extend(post([statement(actor=ALICE, verb=VIEWED) for _ in range(3)]))

    query = urlencode(
        {"agent": json.dumps(ALICE), "verb": VIEWED, "limit": 4, "ascending": ascending}
    )
    seen = _page_through(client, headers, f"/xapi/statements?{query}", insert=insert)
    expected = before if ascending == "true" else before[::-1]
    assert seen == expected
    assert len(arrived) == 3 * 4
    # A fresh query sees everything.
    fresh = client.get(f"/xapi/statements?{urlencode({'limit': 0})}", headers=headers)
    assert len(fresh.json["statements"]) == len(before) + len(arrived)


def test_more_from_another_client_with_read_own_is_refused(client):
    from tests.factories import make_organisation

    college = make_organisation()
    own = lrs_headers(make_lrs_client(scopes=("xapi:write", "xapi:read:own"), organisation=college))
    everyone = lrs_headers(make_lrs_client(scopes=("xapi:read",), organisation=college))
    client.post("/xapi/statements", json=[statement(), statement()], headers=own)
    more = client.get("/xapi/statements?limit=1", headers=everyone).json["more"]
    assert client.get(more, headers=own).status_code == 403


def test_tampered_more_token_is_400(client):
    headers = lrs_headers(make_lrs_client())
    response = client.get("/xapi/statements?more=abc.def", headers=headers)
    assert (response.status_code, list(response.json["errors"])) == (400, ["more"])
