"""Full-text search over published micro-credential versions, with filters and facets.

Two tables make the index. `SearchDocument` (a model) holds each published version's filter
values: issuing college, effort, delivery mode, languages. `catalog_search_fts` (created by
the search-index migration, not a model) holds its text: code, title, summary and outcomes
in every language.

- SQLite: an FTS5 table (rowid = version id, tokenizer `unicode61 remove_diacritics 2`),
  ranked by bm25 with the code and title weighing most, then summary, then outcomes.
- PostgreSQL: a tsvector per version under a GIN index (code and title weight A, summary
  B, outcomes C), English text stemmed with `pathways_english`, French with
  `pathways_french`, any other language with `simple`; ranked by ts_rank. A query word
  matches through either stemmer, so "safeties" finds "safety" and "métiers" finds "métier".

Text is folded in Python before it reaches either engine (lower case, accents and
ligatures removed: "Sécurité à l'Œuvre" -> "securite a l'oeuvre"), so "securite" finds
"sécurité" and the reverse on both databases. Query words are ANDed; the last one is a
prefix ("saf" finds "safety"), as a user types. User input never reaches the MATCH or
tsquery syntax: a query word is a run of letters and digits, quoted.

`index_version` runs when a version is published or loaded, `unindex_version` when it is
retired, `reindex_all` from `flask pathways search-reindex`.
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
from pathways.catalog.enums import ItemKind
from pathways.catalog.enums import VersionStatus
from pathways.catalog.models import Alignment
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.models import SearchDocument
from pathways.catalog.models import SearchTerm
from pathways.catalog.models import VersionPartner
from pathways.db import db

FTS_TABLE = "catalog_search_fts"
# Letters and digits, any script (the same runs FTS5's unicode61 tokenizer keeps).
_WORD = re.compile(r"[^\W_]+")
# Words too common to narrow a search (English and French); dropped from queries.
STOP_WORDS = frozenset(
    "a an and are as at be by de des du en et for from in is it la le les of on or ou "
    "par pour sur the to un une with".split()
)
MAX_TERM = 64
MAX_QUERY_WORDS = 12
FACET_LANGUAGES = ("en", "fr", "es")
# bm25 weights of the FTS5 columns code, title, summary, outcomes.
BM25_WEIGHTS = (10.0, 10.0, 3.0, 1.0)
# The PostgreSQL text search configuration of each language of a language map.
TS_CONFIGS = {"en": "pathways_english", "fr": "pathways_french"}
FACET_NAMES = ("college", "delivery_mode", "language", "occupation", "partner")


def fold(text: str) -> str:
    """Lower case without accents: 'Sécurité À l'Œuvre' -> 'securite a l'oeuvre'."""
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


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic `include_name` hook: leave the search index out of schema comparisons.

    The FTS5 table (and the shadow tables FTS5 creates beside it) or the tsvector table
    is made by the search-index migration and written by this module; no model maps it.
    """
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE))


# Indexing ----------------------------------------------------------------------------------


def _texts(value: Any) -> dict[str, str]:
    """A language map's texts by language ('' for a plain string)."""
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items() if isinstance(v, str)}
    if isinstance(value, str):
        return {"": value}
    return {}


def _fields(version: MicroCredentialVersion) -> dict[str, dict[str, str]]:
    """The indexed fields of a version, each a map language -> folded text."""
    outcomes: dict[str, list[str]] = {}
    for outcome in version.outcomes or []:
        for language, text in _texts(outcome.get("text")).items():
            outcomes.setdefault(language, []).append(text)
    fields = {
        "code": {"": version.credential.code},
        "title": _texts(version.title),
        "summary": _texts(version.description),
        "outcomes": {language: " ".join(texts) for language, texts in outcomes.items()},
    }
    return {name: {k: fold(v) for k, v in texts.items()} for name, texts in fields.items()}


def document_text(version: MicroCredentialVersion) -> str:
    """The searchable text of a version: code, title, summary and outcomes, every language."""
    return " ".join(text for texts in _fields(version).values() for text in texts.values())


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _tsvector(texts: dict[str, str], weight: str, params: dict[str, str]) -> sa.ColumnElement:
    """setweight(to_tsvector(config, text) || ..., weight), one term per language."""
    vector = None
    for language, text in sorted(texts.items()):
        name = f"t{len(params)}"
        params[name] = text
        config = TS_CONFIGS.get(language, "simple")
        part = sa.func.to_tsvector(
            sa.literal_column(f"'{config}'::regconfig"), sa.bindparam(name, type_=sa.Text)
        )
        vector = part if vector is None else vector.op("||")(part)
    if vector is None:
        return sa.literal_column("''::tsvector")
    return sa.func.setweight(vector, sa.literal_column(f"'{weight}'"))


def _write_text(version: MicroCredentialVersion) -> None:
    fields = _fields(version)
    if _is_postgres():
        params: dict[str, str] = {}
        parts = [
            _tsvector(fields["code"], "A", params),
            _tsvector(fields["title"], "A", params),
            _tsvector(fields["summary"], "B", params),
            _tsvector(fields["outcomes"], "C", params),
        ]
        document = parts[0]
        for part in parts[1:]:
            document = document.op("||")(part)
        table = sa.table(FTS_TABLE, sa.column("version_id"), sa.column("document"))
        db.session.execute(
            sa.insert(table).values(version_id=version.id, document=document), params
        )
    else:
        db.session.execute(
            sa.text(
                f"INSERT INTO {FTS_TABLE} (rowid, code, title, summary, outcomes) "
                "VALUES (:id, :code, :title, :summary, :outcomes)"
            ),
            {"id": version.id, **{k: " ".join(v.values()) for k, v in fields.items()}},
        )


def index_version(version: MicroCredentialVersion) -> None:
    """(Re)index a version; only published versions are kept in the index."""
    unindex_version(version.id)
    if version.status is not VersionStatus.PUBLISHED:
        return
    db.session.add(
        SearchDocument(
            version_id=version.id,
            credential_id=version.credential_id,
            issuing_organisation_id=version.credential.issuing_organisation_id,
            effort_hours=version.effort_hours or 0,
            delivery_mode=version.delivery_mode.value if version.delivery_mode else "",
            languages=" " + " ".join(version.languages or []) + " ",
            text=" ".join(words(document_text(version))),
        )
    )
    db.session.flush()
    _write_text(version)


def unindex_version(version_id: int) -> None:
    """Remove a version from the index (nothing happens if it is not there)."""
    if not _is_postgres():  # on PostgreSQL the foreign key's ON DELETE CASCADE does it
        db.session.execute(
            sa.text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": version_id}
        )
    db.session.execute(sa.delete(SearchDocument).where(SearchDocument.version_id == version_id))


def reindex_all() -> int:
    """Rebuild the whole index from the published versions; returns how many were indexed."""
    db.session.execute(sa.text(f"DELETE FROM {FTS_TABLE}"))
    db.session.execute(sa.delete(SearchTerm))  # no longer written; rows of an older index
    db.session.execute(sa.delete(SearchDocument))
    versions = db.session.scalars(
        sa.select(MicroCredentialVersion)
        .where(MicroCredentialVersion.status == VersionStatus.PUBLISHED)
        .options(so.joinedload(MicroCredentialVersion.credential))
    ).all()
    for version in versions:
        index_version(version)
    return len(versions)


# Searching ---------------------------------------------------------------------------------


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
    """A page of version ids, best match first, the total, and the facets.

    `facets` maps each of FACET_NAMES to {value: count}: a college, partner or occupation
    code, a delivery mode ('' for none), a language code; values with no match are left out.
    """

    total: int
    version_ids: list[int]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def match_expression(text: str) -> str:
    """The FTS5 MATCH string of a user's query: quoted words ANDed, the last a prefix.

    Quoting makes every word a plain string (no operators, columns or NEAR); '' means no
    text condition.
    """
    terms = words(text)[:MAX_QUERY_WORDS]
    quoted = [f'"{term}"' for term in terms]
    if quoted:
        quoted[-1] += "*"
    return " ".join(quoted)


def tsquery_terms(text: str) -> list[str]:
    """The to_tsquery() argument of each query word: quoted, the last one a prefix."""
    terms = [f"'{term}'" for term in words(text)[:MAX_QUERY_WORDS]]
    if terms:
        terms[-1] += ":*"
    return terms


def _tsquery(terms: list[str]) -> sa.ColumnElement:
    """Each word through each stemmer (OR), the words ANDed."""
    query = None
    for index, term in enumerate(terms):
        param = sa.bindparam(f"q{index}", term, type_=sa.Text)
        either = None
        for config in (*TS_CONFIGS.values(), "simple"):
            part = sa.func.to_tsquery(sa.literal_column(f"'{config}'::regconfig"), param)
            either = part if either is None else either.op("||")(part)
        query = either if query is None else query.op("&&")(either)
    assert query is not None
    return query


def _org_id(code: str) -> sa.ScalarSelect:
    return sa.select(Organisation.id).where(Organisation.code == code).scalar_subquery()


def _aligned_under(code: str, version_id: sa.ColumnElement, name: str) -> sa.Exists:
    """The version aligns to the items with this code or to an item below them."""
    tree = (
        sa.select(CompetencyItem.id)
        .where(CompetencyItem.code == code)
        .cte(f"{name}_items", recursive=True)
    )
    child = so.aliased(CompetencyItem)
    tree = tree.union_all(sa.select(child.id).where(child.parent_id == tree.c.id))
    return sa.exists().where(
        Alignment.version_id == version_id, Alignment.item_id.in_(sa.select(tree.c.id))
    )


def _matching(filters: SearchFilters) -> tuple[sa.Select, list[str]]:
    """The documents matching the text and the non-facet filters, with a score (lower is
    better) and one boolean column per facet filter set; and the names of those filters."""
    doc = SearchDocument.__table__
    columns: list[Any] = [
        doc.c.version_id,
        doc.c.issuing_organisation_id,
        doc.c.delivery_mode,
        doc.c.languages,
    ]
    source: Any = doc
    conditions: list[Any] = []
    if _is_postgres():
        terms = tsquery_terms(filters.text)
        if terms:
            fts = sa.table(FTS_TABLE, sa.column("version_id"), sa.column("document"))
            query = _tsquery(terms)
            source = doc.join(fts, fts.c.version_id == doc.c.version_id)
            conditions.append(fts.c.document.op("@@")(query))
            score = -sa.func.ts_rank(fts.c.document, query)
        else:
            score = sa.literal_column("0")
    else:
        expression = match_expression(filters.text)
        if expression:
            fts = sa.table(FTS_TABLE, sa.column("rowid"))
            source = fts.join(doc, doc.c.version_id == fts.c.rowid)
            conditions.append(
                sa.literal_column(FTS_TABLE).op("MATCH")(sa.bindparam("match", expression))
            )
            score = sa.func.bm25(
                sa.literal_column(FTS_TABLE), *(sa.literal(w) for w in BM25_WEIGHTS)
            )
        else:
            score = sa.literal_column("0")
    columns.append(score.label("score"))
    if filters.effort_min is not None:
        conditions.append(doc.c.effort_hours >= filters.effort_min)
    if filters.effort_max is not None:
        conditions.append(doc.c.effort_hours <= filters.effort_max)
    if filters.competency:
        conditions.append(_aligned_under(filters.competency, doc.c.version_id, "competency"))
    flags = {}
    if filters.college:
        flags["college"] = doc.c.issuing_organisation_id == _org_id(filters.college)
    if filters.delivery_mode:
        flags["delivery_mode"] = doc.c.delivery_mode == filters.delivery_mode
    if filters.language:
        flags["language"] = doc.c.languages.contains(f" {filters.language} ", autoescape=True)
    if filters.occupation:
        flags["occupation"] = _aligned_under(filters.occupation, doc.c.version_id, "occupation")
    if filters.partner:
        flags["partner"] = sa.exists().where(
            VersionPartner.version_id == doc.c.version_id,
            VersionPartner.organisation_id == _org_id(filters.partner),
        )
    columns.extend(condition.label(f"f_{name}") for name, condition in flags.items())
    return sa.select(*columns).select_from(source).where(*conditions), list(flags)


def _occupation_map() -> sa.CTE:
    """(item_id, occupation_id): every item below an occupation or certification, and itself."""
    item = CompetencyItem.__table__
    tree = (
        sa.select(item.c.id.label("item_id"), item.c.id.label("occupation_id"))
        .where(item.c.kind.in_([ItemKind.OCCUPATION.value, ItemKind.CERTIFICATION.value]))
        .cte("occupation_map", recursive=True)
    )
    child = item.alias("child")
    return tree.union_all(
        sa.select(child.c.id, tree.c.occupation_id).where(child.c.parent_id == tree.c.item_id)
    )


def search(
    filters: SearchFilters, *, offset: int = 0, limit: int = 20, facets: bool = True
) -> SearchResult:
    """Published version ids matching `filters`, best match first, a page of them, and facets.

    Without text, newest first; ties keep the newest first too. One SQL statement computes
    the page, the total and every facet. A facet's counts (college, delivery mode,
    language, occupation, partner) apply every filter but its own, so a user sees what
    choosing another value would give; the counts for a multi-valued facet (a version
    with two partners) add up to more than the total.
    """
    matching, flagged = _matching(filters)
    base = matching.cte("base")

    def where(skip: str | None = None) -> list[Any]:
        return [base.c[f"f_{name}"] for name in flagged if name != skip]

    def arm(dimension: str, key: Any, count: Any) -> sa.Select:
        return sa.select(
            sa.literal(dimension, sa.String).label("dimension"),
            sa.cast(key, sa.String).label("key"),
            count.label("n"),
            sa.cast(sa.literal_column("0"), sa.Float).label("score"),
        )

    page = (
        sa.select(base.c.version_id, base.c.score)
        .where(*where())
        .order_by(base.c.score, base.c.version_id.desc())
        .offset(offset)
        .limit(limit)
        .subquery("page")
    )
    arms: list[sa.Select] = [
        sa.select(
            sa.literal("page", sa.String),
            sa.cast(sa.literal(""), sa.String),
            page.c.version_id,
            sa.cast(page.c.score, sa.Float),
        ),
        arm("total", sa.literal(""), sa.func.count()).select_from(base).where(*where()),
    ]
    if facets:
        arms.extend(_facet_arms(base, where, arm))
    rows = db.session.execute(sa.union_all(*arms)).all()
    result = SearchResult(total=0, version_ids=[])
    ranked = []
    if facets:
        result.facets = {name: {} for name in FACET_NAMES}
    for dimension, key, n, score in rows:
        if dimension == "page":
            ranked.append((score, -n))
        elif dimension == "total":
            result.total = n
        elif n:
            result.facets[dimension][key] = n
    result.version_ids = [-negated for _score, negated in sorted(ranked)]
    result.facets = {name: dict(sorted(counts.items())) for name, counts in result.facets.items()}
    return result


def _facet_arms(base: sa.CTE, where: Any, arm: Any) -> list[sa.Select]:
    organisation = Organisation.__table__
    partner = VersionPartner.__table__
    alignment = Alignment.__table__
    item = CompetencyItem.__table__
    occupations = _occupation_map()
    distinct = sa.func.count(sa.distinct(base.c.version_id))
    arms = [
        arm("college", organisation.c.code, sa.func.count())
        .select_from(base.join(organisation, organisation.c.id == base.c.issuing_organisation_id))
        .where(*where("college"))
        .group_by(organisation.c.code),
        arm("delivery_mode", base.c.delivery_mode, sa.func.count())
        .select_from(base)
        .where(*where("delivery_mode"))
        .group_by(base.c.delivery_mode),
        arm("partner", organisation.c.code, distinct)
        .select_from(
            base.join(partner, partner.c.version_id == base.c.version_id).join(
                organisation, organisation.c.id == partner.c.organisation_id
            )
        )
        .where(*where("partner"))
        .group_by(organisation.c.code),
        arm("occupation", item.c.code, distinct)
        .select_from(
            base.join(alignment, alignment.c.version_id == base.c.version_id)
            .join(occupations, occupations.c.item_id == alignment.c.item_id)
            .join(item, item.c.id == occupations.c.occupation_id)
        )
        .where(*where("occupation"))
        .group_by(item.c.code),
    ]
    for code in FACET_LANGUAGES:
        arms.append(
            arm("language", sa.literal(code), sa.func.count())
            .select_from(base)
            .where(base.c.languages.contains(f" {code} "), *where("language"))
        )
    return arms
