"""Pathway, assessment and record pages: content, forms, and refusals."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from pathways.accounts import services as account_services
from pathways.accounts.enums import Role
from pathways.db import db
from pathways.db import transaction
from pathways.records.models import OccupationCertification
from pathways.records.models import PlarAssessment
from pathways.stacking import queries
from tests.factories import make_user
from tests.stacking.pathway_factories import award
from tests.stacking.pathway_factories import make_world

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.4\n% test evidence\n"


def test_learner_sees_own_pathway_with_graph_table_and_next_steps(client):
    world = make_world()
    award(world.learner, world.versions["T-SAFE"])
    client.sign_in(world.learner.email)
    response = client.get("/pathways/T-MO")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="pw-graph" role="img"' in page
    assert '<title id="pathway-graph-title">Pathway to Title of T-MO</title>' in page
    assert "Micro-credentials toward Title of T-MO: 1 earned, 0 in progress, 1 planned" in page
    assert "Illustrative test outline, not an official standard." in page
    assert "<li><strong>T-CNC</strong> T-CNC course — 20 h (after" not in page
    assert "<li><strong>T-CNC</strong> T-CNC course — 20 h</li>" in page
    assert "Total effort of these steps: 20 hours." in page
    assert "<script" not in page


def test_learner_adds_a_target_then_removes_it(client):
    world = make_world()
    client.sign_in(world.learner.email)
    response = client.submit("/pathways/targets", {"occupation": "T-MO"}, token_from="/pathways")
    assert (response.status_code, response.headers["Location"]) == (302, "/pathways/T-MO")
    assert queries.targets_of(world.learner.id) == ["T-MO"]
    assert "Title of T-MO" in client.get("/pathways").get_data(as_text=True)
    response = client.submit("/pathways/T-MO/remove", {}, token_from="/pathways")
    assert response.status_code == 302
    assert queries.targets_of(world.learner.id) == []


def test_unknown_occupation_is_404(client):
    world = make_world()
    client.sign_in(world.learner.email)
    assert client.get("/pathways/NOPE").status_code == 404


def test_staff_pathway_view_is_for_the_learners_organisations_only(client):
    world = make_world()
    client.sign_in(world.assessor.email)
    url = f"/assessments/learners/{world.learner.id}/pathways/T-MO"
    assert client.get(url).status_code == 200
    stranger = make_user(Role.ASSESSOR)
    client.sign_in(stranger.email)
    assert client.get(url).status_code == 403
    editor = make_user(Role.COLLEGE_EDITOR)
    client.sign_in(editor.email)
    assert client.get(url).status_code == 403


def _record(client, world, learner_id, **extra):
    data = {
        "items": ["T-MO-2.2"],
        "result": "met",
        "assessed_on": "2026-01-15",
        "note": "watched a full changeover",
        **extra,
    }
    return client.submit(
        f"/assessments/learners/{learner_id}/plar",
        data,
        token_from=f"/assessments/learners/{world.learner.id}",
        content_type="multipart/form-data",
    )


def test_assessor_records_plar_with_a_file_the_learner_can_download(client):
    world = make_world()
    client.sign_in(world.assessor.email)
    response = _record(client, world, world.learner.id, evidence=(io.BytesIO(PDF), "log.pdf"))
    assert response.status_code == 302
    row = db.session.scalar(sa.select(PlarAssessment).filter_by(learner_id=world.learner.id))
    assert (row.item_code, row.is_met, row.evidence_note) == (
        "T-MO-2.2",
        True,
        "watched a full changeover",
    )
    revision_id = row.revisions[0].id
    client.sign_in(world.learner.email)
    page = client.get("/records/assessments").get_data(as_text=True)
    assert "Download log.pdf" in page
    download = client.get(f"/records/evidence/{revision_id}")
    assert (download.status_code, download.data, download.mimetype) == (
        200,
        PDF,
        "application/pdf",
    )
    other = make_user(Role.LEARNER, organisation=world.college)
    client.sign_in(other.email)
    assert client.get(f"/records/evidence/{revision_id}").status_code == 403


def test_evidence_of_an_unsupported_type_is_refused_on_the_form(client):
    world = make_world()
    client.sign_in(world.assessor.email)
    response = _record(
        client, world, world.learner.id, evidence=(io.BytesIO(b"\x00\x01binary"), "x.exe")
    )
    assert response.status_code == 400
    assert "PDF, PNG, JPEG or plain text only." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(PlarAssessment.id))) == 0


def test_non_assessors_cannot_record_plar(client):
    world = make_world()
    for user in (world.learner, make_user(Role.COLLEGE_EDITOR, organisation=world.college)):
        client.sign_in(user.email)
        response = client.post(
            f"/assessments/learners/{world.learner.id}/plar",
            data={"items": ["T-MO-2.2"], "result": "met", "assessed_on": "2026-01-15"},
            headers={"X-CSRFToken": client.csrf_token("/dashboard")},
        )
        assert response.status_code == 403


def test_assessor_of_another_organisation_cannot_record_plar(client):
    world = make_world()
    stranger = make_user(Role.ASSESSOR)
    client.sign_in(stranger.email)
    assert client.get(f"/assessments/learners/{world.learner.id}").status_code == 403
    response = client.post(
        f"/assessments/learners/{world.learner.id}/plar",
        data={"items": ["T-MO-2.2"], "result": "met", "assessed_on": "2026-01-15"},
        headers={"X-CSRFToken": client.csrf_token("/dashboard")},
    )
    assert response.status_code == 403


def test_assessors_never_assess_themselves(client):
    world = make_world()
    with transaction():
        account_services.add_membership(world.assessor, world.employer, Role.LEARNER)
    client.sign_in(world.assessor.email)
    response = client.post(
        f"/assessments/learners/{world.assessor.id}/plar",
        data={"items": ["T-MO-2.2"], "result": "met", "assessed_on": "2026-01-15"},
        headers={"X-CSRFToken": client.csrf_token("/dashboard")},
    )
    assert response.status_code == 403
    assert [u.id for u in queries.candidates_of(world.assessor)] == [world.learner.id]


def test_queue_sign_off_and_correction_pages(client):
    world = make_world()
    award(world.learner, world.versions["T-SAFE"])
    award(world.learner, world.versions["T-CNC"])
    client.sign_in(world.assessor.email)
    assert _record(client, world, world.learner.id).status_code == 302
    queue = client.get("/assessments").get_data(as_text=True)
    assert "Ana Learner" in queue and "T-MO Title of T-MO" in queue
    certification = db.session.scalar(sa.select(OccupationCertification))
    response = client.submit(
        f"/assessments/certifications/{certification.id}/signoff",
        {"note": "observed over two shifts"},
        token_from="/assessments",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (certification.status.value, certification.signoff_note) == (
        "certified",
        "observed over two shifts",
    )
    assessment = db.session.scalar(sa.select(PlarAssessment))
    url = f"/assessments/plar/{assessment.id}/correct"
    assert client.get(url).status_code == 200
    response = client.submit(
        url,
        {"result": "not_yet", "assessed_on": "2026-01-16", "note": "", "reason": "wrong shift"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [(r.number, r.is_met, r.correction_reason) for r in assessment.revisions] == [
        (1, True, ""),
        (2, False, "wrong shift"),
    ]
    assert certification.status.value == "revoked"


def test_dashboard_names_the_target_occupation(client):
    world = make_world()
    client.sign_in(world.learner.email)
    client.submit("/pathways/targets", {"occupation": "T-MO"}, token_from="/pathways")
    page = client.get("/dashboard").get_data(as_text=True)
    assert ">Title of T-MO (" in page
