"""The whole OAuth 2.0 dance over real HTTP, driven by Authlib's client (not our server code).

Discovery -> registration -> consent (signed in through the form, CSRF token posted) ->
code exchange with PKCE -> the Open Badges API -> refresh (rotation) -> revocation, and
the refusals a wallet must meet: wrong scope, no or expired token, missing PKCE, another
redirect URI, another learner's credentials.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
import requests
import sqlalchemy as sa
from authlib.integrations.base_client import OAuthError
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pathways.credentials import multikey
from pathways.credentials import signing
from pathways.credentials.jsonld import OB_V3
from pathways.credentials.jsonld import VC_V2
from pathways.credentials.models import IssuedCredential
from pathways.db import db
from pathways.db import transaction
from pathways.oauth.enums import ObScope
from pathways.oauth.models import HeldCredential
from pathways.oauth.models import OAuthToken
from tests.oauth.wallet import REDIRECT_URI
from tests.oauth.wallet import TIMEOUT
from tests.oauth.wallet import Browser
from tests.oauth.wallet import Wallet
from tests.oauth.wallet import query_of

pytestmark = pytest.mark.integration

SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "spec" / "ob_v3p0" / "schema"


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text())


def validate(instance, name: str) -> None:
    jsonschema.Draft201909Validator(schema(name)).validate(instance)


def stored_documents(user_id: int) -> list[dict]:
    rows = db.session.scalars(
        sa.select(IssuedCredential)
        .where(IssuedCredential.user_id == user_id)
        .order_by(IssuedCredential.issued_at, IssuedCredential.id)
    )
    return [json.loads(row.document) for row in rows]


def connect(live_app, learner, scope: str | None = None) -> tuple[Wallet, dict]:
    """Register a wallet, let `learner` approve it, exchange the code: (wallet, token)."""
    wallet = Wallet.registered(live_app)
    url, state = wallet.authorization_url(scope)
    browser = Browser(live_app)
    browser.sign_in(learner.email)
    callback = browser.consent(url)
    assert query_of(callback)["state"] == state
    return wallet, wallet.fetch_token(callback)


def outside_credential(credential_id: str = "urn:uuid:5b1f3c0e-8a8e-4a5e-9d55-1f7c3a2b9e10"):
    """An OpenBadgeCredential signed by an outside issuer's did:key (no network needed)."""
    private = Ed25519PrivateKey.generate()
    public = multikey.encode_public(private.public_key())
    did = f"did:key:{public}"
    document = {
        "@context": [VC_V2, OB_V3],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Outside Institute"},
        "validFrom": "2020-01-05T10:00:00Z",
        "name": "Forklift safety",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://outside.example/achievements/forklift",
                "type": ["Achievement"],
                "name": "Forklift safety",
                "description": "Operates a forklift safely.",
                "criteria": {"narrative": "Passed the practical test."},
            },
        },
    }
    return signing.sign(
        document, private, verification_method=f"{did}#{public}", created="2020-01-05T10:00:00Z"
    )


def test_discovery_names_the_oauth_endpoints_and_the_four_scopes(live_app):
    document = requests.get(f"{live_app}/ims/ob/v3p0/discovery", timeout=TIMEOUT).json()
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    assert document["openapi"] == "3.0.1"
    assert document["info"]["x-imssf-privacyPolicyUrl"] == f"{live_app}/oauth/privacy"
    assert document["servers"] == [{"url": f"{live_app}/ims/ob/v3p0"}]
    assert sorted(document["paths"]) == ["/credentials", "/discovery", "/profile"]
    assert (scheme["type"], scheme["x-imssf-registrationUrl"]) == (
        "oauth2",
        f"{live_app}/oauth/register",
    )
    assert (flow["authorizationUrl"], flow["tokenUrl"], flow["refreshUrl"]) == (
        f"{live_app}/oauth/authorize",
        f"{live_app}/oauth/token",
        f"{live_app}/oauth/token",
    )
    assert sorted(flow["scopes"]) == sorted(scope.value for scope in ObScope)


def test_full_dance_reads_exactly_the_learners_credentials(live_app, holders):
    wallet, token = connect(live_app, holders.learner)
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 900
    assert token["scope"] == " ".join(scope.value for scope in ObScope)
    assert token["refresh_token"]

    response = wallet.session.get(wallet.api("/credentials"), timeout=TIMEOUT)

    assert response.status_code == 200, response.text
    body = response.json()
    validate(body, "getopenbadgecredentialsresponse.json")
    assert body == {"credential": stored_documents(holders.learner.id), "compactJwsString": []}
    assert len(body["credential"]) == 2
    assert response.headers["X-Total-Count"] == "2"
    assert all(
        c["id"] not in json.dumps(stored_documents(holders.other.id)) for c in body["credential"]
    )


def test_paging_follows_the_link_header(live_app, holders):
    wallet, _token = connect(live_app, holders.learner)
    first = wallet.session.get(wallet.api("/credentials?limit=1"), timeout=TIMEOUT)
    assert first.headers["X-Total-Count"] == "2"
    assert first.links["next"]["url"] == wallet.api("/credentials?limit=1&offset=1")
    assert first.links["last"]["url"] == wallet.api("/credentials?limit=1&offset=1")
    assert first.links["first"]["url"] == wallet.api("/credentials?limit=1&offset=0")
    assert "prev" not in first.links
    second = wallet.session.get(first.links["next"]["url"], timeout=TIMEOUT)
    assert "next" not in second.links
    assert second.links["prev"]["url"] == wallet.api("/credentials?limit=1&offset=0")
    assert first.json()["credential"] + second.json()["credential"] == stored_documents(
        holders.learner.id
    )


def test_another_learner_sees_only_their_own(live_app, holders):
    wallet, _token = connect(live_app, holders.other)
    body = wallet.session.get(wallet.api("/credentials"), timeout=TIMEOUT).json()
    assert body["credential"] == stored_documents(holders.other.id)
    assert len(body["credential"]) == 1


def test_refresh_rotates_and_the_old_tokens_stop_working(live_app, holders):
    wallet, token = connect(live_app, holders.learner)
    old_access, old_refresh = token["access_token"], token["refresh_token"]

    renewed = wallet.session.refresh_token(wallet.urls["refresh"])

    assert renewed["refresh_token"] != old_refresh
    assert renewed["access_token"] != old_access
    assert renewed["scope"] == token["scope"]
    fresh = wallet.session.get(wallet.api("/profile"), timeout=TIMEOUT)
    assert fresh.status_code == 200
    stale = requests.get(
        wallet.api("/profile"), headers={"Authorization": f"Bearer {old_access}"}, timeout=TIMEOUT
    )
    assert stale.status_code == 401
    # The rotated refresh token again: refused, and the whole grant is revoked (reuse).
    with pytest.raises(OAuthError) as refused:
        wallet.session.refresh_token(wallet.urls["refresh"], refresh_token=old_refresh)
    assert refused.value.error == "invalid_grant"
    after_reuse = wallet.session.get(wallet.api("/profile"), timeout=TIMEOUT)
    assert after_reuse.status_code == 401


def test_wrong_scope_is_refused_with_imsx_status(live_app, holders):
    wallet, token = connect(live_app, holders.learner, scope=ObScope.PROFILE_READONLY.value)
    assert token["scope"] == ObScope.PROFILE_READONLY.value

    response = wallet.session.get(wallet.api("/credentials"), timeout=TIMEOUT)

    assert response.status_code == 403
    body = response.json()
    validate(body, "imsx_statusinfo.json")
    assert (body["imsx_codeMajor"], body["imsx_severity"]) == ("failure", "error")
    assert body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == (
        "forbidden"
    )
    assert response.headers["WWW-Authenticate"] == (
        f'Bearer realm="pathways", error="insufficient_scope", '
        f'scope="{ObScope.CREDENTIAL_READONLY.value}"'
    )


def test_learner_approves_only_some_scopes(live_app, holders):
    wallet = Wallet.registered(live_app)
    url, _state = wallet.authorization_url()
    browser = Browser(live_app)
    browser.sign_in(holders.learner.email)
    callback = browser.consent(url, scopes=[ObScope.PROFILE_READONLY.value])
    token = wallet.fetch_token(callback)
    assert token["scope"] == ObScope.PROFILE_READONLY.value
    assert wallet.session.get(wallet.api("/credentials"), timeout=TIMEOUT).status_code == 403
    profile = wallet.session.get(wallet.api("/profile"), timeout=TIMEOUT)
    assert profile.json()["name"] == holders.learner.display_name


@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Basic dXNlcjpwYXNz"])
def test_missing_or_unknown_token_is_401(live_app, header):
    headers = {"Authorization": header} if header else {}
    response = requests.get(f"{live_app}/ims/ob/v3p0/credentials", headers=headers, timeout=TIMEOUT)
    assert response.status_code == 401
    validate(response.json(), "imsx_statusinfo.json")
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="pathways"')


def test_expired_token_is_401(live_app, holders):
    wallet, token = connect(live_app, holders.learner)
    with transaction():
        row = db.session.scalar(
            sa.select(OAuthToken).where(OAuthToken.user_id == holders.learner.id)
        )
        row.access_expires_at = row.issued_at - timedelta(seconds=1)
    response = wallet.session.get(wallet.api("/credentials"), timeout=TIMEOUT)
    assert response.status_code == 401
    assert (
        response.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        == "unauthorizedrequest"
    )
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_authorization_without_pkce_is_sent_back_with_an_error(live_app, holders):
    wallet = Wallet.registered(live_app)
    session = wallet.oauth()
    session.code_challenge_method = None
    url, state = session.create_authorization_url(wallet.urls["authorization"])
    browser = Browser(live_app)
    browser.sign_in(holders.learner.email)

    response = browser.consent_page(url)

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    assert query_of(location)["error"] == "invalid_request"
    assert query_of(location)["state"] == state


def test_token_exchange_without_the_verifier_is_refused(live_app, holders):
    wallet = Wallet.registered(live_app)
    url, _state = wallet.authorization_url()
    browser = Browser(live_app)
    browser.sign_in(holders.learner.email)
    code = query_of(browser.consent(url))["code"]

    response = requests.post(
        wallet.urls["token"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        auth=(wallet.client_id, wallet.client_secret),
        timeout=TIMEOUT,
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_redirect_uri_mismatch_is_refused_on_our_page(live_app, holders):
    wallet = Wallet.registered(live_app)
    session = wallet.oauth()
    session.redirect_uri = "https://evil.example/callback"
    url, _state = session.create_authorization_url(
        wallet.urls["authorization"], code_verifier=wallet.verifier
    )
    browser = Browser(live_app)
    browser.sign_in(holders.learner.email)

    response = browser.consent_page(url)

    assert response.status_code == 400
    assert "evil.example" not in response.headers.get("Location", "")
    assert "request cannot be accepted" in response.text


def test_token_exchange_with_another_redirect_uri_is_refused(live_app, holders):
    wallet = Wallet.registered(live_app, redirect_uris=[REDIRECT_URI, "https://wallet.example/cb"])
    url, _state = wallet.authorization_url()
    browser = Browser(live_app)
    browser.sign_in(holders.learner.email)
    code = query_of(browser.consent(url))["code"]

    response = requests.post(
        wallet.urls["token"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "https://wallet.example/cb",
            "code_verifier": wallet.verifier,
        },
        auth=(wallet.client_id, wallet.client_secret),
        timeout=TIMEOUT,
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_replayed_code_is_refused_and_revokes_what_it_gave(live_app, holders):
    wallet = Wallet.registered(live_app)
    url, _state = wallet.authorization_url()
    browser = Browser(live_app)
    browser.sign_in(holders.learner.email)
    callback = browser.consent(url)
    wallet.fetch_token(callback)

    with pytest.raises(OAuthError) as refused:
        wallet.fetch_token(callback)

    assert refused.value.error == "invalid_grant"
    assert wallet.session.get(wallet.api("/profile"), timeout=TIMEOUT).status_code == 401


def test_denying_sends_access_denied_back(live_app, holders):
    wallet = Wallet.registered(live_app)
    url, state = wallet.authorization_url()
    browser = Browser(live_app)
    browser.sign_in(holders.learner.email)

    response = browser.answer(url, approve=False)

    assert response.status_code == 302
    assert query_of(response.headers["Location"]) == {
        "error": "access_denied",
        "error_description": "The resource owner or authorization server denied the request",
        "state": state,
    }


def test_signed_out_learner_signs_in_first_and_comes_back(live_app, holders):
    wallet = Wallet.registered(live_app)
    url, _state = wallet.authorization_url()
    browser = Browser(live_app)

    response = browser.consent_page(url)

    assert response.status_code == 302
    next_url = query_of(response.headers["Location"])["next"]
    assert next_url.startswith("/oauth/authorize?")
    browser.sign_in(holders.learner.email, next_url=next_url)
    page = browser.consent_page(url)
    assert page.status_code == 200
    assert "Test Wallet" in page.text
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_consent_without_the_csrf_token_is_refused(live_app, holders):
    wallet = Wallet.registered(live_app)
    url, _state = wallet.authorization_url()
    browser = Browser(live_app)
    browser.sign_in(holders.learner.email)

    response = browser.post(
        url,
        data={"approve": "1", "approved_scope": [ObScope.PROFILE_READONLY.value]},
        allow_redirects=False,
        timeout=TIMEOUT,
    )

    assert response.status_code == 400
    assert "Location" not in response.headers


def test_revocation_ends_the_grant(live_app, holders):
    wallet, token = connect(live_app, holders.learner)
    response = wallet.session.revoke_token(
        f"{live_app}/oauth/revoke", token=token["refresh_token"], token_type_hint="refresh_token"
    )
    assert response.status_code == 200
    assert wallet.session.get(wallet.api("/profile"), timeout=TIMEOUT).status_code == 401
    with pytest.raises(OAuthError):
        wallet.session.refresh_token(wallet.urls["refresh"])


def test_profile_read_and_renamed(live_app, holders):
    wallet, _token = connect(live_app, holders.learner)
    profile = wallet.session.get(wallet.api("/profile"), timeout=TIMEOUT).json()
    validate(profile, "profile.json")
    assert (profile["name"], profile["email"]) == ("Ana Learner", holders.learner.email)

    profile["name"] = "Ana L. Learner"
    response = wallet.session.put(wallet.api("/profile"), json=profile, timeout=TIMEOUT)

    assert response.status_code == 200, response.text
    assert response.json() == profile
    again = wallet.session.get(wallet.api("/profile"), timeout=TIMEOUT).json()
    assert again["name"] == "Ana L. Learner"


def test_upsert_keeps_an_outside_credential_and_returns_it(live_app, holders):
    wallet, _token = connect(live_app, holders.learner)
    credential = outside_credential()
    text = json.dumps(credential, indent=1)

    created = wallet.session.post(
        wallet.api("/credentials"),
        data=text.encode(),
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    again = wallet.session.post(wallet.api("/credentials"), json=credential, timeout=TIMEOUT)

    assert (created.status_code, created.text) == (201, text)
    assert (again.status_code, again.json()) == (200, credential)
    rows = db.session.scalars(
        sa.select(HeldCredential).where(HeldCredential.user_id == holders.learner.id)
    ).all()
    assert [(r.credential_id, r.issuer_id, r.name) for r in rows] == [
        (credential["id"], credential["issuer"]["id"], "Forklift safety")
    ]
    assert rows[0].verified is True
    assert {c["check"]: c["passed"] for c in rows[0].verification}["proof"] is True
    listed = wallet.session.get(wallet.api("/credentials"), timeout=TIMEOUT).json()
    assert listed["credential"] == [credential, *stored_documents(holders.learner.id)]


def test_a_tampered_outside_credential_is_kept_unverified(live_app, holders):
    wallet, _token = connect(live_app, holders.learner)
    credential = outside_credential()
    credential["name"] = "Forklift mastery"

    response = wallet.session.post(wallet.api("/credentials"), json=credential, timeout=TIMEOUT)

    assert response.status_code == 201
    row = db.session.scalar(sa.select(HeldCredential))
    assert row.verified is False
    assert {c["check"]: c["passed"] for c in row.verification}["proof"] is False


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"not json", "application/json"),
        (b'{"type": ["VerifiableCredential"], "id": "x", "issuer": "y"}', "application/json"),
        (b'{"type": ["VerifiableCredential", "OpenBadgeCredential"]}', "application/json"),
        (b"only.two", "text/plain"),
        (b"<xml/>", "application/xml"),
    ],
)
def test_upsert_refuses_what_is_not_a_badge(live_app, holders, body, content_type):
    wallet, _token = connect(live_app, holders.learner)
    response = wallet.session.post(
        wallet.api("/credentials"),
        data=body,
        headers={"Content-Type": content_type},
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    validate(response.json(), "imsx_statusinfo.json")
    assert db.session.scalar(sa.select(sa.func.count(HeldCredential.id))) == 0


def test_upsert_of_our_own_credential_is_already_held(live_app, holders):
    wallet, _token = connect(live_app, holders.learner)
    [first, _second] = stored_documents(holders.learner.id)

    response = wallet.session.post(wallet.api("/credentials"), json=first, timeout=TIMEOUT)

    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(HeldCredential.id))) == 0


def test_client_secret_post_wallets_and_wrong_secrets(live_app, holders):
    wallet = Wallet.registered(live_app, token_endpoint_auth_method="client_secret_post")
    assert wallet.auth_method == "client_secret_post"
    url, _state = wallet.authorization_url()
    browser = Browser(live_app)
    browser.sign_in(holders.learner.email)
    callback = browser.consent(url)
    code = query_of(callback)["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": wallet.verifier,
    }

    basic = requests.post(
        wallet.urls["token"],
        data=form,
        auth=(wallet.client_id, wallet.client_secret),
        timeout=TIMEOUT,
    )
    wrong = requests.post(
        wallet.urls["token"],
        data={**form, "client_id": wallet.client_id, "client_secret": "not-the-secret"},
        timeout=TIMEOUT,
    )
    token = wallet.fetch_token(callback)

    assert (basic.status_code, basic.json()["error"]) == (401, "invalid_client")
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    assert wallet.session.get(wallet.api("/profile"), timeout=TIMEOUT).status_code == 200
    assert token["token_type"] == "Bearer"
