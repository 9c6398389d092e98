"""API shapes for the catalog: `<Noun>In` loads a payload into a dict, `<Noun>Out` dumps."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate

from pathways.catalog.enums import DOES_NOT_EXPIRE
from pathways.catalog.enums import NONE
from pathways.catalog.enums import STANDALONE
from pathways.catalog.enums import DeliveryMode
from pathways.catalog.enums import Level
from pathways.catalog.enums import PartnerRole
from pathways.catalog.enums import Strength

LANGUAGES = ("en", "fr", "es")


def _text(**kwargs) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(LANGUAGES)),
        values=fields.String(validate=validate.Length(max=5000)),
        **kwargs,
    )


class LiteralOr(fields.Field):
    """A fixed word ("none", "standalone", "does not expire") or a value of `inner`."""

    def __init__(self, literal: str, inner: fields.Field, **kwargs) -> None:
        super().__init__(**kwargs)
        self.literal = literal
        self.inner = inner

    def _deserialize(self, value, attr, data, **kwargs):
        if value == self.literal or value is None:
            return value
        if isinstance(value, str):
            raise ValidationError(f'Must be "{self.literal}" or a value.')
        return self.inner.deserialize(value, attr, data, **kwargs)


class OutcomeIn(Schema):
    id = fields.String(required=True, validate=validate.Regexp(r"^O[0-9]+$"))
    text = _text(required=True)


class AssessmentMethodIn(Schema):
    method = fields.String(required=True)
    weight_percent = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    description = _text(required=True)


class ChallengeRouteIn(Schema):
    is_available = fields.Boolean(required=True)
    description = _text(required=True)


class VerificationIn(Schema):
    format = fields.String(required=True, validate=validate.Equal("open_badges_3"))
    has_status_list = fields.Boolean(required=True)
    statement = _text(required=True)


class ModuleIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=100))
    title = _text(required=True)
    effort_hours = fields.Integer(required=True, validate=validate.Range(min=1))
    xapi_activity_ids = fields.List(fields.Url(schemes={"http", "https"}), load_default=list)
    lti_resource_link_id = fields.String(allow_none=True)


class AlignmentIn(Schema):
    framework = fields.String(required=True)
    item = fields.String(required=True)
    outcome = fields.String(load_default="")
    strength = fields.String(
        load_default="full", validate=validate.OneOf([s.value for s in Strength])
    )


class VersionIn(Schema):
    """Editable draft fields; every one optional (a PATCH sets only what it names)."""

    title = _text()
    description = _text()
    co_issuers = fields.List(fields.String())
    outcomes = fields.List(fields.Nested(OutcomeIn))
    assessment_methods = fields.List(fields.Nested(AssessmentMethodIn))
    evidence = _text(allow_none=True)
    pass_standard = _text(allow_none=True)
    assessor = _text(allow_none=True)
    challenge_route = fields.Nested(ChallengeRouteIn, allow_none=True)
    effort_hours = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    duration_weeks = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    delivery_mode = fields.String(
        allow_none=True, validate=validate.OneOf([m.value for m in DeliveryMode])
    )
    languages = fields.List(fields.String(validate=validate.OneOf(LANGUAGES)))
    level = fields.String(allow_none=True, validate=validate.OneOf([lv.value for lv in Level]))
    credit_value = LiteralOr(NONE, _text(), allow_none=True)
    prerequisites = LiteralOr(NONE, fields.List(fields.String()), allow_none=True)
    stacks_into = LiteralOr(STANDALONE, fields.List(fields.String()), allow_none=True)
    validity_months = LiteralOr(
        DOES_NOT_EXPIRE, fields.Integer(validate=validate.Range(min=1)), allow_none=True
    )
    validity_recency = _text(allow_none=True)
    verification = fields.Nested(VerificationIn, allow_none=True)
    ownership_statement = _text(allow_none=True)
    cip_2021 = fields.String(allow_none=True)
    noc_2021 = fields.List(fields.String(), validate=validate.Length(max=3))
    cost_cad = fields.Integer(allow_none=True, validate=validate.Range(min=0))
    modules = fields.List(fields.Nested(ModuleIn))
    alignments = fields.List(fields.Nested(AlignmentIn))


class CreateDraftIn(VersionIn):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9.\-]*$"))
    issuing_organisation = fields.String(required=True)


class TransitionIn(Schema):
    action = fields.String(
        required=True,
        validate=validate.OneOf(("submit", "withdraw", "return", "publish", "retire", "copy")),
    )
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class CommentIn(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    module_id = fields.Integer(allow_none=True, load_default=None)
    parent_id = fields.Integer(allow_none=True, load_default=None)


class EndorsementIn(Schema):
    statement = _text(required=True)


class PartnerIn(Schema):
    organisation = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in PartnerRole]))


class SearchIn(Schema):
    q = fields.String(load_default="")
    occupation = fields.String(load_default=None)
    competency = fields.String(load_default=None)
    college = fields.String(load_default=None)
    partner = fields.String(load_default=None)
    effort_min = fields.Integer(load_default=None)
    effort_max = fields.Integer(load_default=None)
    language = fields.String(load_default=None)
    delivery_mode = fields.String(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


# Output ----------------------------------------------------------------------------------------


class ModuleOut(Schema):
    id = fields.Integer()
    code = fields.String()
    title = fields.Dict()
    effort_hours = fields.Integer()
    lti_resource_link_id = fields.String(allow_none=True)
    xapi_activity_ids = fields.Function(lambda m: m.activity_iris)


class AlignmentOut(Schema):
    framework = fields.Function(lambda a: a.item.framework.identifier)
    framework_version = fields.Function(lambda a: a.item.framework.version)
    item = fields.Function(lambda a: a.item.code)
    item_uuid = fields.Function(lambda a: a.item.uuid)
    outcome = fields.String()
    strength = fields.Function(lambda a: a.strength.value)


class PartnerOut(Schema):
    organisation = fields.Function(lambda p: p.organisation.code)
    role = fields.Function(lambda p: p.role.value)


class EndorsementOut(Schema):
    id = fields.Integer()
    organisation = fields.Function(lambda e: e.organisation.code)
    statement = fields.Dict()
    endorsed_at = fields.DateTime()
    voided_at = fields.DateTime(allow_none=True)
    void_reason = fields.String(allow_none=True)


class CommentOut(Schema):
    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    module_id = fields.Integer(allow_none=True)
    author = fields.Function(lambda c: c.author.display_name if c.author else None)
    body = fields.String()
    created_at = fields.DateTime()


class EventOut(Schema):
    action = fields.String()
    from_status = fields.Function(lambda e: e.from_status.value if e.from_status else None)
    to_status = fields.Function(lambda e: e.to_status.value if e.to_status else None)
    actor = fields.Function(lambda e: e.actor.display_name if e.actor else None)
    # The API client that acted instead of a person (a college's curriculum system).
    actor_client = fields.Function(lambda e: e.actor_client.name if e.actor_client else None)
    note = fields.String()
    at = fields.DateTime()


def _enum(value):
    return value.value if value is not None else None


class VersionOut(Schema):
    id = fields.Integer()
    code = fields.Function(lambda v: v.credential.code)
    number = fields.Integer()
    status = fields.Function(lambda v: v.status.value)
    etag = fields.String()
    issuing_organisation = fields.Function(lambda v: v.credential.issuing_organisation.code)
    title = fields.Dict()
    description = fields.Dict(allow_none=True)
    co_issuers = fields.List(fields.String())
    outcomes = fields.List(fields.Dict())
    assessment_methods = fields.List(fields.Dict())
    evidence = fields.Dict(allow_none=True)
    pass_standard = fields.Dict(allow_none=True)
    assessor = fields.Dict(allow_none=True)
    challenge_route = fields.Dict(allow_none=True)
    effort_hours = fields.Integer(allow_none=True)
    duration_weeks = fields.Integer(allow_none=True)
    delivery_mode = fields.Function(lambda v: _enum(v.delivery_mode))
    languages = fields.List(fields.String())
    level = fields.Function(lambda v: _enum(v.level))
    credit_value = fields.Raw(allow_none=True)
    prerequisites = fields.Function(
        lambda v: "none" if v.has_no_prerequisites else [p.required.code for p in v.prerequisites]
    )
    stacks_into = fields.Raw(allow_none=True)
    validity_months = fields.Function(
        lambda v: v.validity_months if v.validity_months is not None else DOES_NOT_EXPIRE
    )
    validity_recency = fields.Dict(allow_none=True)
    verification = fields.Dict(allow_none=True)
    ownership_statement = fields.Dict(allow_none=True)
    cip_2021 = fields.String(allow_none=True)
    noc_2021 = fields.List(fields.String())
    cost_cad = fields.Integer(allow_none=True)
    modules = fields.List(fields.Nested(ModuleOut))
    alignments = fields.List(fields.Nested(AlignmentOut))
    industry_partners = fields.List(fields.Nested(PartnerOut), attribute="partners")
    endorsements = fields.List(fields.Nested(EndorsementOut))
    published_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()


# What a list shows of each version.
SUMMARY_FIELDS = (
    "id",
    "code",
    "number",
    "status",
    "issuing_organisation",
    "title",
    "description",
    "effort_hours",
    "delivery_mode",
    "languages",
    "level",
)


class ItemOut(Schema):
    uuid = fields.String()
    code = fields.String()
    kind = fields.Function(lambda i: i.kind.value)
    title = fields.Dict()
    description = fields.Dict(allow_none=True)


class FrameworkOut(Schema):
    identifier = fields.String()
    uuid = fields.String()
    title = fields.Dict()
    description = fields.Dict()
    publisher = fields.String()
    version = fields.String()
    languages = fields.List(fields.String())
    is_illustrative = fields.Boolean()
    notice = fields.Dict(allow_none=True)
    status = fields.Function(lambda f: f.status.value)
