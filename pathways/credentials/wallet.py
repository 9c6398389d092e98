"""The learner's wallet: credentials grouped by pathway, downloads, public links, meaning.

What the learner's "My credentials" pages, the dashboard and the public credential page
show: each credential with its issuer, dates and live status; the baked badge images; the
public link the learner turns on and off; and what a credential means against the
occupation standard (coverage of its competency areas, cross-border recognition), plus a
live check of the credential against this site's own keys and status lists.

Functions take plain values (ids, rows, a locale) and never touch the request; the one
write, `set_public_link`, flushes and never commits.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import segno
import sqlalchemy as sa
import sqlalchemy.orm as so
from markupsafe import Markup

from pathways.accounts.models import User
from pathways.catalog import queries as catalog_queries
from pathways.catalog.enums import LEAF_KINDS
from pathways.catalog.enums import AssociationStatus
from pathways.catalog.enums import CaseType
from pathways.catalog.enums import CrosswalkStatus
from pathways.catalog.enums import ItemKind
from pathways.catalog.models import Association
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import Framework
from pathways.catalog.models import MicroCredentialVersion
from pathways.credentials import badge_image
from pathways.credentials import baking
from pathways.credentials import multikey
from pathways.credentials import services
from pathways.credentials import signing
from pathways.credentials import status_list
from pathways.credentials.badge_png import render_png
from pathways.credentials.enums import CredentialKind
from pathways.credentials.models import IssuedCredential
from pathways.credentials.models import IssuerKey
from pathways.credentials.models import PublicLink
from pathways.db import db
from pathways.db import utcnow
from pathways.errors import Forbidden
from pathways.errors import NotFound
from pathways.records.models import Award
from pathways.records.models import OccupationCertification
from pathways.stacking import queries as stacking_queries

LEARNER_KINDS = (
    CredentialKind.MICRO_CREDENTIAL,
    CredentialKind.CERTIFICATION,
    CredentialKind.RECORD,
)
BAKEABLE_KINDS = (CredentialKind.MICRO_CREDENTIAL, CredentialKind.CERTIFICATION)
SLUG_BYTES = 24  # secrets.token_urlsafe(24): 32 characters, 192 random bits
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def text_in(value: Any, locale: str) -> str:
    """A language map's text in `locale`, else English, else any; a plain string as is."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    for language in (locale, "en", *value):
        text = value.get(language)
        if isinstance(text, str) and text.strip():
            return text
    return ""


def document_of(row: IssuedCredential) -> dict[str, Any]:
    return json.loads(row.document)


def achievement_of(document: dict[str, Any]) -> dict[str, Any]:
    """The credential's main achievement (a CLR's first one: the occupation)."""
    achievement = (document.get("credentialSubject") or {}).get("achievement") or {}
    if isinstance(achievement, list):
        achievement = achievement[0] if achievement else {}
    return achievement if isinstance(achievement, dict) else {}


# -- the wallet ------------------------------------------------------------------------------


@dataclass
class Entry:
    """One credential as the wallet shows it."""

    row: IssuedCredential
    status: str
    title: str
    code: str
    issuer: str
    occupation_code: str | None = None
    stacks_into: list[str] = field(default_factory=list)
    version: MicroCredentialVersion | None = None
    certification: OccupationCertification | None = None
    link: PublicLink | None = None
    also: list[str] = field(default_factory=list)  # other occupations it counts toward

    @property
    def uuid(self) -> str:
        return self.row.uuid

    @property
    def kind(self) -> CredentialKind:
        return self.row.kind

    @property
    def is_bakeable(self) -> bool:
        return self.row.kind in BAKEABLE_KINDS


@dataclass
class Group:
    """The credentials of one pathway (an occupation), or of none (`code` None)."""

    code: str | None
    title: str
    is_target: bool
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Wallet:
    records: list[Entry]
    groups: list[Group]
    entries: list[Entry]

    @property
    def is_empty(self) -> bool:
        return not self.entries


def entries_for(
    rows: list[IssuedCredential], *, locale: str = "en", now: datetime | None = None
) -> list[Entry]:
    """Entries for the rows, with versions, certifications and live links in a few queries."""
    now = now or utcnow()
    award_ids = [r.award_id for r in rows if r.award_id is not None]
    awards = (
        {
            a.id: a
            for a in db.session.scalars(
                sa.select(Award)
                .where(Award.id.in_(award_ids))
                .options(so.joinedload(Award.version).joinedload(MicroCredentialVersion.credential))
            )
        }
        if award_ids
        else {}
    )
    certification_ids = [r.certification_id for r in rows if r.certification_id is not None]
    certifications = (
        {
            c.id: c
            for c in db.session.scalars(
                sa.select(OccupationCertification).where(
                    OccupationCertification.id.in_(certification_ids)
                )
            )
        }
        if certification_ids
        else {}
    )
    titles = catalog_queries.occupation_titles(
        sorted({c.occupation_code for c in certifications.values()})
    )
    links = live_links([r.id for r in rows])
    entries = []
    for row in rows:
        entry = Entry(
            row=row,
            status=row.status(now),
            title=row.name,
            code="",
            issuer=row.issuer.name,
            link=links.get(row.id),
        )
        award = awards.get(row.award_id) if row.award_id else None
        if award is not None:
            version = award.version
            entry.version = version
            entry.code = version.code
            entry.title = text_in(version.title, locale) or row.name
            stacks = version.stacks_into
            entry.stacks_into = (
                [c for c in stacks if isinstance(c, str)] if isinstance(stacks, list) else []
            )
        certification = certifications.get(row.certification_id) if row.certification_id else None
        if certification is not None:
            entry.certification = certification
            entry.occupation_code = certification.occupation_code
            entry.code = certification.occupation_code
            entry.title = text_in(titles.get(certification.occupation_code), locale) or row.name
        entries.append(entry)
    return entries


def _codes(entry: Entry) -> list[str]:
    """The occupations an entry belongs under: its certification's, or those it stacks into."""
    return [entry.occupation_code] if entry.occupation_code else entry.stacks_into


def wallet(user_id: int, *, locale: str = "en", now: datetime | None = None) -> Wallet:
    """Every credential of the learner: records (CLR) first, then by pathway, newest first.

    Each credential appears once: under the first occupation the learner targets that it
    counts toward (its certification's occupation, or one it stacks into), else under the
    first occupation it stacks into; a standalone one under "other" (`code` None, last).
    `Entry.also` names the other occupations it counts toward.
    """
    now = now or utcnow()
    rows = list(
        db.session.scalars(
            sa.select(IssuedCredential)
            .where(IssuedCredential.user_id == user_id, IssuedCredential.kind.in_(LEARNER_KINDS))
            .options(so.joinedload(IssuedCredential.issuer))
            .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id.desc())
        )
    )
    entries = entries_for(rows, locale=locale, now=now)
    records = [e for e in entries if e.kind is CredentialKind.RECORD]
    others = [e for e in entries if e.kind is not CredentialKind.RECORD]
    wanted = {c for e in others for c in _codes(e)}
    known = catalog_queries.occupation_titles(sorted(c for c in wanted if c))
    targets = stacking_queries.targets_of(user_id)
    rank = {code: position for position, code in enumerate(targets)}
    by_code: dict[str | None, list[Entry]] = defaultdict(list)
    for entry in others:
        # A code that names no occupation here (another framework's certification) is "other".
        codes = [c for c in _codes(entry) if c in known]
        targeted = sorted((c for c in codes if c in rank), key=rank.__getitem__)
        home = (targeted or codes or [None])[0]
        entry.also = [text_in(known[c], locale) or c for c in codes if c != home]
        by_code[home].append(entry)
    groups = sorted(
        (
            Group(code, text_in(known[code], locale) or code, code in rank, by_code[code])
            for code in by_code
            if code is not None
        ),
        key=lambda g: (g.code not in rank, rank.get(g.code, 0), g.title.casefold()),
    )
    if by_code.get(None):
        groups.append(Group(None, "", False, by_code[None]))
    return Wallet(records, groups, entries)


def latest(user_id: int, *, limit: int = 3, locale: str = "en") -> list[Entry]:
    """The learner's newest credentials (records included), for the dashboard."""
    now = utcnow()
    rows = list(
        db.session.scalars(
            sa.select(IssuedCredential)
            .where(IssuedCredential.user_id == user_id, IssuedCredential.kind.in_(LEARNER_KINDS))
            .options(so.joinedload(IssuedCredential.issuer))
            .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id.desc())
            .limit(limit)
        )
    )
    return entries_for(rows, locale=locale, now=now)


def own_entry(credential_uuid: str, user: User, *, locale: str = "en") -> Entry:
    """One of the user's own credentials.

    :raises NotFound: no such credential, or it is someone else's (never revealed).
    """
    row = services.get_credential(credential_uuid)
    if row.user_id != user.id or row.kind not in LEARNER_KINDS:
        raise NotFound("No such credential.")
    return entries_for([row], locale=locale)[0]


def siblings(entry: Entry) -> list[IssuedCredential]:
    """The other credentials issued for the same certification (the CLR beside its badge)."""
    if entry.row.certification_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(IssuedCredential)
            .where(
                IssuedCredential.certification_id == entry.row.certification_id,
                IssuedCredential.id != entry.row.id,
            )
            .order_by(IssuedCredential.id)
        )
    )


def replacement_of(row: IssuedCredential) -> IssuedCredential | None:
    """The credential issued in place of this one when its award was corrected."""
    if row.replaced_by_id is None:
        return None
    replacement = db.session.get(IssuedCredential, row.replaced_by_id)
    return replacement if replacement is not None and replacement.user_id == row.user_id else None


# -- public links ----------------------------------------------------------------------------


def live_links(credential_ids: list[int]) -> dict[int, PublicLink]:
    if not credential_ids:
        return {}
    return {
        link.credential_id: link
        for link in db.session.scalars(
            sa.select(PublicLink).where(
                PublicLink.credential_id.in_(credential_ids), PublicLink.disabled_at.is_(None)
            )
        )
    }


def set_public_link(row: IssuedCredential, is_on: bool, *, actor: User) -> PublicLink | None:
    """Turn the credential's public page on (a new unguessable link) or off (at once).

    Turning on when a live link exists keeps it; a link turned off never works again.

    :raises Forbidden: the credential is not the actor's.
    """
    if row.user_id != actor.id:
        raise Forbidden("Only the learner who holds a credential shares it.", code="not_holder")
    # One change at a time per credential (two tabs turning it on make one link).
    db.session.execute(
        sa.select(IssuedCredential.id).where(IssuedCredential.id == row.id).with_for_update()
    )
    live = live_links([row.id]).get(row.id)
    if is_on:
        if live is not None:
            return live
        link = PublicLink(
            credential_id=row.id, slug=secrets.token_urlsafe(SLUG_BYTES), created_at=utcnow()
        )
        db.session.add(link)
        db.session.flush()
        return link
    if live is not None:
        live.disabled_at = utcnow()
        db.session.flush()
    return None


def public_entry(slug: str, *, locale: str = "en") -> Entry:
    """The credential behind a live public link.

    :raises NotFound: no such link, or it was turned off.
    """
    if not slug or len(slug) > 64:
        raise NotFound("No such credential page.")
    link = db.session.scalar(
        sa.select(PublicLink).where(PublicLink.slug == slug, PublicLink.disabled_at.is_(None))
    )
    if link is None:
        raise NotFound("No such credential page.")
    return entries_for([link.credential], locale=locale)[0]


def public_url(link: PublicLink) -> str:
    return f"{services.base_url()}/credentials/{link.slug}"


def linkedin_url(entry: Entry, certificate_url: str | None) -> str:
    """LinkedIn's "Add to profile" link for a certification, filled in from the credential."""
    params: dict[str, Any] = {
        "startTask": "CERTIFICATION_NAME",
        "name": entry.title,
        "organizationName": entry.issuer,
        "issueYear": entry.row.valid_from.year,
        "issueMonth": entry.row.valid_from.month,
    }
    if entry.row.valid_until is not None:
        params["expirationYear"] = entry.row.valid_until.year
        params["expirationMonth"] = entry.row.valid_until.month
    if certificate_url:
        params["certUrl"] = certificate_url
    params["certId"] = entry.row.uuid
    return f"{LINKEDIN_ADD}?{urlencode(params)}"


def qr_svg(url: str, label: str) -> Markup:
    """A QR code of `url` as inline SVG, named `label` for assistive technology."""
    code = segno.make(url, error="m")
    drawing = code.svg_inline(scale=4, border=4, dark="#000", light="#fff", svgclass="qr")
    drawing = drawing.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1)
    return Markup(drawing)


# -- badge images ----------------------------------------------------------------------------


def badge_facts(
    entry: Entry, *, label: str, alt: str, description: str = ""
) -> badge_image.BadgeFacts:
    return badge_image.BadgeFacts(
        code=entry.code or entry.title[:12],
        title=entry.title,
        issuer=entry.issuer,
        label=label,
        is_certification=entry.kind is not CredentialKind.MICRO_CREDENTIAL,
        alt=alt,
        description=description,
    )


def badge_svg(facts: badge_image.BadgeFacts, *, id_prefix: str = "badge") -> str:
    """The design as inline SVG (for a page)."""
    return badge_image.svg(badge_image.layout(facts), id_prefix=id_prefix, standalone=False)


def baked_svg(entry: Entry, facts: badge_image.BadgeFacts) -> str:
    """The badge SVG with the credential's exact JSON baked in."""
    drawing = badge_image.svg(badge_image.layout(facts))
    return baking.bake_svg(drawing, entry.row.document)


def baked_png(entry: Entry, facts: badge_image.BadgeFacts) -> bytes:
    """The badge PNG with the credential's exact JSON baked in."""
    return baking.bake_png(render_png(badge_image.layout(facts)), entry.row.document)


# -- what the credential says, and what it means ----------------------------------------------


@dataclass(frozen=True)
class Endorsement:
    issuer: str
    comment: str
    valid_from: str
    status: str  # active, expired, suspended, revoked; "unknown" when not issued here


def endorsements(document: dict[str, Any], now: datetime) -> list[Endorsement]:
    """The endorsements in the achievement, each with its live status where issued here."""
    found = []
    items = achievement_of(document).get("endorsement") or []
    uuids = [str(i.get("id", "")).removeprefix("urn:uuid:") for i in items if isinstance(i, dict)]
    rows = {
        r.uuid: r
        for r in db.session.scalars(
            sa.select(IssuedCredential).where(IssuedCredential.uuid.in_(uuids))
        )
    }
    for item in items:
        if not isinstance(item, dict):
            continue
        issuer = item.get("issuer") or {}
        row = rows.get(str(item.get("id", "")).removeprefix("urn:uuid:"))
        found.append(
            Endorsement(
                issuer=str(issuer.get("name", "")) if isinstance(issuer, dict) else str(issuer),
                comment=str((item.get("credentialSubject") or {}).get("endorsementComment", "")),
                valid_from=str(item.get("validFrom", ""))[:10],
                status=row.status(now) if row is not None else "unknown",
            )
        )
    return found


@dataclass(frozen=True)
class AlignedItem:
    code: str
    title: str
    framework: str
    item: CompetencyItem | None


@dataclass(frozen=True)
class AreaCoverage:
    code: str
    title: str
    indicators: int
    aligned: int


@dataclass(frozen=True)
class OccupationCoverage:
    code: str
    title: str
    is_illustrative: bool
    notice: str
    areas: list[AreaCoverage]

    @property
    def covered_areas(self) -> int:
        return sum(1 for area in self.areas if area.aligned)

    @property
    def aligned_indicators(self) -> int:
        return sum(area.aligned for area in self.areas)

    @property
    def indicators(self) -> int:
        return sum(area.indicators for area in self.areas)


def aligned_items(document: dict[str, Any], locale: str) -> list[AlignedItem]:
    """The alignments of the credential's achievement, with the catalogue item of each."""
    alignments = [a for a in achievement_of(document).get("alignment") or [] if isinstance(a, dict)]
    codes = [str(a.get("targetCode", "")) for a in alignments if a.get("targetCode")]
    items: dict[str, list[CompetencyItem]] = defaultdict(list)
    if codes:
        for item in db.session.scalars(
            sa.select(CompetencyItem)
            .where(CompetencyItem.code.in_(codes))
            .options(so.joinedload(CompetencyItem.framework))
        ):
            items[item.code].append(item)
    found = []
    for alignment in alignments:
        code = str(alignment.get("targetCode", ""))
        url = str(alignment.get("targetUrl", ""))
        candidates = items.get(code, [])
        # Codes are unique per framework: the target URL names the item when two share one.
        item = next((i for i in candidates if url.endswith(i.uuid) or url == i.uri), None)
        item = item or (candidates[0] if len(candidates) == 1 else None)
        found.append(
            AlignedItem(
                code=code,
                title=text_in(item.title, locale) if item else str(alignment.get("targetName", "")),
                framework=str(alignment.get("targetFramework", "")),
                item=item,
            )
        )
    return found


class _Tree:
    """One framework's items as a tree (ids, parents, kinds, codes, titles): one query."""

    def __init__(self, framework_id: int) -> None:
        rows = db.session.execute(
            sa.select(
                CompetencyItem.id,
                CompetencyItem.parent_id,
                CompetencyItem.kind,
                CompetencyItem.code,
                CompetencyItem.title,
            )
            .where(CompetencyItem.framework_id == framework_id)
            .order_by(CompetencyItem.position, CompetencyItem.id)
        ).all()
        self.node = {row.id: row for row in rows}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for row in rows:
            self.children[row.parent_id].append(row.id)

    def leaves(self, item_id: int) -> set[int]:
        """The indicators (leaves) at or below an item."""
        found: set[int] = set()
        stack = [item_id]
        while stack:
            current = stack.pop()
            if self.node[current].kind in LEAF_KINDS:
                found.add(current)
            else:
                stack.extend(self.children[current])
        return found

    def occupation_of(self, item_id: int) -> int | None:
        current: int | None = item_id
        while current is not None and self.node[current].kind is not ItemKind.OCCUPATION:
            current = self.node[current].parent_id
        return current


def coverage(items: list[CompetencyItem], locale: str) -> list[OccupationCoverage]:
    """Where the items sit in their occupation standards: per occupation, its competency
    areas, with how many of each area's indicators the items cover (an aligned area or
    competency covers every indicator below it). Most-covered occupation first."""
    by_framework: dict[int, list[CompetencyItem]] = defaultdict(list)
    for item in items:
        by_framework[item.framework_id].append(item)
    result = []
    for framework_id, aligned in by_framework.items():
        framework = db.session.get(Framework, framework_id)
        tree = _Tree(framework_id)
        covered: set[int] = set()
        occupations: list[int] = []
        for item in aligned:
            covered |= tree.leaves(item.id)
            occupation = tree.occupation_of(item.id)
            if occupation is not None and occupation not in occupations:
                occupations.append(occupation)
        for occupation_id in occupations:
            areas = []
            for area_id in tree.children[occupation_id]:
                area_leaves = tree.leaves(area_id)
                areas.append(
                    AreaCoverage(
                        code=tree.node[area_id].code,
                        title=text_in(tree.node[area_id].title, locale),
                        indicators=len(area_leaves),
                        aligned=len(area_leaves & covered),
                    )
                )
            result.append(
                OccupationCoverage(
                    code=tree.node[occupation_id].code,
                    title=text_in(tree.node[occupation_id].title, locale),
                    is_illustrative=bool(framework and framework.is_illustrative),
                    notice=text_in(framework.notice, locale) if framework else "",
                    areas=areas,
                )
            )
    result.sort(key=lambda c: (-c.covered_areas, -c.aligned_indicators, c.code))
    return result


@dataclass(frozen=True)
class Recognition:
    """How an occupation certification reads in another framework, from the crosswalks."""

    kind: str  # equivalent | proposed | related
    code: str
    title: str
    framework: str
    crosswalk: str
    scope: str
    note: str
    source_title: str
    source_url: str
    source_date: str


def recognition(occupation_code: str, locale: str) -> list[Recognition]:
    """The crosswalk relations of the occupation item: declared exact matches (in force
    while their crosswalk is active) first, then proposed ones, then related-only links."""
    occupation = db.session.scalar(
        sa.select(CompetencyItem).where(
            CompetencyItem.code == occupation_code, CompetencyItem.kind == ItemKind.OCCUPATION
        )
    )
    if occupation is None:
        return []
    associations = db.session.scalars(
        sa.select(Association)
        .where(
            sa.or_(
                Association.origin_id == occupation.id,
                Association.destination_id == occupation.id,
            ),
            Association.case_type.in_([CaseType.EXACT_MATCH_OF, CaseType.IS_RELATED_TO]),
        )
        .options(
            so.joinedload(Association.origin).joinedload(CompetencyItem.framework),
            so.joinedload(Association.destination).joinedload(CompetencyItem.framework),
            so.joinedload(Association.crosswalk),
        )
        .order_by(Association.id)
    ).all()
    found = []
    for association in associations:
        crosswalk = association.crosswalk
        if crosswalk is not None and crosswalk.status is not CrosswalkStatus.ACTIVE:
            continue  # a withdrawn crosswalk no longer says anything
        other = (
            association.destination
            if association.origin_id == occupation.id
            else association.origin
        )
        if association.case_type is CaseType.EXACT_MATCH_OF:
            kind = "equivalent" if association.status is AssociationStatus.DECLARED else "proposed"
        else:
            kind = "related"
        source = (crosswalk.source or {}) if crosswalk is not None else {}
        found.append(
            Recognition(
                kind=kind,
                code=other.code,
                title=text_in(other.title, locale) or other.code,
                framework=text_in(other.framework.title, locale),
                crosswalk=text_in(crosswalk.title, locale) if crosswalk else "",
                scope=text_in((association.scope or {}).get("statement"), locale),
                note=text_in(association.note, locale),
                source_title=association.source_title or str(source.get("title", "")),
                source_url=association.source_url or str(source.get("url", "")),
                source_date=(
                    association.source_date.isoformat()
                    if association.source_date
                    else str(source.get("signed_on", ""))
                ),
            )
        )
    order = {"equivalent": 0, "proposed": 1, "related": 2}
    found.sort(key=lambda r: order[r.kind])
    return found


# -- the live check ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveCheck:
    """The credential checked now against this site's keys and status lists.

    `signature` is None when it verified, else why not; `revoked` and `suspended` are the
    bits of the issuer's signed status lists (what any verifier reads), `status` the
    credential's status as the wallet shows it.
    """

    checked_at: datetime
    signature: str | None
    issuer_did: str
    revoked: bool
    suspended: bool
    not_yet_valid: bool
    expired: bool
    status: str

    @property
    def is_authentic(self) -> bool:
        return self.signature is None

    @property
    def is_verified(self) -> bool:
        return self.is_authentic and not (
            self.revoked or self.suspended or self.expired or self.not_yet_valid
        )


def _resolver(row: IssuedCredential):
    def resolve(method_id: str) -> signing.ResolvedKey:
        controller, _, fragment = method_id.partition("#")
        key = db.session.scalar(sa.select(IssuerKey).where(IssuerKey.public_multibase == fragment))
        if key is None or key.organisation_id != row.issuer_organisation_id:
            raise signing.ProofError("the signing key is not one of the issuer's keys")
        return signing.ResolvedKey(multikey.decode_public(key.public_multibase), controller)

    return resolve


def live_check(row: IssuedCredential, *, now: datetime | None = None) -> LiveCheck:
    """Check the proof with the issuer's published keys (a key compromised before the
    proof was made does not vouch for it), that the key's controller is the issuer, the
    validity dates, and the credential's bits in the issuer's status lists."""
    now = now or utcnow()
    document = document_of(row)
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    problem = None
    try:
        for proof in signing.proofs_of(document):
            key = signing.verify_proof(document, proof, _resolver(row))
            if key.controller != issuer_id:
                raise signing.ProofError("the key that signed is not the issuer's")
            method = str(proof.get("verificationMethod", ""))
            signing_key = db.session.scalar(
                sa.select(IssuerKey).where(IssuerKey.public_multibase == method.partition("#")[2])
            )
            created = str(proof.get("created", ""))
            if (
                signing_key is not None
                and signing_key.revoked_at is not None
                and created >= signing_key.revoked_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            ):
                raise signing.ProofError("the issuer retired the signing key as compromised")
    except signing.ProofError as error:
        problem = str(error)
    revoked = status_list.get_bit(row.revocation_list.bits, row.revocation_index)
    suspended = status_list.get_bit(row.suspension_list.bits, row.suspension_index)
    return LiveCheck(
        checked_at=now,
        signature=problem,
        issuer_did=str(issuer_id or ""),
        revoked=revoked,
        suspended=suspended,
        not_yet_valid=row.valid_from > now,
        expired=row.valid_until is not None and row.valid_until <= now,
        status=row.status(now),
    )
