"""The module page (`/modules/<id>`): public for published versions, hidden (404) for a
draft the reader may not see, and the signed-in learner's own standing in each module."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import lxml.html
import pytest

from pathways.accounts.enums import Role
from pathways.catalog import services
from pathways.catalog.models import MicroCredentialVersion
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.records.models import ModuleProgress
from tests.catalog.factories import Cast
from tests.catalog.factories import complete_changes
from tests.catalog.factories import text
from tests.factories import make_user

pytestmark = pytest.mark.integration

LMS_SENTENCE = (
    "You do this module in your college's learning management system (LMS). "
    "Your progress here updates when the LMS reports your completion."
)


@pytest.fixture
def cast(database):
    return Cast()


def modules_spec(n: int = 3) -> list[dict]:
    return [
        {
            "code": f"M{i}",
            "title": text(f"Module {i}", f"Module {i} (fr)"),
            "effort_hours": i + 1,
            "xapi_activity_ids": [f"https://lms.example/activities/mod-{i}"],
        }
        for i in range(1, n + 1)
    ]


def draft_with_modules(cast: Cast, code: str) -> MicroCredentialVersion:
    changes = complete_changes(cast.framework) | {"modules": modules_spec()}
    with transaction():
        return services.create_draft(code, cast.college.code, changes, actor=cast.author)


def published_with_modules(cast: Cast, code: str) -> MicroCredentialVersion:
    version = draft_with_modules(cast, code)
    with transaction():
        services.invite_partner(version.id, cast.partner.code, "co_designer", actor=cast.author)
    with transaction():
        services.endorse(version.id, text("Confirms the content"), actor=cast.reviewer)
    with transaction():
        services.submit_for_review(version.id, actor=cast.author)
    with transaction():
        services.publish(version.id, actor=cast.publisher)
    return version


def set_progress(user, module, status, *, score=None, completed_at=None) -> None:
    with transaction():
        db.session.add(
            ModuleProgress(
                user_id=user.id,
                module_id=module.id,
                status=status,
                is_complete=status in ("completed", "passed"),
                best_score_scaled=score,
                completed_at=completed_at,
                updated_at=utcnow(),
            )
        )


def page(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.get_data(as_text=True))


def texts(response, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in page(response).xpath(xpath)]


def facts(response) -> dict[str, str]:
    terms = texts(response, "//dl[contains(@class, 'facts')]/dt")
    values = texts(response, "//dl[contains(@class, 'facts')]/dd")
    return dict(zip(terms, values, strict=True))


def test_a_published_module_is_public(client, cast):
    version = published_with_modules(cast, "MC-MOD")
    first, second, third = version.modules
    response = client.get(f"/modules/{second.id}")
    assert response.status_code == 200
    assert texts(response, "//h1") == ["Module 2"]
    assert texts(response, "//p[@class='eyebrow']") == ["Module · M2"]
    assert facts(response) == {
        "Code": "M2",
        "Effort": "3 hours",
        "Micro-credential": "Lockout basics (MC-MOD, Version 1)",
        "Issued by": cast.college.name,
    }
    # The newest published version: its public page, at this module's anchor.
    assert page(response).xpath("//dl[contains(@class, 'facts')]//a/@href") == [
        "/micro-credentials/MC-MOD#module-M2"
    ]
    assert texts(response, "//h2") == [
        "At a glance",
        "Your progress",
        "Modules of this micro-credential",
    ]
    assert texts(response, "//section[@aria-labelledby='progress-heading']/p") == [
        LMS_SENTENCE,
        "Sign in to see your progress.",
    ]
    # Every module of the version, in order: the others link to their pages.
    assert texts(response, "//ol[@class='modules']/li") == [
        "Module 1 (M1, 2 hours)",
        "Module 2 (this module) (M2, 3 hours)",
        "Module 3 (M3, 4 hours)",
    ]
    assert page(response).xpath("//ol[@class='modules']/li/a/@href") == [
        f"/modules/{first.id}",
        f"/modules/{third.id}",
    ]
    assert texts(response, "//ol[@class='modules']//*[@aria-current='page']") == ["Module 2"]
    assert page(response).xpath("//*[contains(@class, 'progress-')]") == []


def test_the_module_page_in_french(client, cast):
    version = published_with_modules(cast, "MC-MOD-FR")
    response = client.get(f"/modules/{version.modules[0].id}", headers={"Accept-Language": "fr"})
    assert texts(response, "//h1") == ["Module 1 (fr)"]
    assert texts(response, "//h2") == [
        "En bref",
        "Votre progression",
        "Modules de ce microtitre",
    ]


def test_a_retired_version_keeps_its_module_pages(client, cast):
    version = published_with_modules(cast, "MC-MOD-RET")
    with transaction():
        services.retire(version.id, actor=cast.publisher)
    response = client.get(f"/modules/{version.modules[0].id}")
    assert response.status_code == 200
    assert texts(response, "//p[@class='eyebrow']") == ["Module · M1 · Retired"]
    # No longer the credential's public page: the version's own page.
    assert page(response).xpath("//dl[contains(@class, 'facts')]//a/@href") == [
        f"/versions/{version.id}#module-M1"
    ]


@pytest.mark.parametrize("module_id", [999999, 2**31, 10**20])
def test_an_unknown_module_is_404(client, database, module_id):
    response = client.get(f"/modules/{module_id}")
    assert response.status_code == 404
    assert texts(response, "//h1") == ["Page not found"]


@pytest.mark.parametrize("who", ["anonymous", "learner", "outsider_editor", "college_admin"])
def test_a_draft_module_is_hidden(client, cast, who):
    version = draft_with_modules(cast, "MC-MOD-DRAFT")
    if who == "college_admin":
        client.sign_in(make_user(Role.COLLEGE_ADMIN, organisation=cast.college).email)
    elif who != "anonymous":
        client.sign_in(getattr(cast, who).email)
    response = client.get(f"/modules/{version.modules[0].id}")
    assert response.status_code == 404
    assert texts(response, "//h1") == ["Page not found"]
    assert "Module 1" not in response.get_data(as_text=True)


def test_the_issuing_colleges_editor_sees_a_draft_module(client, cast):
    version = draft_with_modules(cast, "MC-MOD-ED")
    client.sign_in(cast.publisher.email)  # an editor of the college, not the draft's author
    response = client.get(f"/modules/{version.modules[2].id}")
    assert response.status_code == 200
    assert texts(response, "//p[@class='eyebrow']") == ["Module · M3 · Draft"]
    assert facts(response)["Micro-credential"] == "Lockout basics (MC-MOD-ED, Version 1, Draft)"
    assert page(response).xpath("//dl[contains(@class, 'facts')]//a/@href") == [
        f"/versions/{version.id}#module-M3"
    ]


def test_the_learner_sees_their_own_status_and_never_anothers(client, cast):
    version = published_with_modules(cast, "MC-MOD-ME")
    first, second, third = version.modules
    other = make_user(Role.LEARNER, organisation=cast.college)
    set_progress(
        cast.learner, first, "passed", score=0.85, completed_at=datetime(2026, 3, 2, 15, tzinfo=UTC)
    )
    set_progress(cast.learner, second, "in_progress", score=0.4)
    set_progress(other, second, "failed", score=0.2)
    set_progress(other, third, "completed", completed_at=datetime(2026, 4, 1, tzinfo=UTC))

    client.sign_in(cast.learner.email)
    response = client.get(f"/modules/{first.id}")
    assert texts(response, "//dl[contains(@class, 'progress')]/dt") == [
        "Status",
        "Best score",
        "Completed on",
    ]
    assert texts(response, "//dl[contains(@class, 'progress')]/dd") == [
        "Passed",
        "85%",
        "2026-03-02",
    ]
    assert page(response).xpath("//dl[contains(@class, 'progress')]//time/@datetime") == [
        "2026-03-02"
    ]
    assert texts(response, "//section[@aria-labelledby='progress-heading']/p") == [LMS_SENTENCE]
    assert texts(response, "//ol[@class='modules']/li/span[contains(@class, 'progress')]") == [
        "— Your status: Passed, best score 85%, completed on 2026-03-02",
        "— Your status: In progress, best score 40%",
        "— Your status: Not started",
    ]
    response = client.get(f"/modules/{third.id}")
    assert texts(response, "//dl[contains(@class, 'progress')]/dd") == ["Not started", "—", "—"]

    client.sign_in(other.email)
    response = client.get(f"/modules/{third.id}")
    assert texts(response, "//dl[contains(@class, 'progress')]/dd") == [
        "Completed",
        "—",
        "2026-04-01",
    ]
    assert texts(response, "//ol[@class='modules']/li/span[contains(@class, 'progress')]") == [
        "— Your status: Not started",
        "— Your status: Failed, best score 20%",
        "— Your status: Completed, completed on 2026-04-01",
    ]


def test_the_version_page_anchors_and_links_each_module(client, cast):
    version = published_with_modules(cast, "MC-MOD-VER")
    response = client.get("/micro-credentials/MC-MOD-VER")
    items = page(response).xpath("//ol[@class='modules']/li")
    assert [li.get("id") for li in items] == ["module-M1", "module-M2", "module-M3"]
    assert page(response).xpath("//ol[@class='modules']/li/h3/a/@href") == [
        f"/modules/{m.id}" for m in version.modules
    ]
    assert texts(response, "//ol[@class='modules']/li/h3/a") == ["Module 1", "Module 2", "Module 3"]
