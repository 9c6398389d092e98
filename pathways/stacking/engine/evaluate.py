"""Evaluate a learner's achievements against a stacking rule tree, with an explanation.

``evaluate(rules, achievements, as_of, catalog)`` returns an :class:`Outcome` tree that
mirrors the rule tree: every node says whether it holds, its progress (0..1), what is
missing (credential codes, uncovered indicator codes, external credentials, hours, a
sign-off), why things did not count (:class:`Reason`: a machine code and English text)
and which non-counting crosswalk relations are worth showing (:class:`Hint`).

Semantics (DOMAIN.md section 6):

* An earned credential counts from ``earned_on`` up to the day before ``expires_on`` or
  ``revoked_on``; an external credential also needs ``verified``; a PLAR result counts
  when its latest decision is "met"; nothing dated after ``as_of`` counts.
* ``within_years(n, rule)``: the child sees only achievements earned on or after the
  same day ``n`` years before ``as_of`` (29 February falls back to the 28th).
* ``n_of`` with ``distinct``: the slots filled must use disjoint achievements (a
  credential code, an external credential, a PLAR item). The engine finds the largest
  such set of children, so the answer never depends on the order of achievements.
* Coverage is exact bit arithmetic over the catalog's indicator bitsets; a declared
  exact equivalence is followed one hop and never chained; other relations give hints.

Speed (one learner against six occupations well under a millisecond, ``bench/stacking.py``):

* :func:`compile_rules` turns each node into an object holding what never changes for
  the (rules, catalog) pair: indicator bitsets, the indicator codes by bit position,
  crosswalk targets, and the outcomes a learner cannot affect (a credential not held, a
  sign-off not recorded, a ``covers`` node with nothing of its indicators held), handed
  out as the same immutable object every time. :func:`evaluate` caches the compilation
  by identity.
* :func:`prepare` indexes a learner once (awards by code, the latest PLAR decision per
  item, the indicator bitsets of PLAR items and external credentials); a view per
  (window, exclusions) then holds what counts, its bitset, its hours and why the rest
  does not, shared by every node and every rule set evaluated with that state.
  :func:`evaluate` keeps the last state it built from an :class:`Achievements` value
  (of tuples, so it cannot change), so evaluating one learner against each occupation
  in turn indexes the learner once.
* ``n_of`` and ``within_years`` nodes keep their last (children, outcome) pair and
  return the same outcome when the children are the very same objects. Outcomes are
  built by writing their slots (see ``_outcome``), about half the cost of a frozen
  dataclass's ``__init__``, giving equal instances.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import NamedTuple

from pathways.stacking.engine.achievements import EMPTY_CATALOG
from pathways.stacking.engine.achievements import Achievement
from pathways.stacking.engine.achievements import Achievements
from pathways.stacking.engine.achievements import Catalog
from pathways.stacking.engine.achievements import EarnedCredential
from pathways.stacking.engine.achievements import ExternalCredential
from pathways.stacking.engine.achievements import Hint
from pathways.stacking.engine.achievements import PlarResult
from pathways.stacking.engine.rules import AllOf
from pathways.stacking.engine.rules import AnyOf
from pathways.stacking.engine.rules import Covers
from pathways.stacking.engine.rules import Credential
from pathways.stacking.engine.rules import Equivalent
from pathways.stacking.engine.rules import MinHours
from pathways.stacking.engine.rules import NOf
from pathways.stacking.engine.rules import Rule
from pathways.stacking.engine.rules import RuleSet
from pathways.stacking.engine.rules import Signoff
from pathways.stacking.engine.rules import WithinYears

#: How many child evaluations a distinct ``n_of`` over complex children may spend
#: searching for disjoint fillings before it settles for the best found.
DISTINCT_SEARCH_BUDGET = 4096
_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Reason:
    """Why something did or did not count: a stable ``code`` and English ``text``.

    Codes: ``not_held``, ``not_yet_earned``, ``expired``, ``revoked``, ``too_old``,
    ``version_too_low``, ``already_counted``, ``not_verified``, ``no_equivalence``,
    ``out_of_scope``, ``related_only``, ``broader_only``, ``narrower_only``,
    ``proposed_only``, ``hours_short``, ``not_covered``, ``needs_signoff``,
    ``too_few``, ``none_met``.
    """

    code: str
    text: str
    subject: str = ""


@dataclass(frozen=True, slots=True)
class Missing:
    """What a node still lacks. Empty exactly when the node is satisfied."""

    credentials: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    external: tuple[str, ...] = ()
    hours: float = 0.0
    signoff: bool = False

    def __bool__(self) -> bool:
        return bool(
            self.credentials or self.indicators or self.external or self.hours or self.signoff
        )

    @staticmethod
    def merge(parts: Iterable[Missing]) -> Missing:
        """The union of several nodes' needs (hours: the largest shortfall)."""
        return _merge_missing(list(parts))


def _merge_missing(parts: list[Missing]) -> Missing:
    # Missing.merge in one pass: it runs at every unsatisfied composite node.
    first = None
    count = 0
    credentials: list[tuple[str, ...]] = []
    indicators: list[tuple[str, ...]] = []
    external: list[tuple[str, ...]] = []
    hours = 0.0
    signoff = False
    for part in parts:
        codes, items, others = part.credentials, part.indicators, part.external
        if not (codes or items or others or part.hours or part.signoff):
            continue
        count += 1
        if first is None:
            first = part
            hours = part.hours
        elif part.hours > hours:  # max(): the first of equal values
            hours = part.hours
        if codes:
            credentials.append(codes)
        if items:
            indicators.append(items)
        if others:
            external.append(others)
        if part.signoff:
            signoff = True
    if count <= 1:
        return NOTHING_MISSING if first is None else first
    return _missing(_union(credentials), _union(indicators), _union(external), hours, signoff)


def _union(groups: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The sorted union of non-empty, sorted, duplicate-free tuples of codes."""
    if len(groups) <= 1:
        # Each node's tuple is already sorted and unique: reuse it (the common case).
        return groups[0] if groups else ()
    return tuple(sorted({code for group in groups for code in group}))


NOTHING_MISSING = Missing()


@dataclass(frozen=True, slots=True)
class Outcome:
    """One node's verdict. ``children`` follow the rule's children in order.

    ``counted``/``needed`` give the node's own measure (hours, indicators, slots,
    children). ``used`` holds the keys of the achievements the verdict relies on:
    a credential code, ``ext:CODE``, ``plar:ITEM`` or ``signoff``. At the root only,
    ``awaiting_signoff`` says the rules hold but the rule set's required sign-off is
    not recorded yet.
    """

    kind: str
    path: str
    satisfied: bool
    progress: float
    missing: Missing = NOTHING_MISSING
    reasons: tuple[Reason, ...] = ()
    hints: tuple[Hint, ...] = ()
    children: tuple[Outcome, ...] = ()
    used: frozenset[str] = frozenset()
    counted: float = 0.0
    needed: float = 0.0
    awaiting_signoff: bool = False

    def walk(self) -> Iterable[Outcome]:
        """This outcome and every descendant, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()


# Frozen dataclasses set each field through object.__setattr__; an evaluation builds a few
# dozen outcomes, and that alone was a fifth of its time. These build the very same
# instances by writing the slots directly: every field, positionally.
_new = object.__new__
(_set_credentials, _set_indicators, _set_external, _set_hours, _set_signoff) = (
    Missing.__dict__[name].__set__
    for name in ("credentials", "indicators", "external", "hours", "signoff")
)
(
    _set_kind,
    _set_path,
    _set_satisfied,
    _set_progress,
    _set_missing,
    _set_reasons,
    _set_hints,
    _set_children,
    _set_used,
    _set_counted,
    _set_needed,
    _set_awaiting_signoff,
) = (
    Outcome.__dict__[name].__set__
    for name in (
        "kind",
        "path",
        "satisfied",
        "progress",
        "missing",
        "reasons",
        "hints",
        "children",
        "used",
        "counted",
        "needed",
        "awaiting_signoff",
    )
)


_set_code, _set_text, _set_subject = (
    Reason.__dict__[name].__set__ for name in ("code", "text", "subject")
)


def _reason(code: str, text: str, subject: str) -> Reason:
    reason = _new(Reason)
    _set_code(reason, code)
    _set_text(reason, text)
    _set_subject(reason, subject)
    return reason


def _missing(
    credentials: tuple[str, ...],
    indicators: tuple[str, ...],
    external: tuple[str, ...],
    hours: float,
    signoff: bool,
) -> Missing:
    missing = _new(Missing)
    _set_credentials(missing, credentials)
    _set_indicators(missing, indicators)
    _set_external(missing, external)
    _set_hours(missing, hours)
    _set_signoff(missing, signoff)
    return missing


def _outcome(
    kind: str,
    path: str,
    satisfied: bool,
    progress: float,
    missing: Missing,
    reasons: tuple[Reason, ...],
    hints: tuple[Hint, ...],
    children: tuple[Outcome, ...],
    used: frozenset[str],
    counted: float,
    needed: float,
) -> Outcome:
    """``Outcome(...)`` with every field but ``awaiting_signoff`` (False) given."""
    outcome = _new(Outcome)
    _set_kind(outcome, kind)
    _set_path(outcome, path)
    _set_satisfied(outcome, satisfied)
    _set_progress(outcome, progress)
    _set_missing(outcome, missing)
    _set_reasons(outcome, reasons)
    _set_hints(outcome, hints)
    _set_children(outcome, children)
    _set_used(outcome, used)
    _set_counted(outcome, counted)
    _set_needed(outcome, needed)
    _set_awaiting_signoff(outcome, False)
    return outcome


# -- learner state ---------------------------------------------------------------------------


class _Window(NamedTuple):
    cutoff: dt.date
    years: int


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _credential_key(credential: EarnedCredential) -> tuple:
    return (
        credential.earned_on,
        credential.version,
        credential.expires_on or dt.date.max,
        credential.revoked_on or dt.date.max,
        credential.effort_hours,
        credential.kind,
    )


def _external_key(credential: ExternalCredential) -> tuple:
    return (
        credential.verified,
        credential.earned_on,
        credential.expires_on or dt.date.max,
    )


def _why_not(
    earned_on: dt.date,
    expires_on: dt.date | None,
    revoked_on: dt.date | None,
    as_of: dt.date,
    window: _Window | None,
) -> Reason | None:
    found = _why_not_parts(earned_on, expires_on, revoked_on, as_of, window)
    return None if found is None else Reason(*found)


def _why_not_parts(
    earned_on: dt.date,
    expires_on: dt.date | None,
    revoked_on: dt.date | None,
    as_of: dt.date,
    window: _Window | None,
) -> tuple[str, str] | None:
    """(reason code, text) of why an award does not count, or None when it counts."""
    if earned_on > as_of:
        return "not_yet_earned", f"earned {earned_on.isoformat()}, after {as_of}"
    if revoked_on is not None and revoked_on <= as_of:
        return "revoked", f"revoked {revoked_on.isoformat()}"
    if expires_on is not None and expires_on <= as_of:
        return "expired", f"expired {expires_on.isoformat()}"
    if window is not None and earned_on < window.cutoff:
        return "too_old", f"too old (earned {earned_on.isoformat()}, limit {window.years} years)"
    return None


_ALREADY_COUNTED = "already counted in another slot"
_NOTHING_USED: frozenset[str] = frozenset()


def _is_valid(
    earned_on: dt.date,
    expires_on: dt.date | None,
    revoked_on: dt.date | None,
    as_of: dt.date,
    cutoff: dt.date | None,
) -> bool:
    """Whether ``_why_not`` finds nothing, without building a reason (the common case)."""
    return (
        earned_on <= as_of
        and (revoked_on is None or revoked_on > as_of)
        and (expires_on is None or expires_on > as_of)
        and (cutoff is None or earned_on >= cutoff)
    )


class _View:
    """What counts under one (window, exclusions) pair: computed once, then shared.

    ``ignored_mask`` is the union of the ignored awards' indicator bitsets, so a node can
    tell with one AND whether any ignored award concerns it. ``hours`` caches, for
    ``min_hours`` without ``from``, the total of every counted code and those codes.
    """

    __slots__ = ("best", "mask", "sources", "ignored", "ignored_mask", "hints", "_hours")

    def __init__(self, learner: LearnerState, window: _Window | None, excluded: frozenset[str]):
        alignment_mask = learner.catalog.alignment_mask
        as_of = learner.as_of
        cutoff = None if window is None else window.cutoff
        best: dict[str, EarnedCredential] = {}
        mask = 0
        ignored_mask = 0
        sources: list[tuple[str, int]] = []
        ignored: list[tuple[int, Reason]] = []
        for code, instances in learner.credentials.items():
            source_mask = 0
            is_excluded = code in excluded
            for credential in instances:
                aligned = alignment_mask(credential.aligned_items)
                if not is_excluded and _is_valid(
                    credential.earned_on,
                    credential.expires_on,
                    credential.revoked_on,
                    as_of,
                    cutoff,
                ):
                    # The counted award of a code is the one with the most hours (the
                    # latest on a tie), so another award never lowers the total.
                    current = best.get(code)
                    if current is None or credential.effort_hours > current.effort_hours:
                        best[code] = credential
                    source_mask |= aligned
                    continue
                why, text = _why_not_parts(
                    credential.earned_on,
                    credential.expires_on,
                    credential.revoked_on,
                    as_of,
                    window,
                ) or ("already_counted", _ALREADY_COUNTED)
                ignored.append((aligned, _reason(why, f"{code}: {text}", code)))
                ignored_mask |= aligned
            if source_mask:
                sources.append((code, source_mask))
                mask |= source_mask
        for key, item_mask, assessed_on in learner.plar_sources:
            if key in excluded or (cutoff is not None and assessed_on < cutoff):
                continue
            sources.append((key, item_mask))
            mask |= item_mask
        for code, instances in learner.external.items():
            key = f"ext:{code}"
            item_mask = learner.external_masks[code]
            for credential in instances:
                reason = _why_not(credential.earned_on, credential.expires_on, None, as_of, window)
                if reason is None and not credential.verified:
                    reason = Reason("not_verified", "not verified")
                if reason is None and key in excluded:
                    reason = Reason("already_counted", _ALREADY_COUNTED)
                if reason is None:
                    sources.append((key, item_mask))
                    mask |= item_mask
                    break
                ignored.append((item_mask, Reason(reason.code, f"{code}: {reason.text}", code)))
                ignored_mask |= item_mask
        self.best = best
        self.mask = mask
        self.sources = tuple(sources)
        self.ignored = tuple(ignored)
        self.ignored_mask = ignored_mask
        self.hints = learner.hints
        self._hours: tuple[float, frozenset[str]] | None = None

    def hours(self) -> tuple[float, frozenset[str]]:
        """Hours of every counted code (summed in code order) and those codes."""
        found = self._hours
        if found is None:
            total = 0.0
            for credential in self.best.values():
                total += credential.effort_hours
            found = self._hours = (total, frozenset(self.best) if self.best else _NOTHING_USED)
        return found


class LearnerState:
    """One learner's achievements, sorted and indexed for one evaluation date and catalog.

    Build it with :func:`prepare` to evaluate the same learner against several rule
    sets; :func:`evaluate` builds one itself when handed raw achievements (and reuses
    it while it is handed the same :class:`Achievements` object, date and catalog).
    """

    __slots__ = (
        "as_of",
        "catalog",
        "credentials",
        "plar",
        "plar_sources",
        "external",
        "external_masks",
        "signoffs",
        "_views",
        "_hints",
    )

    def __init__(self, achievements: Achievements, as_of: dt.date, catalog: Catalog):
        self.as_of = as_of
        self.catalog = catalog
        credentials: dict[str, list[EarnedCredential]] = {}
        for credential in achievements.credentials:
            found = credentials.get(credential.code)
            if found is None:
                credentials[credential.code] = [credential]
            else:
                found.append(credential)
        self.credentials = {
            code: (
                (found[0],)
                if len(found) == 1
                else tuple(sorted(found, key=_credential_key, reverse=True))
            )
            for code, found in sorted(credentials.items())
        }
        plar: dict[str, PlarResult] = {}
        for result in achievements.plar:
            if result.assessed_on > as_of:
                continue
            current = plar.get(result.item)
            if current is None or (result.assessed_on, result.met) > (
                current.assessed_on,
                current.met,
            ):
                plar[result.item] = result
        self.plar = dict(sorted(plar.items()))
        item_mask = catalog.item_alignment_mask
        # (key, indicator bitset, assessed on) of each item whose latest decision is "met".
        self.plar_sources = tuple(
            (f"plar:{item}", item_mask(item), result.assessed_on)
            for item, result in self.plar.items()
            if result.met
        )
        if achievements.external:
            external: dict[str, list[ExternalCredential]] = {}
            for credential in achievements.external:
                external.setdefault(credential.code, []).append(credential)
            self.external = {
                code: tuple(sorted(found, key=_external_key, reverse=True))
                for code, found in sorted(external.items())
            }
            self.external_masks = {code: item_mask(code) for code in self.external}
        else:
            self.external = {}
            self.external_masks = {}
        self.signoffs = (
            tuple(
                sorted(achievements.signoffs, key=lambda s: (s.signed_on, s.occupation, s.assessor))
            )
            if achievements.signoffs
            else ()
        )
        self._views: dict[tuple, _View] = {}
        self._hints: tuple[tuple[int, Hint], ...] | None = None

    @property
    def hints(self) -> tuple[tuple[int, Hint], ...]:
        """Non-counting relations of anything held, as (mask of the other item, hint)."""
        if self._hints is not None:
            return self._hints
        catalog = self.catalog
        if not catalog._weak:
            self._hints = ()
            return ()
        weak = catalog._weak
        held = {code for code in self.external if code in weak}
        held.update(code for code in self.credentials if code in weak)
        for instances in self.credentials.values():
            for credential in instances:
                held.update(code for code in credential.aligned_items if code in weak)
        found: list[tuple[int, Hint]] = []
        for code in sorted(held):
            found.extend(catalog.hints_for(code))
        self._hints = tuple(found)
        return self._hints

    def view(self, window: _Window | None, excluded: frozenset[str]) -> _View:
        key = (window, excluded)
        found = self._views.get(key)
        if found is None:
            found = self._views[key] = _View(self, window, excluded)
        return found


def prepare(
    achievements: Achievements | Iterable[Achievement],
    as_of: dt.date,
    catalog: Catalog | None = None,
) -> LearnerState:
    """Index one learner's achievements for evaluations on ``as_of`` under ``catalog``."""
    return LearnerState(Achievements.of(achievements), as_of, catalog or EMPTY_CATALOG)


# -- compiled nodes --------------------------------------------------------------------------
#
# Outcomes are immutable, so a node hands out the same object whenever its verdict cannot
# depend on the learner (a credential not held at all, a sign-off not recorded, nothing of
# a ``covers`` node's indicators held): most of an occupation a learner is not pursuing.
# Composite nodes keep their last (children, outcome) pair as one tuple, so a reader in
# another thread never sees a half-written memo; it holds the children, so comparing them
# by identity is sound.

_NONE_MET = Reason("none_met", "no choice is satisfied")
# bin() digits to selector bytes for itertools.compress.
_BIT_SELECTORS = bytes.maketrans(b"01", b"\x00\x01")


def _stricter(window: _Window | None, other: _Window) -> _Window:
    if window is None or other.cutoff > window.cutoff:
        return other
    return window


def _same(one: tuple[Outcome, ...], other: tuple[Outcome, ...]) -> bool:
    """Whether two tuples of outcomes hold the very same objects."""
    return len(one) == len(other) and all(map(operator.is_, one, other))


def _union_used(groups: list[frozenset[str]]) -> frozenset[str]:
    if not groups:
        return _NOTHING_USED
    if len(groups) == 1:
        return groups[0]
    return frozenset().union(*groups)


class _Node:
    __slots__ = ("kind", "path")

    def run(self, learner: LearnerState, window: _Window | None, excluded: frozenset[str]):
        raise NotImplementedError  # pragma: no cover


class _CredentialNode(_Node):
    __slots__ = ("code", "min_version", "_used", "_held", "_not_held")

    def __init__(self, rule: Credential, path: str):
        self.kind, self.path = rule.kind, path
        self.code, self.min_version = rule.code, rule.min_version
        self._used = frozenset((rule.code,))
        self._held = Outcome(
            self.kind, path, True, 1.0, NOTHING_MISSING, (), (), (), self._used, 1, 1
        )
        self._not_held = Outcome(
            self.kind,
            path,
            False,
            0.0,
            Missing(credentials=(rule.code,)),
            (Reason("not_held", f"{rule.code} not held", rule.code),),
            needed=1,
        )

    def run(self, learner, window, excluded):
        code = self.code
        instances = learner.credentials.get(code)
        if instances is None:
            return self._not_held
        as_of = learner.as_of
        is_excluded = code in excluded
        min_version = self.min_version or 0
        if not is_excluded:
            cutoff = None if window is None else window.cutoff
            for credential in instances:
                if credential.version >= min_version and _is_valid(
                    credential.earned_on,
                    credential.expires_on,
                    credential.revoked_on,
                    as_of,
                    cutoff,
                ):
                    return self._held
        reasons = []
        for credential in instances:
            reason = _why_not(
                credential.earned_on, credential.expires_on, credential.revoked_on, as_of, window
            )
            if reason is None and credential.version < min_version:
                reason = Reason(
                    "version_too_low",
                    f"version {credential.version} below required {min_version}",
                )
            if reason is None and is_excluded:
                reason = Reason("already_counted", _ALREADY_COUNTED)
            if reason is not None:
                reasons.append(Reason(reason.code, reason.text, code))
        return _outcome(
            self.kind,
            self.path,
            False,
            0.0,
            self._not_held.missing,
            tuple(dict.fromkeys(reasons)),
            (),
            (),
            _NOTHING_USED,
            0.0,
            1,
        )


class _MinHoursNode(_Node):
    __slots__ = ("hours", "from_codes")

    def __init__(self, rule: MinHours, path: str):
        self.kind, self.path = rule.kind, path
        self.hours = float(rule.hours)
        self.from_codes = None if rule.from_codes is None else frozenset(rule.from_codes)

    def run(self, learner, window, excluded):
        view = learner.view(window, excluded)
        from_codes = self.from_codes
        if from_codes is None:
            total, used = view.hours()
        else:
            total = 0.0
            codes = []
            for code, credential in view.best.items():
                if code in from_codes:
                    total += credential.effort_hours
                    codes.append(code)
            used = frozenset(codes)
        hours = self.hours
        if total + _EPSILON >= hours:
            return _outcome(
                self.kind, self.path, True, 1.0, NOTHING_MISSING, (), (), (), used, total, hours
            )
        reasons = [_reason("hours_short", f"{total:g} of {hours:g} hours", "")]
        if view.ignored:
            reasons.extend(
                reason
                for _, reason in view.ignored
                if from_codes is None or reason.subject in from_codes
            )
        return _outcome(
            self.kind,
            self.path,
            False,
            total / hours,
            _missing((), (), (), hours - total, False),
            tuple(reasons),
            (),
            (),
            used,
            total,
            hours,
        )


class _CoversNode(_Node):
    __slots__ = ("mask", "total", "need", "_shift", "_codes", "_in_code_order", "_all", "_nothing")

    def __init__(self, rule: Covers, path: str, catalog: Catalog):
        self.kind, self.path = rule.kind, path
        mask = 0
        for code in rule.items:
            mask |= catalog.mask(code)
        self.mask = mask
        self.total = total = mask.bit_count()
        self.need = need = max(0, math.ceil(rule.fraction * total - _EPSILON))
        # The node's indicator codes by bit position, counted from its lowest bit: decoding
        # what is uncovered is then one compress() over the bits of a small integer.
        shift = (mask & -mask).bit_length() - 1
        codes: list[str | None] = [None] * (mask.bit_length() - shift)
        for code, bit in catalog._bit_of.items():
            if bit & mask:
                codes[bit.bit_length() - 1 - shift] = code
        self._shift = shift
        self._codes = tuple(codes)
        ordered = [code for code in codes if code is not None]
        # Known leaves take their bits in code order; codes the catalog did not know
        # came later and need sorting.
        self._in_code_order = ordered == sorted(ordered)
        self._all = tuple(sorted(ordered))
        self._nothing = (
            Outcome(
                self.kind,
                path,
                False,
                0.0,
                Missing(indicators=self._all),
                (Reason("not_covered", f"0 of {total} indicators covered, {need} needed"),),
                (),
                (),
                _NOTHING_USED,
                0,
                need,
            )
            if need > 0
            else None
        )

    def _decode(self, uncovered: int) -> tuple[str, ...]:
        """The indicator codes of ``uncovered`` (a subset of the node's mask), sorted."""
        if uncovered == self.mask:
            return self._all
        digits = bin(uncovered >> self._shift)[:1:-1].encode().translate(_BIT_SELECTORS)
        found = tuple(itertools.compress(self._codes, digits))
        return found if self._in_code_order else tuple(sorted(found))

    def run(self, learner, window, excluded):
        view = learner.view(window, excluded)
        mask = self.mask
        covered = view.mask & mask
        hints = view.hints
        if hints:
            hints = tuple(hint for other, hint in hints if other & mask)
        if not covered and not hints and self._nothing is not None:
            if not view.ignored_mask & mask:
                return self._nothing
        count = covered.bit_count()
        need = self.need
        used = (
            frozenset([key for key, source in view.sources if source & mask])
            if covered
            else _NOTHING_USED
        )
        hint_reasons = (
            tuple(
                Reason(
                    "proposed_only" if hint.relation == "exact" else f"{hint.relation}_only",
                    hint.text,
                    hint.source,
                )
                for hint in hints
            )
            if hints
            else ()
        )
        if count >= need:
            return _outcome(
                self.kind,
                self.path,
                True,
                1.0,
                NOTHING_MISSING,
                hint_reasons,
                hints,
                (),
                used,
                count,
                need,
            )
        uncovered = mask ^ covered
        reasons = [
            _reason("not_covered", f"{count} of {self.total} indicators covered, {need} needed", "")
        ]
        if view.ignored_mask & uncovered:
            reasons.extend(reason for source, reason in view.ignored if source & uncovered)
        reasons.extend(hint_reasons)
        return _outcome(
            self.kind,
            self.path,
            False,
            count / need,
            _missing((), self._decode(uncovered), (), 0.0, False),
            tuple(dict.fromkeys(reasons)) if len(reasons) > 1 else tuple(reasons),
            hints,
            (),
            used,
            count,
            need,
        )


class _EquivalentNode(_Node):
    __slots__ = ("crosswalk", "credential", "target", "declared", "weak", "key", "_none_held")

    def __init__(self, rule: Equivalent, path: str, catalog: Catalog, occupation: str | None):
        self.kind, self.path = rule.kind, path
        self.crosswalk, self.credential = rule.crosswalk, rule.credential
        self.target = rule.target or occupation
        self.key = f"ext:{rule.credential}"
        self.declared = self.target is not None and catalog.declares_exact(
            rule.crosswalk, rule.credential, self.target
        )
        self.weak = ()
        if self.target is not None:
            self.weak = tuple(
                relation
                for relation in catalog.relations_between(
                    rule.crosswalk, rule.credential, self.target
                )
                if not relation.counts
            )
        self._none_held: Outcome | None = None

    def run(self, learner, window, excluded):
        if learner.external:
            return self._run(learner, window, excluded)
        # With no external credential at all, the verdict is the node's alone.
        found = self._none_held
        if found is None:
            found = self._none_held = self._run(learner, window, excluded)
        return found

    def _run(self, learner, window, excluded):
        code = self.credential
        reasons: list[Reason] = []
        held = None
        for credential in learner.external.get(code, ()):
            reason = _why_not(
                credential.earned_on, credential.expires_on, None, learner.as_of, window
            )
            if reason is None and not credential.verified:
                reason = Reason("not_verified", "not verified")
            if reason is None and self.key in excluded:
                reason = Reason("already_counted", _ALREADY_COUNTED)
            if reason is None:
                held = credential
                break
            reasons.append(Reason(reason.code, f"{code}: {reason.text}", code))
        if held is not None and self.declared:
            return Outcome(
                self.kind, self.path, True, 1.0, used=frozenset((self.key,)), counted=1, needed=1
            )
        hints = []
        if not self.declared:
            reasons.append(
                Reason(
                    "no_equivalence",
                    f"{self.crosswalk} declares no exact equivalence of {code} "
                    f"to {self.target or 'this occupation'}",
                    code,
                )
            )
            for relation in self.weak:
                hint = Hint(
                    relation.crosswalk,
                    code,
                    self.target or "",
                    relation.relation,
                    relation.status,
                    f"{relation.relation} only: {code}, not counted"
                    if relation.relation != "exact"
                    else f"proposed equivalence only: {code}, not counted",
                )
                hints.append(hint)
                reasons.append(
                    Reason(
                        "proposed_only"
                        if relation.relation == "exact"
                        else f"{relation.relation}_only",
                        hint.text,
                        code,
                    )
                )
        if held is None and code not in learner.external:
            parts = [other for other in learner.external if learner.catalog.is_below(other, code)]
            if parts:
                reasons.append(
                    Reason(
                        "out_of_scope",
                        f"only parts of {code} held ({', '.join(parts)}): "
                        f"{self.crosswalk} covers the whole {code} only",
                        code,
                    )
                )
            else:
                reasons.append(Reason("not_held", f"{code} not held", code))
        return Outcome(
            self.kind,
            self.path,
            False,
            0.0,
            Missing(external=(code,)),
            tuple(reasons),
            tuple(hints),
            needed=1,
        )


class _SignoffNode(_Node):
    __slots__ = ("occupation", "_signed", "_unsigned")

    _USED = frozenset(("signoff",))

    def __init__(self, rule: Signoff, path: str, occupation: str | None):
        self.kind, self.path = rule.kind, path
        self.occupation = occupation
        self._signed = Outcome(self.kind, path, True, 1.0, used=self._USED, counted=1, needed=1)
        self._unsigned = Outcome(
            self.kind,
            path,
            False,
            0.0,
            Missing(signoff=True),
            (Reason("needs_signoff", "needs work-based assessment sign-off"),),
            needed=1,
        )

    def run(self, learner, window, excluded):
        if "signoff" not in excluded and _signed_off(learner, self.occupation, window):
            return self._signed
        return self._unsigned


def _signed_off(learner: LearnerState, occupation: str | None, window: _Window | None) -> bool:
    for signoff in learner.signoffs:
        if signoff.signed_on > learner.as_of:
            continue
        if window is not None and signoff.signed_on < window.cutoff:
            continue
        if occupation is None or signoff.occupation == occupation:
            return True
    return False


class _WithinYearsNode(_Node):
    __slots__ = ("years", "child", "_window", "_memo")

    def __init__(self, rule: WithinYears, path: str, child: _Node):
        self.kind, self.path = rule.kind, path
        self.years, self.child = rule.years, child
        self._window: tuple[dt.date, _Window] | None = None
        self._memo: tuple[Outcome, Outcome] | None = None

    def run(self, learner, window, excluded):
        as_of = learner.as_of
        last = self._window
        if last is not None and last[0] == as_of:
            mine = last[1]
        else:
            mine = _Window(years_before(as_of, self.years), self.years)
            self._window = (as_of, mine)
        inner = self.child.run(learner, _stricter(window, mine), excluded)
        memo = self._memo
        if memo is not None and memo[0] is inner:
            return memo[1]
        outcome = _outcome(
            self.kind,
            self.path,
            inner.satisfied,
            inner.progress,
            inner.missing,
            (),
            (),
            (inner,),
            inner.used,
            inner.counted,
            inner.needed,
        )
        self._memo = (inner, outcome)
        return outcome


class _AllNode(_Node):
    __slots__ = ("children",)

    def __init__(self, rule: AllOf, path: str, children: list[_Node]):
        self.kind, self.path, self.children = rule.kind, path, tuple(children)

    def run(self, learner, window, excluded):
        outcomes = tuple([child.run(learner, window, excluded) for child in self.children])
        done = 0
        missing = []
        used = []
        for outcome in outcomes:
            if outcome.satisfied:
                done += 1
            else:
                missing.append(outcome.missing)
            if outcome.used:
                used.append(outcome.used)
        if not missing:
            return _outcome(
                self.kind,
                self.path,
                True,
                1.0,
                NOTHING_MISSING,
                (),
                (),
                outcomes,
                _union_used(used),
                done,
                done,
            )
        return _outcome(
            self.kind,
            self.path,
            False,
            _below_one(sum([outcome.progress for outcome in outcomes]) / len(outcomes)),
            _merge_missing(missing),
            (),
            (),
            outcomes,
            _union_used(used),
            done,
            len(outcomes),
        )


class _AnyNode(_Node):
    __slots__ = ("children",)

    def __init__(self, rule: AnyOf, path: str, children: list[_Node]):
        self.kind, self.path, self.children = rule.kind, path, tuple(children)

    def run(self, learner, window, excluded):
        outcomes = tuple([child.run(learner, window, excluded) for child in self.children])
        for outcome in outcomes:
            if outcome.satisfied:
                return _outcome(
                    self.kind,
                    self.path,
                    True,
                    1.0,
                    NOTHING_MISSING,
                    (),
                    (),
                    outcomes,
                    outcome.used,
                    1,
                    1,
                )
        return _outcome(
            self.kind,
            self.path,
            False,
            _below_one(max([outcome.progress for outcome in outcomes])),
            _merge_missing([outcome.missing for outcome in outcomes]),
            (_NONE_MET,),
            (),
            outcomes,
            _NOTHING_USED,
            0.0,
            1,
        )


class _NOfNode(_Node):
    __slots__ = ("n", "distinct", "children", "simple", "_memo")

    def __init__(self, rule: NOf, path: str, children: list[_Node]):
        self.kind, self.path = rule.kind, path
        self.n, self.distinct, self.children = rule.n, rule.distinct, tuple(children)
        # With single-credential children, each child has exactly one possible filling,
        # so filling them in order with a growing exclusion set is already the best.
        self.simple = all(isinstance(child, _CredentialNode) for child in children)
        self._memo: tuple[tuple[Outcome, ...], Outcome] | None = None

    def run(self, learner, window, excluded):
        if not self.distinct:
            outcomes = tuple([child.run(learner, window, excluded) for child in self.children])
        elif self.simple:
            taken = excluded
            found = []
            for child in self.children:
                outcome = child.run(learner, window, taken)
                if outcome.satisfied:
                    taken = taken | outcome.used
                found.append(outcome)
            outcomes = tuple(found)
        else:
            outcomes = self._search(learner, window, excluded)
        # The verdict is a function of the children's outcomes alone.
        memo = self._memo
        if memo is not None and _same(memo[0], outcomes):
            return memo[1]
        outcome = self._combine(outcomes)
        self._memo = (outcomes, outcome)
        return outcome

    def _combine(self, outcomes: tuple[Outcome, ...]) -> Outcome:
        filled = [outcome for outcome in outcomes if outcome.satisfied]
        n = self.n
        used = _union_used([outcome.used for outcome in filled if outcome.used])
        if len(filled) >= n:
            return _outcome(
                self.kind,
                self.path,
                True,
                1.0,
                NOTHING_MISSING,
                (),
                (),
                outcomes,
                used,
                len(filled),
                n,
            )
        best = sorted([outcome.progress for outcome in outcomes], reverse=True)[:n]
        return _outcome(
            self.kind,
            self.path,
            False,
            _below_one(sum(best) / n),
            _merge_missing([outcome.missing for outcome in outcomes if not outcome.satisfied]),
            (Reason("too_few", f"{len(filled)} of {n} required choices satisfied"),),
            (),
            outcomes,
            used,
            len(filled),
            n,
        )

    def _search(self, learner, window, excluded) -> tuple[Outcome, ...]:
        """Largest set of children satisfiable with pairwise disjoint achievements.

        Depth-first over children in rule order: fill the child, or skip it; a filling
        that blocks later children is retried with one of its achievements excluded, so
        every alternative filling is reachable. Memoised on (child, exclusions).
        """
        children = self.children
        n = self.n
        budget = [DISTINCT_SEARCH_BUDGET]
        memo: dict[tuple[int, frozenset[str]], tuple[tuple[int, Outcome], ...]] = {}

        def best_from(index: int, taken: frozenset[str]) -> tuple[tuple[int, Outcome], ...]:
            if index == len(children):
                return ()
            key = (index, taken)
            if key in memo:
                return memo[key]
            best: tuple[tuple[int, Outcome], ...] = ()
            seen = {taken}
            stack = [taken]
            while stack and budget[0] > 0 and len(best) < n:
                tried = stack.pop()
                budget[0] -= 1
                outcome = children[index].run(learner, window, tried)
                if not outcome.satisfied:
                    continue
                found = ((index, outcome), *best_from(index + 1, taken | outcome.used))
                if len(found) > len(best):
                    best = found
                for key_used in sorted(outcome.used - tried, reverse=True):
                    more = tried | {key_used}
                    if more not in seen:
                        seen.add(more)
                        stack.append(more)
            if len(best) < n:
                skipped = best_from(index + 1, taken)
                if len(skipped) > len(best):
                    best = skipped
            memo[key] = best
            return best

        chosen = dict(best_from(0, excluded))
        taken = set(excluded)
        for outcome in chosen.values():
            taken.update(outcome.used)
        outcomes = []
        for index, child in enumerate(children):
            if index in chosen:
                outcomes.append(chosen[index])
                continue
            outcome = child.run(learner, window, frozenset(taken))
            if outcome.satisfied:
                # Only when the budget ran out: take the filling the search missed.
                taken.update(outcome.used)
            outcomes.append(outcome)
        return tuple(outcomes)


def _below_one(progress: float) -> float:
    # An unsatisfied node never reports complete progress, even after float rounding.
    return min(progress, 1.0 - 1e-9)


def _compile(rule: Rule, path: str, catalog: Catalog, occupation: str | None) -> _Node:
    if isinstance(rule, Credential):
        return _CredentialNode(rule, path)
    if isinstance(rule, MinHours):
        return _MinHoursNode(rule, path)
    if isinstance(rule, Covers):
        return _CoversNode(rule, path, catalog)
    if isinstance(rule, Equivalent):
        return _EquivalentNode(rule, path, catalog, occupation)
    if isinstance(rule, Signoff):
        return _SignoffNode(rule, path, occupation)
    if isinstance(rule, WithinYears):
        child = _compile(rule.rule, f"{path}.within_years.rule", catalog, occupation)
        return _WithinYearsNode(rule, path, child)
    if isinstance(rule, AllOf | AnyOf):
        children = [
            _compile(child, f"{path}.{rule.kind}[{index}]", catalog, occupation)
            for index, child in enumerate(rule.rules)
        ]
        return (_AllNode if isinstance(rule, AllOf) else _AnyNode)(rule, path, children)
    if isinstance(rule, NOf):
        children = [
            _compile(child, f"{path}.n_of.rules[{index}]", catalog, occupation)
            for index, child in enumerate(rule.rules)
        ]
        return _NOfNode(rule, path, children)
    raise TypeError(f"unknown rule node {rule!r}")


@dataclass(frozen=True, eq=False)
class CompiledRules:
    """A rule tree prepared for one catalog. Reuse it for every learner."""

    rules: Rule | RuleSet
    catalog: Catalog
    root: _Node = field(repr=False)
    occupation: str | None
    requires_signoff: bool

    def evaluate(
        self,
        achievements: Achievements | Iterable[Achievement] | LearnerState,
        as_of: dt.date,
    ) -> Outcome:
        """Evaluate one learner on ``as_of``; see :func:`evaluate`."""
        if isinstance(achievements, LearnerState):
            if achievements.as_of != as_of or achievements.catalog is not self.catalog:
                raise ValueError("the learner state was prepared for another date or catalog")
            learner = achievements
        elif isinstance(achievements, Achievements):
            learner = _state_of(achievements, as_of, self.catalog)
        else:
            learner = LearnerState(Achievements.of(achievements), as_of, self.catalog)
        outcome = self.root.run(learner, None, frozenset())
        if self.requires_signoff and outcome.satisfied:
            if not _signed_off(learner, self.occupation, None):
                return Outcome(
                    outcome.kind,
                    outcome.path,
                    outcome.satisfied,
                    outcome.progress,
                    outcome.missing,
                    outcome.reasons,
                    outcome.hints,
                    outcome.children,
                    outcome.used,
                    outcome.counted,
                    outcome.needed,
                    awaiting_signoff=True,
                )
        return outcome


# The last learner state built from an Achievements value: evaluating one learner against
# each occupation in turn (``evaluate`` once per rule set) indexes the learner once. An
# Achievements is frozen and the entry holds it, so identity is a sound key. One tuple,
# assigned at once, so another thread reads a whole entry or the previous one.
_RECENT: list[tuple[Achievements, dt.date, Catalog, LearnerState] | None] = [None]


def _state_of(achievements: Achievements, as_of: dt.date, catalog: Catalog) -> LearnerState:
    recent = _RECENT[0]
    if (
        recent is not None
        and recent[0] is achievements
        and recent[2] is catalog
        and recent[1] == as_of
    ):
        return recent[3]
    learner = LearnerState(achievements, as_of, catalog)
    # Only a value that cannot change is remembered: one built with lists could be
    # mutated between two calls.
    if (
        type(achievements.credentials) is tuple
        and type(achievements.plar) is tuple
        and type(achievements.external) is tuple
        and type(achievements.signoffs) is tuple
    ):
        _RECENT[0] = (achievements, as_of, catalog, learner)
    return learner


def compile_rules(rules: Rule | RuleSet, catalog: Catalog | None = None) -> CompiledRules:
    """Prepare ``rules`` for evaluations under ``catalog`` (bitsets, targets, fast paths)."""
    catalog = catalog or EMPTY_CATALOG
    if isinstance(rules, RuleSet):
        root = _compile(rules.rule, "rule", catalog, rules.occupation)
        return CompiledRules(rules, catalog, root, rules.occupation, rules.requires_signoff)
    return CompiledRules(rules, catalog, _compile(rules, "rule", catalog, None), None, False)


_COMPILED: dict[tuple[int, int], CompiledRules] = {}
_COMPILED_LIMIT = 1024


def compiled(rules: Rule | RuleSet, catalog: Catalog | None = None) -> CompiledRules:
    """:func:`compile_rules`, cached by the identity of the rules and the catalog."""
    catalog = catalog or EMPTY_CATALOG
    key = (id(rules), id(catalog))
    found = _COMPILED.get(key)
    # The cached entry keeps both objects alive, so an id cannot be reused while cached;
    # the identity check guards against a stale entry all the same.
    if found is None or found.rules is not rules or found.catalog is not catalog:
        if len(_COMPILED) >= _COMPILED_LIMIT:
            _COMPILED.clear()
        found = _COMPILED[key] = compile_rules(rules, catalog)
    return found


def evaluate(
    rules: Rule | RuleSet,
    achievements: Achievements | Iterable[Achievement] | LearnerState,
    as_of: dt.date,
    catalog: Catalog | None = None,
) -> Outcome:
    """Evaluate one learner's achievements against ``rules`` on the date ``as_of``.

    ``achievements`` is an :class:`Achievements`, any iterable of achievement values,
    or a :class:`LearnerState` from :func:`prepare` (same date and catalog). Without a
    catalog, item codes are their own indicators and no crosswalk exists. ``rules``
    may be a bare node (no occupation: ``equivalent`` needs ``target``, ``signoff``
    accepts any occupation) or a :class:`RuleSet`. Pure and deterministic: the result
    does not depend on the order of the achievements.
    """
    return compiled(rules, catalog).evaluate(achievements, as_of)


def evaluate_many(
    rulesets: Iterable[Rule | RuleSet],
    achievements: Achievements | Iterable[Achievement],
    as_of: dt.date,
    catalog: Catalog | None = None,
) -> list[Outcome]:
    """One learner against several rule sets, preparing the learner's state once."""
    learner = prepare(achievements, as_of, catalog)
    return [compiled(rules, learner.catalog).evaluate(learner, as_of) for rules in rulesets]


__all__ = [
    "CompiledRules",
    "LearnerState",
    "Missing",
    "Outcome",
    "Reason",
    "compile_rules",
    "compiled",
    "evaluate",
    "evaluate_many",
    "prepare",
    "years_before",
]
