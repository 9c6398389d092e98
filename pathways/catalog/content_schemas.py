"""Validation of the shipped content files (``content/``) before ``flask pathways load-content``.

The file formats are documented in ``content/README.md``; this module is their executable
definition. It imports marshmallow and PyYAML only (no Flask, no SQLAlchemy), so the unit tests
and the loader run it without an application.

Public API:

- ``validate_content_dir(path) -> (data, errors)``: parse and check every content file under
  ``path``. ``data`` maps each kind (``organisations``, ``frameworks``, ``crosswalks``,
  ``microcredentials``, ``rules``) to the list of its loaded documents (files in sorted path
  order; a file that fails its schema is left out). ``errors`` lists every problem found, one
  string each, formatted ``<file relative to path>: <dotted.field.path>: <message>`` (list
  indices are path parts: ``modules.2.title.fr``; a problem with a whole document uses the path
  ``_schema``). The content is loadable only when ``errors`` is empty.
- ``load_yaml(path)``: read one YAML file the way the validator does (ISO dates stay strings,
  so the schemas parse them).
- ``SCHEMAS``: the registry ``kind -> schema class``; ``RULE_NODE_KINDS``: the rule node kinds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

# --------------------------------------------------------------------------------------------
# YAML


# libyaml's parser when PyYAML was built with it (about ten times faster on the frameworks).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ContentLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """Safe loader that leaves timestamps as strings: marshmallow's Date field parses them."""


_ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(path: Path | str) -> Any:
    """Parse one YAML file with the content loader.

    :raises yaml.YAMLError: the file is not valid YAML.
    """
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_ContentLoader)  # noqa: S506 -- a SafeLoader subclass


# --------------------------------------------------------------------------------------------
# Vocabulary

ORGANISATION_KINDS = ("college", "industry_partner", "employer", "standards_body")
ITEM_TYPES = (
    "occupation",
    "area",
    "competency",
    "indicator",
    "certification",
    "module",
    "activity",
)
# Which item type may sit under which: CertWORK+-style standards and MSSC-style certifications.
CHILD_TYPES: dict[str | None, tuple[str, ...]] = {
    None: ("occupation", "certification"),
    "occupation": ("area",),
    "area": ("competency",),
    "competency": ("indicator",),
    "indicator": (),
    "certification": ("module", "activity"),
    "module": ("activity",),
    "activity": (),
}
LEAF_TYPES = ("indicator", "activity")
RELATIONS = ("exact", "broader", "narrower", "related")
# The CASE association type each relation exports as (DOMAIN.md section 3.1).
CASE_TYPE_OF_RELATION = {
    "exact": "exactMatchOf",
    "broader": "ext:broadMatch",
    "narrower": "ext:narrowMatch",
    "related": "isRelatedTo",
}
ASSOCIATION_STATUSES = ("declared", "proposed")
ASSESSMENT_METHODS = (
    "test",
    "observation",
    "demonstration",
    "project",
    "portfolio",
    "discussion",
    "simulation",
)
DELIVERY_MODES = ("in_person", "online", "hybrid", "work_based")
LEVELS = ("entry", "intermediate", "advanced")
STRENGTHS = ("full", "partial")
PARTNER_ROLES = ("co_designer", "endorser")
LANGUAGES = ("en", "fr", "es")
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9.\-]*$"
ORG_CODE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
DOES_NOT_EXPIRE = "does not expire"
NONE = "none"
STANDALONE = "standalone"

GATE = " (publish gate)"
_GATE_REQUIRED = {"required": "Missing data for required field" + GATE + "."}


# --------------------------------------------------------------------------------------------
# Shared fields


class _Base(Schema):
    class Meta:
        unknown = RAISE


class LanguageMap(_Base):
    """A text in every language Pathways ships: ``en`` and ``fr`` required, ``es`` optional."""

    en = fields.String(required=True, validate=validate.Length(min=1, error="Must not be blank."))
    fr = fields.String(required=True, validate=validate.Length(min=1, error="Must not be blank."))
    es = fields.String(validate=validate.Length(min=1, error="Must not be blank."))

    @validates_schema
    def _not_whitespace(self, data: dict, **kwargs: Any) -> None:
        errors = {lang: ["Must not be blank."] for lang, text in data.items() if not text.strip()}
        if errors:
            raise ValidationError(errors)


def _text(**kwargs: Any) -> fields.Nested:
    return fields.Nested(LanguageMap, **kwargs)


def _gate_text() -> fields.Nested:
    return fields.Nested(LanguageMap, required=True, error_messages=_GATE_REQUIRED)


def _code(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Regexp(CODE_PATTERN, error="Not a valid code."), **kwargs
    )


def _org_code(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Regexp(ORG_CODE_PATTERN, error="Not a valid organisation code."),
        **kwargs,
    )


class LiteralOr(fields.Field):
    """A fixed word (``none``, ``standalone``, ``does not expire``) or a value of ``inner``."""

    def __init__(self, literal: str, inner: fields.Field, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.literal = literal
        self.inner = inner

    def _bind_to_schema(self, field_name: str, schema: Any) -> None:
        super()._bind_to_schema(field_name, schema)
        self.inner._bind_to_schema(field_name, schema)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value == self.literal:
            return value
        if isinstance(value, str):
            raise ValidationError(f'Must be "{self.literal}" or a list.')
        return self.inner.deserialize(value, attr, data, **kwargs)


# --------------------------------------------------------------------------------------------
# Organisations


class OrganisationSchema(_Base):
    code = _org_code(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ORGANISATION_KINDS))
    name = _text(required=True)
    short_name = fields.String()
    description = _text(required=True)
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    region = fields.String()
    website = fields.Url(required=True)
    is_fictional = fields.Boolean(required=True)


class OrganisationsFileSchema(_Base):
    kind = fields.String(required=True, validate=validate.Equal("organisations"))
    organisations = fields.List(
        fields.Nested(OrganisationSchema), required=True, validate=validate.Length(min=1)
    )


# --------------------------------------------------------------------------------------------
# Frameworks


class ExternalCredentialSchema(_Base):
    """An item that is itself an earnable external credential (MSSC CPT, a module, CLA...)."""

    validity_years = fields.Integer(required=True, allow_none=True, validate=validate.Range(min=1))
    awarded_when_all_held = fields.List(_code())
    prerequisites = fields.List(_code())


class ItemSchema(_Base):
    type = fields.String(required=True, validate=validate.OneOf(ITEM_TYPES))
    code = _code(required=True)
    uuid = fields.UUID(required=True)
    title = _text(required=True)
    description = _text()
    group = fields.String(validate=validate.OneOf(("production", "leadership")))
    is_optional = fields.Boolean()
    credential = fields.Nested(ExternalCredentialSchema)
    children = fields.List(fields.Nested(lambda: ItemSchema()))

    @validates_schema
    def _children_fit(self, data: dict, **kwargs: Any) -> None:
        allowed = CHILD_TYPES.get(data.get("type"), ())
        errors: dict[Any, Any] = {}
        for index, child in enumerate(data.get("children") or []):
            if child.get("type") not in allowed:
                errors[index] = {
                    "type": [f"A {child.get('type')} may not sit under a {data.get('type')}."]
                }
        if errors:
            raise ValidationError({"children": errors})
        if data.get("type") not in LEAF_TYPES and not data.get("children"):
            raise ValidationError({"children": [f"A {data.get('type')} needs children."]})


class FrameworkSchema(_Base):
    kind = fields.String(required=True, validate=validate.Equal("framework"))
    identifier = fields.String(
        required=True, validate=validate.Regexp(ORG_CODE_PATTERN, error="Not a valid identifier.")
    )
    identifier_uuid = fields.UUID(required=True)
    title = _text(required=True)
    description = _text(required=True)
    publisher = _org_code(required=True)
    version = fields.String(required=True, validate=validate.Length(min=1))
    languages = fields.List(fields.String(validate=validate.OneOf(LANGUAGES)), required=True)
    illustrative = fields.Boolean(required=True)
    notice = _text()
    items = fields.List(fields.Nested(ItemSchema), required=True, validate=validate.Length(min=1))

    @validates_schema
    def _illustrative_has_notice(self, data: dict, **kwargs: Any) -> None:
        if data.get("illustrative") and not data.get("notice"):
            raise ValidationError({"notice": ["An illustrative framework needs a notice."]})
        top = [
            item for item in data.get("items") or [] if item.get("type") not in CHILD_TYPES[None]
        ]
        if top:
            raise ValidationError({"items": ["Top-level items are occupations or certifications."]})


# --------------------------------------------------------------------------------------------
# Crosswalks


class SourceSchema(_Base):
    title = fields.String(required=True, validate=validate.Length(min=1))
    url = fields.Url(required=True)
    publisher = fields.String()


class CrosswalkSourceSchema(SourceSchema):
    signed_on = fields.Date(required=True)
    press_release_on = fields.Date()
    references = fields.List(fields.Nested(SourceSchema))


class ItemRefSchema(_Base):
    code = _code(required=True)
    framework = fields.String(required=True)
    version = fields.String(required=True)


class ScopeSchema(_Base):
    statement = _text(required=True)
    whole_credential_only = fields.Boolean(required=True)
    must_be_current = fields.Boolean(required=True)
    excludes = fields.List(_code(), required=True)


class AssociationSchema(_Base):
    uuid = fields.UUID(required=True)
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    case_type = fields.String(
        required=True, validate=validate.OneOf(sorted(set(CASE_TYPE_OF_RELATION.values())))
    )
    source_item = fields.Nested(ItemRefSchema, required=True)
    target_item = fields.Nested(ItemRefSchema, required=True)
    scope = fields.Nested(ScopeSchema, required=True)
    status = fields.String(required=True, validate=validate.OneOf(ASSOCIATION_STATUSES))
    asserted_by = fields.List(_org_code(), required=True)
    source = fields.Nested(SourceSchema, required=True)
    date = fields.Date(required=True)
    note = _text(required=True)

    @validates_schema
    def _consistent(self, data: dict, **kwargs: Any) -> None:
        relation, case_type = data.get("relation"), data.get("case_type")
        if relation in CASE_TYPE_OF_RELATION and case_type != CASE_TYPE_OF_RELATION[relation]:
            raise ValidationError(
                {
                    "case_type": [
                        f"A {relation} relation exports as {CASE_TYPE_OF_RELATION[relation]}."
                    ]
                }
            )
        if data.get("status") == "declared" and not data.get("asserted_by"):
            raise ValidationError({"asserted_by": ["A declared relation names who asserts it."]})


class CrosswalkSchema(_Base):
    kind = fields.String(required=True, validate=validate.Equal("crosswalk"))
    name = fields.String(required=True, validate=validate.Regexp(CODE_PATTERN))
    identifier_uuid = fields.UUID(required=True)
    title = _text(required=True)
    description = _text(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("active", "withdrawn")))
    source = fields.Nested(CrosswalkSourceSchema, required=True)
    asserted_by = fields.List(_org_code(), required=True, validate=validate.Length(min=1))
    entered_by = fields.String(required=True, validate=validate.Length(min=1))
    entered_on = fields.Date(required=True)
    associations = fields.List(
        fields.Nested(AssociationSchema), required=True, validate=validate.Length(min=1)
    )


# --------------------------------------------------------------------------------------------
# Micro-credentials (every field of the publish gate, DOMAIN.md section 5, is required)


class OutcomeSchema(_Base):
    id = fields.String(required=True, validate=validate.Regexp(r"^O[0-9]+$"))
    text = _text(required=True)


class AlignmentSchema(_Base):
    outcome = fields.String(required=True)
    framework = fields.String(required=True)
    framework_version = fields.String(required=True)
    item = _code(required=True)
    strength = fields.String(required=True, validate=validate.OneOf(STRENGTHS))


class AssessmentMethodSchema(_Base):
    method = fields.String(required=True, validate=validate.OneOf(ASSESSMENT_METHODS))
    weight_percent = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    description = _text(required=True)


class ChallengeRouteSchema(_Base):
    is_available = fields.Boolean(required=True)
    description = _text(required=True)


class PartnerSchema(_Base):
    organisation = _org_code(required=True)
    role = fields.String(required=True, validate=validate.OneOf(PARTNER_ROLES))


class EndorsementSchema(_Base):
    partner = _org_code(required=True)
    confirms = _text(required=True)
    date = fields.Date(required=True)


class ValiditySchema(_Base):
    months = LiteralOr(
        DOES_NOT_EXPIRE,
        fields.Integer(strict=True, validate=validate.Range(min=1)),
        required=True,
        error_messages=_GATE_REQUIRED,
    )
    recency = _text(required=True)


class VerificationSchema(_Base):
    format = fields.String(required=True, validate=validate.Equal("open_badges_3"))
    has_status_list = fields.Boolean(required=True, validate=validate.Equal(True))
    statement = _text(required=True)


class ModuleSchema(_Base):
    code = _code(required=True)
    title = _text(required=True)
    effort_hours = fields.Integer(required=True, validate=validate.Range(min=1))
    xapi_activity_ids = fields.List(
        fields.Url(schemes={"http", "https"}), required=True, validate=validate.Length(min=1, max=3)
    )
    lti_resource_link_id = fields.String(validate=validate.Length(min=1))


class MicrocredentialSchema(_Base):
    kind = fields.String(required=True, validate=validate.Equal("microcredential"))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    status = fields.String(required=True, validate=validate.OneOf(("draft", "published")))
    # 1-24: the publish gate.
    code = _code(required=True, error_messages=_GATE_REQUIRED)
    title = _gate_text()
    description = _gate_text()
    issuing_organisation = _org_code(required=True, error_messages=_GATE_REQUIRED)
    co_issuers = fields.List(_org_code())
    outcomes = fields.List(
        fields.Nested(OutcomeSchema),
        required=True,
        error_messages=_GATE_REQUIRED,
        validate=validate.Length(min=1),
    )
    alignments = fields.List(
        fields.Nested(AlignmentSchema),
        required=True,
        error_messages=_GATE_REQUIRED,
        validate=validate.Length(min=1),
    )
    assessment_methods = fields.List(
        fields.Nested(AssessmentMethodSchema),
        required=True,
        error_messages=_GATE_REQUIRED,
        validate=validate.Length(min=1),
    )
    evidence = _gate_text()
    pass_standard = _gate_text()
    assessor = _gate_text()
    challenge_route = fields.Nested(
        ChallengeRouteSchema, required=True, error_messages=_GATE_REQUIRED
    )
    effort_hours = fields.Integer(
        required=True, strict=True, error_messages=_GATE_REQUIRED, validate=validate.Range(min=1)
    )
    duration_weeks = fields.Integer(
        required=True, strict=True, error_messages=_GATE_REQUIRED, validate=validate.Range(min=1)
    )
    delivery_mode = fields.String(
        required=True, error_messages=_GATE_REQUIRED, validate=validate.OneOf(DELIVERY_MODES)
    )
    languages = fields.List(
        fields.String(validate=validate.OneOf(LANGUAGES)),
        required=True,
        error_messages=_GATE_REQUIRED,
        validate=validate.Length(min=1),
    )
    level = fields.String(
        required=True, error_messages=_GATE_REQUIRED, validate=validate.OneOf(LEVELS)
    )
    credit_value = LiteralOr(NONE, _text(), required=True, error_messages=_GATE_REQUIRED)
    industry_partners = fields.List(
        fields.Nested(PartnerSchema),
        required=True,
        error_messages=_GATE_REQUIRED,
        validate=validate.Length(min=1),
    )
    endorsement = fields.Nested(EndorsementSchema, required=True, error_messages=_GATE_REQUIRED)
    prerequisites = LiteralOr(
        NONE,
        fields.List(_code(), validate=validate.Length(min=1)),
        required=True,
        error_messages=_GATE_REQUIRED,
    )
    stacks_into = LiteralOr(
        STANDALONE,
        fields.List(_code(), validate=validate.Length(min=1)),
        required=True,
        error_messages=_GATE_REQUIRED,
    )
    validity = fields.Nested(ValiditySchema, required=True, error_messages=_GATE_REQUIRED)
    verification = fields.Nested(VerificationSchema, required=True, error_messages=_GATE_REQUIRED)
    ownership_statement = _gate_text()
    # Optional extras (DOMAIN.md section 5).
    cip_2021 = fields.String(validate=validate.Regexp(r"^[0-9]{2}\.[0-9]{4}$"))
    noc_2021 = fields.List(
        fields.String(validate=validate.Regexp(r"^[0-9]{5}$")), validate=validate.Length(max=3)
    )
    cost_cad = fields.Integer(validate=validate.Range(min=0))
    modules = fields.List(
        fields.Nested(ModuleSchema), required=True, validate=validate.Length(min=1)
    )

    @validates_schema
    def _consistent(self, data: dict, **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        outcome_ids = [outcome["id"] for outcome in data.get("outcomes") or []]
        for index, outcome_id in _duplicates(outcome_ids):
            errors.setdefault("outcomes", {})[index] = {"id": [f"Duplicate outcome {outcome_id}."]}
        aligned = set()
        for index, alignment in enumerate(data.get("alignments") or []):
            if alignment["outcome"] not in outcome_ids:
                errors.setdefault("alignments", {})[index] = {
                    "outcome": [f"Unknown outcome {alignment['outcome']}."]
                }
            aligned.add(alignment["outcome"])
        for index, outcome_id in enumerate(outcome_ids):
            if outcome_id not in aligned:
                errors.setdefault("outcomes", {}).setdefault(index, {})["id"] = [
                    f"Outcome {outcome_id} has no alignment" + GATE + "."
                ]
        partners = data.get("industry_partners") or []
        if partners and not any(partner["role"] == "co_designer" for partner in partners):
            errors["industry_partners"] = ["At least one co_designer" + GATE + "."]
        endorsement = data.get("endorsement")
        if endorsement and endorsement["partner"] not in {p["organisation"] for p in partners}:
            errors["endorsement"] = {"partner": ["Not one of the industry_partners."]}
        modules = data.get("modules") or []
        for index, code in _duplicates([module["code"] for module in modules]):
            errors.setdefault("modules", {})[index] = {"code": [f"Duplicate module {code}."]}
        total = sum(module["effort_hours"] for module in modules)
        if modules and "effort_hours" in data and total != data["effort_hours"]:
            errors.setdefault("effort_hours", []).append(
                f"The modules add up to {total} hours, not {data['effort_hours']}."
            )
        methods = data.get("assessment_methods") or []
        weights = sum(method["weight_percent"] for method in methods)
        if methods and weights != 100:
            errors["assessment_methods"] = [f"The weights add up to {weights}, not 100."]
        prerequisites = data.get("prerequisites")
        if isinstance(prerequisites, list) and data.get("code") in prerequisites:
            errors["prerequisites"] = ["A micro-credential cannot require itself."]
        if errors:
            raise ValidationError(errors)


def _duplicates(values: Iterable[Any]) -> Iterator[tuple[int, Any]]:
    seen: set[Any] = set()
    for index, value in enumerate(values):
        if value in seen:
            yield index, value
        seen.add(value)


# --------------------------------------------------------------------------------------------
# Stacking rules (content/rules/*.yaml, format in content/README.md)

RULE_NODE_KINDS = (
    "all",
    "any",
    "n_of",
    "credential",
    "min_hours",
    "covers",
    "within_years",
    "equivalent",
    "signoff",
)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_keys(
    body: dict, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for key in required:
        if key not in body:
            errors[key] = ["Missing data for required field."]
    for key in body:
        if key not in required and key not in optional:
            errors[str(key)] = ["Unknown field."]
    return errors


def _check_node_list(value: Any, *, minimum: int = 1) -> dict[Any, Any] | list[str]:
    if not isinstance(value, list):
        return ["Must be a list of rule nodes."]
    if len(value) < minimum:
        return [f"Needs at least {minimum} rule node{'s' if minimum > 1 else ''}."]
    errors: dict[Any, Any] = {}
    for index, child in enumerate(value):
        child_errors = check_rule_node(child)
        if child_errors:
            errors[index] = child_errors
    return errors


def _check_text(value: Any) -> dict[str, Any] | list[str]:
    try:
        LanguageMap().load(value)
    except ValidationError as error:
        return error.messages  # type: ignore[return-value]
    return {}


def check_rule_node(node: Any) -> dict[str, Any] | list[str]:
    """Check the syntax of one rule node and its children, recursively.

    Returns marshmallow-style messages: ``{}`` when the node is well formed, a list of messages
    for the node itself, or a dict keyed by the path below it (kind, field, list index).
    """
    if not isinstance(node, dict):
        return ["A rule node is a mapping with exactly one key."]
    if len(node) != 1:
        keys = ", ".join(sorted(str(key) for key in node)) or "none"
        return [
            f"A rule node has exactly one key (one of {', '.join(RULE_NODE_KINDS)}); got {keys}."
        ]
    ((kind, body),) = node.items()
    if kind not in RULE_NODE_KINDS:
        return [f"Unknown rule node kind {kind!r}; expected one of {', '.join(RULE_NODE_KINDS)}."]
    errors: Any = {}
    if kind in ("all", "any"):
        errors = _check_node_list(body)
    elif kind == "n_of":
        if not isinstance(body, dict):
            errors = ["Must be a mapping with n, rules and optional distinct."]
        else:
            errors = _check_keys(body, ("n", "rules"), ("distinct",))
            if "n" in body and (not _is_int(body["n"]) or body["n"] < 1):
                errors["n"] = ["Must be a whole number of at least 1."]
            if "distinct" in body and not isinstance(body["distinct"], bool):
                errors["distinct"] = ["Not a valid boolean."]
            if "rules" in body:
                rule_errors = _check_node_list(body["rules"])
                if rule_errors:
                    errors["rules"] = rule_errors
                elif _is_int(body.get("n")) and body["n"] > len(body["rules"]):
                    errors["n"] = [f"{body['n']} is more than the {len(body['rules'])} rules."]
    elif kind == "credential":
        if isinstance(body, str):
            if not re.match(CODE_PATTERN, body):
                errors = ["Not a valid code."]
        elif isinstance(body, dict):
            errors = _check_keys(body, ("code",), ("min_version",))
            if "code" in body and not (
                isinstance(body["code"], str) and re.match(CODE_PATTERN, body["code"])
            ):
                errors["code"] = ["Not a valid code."]
            if "min_version" in body and (
                not _is_int(body["min_version"]) or body["min_version"] < 1
            ):
                errors["min_version"] = ["Must be a whole number of at least 1."]
        else:
            errors = ["Must be a code or a mapping with code and optional min_version."]
    elif kind == "min_hours":
        if not isinstance(body, dict):
            errors = ["Must be a mapping with hours and optional from."]
        else:
            errors = _check_keys(body, ("hours",), ("from",))
            if "hours" in body and (not _is_int(body["hours"]) or body["hours"] < 1):
                errors["hours"] = ["Must be a whole number of at least 1."]
            if "from" in body and not _is_code_list(body["from"]):
                errors["from"] = ["Must be a non-empty list of codes."]
    elif kind == "covers":
        if not isinstance(body, dict):
            errors = ["Must be a mapping with items and fraction."]
        else:
            errors = _check_keys(body, ("items", "fraction"))
            if "items" in body and not _is_code_list(body["items"]):
                errors["items"] = ["Must be a non-empty list of codes."]
            fraction = body.get("fraction")
            if "fraction" in body and (
                isinstance(fraction, bool)
                or not isinstance(fraction, int | float)
                or not 0 < fraction <= 1
            ):
                errors["fraction"] = ["Must be a number greater than 0 and at most 1."]
    elif kind == "within_years":
        if not isinstance(body, dict):
            errors = ["Must be a mapping with years and rule."]
        else:
            errors = _check_keys(body, ("years", "rule"))
            if "years" in body and (not _is_int(body["years"]) or body["years"] < 1):
                errors["years"] = ["Must be a whole number of at least 1."]
            if "rule" in body:
                rule_errors = check_rule_node(body["rule"])
                if rule_errors:
                    errors["rule"] = rule_errors
    elif kind == "equivalent":
        if not isinstance(body, dict):
            errors = ["Must be a mapping with crosswalk and credential."]
        else:
            errors = _check_keys(body, ("crosswalk", "credential"))
            for key in ("crosswalk", "credential"):
                if key in body and not (
                    isinstance(body[key], str) and re.match(CODE_PATTERN, body[key])
                ):
                    errors[key] = ["Not a valid code."]
    elif kind == "signoff":
        if not isinstance(body, dict):
            errors = ["Must be a mapping with note."]
        else:
            errors = _check_keys(body, ("note",))
            if "note" in body:
                note_errors = _check_text(body["note"])
                if note_errors:
                    errors["note"] = note_errors
    return {kind: errors} if errors else {}


def _is_code_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) > 0
        and all(isinstance(code, str) and re.match(CODE_PATTERN, code) for code in value)
    )


class RuleNodeField(fields.Field):
    """A stacking rule tree, checked recursively by :func:`check_rule_node`."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        errors = check_rule_node(value)
        if errors:
            raise ValidationError(errors)  # type: ignore[arg-type]
        return value


class RulesSchema(_Base):
    kind = fields.String(required=True, validate=validate.Equal("stacking_rules"))
    framework = fields.String(required=True)
    occupation = _code(required=True)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    illustrative = fields.Boolean(required=True)
    title = _text(required=True)
    requires_signoff = fields.Boolean(required=True)
    rule = RuleNodeField(required=True)


SCHEMAS: dict[str, type[Schema]] = {
    "organisations": OrganisationsFileSchema,
    "frameworks": FrameworkSchema,
    "crosswalks": CrosswalkSchema,
    "microcredentials": MicrocredentialSchema,
    "rules": RulesSchema,
}


# --------------------------------------------------------------------------------------------
# The directory


def _content_files(root: Path) -> list[tuple[str, Path]]:
    files: list[tuple[str, Path]] = []
    organisations = root / "organisations.yaml"
    if organisations.exists():
        files.append(("organisations", organisations))
    for kind in ("frameworks", "crosswalks", "microcredentials", "rules"):
        folder = root / kind
        if folder.is_dir():
            found = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
            files.extend((kind, path) for path in found)
    return files


def flatten_messages(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Turn marshmallow's nested messages into ``(dotted.path, message)`` pairs, in order."""
    pairs: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            pairs.extend(flatten_messages(value, path))
    elif isinstance(messages, list | tuple):
        for message in messages:
            if isinstance(message, dict | list | tuple):
                pairs.extend(flatten_messages(message, prefix))
            else:
                pairs.append((prefix or "_schema", str(message)))
    else:
        pairs.append((prefix or "_schema", str(messages)))
    return pairs


class _Errors:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, file: str, path: str, message: str) -> None:
        self.lines.append(f"{file}: {path}: {message}")


def validate_content_dir(path: Path | str) -> tuple[dict[str, list[dict]], list[str]]:
    """Parse and check every content file under ``path``; see the module docstring.

    Never raises for bad content: every problem becomes a line in the returned errors. A file
    that fails its schema is reported once: references to the codes it declares are not
    reported again as unknown.
    """
    root = Path(path)
    data: dict[str, list[dict]] = {kind: [] for kind in SCHEMAS}
    files: dict[int, str] = {}
    broken: dict[str, set[str]] = {
        "organisations": set(),
        "frameworks": set(),
        "items": set(),
        "crosswalks": set(),
        "microcredentials": set(),
    }
    errors = _Errors()
    if not root.is_dir():
        return data, [f"{root}: _schema: Not a directory."]
    if not (root / "organisations.yaml").exists():
        errors.add("organisations.yaml", "_schema", "Missing file.")
    for kind, file_path in _content_files(root):
        relative = file_path.relative_to(root).as_posix()
        try:
            raw = load_yaml(file_path)
        except yaml.YAMLError as error:
            errors.add(relative, "_schema", f"Not valid YAML: {' '.join(str(error).split())}")
            continue
        if not isinstance(raw, dict):
            errors.add(relative, "_schema", "A content file holds one mapping.")
            continue
        try:
            loaded = SCHEMAS[kind]().load(raw)
        except ValidationError as error:
            for field_path, message in flatten_messages(error.messages):
                errors.add(relative, field_path, message)
            for category, names in _declared_names(kind, raw).items():
                broken[category] |= names
            continue
        files[id(loaded)] = relative
        data[kind].append(loaded)
    _cross_check(data, files, broken, errors)
    return data, errors.lines


def _declared_names(kind: str, raw: dict) -> dict[str, set[str]]:
    """The codes a file that failed its schema declares, read as far as its shape allows."""

    def strings(values: Iterable[Any]) -> set[str]:
        return {value for value in values if isinstance(value, str)}

    def item_codes(items: Any) -> set[str]:
        codes: set[str] = set()
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                codes |= strings([item.get("code")]) | item_codes(item.get("children"))
        return codes

    if kind == "organisations":
        entries = raw.get("organisations")
        entries = entries if isinstance(entries, list) else []
        return {"organisations": strings(e.get("code") for e in entries if isinstance(e, dict))}
    if kind == "frameworks":
        return {
            "frameworks": strings([raw.get("identifier")]),
            "items": item_codes(raw.get("items")),
        }
    if kind == "crosswalks":
        return {"crosswalks": strings([raw.get("name")])}
    if kind == "microcredentials":
        return {"microcredentials": strings([raw.get("code")])}
    return {}


# --------------------------------------------------------------------------------------------
# Cross-file checks


def walk_items(items: Iterable[dict], path: str = "items", parent: dict | None = None):
    """Yield ``(item, dotted path, parent item)`` for each item of a framework tree, depth first."""
    for index, item in enumerate(items):
        item_path = f"{path}.{index}"
        yield item, item_path, parent
        yield from walk_items(item.get("children") or [], f"{item_path}.children", item)


class _Context:
    """What the content declares, indexed for the cross-file checks."""

    def __init__(self, files: dict[int, str], broken: dict[str, set[str]], errors: _Errors):
        self.files = files
        self.broken = broken
        self.errors = errors
        self.organisations: dict[str, dict] = {}
        self.frameworks: dict[str, dict] = {}
        self.items: dict[str, dict[str, dict]] = {}  # framework identifier -> code -> item
        self.crosswalks: dict[str, dict] = {}
        self.microcredentials: dict[str, dict] = {}
        self.uuids: dict[str, str] = {}

    def add(self, document: dict, path: str, message: str) -> None:
        self.errors.add(self.files[id(document)], path, message)

    def check_uuid(self, document: dict, path: str, value: Any) -> None:
        key = str(value)
        if key in self.uuids:
            self.add(document, path, f"Duplicate UUID {key} (also {self.uuids[key]}).")
        self.uuids.setdefault(key, f"{self.files[id(document)]}: {path}")

    def check_org(self, document: dict, path: str, code: str, kinds: tuple[str, ...]) -> None:
        organisation = self.organisations.get(code)
        if organisation is None:
            if code not in self.broken["organisations"]:
                self.add(document, path, f"Unknown organisation {code}.")
        elif organisation["kind"] not in kinds:
            self.add(
                document, path, f"{code} is a {organisation['kind']}, not a {' or '.join(kinds)}."
            )

    def find_item(self, document: dict, path: str, framework_id: str, code: str) -> dict | None:
        """The item ``code`` of a framework, or None (reported unless its file is broken)."""
        codes = self.items.get(framework_id)
        if codes is None:
            if framework_id not in self.broken["frameworks"]:
                self.add(document, path, f"Unknown framework {framework_id}.")
            return None
        item = codes.get(code)
        if item is None and code not in self.broken["items"]:
            self.add(document, path, f"Unknown item {code} in {framework_id}.")
        return item

    def check_version(self, document: dict, path: str, framework_id: str, version: str) -> None:
        framework = self.frameworks.get(framework_id)
        if framework is not None and version != framework["version"]:
            self.add(
                document,
                path,
                f"{framework_id} is at version {framework['version']}, not {version}.",
            )

    def knows_microcredential(self, code: str) -> bool:
        return code in self.microcredentials or code in self.broken["microcredentials"]


def _cross_check(
    data: dict[str, list[dict]],
    files: dict[int, str],
    broken: dict[str, set[str]],
    errors: _Errors,
) -> None:
    context = _Context(files, broken, errors)
    _check_organisations(data["organisations"], context)
    _check_frameworks(data["frameworks"], context)
    _check_crosswalks(data["crosswalks"], context)
    _check_microcredentials(data["microcredentials"], context)
    _check_rules(data["rules"], context)


def _check_organisations(documents: list[dict], context: _Context) -> None:
    for document in documents:
        for index, organisation in enumerate(document["organisations"]):
            if organisation["code"] in context.organisations:
                context.add(
                    document,
                    f"organisations.{index}.code",
                    f"Duplicate organisation code {organisation['code']}.",
                )
            context.organisations.setdefault(organisation["code"], organisation)


def _check_frameworks(documents: list[dict], context: _Context) -> None:
    for framework in documents:
        identifier = framework["identifier"]
        if identifier in context.frameworks:
            context.add(framework, "identifier", f"Duplicate framework {identifier}.")
            continue
        context.frameworks[identifier] = framework
        context.check_uuid(framework, "identifier_uuid", framework["identifier_uuid"])
        context.check_org(framework, "publisher", framework["publisher"], ("standards_body",))
        codes: dict[str, dict] = {}
        for item, item_path, _parent in walk_items(framework["items"]):
            if item["code"] in codes:
                context.add(framework, f"{item_path}.code", f"Duplicate item code {item['code']}.")
            codes.setdefault(item["code"], item)
            context.check_uuid(framework, f"{item_path}.uuid", item["uuid"])
        context.items[identifier] = codes
        for item, item_path, _parent in walk_items(framework["items"]):
            credential = item.get("credential") or {}
            for key in ("awarded_when_all_held", "prerequisites"):
                for index, code in enumerate(credential.get(key) or []):
                    if code not in codes:
                        context.add(
                            framework,
                            f"{item_path}.credential.{key}.{index}",
                            f"Unknown item {code} in {identifier}.",
                        )


def _check_crosswalks(documents: list[dict], context: _Context) -> None:
    for crosswalk in documents:
        if crosswalk["name"] in context.crosswalks:
            context.add(crosswalk, "name", f"Duplicate crosswalk {crosswalk['name']}.")
            continue
        context.crosswalks[crosswalk["name"]] = crosswalk
        context.check_uuid(crosswalk, "identifier_uuid", crosswalk["identifier_uuid"])
        for index, code in enumerate(crosswalk["asserted_by"]):
            context.check_org(crosswalk, f"asserted_by.{index}", code, ORGANISATION_KINDS)
        for index, association in enumerate(crosswalk["associations"]):
            path = f"associations.{index}"
            context.check_uuid(crosswalk, f"{path}.uuid", association["uuid"])
            for end in ("source_item", "target_item"):
                ref = association[end]
                context.check_version(
                    crosswalk, f"{path}.{end}.version", ref["framework"], ref["version"]
                )
                context.find_item(crosswalk, f"{path}.{end}.code", ref["framework"], ref["code"])
            for org_index, code in enumerate(association["asserted_by"]):
                context.check_org(
                    crosswalk, f"{path}.asserted_by.{org_index}", code, ORGANISATION_KINDS
                )
            source_framework = association["source_item"]["framework"]
            if source_framework in context.items:
                for code_index, code in enumerate(association["scope"]["excludes"]):
                    context.find_item(
                        crosswalk, f"{path}.scope.excludes.{code_index}", source_framework, code
                    )


def _check_microcredentials(documents: list[dict], context: _Context) -> None:
    unique: list[dict] = []
    for document in documents:
        code = document["code"]
        if code in context.microcredentials:
            context.add(document, "code", f"Duplicate micro-credential code {code}.")
            continue
        context.microcredentials[code] = document
        unique.append(document)
    item_codes = {code for codes in context.items.values() for code in codes}
    module_owners: dict[str, str] = {}
    for document in unique:
        if document["code"] in item_codes:
            context.add(document, "code", f"{document['code']} is already a framework item code.")
        context.check_org(
            document, "issuing_organisation", document["issuing_organisation"], ("college",)
        )
        for index, code in enumerate(document.get("co_issuers") or []):
            context.check_org(document, f"co_issuers.{index}", code, ("college",))
        for index, partner in enumerate(document["industry_partners"]):
            context.check_org(
                document,
                f"industry_partners.{index}.organisation",
                partner["organisation"],
                ("industry_partner", "employer"),
            )
        for index, alignment in enumerate(document["alignments"]):
            path = f"alignments.{index}"
            framework_id = alignment["framework"]
            if framework_id not in context.items:
                context.find_item(document, f"{path}.framework", framework_id, alignment["item"])
                continue
            context.check_version(
                document, f"{path}.framework_version", framework_id, alignment["framework_version"]
            )
            item = context.find_item(document, f"{path}.item", framework_id, alignment["item"])
            if item is not None and item["type"] not in LEAF_TYPES:
                context.add(
                    document,
                    f"{path}.item",
                    f"{alignment['item']} is a {item['type']}, not an indicator.",
                )
        if isinstance(document["prerequisites"], list):
            for index, code in enumerate(document["prerequisites"]):
                if not context.knows_microcredential(code):
                    context.add(
                        document, f"prerequisites.{index}", f"Unknown micro-credential {code}."
                    )
        if isinstance(document["stacks_into"], list):
            for index, code in enumerate(document["stacks_into"]):
                item = _find_item(context.items, code)
                if item is None and code in context.broken["items"]:
                    continue
                if item is None or item["type"] not in ("occupation", "certification"):
                    context.add(document, f"stacks_into.{index}", f"Unknown occupation {code}.")
        for index, module in enumerate(document["modules"]):
            owner = module_owners.setdefault(module["code"], document["code"])
            if owner != document["code"]:
                context.add(
                    document,
                    f"modules.{index}.code",
                    f"Duplicate module code {module['code']} (also in {owner}).",
                )
    for code, cycle in _prerequisite_cycles(context.microcredentials):
        context.add(
            context.microcredentials[code],
            "prerequisites",
            "Prerequisite cycle: " + " -> ".join(cycle) + ".",
        )


def _check_rules(documents: list[dict], context: _Context) -> None:
    occupations_with_rules: dict[str, str] = {}
    for document in documents:
        framework_id = document["framework"]
        framework = context.frameworks.get(framework_id)
        if framework is None:
            if framework_id not in context.broken["frameworks"]:
                context.add(document, "framework", f"Unknown framework {framework_id}.")
            continue
        codes = context.items[framework_id]
        occupation = codes.get(document["occupation"])
        if occupation is None or occupation["type"] != "occupation":
            if document["occupation"] not in context.broken["items"]:
                context.add(
                    document,
                    "occupation",
                    f"Unknown occupation {document['occupation']} in {framework_id}.",
                )
            continue
        file = context.files[id(document)]
        previous = occupations_with_rules.setdefault(document["occupation"], file)
        if previous != file:
            context.add(
                document, "occupation", f"{document['occupation']} already has rules in {previous}."
            )
        if framework["illustrative"] and not document["illustrative"]:
            context.add(
                document, "illustrative", "Rules over an illustrative framework are illustrative."
            )
        _check_rule_references(
            document["rule"], "rule", document=document, framework_id=framework_id, context=context
        )


def _find_item(items: dict[str, dict[str, dict]], code: str) -> dict | None:
    for codes in items.values():
        if code in codes:
            return codes[code]
    return None


def _prerequisite_cycles(microcredentials: dict[str, dict]) -> list[tuple[str, list[str]]]:
    """Each prerequisite cycle once, as a path from its alphabetically first code back to it."""

    def requires(code: str) -> list[str]:
        prerequisites = microcredentials[code]["prerequisites"]
        if not isinstance(prerequisites, list):
            return []
        return [other for other in prerequisites if other in microcredentials]

    cycles: dict[frozenset[str], list[str]] = {}
    for start in sorted(microcredentials):
        stack: list[list[str]] = [[start]]
        while stack:
            trail = stack.pop()
            for other in requires(trail[-1]):
                if other == start:
                    if min(trail) == start:
                        cycles.setdefault(frozenset(trail), trail + [start])
                elif other not in trail:
                    stack.append(trail + [other])
    return [(cycle[0], cycle) for cycle in cycles.values()]


def _check_rule_references(
    node: dict, path: str, *, document: dict, framework_id: str, context: _Context
) -> None:
    """Check that a well-formed rule tree names only things the content defines."""
    ((kind, body),) = node.items()
    here = f"{path}.{kind}"

    def recurse(child: dict, child_path: str) -> None:
        _check_rule_references(
            child, child_path, document=document, framework_id=framework_id, context=context
        )

    if kind in ("all", "any"):
        for index, child in enumerate(body):
            recurse(child, f"{here}.{index}")
    elif kind == "n_of":
        for index, child in enumerate(body["rules"]):
            recurse(child, f"{here}.rules.{index}")
    elif kind == "within_years":
        recurse(body["rule"], f"{here}.rule")
    elif kind == "credential":
        code = body if isinstance(body, str) else body["code"]
        code_path = here if isinstance(body, str) else f"{here}.code"
        found = context.microcredentials.get(code)
        if found is None:
            if not context.knows_microcredential(code):
                context.add(document, code_path, f"Unknown micro-credential {code}.")
        elif not isinstance(body, str) and body.get("min_version", 1) > found["version"]:
            context.add(
                document,
                f"{here}.min_version",
                f"{code} has no version {body['min_version']} in the content.",
            )
    elif kind == "min_hours":
        sources = body.get("from")
        for index, code in enumerate(sources or []):
            if not context.knows_microcredential(code):
                context.add(document, f"{here}.from.{index}", f"Unknown micro-credential {code}.")
        pool = sources if sources else list(context.microcredentials)
        if any(code in context.broken["microcredentials"] for code in pool):
            return  # its hours are unknown; the broken file is reported already
        available = sum(
            context.microcredentials[code]["effort_hours"]
            for code in pool
            if code in context.microcredentials
        )
        if available < body["hours"]:
            context.add(
                document,
                f"{here}.hours",
                f"Cannot be reached: the counted micro-credentials give {available} hours.",
            )
    elif kind == "covers":
        for index, code in enumerate(body["items"]):
            if code not in context.items[framework_id] and code not in context.broken["items"]:
                context.add(document, f"{here}.items.{index}", f"Unknown item {code}.")
    elif kind == "equivalent":
        crosswalk = context.crosswalks.get(body["crosswalk"])
        if crosswalk is None:
            if body["crosswalk"] not in context.broken["crosswalks"]:
                context.add(
                    document, f"{here}.crosswalk", f"Unknown crosswalk {body['crosswalk']}."
                )
            return
        occupation = document["occupation"]
        declared = [
            association
            for association in crosswalk["associations"]
            if association["relation"] == "exact"
            and association["status"] == "declared"
            and {association["source_item"]["code"], association["target_item"]["code"]}
            == {body["credential"], occupation}
        ]
        if not declared:
            context.add(
                document,
                f"{here}.credential",
                f"{crosswalk['name']} declares no exact equivalence between "
                f"{body['credential']} and {occupation}.",
            )
