"""Headers, authentication, CORS, the alternate request syntax and /about."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests.xapi.factories import VERSION
from tests.xapi.factories import lrs_headers
from tests.xapi.factories import make_lrs_client
from tests.xapi.factories import new_id
from tests.xapi.factories import statement

pytestmark = pytest.mark.integration


def test_about_needs_no_credentials_nor_version(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert response.json == {"version": ["1.0.3", "1.0.2", "1.0.1", "1.0.0"], "extensions": {}}
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


@pytest.mark.parametrize("version", [None, "0.95", "2.0.0", "1.1"])
def test_missing_or_unsupported_version_is_400(client, version):
    created = make_lrs_client()
    headers = lrs_headers(created)
    if version is None:
        del headers["X-Experience-API-Version"]
    else:
        headers["X-Experience-API-Version"] = version
    response = client.get("/xapi/statements", headers=headers)
    assert response.status_code == 400
    assert list(response.json["errors"]) == ["X-Experience-API-Version"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


@pytest.mark.parametrize("version", ["1.0", "1.0.0", "1.0.3", "1.0.9"])
def test_supported_versions(client, version):
    created = make_lrs_client()
    response = client.get(
        "/xapi/statements", headers={**lrs_headers(created), "X-Experience-API-Version": version}
    )
    assert response.status_code == 200


def test_no_credentials_is_401_with_basic_challenge(client):
    response = client.post("/xapi/statements", json=statement(), headers=VERSION)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="xAPI"'
    assert response.mimetype == "application/problem+json"


def test_wrong_secret_is_401(client):
    import dataclasses

    created = dataclasses.replace(make_lrs_client(), secret="wrong")
    assert client.get("/xapi/statements", headers=lrs_headers(created)).status_code == 401


def test_bearer_is_accepted(client):
    created = make_lrs_client()
    headers = {"Authorization": f"Bearer {created.bearer_token}", **VERSION}
    assert client.get("/xapi/statements", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("scopes", "method", "status"),
    [
        (("xapi:read",), "POST", 403),
        (("xapi:write",), "GET", 403),
        (("catalog:read",), "GET", 403),
        (("xapi:write",), "POST", 200),
        (("xapi:read",), "GET", 200),
    ],
)
def test_scopes_per_resource(client, scopes, method, status):
    created = make_lrs_client(scopes=scopes)
    kwargs = {"json": statement()} if method == "POST" else {}
    response = client.open(
        "/xapi/statements", method=method, headers=lrs_headers(created), **kwargs
    )
    assert response.status_code == status


def test_cors_preflight_and_exposed_headers(client):
    origin = "https://app.example"
    response = client.options(
        "/xapi/statements",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "X-Experience-API-Version" in response.headers["Access-Control-Allow-Headers"]
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    created = make_lrs_client()
    response = client.get("/xapi/statements", headers={**lrs_headers(created), "Origin": origin})
    assert response.headers["Access-Control-Expose-Headers"] == (
        "ETag, Last-Modified, Content-Type, X-Experience-API-Version, "
        "X-Experience-API-Consistent-Through"
    )


def test_wrong_content_type_is_400(client):
    created = make_lrs_client()
    response = client.post(
        "/xapi/statements", data="{}", content_type="text/plain", headers=lrs_headers(created)
    )
    assert (response.status_code, list(response.json["errors"])) == (400, ["Content-Type"])


def test_body_that_is_not_json_is_400(client):
    created = make_lrs_client()
    response = client.post(
        "/xapi/statements",
        data="{nope",
        content_type="application/json",
        headers=lrs_headers(created),
    )
    assert response.status_code == 400


def test_too_large_is_413(app, client):
    created = make_lrs_client()
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/xapi/statements",
        data=b"x" * (limit + 1),
        content_type="application/json",
        headers=lrs_headers(created),
    )
    assert response.status_code == 413
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def _alternate(created, **fields):
    return urlencode(
        {
            "Authorization": lrs_headers(created)["Authorization"],
            "X-Experience-API-Version": "1.0.3",
            **fields,
        }
    )


def test_alternate_syntax_put_then_get(client):
    created = make_lrs_client()
    sid = new_id()
    body = _alternate(
        created,
        statementId=sid,
        content=json.dumps(statement()),
        **{"Content-Type": "application/json"},
    )
    response = client.post(
        "/xapi/statements?method=PUT",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 204, response.get_data(as_text=True)
    response = client.post(
        "/xapi/statements?method=GET",
        data=_alternate(created, statementId=sid),
        content_type="application/x-www-form-urlencoded",
    )
    assert (response.status_code, response.json["id"]) == (200, sid)


def test_alternate_syntax_refuses_other_url_parameters(client):
    created = make_lrs_client()
    response = client.post(
        f"/xapi/statements?method=GET&statementId={new_id()}",
        data=_alternate(created),
        content_type="application/x-www-form-urlencoded",
    )
    assert (response.status_code, list(response.json["errors"])) == (400, ["statementId"])


def test_post_form_without_method_is_a_query(client):
    created = make_lrs_client()
    sid = client.post("/xapi/statements", json=statement(), headers=lrs_headers(created)).json[0]
    response = client.post(
        "/xapi/statements",
        data=urlencode({"statementId": sid}),
        content_type="application/x-www-form-urlencoded",
        headers=lrs_headers(created),
    )
    assert (response.status_code, response.json["id"]) == (200, sid)


def test_head_answers_headers_without_body(client):
    created = make_lrs_client()
    response = client.head("/xapi/statements", headers=lrs_headers(created))
    assert response.status_code == 200
    assert response.get_data() == b""
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_unknown_xapi_url_is_404_with_version(client):
    response = client.get("/xapi/nothing", headers=VERSION)
    assert response.status_code == 404
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_activities_resource_merges_definitions(client):
    created = make_lrs_client()
    iri = "https://moodle.example/mod/quiz/view.php?id=9"
    first = statement(activity=iri)
    first["object"]["definition"] = {"name": {"en": "Quiz"}}
    second = statement(activity=iri)
    second["object"]["definition"] = {
        "name": {"fr": "Questionnaire"},
        "description": {"en": "Ten questions"},
    }
    client.post("/xapi/statements", json=[first, second], headers=lrs_headers(created))
    response = client.get(
        f"/xapi/activities?{urlencode({'activityId': iri})}", headers=lrs_headers(created)
    )
    assert response.json == {
        "objectType": "Activity",
        "id": iri,
        "definition": {
            "name": {"en": "Quiz", "fr": "Questionnaire"},
            "description": {"en": "Ten questions"},
        },
    }
    assert client.get("/xapi/activities", headers=lrs_headers(created)).status_code == 400


def test_agents_resource_returns_a_person(client):
    from pathways.accounts.services import link_identity
    from pathways.db import transaction
    from tests.factories import make_user

    created = make_lrs_client()
    user = make_user(email="carol@example.com", name="Carol")
    with transaction():
        link_identity(user, "xapi_account", "https://moodle.example", "77")
    agent = {"account": {"homePage": "https://moodle.example", "name": "77"}}
    # The reader's own statements name the learner by both: the Person shows both.
    for actor in (agent, {"mbox": "mailto:carol@example.com"}):
        client.post("/xapi/statements", json=statement(actor=actor), headers=lrs_headers(created))
    response = client.get(
        f"/xapi/agents?{urlencode({'agent': json.dumps(agent)})}", headers=lrs_headers(created)
    )
    assert response.json == {
        "objectType": "Person",
        "name": ["Carol"],
        "mbox": ["mailto:carol@example.com"],
        "account": [{"homePage": "https://moodle.example", "name": "77"}],
    }
