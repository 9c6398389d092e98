"""Stacking rule trees: node dataclasses, parsing from plain data, semantic validation.

A rule file (``content/rules/*.yaml``, already loaded into a dict) becomes a
:class:`RuleSet` through :func:`parse_rule_file`; a single node through
:func:`parse_rule`. Shape errors raise :class:`RuleError` with a path such as
``rule.all[2].n_of.n``. :func:`validate_rules` then checks the rules against a
:class:`~pathways.stacking.engine.achievements.Catalog` and returns every problem
found (unknown codes, nodes that can never be satisfied).

A new rule kind is a frozen dataclass with ``kind``, ``parse`` and ``to_data``, an
entry in :data:`RULE_KINDS`, a branch in ``evaluate`` and ``planner``, and a test row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import ClassVar

from pathways.stacking.engine.achievements import Catalog


class RuleError(ValueError):
    """A rule is malformed or can never work; ``path`` says where (``rule.all[2].n_of.n``)."""

    def __init__(self, path: str, message: str, *, code: str = "invalid") -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message
        self.code = code

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RuleError):
            return NotImplemented
        return (self.path, self.message, self.code) == (other.path, other.message, other.code)

    def __hash__(self) -> int:
        return hash((self.path, self.message, self.code))

    def __repr__(self) -> str:
        return f"RuleError({self.path!r}, {self.message!r}, code={self.code!r})"


class Rule:
    """Base of every rule node. ``kind`` is the node's key in rule files."""

    __slots__ = ()
    kind: ClassVar[str] = ""

    @classmethod
    def parse(cls, body: Any, path: str) -> Rule:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_data(self) -> dict[str, Any]:  # pragma: no cover - abstract
        """The node as plain data, in the rule-file format (``parse_rule`` reads it back)."""
        raise NotImplementedError

    def children(self) -> tuple[Rule, ...]:
        """Direct child rules (empty for leaves)."""
        return ()


# -- shape helpers ---------------------------------------------------------------------------


def _mapping(body: Any, path: str, required: set[str], optional: set[str]) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise RuleError(path, f"expected a mapping, got {type(body).__name__}")
    unknown = sorted(set(body) - required - optional, key=str)
    if unknown:
        raise RuleError(f"{path}.{unknown[0]}", "unknown key")
    absent = sorted(required - set(body))
    if absent:
        raise RuleError(f"{path}.{absent[0]}", "required")
    return body


def _code(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RuleError(path, "expected a non-empty code")
    return value.strip()


def _number(value: Any, path: str, *, integer: bool = False, minimum: float = 0.0) -> Any:
    # bool is an int in Python, and "yes" in YAML: never a count.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleError(path, "expected a number")
    if integer and not isinstance(value, int):
        raise RuleError(path, "expected a whole number")
    if not math.isfinite(value) or value < minimum:
        raise RuleError(path, f"must be at least {minimum:g}")
    return value


def _rule_list(value: Any, path: str) -> tuple[Rule, ...]:
    if not isinstance(value, list | tuple) or not value:
        raise RuleError(path, "expected a non-empty list of rules")
    return tuple(parse_rule(item, f"{path}[{index}]") for index, item in enumerate(value))


def _language_map(value: Any, path: str) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str):
        return (("en", value),)
    if not isinstance(value, Mapping) or not all(
        isinstance(key, str) and isinstance(text, str) for key, text in value.items()
    ):
        raise RuleError(path, "expected a language map such as {en: ..., fr: ...}")
    return tuple(sorted(value.items()))


# -- nodes -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AllOf(Rule):
    """Satisfied when every child is."""

    rules: tuple[Rule, ...]
    kind: ClassVar[str] = "all"

    @classmethod
    def parse(cls, body: Any, path: str) -> AllOf:
        return cls(_rule_list(body, f"{path}.all"))

    def to_data(self) -> dict[str, Any]:
        return {"all": [rule.to_data() for rule in self.rules]}

    def children(self) -> tuple[Rule, ...]:
        return self.rules


@dataclass(frozen=True, slots=True)
class AnyOf(Rule):
    """Satisfied when at least one child is."""

    rules: tuple[Rule, ...]
    kind: ClassVar[str] = "any"

    @classmethod
    def parse(cls, body: Any, path: str) -> AnyOf:
        return cls(_rule_list(body, f"{path}.any"))

    def to_data(self) -> dict[str, Any]:
        return {"any": [rule.to_data() for rule in self.rules]}

    def children(self) -> tuple[Rule, ...]:
        return self.rules


@dataclass(frozen=True, slots=True)
class NOf(Rule):
    """Satisfied when at least ``n`` children are; ``distinct``: one achievement, one slot."""

    n: int
    rules: tuple[Rule, ...]
    distinct: bool = True
    kind: ClassVar[str] = "n_of"

    @classmethod
    def parse(cls, body: Any, path: str) -> NOf:
        here = f"{path}.n_of"
        body = _mapping(body, here, {"n", "rules"}, {"distinct"})
        n = _number(body["n"], f"{here}.n", integer=True, minimum=1)
        distinct = body.get("distinct", True)
        if not isinstance(distinct, bool):
            raise RuleError(f"{here}.distinct", "expected true or false")
        return cls(n, _rule_list(body["rules"], f"{here}.rules"), distinct)

    def to_data(self) -> dict[str, Any]:
        return {
            "n_of": {
                "n": self.n,
                "rules": [rule.to_data() for rule in self.rules],
                "distinct": self.distinct,
            }
        }

    def children(self) -> tuple[Rule, ...]:
        return self.rules


@dataclass(frozen=True, slots=True)
class Credential(Rule):
    """A valid earned micro-credential (or challenge award) with this code."""

    code: str
    min_version: int | None = None
    kind: ClassVar[str] = "credential"

    @classmethod
    def parse(cls, body: Any, path: str) -> Credential:
        here = f"{path}.credential"
        if isinstance(body, str):
            return cls(_code(body, here))
        if not isinstance(body, Mapping):
            raise RuleError(here, "expected a code or {code: ..., min_version: ...}")
        body = _mapping(body, here, {"code"}, {"min_version"})
        min_version = body.get("min_version")
        if min_version is not None:
            min_version = _number(min_version, f"{here}.min_version", integer=True, minimum=1)
        return cls(_code(body["code"], f"{here}.code"), min_version)

    def to_data(self) -> dict[str, Any]:
        if self.min_version is None:
            return {"credential": self.code}
        return {"credential": {"code": self.code, "min_version": self.min_version}}


@dataclass(frozen=True, slots=True)
class MinHours(Rule):
    """Effort hours of held valid credentials (those in ``from_codes``, or all) >= ``hours``."""

    hours: float
    from_codes: tuple[str, ...] | None = None
    kind: ClassVar[str] = "min_hours"

    @classmethod
    def parse(cls, body: Any, path: str) -> MinHours:
        here = f"{path}.min_hours"
        if isinstance(body, int | float) and not isinstance(body, bool):
            return cls(_number(body, here))
        body = _mapping(body, here, {"hours"}, {"from"})
        hours = _number(body["hours"], f"{here}.hours")
        codes = body.get("from")
        if codes is None:
            return cls(hours)
        if not isinstance(codes, list | tuple) or not codes:
            raise RuleError(f"{here}.from", "expected a non-empty list of credential codes")
        parsed = [_code(code, f"{here}.from[{index}]") for index, code in enumerate(codes)]
        return cls(hours, tuple(sorted(set(parsed))))

    def to_data(self) -> dict[str, Any]:
        body: dict[str, Any] = {"hours": self.hours}
        if self.from_codes is not None:
            body["from"] = list(self.from_codes)
        return {"min_hours": body}


@dataclass(frozen=True, slots=True)
class Covers(Rule):
    """The share of indicators under ``items`` covered is at least ``fraction``."""

    items: tuple[str, ...]
    fraction: float = 1.0
    kind: ClassVar[str] = "covers"

    @classmethod
    def parse(cls, body: Any, path: str) -> Covers:
        here = f"{path}.covers"
        body = _mapping(body, here, {"items"}, {"fraction"})
        items = body["items"]
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list | tuple) or not items:
            raise RuleError(f"{here}.items", "expected a non-empty list of item codes")
        codes = [_code(code, f"{here}.items[{index}]") for index, code in enumerate(items)]
        fraction = _number(body.get("fraction", 1.0), f"{here}.fraction")
        if fraction <= 0 or fraction > 1:
            raise RuleError(f"{here}.fraction", "must be above 0 and at most 1")
        return cls(tuple(sorted(set(codes))), float(fraction))

    def to_data(self) -> dict[str, Any]:
        return {"covers": {"items": list(self.items), "fraction": self.fraction}}


@dataclass(frozen=True, slots=True)
class WithinYears(Rule):
    """The child holds using only achievements earned within ``years`` of the evaluation date."""

    years: int
    rule: Rule
    kind: ClassVar[str] = "within_years"

    @classmethod
    def parse(cls, body: Any, path: str) -> WithinYears:
        here = f"{path}.within_years"
        body = _mapping(body, here, {"years", "rule"}, set())
        years = _number(body["years"], f"{here}.years", integer=True, minimum=1)
        return cls(years, parse_rule(body["rule"], f"{here}.rule"))

    def to_data(self) -> dict[str, Any]:
        return {"within_years": {"years": self.years, "rule": self.rule.to_data()}}

    def children(self) -> tuple[Rule, ...]:
        return (self.rule,)


@dataclass(frozen=True, slots=True)
class Equivalent(Rule):
    """A verified, current external ``credential`` that ``crosswalk`` declares exactly equal.

    ``target`` (optional key, an extension of the agreed format) names the item the
    equivalence must reach; by default the rule set's occupation.
    """

    crosswalk: str
    credential: str
    target: str | None = None
    kind: ClassVar[str] = "equivalent"

    @classmethod
    def parse(cls, body: Any, path: str) -> Equivalent:
        here = f"{path}.equivalent"
        body = _mapping(body, here, {"crosswalk", "credential"}, {"target"})
        target = body.get("target")
        return cls(
            _code(body["crosswalk"], f"{here}.crosswalk"),
            _code(body["credential"], f"{here}.credential"),
            None if target is None else _code(target, f"{here}.target"),
        )

    def to_data(self) -> dict[str, Any]:
        body = {"crosswalk": self.crosswalk, "credential": self.credential}
        if self.target is not None:
            body["target"] = self.target
        return {"equivalent": body}


@dataclass(frozen=True, slots=True)
class Signoff(Rule):
    """A work-based assessor has signed the occupation off. Never plannable."""

    note: tuple[tuple[str, str], ...] = ()
    kind: ClassVar[str] = "signoff"

    @classmethod
    def parse(cls, body: Any, path: str) -> Signoff:
        here = f"{path}.signoff"
        if body is None or body == {}:
            return cls()
        body = _mapping(body, here, set(), {"note"})
        return cls(_language_map(body.get("note", {}), f"{here}.note"))

    def to_data(self) -> dict[str, Any]:
        return {"signoff": {"note": dict(self.note)} if self.note else {}}


RULE_KINDS: dict[str, type[Rule]] = {
    "all": AllOf,
    "any": AnyOf,
    "n_of": NOf,
    "credential": Credential,
    "min_hours": MinHours,
    "covers": Covers,
    "within_years": WithinYears,
    "equivalent": Equivalent,
    "signoff": Signoff,
}


def parse_rule(data: Any, path: str = "rule") -> Rule:
    """Build a rule node from plain data: a mapping with exactly one key, its kind.

    :raises RuleError: the data is not a valid node; ``path`` locates the problem.
    """
    if not isinstance(data, Mapping) or len(data) != 1:
        raise RuleError(path, f"expected a mapping with exactly one of: {', '.join(RULE_KINDS)}")
    ((kind, body),) = data.items()
    node_class = RULE_KINDS.get(kind)
    if node_class is None:
        raise RuleError(f"{path}.{kind}", "unknown rule kind")
    return node_class.parse(body, path)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """One occupation's rule file, parsed."""

    framework: str
    occupation: str
    version: int
    rule: Rule
    title: tuple[tuple[str, str], ...] = ()
    requires_signoff: bool = False
    illustrative: bool = False

    def to_data(self) -> dict[str, Any]:
        """The rule file as plain data (``parse_rule_file`` reads it back)."""
        return {
            "kind": "stacking_rules",
            "framework": self.framework,
            "occupation": self.occupation,
            "version": self.version,
            "illustrative": self.illustrative,
            "title": dict(self.title),
            "requires_signoff": self.requires_signoff,
            "rule": self.rule.to_data(),
        }


_FILE_KEYS = {"kind", "framework", "occupation", "version", "rule"}
_FILE_OPTIONAL = {"illustrative", "title", "requires_signoff", "description", "notes"}


def parse_rule_file(data: Any) -> RuleSet:
    """Build a :class:`RuleSet` from a loaded rule file (see ``notes/rules-format.md``).

    :raises RuleError: the file does not follow the format.
    """
    body = _mapping(data, "file", _FILE_KEYS, _FILE_OPTIONAL)
    if body["kind"] != "stacking_rules":
        raise RuleError("file.kind", "expected 'stacking_rules'")
    flags = {}
    for key in ("requires_signoff", "illustrative"):
        value = body.get(key, False)
        if not isinstance(value, bool):
            raise RuleError(f"file.{key}", "expected true or false")
        flags[key] = value
    return RuleSet(
        framework=_code(body["framework"], "file.framework"),
        occupation=_code(body["occupation"], "file.occupation"),
        version=_number(body["version"], "file.version", integer=True, minimum=1),
        rule=parse_rule(body["rule"], "rule"),
        title=_language_map(body.get("title", {}), "file.title"),
        **flags,
    )


# -- semantic validation ---------------------------------------------------------------------


def _child_paths(rule: Rule, path: str) -> list[tuple[Rule, str]]:
    if isinstance(rule, AllOf | AnyOf):
        return [(child, f"{path}.{rule.kind}[{index}]") for index, child in enumerate(rule.rules)]
    if isinstance(rule, NOf):
        return [(child, f"{path}.n_of.rules[{index}]") for index, child in enumerate(rule.rules)]
    if isinstance(rule, WithinYears):
        return [(rule.rule, f"{path}.within_years.rule")]
    return []


def walk(rule: Rule, path: str = "rule") -> list[tuple[Rule, str]]:
    """Every node of the tree with its path, parents before children."""
    found = [(rule, path)]
    for child, child_path in _child_paths(rule, path):
        found.extend(walk(child, child_path))
    return found


def validate_rules(
    ruleset: RuleSet | Rule, catalog: Catalog, *, plar_allowed: bool = True
) -> list[RuleError]:
    """Check rules against the catalog; return every problem, in tree order.

    Codes (``RuleError.code``): ``unknown_credential``, ``unknown_item``,
    ``unknown_crosswalk``, ``n_too_large``, ``unsatisfiable``. "Can be satisfied" assumes
    the learner may earn any published micro-credential and, if ``plar_allowed``, have
    any indicator assessed as met; sign-offs are always reachable.
    """
    rule = ruleset.rule if isinstance(ruleset, RuleSet) else ruleset
    occupation = ruleset.occupation if isinstance(ruleset, RuleSet) else None
    offers = catalog.published_offers()
    known_codes = catalog.credential_codes()
    reachable = 0
    for offer in offers.values():
        reachable |= catalog.alignment_mask(offer.aligned_items)
    errors: list[RuleError] = []

    def check(node: Rule, path: str) -> bool:
        """Record problems below ``node``; return whether it can be satisfied."""
        if isinstance(node, Credential):
            if node.code not in known_codes:
                errors.append(
                    RuleError(path, f"unknown credential {node.code}", code="unknown_credential")
                )
                return False
            offer = offers.get(node.code)
            if offer is None or (node.min_version or 0) > offer.version:
                errors.append(
                    RuleError(
                        path, f"no published version of {node.code} fits", code="unsatisfiable"
                    )
                )
                return False
            return True
        if isinstance(node, MinHours):
            codes = node.from_codes if node.from_codes is not None else tuple(offers)
            for index, code in enumerate(node.from_codes or ()):
                if code not in known_codes:
                    errors.append(
                        RuleError(
                            f"{path}.min_hours.from[{index}]",
                            f"unknown credential {code}",
                            code="unknown_credential",
                        )
                    )
            available = sum(offers[code].effort_hours for code in codes if code in offers)
            if available + 1e-9 < node.hours:
                errors.append(
                    RuleError(
                        path,
                        f"needs {node.hours:g} h but the listed credentials give {available:g} h",
                        code="unsatisfiable",
                    )
                )
                return False
            return True
        if isinstance(node, Covers):
            ok = True
            for index, code in enumerate(node.items):
                if not catalog.knows_item(code):
                    errors.append(
                        RuleError(
                            f"{path}.covers.items[{index}]",
                            f"unknown competency item {code}",
                            code="unknown_item",
                        )
                    )
                    ok = False
            if not ok or plar_allowed:
                return ok
            wanted = 0
            for code in node.items:
                wanted |= catalog.mask(code)
            share = (wanted & reachable).bit_count() / wanted.bit_count()
            if share + 1e-9 < node.fraction:
                errors.append(
                    RuleError(
                        path,
                        f"published credentials cover {share:.0%} of these indicators, "
                        f"{node.fraction:.0%} needed, and PLAR is not allowed",
                        code="unsatisfiable",
                    )
                )
                return False
            return True
        if isinstance(node, Equivalent):
            if node.crosswalk not in catalog.crosswalks():
                errors.append(
                    RuleError(path, f"unknown crosswalk {node.crosswalk}", code="unknown_crosswalk")
                )
                return False
            target = node.target or occupation
            if target is None or not catalog.declares_exact(
                node.crosswalk, node.credential, target
            ):
                errors.append(
                    RuleError(
                        path,
                        f"{node.crosswalk} declares no exact equivalence of "
                        f"{node.credential} to {target}",
                        code="unsatisfiable",
                    )
                )
                return False
            return True
        if isinstance(node, Signoff):
            return True
        results = [check(child, child_path) for child, child_path in _child_paths(node, path)]
        if isinstance(node, AllOf | WithinYears):
            return all(results)
        if isinstance(node, AnyOf):
            if not any(results):
                errors.append(RuleError(path, "no choice can be satisfied", code="unsatisfiable"))
                return False
            return True
        if isinstance(node, NOf):
            if node.n > len(node.rules):
                errors.append(
                    RuleError(
                        f"{path}.n_of.n",
                        f"n is {node.n} but there are only {len(node.rules)} choices",
                        code="n_too_large",
                    )
                )
                return False
            possible = sum(results)
            if possible < node.n:
                errors.append(
                    RuleError(
                        path,
                        f"only {possible} of {len(node.rules)} choices can be satisfied, "
                        f"{node.n} needed",
                        code="unsatisfiable",
                    )
                )
                return False
            return True
        raise TypeError(f"unknown rule node {node!r}")  # pragma: no cover

    check(rule, "rule")
    return errors
