"""Every check, reason and adjustment the verifier can give has its words on the pages, with
the same placeholders (a newer verifier fails here before a reader sees a fallback)."""

from __future__ import annotations

import re
import string

import pytest

from pathways.credentials import verification
from pathways.credentials import verifier
from pathways.credentials import verify_labels as labels

pytestmark = pytest.mark.integration


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _placeholders(lazy) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", str(lazy)))


def test_every_reason_has_a_sentence_with_the_same_placeholders(app):
    with app.test_request_context():
        assert set(verification.MESSAGES) == set(labels.REASONS)
        assert set(verification.INPUT_MESSAGES) | set(verifier.SOURCE_MESSAGES) == set(
            labels.INPUT_REASONS
        )
        assert set(verification.CHECK_IDS) == set(labels.CHECK_TITLES)
        assert set(verification.ADJUSTMENTS) == set(labels.ADJUSTMENTS)
        sources = {**verification.MESSAGES, **verification.INPUT_MESSAGES}
        sources.update(verifier.SOURCE_MESSAGES)
        texts = {**labels.REASONS, **labels.INPUT_REASONS}
        differing = {
            reason: (_fields(text), _placeholders(texts[reason]))
            for reason, text in sources.items()
            if _fields(text) != _placeholders(texts[reason])
        }
        # schema_ok's English `notes` are said from its `adjustments`, in the reader's language.
        assert differing == {"schema_ok": ({"schemas", "notes"}, {"schemas"})}


def test_a_check_line_translates_its_parameters(app):
    data = {
        "check": "revocation",
        "passed": False,
        "reason": "status_entry_malformed",
        "detail": "could not be checked: a revocation status entry is malformed: bad",
        "params": {"purpose": "revocation", "error": "bad"},
    }
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "fr"}):
        line = labels.check_line(data)
    assert (line.title, line.result, line.translated) == ("Non révoqué", "Échoué", True)
    assert line.text == (
        "Vérification impossible : une entrée de statut de révocation est mal formée (bad)."
    )


def test_an_unknown_reason_falls_back_to_the_english_detail(app):
    data = {"check": "proof", "passed": False, "reason": "new_reason", "detail": "it broke"}
    with app.test_request_context():
        line = labels.check_line(data)
    assert (line.text, line.detail, line.translated) == ("This check failed.", "it broke", False)
