"""Redirect URI rules (pure)."""

from __future__ import annotations

import pytest

from pathways.oauth.uris import redirect_uri_matches
from pathways.oauth.uris import redirect_uri_problem
from pathways.oauth.uris import web_uri_problem

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "uri",
    [
        "https://wallet.example/callback",
        "https://wallet.example:8443/cb?app=1",
        "http://localhost/callback",
        "http://127.0.0.1:8765/callback",
        "http://[::1]:8765/callback",
    ],
)
def test_accepted_redirect_uris(uri):
    assert redirect_uri_problem(uri) is None


@pytest.mark.parametrize(
    "uri, problem",
    [
        ("http://wallet.example/cb", "http://wallet.example/cb must use https"),
        ("https://wallet.example/cb#x", "https://wallet.example/cb#x has a fragment"),
        ("https://user:pw@wallet.example/cb", "carries user information"),
        ("com.wallet.app:/callback", "is not an absolute URL"),
        ("https://wal let.example/cb", "is not an absolute URL"),
        ('https://"x".example/cb', "is not an absolute URL"),
        ("https://wället.example/cb", "is not an absolute URL"),
        ("https://a_b.example/cb", "is not an absolute URL"),
        ("https://wallet.example:99999/cb", "is not an absolute URL"),
        ("https://" + "a" * 600, "at most 500 characters"),
        ("", "non-empty string"),
        (None, "non-empty string"),
    ],
)
def test_refused_redirect_uris(uri, problem):
    assert problem in redirect_uri_problem(uri)


def test_a_long_bad_host_is_refused_quickly():
    assert redirect_uri_problem("https://" + "a." * 240 + "_/cb") is not None


def test_web_uris_must_be_https():
    assert web_uri_problem("https://wallet.example/privacy") is None
    assert web_uri_problem("javascript:alert(1)") == "javascript:alert(1) is not an absolute URL"
    assert web_uri_problem("http://wallet.example/") == "http://wallet.example/ must use https"


@pytest.mark.parametrize(
    "registered, requested, matches",
    [
        ("https://w.example/cb", "https://w.example/cb", True),
        ("https://w.example/cb", "https://w.example/cb/", False),
        ("https://w.example/cb", "https://w.example:443/cb", False),
        ("http://127.0.0.1/cb", "http://127.0.0.1:50123/cb", True),
        ("http://127.0.0.1:8000/cb", "http://127.0.0.1:50123/cb", True),
        ("http://127.0.0.1/cb", "http://localhost:50123/cb", False),
        ("http://127.0.0.1/cb", "http://127.0.0.1:50123/other", False),
        ("http://127.0.0.1/cb?a=1", "http://127.0.0.1:5/cb?a=2", False),
    ],
)
def test_redirect_uri_matching(registered, requested, matches):
    assert redirect_uri_matches(registered, requested) is matches
