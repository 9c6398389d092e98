"""A college's curriculum system (an API client with catalog:write) authors drafts.

It acts for its own college only; publishing, returning, retiring, comments and
endorsements stay acts of people; the history names the client.
"""

from __future__ import annotations

import lxml.html
import pytest
import sqlalchemy as sa

from pathways.accounts import services as accounts_services
from pathways.accounts.enums import OrganisationKind
from pathways.catalog.enums import VersionStatus
from pathways.catalog.models import Comment
from pathways.catalog.models import Endorsement
from pathways.catalog.models import MicroCredential
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.models import VersionEvent
from pathways.catalog.models import VersionPartner
from pathways.db import db
from pathways.db import transaction
from tests.catalog.factories import Cast
from tests.catalog.factories import complete_changes
from tests.catalog.factories import text
from tests.factories import make_api_client
from tests.factories import make_organisation

pytestmark = pytest.mark.integration

AUTHORING = ("catalog:read", "catalog:write")


@pytest.fixture
def cast(database):
    return Cast()


def bearer(created) -> dict[str, str]:
    return {"Authorization": f"Bearer {created.bearer_token}"}


def session_headers(client) -> dict[str, str]:
    return {"X-CSRFToken": client.csrf_token("/dashboard")}


def reload(version_id: int) -> MicroCredentialVersion:
    db.session.expire_all()
    return db.session.get(MicroCredentialVersion, version_id)


def counts() -> tuple[int, ...]:
    """Rows a refused write must leave alone."""
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (
            MicroCredential,
            MicroCredentialVersion,
            VersionEvent,
            VersionPartner,
            Comment,
            Endorsement,
        )
    )


def assert_problem(response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == status
    if code is not None:
        assert response.json["code"] == code, response.json


def test_college_client_authors_and_an_editor_publishes(client, cast):
    system = make_api_client(cast.college, scopes=AUTHORING, name="Curriculum system")
    payload = {
        "code": "CLIENT-1",
        "issuing_organisation": cast.college.code,
        **complete_changes(cast.framework),
    }
    created = client.post("/api/v1/microcredentials", json=payload, headers=bearer(system))
    assert created.status_code == 201, created.json
    version_id, etag = created.json["id"], created.headers["ETag"]
    url = f"/api/v1/microcredential-versions/{version_id}"

    read = client.get(url, headers=bearer(system))
    assert (read.status_code, read.headers["ETag"], read.json["status"]) == (200, etag, "draft")
    edited = client.patch(
        url, json={"duration_weeks": 4}, headers={**bearer(system), "If-Match": etag}
    )
    assert (edited.status_code, edited.json["duration_weeks"]) == (200, 4)
    assert edited.headers["ETag"] != etag
    stale = client.patch(
        url, json={"duration_weeks": 5}, headers={**bearer(system), "If-Match": etag}
    )
    assert_problem(stale, 412, "stale_etag")
    assert_problem(client.patch(url, json={"duration_weeks": 5}, headers=bearer(system)), 428)
    assert reload(version_id).duration_weeks == 4

    invited = client.post(
        f"{url}/partners",
        json={"organisation": cast.partner.code, "role": "co_designer"},
        headers=bearer(system),
    )
    assert invited.status_code == 201, invited.json
    for action, status in (("submit", "in_review"), ("withdraw", "draft"), ("submit", "in_review")):
        moved = client.post(f"{url}/transitions", json={"action": action}, headers=bearer(system))
        assert (moved.status_code, moved.json["status"]) == (200, status), moved.json

    client.sign_in(cast.reviewer.email)
    endorsed = client.post(
        f"{url}/endorsements",
        json={"statement": text("Fit for purpose")},
        headers=session_headers(client),
    )
    assert endorsed.status_code == 201, endorsed.json
    refused = client.post(f"{url}/transitions", json={"action": "publish"}, headers=bearer(system))
    assert_problem(refused, 403, "person_required")
    assert reload(version_id).status is VersionStatus.IN_REVIEW

    # Four eyes: the client wrote it last, so any editor of the college may publish it,
    # even one who wrote nothing of it.
    client.sign_in(cast.author.email)
    published = client.post(
        f"{url}/transitions", json={"action": "publish"}, headers=session_headers(client)
    )
    assert (published.status_code, published.json["status"]) == (200, "published")
    version = reload(version_id)
    assert (version.created_by_id, version.created_by_client_id) == (None, system.client.id)
    assert (version.updated_by_id, version.updated_by_client_id) == (None, system.client.id)
    assert version.published_by_id == cast.author.id

    history = client.get(f"{url}/history", headers=bearer(system)).json["items"]
    assert [(e["action"], e["actor"], e["actor_client"]) for e in history] == [
        ("create", None, "Curriculum system"),
        ("edit", None, "Curriculum system"),
        ("invite", None, "Curriculum system"),
        ("submit", None, "Curriculum system"),
        ("withdraw", None, "Curriculum system"),
        ("submit", None, "Curriculum system"),
        ("endorse", cast.reviewer.display_name, None),
        ("publish", cast.author.display_name, None),
    ]
    page = lxml.html.fromstring(client.get(f"/versions/{version_id}/history").data)
    assert [row.xpath("td")[1].text_content().strip() for row in page.xpath("//tbody/tr")] == [
        *["API client Curriculum system"] * 6,
        cast.reviewer.display_name,
        cast.author.display_name,
    ]

    copied = client.post(f"{url}/transitions", json={"action": "copy"}, headers=bearer(system))
    assert (copied.status_code, copied.json["number"], copied.json["status"]) == (201, 2, "draft")
    copy = reload(copied.json["id"])
    assert (copy.created_by_id, copy.created_by_client_id) == (None, system.client.id)


def test_history_page_is_translated(client, cast):
    system = make_api_client(cast.college, scopes=AUTHORING, name="Curriculum system")
    created = client.post(
        "/api/v1/microcredentials",
        json={"code": "CLIENT-FR", "issuing_organisation": cast.college.code},
        headers=bearer(system),
    )
    assert created.status_code == 201, created.json
    client.sign_in(cast.author.email)
    response = client.get(
        f"/versions/{created.json['id']}/history", headers={"Accept-Language": "fr"}
    )
    page = lxml.html.fromstring(response.data)
    cells = [" ".join(td.text_content().split()) for td in page.xpath("//tbody/tr/td[2]")]
    assert cells == ["Client API Curriculum system"]


def test_publishing_reviewing_retiring_commenting_and_endorsing_are_for_people(client, cast):
    system = make_api_client(cast.college, scopes=AUTHORING)
    in_review = cast.ready_for_review()
    published = cast.published()
    before = counts()
    transitions = (
        (in_review, "publish"),
        (in_review, "return"),
        (published, "retire"),
    )
    for version, action in transitions:
        response = client.post(
            f"/api/v1/microcredential-versions/{version.id}/transitions",
            json={"action": action, "note": "no"},
            headers=bearer(system),
        )
        assert_problem(response, 403, "person_required")
        assert "API client" in response.json["detail"]
    comment = client.post(
        f"/api/v1/microcredential-versions/{in_review.id}/comments",
        json={"body": "Looks good"},
        headers=bearer(system),
    )
    assert_problem(comment, 403, "person_required")
    assert "people" in comment.json["detail"]
    endorsement = client.post(
        f"/api/v1/microcredential-versions/{in_review.id}/endorsements",
        json={"statement": text("Fine")},
        headers=bearer(system),
    )
    assert_problem(endorsement, 403, "person_required")
    assert counts() == before
    assert (reload(in_review.id).status, reload(published.id).status) == (
        VersionStatus.IN_REVIEW,
        VersionStatus.PUBLISHED,
    )


def test_a_client_acts_for_its_own_college_only(client, cast):
    other = make_api_client(cast.other_college, scopes=AUTHORING)
    draft = cast.draft()
    published = cast.published()
    before = counts()

    created = client.post(
        "/api/v1/microcredentials",
        json={"code": "NOT-MINE", "issuing_organisation": cast.college.code},
        headers=bearer(other),
    )
    assert_problem(created, 403, "not_issuing_editor")
    assert f"its own college only, not of {cast.college.name}" in created.json["detail"]

    # Another college's draft: 404, as for that college's own editors.
    url = f"/api/v1/microcredential-versions/{draft.id}"
    assert_problem(client.get(url, headers=bearer(other)), 404, "no_such_version")
    patched = client.patch(
        url, json={"duration_weeks": 9}, headers={**bearer(other), "If-Match": draft.etag}
    )
    assert_problem(patched, 404, "no_such_version")
    submitted = client.post(f"{url}/transitions", json={"action": "submit"}, headers=bearer(other))
    assert_problem(submitted, 404, "no_such_version")
    invited = client.post(
        f"{url}/partners",
        json={"organisation": cast.partner.code, "role": "endorser"},
        headers=bearer(other),
    )
    assert_problem(invited, 404, "no_such_version")
    # Another college's published version: 403, as for that college's own editors.
    copied = client.post(
        f"/api/v1/microcredential-versions/{published.id}/transitions",
        json={"action": "copy"},
        headers=bearer(other),
    )
    assert_problem(copied, 403, "not_issuing_editor")
    assert counts() == before

    client.sign_in(cast.outsider_editor.email)
    headers = session_headers(client)
    assert_problem(
        client.patch(url, json={"duration_weeks": 9}, headers={**headers, "If-Match": draft.etag}),
        404,
        "no_such_version",
    )
    assert_problem(
        client.post(
            f"/api/v1/microcredential-versions/{published.id}/transitions",
            json={"action": "copy"},
            headers=headers,
        ),
        403,
        "not_issuing_editor",
    )
    assert counts() == before
    assert reload(draft.id).duration_weeks == 2


def test_a_client_without_catalog_write_only_reads(client, cast):
    reader = make_api_client(cast.college, scopes=("catalog:read",))
    draft = cast.draft()
    before = counts()
    url = f"/api/v1/microcredential-versions/{draft.id}"
    refusals = (
        client.post(
            "/api/v1/microcredentials",
            json={"code": "RO-1", "issuing_organisation": cast.college.code},
            headers=bearer(reader),
        ),
        client.patch(
            url, json={"duration_weeks": 9}, headers={**bearer(reader), "If-Match": draft.etag}
        ),
        client.post(f"{url}/transitions", json={"action": "submit"}, headers=bearer(reader)),
        client.post(
            f"{url}/partners",
            json={"organisation": cast.partner.code, "role": "endorser"},
            headers=bearer(reader),
        ),
    )
    for response in refusals:
        assert_problem(response, 403)
        assert "catalog:write" in response.json["detail"]
    # Without catalog:write it authors nothing, so its college's drafts stay hidden.
    assert_problem(client.get(url, headers=bearer(reader)), 404, "no_such_version")
    assert counts() == before


def test_a_client_of_an_organisation_that_is_not_a_college_authors_nothing(client, cast):
    partner_system = make_api_client(cast.partner, scopes=AUTHORING)
    employer_system = make_api_client(
        make_organisation(OrganisationKind.EMPLOYER), scopes=AUTHORING
    )
    draft = cast.ready_for_review()
    before = counts()
    url = f"/api/v1/microcredential-versions/{draft.id}"
    for system in (partner_system, employer_system):
        created = client.post(
            "/api/v1/microcredentials",
            json={"code": "PARTNER-1", "issuing_organisation": cast.college.code},
            headers=bearer(system),
        )
        assert_problem(created, 403, "client_not_author")
        patched = client.patch(
            url, json={"duration_weeks": 9}, headers={**bearer(system), "If-Match": draft.etag}
        )
        assert_problem(patched, 403, "client_not_author")
        withdrawn = client.post(
            f"{url}/transitions", json={"action": "withdraw"}, headers=bearer(system)
        )
        assert_problem(withdrawn, 403, "client_not_author")
        # Invited as co-designer, the partner's people see the draft; its client does not.
        assert_problem(client.get(url, headers=bearer(system)), 404, "no_such_version")
    assert counts() == before
    assert reload(draft.id).status is VersionStatus.IN_REVIEW


def test_a_revoked_client_is_unauthorised(client, cast):
    system = make_api_client(cast.college, scopes=AUTHORING)
    with transaction():
        accounts_services.revoke_api_client(system.client.id, actor=None)
    response = client.post(
        "/api/v1/microcredentials",
        json={"code": "REVOKED-1", "issuing_organisation": cast.college.code},
        headers=bearer(system),
    )
    assert_problem(response, 401)
    assert db.session.scalar(sa.select(MicroCredential).filter_by(code="REVOKED-1")) is None


def test_openapi_says_what_clients_may_do(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    create = paths["/api/v1/microcredentials"]["post"]
    assert "API client of that college" in create["description"]
    assert create["x-scopes"] == ["catalog:write"]
    transitions = paths["/api/v1/microcredential-versions/{version_id}/transitions"]["post"]
    assert "person_required" in transitions["description"]
    comments = paths["/api/v1/microcredential-versions/{version_id}/comments"]["post"]
    assert "API clients get 403" in comments["description"]
