"""The editor form's glue: form data <-> service values, changed fields, the readable diff."""

from __future__ import annotations

import pytest

from pathways.catalog import editing

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def request_context(app):
    # Labels and messages are translated: they need a request to pick the locale.
    with app.test_request_context("/"):
        yield


VALUES = {
    "title": {"en": "Lockout", "fr": "Cadenassage"},
    "description": {"en": "Locks out"},
    "languages": ["en", "fr"],
    "outcomes": [{"id": "O1", "text": {"en": "Locks out", "fr": "Cadenasse"}}],
    "alignments": [{"framework": "fw", "item": "T-1.1.1", "outcome": "O1", "strength": "full"}],
    "assessment_methods": [
        {"method": "observation", "weight_percent": 100, "description": {"en": "Observed"}}
    ],
    "evidence": {"en": "Checklist"},
    "pass_standard": {"en": "All steps"},
    "assessor": {"en": "Faculty"},
    "challenge_route": {"is_available": True, "description": {"en": "PLAR"}},
    "effort_hours": 10,
    "duration_weeks": 2,
    "delivery_mode": "hybrid",
    "level": "entry",
    "credit_value": "none",
    "prerequisites": "none",
    "stacks_into": ["ILL-MO"],
    "validity_months": None,
    "validity_recency": {"en": "Does not expire"},
    "verification": {
        "format": "open_badges_3",
        "has_status_list": True,
        "statement": {"en": "Signed"},
    },
    "ownership_statement": {"en": "Yours"},
    "modules": [
        {
            "code": "M1",
            "title": {"en": "One"},
            "effort_hours": 10,
            "xapi_activity_ids": ["https://lms.example/1"],
            "lti_resource_link_id": None,
        }
    ],
}


def test_form_data_round_trips_to_the_same_values():
    assert editing.values_from_form(editing.form_data(VALUES)) == VALUES


def test_blank_rows_are_dropped_and_outcomes_numbered():
    data = editing.form_data(VALUES)
    data["outcomes"] = [
        {"outcome_id": "", "text_en": "New one", "text_fr": ""},
        {"outcome_id": "O1", "text_en": "Locks out", "text_fr": "Cadenasse"},
        {"outcome_id": "", "text_en": "", "text_fr": ""},
        {"outcome_id": "O9", "text_en": "Gone", "text_fr": "", "remove": True},
    ]
    data["modules"] = [
        {**data["modules"][0], "position": 2},
        {"position": 1, "code": "M0", "title_en": "Zero", "activity_iris": "a, b\nb\n"},
        {"position": None, "code": "", "title_en": "", "activity_iris": ""},
    ]
    values = editing.values_from_form(data)
    assert [o["id"] for o in values["outcomes"]] == ["O2", "O1"]
    assert [(m["code"], m["xapi_activity_ids"]) for m in values["modules"]] == [
        ("M0", ["a", "b"]),
        ("M1", ["https://lms.example/1"]),
    ]


def test_changed_only_keeps_what_differs():
    changed = {**VALUES, "effort_hours": 12, "title": {"en": "Lockout"}}
    assert editing.changed_only(changed, VALUES) == {"effort_hours": 12, "title": {"en": "Lockout"}}
    assert editing.changed_only(VALUES, VALUES) == {}


def test_form_errors_name_the_rows():
    values = {**VALUES, "modules": [VALUES["modules"][0], {**VALUES["modules"][0]}], "title": {}}
    assert editing.form_errors(values) == {
        "modules": ["Two modules have the same code."],
        "title_en": ["Give a title in at least one language."],
    }


def test_diff_lists_changed_fields_readably():
    after = {**VALUES, "effort_hours": 12, "modules": []}
    changes = editing.diff(VALUES, after)
    assert [(c.name, c.label, c.before, c.after) for c in changes] == [
        ("effort_hours", "Effort hours", ["10"], ["12"]),
        ("modules", "Modules", ["1. M1 — en: One (10 h)", "  xAPI: https://lms.example/1"], []),
    ]
    first = editing.diff(None, VALUES)
    assert [c.name for c in first][:3] == ["title", "description", "languages"]
    assert first[0].after == ["en: Lockout", "fr: Cadenassage"]
