"""Search over the shipped content, in English and French, accents folded; filters and facets
checked against a brute-force count over the published versions."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.accounts.enums import OrganisationKind
from pathways.catalog import queries
from pathways.catalog import search as search_module
from pathways.catalog.enums import ItemKind
from pathways.catalog.enums import VersionStatus
from pathways.catalog.models import Alignment
from pathways.catalog.models import MicroCredential
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.search import FACET_NAMES
from pathways.catalog.search import SearchFilters
from pathways.catalog.search import search
from pathways.db import db
from pathways.db import transaction
from tests.factories import make_organisation

pytestmark = pytest.mark.integration

CONTENT = Path(__file__).resolve().parents[2] / "content"
EVERYTHING = 100


@pytest.fixture
def loaded(app, database):
    result = app.test_cli_runner().invoke(args=["pathways", "load-content", str(CONTENT)])
    assert result.exit_code == 0, result.stderr


def _codes(filters: SearchFilters) -> list[str]:
    """The codes of a search's results, in the order the search ranks them."""
    ids = search(filters, limit=EVERYTHING, facets=False).version_ids
    by_id = {v.id: v.code for v in queries.versions_by_ids(ids)}
    return [by_id[i] for i in ids]


# Brute force ---------------------------------------------------------------------------------


@dataclass
class Doc:
    id: int
    code: str
    college: str
    partners: set[str]
    occupations: set[str]
    items: set[str]  # every aligned item's code and its ancestors' codes
    effort: int
    languages: set[str]
    mode: str


def _docs() -> list[Doc]:
    versions = db.session.scalars(
        sa.select(MicroCredentialVersion)
        .where(MicroCredentialVersion.status == VersionStatus.PUBLISHED)
        .options(
            so.selectinload(MicroCredentialVersion.alignments).joinedload(Alignment.item),
            so.selectinload(MicroCredentialVersion.partners),
            so.joinedload(MicroCredentialVersion.credential).joinedload(
                MicroCredential.issuing_organisation
            ),
        )
    ).all()
    docs = []
    for version in versions:
        items, occupations = set(), set()
        for alignment in version.alignments:
            item = alignment.item
            while item is not None:
                items.add(item.code)
                if item.kind in (ItemKind.OCCUPATION, ItemKind.CERTIFICATION):
                    occupations.add(item.code)
                item = item.parent
        docs.append(
            Doc(
                id=version.id,
                code=version.code,
                college=version.credential.issuing_organisation.code,
                partners={p.organisation.code for p in version.partners},
                occupations=occupations,
                items=items,
                effort=version.effort_hours or 0,
                languages=set(version.languages or []),
                mode=version.delivery_mode.value if version.delivery_mode else "",
            )
        )
    return docs


def _passes(doc: Doc, filters: SearchFilters, skip: str | None = None) -> bool:
    checks = {
        "college": filters.college is None or doc.college == filters.college,
        "partner": filters.partner is None or filters.partner in doc.partners,
        "occupation": filters.occupation is None or filters.occupation in doc.occupations,
        "language": filters.language is None or filters.language in doc.languages,
        "delivery_mode": filters.delivery_mode is None or doc.mode == filters.delivery_mode,
        "competency": filters.competency is None or filters.competency in doc.items,
        "effort_min": filters.effort_min is None or doc.effort >= filters.effort_min,
        "effort_max": filters.effort_max is None or doc.effort <= filters.effort_max,
    }
    return all(ok for name, ok in checks.items() if name != skip)


def _values(doc: Doc, facet: str) -> set[str]:
    return {
        "college": {doc.college},
        "partner": doc.partners,
        "occupation": doc.occupations,
        "language": doc.languages,
        "delivery_mode": {doc.mode},
    }[facet]


def _brute(filters: SearchFilters, among: set[int] | None = None):
    """(matching ids, facets) computed in Python, each facet without its own filter."""
    docs = [d for d in _docs() if among is None or d.id in among]
    ids = {d.id for d in docs if _passes(d, filters)}
    facets = {}
    for facet in FACET_NAMES:
        counts: Counter = Counter()
        for doc in docs:
            if _passes(doc, filters, skip=facet):
                counts.update(_values(doc, facet))
        facets[facet] = dict(sorted(counts.items()))
    return ids, facets


# Text ----------------------------------------------------------------------------------------


def test_french_accented_unaccented_and_upper_case_agree(loaded):
    accented = _codes(SearchFilters(text="sécurité"))
    assert sorted(accented) == sorted(_codes(SearchFilters(text="securite")))
    assert sorted(accented) == sorted(_codes(SearchFilters(text="SÉCURITÉ")))
    assert sorted(accented) == sorted(_codes(SearchFilters(text="SECURITE")))
    # The three with "sécurité" in their French titles come first.
    assert sorted(accented[:3]) == ["ILL-MGSYS", "ILL-SAFE", "ILL-SUPV"]
    assert len(accented) > 3
    entrepot = _codes(SearchFilters(text="entrepôt"))
    assert sorted(entrepot) == sorted(_codes(SearchFilters(text="entrepot")))
    assert sorted(entrepot) == ["ILL-LIFT", "ILL-SAFE", "ILL-WHSE"]


def test_english_and_french_words_find_the_same_micro_credential(loaded):
    assert _codes(SearchFilters(text="lockout")) == ["ILL-SAFE"]
    assert _codes(SearchFilters(text="cadenassage")) == ["ILL-SAFE"]
    assert _codes(SearchFilters(text="workplace safety")) == ["ILL-SAFE"]
    assert sorted(_codes(SearchFilters(text="santé sécurité"))) == [
        "ILL-MGSYS",
        "ILL-SAFE",
        "ILL-SUPV",
    ]
    assert _codes(SearchFilters(text="santé sécurité entrepôt")) == ["ILL-SAFE"]


def test_title_matches_rank_above_the_others(loaded):
    # "Safety" is in three titles; ILL-LEAD has it only in its summary or outcomes.
    found = _codes(SearchFilters(text="safety"))
    assert sorted(found[:3]) == ["ILL-MGSYS", "ILL-SAFE", "ILL-SUPV"]
    assert found[3:] == ["ILL-LEAD"]


def test_last_word_is_a_prefix_and_every_word_must_match(loaded):
    # "cadenas" starts "cadenassage" (ILL-SAFE) and "cadenasse" (ILL-PRESS).
    assert sorted(_codes(SearchFilters(text="cadenas"))) == ["ILL-PRESS", "ILL-SAFE"]
    assert _codes(SearchFilters(text="lockout zzzzqqq")) == []
    assert _codes(SearchFilters(text="zzzzqqq")) == []


def test_code_is_searchable(loaded):
    assert _codes(SearchFilters(text="ILL-SAFE"))[0] == "ILL-SAFE"
    assert _codes(SearchFilters(text="ILL-WHSE")) == ["ILL-WHSE"]


def _publish(code: str, *, title: str, outcome: str, college) -> MicroCredentialVersion:
    """A published version written straight to the tables (no publish gate), then indexed."""
    with transaction():
        credential = MicroCredential(code=code, issuing_organisation_id=college.id)
        version = MicroCredentialVersion(
            credential=credential,
            status=VersionStatus.PUBLISHED,
            title={"en": title, "fr": title},
            description={"en": "A short course.", "fr": "Un cours court."},
            outcomes=[{"id": "O1", "text": {"en": outcome, "fr": outcome}}],
            effort_hours=12,
            languages=["en", "fr"],
        )
        db.session.add_all([credential, version])
        db.session.flush()
        search_module.index_version(version)
    return version


def test_a_title_match_ranks_above_an_outcome_only_match(database):
    college = make_organisation(OrganisationKind.COLLEGE)
    word = f"zq{uuid.uuid4().hex[:8]}"
    # Created first, so the newest-first tie-break would put it second: rank must win.
    in_title = _publish(
        "RANK-TITLE", title=f"{word} basics", outcome="Works well.", college=college
    )
    in_outcome = _publish(
        "RANK-OUTCOME", title="Other basics", outcome=f"Uses {word} daily.", college=college
    )
    assert search(SearchFilters(text=word), facets=False).version_ids == [
        in_title.id,
        in_outcome.id,
    ]


def test_accents_fold_both_ways(database):
    college = make_organisation(OrganisationKind.COLLEGE)
    plain = _publish("FOLD-PLAIN", title="Qualite totale", outcome="Ok.", college=college)
    accented = _publish("FOLD-ACCENT", title="Qualité totale", outcome="Ok.", college=college)
    expected = sorted([plain.id, accented.id])
    for text in ("qualite totale", "qualité totale", "QUALITÉ", "Qualite"):
        found = search(SearchFilters(text=text, college=college.code), facets=False)
        assert sorted(found.version_ids) == expected, text


def test_unindexed_version_is_not_found(database):
    college = make_organisation(OrganisationKind.COLLEGE)
    version = _publish("GONE-1", title="Vanishing course", outcome="Ok.", college=college)
    filters = SearchFilters(text="vanishing")
    assert search(filters, facets=False).version_ids == [version.id]
    with transaction():
        search_module.unindex_version(version.id)
    assert search(filters, facets=False).version_ids == []
    with transaction():
        assert search_module.reindex_all() == 1
    assert search(filters, facets=False).version_ids == [version.id]


HOSTILE = [
    "",
    "   ",
    '"',
    '""',
    "'",
    "(",
    ")",
    "(safety",
    "safety)",
    "*",
    "saf*",
    "**",
    "NEAR",
    "NEAR(safety lockout)",
    "safety NEAR/2 lockout",
    "-",
    "-safety",
    "safety -lockout",
    "safety OR lockout",
    "safety AND",
    "NOT",
    "title:safety",
    "^safety",
    "{title summary}: safety",
    "safety & lockout | !x",
    "safe:*",
    "%",
    "_",
    "\\",
    "l'œuvre",
    "a" * 500,
    "😀 safety",
    "\x00",
]


def test_hostile_query_strings_never_break_the_query(loaded):
    # One content load for every string (loading is the slow part).
    for text in HOSTILE:
        result = search(SearchFilters(text=text), limit=EVERYTHING)
        plain = " ".join(search_module.words(text))
        expected = search(SearchFilters(text=plain), limit=EVERYTHING)
        assert (result.total, result.version_ids) == (expected.total, expected.version_ids), text
        assert result.total == len(result.version_ids), text
        assert result.facets == expected.facets, text


def test_near_and_operators_are_plain_words(loaded):
    # "near misses" is in ILL-SAFE's outcomes: NEAR is searched for, not obeyed.
    assert _codes(SearchFilters(text="NEAR misses")) == ["ILL-SAFE"]
    assert _codes(SearchFilters(text="safety OR zzzzqqq")) == []


def test_empty_text_lists_everything_newest_first(loaded):
    result = search(SearchFilters(), limit=EVERYTHING)
    ids, _facets = _brute(SearchFilters())
    assert result.total == 19
    assert result.version_ids == sorted(ids, reverse=True)


def test_pages(loaded):
    everything = search(SearchFilters(text="production"), limit=EVERYTHING, facets=False)
    first = search(SearchFilters(text="production"), limit=3, facets=False)
    second = search(SearchFilters(text="production"), offset=3, limit=3, facets=False)
    assert first.total == second.total == everything.total > 6
    assert first.version_ids + second.version_ids == everything.version_ids[:6]
    assert search(SearchFilters(text="production"), limit=0).version_ids == []


# Filters and facets ------------------------------------------------------------------------


def _filter_cases(docs: list[Doc]) -> list[SearchFilters]:
    one = docs[0]
    partner = sorted({p for d in docs for p in d.partners})[0]
    occupation = sorted({o for d in docs for o in d.occupations})[0]
    competency = sorted(one.items - one.occupations)[0]
    return [
        SearchFilters(),
        SearchFilters(college=one.college),
        SearchFilters(partner=partner),
        SearchFilters(occupation=occupation),
        SearchFilters(occupation="ILL-MO"),
        SearchFilters(competency=competency),
        SearchFilters(effort_min=30),
        SearchFilters(effort_max=30),
        SearchFilters(effort_min=20, effort_max=40),
        SearchFilters(language="fr"),
        SearchFilters(language="es"),
        SearchFilters(delivery_mode="online"),
        SearchFilters(delivery_mode="hybrid", language="en", college=one.college),
        SearchFilters(occupation=occupation, partner=partner, effort_max=60),
        SearchFilters(college=one.college, partner=partner, occupation="ILL-MO", language="en"),
        SearchFilters(college="no-such-college"),
        SearchFilters(occupation="NO-SUCH"),
        SearchFilters(partner="no-such-partner", language="en"),
    ]


def test_each_filter_and_every_facet_match_a_brute_force_count(loaded):
    docs = _docs()
    assert len(docs) == 19
    for filters in _filter_cases(docs):
        ids, facets = _brute(filters)
        result = search(filters, limit=EVERYTHING)
        assert (result.total, sorted(result.version_ids)) == (len(ids), sorted(ids)), filters
        assert result.facets == facets, filters


def test_facets_with_text_match_a_brute_force_count(loaded):
    docs = _docs()
    for text in ("production", "sécurité", "qualite"):
        among = set(search(SearchFilters(text=text), limit=EVERYTHING).version_ids)
        assert among, text
        for filters in _filter_cases(docs)[:6]:
            filters = replace(filters, text=text)
            ids, facets = _brute(filters, among)
            result = search(filters, limit=EVERYTHING)
            assert (result.total, sorted(result.version_ids)) == (len(ids), sorted(ids)), filters
            assert result.facets == facets, filters


def test_text_with_facet_filters_right_after_the_index_changed(loaded):
    # The first search after a change filters the facets through the facet table (the
    # facet cache is stale), the next through the cache: both agree with a brute force.
    docs = _docs()
    version = db.session.get(MicroCredentialVersion, docs[0].id)
    faceted = [f for f in _filter_cases(docs) if any(getattr(f, n) for n in FACET_NAMES)]
    for text in ("production", "sécurité"):
        among = set(search(SearchFilters(text=text), limit=EVERYTHING).version_ids)
        for filters in faceted:
            filters = replace(filters, text=text)
            search_module.index_version(version)  # unchanged, but the index's token is new
            first = search(filters, limit=EVERYTHING)
            assert search(filters, limit=EVERYTHING) == first, filters
            ids, facets = _brute(filters, among)
            assert (first.total, sorted(first.version_ids)) == (len(ids), sorted(ids)), filters
            assert first.facets == facets, filters


def test_facets_of_the_whole_catalogue(loaded):
    facets = search(SearchFilters(), limit=0).facets
    assert list(facets) == list(FACET_NAMES)
    assert sum(facets["college"].values()) == 19
    assert sum(facets["delivery_mode"].values()) == 19
    assert set(facets["occupation"]) <= {item.code for item in queries.occupations()} | {
        "ILL-MO",
        "ILL-AS",
        "ILL-MH",
        "ILL-LH",
        "ILL-SU",
        "ILL-MG",
    }
    assert facets["occupation"]["ILL-MO"] == len(_codes(SearchFilters(occupation="ILL-MO")))


def test_a_facet_ignores_its_own_filter(loaded):
    everything = search(SearchFilters(), limit=0)
    college = sorted(everything.facets["college"])[0]
    narrowed = search(SearchFilters(college=college), limit=EVERYTHING)
    assert narrowed.total == everything.facets["college"][college]
    assert narrowed.facets["college"] == everything.facets["college"]
    partner = sorted(everything.facets["partner"])[0]
    by_partner = search(SearchFilters(partner=partner), limit=0)
    assert by_partner.total == everything.facets["partner"][partner]
    assert by_partner.facets["partner"] == everything.facets["partner"]


def test_one_statement_per_search(loaded, count_queries):
    # The first search after the index changed reads the facet cache too (a second
    # statement); every later one is a single statement.
    filters = SearchFilters(text="safety", college="northshore-college", language="fr")
    with count_queries() as statements:
        first = search(filters)
    assert len(statements) == 2
    with count_queries() as statements:
        again = search(filters)
        search(SearchFilters(partner=sorted(first.facets["partner"])[0]))
    assert len(statements) == 2
    assert again == first


def test_facet_cache_follows_every_change_of_the_index(loaded):
    before = search(SearchFilters())
    version_id = before.version_ids[0]
    search_module.unindex_version(version_id)
    after = search(SearchFilters())
    assert after.total == before.total - 1
    ids, facets = _brute(SearchFilters(), among={d.id for d in _docs()} - {version_id})
    assert after.total == len(ids)
    assert after.facets == facets
    version = db.session.get(MicroCredentialVersion, version_id)
    search_module.index_version(version)
    assert search(SearchFilters()) == before


def test_search_index_tables_are_left_out_of_schema_comparison(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        names = sa.inspect(connection).get_table_names()
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_name": search_module.include_name,
            },
        )
        differences = compare_metadata(context, db.metadata)
    assert search_module.FTS_TABLE in names
    assert differences == []
