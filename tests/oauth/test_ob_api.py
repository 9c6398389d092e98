"""The Open Badges API and the OAuth endpoints in detail, with tokens made by the services.

The whole dance over HTTP is in test_wallet_dance.py; here each refusal and edge case is
pinned through the Flask test client.
"""

from __future__ import annotations

import base64
import json
import secrets

import pytest
import sqlalchemy as sa

from pathways.accounts.models import User
from pathways.db import db
from pathways.db import transaction
from pathways.oauth import services
from pathways.oauth.enums import ObScope
from pathways.oauth.models import HeldCredential
from pathways.oauth.models import OAuthClient
from pathways.oauth.models import OAuthToken
from pathways.oauth.models import digest
from tests.factories import make_user
from tests.oauth.test_wallet_dance import outside_credential
from tests.oauth.wallet import REDIRECT_URI

pytestmark = pytest.mark.integration

ALL = tuple(ObScope)


def make_client(name: str = "Test Wallet") -> tuple[OAuthClient, str]:
    secret = secrets.token_urlsafe(32)
    with transaction():
        client = services.register_client(
            secrets.token_urlsafe(24),
            secret,
            {
                "client_name": name,
                "redirect_uris": [REDIRECT_URI],
                "scope": " ".join(ALL),
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            },
        )
    return client, secret


def bearer(user: User, *scopes: ObScope, client: OAuthClient | None = None) -> dict:
    """Headers with a fresh access token of `user` carrying `scopes`."""
    client = client or make_client()[0]
    access = secrets.token_urlsafe(32)
    with transaction():
        services.save_token(
            {"access_token": access, "expires_in": 900, "scope": " ".join(scopes)},
            client=client,
            user=db.session.get(User, user.id),
            grant_id=secrets.token_hex(16),
        )
    return {"Authorization": f"Bearer {access}"}


def minor(response) -> str:
    return response.json["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]


def compact_jws(payload: dict) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'EdDSA', 'typ': 'JWT'})}.{part(payload)}.c2lnbmF0dXJl"


@pytest.fixture
def learner(database):
    return make_user(email="lea.learner@example.com", name="Léa Learner")


# -- getCredentials ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=-1", "limit=x", "offset=-1", "offset=1.5", "since=yesterday"]
)
def test_bad_paging_parameters_are_400(client, learner, query):
    response = client.get(
        f"/ims/ob/v3p0/credentials?{query}", headers=bearer(learner, ObScope.CREDENTIAL_READONLY)
    )
    assert response.status_code == 400
    assert minor(response) == "invalid_query_parameter"


def test_empty_wallet(client, learner):
    response = client.get(
        "/ims/ob/v3p0/credentials", headers=bearer(learner, ObScope.CREDENTIAL_READONLY)
    )
    assert response.json == {"credential": [], "compactJwsString": []}
    assert response.headers["X-Total-Count"] == "0"
    assert response.headers["Link"] == (
        '<http://localhost/ims/ob/v3p0/credentials?limit=50&offset=0>; rel="last", '
        '<http://localhost/ims/ob/v3p0/credentials?limit=50&offset=0>; rel="first"'
    )
    assert response.headers["Cache-Control"] == "no-store"


def test_since_and_vc_jwt_credentials(client, learner):
    headers = bearer(learner, ObScope.CREDENTIAL_READONLY, ObScope.CREDENTIAL_UPSERT)
    old = outside_credential("urn:uuid:00000000-0000-4000-8000-000000000001")
    jws = compact_jws(
        {
            "iss": "did:example:issuer",
            "jti": "urn:uuid:00000000-0000-4000-8000-000000000002",
            "vc": {
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "validFrom": "2025-06-01T00:00:00Z",
            },
        }
    )
    assert client.post("/ims/ob/v3p0/credentials", json=old, headers=headers).status_code == 201
    pushed = client.post(
        "/ims/ob/v3p0/credentials",
        data=jws,
        headers={**headers, "Content-Type": "text/plain"},
    )
    assert (pushed.status_code, pushed.mimetype, pushed.get_data(as_text=True)) == (
        201,
        "text/plain",
        jws,
    )

    everything = client.get("/ims/ob/v3p0/credentials", headers=headers)
    recent = client.get(
        "/ims/ob/v3p0/credentials?since=2024-01-01T00:00:00Z&limit=5", headers=headers
    )

    assert everything.json == {"credential": [old], "compactJwsString": [jws]}
    assert recent.json == {"credential": [], "compactJwsString": [jws]}
    assert recent.headers["Link"].startswith(
        "<http://localhost/ims/ob/v3p0/credentials?limit=5&offset=0&since=2024-01-01T00%3A00%3A00Z>"
    )


def test_an_older_copy_does_not_replace_the_kept_one(client, learner):
    headers = bearer(learner, ObScope.CREDENTIAL_UPSERT)
    newer = outside_credential()
    older = json.loads(json.dumps(newer))
    older["validFrom"] = "2019-01-01T00:00:00Z"
    assert client.post("/ims/ob/v3p0/credentials", json=newer, headers=headers).status_code == 201
    response = client.post("/ims/ob/v3p0/credentials", json=older, headers=headers)
    assert response.status_code == 200
    [row] = db.session.scalars(sa.select(HeldCredential)).all()
    assert json.loads(row.document) == newer


def test_a_disabled_learners_token_stops_working(client, learner):
    headers = bearer(learner, ObScope.PROFILE_READONLY)
    with transaction():
        db.session.get(User, learner.id).is_enabled = False
    response = client.get("/ims/ob/v3p0/profile", headers=headers)
    assert response.status_code == 401


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("DELETE", "/ims/ob/v3p0/credentials", "GET, POST"),
        ("POST", "/ims/ob/v3p0/profile", "GET, PUT"),
        ("PUT", "/ims/ob/v3p0/discovery", "GET"),
    ],
)
def test_other_methods_are_405_with_imsx_status(client, method, path, allowed):
    response = client.open(path, method=method)
    assert (response.status_code, minor(response), response.headers["Allow"]) == (
        405,
        "not_allowed",
        allowed,
    )


# -- putProfile ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, message",
    [
        ({"email": "someone.else@example.com"}, "The email address signs the learner in"),
        ({"phone": "111-222-3333"}, "Pathways keeps only a name and an email address; not phone."),
        ({"type": ["Organization"]}, "The body must be a Profile (type Profile)."),
        ({"id": "urn:uuid:00000000-0000-4000-8000-000000000009"}, "The Profile id is not"),
        ({"name": "   "}, "The name must be text of 1 to 200 characters."),
    ],
)
def test_put_profile_refuses_what_pathways_does_not_keep(client, learner, change, message):
    headers = bearer(learner, ObScope.PROFILE_READONLY, ObScope.PROFILE_UPDATE)
    profile = client.get("/ims/ob/v3p0/profile", headers=headers).json
    response = client.put("/ims/ob/v3p0/profile", json={**profile, **change}, headers=headers)
    assert response.status_code == 400
    assert response.json["imsx_description"].startswith(message)
    assert db.session.get(User, learner.id).display_name == "Léa Learner"


def test_put_profile_renames(client, learner):
    headers = bearer(learner, ObScope.PROFILE_UPDATE)
    response = client.put(
        "/ims/ob/v3p0/profile",
        json={"type": "Profile", "name": " Léa  B. Learner "},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json["name"] == "Léa B. Learner"
    assert response.json["email"] == "lea.learner@example.com"


# -- registration, tokens at rest ----------------------------------------------------------


def register(client, **changes):
    body = {"client_name": "W", "redirect_uris": [REDIRECT_URI], **changes}
    return client.post("/oauth/register", json={k: v for k, v in body.items() if v is not None})


def test_registration_defaults_and_stores_only_a_digest(client):
    response = register(
        client, scope=f"{ObScope.CREDENTIAL_READONLY} offline_access", client_name="Wallet"
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert (
        body["scope"],
        body["grant_types"],
        body["response_types"],
        body["token_endpoint_auth_method"],
        body["client_secret_expires_at"],
    ) == (
        ObScope.CREDENTIAL_READONLY.value,
        ["authorization_code"],
        ["code"],
        "client_secret_basic",
        0,
    )
    row = db.session.scalar(sa.select(OAuthClient).filter_by(client_id=body["client_id"]))
    assert row.client_secret_hash == digest(body["client_secret"])
    assert body["client_secret"] not in json.dumps(
        [getattr(row, c.key) for c in OAuthClient.__table__.columns], default=str
    )


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"redirect_uris": None}, "invalid_redirect_uri"),
        ({"redirect_uris": []}, "invalid_redirect_uri"),
        ({"redirect_uris": ["http://wallet.example/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://wallet.example/cb#frag"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["javascript:alert(1)"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ['http://"évil".example/cb']}, "invalid_redirect_uri"),
        ({"redirect_uris": "https://wallet.example/cb"}, "invalid_redirect_uri"),
        ({"scope": 'a"b\\c é'}, "invalid_client_metadata"),
        ({"logo_uri": 'https://"x"/é'}, "invalid_client_metadata"),
        ({"scope": "https://example.org/other"}, "invalid_client_metadata"),
        ({"scope": "offline_access"}, "invalid_client_metadata"),
        ({"token_endpoint_auth_method": "none"}, "invalid_client_metadata"),
        ({"grant_types": ["implicit"]}, "invalid_client_metadata"),
        ({"response_types": ["token"]}, "invalid_client_metadata"),
        ({"policy_uri": "javascript:alert(1)"}, "invalid_client_metadata"),
        ({"client_name": "x" * 201}, "invalid_client_metadata"),
        ({"jwks_uri": "https://wallet.example/jwks"}, "invalid_client_metadata"),
    ],
)
def test_registration_refuses_bad_metadata(client, changes, error):
    response = register(client, **changes)
    assert response.status_code == 400
    assert response.json["error"] == error
    assert db.session.scalar(sa.select(sa.func.count(OAuthClient.id))) == 0


def test_registration_needs_a_json_object(client):
    response = client.post("/oauth/register", data="client_name=W")
    assert (response.status_code, response.json["error"]) == (400, "invalid_client_metadata")


def test_loopback_redirects_match_any_port(client):
    body = register(client, redirect_uris=["http://127.0.0.1/callback"]).json
    row = db.session.scalar(sa.select(OAuthClient).filter_by(client_id=body["client_id"]))
    assert row.check_redirect_uri("http://127.0.0.1:51234/callback")
    assert not row.check_redirect_uri("http://127.0.0.1:51234/other")
    assert not row.check_redirect_uri("http://localhost:51234/callback")


def test_tokens_are_kept_as_digests(client, learner):
    headers = bearer(learner, ObScope.PROFILE_READONLY)
    access = headers["Authorization"].removeprefix("Bearer ")
    [row] = db.session.scalars(sa.select(OAuthToken)).all()
    assert row.access_token_hash == digest(access)
    assert access not in json.dumps(
        [getattr(row, c.key) for c in OAuthToken.__table__.columns], default=str
    )


# -- the learner's pages -------------------------------------------------------------------


def test_consent_page_speaks_french(client, learner):
    wallet, _secret = make_client("Portefeuille")
    client.sign_in(learner.email)
    client.post(
        "/language", data={"locale": "fr", "csrf_token": client.csrf_token("/my/connected-apps")}
    )
    url = (
        f"/oauth/authorize?response_type=code&client_id={wallet.client_id}"
        f"&redirect_uri={REDIRECT_URI}&scope={ObScope.PROFILE_READONLY}"
        "&code_challenge=" + "a" * 43 + "&code_challenge_method=S256&state=s"
    )
    page = client.get(url).get_data(as_text=True)
    assert "Connecter Portefeuille à votre compte" in page
    assert "Voir votre nom et votre adresse courriel" in page
    assert "Autoriser" in page and "Refuser" in page


def test_connected_apps_lists_and_disconnects(client, learner):
    wallet, _secret = make_client("Backpack One")
    headers = bearer(learner, ObScope.PROFILE_READONLY, client=wallet)
    client.sign_in(learner.email)

    page = client.get("/my/connected-apps").get_data(as_text=True)
    assert "Backpack One" in page
    assert "See your name and email address" in page

    response = client.submit(
        f"/my/connected-apps/{wallet.id}/disconnect", {}, token_from="/my/connected-apps"
    )

    assert response.status_code == 302
    assert client.get("/ims/ob/v3p0/profile", headers=headers).status_code == 401
    assert "No app is connected" in client.get("/my/connected-apps").get_data(as_text=True)


def test_disconnecting_another_learners_app_changes_nothing(client, learner):
    wallet, _secret = make_client()
    headers = bearer(learner, ObScope.PROFILE_READONLY, client=wallet)
    intruder = make_user(email="intruder@example.com")
    client.sign_in(intruder.email)
    client.submit(f"/my/connected-apps/{wallet.id}/disconnect", {}, token_from="/my/connected-apps")
    assert client.get("/ims/ob/v3p0/profile", headers=headers).status_code == 200


def test_consent_cannot_grant_a_scope_the_app_did_not_ask_for(client, learner):
    wallet, _secret = make_client()
    client.sign_in(learner.email)
    url = (
        f"/oauth/authorize?response_type=code&client_id={wallet.client_id}"
        f"&redirect_uri={REDIRECT_URI}&scope={ObScope.PROFILE_READONLY}"
        "&code_challenge=" + "a" * 43 + "&code_challenge_method=S256&state=s"
    )
    response = client.submit(
        url, {"approve": "1", "approved_scope": [ObScope.PROFILE_UPDATE.value]}
    )
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OAuthToken)) == 0


def test_unknown_client_is_explained_on_our_page(client, learner):
    client.sign_in(learner.email)
    response = client.get(
        f"/oauth/authorize?response_type=code&client_id=nobody&redirect_uri={REDIRECT_URI}"
    )
    assert response.status_code == 400
    assert "invalid_client" in response.get_data(as_text=True)
