"""PLAR services: recording, correcting with history, evidence limits, who may assess."""

from __future__ import annotations

import datetime as dt

import pytest

from pathways.accounts import services as account_services
from pathways.accounts.enums import Role
from pathways.db import transaction
from pathways.db import utcnow
from pathways.errors import Forbidden
from pathways.errors import Invalid
from pathways.errors import NotFound
from pathways.records import plar_services
from pathways.records.plar_services import EvidenceFile
from tests.factories import make_user
from tests.stacking.pathway_factories import make_world

pytestmark = pytest.mark.integration

TODAY = utcnow().date()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def record(world, codes=("T-MO-1.1",), *, actor=None, tmp_path, **extra):
    with transaction():
        return plar_services.record_assessment(
            world.learner.id,
            list(codes),
            met=extra.pop("met", True),
            assessed_on=extra.pop("assessed_on", TODAY),
            storage_dir=tmp_path,
            actor=actor or world.assessor,
            **extra,
        )


def test_recording_twice_appends_a_revision(database, tmp_path):
    world = make_world()
    record(world, ("T-MO-1.1", "T-MO-1.2"), tmp_path=tmp_path, note="first")
    record(world, ("T-MO-1.1",), met=False, tmp_path=tmp_path, note="second")
    rows = plar_services.assessments_of(world.learner.id)
    assert [(r.item_code, r.is_met, r.revision, len(r.revisions)) for r in rows] == [
        ("T-MO-1.1", False, 2, 2),
        ("T-MO-1.2", True, 1, 1),
    ]


@pytest.mark.parametrize(
    ("codes", "field"),
    [
        (("T-MO-9.9",), "items"),
        (("T-MO-1",), "items"),  # an area, not an indicator
        ((), "items"),
    ],
)
def test_only_known_indicators_are_assessed(database, tmp_path, codes, field):
    world = make_world()
    with pytest.raises(Invalid) as raised:
        record(world, codes, tmp_path=tmp_path)
    assert list(raised.value.errors) == [field]
    assert plar_services.assessments_of(world.learner.id) == []


def test_a_future_date_is_refused(database, tmp_path):
    world = make_world()
    with pytest.raises(Invalid) as raised:
        record(world, tmp_path=tmp_path, assessed_on=TODAY + dt.timedelta(days=1))
    assert raised.value.errors == {"assessed_on": ["In the future."]}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"x" * (plar_services.MAX_EVIDENCE_BYTES + 1), "too_large"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "unsupported_type"),
    ],
)
def test_evidence_limits(database, tmp_path, data, code):
    world = make_world()
    with pytest.raises(Invalid) as raised:
        record(world, tmp_path=tmp_path, evidence=EvidenceFile("x.bin", data))
    assert raised.value.code == code
    assert list(tmp_path.iterdir()) == []


def test_evidence_is_stored_under_a_random_name_and_carried_over_on_correction(database, tmp_path):
    world = make_world()
    (row,) = record(world, tmp_path=tmp_path, evidence=EvidenceFile("../../photo.png", PNG))
    first = row.revisions[0]
    assert (first.evidence_filename, first.evidence_content_type, first.evidence_size) == (
        "photo.png",
        "image/png",
        len(PNG),
    )
    assert [p.name for p in tmp_path.iterdir()] == [first.evidence_path]
    with transaction():
        plar_services.correct_assessment(
            row.id,
            met=False,
            assessed_on=TODAY,
            note="",
            reason="date typo",
            storage_dir=tmp_path,
            actor=world.assessor,
        )
    second = row.revisions[1]
    assert (second.evidence_path, second.correction_reason) == (first.evidence_path, "date typo")
    stored = plar_services.evidence_of(second.id, viewer=world.learner, storage_dir=tmp_path)
    assert (stored.path.read_bytes(), stored.content_type) == (PNG, "image/png")


def test_a_correction_needs_a_reason(database, tmp_path):
    world = make_world()
    (row,) = record(world, tmp_path=tmp_path)
    with pytest.raises(Invalid) as raised, transaction():
        plar_services.correct_assessment(
            row.id,
            met=False,
            assessed_on=TODAY,
            note="",
            reason="  ",
            storage_dir=tmp_path,
            actor=world.assessor,
        )
    assert raised.value.errors == {"reason": ["Required."]}


def test_who_may_assess(database, tmp_path):
    world = make_world()
    with pytest.raises(Forbidden):
        record(world, tmp_path=tmp_path, actor=make_user(Role.ASSESSOR))
    with pytest.raises(Forbidden):
        record(
            world,
            tmp_path=tmp_path,
            actor=make_user(Role.COLLEGE_EDITOR, organisation=world.college),
        )
    with transaction():
        account_services.add_membership(world.assessor, world.employer, Role.LEARNER)
    with pytest.raises(Forbidden) as raised, transaction():
        plar_services.record_assessment(
            world.assessor.id,
            ["T-MO-1.1"],
            met=True,
            assessed_on=TODAY,
            storage_dir=tmp_path,
            actor=world.assessor,
        )
    assert raised.value.code == "self_assessment"
    with pytest.raises(NotFound), transaction():
        plar_services.correct_assessment(
            999999,
            met=True,
            assessed_on=TODAY,
            note="",
            reason="x",
            storage_dir=tmp_path,
            actor=world.assessor,
        )
