"""The catalog JSON API: reads, draft editing with If-Match, transitions, problem+json."""

from __future__ import annotations

import pytest

from tests.catalog.factories import Cast
from tests.catalog.factories import complete_changes
from tests.catalog.factories import text
from tests.factories import make_api_client

pytestmark = pytest.mark.integration


@pytest.fixture
def cast(database):
    return Cast()


def _headers(client, **extra):
    return {"X-CSRFToken": client.csrf_token("/dashboard"), **extra}


def test_editor_creates_edits_and_submits_a_draft(client, cast):
    client.sign_in(cast.author.email)
    payload = {
        "code": "API-1",
        "issuing_organisation": cast.college.code,
        **complete_changes(cast.framework),
    }
    created = client.post("/api/v1/microcredentials", json=payload, headers=_headers(client))
    assert created.status_code == 201, created.json
    version_id, etag = created.json["id"], created.headers["ETag"]
    assert created.json["missing_publish_fields"] == ["industry_partners", "endorsement"]
    url = f"/api/v1/microcredential-versions/{version_id}"
    edited = client.patch(
        url, json={"duration_weeks": 4}, headers=_headers(client, **{"If-Match": etag})
    )
    assert (edited.status_code, edited.json["duration_weeks"]) == (200, 4)
    stale = client.patch(
        url, json={"duration_weeks": 5}, headers=_headers(client, **{"If-Match": etag})
    )
    assert stale.status_code == 412
    assert stale.mimetype == "application/problem+json"
    assert (stale.json["status"], stale.json["code"]) == (412, "stale_etag")
    missing = client.patch(url, json={"duration_weeks": 5}, headers=_headers(client))
    assert missing.status_code == 428
    moved = client.post(f"{url}/transitions", json={"action": "submit"}, headers=_headers(client))
    assert (moved.status_code, moved.json["status"]) == (200, "in_review")
    history = client.get(f"{url}/history").json["items"]
    assert [(e["action"], e["to_status"]) for e in history] == [
        ("create", "draft"),
        ("edit", None),
        ("submit", "in_review"),
    ]


def test_refusals_are_problem_documents(client, cast):
    version = cast.ready_for_review()
    client.sign_in(cast.author.email)
    own = client.post(
        f"/api/v1/microcredential-versions/{version.id}/transitions",
        json={"action": "publish"},
        headers=_headers(client),
    )
    assert (own.status_code, own.mimetype, own.json["code"]) == (
        403,
        "application/problem+json",
        "own_version",
    )
    bad = client.post(
        f"/api/v1/microcredential-versions/{version.id}/transitions",
        json={"action": "fly"},
        headers=_headers(client),
    )
    assert (bad.status_code, bad.json["errors"]) == (
        400,
        {"action": ["Must be one of: submit, withdraw, return, publish, retire, copy."]},
    )


def test_drafts_are_hidden_from_others_and_clients(client, cast):
    version = cast.draft()
    token = make_api_client(cast.college, scopes=("catalog:read",)).bearer_token
    as_client = client.get(
        f"/api/v1/microcredential-versions/{version.id}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (as_client.status_code, as_client.json["code"]) == (404, "no_such_version")
    client.sign_in(cast.outsider_editor.email)
    assert client.get(f"/api/v1/microcredential-versions/{version.id}").status_code == 404


def test_partner_endorses_and_publisher_publishes(client, cast):
    version = cast.draft()
    client.sign_in(cast.author.email)
    invited = client.post(
        f"/api/v1/microcredential-versions/{version.id}/partners",
        json={"organisation": cast.partner.code, "role": "co_designer"},
        headers=_headers(client),
    )
    assert invited.status_code == 201
    client.post(
        f"/api/v1/microcredential-versions/{version.id}/transitions",
        json={"action": "submit"},
        headers=_headers(client),
    )
    client.sign_in(cast.reviewer.email)
    endorsed = client.post(
        f"/api/v1/microcredential-versions/{version.id}/endorsements",
        json={"statement": text("Fit for purpose")},
        headers=_headers(client),
    )
    assert endorsed.status_code == 201, endorsed.json
    client.sign_in(cast.publisher.email)
    published = client.post(
        f"/api/v1/microcredential-versions/{version.id}/transitions",
        json={"action": "publish"},
        headers=_headers(client),
    )
    assert (published.status_code, published.json["status"]) == (200, "published")
    listing = client.get("/api/v1/microcredentials?q=cadenassage").json
    assert [item["code"] for item in listing["items"]] == [version.credential.code]
    assert listing["total"] == 1


def test_framework_tree(client, cast):
    token = make_api_client(cast.college, scopes=("catalog:read",)).bearer_token
    body = client.get(
        f"/api/v1/frameworks/{cast.framework.identifier}",
        headers={"Authorization": f"Bearer {token}"},
    ).json
    root = body["items"][0]
    assert [
        root["kind"],
        root["children"][0]["kind"],
        [c["kind"] for c in root["children"][0]["children"][0]["children"]],
    ] == ["occupation", "area", ["indicator", "indicator"]]
