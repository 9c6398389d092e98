"""Search over the shipped content, in English and French, accents folded."""

from __future__ import annotations

from pathlib import Path

import pytest

from pathways.catalog import queries
from pathways.catalog.search import SearchFilters
from pathways.catalog.search import fold
from pathways.catalog.search import search

pytestmark = pytest.mark.integration

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture
def loaded(app, database):
    result = app.test_cli_runner().invoke(args=["pathways", "load-content", str(CONTENT)])
    assert result.exit_code == 0, result.stderr


def _codes(filters: SearchFilters) -> list[str]:
    ids = search(filters, limit=100, facets=False).version_ids
    return sorted(v.code for v in queries.versions_by_ids(ids))


def test_fold_removes_accents_and_case():
    assert fold("Sécurité À l'Œuvre") == "securite a l'oeuvre"


def test_french_with_and_without_accents_and_english_agree(loaded):
    accented = _codes(SearchFilters(text="sécurité"))
    assert accented == _codes(SearchFilters(text="securite"))
    assert accented == _codes(SearchFilters(text="SECURITE"))
    assert "ILL-SAFE" in accented
    assert "ILL-SAFE" in _codes(SearchFilters(text="safety"))


def test_prefix_words_and_no_match(loaded):
    assert _codes(SearchFilters(text="zzzzqqq")) == []
    assert _codes(SearchFilters(text="safe")) == _codes(SearchFilters(text="safe"))
    assert set(_codes(SearchFilters(text="safety workplace"))) <= set(
        _codes(SearchFilters(text="safety"))
    )


def test_filters_and_facets(loaded):
    everything = search(SearchFilters(), limit=100)
    assert everything.total == 19
    assert sum(everything.facets["college"].values()) == 19
    assert sum(everything.facets["delivery_mode"].values()) == 19
    college = sorted(everything.facets["college"])[0]
    narrowed = search(SearchFilters(college=college), limit=100)
    assert narrowed.total == everything.facets["college"][college]
    # A facet ignores its own filter: the other colleges stay visible with their counts.
    assert narrowed.facets["college"] == everything.facets["college"]
    hours = search(SearchFilters(effort_min=40, effort_max=60), limit=100)
    assert all(40 <= v.effort_hours <= 60 for v in queries.versions_by_ids(hours.version_ids))


def test_occupation_filter_follows_alignments_below(loaded):
    codes = _codes(SearchFilters(occupation="ILL-MO"))
    assert "ILL-SAFE" in codes or codes != []
    assert _codes(SearchFilters(occupation="NO-SUCH")) == []
