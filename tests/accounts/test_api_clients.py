"""API clients: hashed secrets shown once, scopes, Basic and Bearer, revocation, CLI."""

from __future__ import annotations

import base64
import re

import pytest
import sqlalchemy as sa

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.accounts.models import ApiClient
from pathways.accounts.services import hash_secret
from pathways.db import db
from tests.factories import make_api_client
from tests.factories import make_organisation
from tests.factories import make_user

pytestmark = pytest.mark.integration


def test_admin_creates_a_client_and_sees_the_secret_once(client):
    college = make_organisation(OrganisationKind.COLLEGE, code="east")
    admin = make_user(Role.COLLEGE_ADMIN, organisation=college)
    client.sign_in(admin.email)
    response = client.submit(
        "/organisations/east/api-clients", {"name": "Moodle", "scopes": ["xapi:write", "xapi:read"]}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    secret = re.search(r'id="created-secret">([^<]+)<', page).group(1)
    stored = db.session.scalar(sa.select(ApiClient).filter_by(name="Moodle"))
    assert stored.secret_hash == hash_secret(secret) and secret not in stored.secret_hash
    assert stored.scopes == ["xapi:read", "xapi:write"]
    again = client.get("/organisations/east/api-clients").get_data(as_text=True)
    assert secret not in again and stored.key_id in again


def test_basic_and_bearer_authenticate(client):
    created = make_api_client(scopes=("catalog:read",))
    basic = base64.b64encode(f"{created.client.key_id}:{created.secret}".encode()).decode()
    for header in (f"Basic {basic}", f"Bearer {created.bearer_token}"):
        # /me is for people: a valid client is recognised (403, not 401).
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 403, header


def test_revoked_client_is_refused(client):
    created = make_api_client(scopes=("catalog:read",))
    from pathways.accounts import services
    from pathways.db import transaction

    with transaction():
        services.revoke_api_client(created.client.id, actor=None)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {created.bearer_token}"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_json_api_creates_and_revokes_with_session_and_csrf(client):
    college = make_organisation(OrganisationKind.COLLEGE, code="west")
    admin = make_user(Role.COLLEGE_ADMIN, organisation=college)
    client.sign_in(admin.email)
    token = client.csrf_token("/dashboard")
    response = client.post(
        "/api/v1/organisations/west/api-clients",
        json={"name": "Canvas", "scopes": ["xapi:write"]},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201
    body = response.json
    assert (body["name"], body["scopes"], body["organisation"]) == (
        "Canvas",
        ["xapi:write"],
        "west",
    )
    assert body["bearer_token"] == f"{body['key_id']}.{body['secret']}"
    listed = client.get("/api/v1/organisations/west/api-clients").json["items"]
    assert [c["key_id"] for c in listed] == [body["key_id"]] and "secret" not in listed[0]
    response = client.delete(
        f"/api/v1/organisations/west/api-clients/{body['id']}", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 204


def test_json_api_rejects_unknown_scope_with_field_errors(client):
    college = make_organisation(OrganisationKind.COLLEGE, code="north-2")
    admin = make_user(Role.COLLEGE_ADMIN, organisation=college)
    client.sign_in(admin.email)
    response = client.post(
        "/api/v1/organisations/north-2/api-clients",
        json={"name": "X", "scopes": ["root"]},
        headers={"X-CSRFToken": client.csrf_token("/dashboard")},
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"] == {
        "scopes": {
            "0": [
                "Must be one of: "
                + ", ".join(
                    s.value for s in __import__("pathways.accounts.enums", fromlist=["Scope"]).Scope
                )
                + "."
            ]
        }
    }
    assert db.session.scalar(sa.select(sa.func.count(ApiClient.id))) == 0


def test_session_post_without_csrf_is_refused(client):
    college = make_organisation(OrganisationKind.COLLEGE, code="north-3")
    admin = make_user(Role.COLLEGE_ADMIN, organisation=college)
    client.sign_in(admin.email)
    response = client.post(
        "/api/v1/organisations/north-3/api-clients", json={"name": "X", "scopes": ["xapi:write"]}
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_cli_creates_a_client(app, database):
    make_organisation(OrganisationKind.COLLEGE, code="cli-college")
    result = app.test_cli_runner().invoke(
        args=[
            "pathways",
            "api-client",
            "create",
            "--org",
            "cli-college",
            "--name",
            "Moodle",
            "--scope",
            "xapi:write",
            "--scope",
            "xapi:read",
        ]
    )
    assert result.exit_code == 0, result.output
    key_id = re.search(r"key_id: (\S+)", result.output).group(1)
    secret = re.search(r"secret: (\S+)", result.output).group(1)
    stored = db.session.scalar(sa.select(ApiClient).filter_by(key_id=key_id))
    assert stored.secret_hash == hash_secret(secret)
    bad = app.test_cli_runner().invoke(
        args=[
            "pathways",
            "api-client",
            "create",
            "--org",
            "nope",
            "--name",
            "M",
            "--scope",
            "xapi:write",
        ]
    )
    assert bad.exit_code == 1 and "no organisation with code 'nope'" in bad.output
