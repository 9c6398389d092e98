"""The planner: least effort, prerequisites, order, sign-off; optimal against brute force."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from pathways.stacking.engine.achievements import Catalog
from pathways.stacking.engine.achievements import EarnedCredential
from pathways.stacking.engine.achievements import ExternalCredential
from pathways.stacking.engine.achievements import Offer
from pathways.stacking.engine.evaluate import Reason
from pathways.stacking.engine.evaluate import evaluate
from pathways.stacking.engine.planner import PlanStep
from pathways.stacking.engine.planner import plan
from pathways.stacking.engine.rules import AllOf
from pathways.stacking.engine.rules import AnyOf
from pathways.stacking.engine.rules import Covers
from pathways.stacking.engine.rules import Credential
from pathways.stacking.engine.rules import Equivalent
from pathways.stacking.engine.rules import MinHours
from pathways.stacking.engine.rules import NOf
from pathways.stacking.engine.rules import RuleSet
from pathways.stacking.engine.rules import Signoff
from pathways.stacking.engine.rules import WithinYears
from pathways.stacking.engine.serialize import plan_to_dict

pytestmark = pytest.mark.unit

JUNE_1 = dt.date(2025, 6, 1)


def offer(code, hours, items=(), prerequisites=(), validity_days=None):
    return Offer(code, hours, frozenset(items), frozenset(prerequisites), validity_days)


def held(code, hours=10, items=(), on=dt.date(2024, 1, 1), expires=None):
    return EarnedCredential(code, 1, on, expires, hours, frozenset(items))


def test_plan_is_optimal_not_greedy():
    # Greedy by cost per indicator takes BIG (4 indicators for 10 h) and then needs two
    # more; the optimum is the two halves.
    catalog = Catalog(
        offers=(
            offer("BIG", 10, {"I1", "I2", "I3", "I4"}),
            offer("LEFT", 6, {"I1", "I2", "I5"}),
            offer("RIGHT", 6, {"I3", "I4", "I6"}),
            offer("P5", 4, {"I5"}),
            offer("P6", 4, {"I6"}),
        )
    )
    rule = Covers(("I1", "I2", "I3", "I4", "I5", "I6"))
    result = plan(rule, [], catalog, JUNE_1)
    assert (result.codes, result.total_hours, result.proven_optimal) == (
        ("LEFT", "RIGHT"),
        12.0,
        True,
    )


def test_prerequisites_are_planned_first_and_ties_go_by_code():
    catalog = Catalog(
        offers=(
            offer("Z-ADV", 20, {"I1"}, {"A-BASE"}),
            offer("A-BASE", 10, {"I2"}),
            offer("M-OTHER", 5, {"I3"}),
        )
    )
    result = plan(Covers(("I1", "I2", "I3")), [], catalog, JUNE_1)
    assert result.steps == (
        PlanStep("A-BASE", 1, 10, ()),
        PlanStep("M-OTHER", 1, 5, ()),
        PlanStep("Z-ADV", 1, 20, ("A-BASE",)),
    )


def test_held_prerequisite_is_not_planned_again():
    catalog = Catalog(offers=(offer("ADV", 20, {"I1"}, {"BASE"}), offer("BASE", 10)))
    result = plan(Covers(("I1",)), [held("BASE")], catalog, JUNE_1)
    assert result.codes == ("ADV",)


def test_expired_credential_plans_a_refresher():
    catalog = Catalog(offers=(offer("LIFT", 8, validity_days=3 * 365),))
    rule = WithinYears(3, Credential("LIFT"))
    lift = held("LIFT", on=dt.date(2022, 5, 14), expires=dt.date(2025, 5, 14))
    result = plan(rule, [lift], catalog, JUNE_1)
    assert (result.codes, result.total_hours, result.feasible) == (("LIFT",), 8.0, True)


def test_already_satisfied():
    result = plan(Credential("A"), [held("A")], Catalog(offers=(offer("A", 1),)), JUNE_1)
    assert (result.already_satisfied, result.steps, result.proven_optimal) == (True, (), True)


def test_signoff_is_not_plannable_but_reported():
    catalog = Catalog(offers=(offer("A", 5),))
    rules = RuleSet("f", "OCC", 1, AllOf((Credential("A"), Signoff())), requires_signoff=True)
    result = plan(rules, [], catalog, JUNE_1)
    assert plan_to_dict(result) == {
        "feasible": True,
        "proven_optimal": True,
        "already_satisfied": False,
        "total_hours": 5,
        "nodes_explored": 0,
        "needs_signoff": True,
        "needs_assessment": ["rule.all[1]"],
        "blocked": [],
        "steps": [{"code": "A", "version": 1, "effort_hours": 5, "after": [], "title": ""}],
    }


def test_equivalent_is_not_plannable_so_the_stack_is_planned():
    catalog = Catalog(offers=(offer("A", 5),))
    rules = RuleSet("f", "OCC", 1, AnyOf((Equivalent("XW", "EXT"), Credential("A"))))
    cpt_unverified = ExternalCredential("EXT", dt.date(2024, 1, 1), None, verified=False)
    result = plan(rules, [cpt_unverified], catalog, JUNE_1)
    assert (result.codes, result.blocked) == (
        ("A",),
        (
            Reason(
                "not_plannable",
                "rule.any[0]: needs the external credential EXT through XW",
                "EXT",
            ),
        ),
    )


def test_infeasible_when_no_offer_exists():
    result = plan(Credential("NOPE"), [], Catalog(offers=(offer("A", 5),)), JUNE_1)
    assert (result.feasible, result.blocked) == (
        False,
        (Reason("no_offer", "no published, plannable offer of NOPE"),),
    )


def test_prerequisite_cycle_is_never_planned():
    catalog = Catalog(offers=(offer("A", 5, {"I1"}, {"B"}), offer("B", 5, {"I2"}, {"A"})))
    result = plan(Covers(("I1",)), [], catalog, JUNE_1)
    assert (result.feasible, result.proven_optimal) == (False, True)


def test_node_budget_returns_best_found_unproven():
    offers = tuple(offer(f"C{i:02d}", 10 + i % 7, {f"I{i}", f"I{(i + 1) % 30}"}) for i in range(30))
    rule = AllOf((Covers(tuple(f"I{i}" for i in range(30))), MinHours(173)))
    result = plan(rule, [], Catalog(offers=offers), JUNE_1, max_nodes=3)
    assert (result.feasible, result.proven_optimal, result.nodes_explored) == (True, False, 4)


def test_n_of_distinct_plans_two_different_codes():
    catalog = Catalog(offers=(offer("A", 5), offer("B", 7), offer("C", 9)))
    rule = NOf(2, (Credential("A"), Credential("A"), Credential("B"), Credential("C")))
    result = plan(rule, [], catalog, JUNE_1)
    assert (result.codes, result.total_hours) == (("A", "B"), 12.0)


# -- properties ------------------------------------------------------------------------------

ITEMS = [f"I{i}" for i in range(8)]


@st.composite
def worlds(draw):
    count = draw(st.integers(2, 12))
    offers = []
    for index in range(count):
        earlier = [f"C{j:02d}" for j in range(index)]
        prerequisites = draw(st.lists(st.sampled_from(earlier), max_size=2)) if earlier else []
        offers.append(
            offer(
                f"C{index:02d}",
                draw(st.integers(1, 30)),
                draw(st.sets(st.sampled_from(ITEMS), min_size=1, max_size=3)),
                prerequisites,
            )
        )
    codes = st.sampled_from([o.code for o in offers])
    leaf = st.one_of(
        codes.map(Credential),
        st.builds(MinHours, st.integers(1, 60)),
        st.builds(
            MinHours,
            st.integers(1, 40),
            st.sets(codes, min_size=1, max_size=3).map(lambda s: tuple(sorted(s))),
        ),
        st.builds(
            Covers,
            st.sets(st.sampled_from(ITEMS), min_size=1, max_size=6).map(lambda s: tuple(sorted(s))),
            st.sampled_from([1.0, 0.75, 0.5]),
        ),
    )
    rule = draw(
        st.one_of(
            st.lists(leaf, min_size=1, max_size=3).map(lambda rules: AllOf(tuple(rules))),
            st.lists(leaf, min_size=2, max_size=3).map(lambda rules: AnyOf(tuple(rules))),
            st.lists(codes, min_size=2, max_size=4).map(
                lambda cs: NOf(2, tuple(Credential(c) for c in cs))
            ),
        )
    )
    holding = draw(st.lists(st.sampled_from(offers), max_size=3, unique=True))
    achievements = [held(o.code, o.effort_hours, o.aligned_items) for o in holding]
    return rule, achievements, Catalog(offers=tuple(offers))


def brute_force(rule, achievements, catalog):
    offers = list(catalog.published_offers().values())
    have = {credential.code for credential in achievements}
    best = None
    for size in range(len(offers) + 1):
        for combination in itertools.combinations(offers, size):
            codes = {o.code for o in combination}
            if any(p not in codes and p not in have for o in combination for p in o.prerequisites):
                continue
            cost = sum(o.effort_hours for o in combination)
            if best is not None and cost >= best:
                continue
            extra = [
                EarnedCredential(o.code, 1, JUNE_1, None, o.effort_hours, o.aligned_items)
                for o in combination
            ]
            if evaluate(rule, achievements + extra, JUNE_1, catalog).satisfied:
                best = cost
    return best


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_plan_is_optimal_against_brute_force_and_satisfies_the_rules(world):
    rule, achievements, catalog = world
    result = plan(rule, achievements, catalog, JUNE_1)
    expected = brute_force(rule, achievements, catalog)
    assert result.proven_optimal is True
    assert (result.total_hours if result.feasible else None) == expected
    if result.feasible:
        earned = [
            EarnedCredential(
                step.code,
                step.version,
                JUNE_1,
                None,
                step.effort_hours,
                catalog.published_offers()[step.code].aligned_items,
            )
            for step in result.steps
        ]
        assert evaluate(rule, achievements + earned, JUNE_1, catalog).satisfied is True
        position = {step.code: index for index, step in enumerate(result.steps)}
        for step in result.steps:
            assert all(position[code] < position[step.code] for code in step.after)
