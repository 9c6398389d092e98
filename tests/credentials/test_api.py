"""GET /api/v1/learners/<id>/credentials and POST /api/v1/credentials/<id>/revoke|suspend|
reinstate: the exact signed JSON, who may read and change, status bits, the cascade."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.credentials.models import CredentialEvent
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.records.models.certifications import CertificationStatus
from tests.credentials.issued_factories import certify
from tests.credentials.issued_factories import credential_of_award
from tests.credentials.issued_factories import credentials_of_certification
from tests.credentials.issued_factories import issued_world
from tests.credentials.issued_factories import learner_credentials
from tests.credentials.issued_factories import reload
from tests.credentials.issued_factories import served_bit
from tests.factories import make_api_client
from tests.factories import make_organisation
from tests.factories import make_user
from tests.stacking.pathway_factories import award

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


def bearer(created) -> dict:
    return {"Authorization": f"Bearer {created.bearer_token}"}


def session_headers(client) -> dict:
    return {"X-CSRFToken": client.csrf_token("/dashboard")}


def listing_url(user_id: int) -> str:
    return f"/api/v1/learners/{user_id}/credentials"


# -- the learner's credentials ----------------------------------------------------------------


def test_the_learner_reads_each_credential_as_the_exact_signed_json(client):
    issued = issued_world()
    cnc = award(issued.learner, issued.world.versions["T-CNC"])
    rows = learner_credentials(issued.learner.id)
    assert [r.award_id for r in rows] == [issued.safe.id, cnc.id]
    client.sign_in(issued.learner.email)

    response = client.get(listing_url(issued.learner.id))

    assert (response.status_code, response.mimetype) == (200, "application/json")
    body = response.get_data(as_text=True)
    assert json.loads(body) == {
        "items": [
            {
                "id": f"urn:uuid:{row.uuid}",
                "kind": "micro_credential",
                "status": "active",
                "issuedAt": row.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "credential": json.loads(row.document),
            }
            for row in rows
        ]
    }
    # Byte for byte, keys in their signed order: nothing re-serialised.
    for row in rows:
        assert f'"credential":{row.document}}}' in body
    first = json.loads(body)["items"][0]["credential"]
    assert list(first) == list(json.loads(rows[0].document))
    assert first["id"] == f"urn:uuid:{rows[0].uuid}"


def test_statuses_read_active_expired_suspended_revoked(client, tmp_path):
    issued = issued_world()
    lapsed = award(
        issued.learner,
        issued.world.versions["T-CNC"],
        issued_at=utcnow() - dt.timedelta(days=400),
        expires_at=utcnow() - dt.timedelta(days=35),
    )
    admin = make_user(Role.COLLEGE_ADMIN, organisation=issued.college)
    client.sign_in(admin.email)
    # In the order they were signed: T-SAFE's, then the lapsed award's (valid until 35 days ago).
    statuses = [i["status"] for i in client.get(listing_url(issued.learner.id)).json["items"]]
    assert statuses == ["active", "expired"]
    safe = credential_of_award(issued.safe)
    response = client.post(
        f"/api/v1/credentials/urn:uuid:{safe.uuid}/suspend",
        json={"reason": "complaint under review"},
        headers=session_headers(client),
    )
    assert response.status_code == 200, response.json
    statuses = [i["status"] for i in client.get(listing_url(issued.learner.id)).json["items"]]
    assert statuses == ["suspended", "expired"]
    client.post(
        f"/api/v1/credentials/{credential_of_award(lapsed).uuid}/revoke",
        json={"reason": "awarded in error"},
        headers=session_headers(client),
    )
    statuses = [i["status"] for i in client.get(listing_url(issued.learner.id)).json["items"]]
    assert statuses == ["suspended", "revoked"]


def test_a_learner_without_credentials_gets_an_empty_list(client):
    learner = make_user(Role.LEARNER)
    client.sign_in(learner.email)
    response = client.get(listing_url(learner.id))
    assert (response.status_code, response.json) == (200, {"items": []})


READER_CASES = {
    "the learner": (lambda w: w.learner, 200),
    "an admin of the learner's college": (
        lambda w: make_user(Role.COLLEGE_ADMIN, organisation=w.college),
        200,
    ),
    "an editor of the learner's college": (
        lambda w: make_user(Role.COLLEGE_EDITOR, organisation=w.college),
        200,
    ),
    "an assessor where the learner learns": (lambda w: w.world.assessor, 200),
    "another learner of the same college": (
        lambda w: make_user(Role.LEARNER, organisation=w.college),
        403,
    ),
    "a learner of another college": (lambda w: make_user(Role.LEARNER), 403),
    "an admin of another college": (lambda w: make_user(Role.COLLEGE_ADMIN), 403),
    "an employer verifier": (
        lambda w: make_user(Role.EMPLOYER_VERIFIER, organisation=w.world.employer),
        403,
    ),
    "a partner reviewer": (lambda w: make_user(Role.PARTNER_REVIEWER), 403),
    "a platform admin": (lambda w: make_user(Role.PLATFORM_ADMIN), 403),
}


@pytest.mark.parametrize("who", list(READER_CASES))
def test_who_may_read_a_learners_credentials(client, who):
    issued = issued_world()
    make_reader, status = READER_CASES[who]
    client.sign_in(make_reader(issued).email)
    response = client.get(listing_url(issued.learner.id))
    assert response.status_code == status
    if status == 200:
        assert len(response.json["items"]) == 1
    else:
        assert response.mimetype == PROBLEM


def test_anonymous_is_asked_to_authenticate(client):
    issued = issued_world()
    response = client.get(listing_url(issued.learner.id))
    assert (response.status_code, response.mimetype) == (401, PROBLEM)


@pytest.mark.parametrize(
    ("own_college", "scopes", "status"),
    [
        (True, ("records:read",), 200),
        (False, ("records:read",), 403),
        (True, ("xapi:write",), 403),
        (True, ("credentials:write",), 403),
    ],
)
def test_api_clients_need_records_read_of_the_learners_college(client, own_college, scopes, status):
    issued = issued_world()
    created = make_api_client(issued.college if own_college else None, scopes=scopes)
    response = client.get(listing_url(issued.learner.id), headers=bearer(created))
    assert response.status_code == status
    if status == 200:
        assert [i["id"] for i in response.json["items"]] == [
            f"urn:uuid:{credential_of_award(issued.safe).uuid}"
        ]
    else:
        assert response.mimetype == PROBLEM


@pytest.mark.parametrize("n", [1, 3])
def test_listing_costs_the_same_queries_for_1_and_3_credentials(client, count_queries, n):
    issued = issued_world()
    created = make_api_client(issued.college, scopes=("records:read",))
    for _ in range(n - 1):
        award(issued.learner, issued.world.versions["T-CNC"])
    with count_queries() as queries:
        response = client.get(listing_url(issued.learner.id), headers=bearer(created))
    assert len(response.json["items"]) == n
    # Authentication and the access check take 4 (the session's user, the client twice, the
    # learner's organisations); the credentials one, whatever their number.
    assert len(queries) == 5
    assert sum("FROM credential_issued" in q for q in queries) == 1


# -- status changes ---------------------------------------------------------------------------


def test_an_admin_suspends_reinstates_and_revokes_and_the_served_bits_follow(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    assert (served_bit(client, row, "revocation"), served_bit(client, row, "suspension")) == (
        False,
        False,
    )
    admin = make_user(Role.COLLEGE_ADMIN, organisation=issued.college)
    client.sign_in(admin.email)
    url = f"/api/v1/credentials/urn:uuid:{row.uuid}"

    suspended = client.post(
        f"{url}/suspend", json={"reason": "complaint"}, headers=session_headers(client)
    )
    assert suspended.status_code == 200
    assert suspended.json["status"] == "suspended"
    assert suspended.json["revokedAt"] is None
    assert suspended.json["suspendedAt"] is not None
    assert (served_bit(client, row, "revocation"), served_bit(client, row, "suspension")) == (
        False,
        True,
    )

    reinstated = client.post(
        f"{url}/reinstate", json={"reason": "complaint dismissed"}, headers=session_headers(client)
    )
    assert (reinstated.status_code, reinstated.json["status"]) == (200, "active")
    assert reinstated.json["suspendedAt"] is None
    assert (served_bit(client, row, "revocation"), served_bit(client, row, "suspension")) == (
        False,
        False,
    )

    revoked = client.post(
        f"{url}/revoke", json={"reason": "plagiarism"}, headers=session_headers(client)
    )
    assert revoked.status_code == 200
    assert {k: revoked.json[k] for k in ("id", "kind", "status")} == {
        "id": f"urn:uuid:{row.uuid}",
        "kind": "micro_credential",
        "status": "revoked",
    }
    assert served_bit(client, row, "revocation") is True
    events = [(e.action, e.reason, e.actor_id) for e in reload(row).events]
    assert events == [
        ("issued", "", None),
        ("suspended", "complaint", admin.id),
        ("reinstated", "complaint dismissed", admin.id),
        ("revoked", "plagiarism", admin.id),
    ]
    assert reload(issued.safe).revoked_at is not None


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, "reason_required"),
        ({"reason": "   "}, "reason_required"),
        ({"reason": None}, "reason_required"),
        ({"reason": 42}, "invalid"),
        ({"reason": "x" * 501}, "invalid"),
        (["not", "an", "object"], "reason_required"),
    ],
)
def test_a_reason_is_required(client, payload, code):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(make_user(Role.COLLEGE_ADMIN, organisation=issued.college).email)
    response = client.post(
        f"/api/v1/credentials/{row.uuid}/revoke", json=payload, headers=session_headers(client)
    )
    assert (response.status_code, response.mimetype, response.json["code"]) == (400, PROBLEM, code)
    assert sorted(response.json["errors"]) == ["reason"]
    assert reload(row).revoked_at is None
    assert served_bit(client, row, "revocation") is False


def test_a_body_that_is_not_json_is_a_missing_reason(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(make_user(Role.COLLEGE_ADMIN, organisation=issued.college).email)
    response = client.post(
        f"/api/v1/credentials/{row.uuid}/suspend",
        data="reason=because",
        headers={**session_headers(client), "Content-Type": "text/plain"},
    )
    assert (response.status_code, response.json["code"]) == (400, "reason_required")


@pytest.mark.parametrize(
    ("steps", "status", "code"),
    [
        (["revoke", "revoke"], 409, "already_revoked"),
        (["suspend", "suspend"], 409, "already_suspended"),
        (["reinstate"], 409, "not_suspended"),
        (["revoke", "suspend"], 409, "revoked"),
        (["revoke", "reinstate"], 409, "revoked"),
    ],
)
def test_conflicting_changes_are_409(client, steps, status, code):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(make_user(Role.PLATFORM_ADMIN).email)
    for step in steps:
        response = client.post(
            f"/api/v1/credentials/{row.uuid}/{step}",
            json={"reason": f"{step} it"},
            headers=session_headers(client),
        )
    assert (response.status_code, response.mimetype, response.json["code"]) == (
        status,
        PROBLEM,
        code,
    )


@pytest.mark.parametrize("credential_id", ["urn:uuid:00000000-0000-4000-8000-000000000000", "x"])
def test_an_unknown_credential_is_404(client, credential_id):
    client.sign_in(make_user(Role.PLATFORM_ADMIN).email)
    response = client.post(
        f"/api/v1/credentials/{credential_id}/revoke",
        json={"reason": "no such thing"},
        headers=session_headers(client),
    )
    assert (response.status_code, response.mimetype) == (404, PROBLEM)


CHANGER_CASES = {
    "an admin of another college": (lambda w: make_user(Role.COLLEGE_ADMIN), 403),
    "an admin of the learner's employer": (
        lambda w: make_user(Role.COLLEGE_ADMIN, organisation=w.world.employer),
        403,
    ),
    "an editor of the issuing college": (
        lambda w: make_user(Role.COLLEGE_EDITOR, organisation=w.college),
        403,
    ),
    "the learner": (lambda w: w.learner, 403),
    "an assessor": (lambda w: w.world.assessor, 403),
    "an employer verifier": (lambda w: make_user(Role.EMPLOYER_VERIFIER), 403),
    "a partner reviewer": (lambda w: make_user(Role.PARTNER_REVIEWER), 403),
    "an admin of the issuing college": (
        lambda w: make_user(Role.COLLEGE_ADMIN, organisation=w.college),
        200,
    ),
    "a platform admin": (lambda w: make_user(Role.PLATFORM_ADMIN), 200),
}


@pytest.mark.parametrize("who", list(CHANGER_CASES))
def test_who_may_change_a_status(client, who):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    make_actor, status = CHANGER_CASES[who]
    client.sign_in(make_actor(issued).email)
    response = client.post(
        f"/api/v1/credentials/{row.uuid}/suspend",
        json={"reason": "checking"},
        headers=session_headers(client),
    )
    assert response.status_code == status
    assert (reload(row).suspended_at is not None) is (status == 200)
    assert served_bit(client, row, "suspension") is (status == 200)


def test_anonymous_may_not_change_a_status(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    response = client.post(f"/api/v1/credentials/{row.uuid}/revoke", json={"reason": "x"})
    assert (response.status_code, response.mimetype) == (401, PROBLEM)
    assert reload(row).revoked_at is None


@pytest.mark.parametrize(
    ("own_college", "scopes", "status"),
    [
        (True, ("credentials:write",), 200),
        (False, ("credentials:write",), 403),
        (True, ("records:read",), 403),
        (True, ("catalog:write", "xapi:write"), 403),
    ],
)
def test_api_clients_need_credentials_write_of_the_issuer(client, own_college, scopes, status):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    created = make_api_client(issued.college if own_college else None, scopes=scopes)
    response = client.post(
        f"/api/v1/credentials/{row.uuid}/revoke",
        json={"reason": "student information system says so"},
        headers=bearer(created),
    )
    assert (response.status_code, response.mimetype) == (
        status,
        "application/json" if status == 200 else PROBLEM,
    )
    assert served_bit(client, row, "revocation") is (status == 200)
    if status == 200:
        (event,) = [e for e in reload(row).events if e.action == "revoked"]
        assert (event.actor_id, event.actor_client_id) == (None, created.client.id)


def test_credentials_write_is_granted_nowhere_by_default(client):
    created = make_api_client(scopes=("xapi:write",))
    assert "credentials:write" not in created.client.scopes
    college = make_organisation(OrganisationKind.COLLEGE, code="east")
    admin = make_user(Role.COLLEGE_ADMIN, organisation=college)
    client.sign_in(admin.email)
    response = client.post(
        "/api/v1/organisations/east/api-clients",
        json={"name": "SIS", "scopes": ["credentials:write"]},
        headers=session_headers(client),
    )
    assert (response.status_code, response.json["scopes"]) == (201, ["credentials:write"])


def test_revoking_an_award_credential_revokes_the_award_and_the_certification_on_it(
    client, tmp_path
):
    issued = issued_world()
    cnc, certification = certify(issued, tmp_path)
    assert certification.status is CertificationStatus.CERTIFIED
    stacked = credentials_of_certification(certification)
    assert sorted(r.kind.value for r in stacked) == ["certification", "record"]
    assert {r.issuer_organisation_id for r in stacked} == {issued.body.id}
    row = credential_of_award(cnc)
    safe = credential_of_award(issued.safe)
    admin = make_user(Role.COLLEGE_ADMIN, organisation=issued.college)
    client.sign_in(admin.email)

    response = client.post(
        f"/api/v1/credentials/{row.uuid}/revoke",
        json={"reason": "assessment found to be plagiarised"},
        headers=session_headers(client),
    )

    assert (response.status_code, response.json["status"]) == (200, "revoked")
    assert reload(cnc).revoked_at is not None
    assert reload(certification).status is CertificationStatus.REVOKED
    for stacked_row in stacked:
        assert reload(stacked_row).revoked_at is not None
        assert served_bit(client, stacked_row, "revocation") is True
    assert served_bit(client, row, "revocation") is True
    # The other input stands: only what relied on the revoked award falls.
    assert reload(safe).revoked_at is None
    assert served_bit(client, safe, "revocation") is False
    statuses = {
        i["kind"]: i["status"]
        for i in client.get(listing_url(issued.learner.id)).json["items"]
        if i["id"] != f"urn:uuid:{safe.uuid}"
    }
    assert statuses == {
        "micro_credential": "revoked",
        "record": "revoked",
        "certification": "revoked",
    }


def test_revoking_the_certification_record_revokes_its_badge_not_the_awards(client, tmp_path):
    issued = issued_world()
    cnc, certification = certify(issued, tmp_path)
    record, badge = sorted(credentials_of_certification(certification), key=lambda r: r.kind.value)[
        ::-1
    ]
    assert (record.kind.value, badge.kind.value) == ("record", "certification")
    body_admin = make_user(Role.COLLEGE_ADMIN, organisation=issued.body)
    client.sign_in(body_admin.email)
    response = client.post(
        f"/api/v1/credentials/{record.uuid}/revoke",
        json={"reason": "sign-off given in error"},
        headers=session_headers(client),
    )
    assert response.status_code == 200
    assert reload(certification).status is CertificationStatus.REVOKED
    assert reload(badge).revoked_at is not None
    assert served_bit(client, badge, "revocation") is True
    assert reload(cnc).revoked_at is None
    assert reload(credential_of_award(cnc)).revoked_at is None
    # The college's admin does not administer the standards body's credentials.
    client.sign_in(make_user(Role.COLLEGE_ADMIN, organisation=issued.college).email)
    response = client.post(
        f"/api/v1/credentials/{badge.uuid}/suspend",
        json={"reason": "x"},
        headers=session_headers(client),
    )
    assert (response.status_code, response.json["code"]) == (403, "not_issuer_admin")


def test_a_failed_change_leaves_no_trace(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    with transaction():
        count = db.session.query(CredentialEvent).filter_by(credential_id=row.id).count()
    client.sign_in(make_user(Role.COLLEGE_ADMIN).email)
    response = client.post(
        f"/api/v1/credentials/{row.uuid}/revoke",
        json={"reason": "not mine to revoke"},
        headers=session_headers(client),
    )
    assert response.status_code == 403
    assert db.session.query(CredentialEvent).filter_by(credential_id=row.id).count() == count
