"""What a learner holds, and the catalog view the engine reads: plain, frozen values.

The stacking service loads these from the database and hands them to
:func:`pathways.stacking.engine.evaluate.evaluate` and
:func:`pathways.stacking.engine.planner.plan`. Nothing here does I/O.

A :class:`Catalog` is built once (per framework version and catalog change) and
precomputes what every evaluation needs: each item's indicator leaves as a bitset,
exact declared equivalences as one-hop maps (they never chain), and the hints that
the weaker relations produce.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Literal

CredentialKind = Literal["micro_credential", "challenge"]
Relation = Literal["exact", "related", "broader", "narrower"]
RelationStatus = Literal["declared", "proposed", "withdrawn"]


@dataclass(frozen=True, slots=True)
class EarnedCredential:
    """One award of a micro-credential version (or a challenge award, earned by PLAR).

    It counts from ``earned_on``; it stops counting on ``expires_on`` and on
    ``revoked_on`` (both days included). ``aligned_items`` are competency item codes
    of any level; an item that is not a leaf stands for every indicator below it.
    """

    code: str
    version: int
    earned_on: dt.date
    expires_on: dt.date | None = None
    effort_hours: float = 0.0
    aligned_items: frozenset[str] = frozenset()
    revoked_on: dt.date | None = None
    kind: CredentialKind = "micro_credential"


@dataclass(frozen=True, slots=True)
class PlarResult:
    """An assessor's decision on one item (usually an indicator) for this learner.

    The latest decision per item wins; a tie on the day goes to "met".
    """

    item: str
    met: bool
    assessed_on: dt.date
    assessor: str = ""


@dataclass(frozen=True, slots=True)
class ExternalCredential:
    """A credential from another framework (e.g. ``MSSC-CPT``). Counts only once verified."""

    code: str
    earned_on: dt.date
    expires_on: dt.date | None = None
    verified: bool = False


@dataclass(frozen=True, slots=True)
class Signoff:
    """A work-based assessor's sign-off of an occupation for this learner."""

    occupation: str
    signed_on: dt.date
    assessor: str = ""


Achievement = EarnedCredential | PlarResult | ExternalCredential | Signoff


@dataclass(frozen=True, slots=True)
class Achievements:
    """Everything one learner holds. Order never matters: the engine sorts."""

    credentials: tuple[EarnedCredential, ...] = ()
    plar: tuple[PlarResult, ...] = ()
    external: tuple[ExternalCredential, ...] = ()
    signoffs: tuple[Signoff, ...] = ()

    @classmethod
    def of(cls, items: Iterable[Achievement] | Achievements) -> Achievements:
        """Sort a mixed iterable of achievements into an :class:`Achievements`.

        :raises TypeError: an element is none of the four achievement types.
        """
        if isinstance(items, Achievements):
            return items
        credentials: list[EarnedCredential] = []
        plar: list[PlarResult] = []
        external: list[ExternalCredential] = []
        signoffs: list[Signoff] = []
        for item in items:
            if isinstance(item, EarnedCredential):
                credentials.append(item)
            elif isinstance(item, PlarResult):
                plar.append(item)
            elif isinstance(item, ExternalCredential):
                external.append(item)
            elif isinstance(item, Signoff):
                signoffs.append(item)
            else:
                raise TypeError(f"not an achievement: {item!r}")
        return cls(tuple(credentials), tuple(plar), tuple(external), tuple(signoffs))

    def plus(self, credentials: Iterable[EarnedCredential]) -> Achievements:
        """These achievements with more earned credentials (e.g. a plan's)."""
        return Achievements(
            self.credentials + tuple(credentials), self.plar, self.external, self.signoffs
        )


@dataclass(frozen=True, slots=True)
class Equivalence:
    """One crosswalk relation between two items of different frameworks.

    Only ``relation == "exact"`` with ``status == "declared"`` substitutes in
    stacking, and only for the exact pair of codes (modules of a certification are
    not the certification). It works both ways unless ``symmetric`` is false.
    """

    crosswalk: str
    source: str
    target: str
    relation: Relation
    status: RelationStatus = "declared"
    scope_note: str = ""
    symmetric: bool = True

    @property
    def counts(self) -> bool:
        """Whether this relation substitutes in stacking."""
        return self.relation == "exact" and self.status == "declared"


@dataclass(frozen=True, slots=True)
class Offer:
    """A micro-credential the planner may propose: its current published version."""

    code: str
    effort_hours: float
    aligned_items: frozenset[str] = frozenset()
    prerequisites: frozenset[str] = frozenset()
    validity_days: int | None = None
    version: int = 1
    is_published: bool = True
    title: str = ""


@dataclass(frozen=True, slots=True)
class Hint:
    """A non-counting relation worth showing: "related only: MSSC-CLT, not counted"."""

    crosswalk: str
    source: str
    target: str
    relation: str
    status: str
    text: str


def _hint_for(held: str, relation: Equivalence) -> Hint:
    other = relation.target if relation.source == held else relation.source
    if relation.relation == "exact":
        text = f"proposed equivalence only: {held} = {other}, not counted"
    elif relation.relation == "related":
        text = f"related only: {held}, not counted"
    else:
        text = f"{relation.relation} match only: {held} ~ {other}, not counted"
    return Hint(relation.crosswalk, held, other, relation.relation, relation.status, text)


@dataclass(frozen=True, eq=False)
class Catalog:
    """The framework and catalog view: item tree, crosswalk relations, offers.

    ``items`` maps every item code to its parent code (``None`` for a root). Items
    with no children are the performance indicators. An item code the catalog does
    not know is treated as an indicator of its own, so small examples need no tree.
    Compare catalogs by identity; build one per content version and reuse it.
    """

    items: Mapping[str, str | None] = field(default_factory=dict)
    equivalences: tuple[Equivalence, ...] = ()
    offers: tuple[Offer, ...] = ()

    def __post_init__(self) -> None:
        children: dict[str, list[str]] = {}
        for code, parent in self.items.items():
            if parent is not None:
                children.setdefault(parent, []).append(code)
        leaves = sorted(code for code in self.items if code not in children)
        bit_of = {code: 1 << index for index, code in enumerate(leaves)}
        masks: dict[str, int] = {}

        def mask_of(code: str) -> int:
            # Iterative post-order: trees can be deeper than a few levels after CASE import.
            stack = [(code, False)]
            while stack:
                node, expanded = stack.pop()
                if node in masks:
                    continue
                kids = children.get(node)
                if not kids:
                    masks[node] = bit_of[node]
                elif expanded:
                    total = 0
                    for kid in kids:
                        total |= masks[kid]
                    masks[node] = total
                else:
                    stack.append((node, True))
                    stack.extend((kid, False) for kid in kids if kid not in masks)
            return masks[code]

        for code in self.items:
            mask_of(code)
        exact: dict[str, set[str]] = {}
        weak: dict[str, list[Equivalence]] = {}
        for relation in self.equivalences:
            pairs = [(relation.source, relation.target)]
            if relation.symmetric:
                pairs.append((relation.target, relation.source))
            for held, other in pairs:
                if relation.counts:
                    exact.setdefault(held, set()).add(other)
                else:
                    weak.setdefault(held, []).append(relation)
        set_ = object.__setattr__
        set_(self, "_children", {key: tuple(sorted(value)) for key, value in children.items()})
        set_(self, "_leaf_codes", tuple(leaves))
        set_(self, "_bit_of", dict(bit_of))
        set_(self, "_masks", masks)
        set_(self, "_exact", {key: frozenset(value) for key, value in exact.items()})
        set_(self, "_weak", {key: tuple(value) for key, value in weak.items()})
        set_(self, "_alignment_masks", {})
        set_(self, "_item_alignment_masks", {})
        set_(self, "_parents", dict(self.items))

    # -- items -------------------------------------------------------------------------------

    def knows_item(self, code: str) -> bool:
        """Whether ``code`` is an item of the catalog's frameworks."""
        return code in self._parents

    def parent(self, code: str) -> str | None:
        """The parent item code, or ``None`` for a root or an unknown code."""
        return self._parents.get(code)

    def children(self, code: str) -> tuple[str, ...]:
        """The direct children of an item, sorted by code."""
        return self._children.get(code, ())

    def is_below(self, code: str, ancestor: str) -> bool:
        """Whether ``code`` sits strictly below ``ancestor`` in the item tree."""
        parent = self._parents.get(code)
        while parent is not None:
            if parent == ancestor:
                return True
            parent = self._parents.get(parent)
        return False

    def mask(self, code: str) -> int:
        """The bitset of indicator leaves under ``code`` (an unknown code is its own leaf)."""
        found = self._masks.get(code)
        if found is None:
            # Unknown codes get a fresh bit, beyond every known leaf, so they never collide.
            bit = 1 << len(self._bit_of)
            self._bit_of[code] = bit
            self._masks[code] = found = bit
        return found

    def leaves(self, code: str) -> frozenset[str]:
        """The indicator codes under ``code``."""
        return frozenset(self.decode(self.mask(code)))

    def decode(self, mask: int) -> list[str]:
        """The sorted indicator codes whose bits are set in ``mask``."""
        known = self._leaf_codes
        codes: list[str] = []
        extra = None
        while mask:
            low = mask & -mask
            index = low.bit_length() - 1
            if index < len(known):
                codes.append(known[index])
            else:
                if extra is None:
                    extra = {bit: code for code, bit in self._bit_of.items()}
                codes.append(extra[low])
            mask ^= low
        codes.sort()
        return codes

    # -- relations ---------------------------------------------------------------------------

    def exact_equivalents(self, code: str) -> frozenset[str]:
        """Items a declared exact relation makes ``code`` equivalent to (one hop only)."""
        return self._exact.get(code, frozenset())

    def weak_relations(self, code: str) -> tuple[Equivalence, ...]:
        """Relations of ``code`` that never count (related, broader, narrower, proposed)."""
        return self._weak.get(code, ())

    def hints_for(self, code: str) -> tuple[tuple[int, Hint], ...]:
        """For a held code, each non-counting relation as (mask of the other item, hint)."""
        return tuple(
            (
                self.mask(relation.target if relation.source == code else relation.source),
                _hint_for(code, relation),
            )
            for relation in self._weak.get(code, ())
        )

    def declares_exact(self, crosswalk: str, one: str, other: str) -> bool:
        """Whether the named crosswalk declares ``one`` exactly equivalent to ``other``."""
        for relation in self.equivalences:
            if relation.crosswalk != crosswalk or not relation.counts:
                continue
            if (relation.source, relation.target) == (one, other):
                return True
            if relation.symmetric and (relation.target, relation.source) == (one, other):
                return True
        return False

    def relations_between(self, crosswalk: str, one: str, other: str) -> tuple[Equivalence, ...]:
        """Every relation of the named crosswalk between the two codes, either way."""
        return tuple(
            relation
            for relation in self.equivalences
            if relation.crosswalk == crosswalk
            and {relation.source, relation.target} == {one, other}
        )

    def crosswalks(self) -> frozenset[str]:
        """The names of every crosswalk the catalog holds."""
        return frozenset(relation.crosswalk for relation in self.equivalences)

    def alignment_mask(self, items: frozenset[str]) -> int:
        """Indicators covered by an alignment to ``items``, exact equivalents included.

        Each aligned item covers its own leaves and the leaves of the items a declared
        exact relation names; the relation is never followed a second hop.
        """
        found = self._alignment_masks.get(items)
        if found is None:
            found = 0
            for code in items:
                found |= self.mask(code)
                for other in self._exact.get(code, ()):
                    found |= self.mask(other)
            self._alignment_masks[items] = found
        return found

    def item_alignment_mask(self, code: str) -> int:
        """:meth:`alignment_mask` of the one item ``code`` (a PLAR result, an external)."""
        found = self._item_alignment_masks.get(code)
        if found is None:
            found = self._item_alignment_masks[code] = self.alignment_mask(frozenset((code,)))
        return found

    # -- offers ------------------------------------------------------------------------------

    def published_offers(self) -> dict[str, Offer]:
        """The newest published version of each offered micro-credential, by code."""
        found: dict[str, Offer] = {}
        for offer in self.offers:
            if not offer.is_published:
                continue
            current = found.get(offer.code)
            if current is None or offer.version > current.version:
                found[offer.code] = offer
        return dict(sorted(found.items()))

    def credential_codes(self) -> frozenset[str]:
        """Every micro-credential code the catalog offers, published or not."""
        return frozenset(offer.code for offer in self.offers)


EMPTY_CATALOG = Catalog()
