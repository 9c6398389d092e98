"""Catalog checks: prerequisite cycles, incomplete occupations, unused credentials."""

from __future__ import annotations

import pytest

from pathways.stacking.engine.achievements import Catalog
from pathways.stacking.engine.achievements import Offer
from pathways.stacking.engine.checks import Finding
from pathways.stacking.engine.checks import check_catalog
from pathways.stacking.engine.checks import incomplete_occupations
from pathways.stacking.engine.checks import missing_prerequisites
from pathways.stacking.engine.checks import prerequisite_cycles
from pathways.stacking.engine.checks import unused_credentials
from pathways.stacking.engine.rules import RuleSet
from pathways.stacking.engine.rules import parse_rule

pytestmark = pytest.mark.unit

ITEMS = {"OCC": None, "OCC-1": "OCC", "OCC-1.1": "OCC-1", "OCC-1.2": "OCC-1", "OCC-2": "OCC"}


def offer(code, hours=10, items=(), prerequisites=(), published=True):
    return Offer(code, hours, frozenset(items), frozenset(prerequisites), is_published=published)


def test_prerequisite_cycle_is_reported_once_from_its_smallest_code():
    catalog = Catalog(
        offers=(
            offer("C", prerequisites={"A"}),
            offer("A", prerequisites={"B"}),
            offer("B", prerequisites={"C"}),
            offer("D", prerequisites={"D"}),
            offer("E"),
        )
    )
    assert prerequisite_cycles(catalog) == [
        Finding(
            "prerequisite_cycle", "A", "prerequisite cycle: A -> B -> C -> A", ("A", "B", "C", "A")
        ),
        Finding("prerequisite_cycle", "D", "prerequisite cycle: D -> D", ("D", "D")),
    ]


def test_missing_prerequisite():
    catalog = Catalog(offers=(offer("A", prerequisites={"GONE", "B"}), offer("B", published=False)))
    assert missing_prerequisites(catalog) == [
        Finding("missing_prerequisite", "A", "A requires B, which is not published"),
        Finding("missing_prerequisite", "A", "A requires GONE, which is not published"),
    ]


RULES = [
    RuleSet(
        "f", "OCC", 1, parse_rule({"all": [{"credential": "A"}, {"covers": {"items": ["OCC-1"]}}]})
    ),
    RuleSet("f", "OCC-2", 1, parse_rule({"covers": {"items": ["OCC-2"]}})),
]


def test_incomplete_occupations():
    catalog = Catalog(
        items=ITEMS,
        offers=(
            offer("A", items={"OCC-1.1"}),
            offer("B", items={"OCC-1.2"}, prerequisites={"C"}),
            offer("C", prerequisites={"B"}),
        ),
    )
    assert incomplete_occupations(RULES, catalog) == [
        Finding("occupation_incomplete", "OCC", "no set of published credentials completes it"),
        Finding(
            "occupation_incomplete",
            "OCC-2",
            "rule: published credentials cover 0% of these indicators, 100% needed, "
            "and PLAR is not allowed",
        ),
    ]
    assert incomplete_occupations(RULES, catalog, plar_allowed=True) == []


def test_unused_credentials_and_all_checks():
    catalog = Catalog(
        items={**ITEMS, "OTHER": None},
        offers=(
            offer("A", items={"OCC-1"}),
            offer("B", items={"OCC-2"}),
            offer("X", items={"OTHER"}),
        ),
    )
    assert unused_credentials(RULES, catalog) == [
        Finding("unused_credential", "X", "X is used by no occupation")
    ]
    assert check_catalog(RULES, catalog) == [
        Finding("unused_credential", "X", "X is used by no occupation")
    ]
