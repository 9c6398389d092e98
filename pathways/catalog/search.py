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
values as bitsets keyed by version id (`_FacetCache`), checked on each search against a
token that triggers change with every change of the index (`catalog_search_fts_state`,
search-state migration): SQL finds the page and the ids matching the text, sent as 64-bit
words of a bitset (~160 for 10,000 ids, not 10,000 ids to parse); Python ANDs and counts
bits, ~60 popcounts instead of joining every matching version's facet rows (10-30 ms at
10,000). On PostgreSQL the statement of a text search with facet filters also carries the
cache's bitset of the versions those filters allow, read one bit per document while the
token is current (the facet table otherwise), and ranks only the documents it allows:
ts_rank over every document a common word matches was most of the slowest searches.

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


def _tsquery(terms: int) -> str:
    """Each word through each stemmer (OR), the words ANDed."""
    configs = (*TS_CONFIGS.values(), "simple")
    either = [
        "(" + " || ".join(f"to_tsquery('{c}'::regconfig, :q{index})" for c in configs) + ")"
        for index in range(terms)
    ]
    return "(" + " && ".join(either) + ")"


# The items with the code of a competency filter and every item below them.
_COMPETENCY_ITEMS = (
    "competency_items(id) AS (SELECT catalog_item.id FROM catalog_item"
    " WHERE catalog_item.code = :competency"
    " UNION ALL SELECT child.id FROM catalog_item AS child, competency_items"
    " WHERE child.parent_id = competency_items.id)"
)


def _aligned(dialect: str) -> str:
    """Ids of the versions aligned to a competency filter's items (`_COMPETENCY_ITEMS`).

    Uncorrelated, so the database computes the set once, not once per document.
    """
    # PostgreSQL guesses hundreds of items in the tree (a handful in truth), so tens of
    # thousands of alignments, and reads them all (5-10 ms); as `= ANY(ARRAY(...))`,
    # computed first, it reads the few items' alignments through their index.
    items = (
        "= ANY(ARRAY(SELECT id FROM competency_items))"
        if dialect == "postgresql"
        else "IN (SELECT id FROM competency_items)"
    )
    return f"SELECT version_id FROM catalog_alignment WHERE item_id {items}"


def _with_facet(version_id: str, facet: str) -> str:
    """Whether the version has the facet value bound to the parameter named `facet` (a
    range of the facet table's (facet, value, version_id) index)."""
    return (
        f"{version_id} IN (SELECT version_id FROM {FACET_TABLE}"
        f" WHERE facet = '{facet}' AND value = :{facet})"
    )


def _flag_conditions(version_id: str, shape: _Shape) -> list[str]:
    """The facet filters set, as conditions on a version id."""
    return [_with_facet(version_id, name) for name in shape.flags]


def _matching(shape: _Shape, *, scored_if_faceted: bool = False) -> str:
    """The ids of the documents matching the text and the non-facet filters (effort,
    competency), with a score (lower is better).

    With `scored_if_faceted`, only the documents that also pass the facet filters have a
    score (NULL for the others; `_passes_facet_filters`): a common word matches most of the
    catalogue, and ranking thousands of documents when the facet filters leave a few
    hundred is the dearest part of such a search.
    """
    doc = SearchDocument.__tablename__
    conditions = []
    score = "0"
    if shape.terms and shape.dialect == "postgresql":
        query = _tsquery(shape.terms)
        source = FTS_TABLE
        version_id = f"{FTS_TABLE}.version_id"
        conditions.append(f"{FTS_TABLE}.document @@ {query}")
        score = f"-ts_rank({FTS_TABLE}.document, {query})"
    elif shape.terms:
        source = FTS_TABLE
        # `+ 0`: a condition on the rowid itself (a competency or facet filter's IN list)
        # would make FTS5 run the MATCH once per listed id, ~100x slower than once.
        version_id = f"({FTS_TABLE}.rowid + 0)"
        conditions.append(f"{FTS_TABLE} MATCH :match")
        score = f"bm25({FTS_TABLE}, {', '.join(repr(w) for w in BM25_WEIGHTS)})"
    else:
        source = doc
        version_id = f"{doc}.version_id"
    if shape.effort_min or shape.effort_max:
        if shape.terms:  # the text table alone has every indexed version; effort needs both
            source += f" JOIN {doc} ON {doc}.version_id = {version_id}"
        if shape.effort_min:
            conditions.append(f"{doc}.effort_hours >= :effort_min")
        if shape.effort_max:
            conditions.append(f"{doc}.effort_hours <= :effort_max")
    if shape.competency:
        aligned = f"{version_id} IN ({_aligned(shape.dialect)})"
        if shape.dialect == "postgresql":
            # Not a top-level IN, so not a semi-join: PostgreSQL, misjudging how many
            # documents a word matches, would probe the alignments once per document
            # (~10 ms); as a hashed subplan it reads the aligned versions once.
            aligned = f"coalesce({aligned}, false)"
        conditions.append(aligned)
    if scored_if_faceted and shape.flags:
        score = f"CASE WHEN {_passes_facet_filters(version_id, shape)} THEN {score} END"
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"SELECT {version_id} AS version_id, {score} AS score FROM {source}{where}"


def _passes_facet_filters(version_id: str, shape: _Shape) -> str:
    """Whether a document has every facet value chosen (PostgreSQL).

    When the facet cache the search holds describes the index this statement reads (its
    token is current), from the cache's bitsets: the versions with every chosen value,
    sent as `allowed` (`_FacetCache.allowed`), one bit read per document. Otherwise (the
    first search after a change, or of a process) from the facet table: a hashed set of
    each chosen value's versions, built per search, 2-5 ms for a value most versions have
    (a language, a delivery mode).
    """
    return (
        f"CASE WHEN (SELECT token FROM {STATE_TABLE} WHERE id = 1) = :allowed_token"
        f" THEN get_bit(:allowed, {version_id} - :allowed_offset) = 1"
        f" ELSE {' AND '.join(_flag_conditions(version_id, shape))} END"
    )


def _narrowed(shape: _Shape) -> bool:
    """Whether the text or a non-facet filter narrows the documents."""
    return bool(shape.terms or shape.effort_min or shape.effort_max or shape.competency)


def _row(dimension: str, key: str, n: str, score: str) -> str:
    return (
        f"SELECT '{dimension}' AS dimension, CAST({key} AS VARCHAR) AS \"key\", {n} AS n,"
        f" CAST({score} AS FLOAT) AS score"
    )


def _statement(shape: _Shape) -> str:
    """The page; then, with facets, the search index's state token and (when the text or a
    non-facet filter narrows them) the documents matched before the facet filters, whose
    facets the cache counts, as bitset words; without facets, the total."""
    narrowed = shape.facets and _narrowed(shape)
    # PostgreSQL ranks only what passes the facet filters (SQLite's bm25 is cheap).
    scored_if_faceted = narrowed and shape.dialect == "postgresql"
    matching = _matching(shape, scored_if_faceted=scored_if_faceted)
    ctes = [_COMPETENCY_ITEMS] if shape.competency else []
    if narrowed:  # read twice: the page and the matched ids
        ctes.append(f"base AS ({matching})")
        base = "base"
    else:
        base = f"({matching}) AS base"
    page_filter = (
        ["base.score IS NOT NULL"]
        if scored_if_faceted and shape.flags
        else _flag_conditions("base.version_id", shape)
    )
    where = f" WHERE {' AND '.join(page_filter)}" if page_filter else ""
    page = (
        f"SELECT base.version_id, base.score FROM {base}{where}"
        " ORDER BY base.score, base.version_id DESC LIMIT :limit OFFSET :offset"
    )
    arms = [_row("page", "''", "page.version_id", "page.score") + f" FROM ({page}) AS page"]
    if not shape.facets:
        flags = _flag_conditions("counted.version_id", shape)
        where = f" WHERE {' AND '.join(flags)}" if flags else ""
        arms.append(_row("total", "''", "count(*)", "0") + f" FROM ({matching}) AS counted{where}")
    else:
        arms.append(_row("state", "token", "0", "0") + f" FROM {STATE_TABLE} WHERE id = 1")
        if narrowed:
            arms.append(_match_arm(shape))
    with_ = f"WITH RECURSIVE {', '.join(ctes)} " if ctes else ""
    return with_ + " UNION ALL ".join(arms)


def _match_arm(shape: _Shape) -> str:
    """The ids of `base` in one row, a string of 'word:bits' pairs, comma-separated: word
    w holds the ids 64w to 64w + 63, bit i of `bits` (a signed 64-bit integer) id 64w + i.

    About 160 pairs for 10,000 ids: parsing as many ids and setting their bits one by one
    in Python costs more than the rest of a search (~9 ms for a common word).
    """
    # The bits of a word are distinct, so SQLite's sum is their OR (and cannot overflow).
    bits = "bit_or" if shape.dialect == "postgresql" else "sum"
    words = (
        f"SELECT base.version_id >> 6 AS word, {bits}(CAST(1 AS BIGINT) << (base.version_id & 63))"
        " AS bits FROM base GROUP BY base.version_id >> 6"
    )
    pair = "CAST(words.word AS TEXT) || ':' || CAST(words.bits AS TEXT)"
    joined = (
        f"string_agg({pair}, ',')" if shape.dialect == "postgresql" else f"group_concat({pair})"
    )
    return _row("match", joined, "0", "0") + f" FROM ({words}) AS words"


@functools.lru_cache(maxsize=512)
def _built(shape: _Shape) -> sa.TextClause:
    """The statement of a shape (its values are bound per call), made once per process.

    Plain SQL: built with SQLAlchemy's expression language, the first search of each shape
    (which filters are set; a catalogue sees dozens) spent 10-20 ms building and compiling
    its statement, and every search ~1 ms computing its cache key.
    """
    return sa.text(_statement(shape))


# Facet counts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FacetCache:
    """Every indexed version's facet values as bitsets: bit i stands for version id
    `offset + i`.

    Counting a facet over a few thousand matching versions in SQL means joining as many
    rows again per value they hold (~20,000 rows for a common word, 10-30 ms); with
    bitsets it is one AND and one popcount per facet value (~60 in all, under a
    millisecond). Bits follow version ids, not ranks among the indexed versions, so the
    database can send a match as bitset words (`_match_arm`); the ids of drafts and
    retired versions between leave zero bits. Valid while the index's state token is
    `token`.
    """

    token: str
    offset: int  # the first version id of the bitsets, a multiple of 64
    every: int  # a bit for each indexed version
    values: dict[str, dict[str, int]]  # facet -> value -> versions with it

    @staticmethod
    def mask(version_ids: list[int], offset: int) -> int:
        if not version_ids:
            return 0
        bits = bytearray((max(version_ids) - offset) // 8 + 1)
        for version_id in version_ids:
            index = version_id - offset
            bits[index >> 3] |= 1 << (index & 7)
        return int.from_bytes(bits, "little")

    def allowed(self, chosen: dict[str, str]) -> dict[str, Any]:
        """The parameters of `_passes_facet_filters`: the versions with every chosen facet
        value as bytes, as many as `every` needs (get_bit reads bit i of byte k: version id
        offset + 8k + i), and the token they are valid for."""
        mask = self.every
        for name, value in chosen.items():
            mask &= self.values.get(name, {}).get(value, 0)
        return {
            "allowed_token": self.token,
            "allowed": mask.to_bytes(max(1, (self.every.bit_length() + 7) // 8), "little"),
            "allowed_offset": self.offset,
        }

    def matched(self, words: str) -> int:
        """The bitset of the 'word:bits' pairs of `_match_arm`."""
        matched = 0
        first = self.offset >> 6
        for pair in words.split(",") if words else ():
            word, bits = pair.split(":")
            shift = (int(word) - first) << 6
            if shift >= 0:  # always, when the token matched: the same versions
                matched |= (int(bits) & _UNSIGNED_64) << shift
        return matched & self.every


_UNSIGNED_64 = (1 << 64) - 1  # a signed 64-bit word read as unsigned


# By database URL: a process may serve (or a test or bench run use) more than one.
_facet_caches: dict[str, _FacetCache] = {}
# `_FacetCache.allowed` without a cache: no token is '', so the facet table is read.
_NO_CACHE: dict[str, Any] = {"allowed_token": "", "allowed": b"", "allowed_offset": 0}


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
    offset = min(ids, default=0) >> 6 << 6
    grouped: dict[str, dict[str, list[int]]] = {}
    for facet, value, version_id in pairs:
        grouped.setdefault(facet, {}).setdefault(value, []).append(version_id)
    values = {
        facet: {value: _FacetCache.mask(members, offset) for value, members in found.items()}
        for facet, found in grouped.items()
    }
    return _FacetCache(
        token=token, offset=offset, every=_FacetCache.mask(ids, offset), values=values
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
    non-facet filters (as bitset words); the total and the facets are counted from a
    per-process cache of every indexed version's facet values (`_FacetCache`), checked
    against the index's state token read by that same statement. When the index changed
    since (a version was published or retired), a second statement reloads the cache.
    Without facets, the statement counts the total itself and no cache is used.
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
    # The statement filters the facets through the cache's bitsets (`_passes_facet_filters`).
    through_cache = dialect == "postgresql" and facets and bool(flags) and _narrowed(shape)
    for attempt in range(2):
        if through_cache:
            cache = _facet_caches.get(key)
            params.update(cache.allowed(chosen) if cache else _NO_CACHE)
        rows = db.session.execute(_built(shape), params).all()
        ranked = []
        token = ""
        match = ""
        for dimension, value, n, score in rows:
            if dimension == "page":
                ranked.append((score, -n))
            elif dimension == "total":
                result.total = n
            elif dimension == "state":
                token = value
            elif value:
                match = value
        result.version_ids = [-negated for _score, negated in sorted(ranked)]
        if not facets:
            return result
        cache = _facet_caches.get(key)
        if cache is None or cache.token != token:
            cache = _facet_caches[key] = _load_facet_cache()
        # Changed between the two statements (another transaction committed): ask again.
        if cache.token == token or attempt:
            break
    matched = cache.matched(match) if _narrowed(shape) else cache.every
    result.total, result.facets = _count_facets(cache, matched, chosen)
    return result
