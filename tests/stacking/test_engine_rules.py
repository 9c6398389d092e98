"""Rule parsing from plain data, round trips, and semantic validation against a catalog."""

from __future__ import annotations

import pytest

from pathways.stacking.engine.achievements import Catalog
from pathways.stacking.engine.achievements import Equivalence
from pathways.stacking.engine.achievements import Offer
from pathways.stacking.engine.rules import RULE_KINDS
from pathways.stacking.engine.rules import AllOf
from pathways.stacking.engine.rules import Covers
from pathways.stacking.engine.rules import Credential
from pathways.stacking.engine.rules import Equivalent
from pathways.stacking.engine.rules import MinHours
from pathways.stacking.engine.rules import NOf
from pathways.stacking.engine.rules import RuleError
from pathways.stacking.engine.rules import RuleSet
from pathways.stacking.engine.rules import Signoff
from pathways.stacking.engine.rules import WithinYears
from pathways.stacking.engine.rules import parse_rule
from pathways.stacking.engine.rules import parse_rule_file
from pathways.stacking.engine.rules import validate_rules

pytestmark = pytest.mark.unit

MACHINE_OPERATOR_FILE = {
    "kind": "stacking_rules",
    "framework": "certworkplus-ill",
    "occupation": "ILL-MO",
    "version": 1,
    "illustrative": True,
    "title": {
        "en": "Machine Operator certification (illustrative)",
        "fr": "Opérateur (illustratif)",
    },
    "requires_signoff": True,
    "rule": {
        "all": [
            {"within_years": {"years": 3, "rule": {"credential": "ILL-SAFE"}}},
            {"credential": {"code": "ILL-MEAS", "min_version": 2}},
            {"n_of": {"n": 1, "rules": [{"credential": "ILL-CNC"}, {"credential": "ILL-PRESS"}]}},
            {"min_hours": {"hours": 120}},
            {"min_hours": {"hours": 60, "from": ["ILL-CNC", "ILL-PRESS"]}},
            {"covers": {"items": ["ILL-MO"], "fraction": 1.0}},
            {"any": [{"equivalent": {"crosswalk": "CME-MSSC-2015", "credential": "MSSC-CPT"}}]},
            {"signoff": {"note": {"en": "Assessor signs off", "fr": "L'évaluateur atteste"}}},
        ]
    },
}


def test_parse_rule_file():
    ruleset = parse_rule_file(MACHINE_OPERATOR_FILE)
    assert ruleset == RuleSet(
        framework="certworkplus-ill",
        occupation="ILL-MO",
        version=1,
        rule=AllOf(
            (
                WithinYears(3, Credential("ILL-SAFE")),
                Credential("ILL-MEAS", 2),
                NOf(1, (Credential("ILL-CNC"), Credential("ILL-PRESS"))),
                MinHours(120),
                MinHours(60, ("ILL-CNC", "ILL-PRESS")),
                Covers(("ILL-MO",), 1.0),
                parse_rule(
                    {
                        "any": [
                            {"equivalent": {"crosswalk": "CME-MSSC-2015", "credential": "MSSC-CPT"}}
                        ]
                    }
                ),
                Signoff((("en", "Assessor signs off"), ("fr", "L'évaluateur atteste"))),
            )
        ),
        title=(
            ("en", "Machine Operator certification (illustrative)"),
            ("fr", "Opérateur (illustratif)"),
        ),
        requires_signoff=True,
        illustrative=True,
    )


def test_round_trip_through_plain_data():
    ruleset = parse_rule_file(MACHINE_OPERATOR_FILE)
    assert parse_rule_file(ruleset.to_data()) == ruleset


def test_every_kind_is_registered():
    assert sorted(RULE_KINDS) == [
        "all",
        "any",
        "covers",
        "credential",
        "equivalent",
        "min_hours",
        "n_of",
        "signoff",
        "within_years",
    ]


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ({"all": []}, "rule.all", "expected a non-empty list of rules"),
        ({"all": [{"credential": "A"}, {"nope": 1}]}, "rule.all[1].nope", "unknown rule kind"),
        (
            {"credential": "A", "any": []},
            "rule",
            "expected a mapping with exactly one of: "
            "all, any, n_of, credential, min_hours, covers, within_years, equivalent, signoff",
        ),
        (
            {
                "all": [
                    {"credential": "A"},
                    {"credential": "B"},
                    {"n_of": {"n": 0, "rules": [{"credential": "A"}]}},
                ]
            },
            "rule.all[2].n_of.n",
            "must be at least 1",
        ),
        ({"n_of": {"n": True, "rules": [{"credential": "A"}]}}, "rule.n_of.n", "expected a number"),
        (
            {"n_of": {"n": 1.5, "rules": [{"credential": "A"}]}},
            "rule.n_of.n",
            "expected a whole number",
        ),
        ({"n_of": {"rules": [{"credential": "A"}]}}, "rule.n_of.n", "required"),
        (
            {"n_of": {"n": 1, "rules": [{"credential": "A"}], "distinct": "yes"}},
            "rule.n_of.distinct",
            "expected true or false",
        ),
        ({"credential": ""}, "rule.credential", "expected a non-empty code"),
        ({"credential": {"code": "A", "version": 2}}, "rule.credential.version", "unknown key"),
        ({"min_hours": {"hours": -1}}, "rule.min_hours.hours", "must be at least 0"),
        (
            {"min_hours": {"hours": 5, "from": []}},
            "rule.min_hours.from",
            "expected a non-empty list of credential codes",
        ),
        (
            {"covers": {"items": ["I"], "fraction": 1.5}},
            "rule.covers.fraction",
            "must be above 0 and at most 1",
        ),
        ({"covers": {"items": []}}, "rule.covers.items", "expected a non-empty list of item codes"),
        ({"within_years": {"years": 3}}, "rule.within_years.rule", "required"),
        (
            {"within_years": {"years": 3, "rule": {"x": 1}}},
            "rule.within_years.rule.x",
            "unknown rule kind",
        ),
        ({"equivalent": {"crosswalk": "C"}}, "rule.equivalent.credential", "required"),
        (
            {"signoff": {"note": 3}},
            "rule.signoff.note",
            "expected a language map such as {en: ..., fr: ...}",
        ),
    ],
)
def test_parse_errors_locate_the_problem(data, path, message):
    with pytest.raises(RuleError) as error:
        parse_rule(data)
    assert (error.value.path, error.value.message) == (path, message)


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"kind": "rules"}, "file.kind", "expected 'stacking_rules'"),
        ({"version": 0}, "file.version", "must be at least 1"),
        ({"requires_signoff": "yes"}, "file.requires_signoff", "expected true or false"),
        ({"colour": "red"}, "file.colour", "unknown key"),
        (
            {"rule": {"credential": 1}},
            "rule.credential",
            "expected a code or {code: ..., min_version: ...}",
        ),
    ],
)
def test_file_errors(change, path, message):
    with pytest.raises(RuleError) as error:
        parse_rule_file({**MACHINE_OPERATOR_FILE, **change})
    assert (error.value.path, error.value.message) == (path, message)


def test_parse_shorthands():
    assert parse_rule({"min_hours": 40}) == MinHours(40)
    assert parse_rule({"covers": {"items": "ILL-MO-1"}}) == Covers(("ILL-MO-1",), 1.0)
    assert parse_rule({"signoff": None}) == Signoff()
    assert parse_rule({"equivalent": {"crosswalk": "C", "credential": "X", "target": "T"}}) == (
        Equivalent("C", "X", "T")
    )


CATALOG = Catalog(
    items={
        "OCC": None,
        "OCC-1": "OCC",
        "OCC-1.1": "OCC-1",
        "OCC-1.2": "OCC-1",
        "OCC-2": "OCC",
        "OCC-2.1": "OCC-2",
    },
    equivalences=(
        Equivalence("XW", "EXT", "OCC", "exact", "declared"),
        Equivalence("XW", "EXT2", "OCC", "related", "proposed"),
    ),
    offers=(
        Offer("A", 30, frozenset({"OCC-1"})),
        Offer("B", 20, frozenset({"OCC-1.1"})),
        Offer("D", 10, frozenset(), is_published=False),
    ),
)


def _errors(rule, **kw):
    ruleset = RuleSet("f", "OCC", 1, parse_rule(rule))
    return [(e.path, e.code, e.message) for e in validate_rules(ruleset, CATALOG, **kw)]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"all": [{"credential": "A"}, {"covers": {"items": ["OCC"]}}]}, []),
        ({"credential": "Z"}, [("rule", "unknown_credential", "unknown credential Z")]),
        ({"credential": "D"}, [("rule", "unsatisfiable", "no published version of D fits")]),
        (
            {"credential": {"code": "A", "min_version": 2}},
            [("rule", "unsatisfiable", "no published version of A fits")],
        ),
        (
            {"covers": {"items": ["OCC-9"]}},
            [("rule.covers.items[0]", "unknown_item", "unknown competency item OCC-9")],
        ),
        (
            {"min_hours": {"hours": 60, "from": ["A", "B"]}},
            [("rule", "unsatisfiable", "needs 60 h but the listed credentials give 50 h")],
        ),
        (
            {"min_hours": {"hours": 10, "from": ["Q"]}},
            [
                ("rule.min_hours.from[0]", "unknown_credential", "unknown credential Q"),
                ("rule", "unsatisfiable", "needs 10 h but the listed credentials give 0 h"),
            ],
        ),
        (
            {"n_of": {"n": 3, "rules": [{"credential": "A"}, {"credential": "B"}]}},
            [("rule.n_of.n", "n_too_large", "n is 3 but there are only 2 choices")],
        ),
        (
            {"n_of": {"n": 2, "rules": [{"credential": "A"}, {"credential": "D"}]}},
            [
                ("rule.n_of.rules[1]", "unsatisfiable", "no published version of D fits"),
                ("rule", "unsatisfiable", "only 1 of 2 choices can be satisfied, 2 needed"),
            ],
        ),
        (
            {"any": [{"credential": "Z"}]},
            [
                ("rule.any[0]", "unknown_credential", "unknown credential Z"),
                ("rule", "unsatisfiable", "no choice can be satisfied"),
            ],
        ),
        ({"equivalent": {"crosswalk": "XW", "credential": "EXT"}}, []),
        (
            {"equivalent": {"crosswalk": "XW", "credential": "EXT2"}},
            [("rule", "unsatisfiable", "XW declares no exact equivalence of EXT2 to OCC")],
        ),
        (
            {"equivalent": {"crosswalk": "NOPE", "credential": "EXT"}},
            [("rule", "unknown_crosswalk", "unknown crosswalk NOPE")],
        ),
    ],
)
def test_validate_rules(rule, expected):
    assert _errors(rule) == expected


def test_covers_unreachable_without_plar():
    rule = {"covers": {"items": ["OCC"]}}
    assert _errors(rule) == []
    assert _errors(rule, plar_allowed=False) == [
        (
            "rule",
            "unsatisfiable",
            "published credentials cover 67% of these indicators, 100% needed, "
            "and PLAR is not allowed",
        )
    ]
    assert _errors({"covers": {"items": ["OCC"], "fraction": 0.6}}, plar_allowed=False) == []
