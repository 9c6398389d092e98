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

Facet counts and totals come from a per-process cache of every indexed version's facet
values as bitsets (`_FacetCache`), checked on each search against a token that triggers
change with every change of the index (`catalog_search_fts_state`, search-state migration):
SQL finds the page and the ids matching the text; Python ANDs and counts bits, ~60
popcounts instead of joining every matching version's facet rows (10-30 ms at 10,000).

`index_version` runs when a version is published or loaded, `unindex_version` when it is
retired, `reindex_all` from `flask pathways search-reindex`.
"""

from __future__ import annotations

import functools
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
from pathways.catalog.models import MicroCredential
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.models import SearchDocument
from pathways.catalog.models import VersionPartner
from pathways.db import db

FTS_TABLE = "catalog_search_fts"
# (version_id, facet, value): a version's college, delivery mode, languages, partners and
# occupations, one row each; written with the text, read by filters and facet counts.
FACET_TABLE = "catalog_search_fts_facet"
# One row, a token that triggers change with every change of the index (search-state
# migration); a facet cache is valid while the token it was read with is current.
STATE_TABLE = "catalog_search_fts_state"
_facet_table = sa.table(
    FACET_TABLE, sa.column("version_id"), sa.column("facet"), sa.column("value")
)
# Letters and digits, any script (the same runs FTS5's unicode61 tokenizer keeps).
_WORD = re.compile(r"[^\W_]+")
# Words too common to narrow a search (English and French); dropped from queries.
STOP_WORDS = frozenset(
    "a an and are as at be by de des du en et for from in is it la le les of on or ou "
    "par pour sur the to un une with".split()
)
MAX_TERM = 64
MAX_QUERY_WORDS = 12
# bm25 weights of the FTS5 columns code, title, summary, outcomes.
BM25_WEIGHTS = (10.0, 10.0, 3.0, 1.0)
# The PostgreSQL text search configuration of each language of a language map.
TS_CONFIGS = {"en": "pathways_english", "fr": "pathways_french"}
ONE = sa.literal_column("1")
ZERO = sa.literal_column("0")
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


def _fields(code: str, title: Any, description: Any, outcomes: Any) -> dict[str, dict[str, str]]:
    """The indexed fields of a version, each a map language -> folded text."""
    outcome_texts: dict[str, list[str]] = {}
    for outcome in outcomes or []:
        for language, text in _texts(outcome.get("text")).items():
            outcome_texts.setdefault(language, []).append(text)
    fields = {
        "code": {"": code},
        "title": _texts(title),
        "summary": _texts(description),
        "outcomes": {language: " ".join(texts) for language, texts in outcome_texts.items()},
    }
    return {name: {k: fold(v) for k, v in texts.items()} for name, texts in fields.items()}


def document_text(version: MicroCredentialVersion) -> str:
    """The searchable text of a version: code, title, summary and outcomes, every language."""
    fields = _fields(version.credential.code, version.title, version.description, version.outcomes)
    return " ".join(text for texts in fields.values() for text in texts.values())


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _postgres_insert() -> sa.TextClause:
    """One row of the tsvector table: each field's English, French and other texts."""

    def weighted(name: str, weight: str) -> str:
        return (
            f"setweight(to_tsvector('pathways_english', :{name}_en)"
            f" || to_tsvector('pathways_french', :{name}_fr)"
            f" || to_tsvector('simple', :{name}_xx), '{weight}')"
        )

    document = " || ".join(
        weighted(name, weight)
        for name, weight in (("code", "A"), ("title", "A"), ("summary", "B"), ("outcomes", "C"))
    )
    return sa.text(f"INSERT INTO {FTS_TABLE} (version_id, document) VALUES (:id, {document})")


_SQLITE_INSERT = sa.text(
    f"INSERT INTO {FTS_TABLE} (rowid, code, title, summary, outcomes) "
    "VALUES (:id, :code, :title, :summary, :outcomes)"
)


def _text_row(version_id: int, fields: dict[str, dict[str, str]], postgres: bool) -> dict:
    row: dict[str, Any] = {"id": version_id}
    for name, texts in fields.items():
        if postgres:
            row[f"{name}_en"] = texts.get("en", "")
            row[f"{name}_fr"] = texts.get("fr", "")
            row[f"{name}_xx"] = " ".join(t for k, t in texts.items() if k not in ("en", "fr"))
        else:
            row[name] = " ".join(texts.values())
    return row


def _index_rows(rows: list[sa.Row]) -> None:
    """Write the documents, texts and facet values of published versions (rows of
    `_published_versions`)."""
    if not rows:
        return
    postgres = _is_postgres()
    documents = []
    texts = []
    facets = []
    for row in rows:
        fields = _fields(row.code, row.title, row.description, row.outcomes)
        mode = row.delivery_mode.value if row.delivery_mode else ""
        documents.append(
            {
                "version_id": row.id,
                "credential_id": row.credential_id,
                "issuing_organisation_id": row.issuing_organisation_id,
                "effort_hours": row.effort_hours or 0,
                "delivery_mode": mode,
                "languages": " " + " ".join(row.languages or []) + " ",
                # The text lives in the FTS table; a copy here would only widen the rows
                # every search reads.
            }
        )
        texts.append(_text_row(row.id, fields, postgres))
        facets.append({"version_id": row.id, "facet": "college", "value": row.college})
        facets.append({"version_id": row.id, "facet": "delivery_mode", "value": mode})
        for language in sorted(set(row.languages or [])):
            facets.append({"version_id": row.id, "facet": "language", "value": language})
    db.session.execute(sa.insert(SearchDocument), documents)
    db.session.execute(_postgres_insert() if postgres else _SQLITE_INSERT, texts)
    db.session.execute(sa.insert(_facet_table), facets)
    ids = [row.id for row in rows]
    partner = VersionPartner.__table__
    organisation = Organisation.__table__
    alignment = Alignment.__table__
    item = CompetencyItem.__table__
    occupations = _occupation_map()
    columns = ["version_id", "facet", "value"]
    for select in (
        sa.select(partner.c.version_id, sa.literal_column("'partner'"), organisation.c.code)
        .join(organisation, organisation.c.id == partner.c.organisation_id)
        .where(partner.c.version_id.in_(ids)),
        sa.select(alignment.c.version_id, sa.literal_column("'occupation'"), item.c.code)
        .join(occupations, occupations.c.item_id == alignment.c.item_id)
        .join(item, item.c.id == occupations.c.occupation_id)
        .where(alignment.c.version_id.in_(ids)),
    ):
        db.session.execute(sa.insert(_facet_table).from_select(columns, select.distinct()))


def _occupation_map() -> sa.CTE:
    """(item_id, occupation_id): every item below an occupation or certification, and itself."""
    item = CompetencyItem.__table__
    kinds = [
        sa.literal_column(f"'{k.value}'") for k in (ItemKind.OCCUPATION, ItemKind.CERTIFICATION)
    ]
    tree = (
        sa.select(item.c.id.label("item_id"), item.c.id.label("occupation_id"))
        .where(item.c.kind.in_(kinds))
        .cte("occupation_map", recursive=True)
    )
    child = item.alias("child")
    return tree.union_all(
        sa.select(child.c.id, tree.c.occupation_id).where(child.c.parent_id == tree.c.item_id)
    )


def _published_versions() -> sa.Select:
    version = MicroCredentialVersion
    return (
        sa.select(
            version.id,
            version.credential_id,
            MicroCredential.code,
            MicroCredential.issuing_organisation_id,
            Organisation.code.label("college"),
            version.title,
            version.description,
            version.outcomes,
            version.effort_hours,
            version.delivery_mode,
            version.languages,
        )
        .join(MicroCredential, MicroCredential.id == version.credential_id)
        .join(Organisation, Organisation.id == MicroCredential.issuing_organisation_id)
        .where(version.status == VersionStatus.PUBLISHED)
    )


def index_version(version: MicroCredentialVersion) -> None:
    """(Re)index a version; only published versions are kept in the index."""
    unindex_version(version.id)
    if version.status is VersionStatus.PUBLISHED:
        db.session.flush()
        _index_rows(
            db.session.execute(
                _published_versions().where(MicroCredentialVersion.id == version.id)
            ).all()
        )


def unindex_version(version_id: int) -> None:
    """Remove a version from the index (nothing happens if it is not there)."""
    if not _is_postgres():  # on PostgreSQL the foreign keys' ON DELETE CASCADE does it
        db.session.execute(
            sa.text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": version_id}
        )
        db.session.execute(sa.delete(_facet_table).where(_facet_table.c.version_id == version_id))
    db.session.execute(sa.delete(SearchDocument).where(SearchDocument.version_id == version_id))


def reindex_all(batch: int = 1000) -> int:
    """Rebuild the whole index from the published versions; returns how many were indexed.

    Bulk inserts, `batch` versions at a time: 10,000 versions take seconds, not minutes.
    """
    db.session.execute(sa.text(f"DELETE FROM {FTS_TABLE}"))
    db.session.execute(sa.delete(_facet_table))
    db.session.execute(sa.delete(SearchDocument))
    db.session.flush()
    count = 0
    result = db.session.execute(
        _published_versions().order_by(MicroCredentialVersion.id),
        execution_options={"yield_per": batch},
    )
    for rows in result.partitions():
        _index_rows(list(rows))
        count += len(rows)
    if not _is_postgres():
        # Merge the b-trees the bulk insert wrote into one: fewer pages per query.
        db.session.execute(sa.text(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')"))
    return count


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

    `facets` maps each of FACET_NAMES to {value: count}, values sorted: a college, partner
    or occupation code, a delivery mode ('' for none), a language code; values with no
    match are left out. Empty when the search was asked for no facets.
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


@dataclass(frozen=True)
class _Shape:
    """What decides the SQL of a search (the values are bound parameters)."""

    dialect: str
    terms: int  # query words (PostgreSQL: one tsquery each); SQLite: 0 or 1 (one MATCH)
    flags: tuple[str, ...]  # the facet filters set, in FACET_NAMES order
    competency: bool
    effort_min: bool
    effort_max: bool
    facets: bool


def _tsquery(terms: int) -> sa.ColumnElement:
    """Each word through each stemmer (OR), the words ANDed."""
    query = None
    for index in range(terms):
        param = sa.bindparam(f"q{index}", type_=sa.Text)
        either = None
        for config in (*TS_CONFIGS.values(), "simple"):
            part = sa.func.to_tsquery(sa.literal_column(f"'{config}'::regconfig"), param)
            either = part if either is None else either.op("||")(part)
        query = either if query is None else query.op("&&")(either)
    assert query is not None
    return query


def _aligned_under(param: str, name: str) -> sa.Select:
    """Ids of the versions aligned to the items with this code or to an item below them.

    Uncorrelated, so the database computes the set once, not once per document.
    """
    tree = (
        sa.select(CompetencyItem.id)
        .where(CompetencyItem.code == sa.bindparam(param))
        .cte(f"{name}_items", recursive=True)
    )
    child = so.aliased(CompetencyItem)
    tree = tree.union_all(sa.select(child.id).where(child.parent_id == tree.c.id))
    return sa.select(Alignment.version_id).where(Alignment.item_id.in_(sa.select(tree.c.id)))


def _with_facet(facet: str) -> sa.Select:
    """Ids of the versions with the facet value bound to the parameter named `facet`."""
    return sa.select(_facet_table.c.version_id).where(
        _facet_table.c.facet == sa.literal_column(f"'{facet}'"),
        _facet_table.c.value == sa.bindparam(facet),
    )


def _matching(shape: _Shape) -> sa.Select:
    """The ids of the documents matching the text and the non-facet filters (effort,
    competency), with a score (lower is better)."""
    doc = SearchDocument.__table__
    conditions: list[Any] = []
    score: Any = sa.literal_column("0")
    if shape.terms and shape.dialect == "postgresql":
        fts = sa.table(FTS_TABLE, sa.column("version_id"), sa.column("document"))
        query = _tsquery(shape.terms)
        source: Any = fts
        version_id = fts.c.version_id
        conditions.append(fts.c.document.op("@@")(query))
        score = -sa.func.ts_rank(fts.c.document, query)
    elif shape.terms:
        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        source = fts
        # `+ 0`: a condition on the rowid itself (a competency or facet filter's IN list)
        # would make FTS5 run the MATCH once per listed id, ~100x slower than once.
        version_id = fts.c.rowid + 0
        conditions.append(sa.literal_column(FTS_TABLE).op("MATCH")(sa.bindparam("match")))
        score = sa.func.bm25(
            sa.literal_column(FTS_TABLE), *(sa.literal_column(repr(w)) for w in BM25_WEIGHTS)
        )
    else:
        source = doc
        version_id = doc.c.version_id
    if shape.effort_min or shape.effort_max:
        if shape.terms:  # the text table alone has every indexed version; effort needs both
            source = source.join(doc, doc.c.version_id == version_id)
        if shape.effort_min:
            conditions.append(doc.c.effort_hours >= sa.bindparam("effort_min"))
        if shape.effort_max:
            conditions.append(doc.c.effort_hours <= sa.bindparam("effort_max"))
    if shape.competency:
        aligned = version_id.in_(_aligned_under("competency", "competency"))
        if shape.dialect == "postgresql":
            # Not a top-level IN, so not a semi-join: PostgreSQL, misjudging how many
            # documents a word matches, would probe the alignments once per document
            # (~10 ms); as a hashed subplan it reads the aligned versions once.
            aligned = sa.func.coalesce(aligned, sa.false())
        conditions.append(aligned)
    return (
        sa.select(version_id.label("version_id"), score.label("score"))
        .select_from(source)
        .where(*conditions)
    )


def _narrowed(shape: _Shape) -> bool:
    """Whether the text or a non-facet filter narrows the documents."""
    return bool(shape.terms or shape.effort_min or shape.effort_max or shape.competency)


def _flag_conditions(base: Any, shape: _Shape) -> list[Any]:
    """The facet filters set, as conditions on the ids of `_matching` (each facet value a
    range of the facet table's (facet, value, version_id) index)."""
    return [base.c.version_id.in_(_with_facet(name)) for name in shape.flags]


def _row(dimension: str, key: Any, n: Any, score: Any) -> list[Any]:
    return [
        sa.literal_column(f"'{dimension}'").label("dimension"),
        sa.cast(key, sa.String).label("key"),
        n.label("n"),
        sa.cast(score, sa.Float).label("score"),
    ]


def _statement(shape: _Shape) -> sa.CompoundSelect:
    """The page; then, with facets, the search index's state token and (when the text or a
    non-facet filter narrows them) the ids of the documents matched before the facet
    filters, whose facets the cache counts; without facets, the total."""
    empty = sa.literal_column("''")
    matching = _matching(shape)
    base: Any = matching.cte("base") if shape.facets and _narrowed(shape) else matching.subquery()
    page = (
        sa.select(base.c.version_id, base.c.score)
        .where(*_flag_conditions(base, shape))
        .order_by(base.c.score, base.c.version_id.desc())
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
        .subquery("page")
    )
    arms: list[sa.Select] = [sa.select(*_row("page", empty, page.c.version_id, page.c.score))]
    if not shape.facets:
        counted = matching.subquery("counted")
        arms.append(
            sa.select(*_row("total", empty, sa.func.count(), ZERO))
            .select_from(counted)
            .where(*_flag_conditions(counted, shape))
        )
        return sa.union_all(*arms)
    state = sa.table(STATE_TABLE, sa.column("id"), sa.column("token"))
    arms.append(
        sa.select(*_row("state", state.c.token, ZERO, ZERO)).where(
            state.c.id == sa.literal_column("1")
        )
    )
    if _narrowed(shape):
        # One row, the ids comma-separated: thousands of rows cost more to fetch.
        ids = (
            sa.func.string_agg(sa.cast(base.c.version_id, sa.Text), sa.literal_column("','"))
            if shape.dialect == "postgresql"
            else sa.func.group_concat(base.c.version_id)
        )
        arms.append(sa.select(*_row("match", ids, ZERO, ZERO)))
    return sa.union_all(*arms)


@functools.lru_cache(maxsize=512)
def _built(shape: _Shape) -> sa.CompoundSelect:
    """The statement of a shape, built once per process (its values are bound per call).

    Building it costs more than running it on 10,000 documents; a shape has few variants
    (which filters are set), and SQLAlchemy's own cache then reuses the compiled SQL.
    """
    return _statement(shape)


# Facet counts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FacetCache:
    """Every indexed version's facet values as bitsets: bit i stands for `ids[i]`.

    Counting a facet over a few thousand matching versions in SQL means joining as many
    rows again per value they hold (~20,000 rows for a common word, 10-30 ms); with
    bitsets it is one AND and one popcount per facet value (~60 in all, under a
    millisecond). Valid while the index's state token is `token`.
    """

    token: str
    ids: list[int]  # indexed version ids, ascending
    position: dict[int, int]  # version id -> bit
    every: int  # a bit for each indexed version
    values: dict[str, dict[str, int]]  # facet -> value -> versions with it

    def mask(self, version_ids: list[int]) -> int:
        bits = bytearray((len(self.ids) + 8) // 8)
        position = self.position
        for version_id in version_ids:
            index = position.get(version_id)
            if index is not None:
                bits[index >> 3] |= 1 << (index & 7)
        return int.from_bytes(bits, "little")


# By database URL: a process may serve (or a test or bench run use) more than one.
_facet_caches: dict[str, _FacetCache] = {}


def _load_facet_cache() -> _FacetCache:
    """Read the state token, the indexed versions and their facet values in one statement
    (one snapshot, so the token describes the rows read)."""
    state = sa.table(STATE_TABLE, sa.column("token"))
    doc = SearchDocument.__table__
    facet = _facet_table
    empty = sa.literal_column("''")
    statement = sa.union_all(
        sa.select(
            sa.literal_column("'state'").label("facet"),
            sa.cast(state.c.token, sa.String).label("value"),
            ZERO.label("version_id"),
        ).select_from(state),
        sa.select(sa.literal_column("'doc'"), sa.cast(empty, sa.String), doc.c.version_id),
        sa.select(
            _facet_table.c.facet,
            sa.cast(_facet_table.c.value, sa.String),
            _facet_table.c.version_id,
        ),
    )
    token = ""
    ids: list[int] = []
    pairs: list[tuple[str, str, int]] = []
    for facet, value, version_id in db.session.execute(statement):
        if facet == "state":
            token = value
        elif facet == "doc":
            ids.append(version_id)
        else:
            pairs.append((facet, value, version_id))
    ids.sort()
    position = {version_id: index for index, version_id in enumerate(ids)}
    grouped: dict[str, dict[str, list[int]]] = {}
    for facet, value, version_id in pairs:
        grouped.setdefault(facet, {}).setdefault(value, []).append(version_id)
    cache = _FacetCache(token=token, ids=ids, position=position, every=0, values={})
    values = {
        facet: {value: cache.mask(members) for value, members in found.items()}
        for facet, found in grouped.items()
    }
    return _FacetCache(
        token=token, ids=ids, position=position, every=(1 << len(ids)) - 1, values=values
    )


def _count_facets(
    cache: _FacetCache, matched: int, chosen: dict[str, str]
) -> tuple[int, dict[str, dict[str, int]]]:
    """(total, facets) of the matched versions: each facet applies every chosen facet
    value but its own."""
    selected = {name: cache.values.get(name, {}).get(value, 0) for name, value in chosen.items()}
    total = matched
    for mask in selected.values():
        total &= mask
    facets: dict[str, dict[str, int]] = {}
    for name in FACET_NAMES:
        among = matched
        for other, mask in selected.items():
            if other != name:
                among &= mask
        counts = {}
        if among:
            for value, mask in sorted(cache.values.get(name, {}).items()):
                n = (among & mask).bit_count()
                if n:
                    counts[value] = n
        facets[name] = counts
    return total.bit_count(), facets


def search(
    filters: SearchFilters, *, offset: int = 0, limit: int = 20, facets: bool = True
) -> SearchResult:
    """Published version ids matching `filters`, best match first, a page of them, and facets.

    Without text, newest first; ties keep the newest first too. A facet's counts (college,
    delivery mode, language, occupation, partner) apply every filter but its own, so a
    user sees what choosing another value would give; the counts of a multi-valued facet
    (a version with two partners) add up to more than the total.

    One SQL statement gives the page and, with facets, the ids matching the text and the
    non-facet filters; the total and the facets are counted from a per-process cache of
    every indexed version's facet values (`_FacetCache`), checked against the index's
    state token read by that same statement. When the index changed since (a version was
    published or retired), a second statement reloads the cache. Without facets, the
    statement counts the total itself and no cache is used.
    """
    dialect = db.session.get_bind().dialect.name
    params: dict[str, Any] = {"offset": max(offset, 0), "limit": max(limit, 0)}
    terms = 0
    if dialect == "postgresql":
        for index, term in enumerate(tsquery_terms(filters.text)):
            params[f"q{index}"] = term
            terms += 1
    else:
        expression = match_expression(filters.text)
        if expression:
            params["match"] = expression
            terms = 1
    chosen = {
        "college": filters.college,
        "delivery_mode": filters.delivery_mode,
        "language": filters.language,
        "occupation": filters.occupation,
        "partner": filters.partner,
    }
    chosen = {name: value for name, value in chosen.items() if value}
    flags = tuple(name for name in FACET_NAMES if name in chosen)
    params.update(chosen)
    for name in ("competency", "effort_min", "effort_max"):
        if getattr(filters, name) not in (None, ""):
            params[name] = getattr(filters, name)
    shape = _Shape(
        dialect=dialect,
        terms=terms,
        flags=flags,
        competency="competency" in params,
        effort_min="effort_min" in params,
        effort_max="effort_max" in params,
        facets=facets,
    )
    result = SearchResult(total=0, version_ids=[])
    key = db.session.get_bind().engine.url.render_as_string()
    for attempt in range(2):
        rows = db.session.execute(_built(shape), params).all()
        ranked = []
        token = ""
        matched_ids = []
        for dimension, value, n, score in rows:
            if dimension == "page":
                ranked.append((score, -n))
            elif dimension == "total":
                result.total = n
            elif dimension == "state":
                token = value
            elif value:
                matched_ids = [int(version_id) for version_id in value.split(",")]
        result.version_ids = [-negated for _score, negated in sorted(ranked)]
        if not facets:
            return result
        cache = _facet_caches.get(key)
        if cache is None or cache.token != token:
            cache = _facet_caches[key] = _load_facet_cache()
        # Changed between the two statements (another transaction committed): ask again.
        if cache.token == token or attempt:
            break
    matched = cache.mask(matched_ids) if _narrowed(shape) else cache.every
    result.total, result.facets = _count_facets(cache, matched, chosen)
    return result
