"""The stacking evaluator: each node kind, each reason, and the DOMAIN.md section 6 examples."""

from __future__ import annotations

import datetime as dt

import pytest

from pathways.stacking.engine.achievements import Achievements
from pathways.stacking.engine.achievements import Catalog
from pathways.stacking.engine.achievements import EarnedCredential
from pathways.stacking.engine.achievements import Equivalence
from pathways.stacking.engine.achievements import ExternalCredential
from pathways.stacking.engine.achievements import Hint
from pathways.stacking.engine.achievements import PlarResult
from pathways.stacking.engine.achievements import Signoff as SignedOff
from pathways.stacking.engine.evaluate import Missing
from pathways.stacking.engine.evaluate import Reason
from pathways.stacking.engine.evaluate import evaluate
from pathways.stacking.engine.evaluate import evaluate_many
from pathways.stacking.engine.evaluate import prepare
from pathways.stacking.engine.evaluate import years_before
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
from pathways.stacking.engine.rules import parse_rule

pytestmark = pytest.mark.unit

JUNE_1 = dt.date(2025, 6, 1)


def earned(code, on=dt.date(2024, 3, 1), *, hours=0.0, items=(), expires=None, version=1, **kw):
    return EarnedCredential(
        code,
        version,
        on,
        expires,
        hours,
        frozenset(items),
        kw.get("revoked"),
        kw.get("kind", "micro_credential"),
    )


def occupation_items(occupation: str, areas: int = 7, competencies: int = 4, indicators: int = 4):
    items: dict[str, str | None] = {occupation: None}
    for area in range(1, areas + 1):
        items[f"{occupation}-{area}"] = occupation
        for competency in range(1, competencies + 1):
            items[f"{occupation}-{area}.{competency}"] = f"{occupation}-{area}"
            for indicator in range(1, indicators + 1):
                items[f"{occupation}-{area}.{competency}.{indicator}"] = (
                    f"{occupation}-{area}.{competency}"
                )
    return items


def indicators(prefix: str, areas) -> list[str]:
    return [f"{prefix}-{a}.{c}.{i}" for a in areas for c in range(1, 5) for i in range(1, 5)]


MSSC_ITEMS = {
    "MSSC-CPT": None,
    "MSSC-CPT-SAFETY": "MSSC-CPT",
    "MSSC-CPT-QUALITY": "MSSC-CPT",
    "MSSC-CPT-PROCESSES": "MSSC-CPT",
    "MSSC-CPT-MAINTENANCE": "MSSC-CPT",
    "MSSC-CLT": None,
}

CATALOG = Catalog(
    items={
        **occupation_items("ILL-MO"),
        **occupation_items("ILL-AS"),
        **occupation_items("ILL-MH"),
        **MSSC_ITEMS,
    },
    equivalences=(
        Equivalence(
            "CME-MSSC-2015", "MSSC-CPT", "ILL-AS", "exact", "declared", "full CPT, current"
        ),
        Equivalence(
            "CME-MSSC-2015", "MSSC-CPT", "ILL-MO", "exact", "declared", "full CPT, current"
        ),
        Equivalence("MSSC-LOGISTICS-NOTE", "MSSC-CLT", "ILL-MH", "related", "proposed"),
    ),
)


# -- single nodes ----------------------------------------------------------------------------


def test_n_of_counts_each_credential_once():
    rule = NOf(2, (Credential("A"), Credential("B"), Credential("C")))
    outcome = evaluate(rule, [earned("A")], as_of=JUNE_1)
    assert (outcome.satisfied, outcome.progress) == (False, 0.5)
    assert outcome.missing == Missing(credentials=("B", "C"))


def test_n_of_distinct_same_code_fills_one_slot():
    rule = NOf(2, (Credential("A"), Credential("A")))
    outcome = evaluate(rule, [earned("A")], JUNE_1)
    assert outcome.satisfied is False
    assert outcome.children[1].reasons == (
        Reason("already_counted", "already counted in another slot", "A"),
    )


def test_n_of_not_distinct_lets_one_credential_fill_two_slots():
    rule = NOf(2, (Credential("A"), Credential("A")), distinct=False)
    assert evaluate(rule, [earned("A")], JUNE_1).satisfied is True


def test_n_of_distinct_finds_the_filling_that_works_in_any_order():
    rule = NOf(
        2, (AnyOf((Credential("A"), Credential("B"))), AnyOf((Credential("A"), Credential("C"))))
    )
    for held in (["A", "B"], ["B", "A"], ["A", "C"], ["C", "A"]):
        outcome = evaluate(rule, [earned(code) for code in held], JUNE_1)
        assert outcome.satisfied is True
        assert sorted(code for child in outcome.children for code in child.used) == sorted(held)


def test_n_of_distinct_complex_children_cannot_share():
    rule = NOf(
        2, (AnyOf((Credential("A"), Credential("B"))), AnyOf((Credential("A"), Credential("C"))))
    )
    outcome = evaluate(rule, [earned("A")], JUNE_1)
    assert (outcome.satisfied, outcome.progress) == (False, 0.5)
    assert outcome.reasons == (Reason("too_few", "1 of 2 required choices satisfied"),)


def test_all_reports_mean_progress_and_merged_missing():
    rule = AllOf((Credential("A"), Credential("B"), MinHours(100)))
    outcome = evaluate(rule, [earned("A", hours=40)], JUNE_1)
    assert outcome.satisfied is False
    assert outcome.progress == pytest.approx((1 + 0 + 0.4) / 3)
    assert outcome.missing == Missing(credentials=("B",), hours=60.0)


def test_any_takes_best_progress():
    rule = AnyOf((MinHours(100), Credential("B")))
    outcome = evaluate(rule, [earned("A", hours=25)], JUNE_1)
    assert (outcome.satisfied, outcome.progress) == (False, 0.25)
    assert outcome.missing == Missing(credentials=("B",), hours=75.0)


@pytest.mark.parametrize(
    ("credential", "reason"),
    [
        (earned("A", expires=dt.date(2025, 5, 14)), Reason("expired", "expired 2025-05-14", "A")),
        (earned("A", expires=JUNE_1), Reason("expired", "expired 2025-06-01", "A")),
        (earned("A", revoked=dt.date(2025, 1, 2)), Reason("revoked", "revoked 2025-01-02", "A")),
        (
            earned("A", on=dt.date(2025, 7, 1)),
            Reason("not_yet_earned", "earned 2025-07-01, after 2025-06-01", "A"),
        ),
        (earned("A", version=1), Reason("version_too_low", "version 1 below required 2", "A")),
    ],
)
def test_credential_reasons(credential, reason):
    outcome = evaluate(Credential("A", min_version=2), [credential], JUNE_1)
    assert (outcome.satisfied, outcome.reasons, outcome.missing) == (
        False,
        (reason,),
        Missing(credentials=("A",)),
    )


def test_credential_not_held():
    outcome = evaluate(Credential("A"), [], JUNE_1)
    assert outcome.reasons == (Reason("not_held", "A not held", "A"),)


def test_credential_counts_until_the_day_before_expiry_and_challenge_awards_count():
    credential = earned("A", expires=JUNE_1, kind="challenge")
    assert evaluate(Credential("A"), [credential], dt.date(2025, 5, 31)).satisfied is True
    assert evaluate(Credential("A"), [credential], JUNE_1).satisfied is False


def test_renewal_counts_when_the_old_award_expired():
    old = earned("A", on=dt.date(2019, 1, 1), expires=dt.date(2022, 1, 1))
    new = earned("A", on=dt.date(2022, 1, 1), expires=dt.date(2025, 1, 1), version=2)
    assert evaluate(Credential("A"), [old, new], dt.date(2024, 1, 1)).satisfied is True


def test_within_years_explains_too_old():
    rule = WithinYears(3, Credential("A"))
    outcome = evaluate(rule, [earned("A", on=dt.date(2019, 3, 1))], JUNE_1)
    assert outcome.satisfied is False
    assert outcome.children[0].reasons == (
        Reason("too_old", "too old (earned 2019-03-01, limit 3 years)", "A"),
    )


def test_within_years_boundary_is_the_same_day():
    rule = WithinYears(3, Credential("A"))
    assert evaluate(rule, [earned("A", on=dt.date(2022, 6, 1))], JUNE_1).satisfied is True
    assert evaluate(rule, [earned("A", on=dt.date(2022, 5, 31))], JUNE_1).satisfied is False


def test_nested_within_years_takes_the_stricter_window():
    rule = WithinYears(5, WithinYears(2, Credential("A")))
    assert evaluate(rule, [earned("A", on=dt.date(2022, 6, 1))], JUNE_1).satisfied is False
    rule = WithinYears(2, WithinYears(5, Credential("A")))
    assert evaluate(rule, [earned("A", on=dt.date(2022, 6, 1))], JUNE_1).satisfied is False


def test_years_before_leap_day():
    assert years_before(dt.date(2024, 2, 29), 1) == dt.date(2023, 2, 28)


def test_min_hours_from_list_counts_only_listed_and_each_code_once():
    rule = MinHours(60, ("A", "B"))
    held = [
        earned("A", hours=30),
        earned("A", on=dt.date(2024, 5, 1), hours=30),
        earned("C", hours=90),
    ]
    outcome = evaluate(rule, held, JUNE_1)
    assert (outcome.satisfied, outcome.counted, outcome.missing) == (
        False,
        30.0,
        Missing(hours=30.0),
    )
    assert outcome.reasons == (Reason("hours_short", "30 of 60 hours"),)


def test_min_hours_explains_expired_hours():
    rule = MinHours(60)
    held = [earned("A", hours=30), earned("B", hours=40, expires=dt.date(2025, 5, 14))]
    outcome = evaluate(rule, held, JUNE_1)
    assert outcome.reasons == (
        Reason("hours_short", "30 of 60 hours"),
        Reason("expired", "B: expired 2025-05-14", "B"),
    )


def test_covers_fraction_with_items_as_their_own_leaves():
    rule = Covers(("I1", "I2", "I3", "I4"), 0.75)
    outcome = evaluate(rule, [earned("A", items={"I1", "I2"})], JUNE_1)
    assert (outcome.satisfied, outcome.progress, outcome.counted, outcome.needed) == (
        False,
        2 / 3,
        2,
        3,
    )
    assert outcome.missing == Missing(indicators=("I3", "I4"))
    outcome = evaluate(
        rule, [earned("A", items={"I1", "I2"}), PlarResult("I4", True, JUNE_1)], JUNE_1
    )
    assert (outcome.satisfied, outcome.used) == (True, frozenset({"A", "plar:I4"}))


def test_covers_item_stands_for_its_leaves():
    rule = Covers(("ILL-MO-1",))
    outcome = evaluate(rule, [earned("A", items={"ILL-MO-1.1", "ILL-MO-1.2.3"})], JUNE_1, CATALOG)
    assert (outcome.counted, outcome.needed) == (5, 16)
    assert len(outcome.missing.indicators) == 11


def test_latest_plar_decision_wins():
    rule = Covers(("I1",))
    results = [
        PlarResult("I1", True, dt.date(2024, 1, 1)),
        PlarResult("I1", False, dt.date(2025, 1, 1)),
    ]
    assert evaluate(rule, results, JUNE_1).satisfied is False
    assert evaluate(rule, results, dt.date(2024, 6, 1)).satisfied is True


def test_covers_through_exact_equivalence_one_hop_only():
    aligned_to_cpt = earned("X", items={"MSSC-CPT"})
    assert evaluate(Covers(("ILL-AS",)), [aligned_to_cpt], JUNE_1, CATALOG).satisfied is True
    # CPT = Assembler and CPT = Machine Operator never makes Assembler = Machine Operator.
    aligned_to_mo = earned("Y", items={"ILL-MO"})
    outcome = evaluate(Covers(("ILL-AS",)), [aligned_to_mo], JUNE_1, CATALOG)
    assert (outcome.satisfied, outcome.counted) == (False, 0)


def test_signoff_node():
    rule = RuleSet("f", "ILL-MO", 1, Signoff())
    assert evaluate(rule, [SignedOff("ILL-MO", JUNE_1, "a")], JUNE_1).satisfied is True
    outcome = evaluate(rule, [SignedOff("ILL-AS", JUNE_1, "a")], JUNE_1)
    assert (outcome.satisfied, outcome.missing, outcome.reasons) == (
        False,
        Missing(signoff=True),
        (Reason("needs_signoff", "needs work-based assessment sign-off"),),
    )


def test_equivalent_needs_verified_current_external():
    rule = Equivalent("CME-MSSC-2015", "MSSC-CPT", target="ILL-AS")
    cpt = ExternalCredential("MSSC-CPT", dt.date(2022, 4, 1), dt.date(2027, 4, 1), verified=False)
    outcome = evaluate(rule, [cpt], JUNE_1, CATALOG)
    assert (outcome.satisfied, outcome.reasons) == (
        False,
        (Reason("not_verified", "MSSC-CPT: not verified", "MSSC-CPT"),),
    )


def test_result_does_not_depend_on_achievement_order():
    rule = AllOf((NOf(1, (Credential("A"), Credential("B"))), MinHours(50), Covers(("I1", "I2"))))
    held = [
        earned("A", hours=20, items={"I1"}),
        earned("B", hours=20, items={"I2"}, expires=dt.date(2025, 1, 1)),
        earned("A", on=dt.date(2025, 1, 1), hours=25, items={"I2"}),
        PlarResult("I2", True, dt.date(2025, 2, 1)),
    ]
    first = evaluate(rule, held, JUNE_1)
    assert evaluate(rule, list(reversed(held)), JUNE_1) == first
    assert evaluate(rule, Achievements.of(held[1:] + held[:1]), JUNE_1) == first


# -- DOMAIN.md section 6 examples ------------------------------------------------------------

MACHINE_OPERATOR = RuleSet(
    "certworkplus-ill",
    "ILL-MO",
    1,
    parse_rule(
        {
            "all": [
                {"within_years": {"years": 3, "rule": {"credential": "ILL-SAFE"}}},
                {"credential": "ILL-MEAS"},
                {
                    "n_of": {
                        "n": 1,
                        "rules": [{"credential": "ILL-CNC"}, {"credential": "ILL-PRESS"}],
                    }
                },
                {"min_hours": {"hours": 120}},
                {"covers": {"items": ["ILL-MO"], "fraction": 1.0}},
            ]
        }
    ),
    requires_signoff=True,
)

ANA = [
    earned("ILL-SAFE", dt.date(2024, 2, 1), hours=30, items={"ILL-MO-1"}),
    earned("ILL-MEAS", dt.date(2024, 6, 1), hours=35, items={"ILL-MO-4"}),
    earned(
        "ILL-CNC",
        dt.date(2025, 1, 15),
        hours=60,
        items={"ILL-MO-2", "ILL-MO-3", "ILL-MO-5", "ILL-MO-6"},
    ),
]


def test_ana_needs_the_last_indicators_then_signoff():
    outcome = evaluate(MACHINE_OPERATOR, ANA, JUNE_1, CATALOG)
    covers = outcome.children[4]
    assert (outcome.satisfied, covers.counted, covers.needed) == (False, 96, 112)
    assert outcome.missing == Missing(indicators=tuple(indicators("ILL-MO", [7])))
    assert outcome.children[3].counted == 125.0
    assert outcome.progress == pytest.approx((4 + 96 / 112) / 5)

    plar = [PlarResult(code, True, JUNE_1, "assessor-1") for code in indicators("ILL-MO", [7])]
    outcome = evaluate(MACHINE_OPERATOR, ANA + plar, JUNE_1, CATALOG)
    assert (outcome.satisfied, outcome.progress, outcome.awaiting_signoff) == (True, 1.0, True)

    signed = [SignedOff("ILL-MO", JUNE_1, "assessor-1")]
    outcome = evaluate(MACHINE_OPERATOR, ANA + plar + signed, JUNE_1, CATALOG)
    assert (outcome.satisfied, outcome.awaiting_signoff) == (True, False)


def test_ana_safety_older_than_three_years_fails_recency():
    later = dt.date(2027, 2, 2)
    plar = [PlarResult(code, True, JUNE_1) for code in indicators("ILL-MO", [7])]
    outcome = evaluate(MACHINE_OPERATOR, ANA + plar, later, CATALOG)
    assert outcome.satisfied is False
    assert outcome.missing == Missing(credentials=("ILL-SAFE",))
    assert outcome.children[0].children[0].reasons == (
        Reason("too_old", "too old (earned 2024-02-01, limit 3 years)", "ILL-SAFE"),
    )


ASSEMBLER = RuleSet(
    "certworkplus-ill",
    "ILL-AS",
    1,
    parse_rule(
        {
            "any": [
                {"all": [{"credential": "ILL-SAFE"}, {"covers": {"items": ["ILL-AS"]}}]},
                {"equivalent": {"crosswalk": "CME-MSSC-2015", "credential": "MSSC-CPT"}},
            ]
        }
    ),
)


def test_luis_verified_cpt_satisfies_assembler():
    cpt = ExternalCredential("MSSC-CPT", dt.date(2022, 4, 1), dt.date(2027, 4, 1), verified=True)
    outcome = evaluate(ASSEMBLER, [cpt], JUNE_1, CATALOG)
    assert (outcome.satisfied, outcome.used) == (True, frozenset({"ext:MSSC-CPT"}))


def test_luis_with_only_three_modules_is_out_of_scope():
    modules = [
        ExternalCredential(code, dt.date(2022, 4, 1), None, verified=True)
        for code in ("MSSC-CPT-SAFETY", "MSSC-CPT-QUALITY", "MSSC-CPT-PROCESSES")
    ]
    outcome = evaluate(ASSEMBLER, modules, JUNE_1, CATALOG)
    equivalent = outcome.children[1]
    assert (outcome.satisfied, equivalent.missing) == (False, Missing(external=("MSSC-CPT",)))
    assert equivalent.reasons == (
        Reason(
            "out_of_scope",
            "only parts of MSSC-CPT held (MSSC-CPT-PROCESSES, MSSC-CPT-QUALITY, "
            "MSSC-CPT-SAFETY): CME-MSSC-2015 covers the whole MSSC-CPT only",
            "MSSC-CPT",
        ),
    )


def test_cpt_older_than_five_years_without_renewal_fails():
    cpt = ExternalCredential("MSSC-CPT", dt.date(2019, 4, 1), dt.date(2024, 4, 1), verified=True)
    outcome = evaluate(ASSEMBLER, [cpt], JUNE_1, CATALOG)
    assert outcome.children[1].reasons == (
        Reason("expired", "MSSC-CPT: expired 2024-04-01", "MSSC-CPT"),
    )


def test_equivalence_is_not_chained_between_occupations():
    rule = RuleSet("f", "ILL-MH", 1, Equivalent("CME-MSSC-2015", "MSSC-CPT"))
    cpt = ExternalCredential("MSSC-CPT", dt.date(2022, 4, 1), None, verified=True)
    outcome = evaluate(rule, [cpt], JUNE_1, CATALOG)
    assert (outcome.satisfied, outcome.reasons) == (
        False,
        (
            Reason(
                "no_equivalence",
                "CME-MSSC-2015 declares no exact equivalence of MSSC-CPT to ILL-MH",
                "MSSC-CPT",
            ),
        ),
    )


MATERIAL_HANDLER = RuleSet(
    "certworkplus-ill",
    "ILL-MH",
    1,
    parse_rule(
        {
            "all": [
                {"within_years": {"years": 3, "rule": {"credential": "ILL-LIFT"}}},
                {"covers": {"items": ["ILL-MH"]}},
            ]
        }
    ),
)


def test_mei_lift_truck_expiry_fails_from_its_expiry_date():
    lift = earned("ILL-LIFT", dt.date(2022, 5, 14), expires=dt.date(2025, 5, 14), items={"ILL-MH"})
    before = evaluate(MATERIAL_HANDLER, [lift], dt.date(2025, 5, 13), CATALOG)
    assert before.satisfied is True
    outcome = evaluate(MATERIAL_HANDLER, [lift], dt.date(2025, 5, 14), CATALOG)
    assert outcome.satisfied is False
    assert outcome.children[0].children[0].reasons == (
        Reason("expired", "expired 2025-05-14", "ILL-LIFT"),
    )
    assert outcome.missing.credentials == ("ILL-LIFT",)
    assert len(outcome.missing.indicators) == 112
    assert (
        Reason("expired", "ILL-LIFT: expired 2025-05-14", "ILL-LIFT") in outcome.children[1].reasons
    )


def test_raj_related_only_changes_nothing_and_says_so():
    clt = ExternalCredential("MSSC-CLT", dt.date(2023, 1, 1), None, verified=True)
    lift = earned("ILL-LIFT", dt.date(2024, 1, 1))
    without = evaluate(MATERIAL_HANDLER, [lift], JUNE_1, CATALOG)
    outcome = evaluate(MATERIAL_HANDLER, [lift, clt], JUNE_1, CATALOG)
    assert (outcome.satisfied, outcome.progress, outcome.missing) == (
        without.satisfied,
        without.progress,
        without.missing,
    )
    covers = outcome.children[1]
    assert covers.hints == (
        Hint(
            "MSSC-LOGISTICS-NOTE",
            "MSSC-CLT",
            "ILL-MH",
            "related",
            "proposed",
            "related only: MSSC-CLT, not counted",
        ),
    )
    assert covers.reasons[-1] == Reason(
        "related_only", "related only: MSSC-CLT, not counted", "MSSC-CLT"
    )


def test_evaluate_many_matches_single_evaluations():
    rulesets = [MACHINE_OPERATOR, ASSEMBLER, MATERIAL_HANDLER]
    many = evaluate_many(rulesets, ANA, JUNE_1, CATALOG)
    assert many == [evaluate(rules, ANA, JUNE_1, CATALOG) for rules in rulesets]
    learner = prepare(ANA, JUNE_1, CATALOG)
    assert evaluate(ASSEMBLER, learner, JUNE_1, CATALOG) == many[1]
    with pytest.raises(ValueError, match="another date"):
        evaluate(ASSEMBLER, learner, dt.date(2025, 1, 1), CATALOG)
