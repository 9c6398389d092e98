"""The evaluator's fast structures agree with their plain, set-based definitions.

Indicator sets are bitsets over a per-catalog index, outcomes that cannot depend on the
learner are built once per compiled node, composite nodes remember their last verdict,
and the last learner state is reused while the same ``Achievements`` comes back. Each
test here states the slow definition and checks the fast one against it on random
catalogs, rules and learners.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from pathways.stacking.engine.achievements import Achievements
from pathways.stacking.engine.achievements import Catalog
from pathways.stacking.engine.achievements import EarnedCredential
from pathways.stacking.engine.achievements import Equivalence
from pathways.stacking.engine.achievements import ExternalCredential
from pathways.stacking.engine.achievements import PlarResult
from pathways.stacking.engine.achievements import Signoff as SignedOff
from pathways.stacking.engine.evaluate import NOTHING_MISSING
from pathways.stacking.engine.evaluate import Missing
from pathways.stacking.engine.evaluate import Outcome
from pathways.stacking.engine.evaluate import Reason
from pathways.stacking.engine.evaluate import _CoversNode
from pathways.stacking.engine.evaluate import _merge_missing
from pathways.stacking.engine.evaluate import _missing
from pathways.stacking.engine.evaluate import _outcome
from pathways.stacking.engine.evaluate import compile_rules
from pathways.stacking.engine.evaluate import evaluate
from pathways.stacking.engine.evaluate import evaluate_many
from pathways.stacking.engine.evaluate import prepare
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

pytestmark = pytest.mark.unit

JUNE_1 = dt.date(2025, 6, 1)
CODES = ["A", "B", "C", "D"]
# Codes no catalog below knows: each becomes an indicator of its own, with a bit taken
# after the known leaves (so out of code order).
UNKNOWN = ["AA-UNKNOWN", "ZZ-UNKNOWN"]
NAMES = [f"I{index}" for index in range(10)]


@st.composite
def catalogs(draw) -> Catalog:
    """A random forest of items (each parent drawn among earlier items) and relations."""
    items: dict[str, str | None] = {}
    for index, code in enumerate(NAMES[: draw(st.integers(1, len(NAMES)))]):
        items[code] = draw(st.one_of(st.none(), st.sampled_from(NAMES[:index] or [None])))
    codes = st.sampled_from([*items, *UNKNOWN])
    equivalences = draw(
        st.lists(
            st.builds(
                Equivalence,
                st.sampled_from(["CW", "CW2"]),
                codes,
                codes,
                st.sampled_from(["exact", "related", "broader", "narrower"]),
                st.sampled_from(["declared", "proposed"]),
                st.just(""),
                st.booleans(),
            ),
            max_size=4,
        )
    )
    return Catalog(items=items, equivalences=tuple(equivalences))


def leaves_by_sets(catalog: Catalog, code: str) -> set[str]:
    """The plain definition: indicators are items without children; unknown codes are their own."""
    if code not in catalog.items:
        return {code}
    below = [child for child, parent in catalog.items.items() if parent == code]
    if not below:
        return {code}
    return set().union(*(leaves_by_sets(catalog, child) for child in below))


def aligned_by_sets(catalog: Catalog, items: frozenset[str]) -> set[str]:
    """Each item's indicators and those of its declared exact equivalents, one hop."""
    found: set[str] = set()
    for code in items:
        found |= leaves_by_sets(catalog, code)
        for relation in catalog.equivalences:
            if not relation.counts:
                continue
            if relation.source == code:
                found |= leaves_by_sets(catalog, relation.target)
            if relation.symmetric and relation.target == code:
                found |= leaves_by_sets(catalog, relation.source)
    return found


@settings(max_examples=200, deadline=None)
@given(catalogs(), st.data())
def test_bitsets_agree_with_sets(catalog, data):
    codes = [*catalog.items, *UNKNOWN]
    for code in codes:
        assert set(catalog.leaves(code)) == leaves_by_sets(catalog, code)
        assert catalog.item_alignment_mask(code) == catalog.alignment_mask(frozenset((code,)))
        assert set(catalog.decode(catalog.item_alignment_mask(code))) == aligned_by_sets(
            catalog, frozenset((code,))
        )
    items = frozenset(data.draw(st.sets(st.sampled_from(codes), max_size=4)))
    assert set(catalog.decode(catalog.alignment_mask(items))) == aligned_by_sets(catalog, items)


@settings(max_examples=200, deadline=None)
@given(catalogs(), st.data())
def test_covers_node_decodes_like_the_catalog(catalog, data):
    codes = [*catalog.items, *UNKNOWN]
    items = data.draw(st.sets(st.sampled_from(codes), min_size=1).map(lambda s: tuple(sorted(s))))
    node = _CoversNode(Covers(items), "rule", catalog)
    wanted = set().union(*(leaves_by_sets(catalog, code) for code in items))
    assert (node.mask.bit_count(), node.total) == (len(wanted), len(wanted))
    chosen = data.draw(st.sets(st.sampled_from(sorted(wanted))))
    uncovered = 0
    for code in chosen:
        uncovered |= catalog.mask(code)
    assert node._decode(uncovered) == tuple(sorted(chosen)) == tuple(catalog.decode(uncovered))
    assert node._decode(node.mask) == tuple(sorted(wanted))


def test_covers_node_sorts_codes_the_catalog_did_not_know():
    catalog = Catalog(items={"OCC": None, "OCC-1": "OCC", "OCC-2": "OCC"})
    # ZZ takes its bit first, AA after it: bit order is not code order.
    node = _CoversNode(Covers(("ZZ", "AA", "OCC")), "rule", catalog)
    every = ("AA", "OCC-1", "OCC-2", "ZZ")
    assert node._decode(node.mask) == every
    assert node._decode(node.mask ^ catalog.mask("OCC-1")) == ("AA", "OCC-2", "ZZ")
    assert node._decode(catalog.mask("ZZ") | catalog.mask("AA")) == ("AA", "ZZ")


code_tuples = st.sets(st.sampled_from(["A", "B", "C", "I1", "I2"]), max_size=3).map(
    lambda s: tuple(sorted(s))
)
missings = st.builds(
    Missing,
    code_tuples,
    code_tuples,
    code_tuples,
    st.sampled_from([0.0, 5.0, 12.5]),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(missings, max_size=5))
def test_merge_missing_is_the_union(parts):
    merged = _merge_missing(parts)
    needs = [part for part in parts if part]
    assert merged == Missing(
        tuple(sorted({code for part in needs for code in part.credentials})),
        tuple(sorted({code for part in needs for code in part.indicators})),
        tuple(sorted({code for part in needs for code in part.external})),
        max((part.hours for part in needs), default=0.0),
        any(part.signoff for part in needs),
    )
    assert Missing.merge(iter(parts)) == merged
    if len(needs) == 1:
        assert merged is needs[0]
    if not needs:
        assert merged is NOTHING_MISSING


def test_fast_constructors_build_equal_instances():
    missing = Missing(("A",), ("I1",), (), 2.5, True)
    assert _missing(("A",), ("I1",), (), 2.5, True) == missing
    assert hash(_missing(("A",), ("I1",), (), 2.5, True)) == hash(missing)
    fields = (
        "all",
        "rule",
        False,
        0.5,
        missing,
        (Reason("too_few", "1 of 2 required choices satisfied"),),
        (),
        (),
        frozenset(("A",)),
        1,
        2,
    )
    built = _outcome(*fields)
    assert built == Outcome(*fields)
    assert (repr(built), hash(built)) == (repr(Outcome(*fields)), hash(Outcome(*fields)))
    assert built.awaiting_signoff is False
    with pytest.raises(AttributeError):
        built.satisfied = True  # still frozen


# -- memos and shared state: never a stale verdict ----------------------------------------

OCCUPATION = {
    "OCC": None,
    "OCC-1": "OCC",
    "OCC-2": "OCC",
    "OCC-1.1": "OCC-1",
    "OCC-1.2": "OCC-1",
    "OCC-2.1": "OCC-2",
    "OCC-2.2": "OCC-2",
    "EXT": None,
    "EXT-P1": "EXT",
    "OTH": None,
}
ITEMS = [*OCCUPATION, "ZZ-UNKNOWN"]
EXTERNAL = ["EXT", "EXT-P1", "OTH"]
RELATIONS = (
    Equivalence("CW", "EXT", "OCC", "exact", "declared"),
    Equivalence("CW", "OTH", "OCC", "exact", "proposed"),
    Equivalence("CW2", "EXT-P1", "OCC-2", "related", "declared"),
)

days = st.integers(-2000, 400).map(lambda days: JUNE_1 + dt.timedelta(days=days))
maybe_days = st.one_of(st.none(), days)
leaves = st.one_of(
    st.builds(Credential, st.sampled_from(CODES), st.one_of(st.none(), st.integers(1, 3))),
    st.builds(
        MinHours,
        st.integers(0, 80),
        st.one_of(
            st.none(), st.sets(st.sampled_from(CODES), min_size=1).map(lambda s: tuple(sorted(s)))
        ),
    ),
    st.builds(
        Covers,
        st.sets(st.sampled_from(ITEMS), min_size=1).map(lambda s: tuple(sorted(s))),
        st.sampled_from([1.0, 0.6, 0.3]),
    ),
    st.builds(Equivalent, st.sampled_from(["CW", "CW2"]), st.sampled_from(EXTERNAL)),
    st.builds(Signoff),
)
rules = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda r: AllOf(tuple(r))),
        st.lists(children, min_size=1, max_size=3).map(lambda r: AnyOf(tuple(r))),
        st.builds(
            lambda r, n, distinct: NOf(min(n, len(r)), tuple(r), distinct),
            st.lists(children, min_size=1, max_size=4),
            st.integers(1, 3),
            st.booleans(),
        ),
        st.builds(WithinYears, st.integers(1, 4), children),
    ),
    max_leaves=8,
)
achievements = st.lists(
    st.one_of(
        st.builds(
            EarnedCredential,
            st.sampled_from(CODES),
            st.integers(1, 3),
            days,
            maybe_days,
            st.integers(0, 40).map(float),
            st.sets(st.sampled_from(ITEMS), max_size=3).map(frozenset),
            maybe_days,
        ),
        st.builds(PlarResult, st.sampled_from(ITEMS), st.booleans(), days),
        st.builds(ExternalCredential, st.sampled_from(EXTERNAL), days, maybe_days, st.booleans()),
        st.builds(SignedOff, st.sampled_from(["OCC", "OTH"]), days),
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(rules, st.booleans(), st.lists(achievements, min_size=2, max_size=4))
def test_reused_nodes_and_states_answer_as_fresh_ones(rule, requires_signoff, learners):
    """Memos warmed by earlier learners never change a later learner's outcome."""
    catalog = Catalog(items=OCCUPATION, equivalences=RELATIONS)
    ruleset = RuleSet("fw", "OCC", 1, rule, requires_signoff=requires_signoff)
    for held in learners:
        for as_of in (JUNE_1, dt.date(2024, 2, 29)):
            # A new catalog and a new compilation: no memo, no shared state.
            fresh = compile_rules(
                ruleset, Catalog(items=OCCUPATION, equivalences=RELATIONS)
            ).evaluate(held, as_of)
            value = Achievements.of(held)
            assert evaluate(ruleset, value, as_of, catalog) == fresh
            assert evaluate(ruleset, value, as_of, catalog) == fresh  # the state reused
            assert evaluate(ruleset, list(reversed(held)), as_of, catalog) == fresh
            assert evaluate_many([rule, ruleset], value, as_of, catalog)[1] == fresh
            learner = prepare(value, as_of, catalog)
            assert compile_rules(ruleset, catalog).evaluate(learner, as_of) == fresh


def test_the_reused_state_follows_the_date_and_the_catalog():
    rule = AllOf((WithinYears(1, Credential("A")), Covers(("OCC-1",))))
    value = Achievements.of([EarnedCredential("A", 1, dt.date(2024, 9, 1), None, 10.0)])
    plain = Catalog()
    tree = Catalog(items=OCCUPATION)
    assert evaluate(rule, value, JUNE_1, plain).children[0].satisfied is True
    later = evaluate(rule, value, dt.date(2025, 12, 1), plain)
    assert later.children[0].children[0].reasons == (
        Reason("too_old", "too old (earned 2024-09-01, limit 1 years)", "A"),
    )
    assert evaluate(rule, value, JUNE_1, tree).children[1].missing == Missing(
        indicators=("OCC-1.1", "OCC-1.2")
    )
    assert evaluate(rule, value, JUNE_1, plain).children[1].missing == Missing(
        indicators=("OCC-1",)
    )


def test_verdicts_a_learner_cannot_change_are_built_once():
    program = compile_rules(
        AllOf((Credential("A"), Covers(("OCC",)), Signoff())), Catalog(items=OCCUPATION)
    )
    first = program.evaluate([EarnedCredential("B", 1, dt.date(2024, 1, 1))], JUNE_1)
    second = program.evaluate([PlarResult("OTH", True, dt.date(2024, 1, 1))], JUNE_1)
    assert first == second
    assert all(one is other for one, other in zip(first.children, second.children, strict=True))
    assert first.children[0].reasons == (Reason("not_held", "A not held", "A"),)
    assert first.children[1].missing == Missing(
        indicators=("OCC-1.1", "OCC-1.2", "OCC-2.1", "OCC-2.2")
    )


def test_achievements_built_with_lists_are_read_afresh():
    rule = Credential("A")
    credentials = [EarnedCredential("B", 1, dt.date(2024, 1, 1))]
    value = Achievements(credentials)  # a list, against the type: it may change
    assert evaluate(rule, value, JUNE_1).satisfied is False
    credentials.append(EarnedCredential("A", 1, dt.date(2024, 1, 1)))
    assert evaluate(rule, value, JUNE_1).satisfied is True
