"""Each organisation's LRS data stays its own.

A college's LMS and an employer's system each hold LRS credentials (HTTP Basic, built by
the test); what one stores, the other cannot read, look up, void or overwrite. Reading
across organisations takes the platform's own xapi:read:all.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from pathways.accounts.enums import OrganisationKind
from pathways.db import db
from pathways.errors import Invalid
from pathways.records.models import ModuleProgress
from tests.factories import make_organisation
from tests.factories import make_user
from tests.xapi.factories import lrs_headers
from tests.xapi.factories import make_lrs_client
from tests.xapi.factories import make_published_credential
from tests.xapi.factories import statement

pytestmark = pytest.mark.integration

LEARNER = {"mbox": "mailto:nadia@example.org", "name": "Nadia"}
ACTIVITY = "https://moodle.college.example/mod/page/view.php?id=9"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


@pytest.fixture
def college(database):
    return make_organisation(code="iso-college")


@pytest.fixture
def employer(database):
    return make_organisation(OrganisationKind.EMPLOYER, code="iso-employer")


def client_of(organisation, *scopes):
    return lrs_headers(make_lrs_client(scopes, organisation=organisation))


def ids(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [s["id"] for s in response.json["statements"]]


def test_xapi_read_reads_its_own_organisations_statements_only(client, college, employer):
    moodle = client_of(college, "xapi:write", "xapi:read:own")
    reporting = client_of(college, "xapi:read")
    employer_reader = client_of(employer, "xapi:read", "xapi:write")
    stored = client.post(
        "/xapi/statements", json=statement(actor=LEARNER, activity=ACTIVITY), headers=moodle
    ).json
    own = client.post("/xapi/statements", json=statement(), headers=employer_reader).json
    assert ids(client.get("/xapi/statements", headers=reporting)) == stored
    assert ids(client.get("/xapi/statements", headers=employer_reader)) == own
    assert ids(client.get("/xapi/statements", headers=moodle)) == stored
    single = client.get(f"/xapi/statements?statementId={stored[0]}", headers=employer_reader)
    assert single.status_code == 404
    by_agent = client.get(
        "/xapi/statements?" + urlencode({"agent": json.dumps({"mbox": LEARNER["mbox"]})}),
        headers=employer_reader,
    )
    assert ids(by_agent) == []


def test_a_continuation_is_read_with_the_same_organisation_only(client, college, employer):
    moodle = client_of(college, "xapi:write", "xapi:read")
    for _ in range(3):
        client.post("/xapi/statements", json=statement(), headers=moodle)
    first = client.get("/xapi/statements?limit=2", headers=moodle).json
    assert first["more"]
    stolen = client.get(first["more"], headers=client_of(employer, "xapi:read"))
    assert stolen.status_code == 403
    assert len(client.get(first["more"], headers=moodle).json["statements"]) == 1


def test_the_platforms_read_all_scope_reads_every_organisation(client, college, employer):
    platform = make_organisation(OrganisationKind.PLATFORM, code="iso-platform")
    college_ids = client.post(
        "/xapi/statements", json=statement(), headers=client_of(college, "xapi:write")
    ).json
    employer_ids = client.post(
        "/xapi/statements", json=statement(), headers=client_of(employer, "xapi:write")
    ).json
    everything = client.get("/xapi/statements", headers=client_of(platform, "xapi:read:all"))
    assert sorted(ids(everything)) == sorted(college_ids + employer_ids)
    with pytest.raises(Invalid) as refused:  # no other organisation's client holds it
        client_of(employer, "xapi:read:all")
    assert refused.value.code == "platform_scope"


def test_the_agents_resource_names_only_people_the_readers_statements_show(
    client, college, employer
):
    make_user(email="nadia@example.org", name="Nadia Haddad")
    moodle = client_of(college, "xapi:write", "xapi:read")
    client.post("/xapi/statements", json=statement(actor=LEARNER), headers=moodle)
    query = "/xapi/agents?" + urlencode({"agent": json.dumps({"mbox": LEARNER["mbox"]})})
    assert client.get(query, headers=moodle).json == {
        "objectType": "Person",
        "name": ["Nadia Haddad"],
        "mbox": [LEARNER["mbox"]],
    }
    assert client.get(query, headers=client_of(employer, "xapi:read")).json == {
        "objectType": "Person",
        "mbox": [LEARNER["mbox"]],
    }


def test_activities_are_defined_only_for_the_organisation_that_saw_them(client, college, employer):
    moodle = client_of(college, "xapi:write", "xapi:read")
    client.post("/xapi/statements", json=statement(activity=ACTIVITY), headers=moodle)
    query = "/xapi/activities?" + urlencode({"activityId": ACTIVITY})
    assert client.get(query, headers=moodle).json["definition"]["name"] == {"en": "Page"}
    assert client.get(query, headers=client_of(employer, "xapi:read")).json == {
        "objectType": "Activity",
        "id": ACTIVITY,
    }


@pytest.mark.parametrize(
    ("resource", "params"),
    [
        (
            "activities/state",
            {
                "activityId": ACTIVITY,
                "agent": json.dumps({"mbox": LEARNER["mbox"]}),
                "stateId": "s",
            },
        ),
        ("activities/profile", {"activityId": ACTIVITY, "profileId": "p"}),
        ("agents/profile", {"agent": json.dumps({"mbox": LEARNER["mbox"]}), "profileId": "p"}),
    ],
    ids=["state", "activity-profile", "agent-profile"],
)
def test_documents_are_each_organisations_own(client, college, employer, resource, params):
    url = f"/xapi/{resource}?{urlencode(params)}"
    moodle = client_of(college, "xapi:write", "xapi:read")
    other = client_of(employer, "xapi:write", "xapi:read")
    guard = {"If-None-Match": "*"}
    assert client.put(url, json={"grade": "A"}, headers={**moodle, **guard}).status_code == 204
    assert client.get(url, headers=other).status_code == 404
    assert client.put(url, json={"grade": "F"}, headers={**other, **guard}).status_code == 204
    assert client.get(url, headers=moodle).json == {"grade": "A"}
    assert client.get(url, headers=other).json == {"grade": "F"}
    listing = url.rsplit("&", 1)[0]  # without the document id: the ids of the scope
    assert client.get(listing, headers=other).json == [params.get("stateId", "p")]


def test_a_statement_voids_only_its_own_organisations_statements(client, college, employer):
    version = make_published_credential([[ACTIVITY]])
    learner = make_user(email="nadia@example.org")
    moodle = client_of(college, "xapi:write", "xapi:read")
    completed = client.post(
        "/xapi/statements", json=statement(actor=LEARNER, activity=ACTIVITY), headers=moodle
    ).json[0]
    voiding = statement(verb=VOIDED) | {"object": {"objectType": "StatementRef", "id": completed}}
    response = client.post(
        "/xapi/statements", json=voiding, headers=client_of(employer, "xapi:write")
    )
    assert response.status_code == 200
    kept = client.get(f"/xapi/statements?statementId={completed}", headers=moodle)
    assert kept.status_code == 200
    progress = db.session.scalar(
        sa.select(ModuleProgress).filter_by(user_id=learner.id, module_id=version.modules[0].id)
    )
    assert (progress.status, progress.is_complete) == ("completed", True)


def test_the_connect_an_lms_page_gives_the_least_scope(client, college):
    from pathways.accounts.enums import Role
    from pathways.accounts.models import ApiClient

    admin = make_user(Role.COLLEGE_ADMIN, organisation=college)
    client.sign_in(admin.email)
    page = client.get(f"/organisations/{college.code}/lrs").get_data(as_text=True)
    assert "xapi:read:own" in page
    client.submit(f"/organisations/{college.code}/lrs", {"name": "Moodle"})
    created = db.session.scalar(sa.select(ApiClient).filter_by(organisation_id=college.id))
    assert created.scopes == ["xapi:read:own", "xapi:write"]
