"""Full-text search over published micro-credential versions, with filters and facets.

The index is a table the app maintains (`SearchDocument` + the inverted `SearchTerm`):
`index_version` is called when a version is published or loaded, `unindex_version` when
it is retired. Words are folded (lower case, accents removed: "sécurité" -> "securite") in
English and French alike, so "securite" finds "Sécurité"; each query word matches words
that start with it. The same SQL runs on SQLite and PostgreSQL, which keeps the schema
identical to the models (no virtual tables the migration test would see).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.accounts.models import Organisation
from pathways.catalog.enums import VersionStatus
from pathways.catalog.models import Alignment
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.models import SearchDocument
from pathways.catalog.models import SearchTerm
from pathways.catalog.models import VersionPartner
from pathways.db import db

_WORD = re.compile(r"[a-z0-9]+")
# Words too common to narrow a search (English and French).
STOP_WORDS = frozenset(
    "a an and are as at be by de des du en et for from in is it la le les of on or ou "
    "par pour sur the to un une with".split()
)
MAX_TERM = 64
FACET_LANGUAGES = ("en", "fr", "es")


def fold(text: str) -> str:
    """Lower case without accents: 'Sécurité à l'Œuvre' -> 'securite a l'oeuvre'."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The folded words of a text, stop words dropped, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(fold(text)):
        if word not in STOP_WORDS:
            seen.setdefault(word[:MAX_TERM])
    return list(seen)


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [str(text) for text in value.values() if isinstance(text, str)]
    if isinstance(value, str):
        return [value]
    return []


def document_text(version: MicroCredentialVersion) -> str:
    """The searchable text of a version: code, title, summary and outcomes, every language."""
    parts = [version.credential.code, *_texts(version.title), *_texts(version.description)]
    for outcome in version.outcomes or []:
        parts.extend(_texts(outcome.get("text")))
    return " ".join(parts)


def index_version(version: MicroCredentialVersion) -> None:
    """(Re)index a version; only published versions are kept in the index."""
    unindex_version(version.id)
    if version.status is not VersionStatus.PUBLISHED:
        return
    text = document_text(version)
    db.session.add(
        SearchDocument(
            version_id=version.id,
            credential_id=version.credential_id,
            issuing_organisation_id=version.credential.issuing_organisation_id,
            effort_hours=version.effort_hours or 0,
            delivery_mode=version.delivery_mode.value if version.delivery_mode else "",
            languages=" " + " ".join(version.languages or []) + " ",
            text=" ".join(words(text)),
        )
    )
    db.session.flush()
    terms = words(text)
    if terms:
        db.session.execute(
            sa.insert(SearchTerm), [{"term": term, "version_id": version.id} for term in terms]
        )


def unindex_version(version_id: int) -> None:
    db.session.execute(sa.delete(SearchTerm).where(SearchTerm.version_id == version_id))
    db.session.execute(sa.delete(SearchDocument).where(SearchDocument.version_id == version_id))


def reindex_all() -> int:
    """Rebuild the whole index from the published versions; returns how many were indexed."""
    db.session.execute(sa.delete(SearchTerm))
    db.session.execute(sa.delete(SearchDocument))
    versions = db.session.scalars(
        sa.select(MicroCredentialVersion)
        .where(MicroCredentialVersion.status == VersionStatus.PUBLISHED)
        .options(so.joinedload(MicroCredentialVersion.credential))
    ).all()
    for version in versions:
        index_version(version)
    return len(versions)


@dataclass(frozen=True)
class SearchFilters:
    """What a search narrows to; every field is optional."""

    text: str = ""
    occupation: str | None = None  # an occupation (or certification) item code
    competency: str | None = None  # any item code: aligned to it or to a leaf below it
    college: str | None = None  # issuing organisation code
    partner: str | None = None  # partner organisation code
    effort_min: int | None = None
    effort_max: int | None = None
    language: str | None = None
    delivery_mode: str | None = None


@dataclass
class SearchResult:
    total: int
    version_ids: list[int]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def _item_ids_under(code: str) -> sa.Select:
    """Ids of the items with this code and every item below them (a recursive CTE)."""
    tree = sa.select(CompetencyItem.id).where(CompetencyItem.code == code).cte(recursive=True)
    child = so.aliased(CompetencyItem)
    tree = tree.union_all(sa.select(child.id).where(child.parent_id == tree.c.id))
    return sa.select(tree.c.id)


def _filtered(filters: SearchFilters, *, skip: str | None = None) -> sa.Select:
    """Select the matching document ids; `skip` leaves one facet's own filter out."""
    doc = SearchDocument
    query = sa.select(doc.version_id)
    for word in words(filters.text):
        # Each word: every indexed term it starts (a range scan on the primary key).
        upper = word[:-1] + chr(ord(word[-1]) + 1)
        query = query.where(
            sa.exists().where(
                SearchTerm.version_id == doc.version_id,
                SearchTerm.term >= word,
                SearchTerm.term < upper,
            )
        )
    if filters.college and skip != "college":
        query = query.where(
            doc.issuing_organisation_id
            == sa.select(Organisation.id)
            .where(Organisation.code == filters.college)
            .scalar_subquery()
        )
    if filters.partner and skip != "partner":
        query = query.where(
            sa.exists().where(
                VersionPartner.version_id == doc.version_id,
                VersionPartner.organisation_id
                == sa.select(Organisation.id)
                .where(Organisation.code == filters.partner)
                .scalar_subquery(),
            )
        )
    if filters.effort_min is not None:
        query = query.where(doc.effort_hours >= filters.effort_min)
    if filters.effort_max is not None:
        query = query.where(doc.effort_hours <= filters.effort_max)
    if filters.language and skip != "language":
        query = query.where(doc.languages.contains(f" {filters.language} "))
    if filters.delivery_mode and skip != "delivery_mode":
        query = query.where(doc.delivery_mode == filters.delivery_mode)
    for code in (filters.occupation, filters.competency):
        if code:
            query = query.where(
                sa.exists().where(
                    Alignment.version_id == doc.version_id,
                    Alignment.item_id.in_(_item_ids_under(code)),
                )
            )
    return query


def search(
    filters: SearchFilters, *, offset: int = 0, limit: int = 20, facets: bool = True
) -> SearchResult:
    """Published version ids matching `filters`, newest first, a page of them, and facets.

    Facet counts for college, delivery mode and language are computed with every other
    filter applied (not their own), so a user can see what switching a value would give.
    """
    matching = _filtered(filters).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(matching)) or 0
    ids = list(
        db.session.scalars(
            sa.select(matching.c.version_id)
            .order_by(matching.c.version_id.desc())
            .offset(offset)
            .limit(limit)
        )
    )
    result = SearchResult(total=total, version_ids=ids)
    if facets:
        result.facets = _facets(filters)
    return result


def _facets(filters: SearchFilters) -> dict[str, dict[str, int]]:
    doc = SearchDocument
    facets: dict[str, dict[str, int]] = {}
    college_ids = _filtered(filters, skip="college").subquery()
    facets["college"] = {
        code: count
        for code, count in db.session.execute(
            sa.select(Organisation.code, sa.func.count())
            .select_from(doc)
            .join(college_ids, college_ids.c.version_id == doc.version_id)
            .join(Organisation, Organisation.id == doc.issuing_organisation_id)
            .group_by(Organisation.code)
            .order_by(Organisation.code)
        )
    }
    mode_ids = _filtered(filters, skip="delivery_mode").subquery()
    facets["delivery_mode"] = {
        mode: count
        for mode, count in db.session.execute(
            sa.select(doc.delivery_mode, sa.func.count())
            .join(mode_ids, mode_ids.c.version_id == doc.version_id)
            .group_by(doc.delivery_mode)
            .order_by(doc.delivery_mode)
        )
    }
    language_ids = _filtered(filters, skip="language").subquery()
    row = db.session.execute(
        sa.select(
            *(
                sa.func.coalesce(
                    sa.func.sum(sa.case((doc.languages.contains(f" {code} "), 1), else_=0)), 0
                )
                for code in FACET_LANGUAGES
            )
        )
        .select_from(doc)
        .join(language_ids, language_ids.c.version_id == doc.version_id)
    ).one()
    facets["language"] = {code: int(n) for code, n in zip(FACET_LANGUAGES, row, strict=True) if n}
    return facets
