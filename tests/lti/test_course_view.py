"""An instructor's view of their LMS course: where a teacher's launch lands, with the
roster (synced over NRPS), each learner's standing, the line items and the grades sent.

Launches are id_tokens signed by the fake platform's own key; results arrive as xAPI
statements; the fake platform on 127.0.0.1 serves NRPS, line items, tokens and scores.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from pathways.db import db
from pathways.lti import ags
from pathways.lti import calls
from pathways.lti.models import LtiContext
from pathways.lti.models import LtiOutbox
from tests.factories import make_organisation
from tests.lti.factories import AGS_CLAIM
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

QUIZ = "https://moodle.example/mod/quiz/view.php?id=801"
PAGE = "https://moodle.example/mod/page/view.php?id=802"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


@pytest.fixture
def fake():
    with PlatformServer() as platform:
        platform.add_key("k1")
        yield platform


@pytest.fixture
def course(fake, database):
    register_platform(fake, organisation=make_organisation(code="course-college"))
    version = make_published_credential([[QUIZ], [PAGE]], code="MC-COURSE")
    return version


def launch(client, fake, *, sub, roles, target, link_id):
    state, nonce = start_login(client, fake)
    token = fake.id_token(
        nonce=nonce,
        sub=sub,
        roles=roles,
        extra={
            "name": sub,
            LTI + "custom": {"pathways_target": target},
            LTI + "resource_link": {"id": link_id, "title": f"Link {link_id}"},
            AGS_CLAIM: {
                "scope": SCOPES,
                "lineitems": fake.base + "/lineitems",
                "lineitem": fake.base + f"/lineitems/{link_id}",
            },
            NRPS_CLAIM: {
                "context_memberships_url": fake.base + "/memberships/0",
                "service_versions": ["2.0"],
            },
        },
    )
    return client.post("/lti/launch", data={"id_token": token, "state": state})


def fresh_browser(client):
    with client.session_transaction() as browser:
        browser.clear()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_teachers_launch_lands_on_the_courses_cohort(client, fake, course):
    quiz = course.modules[0]
    launch(client, fake, sub="ana", roles=[LEARNER], target=f"module:{quiz.id}", link_id="q")
    launch(client, fake, sub="ana", roles=[LEARNER], target="credential:MC-COURSE", link_id="c")
    passed = statement(
        actor={"mbox": "mailto:ana@example.org"},
        verb="http://adlnet.gov/expapi/verbs/passed",
        activity=QUIZ,
        result={"success": True, "score": {"scaled": 0.8}},
    )
    client.post("/xapi/statements", json=passed, headers=lrs_headers(make_lrs_client()))
    fresh_browser(client)
    fake.lineitems.append({"id": fake.base + "/lineitems/q", "label": "Quiz", "scoreMaximum": 100})
    landed = launch(client, fake, sub="teacher", roles=[INSTRUCTOR], target="x:y", link_id="q")
    context = db.session.scalar(sa.select(LtiContext))
    assert urlsplit(landed.headers["Location"]).path == f"/courses/{context.id}"
    page = text(client.get(f"/courses/{context.id}").get_data(as_text=True))
    assert "Learner Link q Link c ana Passed · 80 % In progress · 1 of 2 modules" in page
    assert "Quiz (out of 100)" in page
    assert f'href="/courses/{context.id}"' in client.get("/courses").get_data(as_text=True)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Your LMS courses Manufacturing" in text(dashboard)
    assert f'<a href="/courses/{context.id}">Manufacturing</a>' in dashboard


def test_a_college_admins_dashboard_leads_to_its_lms_connections(client, course):
    from pathways.accounts.enums import Role
    from pathways.accounts.models import Organisation
    from tests.factories import make_user

    college = db.session.scalar(sa.select(Organisation).filter_by(code="course-college"))
    client.sign_in(make_user(Role.COLLEGE_ADMIN, organisation=college).email)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert '<a href="/organisations/course-college/lms">' in dashboard
    assert '<a href="/organisations/course-college/lrs">' in dashboard


def test_the_roster_syncs_from_the_lms(client, fake, course):
    launch(client, fake, sub="teacher", roles=[INSTRUCTOR], target="x:y", link_id="q")
    context = db.session.scalar(sa.select(LtiContext))
    fake.members_pages = [
        [
            {"user_id": "ana", "roles": ["Learner"], "name": "Ana Lima", "status": "Active"},
            {"user_id": "ben", "roles": ["Learner"], "name": "Ben Osei", "status": "Inactive"},
        ]
    ]
    page = f"/courses/{context.id}"
    synced = client.post(
        f"{page}/roster-sync", data={"csrf_token": client.csrf_token(page)}, follow_redirects=True
    )
    body = text(synced.get_data(as_text=True))
    assert "Roster synced: 1 active, 1 inactive." in body
    assert "Ana Lima — learner active" in body
    assert "Ben Osei — learner inactive" in body


def test_a_failed_grade_shows_the_lms_answer_and_is_sent_again(client, fake, course, monkeypatch):
    quiz = course.modules[0]
    launch(client, fake, sub="ana", roles=[LEARNER], target=f"module:{quiz.id}", link_id="q")
    passed = statement(
        actor={"mbox": "mailto:ana@example.org"},
        verb="http://adlnet.gov/expapi/verbs/passed",
        activity=QUIZ,
        result={"success": True, "score": {"scaled": 0.9}},
    )
    client.post("/xapi/statements", json=passed, headers=lrs_headers(make_lrs_client()))
    monkeypatch.setattr(ags, "MAX_ATTEMPTS", 1)  # give up at the first refusal
    fake.score_statuses = [422]
    assert calls.deliver_outbox() == {"sent": 0, "retry": 0, "failed": 1}
    fresh_browser(client)
    launch(client, fake, sub="teacher", roles=[INSTRUCTOR], target="x:y", link_id="q")
    context = db.session.scalar(sa.select(LtiContext))
    page = f"/courses/{context.id}"
    body = text(client.get(page).get_data(as_text=True))
    assert "ana Link q 90.0 / 100 failed ServiceFailed: HTTP 422" in body
    row = db.session.scalar(sa.select(LtiOutbox))
    retried = client.post(
        f"{page}/grades/{row.id}/retry", data={"csrf_token": client.csrf_token(page)}
    )
    assert retried.status_code == 302
    db.session.expire_all()
    assert (row.status, row.attempts) == ("pending", 0)
    assert calls.deliver_outbox()["sent"] == 1
    assert [s["scoreGiven"] for s in fake.scores] == [90.0]


def test_learners_and_other_teachers_do_not_see_the_course(client, fake, course):
    launch(client, fake, sub="teacher", roles=[INSTRUCTOR], target="x:y", link_id="q")
    context = db.session.scalar(sa.select(LtiContext))
    fresh_browser(client)
    launch(client, fake, sub="ana", roles=[LEARNER], target="x:y", link_id="q")
    page = f"/courses/{context.id}"
    assert client.get(page).status_code == 403
    token = client.csrf_token("/dashboard")
    assert client.post(f"{page}/roster-sync", data={"csrf_token": token}).status_code == 403
    assert client.post(f"{page}/grades/1/retry", data={"csrf_token": token}).status_code == 403
    assert client.get("/courses/999999").status_code == 404
