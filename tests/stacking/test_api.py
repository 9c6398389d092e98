"""GET /api/v1/learners/<id>/pathways[/<occupation>]: shape and who may read it."""

from __future__ import annotations

import pytest

from pathways.accounts.enums import Role
from tests.factories import make_api_client
from tests.factories import make_user
from tests.stacking.pathway_factories import award
from tests.stacking.pathway_factories import make_world

pytestmark = pytest.mark.integration

KEYS = [
    "areas",
    "as_of",
    "awaiting_signoff",
    "certification",
    "credentials",
    "learner_id",
    "missing",
    "next_steps",
    "notes",
    "occupation",
    "outcome",
    "plan",
    "progress",
    "requires_signoff",
    "rule_version",
    "satisfied",
    "workplace_assessment",
]


def test_learner_reads_own_pathway_as_json(client):
    world = make_world()
    award(world.learner, world.versions["T-SAFE"])
    client.sign_in(world.learner.email)
    response = client.get(f"/api/v1/learners/{world.learner.id}/pathways/T-MO")
    assert response.status_code == 200
    body = response.json
    assert sorted(body) == KEYS
    assert (body["learner_id"], body["rule_version"], body["satisfied"]) == (
        world.learner.id,
        1,
        False,
    )
    assert [step["code"] for step in body["next_steps"]] == ["T-CNC"]
    assert body["plan"]["total_hours"] == 20
    assert body["outcome"]["kind"] == "any"
    assert [c["kind"] for c in body["outcome"]["children"][0]["children"]] == [
        "credential",
        "credential",
        "min_hours",
        "covers",
    ]
    listing = client.get(f"/api/v1/learners/{world.learner.id}/pathways")
    assert listing.json == {
        "items": [
            {
                "code": "T-MO",
                "title": "Title of T-MO",
                "illustrative": True,
                "is_target": False,
                "progress": body["outcome"]["progress"],
                "certification": None,
            }
        ]
    }


def test_another_learner_is_refused(client):
    world = make_world()
    other = make_user(Role.LEARNER, organisation=world.college)
    client.sign_in(other.email)
    response = client.get(f"/api/v1/learners/{world.learner.id}/pathways/T-MO")
    assert (response.status_code, response.mimetype) == (403, "application/problem+json")
    assert client.get(f"/api/v1/learners/{world.learner.id}/pathways").status_code == 403


def test_staff_of_the_learners_organisations_may_read(client):
    world = make_world()
    client.sign_in(world.assessor.email)
    assert client.get(f"/api/v1/learners/{world.learner.id}/pathways/T-MO").status_code == 200
    client.sign_in(make_user(Role.COLLEGE_ADMIN).email)
    assert client.get(f"/api/v1/learners/{world.learner.id}/pathways/T-MO").status_code == 403


@pytest.mark.parametrize(
    ("own_organisation", "scopes", "status"),
    [
        (True, ("records:read",), 200),
        (False, ("records:read",), 403),
        (True, ("xapi:write",), 403),
    ],
)
def test_api_clients_need_the_scope_and_the_learners_organisation(
    client, own_organisation, scopes, status
):
    world = make_world()
    created = make_api_client(world.college if own_organisation else None, scopes=scopes)
    response = client.get(
        f"/api/v1/learners/{world.learner.id}/pathways/T-MO",
        headers={"Authorization": f"Bearer {created.bearer_token}"},
    )
    assert response.status_code == status


def test_unknown_occupation_is_a_404_problem(client):
    world = make_world()
    client.sign_in(world.learner.email)
    response = client.get(f"/api/v1/learners/{world.learner.id}/pathways/NOPE")
    assert (response.status_code, response.json["code"]) == (404, "no_rules")
