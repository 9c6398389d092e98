"""An LMS connection's own configuration: its activities mapped to modules without a new
version (suggested from what it sent; earlier statements projected when mapped), and the
learners it names by account linked through a CSV, a roster or a launch.

Statements are posted to /xapi/statements with HTTP Basic credentials built here;
launches and rosters come from the fake LTI platform (keys made with `cryptography`).
"""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from pathways.accounts.enums import Role
from pathways.catalog.models import MicroCredentialVersion
from pathways.db import db
from pathways.lti import calls
from pathways.lti.models import LtiContext
from pathways.records.models import ModuleProgress
from tests.factories import make_organisation
from tests.factories import make_user
from tests.lti.factories import INSTRUCTOR
from tests.lti.factories import LEARNER
from tests.lti.factories import LTI
from tests.lti.factories import NRPS_CLAIM
from tests.lti.factories import PlatformServer
from tests.lti.factories import register_platform
from tests.lti.factories import start_login
from tests.xapi.factories import lrs_headers
from tests.xapi.factories import make_lrs_client
from tests.xapi.factories import make_published_credential
from tests.xapi.factories import statement

pytestmark = pytest.mark.integration

QUIZ = "https://moodle.example/mod/quiz/view.php?id=901"
LISTED = "https://moodle.example/mod/page/view.php?id=902"
MOODLE = "https://moodle.example"


@pytest.fixture
def college(database):
    return make_organisation(code="conn-college")


@pytest.fixture
def admin(client, college):
    user = make_user(Role.COLLEGE_ADMIN, organisation=college)
    client.sign_in(user.email)
    return user


@pytest.fixture
def version(college):
    # Module M1 lists no activity yet; M2 lists one.
    return make_published_credential([[], [LISTED]], code="MC-CONN", organisation=college)


def standing(user, module):
    return db.session.scalar(
        sa.select(ModuleProgress.status).filter_by(user_id=user.id, module_id=module.id)
    )


def post(client, headers, body):
    response = client.post("/xapi/statements", json=body, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_an_activity_is_mapped_from_a_suggestion_without_a_new_version(
    client, college, admin, version
):
    learner = make_user(email="lena@example.org")
    moodle = make_lrs_client(("xapi:write",), organisation=college)
    headers = lrs_headers(moodle)
    actor = {"mbox": "mailto:lena@example.org"}
    post(client, headers, statement(actor=actor, activity=QUIZ))
    m1 = version.modules[0]
    assert standing(learner, m1) is None
    page = f"/organisations/{college.code}/lrs/{moodle.client.id}"
    html = client.get(page).get_data(as_text=True)
    assert f"<code>{QUIZ}</code>" in html
    assert "This activity sent completions in the last 7 days" in html
    mapped = client.post(
        f"{page}/mappings",
        data={"csrf_token": client.csrf_token(page), "activity": QUIZ, "module": "MC-CONN::M1"},
        follow_redirects=True,
    )
    assert "1 statements it sent before were read again" in mapped.get_data(as_text=True)
    assert standing(learner, m1) == "completed"
    assert (
        f"<code>{QUIZ}</code></td>"
        not in client.get(page).get_data(as_text=True).split("Mapped activities")[0]
    )
    versions = db.session.scalars(sa.select(MicroCredentialVersion.number)).all()
    assert versions == [1]
    # Another organisation's LMS sending the same URL counts for nothing.
    other = make_user(email="omar@example.org")
    post(
        client,
        lrs_headers(make_lrs_client(("xapi:write",))),
        statement(actor={"mbox": "mailto:omar@example.org"}, activity=QUIZ),
    )
    assert standing(other, m1) is None


def test_an_unmapped_activity_counts_no_more(client, college, admin, version):
    moodle = make_lrs_client(("xapi:write",), organisation=college)
    page = f"/organisations/{college.code}/lrs/{moodle.client.id}"
    client.post(
        f"{page}/mappings",
        data={"csrf_token": client.csrf_token(page), "activity": QUIZ, "module": "MC-CONN::M1"},
    )
    first = make_user(email="first@example.org")
    post(
        client,
        lrs_headers(moodle),
        statement(actor={"mbox": "mailto:first@example.org"}, activity=QUIZ),
    )
    mapping_id = re.search(r"/mappings/(\d+)/delete", client.get(page).get_data(as_text=True))
    client.post(
        f"{page}/mappings/{mapping_id.group(1)}/delete",
        data={"csrf_token": client.csrf_token(page)},
    )
    second = make_user(email="second@example.org")
    post(
        client,
        lrs_headers(moodle),
        statement(actor={"mbox": "mailto:second@example.org"}, activity=QUIZ),
    )
    m1 = version.modules[0]
    assert (standing(first, m1), standing(second, m1)) == ("completed", None)


def test_only_the_colleges_own_modules_can_be_mapped(client, college, admin, version):
    make_published_credential([[]], code="MC-ELSEWHERE")
    moodle = make_lrs_client(("xapi:write",), organisation=college)
    page = f"/organisations/{college.code}/lrs/{moodle.client.id}"
    refused = client.post(
        f"{page}/mappings",
        data={
            "csrf_token": client.csrf_token(page),
            "activity": QUIZ,
            "module": "MC-ELSEWHERE::M1",
        },
    )
    assert refused.status_code == 400
    assert "one of your organisation" in refused.get_data(as_text=True)


def test_a_csv_links_the_lms_accounts_and_their_statements_project(client, college, admin, version):
    learner = make_user(email="lena@example.org")
    moodle = make_lrs_client(("xapi:write",), organisation=college)
    post(
        client,
        lrs_headers(moodle),
        statement(actor={"account": {"homePage": MOODLE, "name": "42"}}, activity=LISTED),
    )
    m2 = version.modules[1]
    assert standing(learner, m2) is None
    page = f"/organisations/{college.code}/lrs/{moodle.client.id}"
    csv = b"email,account\nlena@example.org,42\nnobody@example.org,43\n"
    linked = client.post(
        f"{page}/accounts",
        data={
            "csrf_token": client.csrf_token(page),
            "home_page": MOODLE,
            "file": (io.BytesIO(csv), "accounts.csv"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "1 accounts linked; 1 emails have no Pathways account" in linked.get_data(as_text=True)
    assert standing(learner, m2) == "completed"


@pytest.fixture
def fake():
    with PlatformServer() as platform:
        platform.add_key("k1")
        yield platform


def _launch(client, fake, *, sub, roles):
    state, nonce = start_login(client, fake)
    token = fake.id_token(
        nonce=nonce,
        sub=sub,
        roles=roles,
        extra={
            NRPS_CLAIM: {
                "context_memberships_url": fake.base + "/memberships/0",
                "service_versions": ["2.0"],
            },
            LTI + "custom": {},
        },
    )
    assert client.post("/lti/launch", data={"id_token": token, "state": state}).status_code == 302


def test_the_lms_roster_and_launches_link_its_accounts(client, fake, college, version):
    """Moodle's LTI issuer is its site URL, and its LTI user id is the name its xAPI
    account actors carry: a roster or a launch links them."""
    register_platform(fake, organisation=college)
    moodle = lrs_headers(make_lrs_client(("xapi:write",), organisation=college))
    for name in ("55", "77"):
        post(
            client,
            moodle,
            statement(actor={"account": {"homePage": fake.issuer, "name": name}}, activity=LISTED),
        )
    _launch(client, fake, sub="teacher", roles=[INSTRUCTOR])
    fake.members_pages = [[{"user_id": "55", "roles": ["Learner"], "name": "Rosa"}]]
    context = db.session.scalar(sa.select(LtiContext))
    calls.sync_roster(context.id, None)
    m2 = version.modules[1]
    rosa = db.session.scalar(
        sa.select(ModuleProgress.status).where(ModuleProgress.module_id == m2.id)
    )
    assert rosa == "completed"
    _launch(client, fake, sub="77", roles=[LEARNER])
    statuses = db.session.scalars(
        sa.select(ModuleProgress.status).where(ModuleProgress.module_id == m2.id)
    ).all()
    assert statuses == ["completed", "completed"]


def test_another_colleges_admin_cannot_open_the_connection(client, college):
    moodle = make_lrs_client(("xapi:write",), organisation=college)
    client.sign_in(make_user(Role.COLLEGE_ADMIN).email)
    assert client.get(f"/organisations/{college.code}/lrs/{moodle.client.id}").status_code == 403
    own = make_organisation()
    admin = make_user(Role.COLLEGE_ADMIN, organisation=own)
    client.sign_in(admin.email)
    assert client.get(f"/organisations/{own.code}/lrs/{moodle.client.id}").status_code == 404
