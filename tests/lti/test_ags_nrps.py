"""AGS scores through the outbox, service tokens, line items, NRPS rosters, deep linking;
the fake platform on 127.0.0.1 checks what Pathways sends with `cryptography`."""

from __future__ import annotations

import json
import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest
import sqlalchemy as sa

from pathways.accounts.enums import Role
from pathways.accounts.models import ExternalIdentity
from pathways.accounts.models import User
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.lti import ags
from pathways.lti import calls
from pathways.lti import services
from pathways.lti.models import LtiAccessToken
from pathways.lti.models import LtiContext
from pathways.lti.models import LtiContextMember
from pathways.lti.models import LtiGradeLink
from pathways.lti.models import LtiOutbox
from tests.factories import make_organisation
from tests.factories import make_user
from tests.lti.factories import AGS_CLAIM
from tests.lti.factories import INSTRUCTOR
from tests.lti.factories import LTI
from tests.lti.factories import NRPS_CLAIM
from tests.lti.factories import PlatformServer
from tests.lti.factories import b64url_decode
from tests.lti.factories import register_platform
from tests.lti.factories import start_login
from tests.lti.factories import verify_rs256

pytestmark = pytest.mark.integration

SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
]


@pytest.fixture
def fake():
    with PlatformServer() as platform:
        platform.add_key("k1")
        yield platform


@pytest.fixture
def college(database):
    return make_organisation(code="ags-college")


@pytest.fixture
def registered(fake, college):
    return register_platform(fake, organisation=college)


def graded_launch(
    client, fake, *, sub="learner-9", roles=None, target="credential:MC-1", lineitem=True
):
    state, nonce = start_login(client, fake)
    extra = {
        LTI + "custom": {"pathways_target": target},
        AGS_CLAIM: {
            "scope": SCOPES,
            "lineitems": fake.base + "/lineitems",
            **({"lineitem": fake.base + "/lineitems/1/lineitem?type=x"} if lineitem else {}),
        },
        NRPS_CLAIM: {
            "context_memberships_url": fake.base + "/memberships/0",
            "service_versions": ["2.0"],
        },
    }
    token = fake.id_token(nonce=nonce, sub=sub, roles=roles, extra=extra)
    response = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert response.status_code == 302, response.get_data(as_text=True)[:600]
    return db.session.scalar(
        sa.select(User)
        .join(ExternalIdentity, ExternalIdentity.user_id == User.id)
        .where(ExternalIdentity.subject == sub)
    )


def award(code="MC-1", award_id=1):
    return SimpleNamespace(
        id=award_id, credential_code=code, issued_at=datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    )


def deliver(now=None):
    """The outbox job, as the scheduler runs it (it commits on its own)."""
    return calls.deliver_outbox(now=now)


# --- AGS ------------------------------------------------------------------------------------


def test_completion_is_queued_once_per_user_link_and_award(client, fake, registered):
    user = graded_launch(client, fake)
    with transaction():
        services.on_award(user, award())
        services.on_award(user, award())
        services.on_award(user, award("OTHER"))
    rows = db.session.scalars(sa.select(LtiOutbox)).all()
    link = db.session.scalar(sa.select(LtiGradeLink)).resource_link
    assert [(r.kind, r.idempotency_key, r.url, r.status) for r in rows] == [
        (
            "ags_score",
            f"ags:{user.id}:{link.id}:award:1",
            fake.base + "/lineitems/1/lineitem/scores?type=x",
            "pending",
        )
    ]
    assert rows[0].payload["score"] == {
        "userId": "learner-9",
        "scoreGiven": 100,
        "scoreMaximum": 100,
        "timestamp": "2026-11-23T12:00:00.000+00:00",
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
    }


def test_an_lms_outage_loses_no_score_and_sends_none_twice(client, fake, registered):
    user = graded_launch(client, fake)
    with transaction():
        services.on_award(user, award())
    fake.score_statuses = [503, 503, 503, 200]
    now = utcnow()
    results = []
    for _ in range(6):
        results.append(deliver(now))
        now += timedelta(hours=7)  # past any back-off
    assert (
        results
        == [{"sent": 0, "retry": 1, "failed": 0}] * 3
        + [{"sent": 1, "retry": 0, "failed": 0}]
        + [{"sent": 0, "retry": 0, "failed": 0}] * 2
    )
    assert [s["userId"] for s in fake.scores] == ["learner-9"]
    assert fake.count("POST", "/lineitems/1/lineitem/scores") == 4
    row = db.session.scalar(sa.select(LtiOutbox))
    assert (row.status, row.attempts, row.last_error) == ("sent", 4, None)
    posted = [h for m, p, h, _b in fake.requests if p.startswith("/lineitems/1/lineitem/scores")]
    assert posted[-1]["Content-Type"] == "application/vnd.ims.lis.v1.score+json"
    assert posted[-1]["Authorization"].startswith("Bearer tok-")


def test_back_off_waits_before_retrying(client, fake, registered):
    user = graded_launch(client, fake)
    with transaction():
        services.on_award(user, award())
    fake.score_statuses = [503, 200]
    now = utcnow()
    assert deliver(now)["retry"] == 1
    assert deliver(now + timedelta(seconds=10)) == {"sent": 0, "retry": 0, "failed": 0}
    assert deliver(now + timedelta(seconds=31))["sent"] == 1
    assert [ags.backoff(n).total_seconds() for n in (1, 2, 3, 12, 20)] == [
        30,
        60,
        120,
        21600,
        21600,
    ]


def test_the_token_request_is_a_signed_assertion_with_kid_and_is_cached(client, fake, registered):
    user = graded_launch(client, fake)
    with transaction():
        services.on_award(user, award(award_id=1))
        services.on_award(user, award(award_id=2))
    assert deliver()["sent"] == 2
    token_posts = [b for m, p, _h, b in fake.requests if m == "POST" and p == "/token"]
    assert len(token_posts) == 1
    form = dict(parse_qsl(token_posts[0].decode()))
    assert (form["grant_type"], form["client_assertion_type"], sorted(form["scope"].split())) == (
        "client_credentials",
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        sorted(SCOPES),
    )
    jwks = client.get("/lti/jwks").json
    header, claims = verify_rs256(form["client_assertion"], jwks)
    assert header["kid"] == jwks["keys"][0]["kid"]
    assert (claims["iss"], claims["sub"], claims["aud"]) == (
        fake.client_id,
        fake.client_id,
        fake.base + "/token",
    )
    assert claims["exp"] - claims["iat"] == 300
    stored = db.session.scalar(sa.select(LtiAccessToken))
    assert stored.token_encrypted.startswith("tok-") is False


def test_a_refused_token_keeps_the_score_pending(client, fake, registered):
    user = graded_launch(client, fake)
    with transaction():
        services.on_award(user, award())
    fake.token_statuses = [401]
    assert deliver() == {"sent": 0, "retry": 1, "failed": 0}
    row = db.session.scalar(sa.select(LtiOutbox))
    assert (row.status, "token URL refused" in row.last_error) == ("pending", True)


def test_instructor_launches_get_no_grade_link(client, fake, registered):
    graded_launch(client, fake, sub="teacher", roles=[INSTRUCTOR])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiGradeLink)) == 0


def test_module_progress_hook_queues_the_module_link(client, fake, registered):
    user = graded_launch(client, fake, target="module:42")
    changed_at = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    standing = SimpleNamespace(
        module_id=42, status="completed", is_complete=True, best_score_scaled=None
    )
    with transaction():
        services.on_progress(user, SimpleNamespace(**vars(standing), updated_at=changed_at))
    assert [
        r.idempotency_key.split(":")[-3:] for r in db.session.scalars(sa.select(LtiOutbox))
    ] == [["module", "42", str(int(changed_at.timestamp() * 1_000_000))]]


def test_instructor_lists_and_creates_line_items(client, fake, registered):
    teacher = graded_launch(client, fake, sub="teacher2", roles=[INSTRUCTOR])
    context = db.session.scalar(sa.select(LtiContext))
    fake.lineitems.append(
        {"id": fake.base + "/lineitems/1", "label": "Existing", "scoreMaximum": 10}
    )
    assert teacher is not None
    listed = client.get(f"/api/v1/lti/contexts/{context.id}/lineitems")
    assert listed.json == {
        "items": [{"id": fake.base + "/lineitems/1", "label": "Existing", "scoreMaximum": 10}]
    }
    token = client.csrf_token("/dashboard")
    created = client.post(
        f"/api/v1/lti/contexts/{context.id}/lineitems",
        json={"label": "Welding", "scoreMaximum": 100, "tag": "pathways"},
        headers={"X-CSRFToken": token},
    )
    assert created.status_code == 201, created.json
    assert created.json == {
        "label": "Welding",
        "scoreMaximum": 100.0,
        "tag": "pathways",
        "id": fake.base + "/lineitems/2",
    }


def test_an_editor_of_another_college_cannot_touch_the_course(client, fake, registered):
    graded_launch(client, fake)
    context = db.session.scalar(sa.select(LtiContext))
    client.sign_in(make_user(Role.COLLEGE_EDITOR).email)
    response = client.get(f"/api/v1/lti/contexts/{context.id}/lineitems")
    assert (response.status_code, response.json["code"]) == (403, "not_instructor")


# --- NRPS -----------------------------------------------------------------------------------


def test_roster_sync_follows_next_links_and_accepts_short_and_full_roles(
    client, fake, registered, college
):
    graded_launch(client, fake, sub="teacher3", roles=[INSTRUCTOR])
    fake.members_pages = [
        [
            {
                "user_id": "m1",
                "roles": ["Learner"],
                "name": "One",
                "email": "m1@example.org",
                "status": "Active",
            },
            {"user_id": "teacher3", "roles": [INSTRUCTOR], "status": "Active"},
        ],
        [
            {
                "user_id": "m2",
                "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
                "name": "Two",
            },
            {"user_id": "m3", "roles": ["Learner"], "status": "Inactive"},
        ],
    ]
    context = db.session.scalar(sa.select(LtiContext))
    response = client.post(
        f"/api/v1/lti/contexts/{context.id}/roster-sync",
        headers={"X-CSRFToken": client.csrf_token("/dashboard")},
    )
    assert response.json == {"members": 3, "inactive": 1, "pages": 2}
    gets = [h for m, p, h, _b in fake.requests if m == "GET" and p.startswith("/memberships")]
    assert [h["Accept"] for h in gets] == [
        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
    ] * 2
    members = db.session.execute(
        sa.select(ExternalIdentity.subject, LtiContextMember.roles, LtiContextMember.is_active)
        .join(LtiContextMember, LtiContextMember.user_id == ExternalIdentity.user_id)
        .order_by(ExternalIdentity.subject)
    ).all()
    learner = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
    assert members == [
        ("m1", [learner], True),
        ("m2", [learner], True),
        ("m3", [learner], False),
        ("teacher3", [INSTRUCTOR], True),
    ]
    m1 = db.session.scalar(sa.select(User).filter_by(email="m1@example.org"))
    assert [(m.organisation_id, m.role) for m in m1.memberships] == [(college.id, Role.LEARNER)]


# --- deep linking ------------------------------------------------------------------------------


def test_deep_linking_returns_a_signed_response_with_line_items(client, fake, registered):
    from tests.catalog.factories import Cast

    version = Cast().published("MC-DL")
    module_id = version.modules[0].id
    state, nonce = start_login(client, fake)
    token = fake.id_token(
        nonce=nonce, sub="dl-teacher", roles=[INSTRUCTOR], message_type="LtiDeepLinkingRequest"
    )
    response = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert response.status_code == 302
    page_url = response.headers["Location"]
    handle = page_url.rsplit("/", 1)[1]
    page = client.get(page_url)
    assert page.status_code == 200
    offered = re.findall(r'name="item" id="[^"]+" value="([^"]+)"', page.get_data(as_text=True))
    assert offered[:2] == ["credential:MC-DL", f"module:{module_id}"]
    chosen = ["credential:MC-DL", f"module:{module_id}"]
    submitted = client.post(f"/lti/deep-linking/{handle}", data={"item": chosen, "graded": "yes"})
    html = submitted.get_data(as_text=True)
    assert submitted.status_code == 200, html[:500]
    assert f'action="{fake.base}/deep-link-return"' in html
    assert 'src="/static/js/lti/autosubmit.js"' in html and "<script>" not in html
    jwt = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    header, claims = verify_rs256(jwt, client.get("/lti/jwks").json)
    assert header["kid"] == client.get("/lti/jwks").json["keys"][0]["kid"]
    assert (
        claims["iss"],
        claims["aud"],
        claims[LTI + "message_type"],
        claims[LTI + "deployment_id"],
        claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"],
    ) == (fake.client_id, fake.issuer, "LtiDeepLinkingResponse", fake.deployment_id, "opaque-data")
    items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert [i["custom"] for i in items] == [{"pathways_link_target": c} for c in chosen]
    assert [i["url"] for i in items] == [
        "http://localhost/micro-credentials/MC-DL",
        f"http://localhost/modules/{module_id}",
    ]
    # Each item's URL is the real page a launch of it lands on.
    assert [client.get(i["url"]).status_code for i in items] == [200, 200]
    assert all(
        i["type"] == "ltiResourceLink" and i["lineItem"]["scoreMaximum"] == 100 for i in items
    )
    again = client.post(f"/lti/deep-linking/{handle}", data={"item": chosen})
    assert (again.status_code, "deep_linking_expired" in again.get_data(as_text=True)) == (
        400,
        True,
    )
    assert json.loads(b64url_decode(jwt.split(".")[0]))["alg"] == "RS256"


def test_learners_cannot_deep_link(client, fake, registered):
    state, nonce = start_login(client, fake)
    token = fake.id_token(nonce=nonce, message_type="LtiDeepLinkingRequest")
    response = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert (
        response.status_code,
        "deep_linking_not_allowed" in response.get_data(as_text=True),
    ) == (403, True)


def test_a_real_award_reaches_the_outbox_through_the_award_hooks(client, fake, registered):
    from pathways.records import services as records
    from pathways.records.models import Award
    from tests.catalog.factories import Cast

    assert services.on_award in records.AWARD_HOOKS
    version = Cast().published("MC-AW")
    user = graded_launch(client, fake, sub="earner", target="credential:MC-AW")
    with transaction():
        earned = Award(
            user_id=user.id, micro_credential_version_id=version.id, issued_at=utcnow(), basis={}
        )
        db.session.add(earned)
        db.session.flush()
        services.on_award(user, earned)
    rows = db.session.scalars(sa.select(LtiOutbox)).all()
    assert [r.idempotency_key.rsplit(":", 2)[1:] for r in rows] == [["award", str(earned.id)]]
    assert deliver()["sent"] == 1
    assert [s["userId"] for s in fake.scores] == ["earner"]


def test_moodle_basic_outcome_claim_posts_pox_with_a_service_token(client, fake, registered):
    """Moodle 4.x sends the lti-bo claim in 1.3 launches; without an AGS line item the grade
    goes as a replaceResult with a bearer token of the basicoutcome scope."""
    from pathways.lti import pox

    state, nonce = start_login(client, fake)
    token = fake.id_token(
        nonce=nonce,
        sub="bo-learner",
        extra={
            LTI + "custom": {"pathways_target": "credential:MC-BO"},
            "https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome": {
                "lis_result_sourcedid": '{"data":{"instanceid":"3"}}',
                "lis_outcome_service_url": fake.base + "/outcomes",
            },
        },
    )
    assert client.post("/lti/launch", data={"id_token": token, "state": state}).status_code == 302
    user = db.session.scalar(sa.select(ExternalIdentity).filter_by(subject="bo-learner")).user
    with transaction():
        services.on_award(user, award("MC-BO"))
    fake.outcome_replies = [
        pox.build_response(message_id="m", message_ref="r", operation="replaceResult")
    ]
    assert deliver()["sent"] == 1
    outcome = [h for m, p, h, _b in fake.requests if p == "/outcomes"][0]
    assert outcome["Authorization"].startswith("Bearer tok-")
    form = dict(parse_qsl([b for m, p, _h, b in fake.requests if p == "/token"][0].decode()))
    assert form["scope"] == "https://purl.imsglobal.org/spec/lti-bo/scope/basicoutcome"
    assert pox.parse_request(fake.outcome_bodies[0]).sourcedid == '{"data":{"instanceid":"3"}}'
