"""Plan the least-effort set of published micro-credentials that completes an occupation.

``plan(rules, achievements, catalog, as_of)`` answers "what is the least total effort
(hours) that completes this occupation from where this learner stands", honouring
prerequisites (a chosen credential's prerequisites are held or also chosen), and
returns the credentials in a valid order (prerequisites first, ties by code).

Method (exact, standard library only):

1. **Flatten** the rule tree, against what the learner already holds, into
   alternatives: each alternative is a conjunction of atomic needs (credential codes
   with a minimum version, coverage needs "k more indicators of this bitset", hour
   needs "h more hours from these codes"). ``any`` and ``n_of`` multiply alternatives;
   a satisfied subtree becomes "nothing needed". ``signoff`` is never plannable and is
   reported in ``needs_assessment``; an unsatisfied ``equivalent`` cannot be planned
   (the learner must bring the external credential), so its alternatives drop out.
2. **Solve** each alternative as a 0-1 covering problem by depth-first branch and
   bound. Required codes are fixed first (with their prerequisite closure). While
   indicators must all be covered, the search branches on the uncovered indicator with
   the fewest candidates ("include candidate j, exclude candidates 1..j-1"), a complete
   partition; partial coverage and hours branch include/exclude on the best ratio.
   Including a credential includes its unheld prerequisite closure; excluding one
   excludes everything that needs it.
3. **Bounds.** At each node the cost so far plus the largest of: the LP dual-feasible
   covering bound ``sum over uncovered indicators of min(cost / new indicators)`` over
   the candidates still allowed, a fractional-knapsack bound per partial coverage need,
   and ``hours needed x least cost per hour`` per hours need. A greedy solution, pruned
   of redundant choices, is the first incumbent.
4. **Dominance.** A candidate whose indicators a cheaper-or-equal candidate (with its
   prerequisites) already covers is never branched on (it may still enter as a
   prerequisite). Hours add up, so dominance does not hold under hours needs: the
   search first solves the relaxation without hours needs (with full dominance and
   independent indicator components solved separately); if that optimum also meets the
   hours, it is optimal; otherwise the full problem is searched with the relaxation as
   its bound.
5. **Budget.** ``max_nodes`` and ``time_limit`` stop the search early; the best plan
   found is returned with ``proven_optimal`` false. ``nodes_explored`` is reported.

Distinct ``n_of`` over children that are not plain credentials is planned without the
distinctness constraint; the plan is then checked with :func:`evaluate` and reported
infeasible (``unverified``) if the check fails.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from pathways.stacking.engine.achievements import Achievement
from pathways.stacking.engine.achievements import Achievements
from pathways.stacking.engine.achievements import Catalog
from pathways.stacking.engine.achievements import EarnedCredential
from pathways.stacking.engine.achievements import Offer
from pathways.stacking.engine.evaluate import LearnerState
from pathways.stacking.engine.evaluate import Outcome
from pathways.stacking.engine.evaluate import Reason
from pathways.stacking.engine.evaluate import _AllNode
from pathways.stacking.engine.evaluate import _AnyNode
from pathways.stacking.engine.evaluate import _CoversNode
from pathways.stacking.engine.evaluate import _CredentialNode
from pathways.stacking.engine.evaluate import _EquivalentNode
from pathways.stacking.engine.evaluate import _MinHoursNode
from pathways.stacking.engine.evaluate import _Node
from pathways.stacking.engine.evaluate import _NOfNode
from pathways.stacking.engine.evaluate import _SignoffNode
from pathways.stacking.engine.evaluate import _stricter
from pathways.stacking.engine.evaluate import _Window
from pathways.stacking.engine.evaluate import _WithinYearsNode
from pathways.stacking.engine.evaluate import compiled
from pathways.stacking.engine.evaluate import years_before
from pathways.stacking.engine.rules import Rule
from pathways.stacking.engine.rules import RuleSet

#: Alternatives beyond this many (from nested any/n_of) are dropped; the plan is then
#: not proven optimal.
MAX_ALTERNATIVES = 256
_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class PlanStep:
    """One micro-credential to earn, in order; ``after`` lists planned prerequisites."""

    code: str
    version: int
    effort_hours: float
    after: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    """The cheapest completion found.

    ``feasible`` is false when no set of published credentials completes the rules;
    ``blocked`` says why, or, for a feasible plan, which choices could not be planned
    (an ``equivalent`` needing an external credential). ``needs_assessment`` lists the
    sign-off nodes (paths) the plan cannot cover; ``needs_signoff`` also covers the rule
    set's ``requires_signoff``.
    """

    steps: tuple[PlanStep, ...]
    total_hours: float
    feasible: bool
    proven_optimal: bool
    nodes_explored: int
    already_satisfied: bool = False
    needs_assessment: tuple[str, ...] = ()
    needs_signoff: bool = False
    blocked: tuple[Reason, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        """The planned credential codes, in order."""
        return tuple(step.code for step in self.steps)


class _Conj(NamedTuple):
    """One alternative: everything in it must hold."""

    required: tuple[tuple[str, int], ...]  # (code, min version), sorted
    covers: tuple[tuple[int, int], ...]  # (uncovered indicator mask, how many more needed)
    hours: tuple[tuple[float, frozenset[str] | None, frozenset[str]], ...]  # need, from, held
    signoffs: tuple[str, ...]


_TRUE = _Conj((), (), (), ())


def _hours_key(need: tuple[float, frozenset[str] | None, frozenset[str]]) -> tuple:
    hours, from_codes, held = need
    return (hours, from_codes is None, sorted(from_codes or ()), sorted(held))


def _conj_key(conj: _Conj) -> tuple:
    return (
        len(conj.required),
        conj.required,
        conj.covers,
        [_hours_key(need) for need in conj.hours],
        conj.signoffs,
    )


def _merge(one: _Conj, other: _Conj) -> _Conj:
    required: dict[str, int] = dict(one.required)
    for code, version in other.required:
        required[code] = max(required.get(code, 0), version)
    return _Conj(
        tuple(sorted(required.items())),
        tuple(sorted(set(one.covers + other.covers))),
        tuple(sorted(set(one.hours + other.hours), key=_hours_key)),
        tuple(sorted(set(one.signoffs + other.signoffs))),
    )


class _Flattener:
    def __init__(self, learner: LearnerState):
        self.learner = learner
        self.blocked: list[Reason] = []
        self.truncated = False

    def product(self, groups: list[list[_Conj]]) -> list[_Conj]:
        found = [_TRUE]
        for group in groups:
            merged = {}
            for left in found:
                for right in group:
                    conj = _merge(left, right)
                    merged[conj] = None
            found = list(merged)
            if len(found) > MAX_ALTERNATIVES:
                self.truncated = True
                found = found[:MAX_ALTERNATIVES]
        return found

    def run(self, node: _Node, window: _Window | None) -> list[_Conj]:
        learner = self.learner
        if isinstance(node, _CredentialNode):
            if node.run(learner, window, frozenset()).satisfied:
                return [_TRUE]
            return [_Conj(((node.code, node.min_version or 0),), (), (), ())]
        if isinstance(node, _MinHoursNode):
            outcome = node.run(learner, window, frozenset())
            if outcome.satisfied:
                return [_TRUE]
            held = frozenset(learner.view(window, frozenset()).best)
            return [_Conj((), (), ((node.hours - outcome.counted, node.from_codes, held),), ())]
        if isinstance(node, _CoversNode):
            view = learner.view(window, frozenset())
            count = (view.mask & node.mask).bit_count()
            if count >= node.need:
                return [_TRUE]
            return [_Conj((), ((node.mask & ~view.mask, node.need - count),), (), ())]
        if isinstance(node, _SignoffNode):
            if node.run(learner, window, frozenset()).satisfied:
                return [_TRUE]
            return [_Conj((), (), (), (node.path,))]
        if isinstance(node, _EquivalentNode):
            if node.run(learner, window, frozenset()).satisfied:
                return [_TRUE]
            self.blocked.append(
                Reason(
                    "not_plannable",
                    f"{node.path}: needs the external credential {node.credential} "
                    f"through {node.crosswalk}",
                    node.credential,
                )
            )
            return []
        if isinstance(node, _WithinYearsNode):
            mine = _Window(years_before(learner.as_of, node.years), node.years)
            return self.run(node.child, _stricter(window, mine))
        if isinstance(node, _AllNode):
            groups = [self.run(child, window) for child in node.children]
            if any(not group for group in groups):
                return []
            return self.product(groups)
        if isinstance(node, _AnyNode):
            found: dict[_Conj, None] = {}
            for child in node.children:
                for conj in self.run(child, window):
                    found[conj] = None
            if _TRUE in found:
                return [_TRUE]
            return list(found)[:MAX_ALTERNATIVES]
        if isinstance(node, _NOfNode):
            return self._n_of(node, window)
        raise TypeError(f"cannot plan {node!r}")  # pragma: no cover

    def _n_of(self, node: _NOfNode, window: _Window | None) -> list[_Conj]:
        children = list(node.children)
        if node.distinct and node.simple:
            # One slot per distinct code: duplicates of a code can never fill two slots.
            unique = {}
            for child in children:
                unique.setdefault(child.code, child)
            children = list(unique.values())
        groups = [self.run(child, window) for child in children]
        done = sum(1 for group in groups if _TRUE in group)
        if done >= node.n:
            return [_TRUE]
        open_groups = [group for group in groups if group and _TRUE not in group]
        need = node.n - done
        if need > len(open_groups):
            self.blocked.append(Reason("too_few", f"{node.path}: too few choices can be planned"))
            return []
        found: dict[_Conj, None] = {}
        for combination in itertools.combinations(open_groups, need):
            for conj in self.product(list(combination)):
                found[conj] = None
            if len(found) > MAX_ALTERNATIVES:
                self.truncated = True
                break
        return list(found)[:MAX_ALTERNATIVES]


# -- candidates ------------------------------------------------------------------------------


class _Candidates:
    """The published offers as indexed arrays, with prerequisite closures as bitsets."""

    def __init__(self, catalog: Catalog, learner: LearnerState):
        offers = list(catalog.published_offers().values())
        self.offers = offers
        self.index = {offer.code: index for index, offer in enumerate(offers)}
        self.cost = [float(offer.effort_hours) for offer in offers]
        self.mask = [catalog.alignment_mask(offer.aligned_items) for offer in offers]
        # A prerequisite counts as held when a valid award of it exists on the plan date.
        self.held = frozenset(learner.view(None, frozenset()).best)
        count = len(offers)
        closure = [0] * count
        usable = [True] * count
        state = [0] * count  # 0 new, 1 visiting, 2 done

        def visit(index: int) -> None:
            if state[index] == 2:
                return
            if state[index] == 1:
                usable[index] = False  # a prerequisite cycle: never plannable
                return
            state[index] = 1
            total = 0
            for code in sorted(offers[index].prerequisites):
                if code in self.held:
                    continue
                other = self.index.get(code)
                if other is None:
                    usable[index] = False
                    continue
                visit(other)
                if not usable[other] or state[other] == 1:
                    usable[index] = False
                total |= (1 << other) | closure[other]
            closure[index] = total
            state[index] = 2

        for index in range(count):
            visit(index)
        for index in range(count):
            if closure[index] >> index & 1:
                usable[index] = False
        self.usable = usable
        self.closure = closure
        self.group = [(1 << index) | closure[index] for index in range(count)]
        dependents = [0] * count
        for index in range(count):
            bits = closure[index]
            while bits:
                low = bits & -bits
                dependents[low.bit_length() - 1] |= 1 << index
                bits ^= low
        self.dependents = dependents
        self.unusable = sum(1 << index for index in range(count) if not usable[index])


def _bits(mask: int) -> Iterable[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class _Budget:
    def __init__(self, max_nodes: int, time_limit: float | None):
        self.nodes = 0
        self.max_nodes = max_nodes
        self.deadline = None if time_limit is None else time.perf_counter() + time_limit
        self.stopped = False

    def tick(self) -> bool:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            self.stopped = True
        elif self.deadline is not None and self.nodes % 256 == 0:
            if time.perf_counter() > self.deadline:
                self.stopped = True
        return not self.stopped


class _Search:
    """Branch and bound for one alternative (see the module docstring)."""

    def __init__(
        self,
        cands: _Candidates,
        full: int,
        partials: list[tuple[int, int]],
        hours: list[tuple[float, list[float]]],
        chosen: int,
        cost: float,
        excluded: int,
        budget: _Budget,
        incumbent: float,
    ):
        self.c = cands
        self.budget = budget
        self.best_cost = incumbent
        self.best_set: int | None = None
        self.full0, self.partials0, self.hours0 = full, partials, hours
        self.chosen0, self.cost0, self.excluded0 = chosen, cost, excluded
        count = len(cands.offers)
        masks = cands.mask
        relevant_mask = full
        for mask, _ in partials:
            relevant_mask |= mask
        self.group_mask = []
        for index in range(count):
            total = 0
            for member in _bits(cands.group[index]):
                total |= masks[member]
            self.group_mask.append(total)
        self.relevant = [
            index
            for index in range(count)
            if not (excluded >> index & 1)
            and (masks[index] & relevant_mask or any(h[index] > 0 for _, h in hours))
        ]
        self.free = self._free(chosen, excluded, relevant_mask)
        # Per indicator: every allowed candidate covering it (bound) and the free ones
        # whose prerequisite group covers it (branching).
        self.cover_all: dict[int, list[int]] = {}
        self.cover_free: dict[int, list[int]] = {}
        for index in self.relevant:
            for element in _bits(masks[index] & relevant_mask):
                self.cover_all.setdefault(element, []).append(index)
            if self.free >> index & 1:
                for element in _bits(self.group_mask[index] & relevant_mask):
                    self.cover_free.setdefault(element, []).append(index)
        self.hour_ratio = []
        for _, contrib in hours:
            ratios = [cands.cost[i] / contrib[i] for i in range(count) if contrib[i] > 0]
            self.hour_ratio.append(min(ratios) if ratios else math.inf)

    def _group_cost(self, index: int, chosen: int) -> float:
        cost = self.c.cost
        return sum(cost[member] for member in _bits(self.c.group[index] & ~chosen))

    def _free(self, chosen: int, excluded: int, relevant_mask: int) -> int:
        """Candidates worth branching on: relevant, allowed, not dominated."""
        cands = self.c
        masks = cands.mask
        hours = self.hours0
        order = sorted(
            (index for index in self.relevant if not (chosen >> index & 1)),
            key=lambda index: (
                cands.cost[index],
                -(masks[index] & relevant_mask).bit_count(),
                index,
            ),
        )
        if hours:
            # Hours add up: a dominated candidate may be needed beside its dominator.
            return sum(1 << index for index in order)
        kept: list[int] = []
        group_hours = {}
        for index in order:
            group_hours[index] = [
                sum(contrib[m] for m in _bits(cands.group[index] & ~chosen)) for _, contrib in hours
            ]
        for index in order:
            mine = masks[index] & relevant_mask
            dominated = False
            for other in kept:
                if (
                    self._group_cost(other, chosen) <= cands.cost[index] + _EPSILON
                    and mine & ~self.group_mask[other] == 0
                    and all(
                        group_hours[other][k] + _EPSILON >= contrib[index]
                        for k, (_, contrib) in enumerate(hours)
                    )
                ):
                    dominated = True
                    break
            if not dominated:
                kept.append(index)
        return sum(1 << index for index in kept)

    # -- search ----------------------------------------------------------------------------

    def solve(self) -> tuple[float, int] | None:
        self._greedy()
        self._node(
            self.chosen0,
            self.excluded0,
            self.cost0,
            self.full0,
            [need for _, need in self.partials0],
            [need for need, _ in self.hours0],
        )
        if self.best_set is None:
            return None
        return self.best_cost, self.best_set

    def _apply(self, index, chosen, cost, full, partial_needs, hour_needs):
        cands = self.c
        new = cands.group[index] & ~chosen
        covered = 0
        partial_needs = list(partial_needs)
        hour_needs = list(hour_needs)
        for member in _bits(new):
            cost += cands.cost[member]
            covered |= cands.mask[member]
            for k, (_, contrib) in enumerate(self.hours0):
                hour_needs[k] -= contrib[member]
        for j, (mask, _) in enumerate(self.partials0):
            partial_needs[j] -= (covered & mask & ~self._covered_so_far(chosen)).bit_count()
        return chosen | new, cost, full & ~covered, partial_needs, hour_needs

    def _covered_so_far(self, chosen: int) -> int:
        covered = 0
        for member in _bits(chosen):
            covered |= self.c.mask[member]
        return covered

    def _bound(self, chosen, excluded, full, partial_needs, hour_needs) -> float:
        cands = self.c
        bound = 0.0
        if full:
            ratio = {}
            for index in self.relevant:
                if (chosen | excluded) >> index & 1:
                    continue
                gain = (cands.mask[index] & full).bit_count()
                if gain:
                    ratio[index] = cands.cost[index] / gain
            total = 0.0
            for element in _bits(full):
                best = math.inf
                for index in self.cover_all.get(element, ()):
                    value = ratio.get(index)
                    if value is not None and value < best:
                        best = value
                if best == math.inf:
                    return math.inf
                total += best
            bound = total
        if partial_needs:
            covered = self._covered_so_far(chosen)
            for (mask, _), need in zip(self.partials0, partial_needs, strict=True):
                if need <= 0:
                    continue
                items = []
                for index in self.relevant:
                    if (chosen | excluded) >> index & 1:
                        continue
                    gain = (cands.mask[index] & mask & ~covered).bit_count()
                    if gain:
                        items.append((cands.cost[index] / gain, gain))
                # Each indicator's cheapest share of a candidate's cost (the covering
                # dual): any cover of ``need`` indicators costs at least the ``need``
                # smallest shares.
                share = {}
                for index in self.relevant:
                    if (chosen | excluded) >> index & 1:
                        continue
                    gain = (cands.mask[index] & mask & ~covered).bit_count()
                    if gain:
                        unit = cands.cost[index] / gain
                        for element in _bits(cands.mask[index] & mask & ~covered):
                            if unit < share.get(element, math.inf):
                                share[element] = unit
                if len(share) < need:
                    return math.inf
                bound = max(bound, sum(sorted(share.values())[:need]))
                items.sort()
                left, total = need, 0.0
                for unit, gain in items:
                    take = min(gain, left)
                    total += unit * take
                    left -= take
                    if left <= 0:
                        break
                if left > 0:
                    return math.inf
                bound = max(bound, total)
        for need, ratio in zip(hour_needs, self.hour_ratio, strict=True):
            if need > _EPSILON:
                bound = max(bound, need * ratio)
        return bound

    def _node(self, chosen, excluded, cost, full, partial_needs, hour_needs) -> None:
        if not self.budget.tick():
            return
        bound = self._bound(chosen, excluded, full, partial_needs, hour_needs)
        if cost + bound >= self.best_cost - _EPSILON:
            return
        if (
            not full
            and all(n <= 0 for n in partial_needs)
            and all(n <= _EPSILON for n in hour_needs)
        ):
            self.best_cost, self.best_set = cost, chosen
            return
        cands = self.c
        allowed = self.free & ~chosen & ~excluded
        if full:
            pick, options = None, None
            for element in _bits(full):
                found = [i for i in self.cover_free.get(element, ()) if allowed >> i & 1]
                if options is None or len(found) < len(options):
                    pick, options = element, found
                    if len(found) <= 1:
                        break
            del pick
            options.sort(
                key=lambda i: (
                    self._group_cost(i, chosen) / max(1, (self.group_mask[i] & full).bit_count()),
                    i,
                )
            )
            for index in options:
                if excluded >> index & 1:
                    continue
                state = self._apply(index, chosen, cost, full, partial_needs, hour_needs)
                self._node(state[0], excluded, *state[1:])
                if self.budget.stopped:
                    return
                excluded |= (1 << index) | cands.dependents[index]
            return
        open_partial = [
            (mask, need)
            for (mask, _), need in zip(self.partials0, partial_needs, strict=True)
            if need > 0
        ]
        if open_partial:
            # Branch on an indicator: covered by the first listed candidate, or by the
            # second (the first excluded), ..., or by none of them (all excluded).
            mask = open_partial[0][0] & ~self._covered_so_far(chosen)
            options = None
            for element in _bits(mask):
                found = [i for i in self.cover_free.get(element, ()) if allowed >> i & 1]
                if found and (options is None or len(found) < len(options)):
                    options = found
                    if len(found) == 1:
                        break
            if options is None:
                return
            options.sort(
                key=lambda i: (
                    self._group_cost(i, chosen) / max(1, (self.group_mask[i] & mask).bit_count()),
                    i,
                )
            )
            for index in options:
                if excluded >> index & 1:
                    continue
                state = self._apply(index, chosen, cost, full, partial_needs, hour_needs)
                self._node(state[0], excluded, *state[1:])
                if self.budget.stopped:
                    return
                excluded |= (1 << index) | cands.dependents[index]
            self._node(chosen, excluded, cost, full, partial_needs, hour_needs)
            return
        best_index, best_value = None, 0.0
        for index in _bits(allowed):
            gain = 0.0
            for (mask, _), need in zip(self.partials0, partial_needs, strict=True):
                if need > 0:
                    gain += min(need, (self.group_mask[index] & mask).bit_count())
            for (_, contrib), need in zip(self.hours0, hour_needs, strict=True):
                if need > _EPSILON:
                    gain += min(need, sum(contrib[m] for m in _bits(cands.group[index] & ~chosen)))
            if gain <= 0:
                continue
            value = gain / max(_EPSILON, self._group_cost(index, chosen))
            if value > best_value:
                best_index, best_value = index, value
        if best_index is None:
            return
        state = self._apply(best_index, chosen, cost, full, partial_needs, hour_needs)
        self._node(state[0], excluded, *state[1:])
        if self.budget.stopped:
            return
        excluded |= (1 << best_index) | cands.dependents[best_index]
        self._node(chosen, excluded, cost, full, partial_needs, hour_needs)

    def _greedy(self) -> None:
        """A first incumbent: best ratio first, then drop choices that became redundant."""
        cands = self.c
        chosen, cost, full = self.chosen0, self.cost0, self.full0
        partial_needs = [need for _, need in self.partials0]
        hour_needs = [need for need, _ in self.hours0]
        picks = []
        allowed = sum(1 << i for i in self.relevant) & ~self.excluded0
        while full or any(n > 0 for n in partial_needs) or any(n > _EPSILON for n in hour_needs):
            best_index, best_value = None, 0.0
            for index in _bits(allowed & ~chosen):
                gain = (self.group_mask[index] & full).bit_count()
                for (mask, _), need in zip(self.partials0, partial_needs, strict=True):
                    if need > 0:
                        gain += min(need, (self.group_mask[index] & mask).bit_count())
                for (_, contrib), need in zip(self.hours0, hour_needs, strict=True):
                    if need > _EPSILON:
                        gain += min(need, sum(contrib[m] for m in _bits(cands.group[index])))
                if gain <= 0:
                    continue
                value = gain / max(_EPSILON, self._group_cost(index, chosen))
                if value > best_value:
                    best_index, best_value = index, value
            if best_index is None:
                return
            picks.append(best_index)
            chosen, cost, full, partial_needs, hour_needs = self._apply(
                best_index, chosen, cost, full, partial_needs, hour_needs
            )
        for index in sorted(picks, key=lambda i: -cands.cost[i]):
            trial = chosen & ~(1 << index)
            if trial & cands.dependents[index] or not self._satisfies(trial):
                continue
            chosen, cost = trial, cost - cands.cost[index]
        if cost < self.best_cost - _EPSILON:
            self.best_cost, self.best_set = cost, chosen

    def _satisfies(self, chosen: int) -> bool:
        covered = self._covered_so_far(chosen) | self._covered_so_far(self.chosen0)
        if self.full0 & ~covered:
            return False
        for mask, need in self.partials0:
            base = self._covered_so_far(self.chosen0)
            if ((covered & ~base) & mask).bit_count() < need:
                return False
        for need, contrib in self.hours0:
            extra = sum(contrib[m] for m in _bits(chosen & ~self.chosen0))
            if extra + _EPSILON < need:
                return False
        return True


def _components(cands: _Candidates, full: int, allowed: list[int]) -> list[tuple[int, list[int]]]:
    """Split the indicators into groups no candidate (or shared prerequisite) links."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    group_masks = {}
    for index in allowed:
        total = 0
        for member in _bits(cands.group[index]):
            total |= cands.mask[member]
        group_masks[index] = total & full
    elements = list(_bits(full))
    for element in elements:
        find(element)
    owner: dict[int, int] = {}
    for index in allowed:
        bits = list(_bits(group_masks[index]))
        for element in bits[1:]:
            union(bits[0], element)
        for member in _bits(cands.group[index]):
            if member in owner and bits:
                union(owner[member], bits[0])
            elif bits:
                owner[member] = bits[0]
    groups: dict[int, int] = {}
    for element in elements:
        root = find(element)
        groups[root] = groups.get(root, 0) | (1 << element)
    return [
        (mask, [index for index in allowed if group_masks[index] & mask])
        for _, mask in sorted(groups.items())
    ]


def _solve(
    cands: _Candidates, conj: _Conj, budget: _Budget, incumbent: float
) -> tuple[float, int] | None | str:
    """Optimal (cost, chosen bitset) for one alternative, or None when it cannot hold."""
    chosen, cost = 0, 0.0
    for code, min_version in conj.required:
        index = cands.index.get(code)
        if index is None or not cands.usable[index] or cands.offers[index].version < min_version:
            return f"no published, plannable offer of {code}"
        new = cands.group[index] & ~chosen
        cost += sum(cands.cost[member] for member in _bits(new))
        chosen |= new
    covered = 0
    for member in _bits(chosen):
        covered |= cands.mask[member]
    full, partials = 0, []
    for mask, need in conj.covers:
        left = mask & ~covered
        need -= (mask & covered).bit_count()
        if need <= 0:
            continue
        if need >= left.bit_count():
            full |= left
        else:
            partials.append((left, need))
    hours = []
    for need, from_codes, held in conj.hours:
        contrib = [
            offer.effort_hours
            if (from_codes is None or offer.code in from_codes) and offer.code not in held
            else 0.0
            for offer in cands.offers
        ]
        need -= sum(contrib[member] for member in _bits(chosen))
        if need > _EPSILON:
            hours.append((need, contrib))
    excluded = cands.unusable
    for index in _bits(cands.unusable):
        excluded |= cands.dependents[index]
    if not full and not partials and not hours:
        return cost, chosen
    if cost >= incumbent - _EPSILON:
        return None
    relaxed = None
    if hours:
        relaxed = _relaxation(cands, full, partials, chosen, cost, excluded, budget, incumbent)
        if relaxed is None or relaxed[0] >= incumbent - _EPSILON:
            return None
        extra = relaxed[1]
        if all(
            sum(contrib[member] for member in _bits(extra & ~chosen)) + _EPSILON >= need
            for need, contrib in hours
        ):
            return relaxed
    else:
        return _relaxation(cands, full, partials, chosen, cost, excluded, budget, incumbent)
    search = _Search(cands, full, partials, hours, chosen, cost, excluded, budget, incumbent)
    return search.solve()


#: Components with more candidates than this are searched, not enumerated.
MAX_ENUMERATED = 14


class _TooBig(Exception):
    pass


def _curves(cands, full, partial, chosen, cost, excluded, budget, incumbent):
    """Exact optimum for "cover ``full`` and at least ``need`` of ``partial``'s mask".

    Indicators split into components no candidate or shared prerequisite links. Each
    component is small, so all its prerequisite-closed candidate subsets are enumerated
    into a cost curve "least cost to cover every full indicator and j partial ones";
    a knapsack over the curves then picks how many partial indicators each component
    gives. Raises :class:`_TooBig` when a component is too large to enumerate.
    """
    part_mask, need = partial if partial else (0, 0)
    union = full | part_mask
    allowed = [
        index
        for index in range(len(cands.offers))
        if not (excluded >> index & 1) and not (chosen >> index & 1) and cands.mask[index] & union
    ]
    curves = []
    for mask, members in _components(cands, union, allowed):
        universe = 0
        for index in members:
            universe |= cands.group[index] & ~chosen
        local = list(_bits(universe))
        if len(local) > MAX_ENUMERATED:
            raise _TooBig
        position = {index: bit for bit, index in enumerate(local)}
        size = len(local)
        cover = [0] * (1 << size)
        price = [0.0] * (1 << size)
        needs = [0] * (1 << size)
        closure = []
        for index in local:
            bits = 0
            for member in _bits(cands.closure[index] & ~chosen):
                if member not in position:
                    bits = -1
                    break
                bits |= 1 << position[member]
            closure.append(bits)
        full_here = full & mask
        part_here = part_mask & mask
        best: dict[int, tuple[float, int]] = {}
        for subset in range(1 << size):
            if subset:
                low = subset & -subset
                bit = low.bit_length() - 1
                rest = subset ^ low
                cover[subset] = cover[rest] | cands.mask[local[bit]]
                price[subset] = price[rest] + cands.cost[local[bit]]
                needs[subset] = (
                    -1 if closure[bit] < 0 or needs[rest] < 0 else needs[rest] | closure[bit]
                )
            budget.nodes += 1
            if needs[subset] < 0 or needs[subset] & ~subset or full_here & ~cover[subset]:
                continue
            gained = (cover[subset] & part_here).bit_count()
            found = best.get(gained)
            if found is None or price[subset] < found[0] - _EPSILON:
                best[gained] = (price[subset], subset)
        if not best:
            return None
        # Suffix minimum: covering more also covers "at least j".
        curve = []
        running = None
        for gained in range(part_here.bit_count(), -1, -1):
            found = best.get(gained)
            if found is not None and (running is None or found[0] < running[0] - _EPSILON):
                running = found
            curve.append(running)
        curve.reverse()
        chosen_sets = [
            None if entry is None else (entry[0], sum(1 << local[b] for b in _bits(entry[1])))
            for entry in curve
        ]
        curves.append(chosen_sets)
    # Knapsack over components: least cost to reach t partial indicators (capped at need).
    table: list[tuple[float, tuple[int, ...]] | None] = [None] * (need + 1)
    table[0] = (0.0, ())
    for curve in curves:
        nxt: list[tuple[float, tuple[int, ...]] | None] = [None] * (need + 1)
        for reached, entry in enumerate(table):
            if entry is None:
                continue
            for gained, option in enumerate(curve):
                if option is None:
                    continue
                total = min(need, reached + gained)
                value = entry[0] + option[0]
                current = nxt[total]
                if current is None or value < current[0] - _EPSILON:
                    nxt[total] = (value, (*entry[1], gained))
                if total == need:
                    break
        table = nxt
    final = table[need]
    if final is None or cost + final[0] >= incumbent - _EPSILON:
        return None
    picked = chosen
    for curve, gained in zip(curves, final[1], strict=True):
        picked |= curve[gained][1]
    return cost + final[0], picked


def _relaxation(cands, full, partials, chosen, cost, excluded, budget, incumbent):
    """Optimum ignoring hours; indicator components solved apart when all must be covered."""
    if len(partials) <= 1 and (full or partials):
        try:
            return _curves(
                cands,
                full,
                partials[0] if partials else None,
                chosen,
                cost,
                excluded,
                budget,
                incumbent,
            )
        except _TooBig:
            pass
    if partials or not full:
        return _Search(cands, full, partials, [], chosen, cost, excluded, budget, incumbent).solve()
    allowed = [
        index
        for index in range(len(cands.offers))
        if not (excluded >> index & 1) and not (chosen >> index & 1) and cands.mask[index] & full
    ]
    # Prerequisites outside the indicator groups still link components through members.
    total_cost, total_set = cost, chosen
    for mask, _members in _components(cands, full, allowed):
        search = _Search(cands, mask, [], [], chosen, cost, excluded, budget, math.inf)
        found = search.solve()
        if found is None:
            return None
        total_cost += found[0] - cost
        total_set |= found[1]
        if total_cost >= incumbent - _EPSILON:
            return None
    return total_cost, total_set


def _order(cands: _Candidates, chosen: int) -> list[int]:
    """Prerequisites first; among the ready ones, the smallest code first."""
    indices = list(_bits(chosen))
    waiting = {index: cands.closure[index] & chosen for index in indices}
    ready = [(cands.offers[index].code, index) for index in indices if not waiting[index]]
    heapq.heapify(ready)
    done = 0
    order = []
    while ready:
        _, index = heapq.heappop(ready)
        order.append(index)
        done |= 1 << index
        for other in indices:
            if waiting[other] and other not in order and waiting[other] & ~done == 0:
                waiting[other] = 0
                heapq.heappush(ready, (cands.offers[other].code, other))
    return order


def plan(
    rules: Rule | RuleSet,
    achievements: Achievements | Iterable[Achievement],
    catalog: Catalog,
    as_of: dt.date,
    *,
    max_nodes: int = 200_000,
    time_limit: float | None = 2.0,
) -> Plan:
    """The least-effort set of published micro-credentials completing ``rules``.

    Sign-off nodes are not plannable (``needs_assessment``); unsatisfied ``equivalent``
    nodes are not either (``blocked``). Deterministic for the same inputs (ties go to
    the candidates first by code). See the module docstring for the method.
    """
    program = compiled(rules, catalog)
    learner = LearnerState(Achievements.of(achievements), as_of, catalog)
    requires_signoff = isinstance(rules, RuleSet) and rules.requires_signoff
    outcome = program.evaluate(learner, as_of)
    needs_signoff = requires_signoff and (outcome.awaiting_signoff or not outcome.satisfied)
    if outcome.satisfied:
        return Plan((), 0.0, True, True, 0, True, needs_signoff=needs_signoff)
    flattener = _Flattener(learner)
    alternatives = flattener.run(program.root, None)
    cands = _Candidates(catalog, learner)
    budget = _Budget(max_nodes, time_limit)
    best: tuple[float, int, _Conj] | None = None
    blocked = list(flattener.blocked)
    for conj in sorted(alternatives, key=_conj_key):
        found = _solve(cands, conj, budget, math.inf if best is None else best[0])
        if isinstance(found, str):
            blocked.append(Reason("no_offer", found))
            continue
        if found is not None and (best is None or found[0] < best[0] - _EPSILON):
            best = (found[0], found[1], conj)
        if budget.stopped:
            break
    proven = not budget.stopped and not flattener.truncated
    if best is None:
        return Plan(
            (),
            0.0,
            False,
            proven,
            budget.nodes,
            needs_signoff=requires_signoff,
            blocked=tuple(dict.fromkeys(blocked)),
        )
    cost, chosen, conj = best
    steps = []
    for index in _order(cands, chosen):
        offer: Offer = cands.offers[index]
        after = tuple(
            sorted(
                code
                for code in offer.prerequisites
                if code in cands.index and chosen >> cands.index[code] & 1
            )
        )
        steps.append(PlanStep(offer.code, offer.version, offer.effort_hours, after, offer.title))
    planned = [
        EarnedCredential(
            step.code,
            step.version,
            as_of,
            None
            if cands.offers[cands.index[step.code]].validity_days is None
            else as_of + dt.timedelta(days=cands.offers[cands.index[step.code]].validity_days),
            step.effort_hours,
            cands.offers[cands.index[step.code]].aligned_items,
        )
        for step in steps
    ]
    check: Outcome = program.evaluate(Achievements.of(achievements).plus(planned), as_of)
    missing = check.missing
    if missing.credentials or missing.indicators or missing.external or missing.hours:
        return Plan(
            tuple(steps),
            cost,
            False,
            False,
            budget.nodes,
            needs_assessment=conj.signoffs,
            needs_signoff=requires_signoff,
            blocked=(Reason("unverified", "the plan does not satisfy the rules when checked"),),
        )
    return Plan(
        tuple(steps),
        cost,
        True,
        proven,
        budget.nodes,
        needs_assessment=conj.signoffs,
        needs_signoff=requires_signoff,
        blocked=tuple(dict.fromkeys(flattener.blocked)),
    )
