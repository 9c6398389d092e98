"""Stacking services end to end on a real database: awards, outcomes, certifications."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from pathways.accounts.enums import Role
from pathways.catalog.models import Module
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.errors import Conflict
from pathways.errors import Forbidden
from pathways.errors import NotFound
from pathways.records import plar_services
from pathways.records import services as record_services
from pathways.records.models import OccupationCertification
from pathways.records.models.certifications import CertificationStatus
from pathways.stacking import jobs
from pathways.stacking import queries
from pathways.stacking import services
from pathways.stacking.models import PathwayOutcome
from tests.factories import make_user
from tests.stacking.pathway_factories import award
from tests.stacking.pathway_factories import make_world
from tests.stacking.pathway_factories import revoke

pytestmark = pytest.mark.integration

TODAY = utcnow().date()


def outcome_of(user_id: int) -> PathwayOutcome:
    return db.session.scalar(
        sa.select(PathwayOutcome).filter_by(user_id=user_id, occupation_code="T-MO")
    )


def certifications(user_id: int) -> list[tuple[str, str | None]]:
    rows = db.session.scalars(
        sa.select(OccupationCertification)
        .filter_by(user_id=user_id)
        .order_by(OccupationCertification.id)
    )
    return [(row.status.value, row.revocation_reason) for row in rows]


def record(world, codes, *, met=True, tmp_path: Path, actor=None):
    with transaction():
        return plar_services.record_assessment(
            world.learner.id,
            codes,
            met=met,
            assessed_on=TODAY,
            note="observed at the machine",
            storage_dir=tmp_path,
            actor=actor or world.assessor,
        )


def test_validate_rule_files_finds_no_problem_in_a_sound_file(database):
    make_world()
    assert services.validate_rule_files() == {"T-MO": []}


def test_award_outcome_awaiting_assessment_signoff_certified(database, tmp_path):
    world = make_world()
    award(world.learner, world.versions["T-SAFE"])
    stored = outcome_of(world.learner.id)
    assert (stored.is_satisfied, stored.is_awaiting_signoff, stored.rule_version) == (
        False,
        False,
        1,
    )
    assert stored.result["satisfied"] is False
    award(world.learner, world.versions["T-CNC"])
    # 3 of 4 indicators: T-MO-2.2 only a workplace assessment can meet.
    assert outcome_of(world.learner.id).is_satisfied is False
    assert certifications(world.learner.id) == []

    record(world, ["T-MO-2.2"], tmp_path=tmp_path)
    stored = outcome_of(world.learner.id)
    assert (stored.is_satisfied, stored.is_awaiting_signoff, stored.progress) == (True, True, 1.0)
    assert certifications(world.learner.id) == [("awaiting_assessment", None)]
    queue = queries.awaiting_assessment_for(world.assessor)
    assert [(c.user_id, c.occupation_code) for c in queue] == [(world.learner.id, "T-MO")]

    with transaction():
        certification = services.sign_off(queue[0].id, actor=world.assessor, note="seen at work")
    assert certification.status is CertificationStatus.CERTIFIED
    assert certification.issued_at is not None
    assert certification.signed_off_by_id == world.assessor.id
    assert certification.basis["credentials"] == [
        {"code": "T-CNC", "version": 1, "earned_on": TODAY.isoformat()},
        {"code": "T-SAFE", "version": 1, "earned_on": TODAY.isoformat()},
    ]
    assert certification.basis["plar"] == ["T-MO-2.2"]
    assert certification.basis["signoff"] is True
    assert queries.awaiting_assessment_for(world.assessor) == []
    stored = outcome_of(world.learner.id)
    assert (stored.is_satisfied, stored.is_awaiting_signoff) == (True, False)


def test_signing_off_twice_is_a_conflict(database, tmp_path):
    world = make_world()
    award(world.learner, world.versions["T-SAFE"])
    award(world.learner, world.versions["T-CNC"])
    record(world, ["T-MO-2.2"], tmp_path=tmp_path)
    (certification,) = queries.awaiting_assessment_for(world.assessor)
    with transaction():
        services.sign_off(certification.id, actor=world.assessor)
    with pytest.raises(Conflict), transaction():
        services.sign_off(certification.id, actor=world.assessor)


def test_a_revoked_award_revokes_the_issued_certification(database, tmp_path):
    world = make_world()
    award(world.learner, world.versions["T-SAFE"])
    cnc = award(world.learner, world.versions["T-CNC"])
    record(world, ["T-MO-2.2"], tmp_path=tmp_path)
    (certification,) = queries.awaiting_assessment_for(world.assessor)
    with transaction():
        services.sign_off(certification.id, actor=world.assessor)
    revoke(cnc)
    assert certifications(world.learner.id) == [
        ("revoked", "an input was revoked, voided or corrected")
    ]
    assert outcome_of(world.learner.id).is_satisfied is False


def test_expiry_keeps_an_issued_certification_and_withdraws_one_awaiting(database, tmp_path):
    world = make_world()
    issued = utcnow() - dt.timedelta(days=300)
    award(
        world.learner,
        world.versions["T-SAFE"],
        issued_at=issued,
        expires_at=issued + dt.timedelta(days=365),
    )
    award(world.learner, world.versions["T-CNC"])
    record(world, ["T-MO-2.2"], tmp_path=tmp_path)
    assert certifications(world.learner.id) == [("awaiting_assessment", None)]

    other = make_user(Role.LEARNER, organisation=world.college)
    award(other, world.versions["T-SAFE"])
    learner_id = world.learner.id
    later = TODAY + dt.timedelta(days=100)  # T-SAFE expired 35 days before
    with transaction():
        result = jobs.reevaluate_all(later, batch_size=1)
    assert result == {"learners": 2, "evaluations": 2}  # two batches of one
    stored = outcome_of(learner_id)
    assert (stored.is_satisfied, stored.as_of) == (False, later)
    reasons = [r["text"] for r in stored.result["children"][0]["children"][0]["reasons"]]
    expires = (issued + dt.timedelta(days=365)).date().isoformat()
    assert reasons == [f"expired {expires}"]
    assert certifications(learner_id) == [("revoked", "rules no longer satisfied")]


def test_expiry_never_revokes_an_issued_certification(database, tmp_path):
    world = make_world()
    issued = utcnow() - dt.timedelta(days=300)
    award(
        world.learner,
        world.versions["T-SAFE"],
        issued_at=issued,
        expires_at=issued + dt.timedelta(days=365),
    )
    award(world.learner, world.versions["T-CNC"])
    record(world, ["T-MO-2.2"], tmp_path=tmp_path)
    (certification,) = queries.awaiting_assessment_for(world.assessor)
    with transaction():
        services.sign_off(certification.id, actor=world.assessor)
    learner_id = world.learner.id
    with transaction():
        jobs.reevaluate_all(TODAY + dt.timedelta(days=100))
    assert certifications(learner_id) == [("certified", None)]
    assert outcome_of(learner_id).is_satisfied is False


def test_a_plar_correction_keeps_history_and_revokes_what_relied_on_it(database, tmp_path):
    world = make_world()
    award(world.learner, world.versions["T-SAFE"])
    award(world.learner, world.versions["T-CNC"])
    (assessment,) = record(world, ["T-MO-2.2"], tmp_path=tmp_path)
    (certification,) = queries.awaiting_assessment_for(world.assessor)
    with transaction():
        services.sign_off(certification.id, actor=world.assessor)
    with transaction():
        plar_services.correct_assessment(
            assessment.id,
            met=False,
            assessed_on=TODAY,
            note="not observed after all",
            reason="recorded against the wrong candidate",
            storage_dir=tmp_path,
            actor=world.assessor,
        )
    rows = plar_services.assessments_of(world.learner.id)
    assert [(r.item_code, r.is_met, r.revision) for r in rows] == [("T-MO-2.2", False, 2)]
    assert [
        (v.number, v.is_met, v.evidence_note, v.correction_reason) for v in rows[0].revisions
    ] == [
        (1, True, "observed at the machine", ""),
        (2, False, "not observed after all", "recorded against the wrong candidate"),
    ]
    assert certifications(world.learner.id) == [
        ("revoked", "an input was revoked, voided or corrected")
    ]


def test_related_only_credential_is_a_note_never_counted(database):
    world = make_world()
    with transaction():
        row = services.add_recognised_credential(world.learner.id, "X-CLT", TODAY)
    with transaction():
        services.verify_recognised_credential(row.id, actor=world.assessor)
    data = services.pathway(world.learner.id, "T-MO")
    assert data["notes"] == ["related only: X-CLT, not counted"]
    assert (data["satisfied"], data["progress"]) == (False, 0.0)


def test_a_verified_equivalent_certification_satisfies_the_rules(database):
    world = make_world()
    with transaction():
        row = services.add_recognised_credential(world.learner.id, "X-CPT", TODAY)
    assert outcome_of(world.learner.id) is None  # self-declared: nothing evaluated, nothing counts
    with transaction():
        services.verify_recognised_credential(row.id, actor=world.assessor)
    assert (outcome_of(world.learner.id).is_satisfied, certifications(world.learner.id)) == (
        True,
        [("awaiting_assessment", None)],
    )


def test_pathway_shows_areas_graph_nodes_and_next_steps(database):
    world = make_world()
    award(world.learner, world.versions["T-SAFE"])
    data = services.pathway(world.learner.id, "T-MO")
    assert data["areas"] == [
        {
            "code": "T-MO-1",
            "title": "Title of T-MO-1",
            "indicators": 2,
            "covered": 2,
            "progress": 1.0,
        },
        {
            "code": "T-MO-2",
            "title": "Title of T-MO-2",
            "indicators": 2,
            "covered": 0,
            "progress": 0.0,
        },
    ]
    assert [(c["code"], c["status"], c["prerequisites"]) for c in data["credentials"]] == [
        ("T-SAFE", "earned", []),
        ("T-CNC", "planned", ["T-SAFE"]),
    ]
    assert data["next_steps"] == [
        {"code": "T-CNC", "version": 1, "effort_hours": 20, "after": [], "title": "T-CNC course"}
    ]
    assert data["workplace_assessment"] == [{"code": "T-MO-2.2", "title": "Title of T-MO-2.2"}]
    assert data["occupation"] == {
        "code": "T-MO",
        "title": "Title of T-MO",
        "rule_title": "Test Machine Operator (illustrative)",
        "framework": "test-ill",
        "illustrative": True,
        "notice": "Illustrative test outline, not an official standard.",
    }
    assert [(m["kind"], m["option"], m["credentials"], m["external"]) for m in data["missing"]] == [
        ("credential", 1, ["T-CNC"], []),
        ("min_hours", 1, [], []),
        ("covers", 1, [], []),
        ("equivalent", 2, [], ["X-CPT"]),
    ]


def test_targets_are_idempotent_and_need_rules(database):
    world = make_world()
    with transaction():
        services.add_target(world.learner, "T-MO")
        services.add_target(world.learner, "T-MO")
    assert queries.targets_of(world.learner.id) == ["T-MO"]
    with pytest.raises(NotFound), transaction():
        services.add_target(world.learner, "NOPE")
    with transaction():
        services.remove_target(world.learner, "T-MO")
    assert queries.targets_of(world.learner.id) == []


def test_an_assessor_never_signs_off_elsewhere(database, tmp_path):
    world = make_world()
    award(world.learner, world.versions["T-SAFE"])
    award(world.learner, world.versions["T-CNC"])
    record(world, ["T-MO-2.2"], tmp_path=tmp_path)
    (certification,) = queries.awaiting_assessment_for(world.assessor)
    stranger = make_user(Role.ASSESSOR)
    assert queries.awaiting_assessment_for(stranger) == []
    with pytest.raises(Forbidden), transaction():
        services.sign_off(certification.id, actor=stranger)
    assert certifications(world.learner.id) == [("awaiting_assessment", None)]


def test_the_records_service_award_runs_the_stacking_hook(database):
    """Through the real xAPI path: module evidence -> award -> AWARD_HOOKS -> outcome."""
    world = make_world()
    with transaction():
        module = Module(
            version_id=world.versions["T-SAFE"].id, code="T-SAFE-M1", title={"en": "M1"}
        )
        db.session.add(module)
    assert outcome_of(world.learner.id) is None
    with transaction():
        made = record_services.record_module_evidence(
            world.learner.id,
            module,
            statement_id="6f1c2a38-6a3e-4d7c-9a55-5b1b9c2d8e01",
            verb="completed",
            score_scaled=None,
            occurred_at=utcnow(),
        )
    assert made is not None
    stored = outcome_of(world.learner.id)
    assert (stored.is_satisfied, stored.result["children"][0]["children"][0]["satisfied"]) == (
        False,
        True,
    )
    assert services.pathway(world.learner.id, "T-MO")["credentials"][0]["status"] == "earned"
