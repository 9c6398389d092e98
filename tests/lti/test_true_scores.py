"""True scores: what reaches the LMS gradebook is the learner's real result.

Launches are signed by the fake platform (keys made with `cryptography`), results come
as xAPI statements over /xapi/statements, the outbox job sends them, and the fake
platform on 127.0.0.1 records the AGS scores and the Basic Outcomes XML it receives.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pathways.accounts.models import ExternalIdentity
from pathways.db import db
from pathways.db import transaction
from pathways.lti import calls
from pathways.lti import pox
from pathways.lti import services
from tests.factories import make_organisation
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

PASSED = "http://adlnet.gov/expapi/verbs/passed"
FAILED = "http://adlnet.gov/expapi/verbs/failed"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
QUIZ = "https://moodle.example/mod/quiz/view.php?id=71"
PAGE = "https://moodle.example/mod/page/view.php?id=72"
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
def college(database):
    return make_organisation(code="scores-college")


@pytest.fixture
def registered(fake, college):
    return register_platform(fake, organisation=college)


@pytest.fixture
def post(client):
    headers = lrs_headers(make_lrs_client())

    def send(body):
        response = client.post("/xapi/statements", json=body, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json[0]

    return send


def launch_for(client, fake, target: str, *, sub: str = "learner-1") -> None:
    state, nonce = start_login(client, fake)
    token = fake.id_token(
        nonce=nonce,
        sub=sub,
        extra={
            LTI + "custom": {"pathways_target": target},
            LTI + "resource_link": {"id": f"rl-{target}", "title": target},
            AGS_CLAIM: {
                "scope": SCOPES,
                "lineitems": fake.base + "/lineitems",
                "lineitem": fake.base + f"/lineitems/{target.replace(':', '-')}",
            },
        },
    )
    response = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def actor(sub: str = "learner-1") -> dict:
    return {"mbox": f"mailto:{sub}@example.org", "name": "Ada"}


def sent_scores(fake) -> list[tuple]:
    return [
        (s.get("scoreGiven"), s["scoreMaximum"], s["activityProgress"], s["gradingProgress"])
        for s in fake.scores
    ]


def test_a_module_passed_with_0_8_posts_80_of_100(client, fake, registered, post):
    version = make_published_credential([[QUIZ], [PAGE]])
    quiz = version.modules[0]
    launch_for(client, fake, f"module:{quiz.id}")
    post(
        statement(
            actor=actor(),
            verb=PASSED,
            activity=QUIZ,
            result={"score": {"scaled": 0.8}, "success": True, "completion": True},
        )
    )
    assert calls.deliver_outbox() == {"sent": 1, "retry": 0, "failed": 0}
    assert sent_scores(fake) == [(80.0, 100, "Completed", "FullyGraded")]
    assert fake.scores[0]["userId"] == "learner-1"


def test_a_failed_attempt_posts_its_score_then_the_pass_replaces_it(client, fake, registered, post):
    version = make_published_credential([[QUIZ]])
    launch_for(client, fake, f"module:{version.modules[0].id}")
    post(
        statement(
            actor=actor(),
            verb=FAILED,
            activity=QUIZ,
            result={"score": {"scaled": 0.4}, "success": False, "completion": True},
        )
    )
    calls.deliver_outbox()
    post(
        statement(
            actor=actor(),
            verb=PASSED,
            activity=QUIZ,
            result={"score": {"scaled": 0.9}, "success": True, "completion": True},
        )
    )
    calls.deliver_outbox()
    assert sent_scores(fake) == [
        (40.0, 100, "Completed", "FullyGraded"),
        (90.0, 100, "Completed", "FullyGraded"),
    ]
    first, second = (s["timestamp"] for s in fake.scores)
    assert first < second  # the platform keeps the newest


def test_a_micro_credential_line_item_follows_its_award(client, fake, registered, post):
    iri = "https://moodle.example/mod/page/view.php?id=73"
    make_published_credential([[iri]], code="MC-TRUE")
    launch_for(client, fake, "credential:MC-TRUE")
    completed = post(statement(actor=actor(), verb=COMPLETED, activity=iri))
    calls.deliver_outbox()
    post(
        statement(actor=actor(), verb=VOIDED)
        | {"object": {"objectType": "StatementRef", "id": completed}}
    )
    calls.deliver_outbox()
    assert sent_scores(fake) == [
        (100, 100, "Completed", "FullyGraded"),
        (None, 100, "Initialized", "NotReady"),
    ]


KEY = "scores-legacy"
SECRET = "a-shared-secret-of-some-length"
URL = "http://localhost/lti/1.1/launch"


def test_lti_1_1_outcomes_send_the_same_value(client, fake, college, post):
    with transaction():
        services.create_consumer(consumer_key=KEY, organisation=college, secret=SECRET, actor=None)
    version = make_published_credential([[QUIZ]])
    form = lti11_form(
        URL,
        KEY,
        SECRET,
        custom_module=str(version.modules[0].id),
        lis_outcome_service_url=fake.base + "/outcomes",
        lis_result_sourcedid="src-true",
        lis_person_contact_email_primary="legacy@example.org",
    )
    assert client.post("/lti/1.1/launch", data=form).status_code == 302
    user = db.session.scalar(sa.select(ExternalIdentity).filter_by(subject="u-42")).user
    assert user.email == "legacy@example.org"
    passed = post(
        statement(
            actor={"mbox": "mailto:legacy@example.org"},
            verb=PASSED,
            activity=QUIZ,
            result={"score": {"scaled": 0.8}, "success": True},
        )
    )
    reply = pox.build_response(message_id="m", message_ref="r", operation="replaceResult")
    fake.outcome_replies = [reply]
    assert calls.deliver_outbox()["sent"] == 1
    post(
        statement(actor={"mbox": "mailto:legacy@example.org"}, verb=VOIDED)
        | {"object": {"objectType": "StatementRef", "id": passed}}
    )
    fake.outcome_replies = [
        pox.build_response(message_id="m", message_ref="r", operation="deleteResult")
    ]
    assert calls.deliver_outbox()["sent"] == 1
    requests = [pox.parse_request(body) for body in fake.outcome_bodies]
    assert [(r.operation, r.sourcedid, r.score) for r in requests] == [
        ("replaceResult", "src-true", 0.8),
        ("deleteResult", "src-true", None),
    ]
