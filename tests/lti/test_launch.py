"""LTI 1.3 OIDC login and launch, driven as a platform would (keys and JWTs made by the
test with `cryptography`, JWKS served by a fake platform on 127.0.0.1)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from pathways.accounts.enums import Role
from pathways.accounts.models import ExternalIdentity
from pathways.accounts.models import Membership
from pathways.accounts.models import User
from pathways.db import db
from pathways.lti.models import LtiContext
from pathways.lti.models import LtiContextMember
from pathways.lti.models import LtiLoginState
from pathways.lti.models import LtiPlatform
from pathways.lti.models import LtiResourceLink
from tests.factories import make_organisation
from tests.factories import make_user
from tests.lti.factories import ADMINISTRATOR
from tests.lti.factories import INSTRUCTOR
from tests.lti.factories import LTI
from tests.lti.factories import PlatformServer
from tests.lti.factories import register_platform
from tests.lti.factories import row_counts
from tests.lti.factories import start_login

pytestmark = pytest.mark.integration


@pytest.fixture
def fake():
    with PlatformServer() as platform:
        platform.add_key("k1")
        yield platform


@pytest.fixture
def college(database):
    return make_organisation(code="lti-college")


@pytest.fixture
def registered(fake, college):
    return register_platform(fake, organisation=college)


def launch(client, token: str, state: str):
    return client.post("/lti/launch", data={"id_token": token, "state": state})


def test_login_redirects_to_the_platform_with_state_and_nonce_stored(client, fake, registered):
    response = client.get(
        "/lti/login",
        query_string={
            "iss": fake.issuer,
            "login_hint": "lh-9",
            "target_link_uri": "http://localhost/lti/launch",
            "lti_message_hint": "mh-3",
            "client_id": fake.client_id,
        },
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(fake.base + "/auth?")
    from urllib.parse import parse_qsl
    from urllib.parse import urlsplit

    query = dict(parse_qsl(urlsplit(location).query))
    row = db.session.scalar(sa.select(LtiLoginState).filter_by(state=query["state"]))
    assert (
        query["scope"],
        query["response_type"],
        query["response_mode"],
        query["prompt"],
        query["client_id"],
        query["redirect_uri"],
        query["login_hint"],
        query["lti_message_hint"],
        query["nonce"],
    ) == (
        "openid",
        "id_token",
        "form_post",
        "none",
        fake.client_id,
        "http://localhost/lti/launch",
        "lh-9",
        "mh-3",
        row.nonce,
    )
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lti1p3_" + query["state"][:16] + "=")
    assert "HttpOnly" in cookie and "Path=/lti/" in cookie


def test_login_from_an_unknown_issuer_is_refused(client, fake, registered):
    response = client.post(
        "/lti/login",
        data={
            "iss": "https://other.example",
            "login_hint": "x",
            "target_link_uri": "http://localhost/lti/launch",
        },
    )
    assert response.status_code == 403
    assert "unknown_platform" in response.get_data(as_text=True)


def test_login_to_a_foreign_target_is_refused(client, fake, registered):
    response = client.post(
        "/lti/login",
        data={"iss": fake.issuer, "login_hint": "x", "target_link_uri": "https://evil.example/x"},
    )
    assert response.status_code == 403
    assert "foreign_target" in response.get_data(as_text=True)


def test_learner_launch_provisions_signs_in_and_lands(client, fake, registered, college):
    state, nonce = start_login(client, fake)
    response = launch(client, fake.id_token(nonce=nonce, sub="learner-1"), state)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    user = db.session.scalar(
        sa.select(User)
        .join(ExternalIdentity, ExternalIdentity.user_id == User.id)
        .where(ExternalIdentity.provider == "lti", ExternalIdentity.subject == "learner-1")
    )
    assert (user.email, user.display_name) == ("learner-1@example.org", "Ada Lovelace")
    assert [(m.organisation.code, m.role) for m in user.memberships] == [
        ("lti-college", Role.LEARNER)
    ]
    context = db.session.scalar(sa.select(LtiContext).filter_by(context_id="course-1"))
    members = db.session.scalars(sa.select(LtiContextMember).filter_by(context_pk=context.id))
    assert [(m.user_id, m.roles) for m in members] == [
        (user.id, ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"])
    ]
    assert (context.title, context.organisation_id) == ("Manufacturing", college.id)
    assert db.session.get(LtiPlatform, registered.id).product_family_code == "moodle"
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200  # signed in by the launch


def test_launch_works_without_the_state_cookie(app, client, fake, registered):
    """An LMS iframe with third-party cookies blocked: the server-side state suffices."""
    state, nonce = start_login(client, fake)
    other_browser = app.test_client()
    response = launch(other_browser, fake.id_token(nonce=nonce), state)
    assert response.status_code == 302


def test_a_different_state_cookie_is_refused(client, fake, registered):
    state, nonce = start_login(client, fake)
    client.set_cookie("lti1p3_" + state[:16], "forged", path="/lti/", domain="localhost")
    before = row_counts()
    response = launch(client, fake.id_token(nonce=nonce), state)
    assert response.status_code == 401
    assert "state_mismatch" in response.get_data(as_text=True)
    assert row_counts() == before


@pytest.mark.parametrize(
    "role, granted, expected",
    [
        (INSTRUCTOR, None, []),
        (ADMINISTRATOR, None, []),
        ("Learner", None, [Role.LEARNER]),
        (INSTRUCTOR, {"instructor": ["college_editor"]}, [Role.COLLEGE_EDITOR]),
        ("ContentDeveloper", {"instructor": ["assessor"]}, [Role.ASSESSOR]),
        (ADMINISTRATOR, {"administrator": ["college_admin"]}, [Role.COLLEGE_ADMIN]),
    ],
    ids=[
        "instructor-least",
        "administrator-least",
        "learner-least",
        "instructor-granted",
        "content-developer-granted",
        "administrator-granted",
    ],
)
def test_an_lms_role_becomes_what_the_registration_grants(
    client, fake, registered, role, granted, expected
):
    """Least privilege by default; the college's admin grants more per registration."""
    from pathways.db import transaction
    from pathways.lti import services

    if granted is not None:
        with transaction():
            services.set_role_grants(registered, granted, actor=None)
    state, nonce = start_login(client, fake)
    assert (
        launch(client, fake.id_token(nonce=nonce, sub="staff", roles=[role]), state).status_code
        == 302
    )
    memberships = db.session.scalars(
        sa.select(Membership).join(Membership.user).where(User.email == "staff@example.org")
    )
    assert [m.role for m in memberships] == expected


def test_an_existing_email_is_not_taken_over_by_an_untrusted_platform(client, fake, registered):
    owner = make_user(email="victim@example.org")
    state, nonce = start_login(client, fake)
    token = fake.id_token(nonce=nonce, sub="victim", extra={"email": "victim@example.org"})
    assert launch(client, token, state).status_code == 302
    identity = db.session.scalar(sa.select(ExternalIdentity).filter_by(subject="victim"))
    assert identity.user_id != owner.id
    assert identity.user.email is None


def test_a_trusted_platform_links_the_existing_email(client, fake, registered):
    db.session.get(LtiPlatform, registered.id).trusts_email = True
    db.session.commit()
    owner = make_user(email="known@example.org")
    state, nonce = start_login(client, fake)
    token = fake.id_token(nonce=nonce, sub="known", extra={"email": "known@example.org"})
    assert launch(client, token, state).status_code == 302
    identity = db.session.scalar(sa.select(ExternalIdentity).filter_by(subject="known"))
    assert identity.user_id == owner.id


def test_a_link_to_a_page_that_does_not_exist_lands_on_the_dashboard_with_a_notice(
    client, fake, registered
):
    state, nonce = start_login(client, fake)
    token = fake.id_token(
        nonce=nonce, extra={LTI + "custom": {"pathways_target": "credential:NO-SUCH"}}
    )
    response = launch(client, token, state)
    assert response.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "not available yet" in page


def test_the_same_user_is_found_again_on_the_next_launch(client, fake, registered):
    for _ in range(2):
        state, nonce = start_login(client, fake)
        assert launch(client, fake.id_token(nonce=nonce, sub="again"), state).status_code == 302
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(ExternalIdentity).filter_by(subject="again")
    )
    assert count == 1


# --- refusals: each creates nothing ------------------------------------------------------------


def _refused(client, token, state, status, code):
    before = row_counts()
    response = launch(client, token, state)
    body = response.get_data(as_text=True)
    assert (response.status_code, code in body) == (status, True), body[:800]
    assert "What to tell your LMS administrator" in body
    assert row_counts() == before
    return response


def test_bad_signature(client, fake, registered):
    state, nonce = start_login(client, fake)
    token = fake.id_token(nonce=nonce)
    head, body, signature = token.split(".")
    tampered = f"{head}.{body}.{signature[:-6]}AAAAAA"
    _refused(client, tampered, state, 401, "bad_signature")


def test_signed_by_another_key_with_a_known_kid(client, fake, registered):
    fake.add_key("rogue", publish=False)
    state, nonce = start_login(client, fake)
    real = fake.keys["k1"]
    fake.keys["k1"] = fake.keys["rogue"]  # sign with the rogue key, claim kid k1
    try:
        token = fake.id_token(nonce=nonce, kid="k1")
    finally:
        fake.keys["k1"] = real
    _refused(client, token, state, 401, "bad_signature")


def test_unknown_kid_refetches_once_then_refuses(client, fake, registered):
    state, nonce = start_login(client, fake)
    assert launch(client, fake.id_token(nonce=nonce, sub="k1-user"), state).status_code == 302
    fake.add_key("unpublished", publish=False)
    state, nonce = start_login(client, fake)
    _refused(client, fake.id_token(nonce=nonce, kid="unpublished"), state, 401, "unknown_kid")
    assert fake.count("GET", "/jwks") == 2  # the first launch's fetch, then one refetch


def test_a_rotated_platform_key_is_picked_up_by_the_refetch(client, fake, registered):
    state, nonce = start_login(client, fake)
    assert launch(client, fake.id_token(nonce=nonce, sub="r1"), state).status_code == 302
    fake.add_key("k2")
    state, nonce = start_login(client, fake)
    assert launch(client, fake.id_token(nonce=nonce, kid="k2", sub="r2"), state).status_code == 302
    assert fake.count("GET", "/jwks") == 2


def test_expired_token(client, fake, registered):
    state, nonce = start_login(client, fake)
    token = fake.id_token(nonce=nonce, now=int(time.time()) - 3600)
    _refused(client, token, state, 401, "expired")


def test_wrong_audience(client, fake, registered):
    state, nonce = start_login(client, fake)
    _refused(
        client,
        fake.id_token(nonce=nonce, extra={"aud": "another-tool"}),
        state,
        401,
        "wrong_audience",
    )


def test_replayed_launch_is_refused(client, fake, registered):
    state, nonce = start_login(client, fake)
    token = fake.id_token(nonce=nonce, sub="replay")
    assert launch(client, token, state).status_code == 302
    _refused(client, token, state, 401, "state_mismatch")


def test_replayed_nonce_with_a_fresh_state_is_refused(client, fake, registered):
    state, nonce = start_login(client, fake)
    token = fake.id_token(nonce=nonce, sub="replay2")
    assert launch(client, token, state).status_code == 302
    fresh_state, _fresh_nonce = start_login(client, fake)
    _refused(client, token, fresh_state, 401, "nonce_invalid")


def test_unknown_deployment(client, fake, registered):
    state, nonce = start_login(client, fake)
    token = fake.id_token(nonce=nonce, extra={LTI + "deployment_id": "dep-unknown"})
    _refused(client, token, state, 403, "unknown_deployment")


def test_state_mismatch(client, fake, registered):
    _state, nonce = start_login(client, fake)
    _refused(client, fake.id_token(nonce=nonce), "not-a-state", 401, "state_mismatch")


def test_alg_none(client, fake, registered):
    state, nonce = start_login(client, fake)
    _refused(client, fake.id_token(nonce=nonce, alg="none"), state, 401, "bad_algorithm")


def test_hs256_signed_with_the_public_key_is_refused(client, fake, registered):
    state, nonce = start_login(client, fake)
    secret = str(fake.jwks()["keys"][0]["n"]).encode()
    _refused(
        client,
        fake.id_token(nonce=nonce, alg="HS256", hmac_secret=secret),
        state,
        401,
        "bad_algorithm",
    )


def test_a_disabled_platform_is_refused(client, fake, registered):
    state, nonce = start_login(client, fake)
    db.session.get(LtiPlatform, registered.id).is_enabled = False
    db.session.commit()
    _refused(client, fake.id_token(nonce=nonce), state, 403, "platform_disabled")


def test_an_unreachable_jwks_is_refused(client, fake, registered):
    db.session.get(LtiPlatform, registered.id).jwks_url = "http://127.0.0.1:9/jwks"
    db.session.commit()
    state, nonce = start_login(client, fake)
    _refused(client, fake.id_token(nonce=nonce), state, 401, "jwks_unavailable")


def test_a_link_to_a_published_micro_credential_lands_on_its_page(client, fake, registered):
    from tests.catalog.factories import Cast

    Cast().published("MC-LAND")
    state, nonce = start_login(client, fake)
    token = fake.id_token(
        nonce=nonce, extra={LTI + "target_link_uri": "http://localhost/catalog/MC-LAND"}
    )
    response = launch(client, token, state)
    assert response.headers["Location"].endswith("/micro-credentials/MC-LAND")


@pytest.mark.parametrize("how", ["custom_module", "pathways_target", "target_link_uri"])
def test_a_link_to_a_module_lands_on_the_module_page(client, fake, registered, how):
    from tests.catalog.factories import Cast

    module = Cast().published("MC-LAND-MOD").modules[0]
    extra = {
        "custom_module": {LTI + "custom": {"module": str(module.id)}},
        "pathways_target": {LTI + "custom": {"pathways_target": f"module:{module.id}"}},
        "target_link_uri": {LTI + "target_link_uri": f"http://localhost/modules/{module.id}"},
    }[how]
    state, nonce = start_login(client, fake)
    response = launch(client, fake.id_token(nonce=nonce, sub="mod-learner", extra=extra), state)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/modules/{module.id}"
    link = db.session.scalar(sa.select(LtiResourceLink))
    assert (link.target_kind, link.target_code) == ("module", str(module.id))
    landed = client.get(response.headers["Location"])
    assert landed.status_code == 200
    html = landed.get_data(as_text=True)
    # The launch signed the learner in: the page shows their own (empty) standing.
    assert '<dd class="progress-not_started">Not started</dd>' in html


@pytest.mark.parametrize("code", ["draft", "999999", "M1", "99999999999999999999"])
def test_a_link_to_a_module_without_a_page_lands_on_the_dashboard(client, fake, registered, code):
    from tests.catalog.factories import Cast

    if code == "draft":
        code = str(Cast().draft("MC-DRAFT-MOD").modules[0].id)
    state, nonce = start_login(client, fake)
    token = fake.id_token(nonce=nonce, extra={LTI + "custom": {"module": code}})
    response = launch(client, token, state)
    assert urlsplit(response.headers["Location"]).path == "/dashboard"
    assert "not available yet" in client.get("/dashboard").get_data(as_text=True)
