"""Glue between the catalog's HTML forms and its services.

The editor form is flat (one field per language of each text); `update_draft` takes plain
values (language maps, lists of dicts, codes). This module converts both ways, keeps only
what an edit really changes (so saving an untouched form voids no endorsement and no module
comment), renders values for the field-by-field diff of two versions, and endorses only the
exact version the partner read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from pathways.accounts.models import User
from pathways.catalog import services
from pathways.catalog.enums import NONE
from pathways.catalog.enums import STANDALONE
from pathways.catalog.models import Endorsement
from pathways.catalog.models import MicroCredentialVersion
from pathways.errors import PreconditionFailed

# The languages the form offers a text box for (every text is a language map).
FORM_LANGUAGES = ("en", "fr")

# Readable names of the fields, for the diff, the publish gate and the history.
FIELD_LABELS: dict[str, Any] = {
    "code": _l("Code"),
    "title": _l("Title"),
    "description": _l("Summary (what the holder can do)"),
    "issuing_organisation": _l("Issuing college"),
    "outcomes": _l("Learning outcomes"),
    "alignments": _l("Alignments to competency items"),
    "assessment_methods": _l("Assessment methods"),
    "evidence": _l("Evidence"),
    "pass_standard": _l("Pass criteria"),
    "assessor": _l("Assessor"),
    "challenge_route": _l("Challenge route (PLAR)"),
    "effort_hours": _l("Effort hours"),
    "duration_weeks": _l("Duration in weeks"),
    "delivery_mode": _l("Delivery mode"),
    "languages": _l("Languages"),
    "level": _l("Level"),
    "credit_value": _l("Credit value"),
    "industry_partners": _l("Industry partners"),
    "endorsement": _l("Endorsement of this version"),
    "prerequisites": _l("Prerequisites"),
    "stacks_into": _l("Stacks into"),
    "validity": _l("Validity"),
    "validity_months": _l("Validity in months"),
    "validity_recency": _l("Validity and recency conditions"),
    "verification": _l("Verification"),
    "ownership_statement": _l("Ownership statement"),
    "modules": _l("Modules"),
}

# The fields the editor form sets, in the order the diff shows them.
FORM_FIELDS = (
    "title",
    "description",
    "languages",
    "outcomes",
    "alignments",
    "assessment_methods",
    "evidence",
    "pass_standard",
    "assessor",
    "challenge_route",
    "effort_hours",
    "duration_weeks",
    "delivery_mode",
    "level",
    "credit_value",
    "prerequisites",
    "stacks_into",
    "validity_months",
    "validity_recency",
    "verification",
    "ownership_statement",
    "modules",
)

TEXT_KEYS = {
    "description": "description",
    "evidence": "evidence",
    "pass_standard": "pass_standard",
    "assessor": "assessor",
    "validity_recency": "validity",
    "ownership_statement": "ownership",
}


def label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name.replace("_", " ")))


# --------------------------------------------------------------------------------------------
# Language maps and lists


def text_map(**texts: str | None) -> dict[str, str]:
    """The non-blank texts, stripped: ``text_map(en=" A ", fr="")`` -> ``{"en": "A"}``."""
    return {lang: text.strip() for lang, text in texts.items() if text and text.strip()}


def lines(text: str | None) -> list[str]:
    """Non-blank lines (or comma-separated values), stripped, without repeats, in order."""
    seen: dict[str, None] = {}
    for line in (text or "").replace(",", "\n").splitlines():
        if line.strip():
            seen.setdefault(line.strip())
    return list(seen)


def _split(value: dict[str, str] | None, prefix: str) -> dict[str, str]:
    value = value if isinstance(value, dict) else {}
    return {f"{prefix}_{lang}": value.get(lang, "") for lang in FORM_LANGUAGES}


# --------------------------------------------------------------------------------------------
# A version's values, in the shape `services.update_draft` takes


def values_of(version: MicroCredentialVersion) -> dict[str, Any]:
    """The editable fields of a version as plain values (the keys of `FORM_FIELDS`)."""
    return {
        "title": dict(version.title or {}),
        "description": dict(version.description) if version.description else None,
        "languages": list(version.languages or []),
        "outcomes": [
            {"id": o.get("id", ""), "text": dict(o.get("text") or {})}
            for o in version.outcomes or []
        ],
        "alignments": [
            {
                "framework": a.item.framework.identifier,
                "item": a.item.code,
                "outcome": a.outcome,
                "strength": a.strength.value,
            }
            for a in version.alignments
        ],
        "assessment_methods": [
            {
                key: value
                for key, value in (
                    ("method", m.get("method", "")),
                    ("weight_percent", m.get("weight_percent")),
                    ("description", dict(m.get("description") or {})),
                )
                if value not in (None, {})
            }
            for m in version.assessment_methods or []
        ],
        "evidence": dict(version.evidence) if version.evidence else None,
        "pass_standard": dict(version.pass_standard) if version.pass_standard else None,
        "assessor": dict(version.assessor) if version.assessor else None,
        "challenge_route": dict(version.challenge_route) if version.challenge_route else None,
        "effort_hours": version.effort_hours,
        "duration_weeks": version.duration_weeks,
        "delivery_mode": version.delivery_mode.value if version.delivery_mode else None,
        "level": version.level.value if version.level else None,
        "credit_value": version.credit_value or None,
        "prerequisites": NONE
        if version.has_no_prerequisites
        else [p.required.code for p in version.prerequisites],
        "stacks_into": version.stacks_into or None,
        "validity_months": version.validity_months,
        "validity_recency": dict(version.validity_recency) if version.validity_recency else None,
        "verification": dict(version.verification) if version.verification else None,
        "ownership_statement": dict(version.ownership_statement)
        if version.ownership_statement
        else None,
        "modules": [
            {
                "code": m.code,
                "title": dict(m.title or {}),
                "effort_hours": m.effort_hours,
                "xapi_activity_ids": m.activity_iris,
                "lti_resource_link_id": m.lti_resource_link_id or None,
            }
            for m in version.modules
        ],
    }


# --------------------------------------------------------------------------------------------
# Form data <-> values


def form_data(values: dict[str, Any]) -> dict[str, Any]:
    """The editor form's `data` for a version's values (see `values_of`)."""
    data: dict[str, Any] = {}
    data.update(_split(values["title"], "title"))
    for name, prefix in TEXT_KEYS.items():
        data.update(_split(values[name], prefix))
    data["languages"] = list(values["languages"])
    data["outcomes"] = [
        {"outcome_id": o["id"], **_split(o["text"], "text")} for o in values["outcomes"]
    ]
    data["assessment_methods"] = [
        {
            "method": m.get("method", ""),
            "weight_percent": m.get("weight_percent"),
            **_split(m.get("description"), "description"),
        }
        for m in values["assessment_methods"]
    ]
    challenge = values["challenge_route"] or {}
    data["challenge_available"] = (
        "" if "is_available" not in challenge else ("yes" if challenge["is_available"] else "no")
    )
    data.update(_split(challenge.get("description"), "challenge"))
    data["effort_hours"] = values["effort_hours"]
    data["duration_weeks"] = values["duration_weeks"]
    data["delivery_mode"] = values["delivery_mode"] or ""
    data["level"] = values["level"] or ""
    credit = values["credit_value"]
    data["credit_none"] = credit == NONE
    data.update(_split(credit if isinstance(credit, dict) else None, "credit"))
    prerequisites = values["prerequisites"]
    data["prerequisites_none"] = prerequisites == NONE
    data["prerequisites"] = "" if prerequisites == NONE else "\n".join(prerequisites)
    stacks = values["stacks_into"]
    data["stacks_standalone"] = stacks == STANDALONE
    data["stacks_into"] = "\n".join(stacks) if isinstance(stacks, list) else ""
    data["validity_months"] = values["validity_months"]
    verification = values["verification"] or {}
    data["verification_status_list"] = bool(verification.get("has_status_list"))
    data.update(_split(verification.get("statement"), "verification"))
    data["modules"] = [
        {
            "position": index + 1,
            "code": m["code"],
            **_split(m["title"], "title"),
            "effort_hours": m["effort_hours"],
            "activity_iris": "\n".join(m["xapi_activity_ids"]),
            "lti_resource_link_id": m["lti_resource_link_id"] or "",
        }
        for index, m in enumerate(values["modules"])
    ]
    data["alignments"] = [dict(a) for a in values["alignments"]]
    return data


def _texts(row: dict[str, Any], prefix: str) -> dict[str, str]:
    return text_map(**{lang: row.get(f"{prefix}_{lang}") for lang in FORM_LANGUAGES})


def values_from_form(data: dict[str, Any]) -> dict[str, Any]:
    """The plain values of a submitted editor form (`form.data`); blank rows are dropped.

    Outcomes without an id get the next free ``O<n>``; modules keep the order of their
    "order" numbers (ties keep the form's order); rows marked "remove" are dropped.
    """
    values: dict[str, Any] = {"title": _texts(data, "title")}
    for name, prefix in TEXT_KEYS.items():
        values[name] = _texts(data, prefix) or None
    values["languages"] = [lang for lang in data.get("languages") or [] if lang]

    outcomes = []
    rows = [r for r in data.get("outcomes") or [] if not r.get("remove")]
    taken = {(r.get("outcome_id") or "").strip() for r in rows}
    counter = 1
    for row in rows:
        text = _texts(row, "text")
        outcome_id = (row.get("outcome_id") or "").strip()
        if not text and not outcome_id:
            continue
        if not outcome_id:
            while f"O{counter}" in taken:
                counter += 1
            outcome_id = f"O{counter}"
            taken.add(outcome_id)
        outcomes.append({"id": outcome_id, "text": text})
    values["outcomes"] = outcomes

    methods = []
    for row in data.get("assessment_methods") or []:
        description = _texts(row, "description")
        if row.get("remove") or not (row.get("method") or description):
            continue
        method: dict[str, Any] = {"method": row.get("method") or ""}
        if row.get("weight_percent") is not None:
            method["weight_percent"] = row["weight_percent"]
        if description:
            method["description"] = description
        methods.append(method)
    values["assessment_methods"] = methods

    challenge_text = _texts(data, "challenge")
    available = data.get("challenge_available") or ""
    if available or challenge_text:
        challenge: dict[str, Any] = {"description": challenge_text}
        if available:
            challenge["is_available"] = available == "yes"
        values["challenge_route"] = challenge
    else:
        values["challenge_route"] = None

    values["effort_hours"] = data.get("effort_hours")
    values["duration_weeks"] = data.get("duration_weeks")
    values["delivery_mode"] = data.get("delivery_mode") or None
    values["level"] = data.get("level") or None
    values["credit_value"] = NONE if data.get("credit_none") else (_texts(data, "credit") or None)
    values["prerequisites"] = (
        NONE if data.get("prerequisites_none") else lines(data.get("prerequisites"))
    )
    stacks = lines(data.get("stacks_into"))
    values["stacks_into"] = STANDALONE if data.get("stacks_standalone") else (stacks or None)
    values["validity_months"] = data.get("validity_months")
    statement = _texts(data, "verification")
    if statement or data.get("verification_status_list"):
        values["verification"] = {
            "format": "open_badges_3",
            "has_status_list": bool(data.get("verification_status_list")),
            "statement": statement,
        }
    else:
        values["verification"] = None

    modules = []
    module_rows = [
        (row.get("position") if row.get("position") is not None else 10_000 + index, index, row)
        for index, row in enumerate(data.get("modules") or [])
    ]
    for _position, _index, row in sorted(module_rows, key=lambda r: (r[0], r[1])):
        title = _texts(row, "title")
        code = (row.get("code") or "").strip()
        iris = lines((row.get("activity_iris") or "").replace(",", "\n"))
        if row.get("remove") or not (code or title or iris):
            continue
        modules.append(
            {
                "code": code,
                "title": title,
                "effort_hours": row.get("effort_hours") or 0,
                "xapi_activity_ids": iris,
                "lti_resource_link_id": (row.get("lti_resource_link_id") or "").strip() or None,
            }
        )
    values["modules"] = modules

    values["alignments"] = [
        {
            "framework": row.get("framework") or "",
            "item": row.get("item") or "",
            "outcome": row.get("outcome") or "",
            "strength": row.get("strength") or "full",
        }
        for row in data.get("alignments") or []
        if not row.get("remove") and row.get("item")
    ]
    return values


def form_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    """Shape errors the form's own validators cannot see (rows across fields)."""
    errors: dict[str, list[str]] = {}
    codes = [m["code"] for m in values["modules"]]
    if any(not code for code in codes):
        errors.setdefault("modules", []).append(str(_l("Every module needs a code.")))
    if len(set(codes)) != len(codes):
        errors.setdefault("modules", []).append(str(_l("Two modules have the same code.")))
    if any(not m["title"] for m in values["modules"]):
        errors.setdefault("modules", []).append(str(_l("Every module needs a title.")))
    ids = [o["id"] for o in values["outcomes"]]
    if len(set(ids)) != len(ids):
        errors.setdefault("outcomes", []).append(str(_l("Two outcomes have the same id.")))
    if any(not o["text"] for o in values["outcomes"]):
        errors.setdefault("outcomes", []).append(str(_l("Every outcome needs a text.")))
    if not values["title"]:
        errors.setdefault("title_en", []).append(str(_l("Give a title in at least one language.")))
    return errors


def changed_only(values: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The entries of `values` that differ from `current` (what an edit really changes)."""
    return {name: value for name, value in values.items() if current.get(name) != value}


# --------------------------------------------------------------------------------------------
# The field-by-field diff of two versions


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: list[str]
    after: list[str]


def _map_lines(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [f"{lang}: {text}" for lang, text in value.items() if isinstance(text, str)]
    return []


def describe(name: str, value: Any) -> list[str]:
    """A value as readable lines (language maps one line per language, lists one per row)."""
    if value is None or value == [] or value == {} or value == "":
        return []
    if name == "outcomes":
        return [f"{o['id']} — {line}" for o in value for line in _map_lines(o["text"])]
    if name == "alignments":
        return [
            f"{a['outcome'] or '—'} → {a['framework']} {a['item']} ({a['strength']})" for a in value
        ]
    if name == "assessment_methods":
        result = []
        for m in value:
            weight = f" {m['weight_percent']} %" if m.get("weight_percent") is not None else ""
            result.append(f"{m.get('method', '')}{weight}")
            result.extend(f"  {line}" for line in _map_lines(m.get("description")))
        return result
    if name == "modules":
        result = []
        for index, m in enumerate(value, start=1):
            title = " / ".join(_map_lines(m["title"]))
            result.append(f"{index}. {m['code']} — {title} ({m['effort_hours']} h)")
            result.extend(f"  xAPI: {iri}" for iri in m["xapi_activity_ids"])
            if m.get("lti_resource_link_id"):
                result.append(f"  LTI: {m['lti_resource_link_id']}")
        return result
    if name == "challenge_route":
        heads = {True: _l("Available"), False: _l("Not available"), None: _l("Not stated")}
        head = str(heads[value.get("is_available")])
        return [head, *_map_lines(value.get("description"))]
    if name == "verification":
        status_list = _l("with a status list") if value.get("has_status_list") else ""
        head = " ".join(filter(None, [str(value.get("format", "")), str(status_list)]))
        return [head, *_map_lines(value.get("statement"))]
    if isinstance(value, dict):
        return _map_lines(value)
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[FieldChange]:
    """The fields whose values differ, in form order; `before` None compares with nothing."""
    before = before or {}
    changes = []
    for name in FORM_FIELDS:
        if before.get(name) != after.get(name):
            old, new = describe(name, before.get(name)), describe(name, after.get(name))
            if old != new:
                changes.append(FieldChange(name, label(name), old, new))
    return changes


# --------------------------------------------------------------------------------------------
# Endorsing what was read


def endorse_as_read(
    version_id: int, statement: dict[str, str], etag: str, *, actor: User
) -> Endorsement:
    """Endorse the version only if it is still the one the partner read (same etag).

    :raises PreconditionFailed: the version changed after the page was rendered.
    """
    version = services.visible_version(version_id, actor=actor)
    if etag.strip('"') != version.etag:
        raise PreconditionFailed(
            str(_l("This version changed after you opened it; read it again before endorsing.")),
            code="stale_etag",
        )
    return services.endorse(version_id, statement, actor=actor)
