"""Catalog checks: prerequisite cycles, occupations the catalog cannot complete, unused credentials.

Pure functions over a :class:`~pathways.stacking.engine.achievements.Catalog` and parsed
rule sets; the catalog service runs them before publishing and shows the findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pathways.stacking.engine.achievements import Catalog
from pathways.stacking.engine.planner import plan
from pathways.stacking.engine.rules import Covers
from pathways.stacking.engine.rules import Credential
from pathways.stacking.engine.rules import MinHours
from pathways.stacking.engine.rules import RuleSet
from pathways.stacking.engine.rules import validate_rules
from pathways.stacking.engine.rules import walk


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: ``code`` (``prerequisite_cycle``, ``missing_prerequisite``,
    ``occupation_incomplete``, ``unused_credential``), the ``subject`` it concerns,
    English ``text`` and, for a cycle, the codes around it (first code repeated last)."""

    code: str
    subject: str
    text: str
    cycle: tuple[str, ...] = ()


def prerequisite_cycles(catalog: Catalog) -> list[Finding]:
    """Every prerequisite cycle among published offers, each reported once.

    A cycle is rotated to start at its smallest code, so the report is stable.
    """
    offers = catalog.published_offers()
    findings: list[Finding] = []
    seen: set[tuple[str, ...]] = set()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(code: str) -> None:
        state[code] = 1
        stack.append(code)
        for other in sorted(offers[code].prerequisites):
            if other not in offers:
                continue
            if state.get(other) == 1:
                cycle = stack[stack.index(other) :]
                start = cycle.index(min(cycle))
                rotated = tuple(cycle[start:] + cycle[:start])
                if rotated not in seen:
                    seen.add(rotated)
                    findings.append(
                        Finding(
                            "prerequisite_cycle",
                            rotated[0],
                            "prerequisite cycle: " + " -> ".join((*rotated, rotated[0])),
                            (*rotated, rotated[0]),
                        )
                    )
            elif other not in state:
                visit(other)
        stack.pop()
        state[code] = 2

    for code in offers:
        if code not in state:
            visit(code)
    return findings


def missing_prerequisites(catalog: Catalog) -> list[Finding]:
    """Published offers whose prerequisite is not a published offer."""
    offers = catalog.published_offers()
    return [
        Finding(
            "missing_prerequisite",
            code,
            f"{code} requires {other}, which is not published",
        )
        for code, offer in offers.items()
        for other in sorted(offer.prerequisites)
        if other not in offers
    ]


def incomplete_occupations(
    rulesets: Iterable[RuleSet],
    catalog: Catalog,
    *,
    plar_allowed: bool = False,
    as_of: dt.date | None = None,
) -> list[Finding]:
    """Occupations whose rules a learner with nothing cannot complete from the catalog.

    Semantic rule errors (:func:`validate_rules`) count, and so does a failed plan from
    an empty record: that catches prerequisites that are missing or circular.
    ``plar_allowed`` false (the default) asks whether published credentials alone
    reach every coverage need.
    """
    as_of = as_of or dt.date(2000, 1, 1)
    findings = []
    for ruleset in rulesets:
        errors = validate_rules(ruleset, catalog, plar_allowed=plar_allowed)
        if errors:
            text = "; ".join(f"{error.path}: {error.message}" for error in errors)
            findings.append(Finding("occupation_incomplete", ruleset.occupation, text))
            continue
        if plar_allowed:
            continue
        result = plan(ruleset, (), catalog, as_of, max_nodes=20_000, time_limit=1.0)
        if not result.feasible and result.proven_optimal:
            reasons = "; ".join(reason.text for reason in result.blocked)
            findings.append(
                Finding(
                    "occupation_incomplete",
                    ruleset.occupation,
                    "no set of published credentials completes it"
                    + (f": {reasons}" if reasons else ""),
                )
            )
    return findings


def unused_credentials(rulesets: Iterable[RuleSet], catalog: Catalog) -> list[Finding]:
    """Published credentials that no occupation's rules name or can count.

    A credential is used when a rule names it (``credential``, ``min_hours.from``) or
    when it aligns to an indicator a ``covers`` node counts.
    """
    named: set[str] = set()
    wanted = 0
    for ruleset in rulesets:
        for node, _ in walk(ruleset.rule):
            if isinstance(node, Credential):
                named.add(node.code)
            elif isinstance(node, MinHours):
                # A min_hours without "from" counts any credential's hours, but hours
                # alone do not put a credential on a pathway: only a named one counts.
                named.update(node.from_codes or ())
            elif isinstance(node, Covers):
                for item in node.items:
                    wanted |= catalog.mask(item)
    findings = []
    for code, offer in catalog.published_offers().items():
        if code in named or catalog.alignment_mask(offer.aligned_items) & wanted:
            continue
        findings.append(Finding("unused_credential", code, f"{code} is used by no occupation"))
    return findings


def check_catalog(rulesets: Iterable[RuleSet], catalog: Catalog) -> list[Finding]:
    """All catalog checks, in a stable order: cycles, missing prerequisites, occupations, unused."""
    rulesets = list(rulesets)
    return (
        prerequisite_cycles(catalog)
        + missing_prerequisites(catalog)
        + incomplete_occupations(rulesets, catalog)
        + unused_credentials(rulesets, catalog)
    )
