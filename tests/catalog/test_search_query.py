"""The query strings search builds from user input: folded words, quoted, the last a prefix;
and the bitset words the database sends a search's matches in."""

from __future__ import annotations

import pytest

from pathways.catalog.search import _FacetCache
from pathways.catalog.search import fold
from pathways.catalog.search import include_name
from pathways.catalog.search import match_expression
from pathways.catalog.search import tsquery_terms
from pathways.catalog.search import words

pytestmark = pytest.mark.unit


def test_fold_removes_accents_ligatures_and_case():
    assert fold("Sécurité À l'Œuvre, ÆON") == "securite a l'oeuvre, aeon"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("   ", ""),
        ("safety", '"safety"*'),
        ("Sécurité au travail", '"securite" "au" "travail"*'),
        ('"safety" (lockout) *', '"safety" "lockout"*'),
        ("NEAR(safety lockout)", '"near" "safety" "lockout"*'),
        ("-safety OR lockout", '"safety" "lockout"*'),  # "or" is a stop word
        ("title:safety ^x", '"title" "safety" "x"*'),
        ("the and of", ""),
        ("safety safety", '"safety"*'),
        ("l'œuvre", '"l" "oeuvre"*'),
        ("under_score", '"under" "score"*'),
        ("*", ""),
    ],
)
def test_match_expression_quotes_every_word(text, expected):
    assert match_expression(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("safety", ["'safety':*"]),
        ("Sécurité & lockout | !x", ["'securite'", "'lockout'", "'x':*"]),
        ("it's: safe:*", ["'s'", "'safe':*"]),
    ],
)
def test_tsquery_terms_quote_every_word(text, expected):
    assert tsquery_terms(text) == expected


def test_words_are_letters_and_digits_of_any_script():
    assert words("Ünïcode 5S, 日本 x-ray") == ["unicode", "5s", "日本", "x", "ray"]


def test_words_are_cut_to_a_bounded_length():
    assert words("a" * 100 + " b") == ["a" * 64, "b"]


@pytest.mark.parametrize(
    ("name", "type_", "expected"),
    [
        ("catalog_search_fts", "table", False),
        ("catalog_search_fts_data", "table", False),
        ("catalog_search_document", "table", True),
        ("catalog_search_fts", "column", True),
        (None, "schema", True),
    ],
)
def test_include_name_leaves_out_only_the_index_tables(name, type_, expected):
    assert include_name(name, type_, {}) is expected


def test_bitset_words_decode_to_the_ids_they_hold():
    # As the database sends them: word w holds the ids 64w to 64w + 63 in a signed 64-bit
    # integer (bit 63 makes it negative); the cache's bitsets start at a multiple of 64.
    ids = [130, 191, 192, 255, 1000]
    cache = _FacetCache(token="t", offset=128, every=_FacetCache.mask([*ids, 300], 128), values={})
    words: dict[int, int] = {}
    for version_id in ids:
        words[version_id >> 6] = words.get(version_id >> 6, 0) | 1 << (version_id & 63)
    signed = {w: bits - (1 << 64) if bits >> 63 else bits for w, bits in words.items()}
    assert min(signed.values()) < 0
    sent = ",".join(f"{w}:{bits}" for w, bits in signed.items())
    assert cache.matched(sent) == _FacetCache.mask(ids, 128)
    assert cache.matched(sent) >> (1000 - 128) == 1
    assert cache.matched("") == 0
