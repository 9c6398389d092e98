"""A learner connects a wallet in a real browser: the consent page is accessible, in English
and French, and Allow sends the browser back to the wallet with a code Authlib's client
exchanges for a token that reads the learner's credentials."""

from __future__ import annotations

import pytest

from pathways.oauth.enums import ObScope
from tests.e2e.conftest import serious_axe_violations
from tests.e2e.conftest import sign_in
from tests.oauth.wallet import REDIRECT_URI
from tests.oauth.wallet import TIMEOUT
from tests.oauth.wallet import Wallet
from tests.oauth.wallet import query_of

pytestmark = pytest.mark.e2e

LEARNER = "learner@demo.pathways.example"


def test_learner_allows_a_wallet_from_an_accessible_consent_page(live_server, page):
    wallet = Wallet.registered(live_server.url, client_name="Demo Backpack")
    url, state = wallet.authorization_url(
        f"{ObScope.CREDENTIAL_READONLY} {ObScope.PROFILE_READONLY}"
    )
    sign_in(page, live_server, LEARNER)

    page.goto(url)

    assert page.get_by_role("heading", level=1).inner_text() == (
        "Connect Demo Backpack to your account"
    )
    assert page.get_by_label("See your name and email address").is_checked()
    assert serious_axe_violations(page) == []

    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Connecter Demo Backpack à votre compte"
    )
    assert serious_axe_violations(page) == []

    callbacks = []
    page.route(
        REDIRECT_URI + "**",
        lambda route: (callbacks.append(route.request.url), route.fulfill(body="back"))[1],
    )
    page.get_by_role("button", name="Autoriser").click()
    page.wait_for_url(REDIRECT_URI + "**")

    [callback] = callbacks
    assert query_of(callback)["state"] == state
    token = wallet.fetch_token(callback)
    assert token["scope"] == f"{ObScope.CREDENTIAL_READONLY} {ObScope.PROFILE_READONLY}"
    response = wallet.session.get(wallet.api("/credentials"), timeout=TIMEOUT)
    assert response.status_code == 200
    assert sorted(response.json()) == ["compactJwsString", "credential"]
    profile = wallet.session.get(wallet.api("/profile"), timeout=TIMEOUT).json()
    assert profile["name"] == "Dana Learner"
