"""Table-driven validation cases: tests/xapi/cases/{bases,valid,invalid}.json.

``valid.json`` lists whole statements that must pass. Each ``invalid.json`` case takes a
base statement from ``bases.json``, applies ``set`` ([JSON pointer, value] pairs) and
``delete`` (pointers), and names the exact path the error must report.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from pathways.xapi.statements import StatementError
from pathways.xapi.statements import validate_statement
from pathways.xapi.statements import validate_statements

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
BASES = json.loads((CASES / "bases.json").read_text(encoding="utf-8"))
VALID = json.loads((CASES / "valid.json").read_text(encoding="utf-8"))
INVALID = json.loads((CASES / "invalid.json").read_text(encoding="utf-8"))


def _tokens(pointer: str) -> list[str]:
    assert pointer.startswith("/"), pointer
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _parent(document: object, pointer: str) -> tuple[object, str]:
    *head, last = _tokens(pointer)
    for token in head:
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document, last


def build(case: dict) -> dict:
    """The base statement with the case's changes applied."""
    statement = copy.deepcopy(BASES[case["base"]])
    for pointer, value in case["set"]:
        parent, key = _parent(statement, pointer)
        if isinstance(parent, list):
            index = int(key)
            if index == len(parent):
                parent.append(value)
            else:
                parent[index] = value
        else:
            parent[key] = value
    for pointer in case["delete"]:
        parent, key = _parent(statement, pointer)
        del parent[int(key) if isinstance(parent, list) else key]
    return statement


def test_case_tables_are_large_and_distinct():
    assert (len(VALID) >= 200, len(INVALID) >= 700) == (True, True)
    assert len({case["name"] for case in INVALID}) == len(INVALID)


@pytest.mark.parametrize("name", sorted(BASES))
def test_every_base_is_valid(name):
    assert validate_statement(copy.deepcopy(BASES[name])) is None


@pytest.mark.parametrize("case", VALID, ids=[case["name"] for case in VALID])
def test_valid_statement(case):
    statement = case["statement"]
    before = copy.deepcopy(statement)
    assert validate_statement(statement) is None
    twin = {key: value for key, value in copy.deepcopy(statement).items() if key != "id"}
    assert validate_statements([statement, twin]) == [statement, twin]
    assert statement == before


@pytest.mark.parametrize("case", INVALID, ids=[case["name"] for case in INVALID])
def test_invalid_statement(case):
    statement = build(case)
    with pytest.raises(StatementError) as caught:
        validate_statement(statement)
    assert caught.value.path == case["path"]
    assert str(caught.value) == f"{case['path']}: {caught.value.message}"


@pytest.mark.parametrize("case", INVALID[::25], ids=[case["name"] for case in INVALID[::25]])
def test_invalid_statement_in_a_batch_names_its_index(case):
    statement = build(case)
    good = copy.deepcopy(BASES["default"])
    with pytest.raises(StatementError) as caught:
        validate_statements([good, good, statement])
    assert caught.value.path == "statements[2]" + case["path"][len("statement") :]
