"""One person, one account: the same learner launching over LTI 1.3 and LTI 1.1 stays one
Pathways user, and both gradebooks receive their grades.

Launches are signed as the LMSs sign them (RS256 id_tokens by the fake platform's own
key; OAuth 1.0a HMAC-SHA1 by hand), completions arrive as xAPI statements naming the
learner by e-mail, as Moodle's do, and the outbox sends to the fake platform.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from pathways.accounts.models import ExternalIdentity
from pathways.accounts.models import User
from pathways.db import db
from pathways.db import transaction
from pathways.lti import calls
from pathways.lti import pox
from pathways.lti import services
from pathways.lti.models import Lti11Consumer
from pathways.lti.models import LtiGradeLink
from tests.factories import make_organisation
from tests.factories import make_user
from tests.lti.factories import AGS_CLAIM
from tests.lti.factories import LTI
from tests.lti.factories import PlatformServer
from tests.lti.factories import lti11_form
from tests.lti.factories import register_platform
from tests.lti.factories import start_login
from tests.xapi.factories import lrs_headers
from tests.xapi.factories import make_lrs_client
from tests.xapi.factories import make_published_credential
from tests.xapi.factories import statement

pytestmark = pytest.mark.integration

KEY = "one-account-legacy"
SECRET = "a-shared-secret-of-some-length"
URL11 = "http://localhost/lti/1.1/launch"
EMAIL = "ada@example.org"
PAGE = "https://moodle.example/mod/page/view.php?id=601"


@pytest.fixture
def fake():
    with PlatformServer() as platform:
        platform.add_key("k1")
        yield platform


@pytest.fixture
def college(database):
    return make_organisation(code="one-account-college")


@pytest.fixture
def module(database):
    return make_published_credential([[PAGE]]).modules[0]


def setup_lms(fake, college, *, trusted: bool) -> None:
    register_platform(fake, organisation=college, trusts_email=trusted)
    with transaction():
        services.create_consumer(
            consumer_key=KEY,
            organisation=college,
            secret=SECRET,
            trusts_email=trusted,
            actor=None,
        )


def launch_13(client, fake, module, *, sub="moodle-7"):
    state, nonce = start_login(client, fake)
    token = fake.id_token(
        nonce=nonce,
        sub=sub,
        extra={
            "email": EMAIL,
            LTI + "custom": {"module": str(module.id)},
            AGS_CLAIM: {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitem": fake.base + "/lineitems/13",
            },
        },
    )
    return client.post("/lti/launch", data={"id_token": token, "state": state})


def launch_11(client, fake, module):
    form = lti11_form(
        URL11,
        KEY,
        SECRET,
        custom_module=str(module.id),
        lis_person_contact_email_primary=EMAIL,
        lis_outcome_service_url=fake.base + "/outcomes",
        lis_result_sourcedid="src-one",
    )
    return client.post("/lti/1.1/launch", data=form)


def complete(client, module_iri=PAGE, score=0.8):
    body = statement(
        actor={"mbox": f"mailto:{EMAIL}"},
        verb="http://adlnet.gov/expapi/verbs/passed",
        activity=module_iri,
        result={"success": True, "score": {"scaled": score}},
    )
    response = client.post("/xapi/statements", json=body, headers=lrs_headers(make_lrs_client()))
    assert response.status_code == 200, response.get_data(as_text=True)


def identities() -> list[tuple[str, int]]:
    rows = db.session.execute(
        sa.select(ExternalIdentity.provider, ExternalIdentity.user_id).order_by(
            ExternalIdentity.provider
        )
    )
    return [tuple(row) for row in rows]


def deliver_both(fake) -> list:
    fake.outcome_replies = [
        pox.build_response(message_id="m", message_ref="r", operation="replaceResult")
    ]
    calls.deliver_outbox()
    outcomes = [pox.parse_request(body) for body in fake.outcome_bodies]
    return [
        [(s["userId"], s["scoreGiven"]) for s in fake.scores],
        [(o.operation, o.sourcedid, o.score) for o in outcomes],
    ]


def fresh_browser(client) -> None:
    with client.session_transaction() as browser:
        browser.clear()


def test_untrusted_lmss_offer_the_account_this_browser_was_signed_in_as(
    client, fake, college, module
):
    setup_lms(fake, college, trusted=False)
    assert launch_13(client, fake, module).status_code == 302
    ada = db.session.scalar(sa.select(User).filter_by(email=EMAIL))
    landed = launch_11(client, fake, module)
    assert urlsplit(landed.headers["Location"]).path == "/lti/link-account"
    page = client.get("/lti/link-account")
    assert page.status_code == 200
    assert ada.display_name in page.get_data(as_text=True)
    linked = client.post(
        "/lti/link-account",
        data={
            "previous-csrf_token": client.csrf_token("/lti/link-account"),
            "previous-submit": "Link",
        },
    )
    assert urlsplit(linked.headers["Location"]).path == f"/modules/{module.id}"
    assert identities() == [("lti", ada.id), ("lti11", ada.id)]
    assert client.get("/api/v1/me").json["id"] == ada.id
    complete(client)
    assert deliver_both(fake) == [
        [("moodle-7", 80.0)],
        [("replaceResult", "src-one", 0.8)],
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiGradeLink)) == 2


def test_a_result_earned_before_linking_reaches_the_linked_gradebook(client, fake, college, module):
    setup_lms(fake, college, trusted=False)
    launch_13(client, fake, module)
    complete(client, score=0.9)
    launch_11(client, fake, module)
    client.post(
        "/lti/link-account",
        data={
            "previous-csrf_token": client.csrf_token("/lti/link-account"),
            "previous-submit": "Link",
        },
    )
    assert deliver_both(fake) == [
        [("moodle-7", 90.0)],
        [("replaceResult", "src-one", 0.9)],
    ]


def test_trusted_registrations_link_by_email_at_once(client, fake, college, module):
    setup_lms(fake, college, trusted=True)
    launch_13(client, fake, module)
    fresh_browser(client)
    landed = launch_11(client, fake, module)
    assert urlsplit(landed.headers["Location"]).path == f"/modules/{module.id}"
    ada = db.session.scalar(sa.select(User).filter_by(email=EMAIL))
    assert identities() == [("lti", ada.id), ("lti11", ada.id)]
    complete(client)
    assert deliver_both(fake) == [
        [("moodle-7", 80.0)],
        [("replaceResult", "src-one", 0.8)],
    ]


def test_signing_in_once_links_an_account_with_a_password(client, fake, college, module):
    setup_lms(fake, college, trusted=False)
    ada = make_user(email=EMAIL)
    landed = launch_11(client, fake, module)
    assert urlsplit(landed.headers["Location"]).path == "/lti/link-account"
    token = client.csrf_token("/lti/link-account")
    wrong = client.post(
        "/lti/link-account",
        data={
            "signin-csrf_token": token,
            "signin-email": EMAIL,
            "signin-password": "not the password",
            "signin-submit": "Sign in",
        },
    )
    assert wrong.status_code == 400
    assert identities()[0][1] != ada.id
    right = client.post(
        "/lti/link-account",
        data={
            "signin-csrf_token": token,
            "signin-email": EMAIL,
            "signin-password": "correct horse battery",
            "signin-submit": "Sign in",
        },
    )
    assert urlsplit(right.headers["Location"]).path == f"/modules/{module.id}"
    assert identities() == [("lti11", ada.id)]


def test_an_account_without_a_password_is_linked_through_a_mailed_link(
    client, fake, college, module, outbox
):
    setup_lms(fake, college, trusted=False)
    launch_13(client, fake, module)
    ada = db.session.scalar(sa.select(User).filter_by(email=EMAIL))
    fresh_browser(client)
    launch_11(client, fake, module)
    asked = client.post(
        "/lti/link-account",
        data={
            "mail-csrf_token": client.csrf_token("/lti/link-account"),
            "mail-email": EMAIL,
            "mail-submit": "Email me a link",
        },
    )
    assert asked.status_code == 302
    (message,) = outbox
    assert message["To"] == EMAIL
    link = re.search(r"http://localhost(/lti/link-account/\S+)", message.get_content()).group(1)
    fresh_browser(client)  # opened from the mail client
    confirm = client.get(link)
    assert confirm.status_code == 200
    done = client.post(link, data={"csrf_token": client.csrf_token(link)})
    assert done.status_code == 302
    assert identities() == [("lti", ada.id), ("lti11", ada.id)]
    assert client.get(link).status_code == 400  # used


def test_the_mail_link_says_nothing_of_unknown_addresses(client, fake, college, module, outbox):
    setup_lms(fake, college, trusted=False)
    launch_11(client, fake, module)
    response = client.post(
        "/lti/link-account",
        data={
            "mail-csrf_token": client.csrf_token("/lti/link-account"),
            "mail-email": "nobody@example.org",
            "mail-submit": "Email me a link",
        },
    )
    assert (response.status_code, outbox) == (302, [])


def test_an_account_with_a_password_has_nothing_to_link(client):
    client.sign_in(make_user().email)
    response = client.get("/lti/link-account")
    assert urlsplit(response.headers["Location"]).path == "/dashboard"


def test_the_consumer_cli_sets_the_email_trust_flag_off_by_default(app, database):
    make_organisation(code="cli-trust")
    runner = app.test_cli_runner()
    for key, flags in (("plain-key", []), ("trusted-key", ["--trust-email"])):
        result = runner.invoke(
            args=["pathways", "lti11-consumer", "add", "--key", key, "--org", "cli-trust", *flags]
        )
        assert result.exit_code == 0, result.output
    rows = db.session.execute(
        sa.select(Lti11Consumer.consumer_key, Lti11Consumer.trusts_email).order_by(
            Lti11Consumer.consumer_key
        )
    ).all()
    assert [tuple(row) for row in rows] == [("plain-key", False), ("trusted-key", True)]
