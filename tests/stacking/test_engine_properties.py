"""Properties of evaluation: monotone in achievements, explanation agrees with the verdict."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from pathways.stacking.engine.achievements import EarnedCredential
from pathways.stacking.engine.achievements import PlarResult
from pathways.stacking.engine.evaluate import evaluate
from pathways.stacking.engine.rules import AllOf
from pathways.stacking.engine.rules import AnyOf
from pathways.stacking.engine.rules import Covers
from pathways.stacking.engine.rules import Credential
from pathways.stacking.engine.rules import MinHours
from pathways.stacking.engine.rules import NOf
from pathways.stacking.engine.rules import WithinYears
from pathways.stacking.engine.serialize import outcome_to_dict

pytestmark = pytest.mark.unit

JUNE_1 = dt.date(2025, 6, 1)
CODES = ["A", "B", "C", "D"]
ITEMS = ["I1", "I2", "I3", "I4", "I5"]

leaves = st.one_of(
    st.sampled_from(CODES).map(Credential),
    st.builds(MinHours, st.integers(1, 80)),
    st.builds(
        Covers,
        st.sets(st.sampled_from(ITEMS), min_size=1).map(lambda s: tuple(sorted(s))),
        st.sampled_from([1.0, 0.6]),
    ),
)
rules = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda r: AllOf(tuple(r))),
        st.lists(children, min_size=1, max_size=3).map(lambda r: AnyOf(tuple(r))),
        st.lists(children, min_size=2, max_size=3).map(lambda r: NOf(2, tuple(r))),
        st.builds(WithinYears, st.integers(1, 4), children),
    ),
    max_leaves=6,
)
credentials = st.builds(
    lambda code, days, hours, items: EarnedCredential(
        code, 1, JUNE_1 - dt.timedelta(days=days), None, hours, frozenset(items)
    ),
    st.sampled_from(CODES),
    st.integers(0, 6 * 365),
    st.integers(0, 40),
    st.sets(st.sampled_from(ITEMS), max_size=2),
)
plar = st.builds(
    lambda item, met: PlarResult(item, met, JUNE_1 - dt.timedelta(days=30)),
    st.sampled_from(ITEMS),
    st.just(True),
)
achievements = st.lists(st.one_of(credentials, plar), max_size=6)


@settings(max_examples=200, deadline=None)
@given(rules, achievements, achievements)
def test_more_achievements_never_undo_a_satisfied_rule(rule, held, more):
    if evaluate(rule, held, JUNE_1).satisfied:
        assert evaluate(rule, held + more, JUNE_1).satisfied is True


@settings(max_examples=200, deadline=None)
@given(rules, achievements)
def test_explanation_agrees_with_verdict(rule, held):
    outcome = evaluate(rule, held, JUNE_1)
    for node in outcome.walk():
        assert node.satisfied == (not node.missing)
        assert (node.progress == 1.0) == node.satisfied
        assert 0.0 <= node.progress <= 1.0
        assert node.satisfied or node.reasons or any(not c.satisfied for c in node.children)
    data = outcome_to_dict(outcome)
    assert data["satisfied"] == outcome.satisfied
    assert (data["progress"] == 1.0) == outcome.satisfied


@settings(max_examples=100, deadline=None)
@given(rules, achievements, st.randoms(use_true_random=False))
def test_order_never_matters(rule, held, random):
    shuffled = list(held)
    random.shuffle(shuffled)
    assert evaluate(rule, shuffled, JUNE_1) == evaluate(rule, held, JUNE_1)


def test_outcome_to_dict_shape():
    outcome = evaluate(
        AllOf((Credential("A"), MinHours(20))),
        [EarnedCredential("A", 1, dt.date(2024, 1, 1), dt.date(2025, 1, 1), 12.5)],
        JUNE_1,
    )
    assert outcome_to_dict(outcome, as_of=JUNE_1) == {
        "kind": "all",
        "path": "rule",
        "satisfied": False,
        "progress": 0.0,
        "counted": 0,
        "needed": 2,
        "missing": {
            "credentials": ["A"],
            "indicators": [],
            "external": [],
            "hours": 20,
            "signoff": False,
        },
        "reasons": [],
        "hints": [],
        "used": [],
        "children": [
            {
                "kind": "credential",
                "path": "rule.all[0]",
                "satisfied": False,
                "progress": 0.0,
                "counted": 0,
                "needed": 1,
                "missing": {
                    "credentials": ["A"],
                    "indicators": [],
                    "external": [],
                    "hours": 0,
                    "signoff": False,
                },
                "reasons": [{"code": "expired", "text": "expired 2025-01-01", "subject": "A"}],
                "hints": [],
                "used": [],
                "children": [],
            },
            {
                "kind": "min_hours",
                "path": "rule.all[1]",
                "satisfied": False,
                "progress": 0.0,
                "counted": 0,
                "needed": 20,
                "missing": {
                    "credentials": [],
                    "indicators": [],
                    "external": [],
                    "hours": 20,
                    "signoff": False,
                },
                "reasons": [
                    {"code": "hours_short", "text": "0 of 20 hours", "subject": ""},
                    {"code": "expired", "text": "A: expired 2025-01-01", "subject": "A"},
                ],
                "hints": [],
                "used": [],
                "children": [],
            },
        ],
        "awaiting_signoff": False,
        "as_of": "2025-06-01",
    }
