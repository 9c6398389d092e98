"""State, Activity Profile and Agent Profile resources: ETags, preconditions, merging."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

import pytest

from tests.xapi.factories import lrs_headers
from tests.xapi.factories import make_lrs_client
from tests.xapi.factories import new_id

pytestmark = pytest.mark.integration

ACTIVITY = "https://moodle.example/mod/scorm/view.php?id=5"
AGENT = {"mbox": "mailto:dana@example.com"}


@pytest.fixture
def headers():
    return lrs_headers(make_lrs_client())


def state_url(**params):
    base = {"activityId": ACTIVITY, "agent": json.dumps(AGENT)}
    return f"/xapi/activities/state?{urlencode({**base, **params})}"


def etag(content: bytes) -> str:
    return f'"{hashlib.sha1(content).hexdigest()}"'


def test_state_put_get_with_etag(client, headers):
    body = b'{"bookmark": "page-3"}'
    response = client.put(
        state_url(stateId="s1"), data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 204
    response = client.get(state_url(stateId="s1"), headers=headers)
    assert (response.status_code, response.get_data(), response.headers["ETag"]) == (
        200,
        body,
        etag(body),
    )
    assert response.mimetype == "application/json"
    assert response.headers["Last-Modified"].endswith("GMT")


def test_state_post_merges_json_objects(client, headers):
    client.put(
        state_url(stateId="s"),
        data=b'{"a": 1, "b": 1}',
        content_type="application/json",
        headers=headers,
    )
    response = client.post(
        state_url(stateId="s"),
        data=b'{"b": 2, "c": 3}',
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 204
    assert client.get(state_url(stateId="s"), headers=headers).json == {"a": 1, "b": 2, "c": 3}


def test_state_post_refuses_non_json(client, headers):
    client.put(state_url(stateId="t"), data=b"plain", content_type="text/plain", headers=headers)
    response = client.post(
        state_url(stateId="t"), data=b'{"x": 1}', content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    client.put(
        state_url(stateId="j"), data=b'{"x": 1}', content_type="application/json", headers=headers
    )
    response = client.post(
        state_url(stateId="j"), data=b"[1, 2]", content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    assert client.get(state_url(stateId="j"), headers=headers).json == {"x": 1}


def test_state_ids_since_registration_and_delete_all(client, headers):
    registration = new_id()
    for state_id in ("a", "b"):
        client.put(
            state_url(stateId=state_id),
            data=b"{}",
            content_type="application/json",
            headers=headers,
        )
    client.put(
        state_url(stateId="r", registration=registration),
        data=b"{}",
        content_type="application/json",
        headers=headers,
    )
    assert client.get(state_url(), headers=headers).json == ["a", "b"]
    assert client.get(state_url(registration=registration), headers=headers).json == ["r"]
    assert client.get(state_url(since="2999-01-01T00:00:00Z"), headers=headers).json == []
    assert client.delete(state_url(), headers=headers).status_code == 204
    assert client.get(state_url(), headers=headers).json == []
    assert client.get(state_url(registration=registration), headers=headers).json == ["r"]


def test_state_delete_one_and_404(client, headers):
    client.put(state_url(stateId="x"), data=b"{}", content_type="application/json", headers=headers)
    assert client.delete(state_url(stateId="x"), headers=headers).status_code == 204
    assert client.get(state_url(stateId="x"), headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"activityId": ACTIVITY}, "agent"),
        ({"agent": json.dumps(AGENT)}, "activityId"),
        ({"activityId": ACTIVITY, "agent": json.dumps(AGENT), "registration": "x"}, "registration"),
        ({"activityId": ACTIVITY, "agent": json.dumps(AGENT), "other": "1"}, "other"),
    ],
)
def test_state_parameter_errors(client, headers, params, path):
    response = client.get(f"/xapi/activities/state?{urlencode(params)}", headers=headers)
    assert response.status_code == 400
    assert list(response.json["errors"]) == [path]


def profile_url(**params):
    return f"/xapi/activities/profile?{urlencode({'activityId': ACTIVITY, **params})}"


def agent_profile_url(**params):
    return f"/xapi/agents/profile?{urlencode({'agent': json.dumps(AGENT), **params})}"


@pytest.mark.parametrize("url", [profile_url, agent_profile_url])
def test_profile_concurrency(client, headers, url):
    first = b'{"v": 1}'
    created = client.put(
        url(profileId="p"),
        data=first,
        content_type="application/json",
        headers={**headers, "If-None-Match": "*"},
    )
    assert created.status_code == 204
    # Exists, no precondition: 409.
    response = client.put(
        url(profileId="p"), data=b'{"v": 2}', content_type="application/json", headers=headers
    )
    assert response.status_code == 409
    # If-None-Match * on an existing document: 412.
    response = client.put(
        url(profileId="p"),
        data=b'{"v": 2}',
        content_type="application/json",
        headers={**headers, "If-None-Match": "*"},
    )
    assert response.status_code == 412
    # Wrong If-Match: 412; right one: 204.
    response = client.put(
        url(profileId="p"),
        data=b'{"v": 2}',
        content_type="application/json",
        headers={**headers, "If-Match": '"0000"'},
    )
    assert response.status_code == 412
    response = client.put(
        url(profileId="p"),
        data=b'{"v": 2}',
        content_type="application/json",
        headers={**headers, "If-Match": etag(first)},
    )
    assert response.status_code == 204
    got = client.get(url(profileId="p"), headers=headers)
    assert (got.json, got.headers["ETag"]) == ({"v": 2}, etag(b'{"v": 2}'))
    # DELETE with a stale If-Match: 412; with the right one: 204.
    response = client.delete(url(profileId="p"), headers={**headers, "If-Match": etag(first)})
    assert response.status_code == 412
    response = client.delete(url(profileId="p"), headers={**headers, "If-Match": etag(b'{"v": 2}')})
    assert response.status_code == 204
    assert client.get(url(profileId="p"), headers=headers).status_code == 404


@pytest.mark.parametrize("url", [profile_url, agent_profile_url])
def test_profile_post_merges_and_lists_ids(client, headers, url):
    client.post(
        url(profileId="b"), data=b'{"x": 1}', content_type="application/json", headers=headers
    )
    client.post(
        url(profileId="b"), data=b'{"y": 2}', content_type="application/json", headers=headers
    )
    client.post(url(profileId="a"), data=b"{}", content_type="application/json", headers=headers)
    assert client.get(url(profileId="b"), headers=headers).json == {"x": 1, "y": 2}
    assert client.get(url(), headers=headers).json == ["a", "b"]


def test_profile_put_needs_an_id(client, headers):
    response = client.put(
        profile_url(), data=b"{}", content_type="application/json", headers=headers
    )
    assert (response.status_code, list(response.json["errors"])) == (400, ["profileId"])


def test_document_writes_need_write_scope(client):
    reader = lrs_headers(make_lrs_client(scopes=("xapi:read",)))
    response = client.put(
        state_url(stateId="s"), data=b"{}", content_type="application/json", headers=reader
    )
    assert response.status_code == 403
