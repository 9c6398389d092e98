"""LTI 1.1 over HTTP: launches signed by hand (hmac + hashlib, not oauthlib or Pathways'
code), replay and tampering refused with nothing created, Basic Outcomes through the
outbox to a fake platform, and hostile outcome XML refused."""

from __future__ import annotations

import base64
import hashlib
import time
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from pathways.accounts.enums import Role
from pathways.accounts.models import ExternalIdentity
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.lti import ags
from pathways.lti import calls
from pathways.lti import lti11
from pathways.lti import pox
from pathways.lti import services
from pathways.lti.models import LtiGradeLink
from pathways.lti.models import LtiOutbox
from tests.factories import make_organisation
from tests.lti.factories import PlatformServer
from tests.lti.factories import lti11_form
from tests.lti.factories import row_counts

pytestmark = pytest.mark.integration

URL = "http://localhost/lti/1.1/launch"
KEY = "moodle-legacy"
SECRET = "a-shared-secret-of-some-length"


@pytest.fixture
def fake():
    with PlatformServer() as platform:
        yield platform


@pytest.fixture
def consumer(database):
    college = make_organisation(code="legacy-college")
    with transaction():
        return services.create_consumer(
            consumer_key=KEY, organisation=college, secret=SECRET, actor=None
        ).consumer


def post(client, form):
    return client.post("/lti/1.1/launch", data=form)


def test_a_signed_launch_provisions_the_learner(client, consumer, fake):
    form = lti11_form(
        URL,
        KEY,
        SECRET,
        lis_outcome_service_url=fake.base + "/outcomes",
        lis_result_sourcedid="src-1",
        custom_pathways_target="pathway:CNC-OP",
    )
    response = post(client, form)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    identity = db.session.scalar(sa.select(ExternalIdentity).filter_by(provider="lti11"))
    assert (identity.issuer, identity.subject, identity.user.email) == (
        KEY,
        "u-42",
        "ada11@example.org",
    )
    assert [m.role for m in identity.user.memberships] == [Role.LEARNER]
    grade = db.session.scalar(sa.select(LtiGradeLink))
    assert (
        grade.outcome_url,
        grade.sourcedid,
        grade.resource_link.target_kind,
        grade.resource_link.target_code,
    ) == (fake.base + "/outcomes", "src-1", "pathway", "CNC-OP")


def test_a_module_link_lands_on_the_module_page_as_in_lti_1_3(client, consumer):
    from tests.catalog.factories import Cast

    module = Cast().published("MC-LTI11-MOD").modules[0]
    response = post(client, lti11_form(URL, KEY, SECRET, custom_module=str(module.id)))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert urlsplit(response.headers["Location"]).path == f"/modules/{module.id}"
    landed = client.get(response.headers["Location"])
    assert (landed.status_code, "Not started" in landed.get_data(as_text=True)) == (200, True)


def _refused(client, form, status, code):
    before = row_counts()
    response = post(client, form)
    body = response.get_data(as_text=True)
    assert (response.status_code, code in body) == (status, True), body[:600]
    assert row_counts() == before


def test_tampered_signature(client, consumer):
    form = lti11_form(URL, KEY, SECRET)
    form["roles"] = "Instructor"  # changed after signing
    _refused(client, form, 401, "bad_signature")


def test_wrong_secret(client, consumer):
    _refused(client, lti11_form(URL, KEY, "not-the-secret-at-all"), 401, "bad_signature")


def test_unknown_consumer(client, consumer):
    _refused(client, lti11_form(URL, "nobody", SECRET), 403, "unknown_consumer")


def test_replayed_oauth_nonce(client, consumer):
    form = lti11_form(URL, KEY, SECRET)
    assert post(client, form).status_code == 302
    _refused(client, form, 401, "replayed_nonce")


def test_stale_timestamp(client, consumer):
    form = lti11_form(URL, KEY, SECRET, oauth_timestamp=str(int(time.time()) - 3600))
    _refused(client, form, 401, "timestamp")


def test_the_secret_is_stored_encrypted(consumer):
    assert SECRET not in consumer.secret_encrypted


# --- Basic Outcomes ---------------------------------------------------------------------------


def _learner_with_outcomes(client, fake):
    form = lti11_form(
        URL,
        KEY,
        SECRET,
        lis_outcome_service_url=fake.base + "/outcomes",
        lis_result_sourcedid="src-9",
        custom_pathways_target="credential:MC-11",
    )
    assert post(client, form).status_code == 302
    return db.session.scalar(sa.select(ExternalIdentity).filter_by(subject="u-42")).user


def _success(operation: str, score: float | None = None) -> bytes:
    return pox.build_response(message_id="p-1", message_ref="x", operation=operation, score=score)


def test_replace_result_goes_through_the_outbox_signed_with_a_body_hash(client, consumer, fake):
    user = _learner_with_outcomes(client, fake)
    with transaction():
        services.on_award(user, SimpleNamespace(id=5, credential_code="MC-11", issued_at=utcnow()))
        services.on_award(user, SimpleNamespace(id=5, credential_code="MC-11", issued_at=utcnow()))
    fake.outcome_replies = [b"", _success("replaceResult")]  # first answer unreadable
    first = calls.deliver_outbox()
    second = calls.deliver_outbox(now=utcnow() + ags.backoff(1))
    assert (first, second) == (
        {"sent": 0, "retry": 1, "failed": 0},
        {"sent": 1, "retry": 0, "failed": 0},
    )
    request = pox.parse_request(fake.outcome_bodies[-1])
    assert (request.operation, request.sourcedid, request.score) == ("replaceResult", "src-9", 1.0)
    headers = [h for m, p, h, _b in fake.requests if p == "/outcomes"][-1]
    expected_hash = base64.b64encode(hashlib.sha1(fake.outcome_bodies[-1]).digest()).decode()
    assert headers["Content-Type"] == "application/xml"
    assert headers["Authorization"].startswith("OAuth ")
    assert "oauth_body_hash" in headers["Authorization"]
    from urllib.parse import quote

    assert f'oauth_body_hash="{quote(expected_hash, safe="")}"' in headers["Authorization"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiOutbox)) == 1


def test_read_and_delete_result(client, consumer, fake):
    user = _learner_with_outcomes(client, fake)
    grade = db.session.scalar(sa.select(LtiGradeLink).filter_by(user_id=user.id))
    fake.outcome_replies = [_success("readResult", 0.75), _success("deleteResult")]
    assert calls.read_result(grade.id) == 0.75
    with transaction():
        lti11.enqueue_delete(grade, source_key="revoked:1")
    calls.deliver_outbox()
    assert pox.parse_request(fake.outcome_bodies[-1]).operation == "deleteResult"
    assert db.session.scalar(sa.select(LtiOutbox.status)) == "sent"


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<imsx_POXEnvelopeResponse xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0">
<imsx_POXHeader><imsx_POXResponseHeaderInfo><imsx_version>V1.0</imsx_version>
<imsx_messageIdentifier>&xxe;</imsx_messageIdentifier><imsx_statusInfo>
<imsx_codeMajor>success</imsx_codeMajor><imsx_severity>status</imsx_severity>
</imsx_statusInfo></imsx_POXResponseHeaderInfo></imsx_POXHeader></imsx_POXEnvelopeResponse>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<imsx_POXEnvelopeResponse xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0">
<imsx_POXHeader><imsx_POXResponseHeaderInfo><imsx_statusInfo>
<imsx_codeMajor>success</imsx_codeMajor><imsx_severity>status</imsx_severity>
<imsx_description>&lol3;</imsx_description>
</imsx_statusInfo></imsx_POXResponseHeaderInfo></imsx_POXHeader></imsx_POXEnvelopeResponse>"""


@pytest.mark.parametrize("hostile", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_hostile_outcome_xml_is_refused_and_the_grade_stays_pending(
    client, consumer, fake, hostile
):
    user = _learner_with_outcomes(client, fake)
    with transaction():
        services.on_award(user, SimpleNamespace(id=7, credential_code="MC-11", issued_at=utcnow()))
    fake.outcome_replies = [hostile]
    assert calls.deliver_outbox() == {"sent": 0, "retry": 1, "failed": 0}
    row = db.session.scalar(sa.select(LtiOutbox))
    assert (row.status, row.last_error.startswith("OutcomeFailed: unreadable")) == ("pending", True)
    assert "root:" not in row.last_error
    grade = db.session.scalar(sa.select(LtiGradeLink))
    fake.outcome_replies = [hostile]
    with pytest.raises(lti11.OutcomeFailed):
        calls.read_result(grade.id)
