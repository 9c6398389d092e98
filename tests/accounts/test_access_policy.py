"""Every route declares an access rule, and each role is refused where it must be."""

from __future__ import annotations

import re

import pytest

from pathways.accounts.enums import Role
from tests.factories import make_api_client
from tests.factories import make_user

pytestmark = pytest.mark.integration


def test_every_route_declares_an_access_rule(app):
    missing = sorted(
        f"{rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if not hasattr(app.view_functions[rule.endpoint], "access_rule")
    )
    assert missing == []


def test_removing_a_rule_is_detected(app):
    """The walk above really inspects views: a bare view is reported."""
    from flask import Flask

    bare = Flask("bare")

    @bare.get("/x")
    def x():
        return "x"

    missing = [
        r.rule
        for r in bare.url_map.iter_rules()
        if not hasattr(bare.view_functions[r.endpoint], "access_rule")
    ]
    assert missing == ["/static/<path:filename>", "/x"]


def _sample_url(rule) -> str:
    url = rule.rule
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", url):
        value = "1" if converter == "int" else "demo-college" if name == "code" else "x"
        url = re.sub(r"<(?:\w+:)?" + name + ">", value, url, count=1)
    return url


def _guarded_routes(app, kinds):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        access = app.view_functions[rule.endpoint].access_rule
        if access.kind in kinds:
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield rule, method, access


def test_anonymous_is_refused_everywhere_but_public_routes(app, client):
    seen = 0
    for rule, method, _access in _guarded_routes(app, {"signed_in", "roles", "api"}):
        response = client.open(_sample_url(rule), method=method)
        seen += 1
        expected = {302} if not rule.rule.startswith("/api/") else {401}
        assert response.status_code in expected | {401}, (rule.rule, method, response.status_code)
        if response.status_code == 302:
            assert "/sign-in" in response.headers["Location"]
    assert seen >= 5


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_refused_outside_its_rules(app, client, role):
    """A signed-in user without the rule's roles gets 403, never 500 or success."""
    user = make_user(role)
    client.sign_in(user.email)
    checked = 0
    for rule, method, access in _guarded_routes(app, {"roles", "api"}):
        if not access.roles or role in access.roles:
            continue
        url = _sample_url(rule)
        headers = {"X-CSRFToken": client.csrf_token("/dashboard")} if method != "GET" else {}
        response = client.open(url, method=method, headers=headers)
        assert response.status_code == 403, (role, rule.rule, method, response.status_code)
        checked += 1
    assert checked >= 1 or role in (Role.COLLEGE_ADMIN, Role.PLATFORM_ADMIN)


def test_api_client_without_scope_is_refused(app, client):
    created = make_api_client(scopes=("catalog:read",))
    for rule, method, access in _guarded_routes(app, {"api"}):
        if "catalog:read" in access.scopes and len(access.scopes) == 1:
            continue
        response = client.open(
            _sample_url(rule),
            method=method,
            headers={"Authorization": f"Bearer {created.bearer_token}"},
        )
        assert response.status_code == 403, (rule.rule, method, response.status_code)
        assert response.mimetype == "application/problem+json"


def test_wrong_client_secret_is_401(client):
    created = make_api_client(scopes=("catalog:read",))
    response = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {created.client.key_id}.nope"}
    )
    assert response.status_code == 401
    assert response.json["title"] == "Unauthorized"


def test_open_badges_api_refuses_requests_without_a_bearer_token(app, client):
    """The OB 3.0 API's routes take an OAuth 2.0 access token: none gives 401, never a page."""
    checked = []
    for rule, method, access in _guarded_routes(app, {"protocol"}):
        if not access.note.startswith("OAuth 2.0 bearer access token"):
            continue
        response = client.open(_sample_url(rule), method=method)
        assert (response.status_code, response.json["imsx_codeMajor"]) == (401, "failure")
        checked.append(f"{method} {rule.rule}")
    assert checked == [
        "GET /ims/ob/v3p0/credentials",
        "POST /ims/ob/v3p0/credentials",
        "GET /ims/ob/v3p0/profile",
        "PUT /ims/ob/v3p0/profile",
    ]


# The learner's credentials and notices are theirs alone (someone else's credential is 404,
# tests/credentials/test_wallet.py); a credential's public page is for anyone while it is on.
WALLET_RULES = {
    "wallet.list_credentials": "signed_in",
    "wallet.show_credential": "signed_in",
    "wallet.download_credential": "signed_in",
    "wallet.download_badge_png": "signed_in",
    "wallet.download_badge_svg": "signed_in",
    "wallet.set_public_link": "signed_in",
    "wallet.list_notices": "signed_in",
    "wallet.mark_notices_read": "signed_in",
    "wallet.show_public_credential": "public",
    "wallet.public_badge_png": "public",
}


def test_wallet_routes_declare_who_may_use_them(app, client):
    declared = {
        rule.endpoint: app.view_functions[rule.endpoint].access_rule.kind
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("wallet.")
    }
    assert declared == WALLET_RULES
    # Anonymous: a public page that is not on is simply not found, never a sign-in.
    assert client.get("/credentials/not-a-live-link").status_code == 404
    assert client.get("/credentials/not-a-live-link/badge.png").status_code == 404


# Verification, employers' shares, outside credentials (pathways/credentials/verify_views.py):
# who may open each page; everyone else signed in gets 403, anonymous visitors sign in first.
VERIFY_PAGES = {
    "/verify": None,  # public
    "/employer/shared": {Role.EMPLOYER_VERIFIER},
    "/employer/verifications": {Role.EMPLOYER_VERIFIER},
    "/my/shares": {Role.LEARNER},
    "/my/credentials/import": {Role.LEARNER},
    "/admin/trusted-issuers": {Role.PLATFORM_ADMIN},
    "/admin/achievement-mappings": {Role.PLATFORM_ADMIN},
}


@pytest.mark.parametrize("role", [None, *Role])
def test_verify_share_and_trust_pages_by_role(client, role):
    if role is not None:
        client.sign_in(make_user(role).email)
    seen = {path: client.get(path).status_code for path in VERIFY_PAGES}
    expected = {
        path: 200 if roles is None or role in roles else 302 if role is None else 403
        for path, roles in VERIFY_PAGES.items()
    }
    assert seen == expected
    api = client.post("/api/v1/verify", json={"not": "a credential"})
    assert (api.status_code, api.json["verified"]) == (200, False)  # public, no CSRF token


# LTI and LRS pages for people (pathways/lti/views.py, college_views.py, course_views.py,
# pathways/xapi/views.py): what each role gets at each. None: any signed-in user; an
# anonymous visitor signs in first (302). The link page sends accounts that no LMS launch
# made (every role here) on to their dashboard (302); the mailed link is public and
# refuses a token it did not issue (400). A college's LMS connections and LRS connections
# are its admins' (a college admin here administers another college: 403) and platform
# admins'. The courses page lists what each person teaches in an LMS (none here).
LTI_PAGES = {
    "/lti/link-account": (None, 302),
    "/organisations/matrix-college/lms": ({Role.PLATFORM_ADMIN}, 200),
    "/organisations/matrix-college/lrs/{client}": ({Role.PLATFORM_ADMIN}, 200),
    "/courses": (None, 200),
}


@pytest.mark.parametrize("role", [None, *Role])
def test_lti_pages_by_role(client, role):
    from tests.factories import make_organisation

    college = make_organisation(code="matrix-college")
    lms = make_api_client(college, scopes=("xapi:write",))
    pages = {path.format(client=lms.client.id): rule for path, rule in LTI_PAGES.items()}
    if role is not None:
        client.sign_in(make_user(role).email)
    seen = {path: client.get(path).status_code for path in pages}
    expected = {
        path: 302 if role is None else ok if roles is None or role in roles else 403
        for path, (roles, ok) in pages.items()
    }
    assert seen == expected
    assert client.get("/lti/link-account/not-a-token").status_code == 400
