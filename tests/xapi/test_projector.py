"""The projector end to end: statements over HTTP -> module progress -> awards."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from pathways.db import db
from pathways.db import transaction
from pathways.records import services as records
from pathways.records.models import Award
from pathways.records.models import ModuleProgress
from tests.factories import make_user
from tests.xapi.factories import lrs_headers
from tests.xapi.factories import make_lrs_client
from tests.xapi.factories import make_published_credential
from tests.xapi.factories import new_id
from tests.xapi.factories import statement

pytestmark = pytest.mark.integration

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
FAILED = "http://adlnet.gov/expapi/verbs/failed"
VIEWED = "http://adlnet.gov/expapi/verbs/viewed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
M1 = "https://moodle.example/mod/page/view.php?id=101"
M2 = "https://moodle.example/mod/quiz/view.php?id=102"
MOODLE = "https://moodle.example"


@pytest.fixture
def post(client):
    headers = lrs_headers(make_lrs_client())

    def send(body):
        response = client.post("/xapi/statements", json=body, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json

    return send


def progress_of(user):
    rows = db.session.scalars(
        sa.select(ModuleProgress).filter_by(user_id=user.id).order_by(ModuleProgress.module_id)
    ).all()
    return [(row.status, row.is_complete) for row in rows]


def awards_of(user):
    return db.session.scalars(sa.select(Award).filter_by(user_id=user.id).order_by(Award.id)).all()


def test_completing_the_last_module_awards_the_credential(post):
    version = make_published_credential([[M1], [M2]], validity_months=12)
    user = make_user(email="erin@example.com")
    actor = {"mbox": "mailto:erin@example.com", "name": "Erin"}
    seen = []
    records.AWARD_HOOKS.append(lambda u, a: seen.append((u.id, a.micro_credential_version_id)))
    try:
        first = post(statement(actor=actor, verb=COMPLETED, activity=M1))[0]
        assert progress_of(user) == [("completed", True)]
        assert awards_of(user) == []
        second = post(
            statement(
                actor=actor,
                verb=PASSED,
                activity=M2,
                result={"score": {"scaled": 0.9}, "success": True},
            )
        )[0]
    finally:
        records.AWARD_HOOKS.pop()
    (award,) = awards_of(user)
    assert award.micro_credential_version_id == version.id
    assert award.basis == {
        "statements": [first, second],
        "modules": [m.id for m in version.modules],
    }
    assert (award.expires_at - award.issued_at).days in (365, 366)
    assert seen == [(user.id, version.id)]


def test_replaying_a_statement_changes_nothing(post):
    make_published_credential([[M1]])
    user = make_user(email="fay@example.com")
    body = statement(actor={"mbox": "mailto:fay@example.com"}, activity=M1, statement_id=new_id())
    post(body)
    post(body)
    assert len(awards_of(user)) == 1


def test_failed_is_recorded_without_completion_and_viewed_is_ignored(post):
    make_published_credential([[M1], [M2]])
    user = make_user(email="gus@example.com")
    actor = {"mbox": "mailto:gus@example.com"}
    post(
        [
            statement(actor=actor, verb=VIEWED, activity=M1),
            statement(actor=actor, verb=FAILED, activity=M2),
        ]
    )
    assert progress_of(user) == [("failed", False)]


def test_account_actor_maps_through_the_lti_identity(post):
    from pathways.accounts.services import link_identity

    make_published_credential([[M1]])
    user = make_user(email="hal@example.com")
    with transaction():
        link_identity(user, "lti", MOODLE, "55")
    post(statement(actor={"account": {"homePage": MOODLE + "/", "name": "55"}}, activity=M1))
    assert len(awards_of(user)) == 1


def test_mbox_sha1sum_actor_maps_to_the_user(post):
    make_published_credential([[M1]])
    user = make_user(email="ida@example.com")
    digest = hashlib.sha1(b"mailto:ida@example.com").hexdigest()
    post(statement(actor={"mbox_sha1sum": digest}, activity=M1))
    assert len(awards_of(user)) == 1


def test_unknown_actor_is_projected_when_the_identity_is_linked(post):
    from pathways.accounts.services import link_identity

    make_published_credential([[M1]])
    actor = {"account": {"homePage": MOODLE, "name": "99"}, "name": "Jo"}
    post(statement(actor=actor, activity=M1))
    user = make_user(email="jo@example.com")
    assert awards_of(user) == []
    with transaction():
        link_identity(user, "xapi_account", MOODLE, "99")
    assert len(awards_of(user)) == 1


def test_voiding_reverses_progress_and_revokes_the_award(post):
    make_published_credential([[M1], [M2]])
    user = make_user(email="kim@example.com")
    actor = {"mbox": "mailto:kim@example.com"}
    post(statement(actor=actor, activity=M1))
    last = post(statement(actor=actor, activity=M2))[0]
    (award,) = awards_of(user)
    post(
        statement(actor=actor, verb=VOIDED) | {"object": {"objectType": "StatementRef", "id": last}}
    )
    db.session.refresh(award)
    assert (award.revoked_at is not None, award.revocation_reason) == (True, "voided statement")
    assert progress_of(user) == [("completed", True), ("in_progress", False)]
    assert len(awards_of(user)) == 1


def test_voided_award_basis_is_replaced_when_another_statement_completes(post):
    make_published_credential([[M1]])
    user = make_user(email="lee@example.com")
    actor = {"mbox": "mailto:lee@example.com"}
    first = post(statement(actor=actor, activity=M1))[0]
    second = post(statement(actor=actor, activity=M1, verb=PASSED))[0]
    post(
        statement(actor=actor, verb=VOIDED)
        | {"object": {"objectType": "StatementRef", "id": first}}
    )
    revoked, current = awards_of(user)
    assert revoked.revocation_reason == "voided statement"
    assert (current.revoked_at, current.basis["statements"]) == (None, [second])


def test_draft_modules_do_not_project(post):
    from pathways.catalog.enums import VersionStatus

    version = make_published_credential([[M1]])
    with transaction():
        db.session.get(type(version), version.id).status = VersionStatus.DRAFT
    user = make_user(email="max@example.com")
    post(statement(actor={"mbox": "mailto:max@example.com"}, activity=M1))
    assert (progress_of(user), awards_of(user)) == ([], [])
