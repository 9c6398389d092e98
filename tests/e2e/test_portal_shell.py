"""A demo learner signs in and sees their dashboard; axe-core finds no serious violation."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import serious_axe_violations
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

LEARNER = "learner@demo.pathways.example"


def test_sign_in_page_is_accessible(live_server, page):
    page.goto(live_server.url + "/sign-in")
    assert page.title() == "Sign in · Pathways"
    assert serious_axe_violations(page) == []


def test_demo_learner_signs_in_and_sees_the_dashboard(live_server, page):
    sign_in(page, live_server, LEARNER)
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Dana Learner"
    assert page.get_by_role("heading", name="Learner", exact=True).is_visible()
    assert serious_axe_violations(page) == []


def test_wrong_password_shows_a_readable_message(live_server, page):
    page.goto(live_server.url + "/sign-in")
    page.get_by_label("Email").fill(LEARNER)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("status").inner_text() == "That email and password do not match."


def test_language_switch_turns_the_page_french(live_server, page):
    page.goto(live_server.url + "/sign-in")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Se connecter"


def test_dashboard_works_on_a_phone(live_server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, bypass_csp=True)
    page = context.new_page()
    try:
        sign_in(page, live_server, LEARNER)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375
    finally:
        context.close()
