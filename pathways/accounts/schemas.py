"""API shapes for accounts."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from pathways.accounts.enums import Scope


class MembershipOut(Schema):
    organisation = fields.Function(lambda m: m.organisation.code)
    role = fields.Function(lambda m: m.role.value)


class MeOut(Schema):
    id = fields.Integer()
    email = fields.String()
    display_name = fields.String()
    locale = fields.String(allow_none=True)
    memberships = fields.List(fields.Nested(MembershipOut))


class ApiClientIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    scopes = fields.List(
        fields.String(validate=validate.OneOf([s.value for s in Scope])),
        required=True,
        validate=validate.Length(min=1),
    )


class ApiClientOut(Schema):
    id = fields.Integer()
    name = fields.String()
    key_id = fields.String()
    scopes = fields.List(fields.String())
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    organisation = fields.Function(lambda c: c.organisation.code)
