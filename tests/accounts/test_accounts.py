"""Sign-up, sign-in and its throttle, password reset, invitations, language choice."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.accounts.models import Membership
from pathways.accounts.models import User
from pathways.db import db
from tests.factories import PASSWORD
from tests.factories import make_organisation
from tests.factories import make_user

pytestmark = pytest.mark.integration


def _user(email):
    return db.session.scalar(sa.select(User).filter_by(email=email))


def test_sign_up_creates_a_learner_with_a_slow_hash(client):
    response = client.submit(
        "/sign-up",
        {
            "display_name": "Ana Silva",
            "email": "Ana@Example.com",
            "password": "a long passphrase",
            "confirm": "a long passphrase",
        },
    )
    assert response.status_code == 302
    user = _user("ana@example.com")
    assert (user.display_name, user.roles) == ("Ana Silva", {Role.LEARNER})
    assert user.password_hash.startswith("pbkdf2:sha256:1000$")  # tests' cheap setting
    assert "a long passphrase" not in user.password_hash
    assert client.get("/dashboard").status_code == 200


def test_sign_up_refuses_a_taken_email_and_keeps_data(client):
    make_user(email="taken@example.com")
    response = client.submit(
        "/sign-up",
        {
            "display_name": "X",
            "email": "taken@example.com",
            "password": "a long passphrase",
            "confirm": "a long passphrase",
        },
    )
    assert response.status_code == 400
    assert "An account with that email exists." in response.get_data(as_text=True)
    assert (
        db.session.scalar(sa.select(sa.func.count(User.id)).filter_by(email="taken@example.com"))
        == 1
    )


def test_form_post_without_csrf_token_is_refused(client):
    response = client.post("/sign-in", data={"email": "a@b.test", "password": "x"})
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.get_data(as_text=True)


def test_sign_in_and_out(client):
    user = make_user()
    response = client.submit("/sign-in", {"email": user.email, "password": PASSWORD})
    assert (response.status_code, response.headers["Location"]) == (302, "/dashboard")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    response = client.submit("/sign-out", {}, token_from="/dashboard")
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_sign_in_next_only_goes_to_this_site(client):
    user = make_user()
    response = client.submit(
        "/sign-in", {"email": user.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/dashboard"


def test_repeated_failures_are_throttled_and_logged(app, client, caplog, monkeypatch):
    caplog.set_level(logging.WARNING, logger="pathways.accounts.services")
    # A long step keeps the delay running however slow the machine is between requests.
    monkeypatch.setitem(app.config, "SIGNIN_DELAY_STEP", 60.0)
    user = make_user()
    for _ in range(3):
        response = client.submit("/sign-in", {"email": user.email, "password": "wrong wrong"})
        assert response.status_code == 400
    db.session.refresh(user)
    assert user.failed_signin_count == 3
    # The right password is refused while the delay runs.
    response = client.submit("/sign-in", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Too many failed attempts" in response.get_data(as_text=True)
    assert [r.message for r in caplog.records if r.message.startswith("sign-in")].count(
        "sign-in failed"
    ) == 3
    assert any(r.message == "sign-in throttled" for r in caplog.records)
    # Once the delay has passed, the right password works and resets the count.
    user.last_failed_signin_at -= timedelta(seconds=120)
    db.session.commit()
    client.sign_in(user.email)
    db.session.refresh(user)
    assert user.failed_signin_count == 0


def test_password_reset_by_signed_token(client, outbox):
    user = make_user(email="reset@example.com")
    response = client.submit("/password/forgot", {"email": "reset@example.com"})
    assert response.status_code == 302
    assert len(outbox) == 1 and outbox[0]["To"] == "reset@example.com"
    link = re.search(r"http://localhost(/password/reset/\S+)", outbox[0].get_content()).group(1)
    response = client.submit(
        link, {"password": "a new long password", "confirm": "a new long password"}
    )
    assert response.status_code == 302
    client.sign_in(user.email, "a new long password")
    # The same link is single-use: the password it was made for is gone.
    response = client.get(link)
    assert response.status_code == 400
    assert "already been used" in response.get_data(as_text=True)


def test_password_reset_for_unknown_email_says_the_same(client, outbox):
    response = client.submit("/password/forgot", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert outbox == []


def test_tampered_reset_token_is_refused(client):
    response = client.get("/password/reset/not-a-token")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_admin_invites_a_new_member(client, outbox):
    college = make_organisation(OrganisationKind.COLLEGE, code="north")
    admin = make_user(Role.COLLEGE_ADMIN, organisation=college)
    client.sign_in(admin.email)
    response = client.submit(
        "/organisations/north/members",
        {"email": "new.editor@example.com", "role": "college_editor"},
    )
    assert response.status_code == 302
    link = re.search(r"http://localhost(/invitations/\S+)", outbox[0].get_content()).group(1)
    client.submit("/sign-out", {}, token_from="/dashboard")
    response = client.submit(link, {"display_name": "New Editor", "password": "editor passphrase"})
    assert response.status_code == 302
    user = _user("new.editor@example.com")
    assert [(m.organisation.code, m.role) for m in user.memberships] == [
        ("north", Role.COLLEGE_EDITOR)
    ]
    assert client.submit(link, {"password": "editor passphrase"}).status_code == 409


def test_admin_of_another_college_cannot_invite(client):
    make_organisation(OrganisationKind.COLLEGE, code="south")
    admin = make_user(Role.COLLEGE_ADMIN)
    client.sign_in(admin.email)
    response = client.get("/organisations/south/members")
    assert response.status_code == 403


def test_invitation_to_a_role_the_organisation_kind_lacks_is_refused(client):
    partner = make_organisation(OrganisationKind.INDUSTRY_PARTNER, code="acme")
    admin = make_user(Role.PLATFORM_ADMIN)
    client.sign_in(admin.email)
    response = client.submit(
        "/organisations/acme/members", {"email": "x@example.com", "role": "college_editor"}
    )
    assert response.status_code == 400
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Membership.id)).filter_by(organisation_id=partner.id)
        )
        == 0
    )


def test_language_switch_is_remembered_for_the_user(client):
    user = make_user()
    client.sign_in(user.email)
    response = client.submit(
        "/language", {"locale": "fr", "next": "/dashboard"}, token_from="/dashboard"
    )
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Tableau de bord" in page
    db.session.refresh(user)
    assert user.locale == "fr"


def test_accept_language_picks_french_for_anonymous_visitors(client):
    page = client.get("/sign-in", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert 'lang="fr"' in page.get_data(as_text=True)
    assert "Mot de passe" in page.get_data(as_text=True)


def test_demo_command_is_idempotent(app, database):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["pathways", "demo"])
    assert first.exit_code == 0, first.output
    assert "account learner@demo.pathways.example" in first.output
    second = runner.invoke(args=["pathways", "demo"])
    assert "already present, nothing changed" in second.output
    passwords = re.findall(
        r"learner@demo\.pathways\.example\s+learner\s+(\S+)", first.output + second.output
    )
    assert len(passwords) == 2 and passwords[0] == passwords[1]


def test_platform_admin_creates_an_organisation(client):
    admin = make_user(Role.PLATFORM_ADMIN)
    client.sign_in(admin.email)
    response = client.submit(
        "/organisations",
        {"code": "lakeside-college", "name": "Lakeside College", "kind": "college"},
    )
    assert (response.status_code, response.headers["Location"]) == (
        302,
        "/organisations/lakeside-college/members",
    )
    response = client.submit("/organisations", {"code": "Bad Code", "name": "X", "kind": "college"})
    assert response.status_code == 400
    assert "Lowercase letters, digits and hyphens only." in response.get_data(as_text=True)


def test_college_admin_cannot_create_organisations(client):
    admin = make_user(Role.COLLEGE_ADMIN)
    client.sign_in(admin.email)
    response = client.submit(
        "/organisations",
        {"code": "x-college", "name": "X", "kind": "college"},
        token_from="/organisations",
    )
    assert response.status_code == 403
