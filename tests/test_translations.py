"""Every user-facing message has a French translation with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "pathways" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def source_messages() -> dict[str, str]:
    found = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        ROOT / "pathways", METHOD_MAP, keywords=KEYWORDS
    ):
        key = message if isinstance(message, str) else message[0]
        found.setdefault(key, filename)
    return found


def french_catalog():
    with PO.open("rb") as source:
        return read_po(source, locale="fr")


def test_every_message_has_a_french_translation():
    catalog = french_catalog()
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0]): m
        for m in catalog
        if m.id and m.string and "fuzzy" not in m.flags
    }
    missing = sorted(
        f"{where}: {text!r}" for text, where in source_messages().items() if text not in translated
    )
    assert missing == [], "run `make extract-messages` and translate:\n" + "\n".join(missing)


def test_translations_keep_placeholders():
    catalog = french_catalog()
    broken = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        if set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(target)):
            broken.append(source)
    assert broken == []
