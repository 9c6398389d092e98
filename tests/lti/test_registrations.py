"""Tool keys and JWKS, platform registrations (CLI, portal, API), dynamic registration."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from pathways.accounts.enums import Role
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.lti import keys
from pathways.lti import registration
from pathways.lti.models import Lti11Consumer
from pathways.lti.models import LtiPlatform
from pathways.lti.models import LtiToolKey
from tests.factories import make_api_client
from tests.factories import make_organisation
from tests.factories import make_user
from tests.lti.factories import PlatformServer
from tests.lti.factories import verify_rs256

pytestmark = pytest.mark.integration


@pytest.fixture
def fake():
    with PlatformServer() as platform:
        platform.add_key("k1")
        yield platform


# --- keys and JWKS -----------------------------------------------------------------------------


def test_jwks_publishes_the_signing_key_and_verifies_what_it_signs(client):
    response = client.get("/lti/jwks")
    assert (response.status_code, response.mimetype) == (200, "application/json")
    document = response.json
    assert [(k["kty"], k["alg"], k["use"]) for k in document["keys"]] == [("RSA", "RS256", "sig")]
    assert set(document["keys"][0]) == {"kty", "n", "e", "kid", "alg", "use"}
    with transaction():
        token = keys.sign_jwt({"hello": "world"})
    header, claims = verify_rs256(token, document)
    assert (header["kid"], claims) == (document["keys"][0]["kid"], {"hello": "world"})


def test_private_keys_are_stored_encrypted(client):
    client.get("/lti/jwks")
    stored = db.session.scalars(sa.select(LtiToolKey.private_key_encrypted)).all()
    assert len(stored) == 1
    assert "PRIVATE KEY" not in stored[0]
    assert keys.decrypt_secret(stored[0]).startswith("-----BEGIN PRIVATE KEY-----")


def test_rotation_keeps_the_old_key_published_until_its_tokens_expire(client):
    first = client.get("/lti/jwks").json["keys"][0]["kid"]
    with transaction():
        new = keys.rotate_tool_key()
    kids = [k["kid"] for k in client.get("/lti/jwks").json["keys"]]
    assert kids == [first, new.kid]
    with transaction():
        token = keys.sign_jwt({"x": 1})
    assert verify_rs256(token, client.get("/lti/jwks").json)[0]["kid"] == new.kid
    later = utcnow() + keys.RETIRED_KEY_PUBLISHED_FOR + timedelta(seconds=1)
    assert [k["kid"] for k in keys.tool_jwks(now=later)["keys"]] == [new.kid]


def test_jwks_errors_are_json(client):
    response = client.post("/lti/jwks")
    assert (response.status_code, response.mimetype) == (405, "application/problem+json")


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_adds_and_lists_platforms(app, database):
    make_organisation(code="cli-college")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "pathways",
            "lti-platform",
            "add",
            "--issuer",
            "https://moodle.example.edu",
            "--client-id",
            "abc123",
            "--deployment-id",
            "1",
            "--deployment-id",
            "7",
            "--auth-url",
            "https://moodle.example.edu/mod/lti/auth.php",
            "--token-url",
            "https://moodle.example.edu/mod/lti/token.php",
            "--jwks-url",
            "https://moodle.example.edu/mod/lti/certs.php",
            "--org",
            "cli-college",
        ]
    )
    assert result.exit_code == 0, result.output
    platform = db.session.scalar(sa.select(LtiPlatform).filter_by(client_id="abc123"))
    assert (platform.deployment_ids, platform.organisation.code, platform.registered_via) == (
        ["1", "7"],
        "cli-college",
        "cli",
    )
    assert "  login: http://localhost/lti/login" in result.output
    listing = runner.invoke(args=["pathways", "lti-platform", "list"])
    assert listing.output.splitlines() == [
        f"{platform.id}\thttps://moodle.example.edu\tabc123\t1,7\tcli-college\tenabled\t-"
    ]
    again = runner.invoke(
        args=[
            "pathways",
            "lti-platform",
            "add",
            "--issuer",
            "https://moodle.example.edu",
            "--client-id",
            "abc123",
            "--deployment-id",
            "1",
            "--auth-url",
            "https://a.example/x",
            "--token-url",
            "https://a.example/t",
            "--jwks-url",
            "https://a.example/j",
        ]
    )
    assert again.exit_code == 1
    assert "registered already" in again.output


def test_cli_refuses_a_platform_without_keys(app, database):
    result = app.test_cli_runner().invoke(
        args=[
            "pathways",
            "lti-platform",
            "add",
            "--issuer",
            "https://lms.example",
            "--client-id",
            "c",
            "--deployment-id",
            "1",
            "--auth-url",
            "https://lms.example/a",
            "--token-url",
            "https://lms.example/t",
        ]
    )
    assert (result.exit_code, "JWKS URL" in result.output) == (1, True)


def test_cli_rotates_the_key_and_adds_a_consumer(app, database):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["pathways", "lti-key", "rotate"]).exit_code == 0
    result = runner.invoke(args=["pathways", "lti11-consumer", "add", "--key", "moodle-11"])
    assert result.exit_code == 0
    secret = re.search(r"secret: (\S+)", result.output).group(1)
    consumer = db.session.scalar(sa.select(Lti11Consumer).filter_by(consumer_key="moodle-11"))
    assert secret not in consumer.secret_encrypted
    assert keys.decrypt_secret(consumer.secret_encrypted) == secret


# --- the portal page and the API --------------------------------------------------------------


def test_platform_admin_registers_a_platform_in_the_portal(client):
    college = make_organisation(code="portal-college")
    admin = make_user(Role.PLATFORM_ADMIN)
    client.sign_in(admin.email)
    page = client.get("/lti/platforms").get_data(as_text=True)
    assert "http://localhost/lti/login" in page
    assert f'href="/organisations/{college.code}/lms"' in page
    response = client.submit(
        "/lti/platforms/new",
        {
            "issuer": "https://canvas.example",
            "client_id": "10000",
            "deployment_ids": "d1, d2",
            "auth_url": "https://canvas.example/auth",
            "token_url": "https://canvas.example/token",
            "jwks_url": "https://canvas.example/jwks",
            "organisation": college.code,
        },
    )
    assert response.status_code == 302
    platform = db.session.scalar(sa.select(LtiPlatform).filter_by(client_id="10000"))
    assert (platform.deployment_ids, platform.organisation_id, platform.trusts_email) == (
        ["d1", "d2"],
        college.id,
        False,
    )


@pytest.mark.parametrize("role", [Role.COLLEGE_ADMIN, Role.LEARNER])
def test_other_roles_cannot_see_registrations(client, role):
    client.sign_in(make_user(role).email)
    assert client.get("/lti/platforms").status_code == 403
    assert client.get("/api/v1/lti/platforms").status_code == 403


def test_api_client_with_lti_admin_registers_a_platform(client):
    created = make_api_client(scopes=("lti:admin",))
    headers = {"Authorization": f"Bearer {created.bearer_token}"}
    response = client.post(
        "/api/v1/lti/platforms",
        headers=headers,
        json={
            "issuer": "https://brightspace.example",
            "client_id": "bs-1",
            "deployment_ids": ["x"],
            "auth_url": "https://brightspace.example/a",
            "token_url": "https://brightspace.example/t",
            "jwks_url": "https://brightspace.example/j",
        },
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["client_id"], body["deployment_ids"], body["organisation"]) == (
        "bs-1",
        ["x"],
        None,
    )
    patched = client.patch(
        f"/api/v1/lti/platforms/{body['id']}",
        headers=headers,
        json={"deployment_ids": ["x", "y"], "trusts_email": True},
    )
    assert (patched.json["deployment_ids"], patched.json["trusts_email"]) == (["x", "y"], True)
    bad = client.post(
        "/api/v1/lti/platforms",
        headers=headers,
        json={"issuer": "ftp://x", "client_id": "c", "auth_url": "a", "token_url": "t"},
    )
    assert (bad.status_code, bad.mimetype) == (400, "application/problem+json")


# --- dynamic registration ------------------------------------------------------------------------


def test_dynamic_registration_registers_the_platform_from_one_url(client, fake):
    college = make_organisation(code="dyn-college")
    fake.registration_reply = {
        "client_id": "dyn-client",
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {"deployment_id": "9"},
    }
    with transaction():
        _link, token = registration.create_registration_link(college, actor=None)
    path = registration.registration_url(token).removeprefix("http://localhost")
    query = urlencode(
        {
            "openid_configuration": fake.base + "/.well-known/openid-configuration",
            "registration_token": "reg-tok",
        }
    )
    response = client.get(f"{path}?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert 'src="/static/js/lti/close.js"' in page
    assert "<script>" not in page
    platform = db.session.scalar(sa.select(LtiPlatform).filter_by(client_id="dyn-client"))
    assert (
        platform.issuer,
        platform.deployment_ids,
        platform.organisation_id,
        platform.registered_via,
        platform.product_family_code,
        platform.jwks_url,
        platform.is_enabled,
    ) == (fake.issuer, ["9"], college.id, "dynamic", "moodle", fake.base + "/jwks", False)
    posted = [
        (h.get("Authorization"), h.get("Content-Type"))
        for m, p, h, _b in fake.requests
        if m == "POST" and p == "/register"
    ]
    assert posted == [("Bearer reg-tok", "application/json")]
    sent = fake.registrations[0]
    config = sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    assert (
        sent["initiate_login_uri"],
        sent["redirect_uris"],
        sent["jwks_uri"],
        sent["token_endpoint_auth_method"],
    ) == (
        "http://localhost/lti/login",
        ["http://localhost/lti/launch"],
        "http://localhost/lti/jwks",
        "private_key_jwt",
    )
    assert [m["type"] for m in config["messages"]] == [
        "LtiResourceLinkRequest",
        "LtiDeepLinkingRequest",
    ]
    assert config["target_link_uri"] == "http://localhost/lti/launch"
    assert sent["scope"].split() == [
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    ]


def test_the_close_script_posts_the_lti_close_message(client):
    with client.get("/static/js/lti/close.js") as response:
        script = response.get_data(as_text=True)
    assert 'postMessage({ subject: "org.imsglobal.lti.close" }, "*")' in script


def test_dynamic_registration_with_a_forged_link_creates_nothing(client, fake):
    query = urlencode({"openid_configuration": fake.base + "/.well-known/openid-configuration"})
    response = client.get(f"/lti/register/forged-token?{query}")
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiPlatform)) == 0
    assert fake.requests == []


def test_dynamic_registration_refused_by_the_lms_creates_nothing(client, fake):
    college = make_organisation(code="dyn-refused")
    fake.registration_reply = {"error": "invalid_token"}
    with transaction():
        _link, token = registration.create_registration_link(college, actor=None)
    path = f"/lti/register/{token}"
    query = urlencode({"openid_configuration": fake.base + "/.well-known/openid-configuration"})
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert "refused the registration" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiPlatform)) == 0
    assert json.loads(fake.requests[-1][3])["client_name"] == "Pathways"
