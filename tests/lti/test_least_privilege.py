"""Least privilege: an LMS role never grants a Pathways role by itself; each college's
admin says what its LMS's roles become; registration links are single use and short
lived, and what they register stays off until approved.

Launches are id_tokens signed by the fake platform's own RSA key; dynamic registration
runs against the fake platform's OpenID configuration and registration endpoint.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from pathways.accounts.enums import Role
from pathways.accounts.models import Membership
from pathways.accounts.models import User
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.lti import registration
from pathways.lti.models import LtiContext
from pathways.lti.models import LtiPlatform
from pathways.lti.models import LtiRegistrationLink
from tests.factories import make_organisation
from tests.factories import make_user
from tests.lti.factories import ADMINISTRATOR
from tests.lti.factories import INSTRUCTOR
from tests.lti.factories import PlatformServer
from tests.lti.factories import register_platform
from tests.lti.factories import start_login

pytestmark = pytest.mark.integration


@pytest.fixture
def fake():
    with PlatformServer() as platform:
        platform.add_key("k1")
        yield platform


@pytest.fixture
def college(database):
    return make_organisation(code="least-college", name="Least College")


def launch(client, fake, *, sub: str, roles: list[str]):
    state, nonce = start_login(client, fake)
    token = fake.id_token(nonce=nonce, sub=sub, roles=roles)
    return client.post("/lti/launch", data={"id_token": token, "state": state})


def roles_of(email: str) -> list[Role]:
    return list(
        db.session.scalars(
            sa.select(Membership.role).join(Membership.user).where(User.email == email)
        )
    )


def test_an_lms_teacher_sees_their_course_not_the_colleges_authoring_pages(client, fake, college):
    register_platform(fake, organisation=college)
    assert launch(client, fake, sub="teacher", roles=[INSTRUCTOR]).status_code == 302
    assert roles_of("teacher@example.org") == []
    assert client.get("/college/micro-credentials").status_code == 403
    context = db.session.scalar(sa.select(LtiContext))
    fake.lineitems.append({"id": fake.base + "/lineitems/1", "label": "A", "scoreMaximum": 1})
    with transaction():  # the course grants Pathways its gradebook
        db.session.get(LtiContext, context.id).lineitems_url = fake.base + "/lineitems"
    listed = client.get(f"/api/v1/lti/contexts/{context.id}/lineitems")
    assert (listed.status_code, [i["label"] for i in listed.json["items"]]) == (200, ["A"])


def test_an_lms_administrator_is_no_college_admin(client, fake, college):
    register_platform(fake, organisation=college)
    assert launch(client, fake, sub="sysadmin", roles=[ADMINISTRATOR]).status_code == 302
    assert roles_of("sysadmin@example.org") == []
    assert client.get(f"/organisations/{college.code}/lms").status_code == 403


def test_the_college_admin_chooses_what_lms_roles_become(client, fake, college):
    platform = register_platform(fake, organisation=college)
    admin = make_user(Role.COLLEGE_ADMIN, organisation=college)
    client.sign_in(admin.email)
    page = client.get(f"/organisations/{college.code}/lms")
    assert page.status_code == 200
    prefix = f"platform-{platform.id}"
    saved = client.post(
        f"/organisations/{college.code}/lms/platforms/{platform.id}",
        data={
            f"{prefix}-csrf_token": client.csrf_token(f"/organisations/{college.code}/lms"),
            f"{prefix}-learner": ["learner"],
            f"{prefix}-instructor": ["college_editor"],
            f"{prefix}-is_enabled": "y",
            f"{prefix}-submit": "Save",
        },
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(LtiPlatform, platform.id).role_grants == {
        "learner": ["learner"],
        "instructor": ["college_editor"],
        "administrator": [],
    }
    assert launch(client, fake, sub="granted", roles=[INSTRUCTOR]).status_code == 302
    assert roles_of("granted@example.org") == [Role.COLLEGE_EDITOR]


def test_another_colleges_admin_cannot_touch_the_connection(client, fake, college):
    platform = register_platform(fake, organisation=college)
    client.sign_in(make_user(Role.COLLEGE_ADMIN).email)
    assert client.get(f"/organisations/{college.code}/lms").status_code == 403
    refused = client.post(
        f"/organisations/{college.code}/lms/platforms/{platform.id}",
        headers={"X-CSRFToken": client.csrf_token("/dashboard")},
    )
    assert refused.status_code == 403
    links = client.post(
        f"/organisations/{college.code}/lms/registration-links",
        headers={"X-CSRFToken": client.csrf_token("/dashboard")},
    )
    assert links.status_code == 403


def _register(client, fake, path: str):
    query = urlencode(
        {
            "openid_configuration": fake.base + "/.well-known/openid-configuration",
            "registration_token": "reg-tok",
        }
    )
    return client.get(f"{path}?{query}")


def test_a_registration_link_works_once_and_its_platform_waits_for_approval(client, fake, college):
    fake.registration_reply = {
        "client_id": "dyn-least",
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
            "deployment_id": fake.deployment_id
        },
    }
    admin = make_user(Role.COLLEGE_ADMIN, organisation=college)
    client.sign_in(admin.email)
    lms_page = f"/organisations/{college.code}/lms"
    made = client.post(
        f"{lms_page}/registration-links", data={"csrf_token": client.csrf_token(lms_page)}
    )
    html = made.get_data(as_text=True)
    url = html.split('<code id="registration-link">', 1)[1].split("</code>", 1)[0]
    assert url.startswith("http://localhost/lti/register/")
    assert url not in client.get(lms_page).get_data(as_text=True)  # shown once
    stored = db.session.scalar(sa.select(LtiRegistrationLink))
    assert (stored.created_by_id, stored.expires_at - stored.created_at) == (
        admin.id,
        timedelta(hours=24),
    )
    assert url.rsplit("/", 1)[1] not in stored.token_hash

    path = urlsplit(url).path
    assert _register(client, fake, path).status_code == 200
    again = _register(client, fake, path)
    assert (again.status_code, "has been used" in again.get_data(as_text=True)) == (400, True)
    platform = db.session.scalar(sa.select(LtiPlatform).filter_by(client_id="dyn-least"))
    assert (platform.is_enabled, platform.organisation_id, platform.role_grants) == (
        False,
        college.id,
        {"learner": ["learner"], "instructor": [], "administrator": []},
    )

    fake.client_id = "dyn-least"
    refused = client.post(
        "/lti/login",
        data={
            "iss": fake.issuer,
            "login_hint": "x",
            "target_link_uri": "http://localhost/lti/launch",
            "client_id": "dyn-least",
        },
    )
    assert (refused.status_code, "platform_disabled" in refused.get_data(as_text=True)) == (
        403,
        True,
    )
    prefix = f"platform-{platform.id}"
    client.post(
        f"{lms_page}/platforms/{platform.id}",
        data={
            f"{prefix}-csrf_token": client.csrf_token(lms_page),
            f"{prefix}-learner": ["learner"],
            f"{prefix}-is_enabled": "y",
            f"{prefix}-submit": "Save",
        },
    )
    assert launch(client, fake, sub="after-approval", roles=["Learner"]).status_code == 302


def test_an_expired_registration_link_registers_nothing(client, fake, college):
    with transaction():
        _link, token = registration.create_registration_link(
            college, actor=None, now=utcnow() - timedelta(hours=25)
        )
    response = _register(client, fake, f"/lti/register/{token}")
    assert (response.status_code, "has expired" in response.get_data(as_text=True)) == (
        400,
        True,
    )
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(LtiPlatform)),
        fake.requests,
    ) == (0, [])


def test_expired_unused_registration_links_are_pruned(college):
    from pathways.jobs.housekeeping import PRUNERS

    with transaction():
        registration.create_registration_link(
            college, actor=None, now=utcnow() - timedelta(hours=25)
        )
        registration.create_registration_link(college, actor=None)
    with transaction():
        assert PRUNERS["lti_registration_links"]() == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiRegistrationLink)) == 1
