"""API shapes for LTI registrations and line items."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate


class PlatformIn(Schema):
    issuer = fields.String(required=True, validate=validate.Length(min=1, max=500))
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=255))
    deployment_ids = fields.List(
        fields.String(validate=validate.Length(max=255)), load_default=list
    )
    auth_url = fields.String(required=True)
    token_url = fields.String(required=True)
    jwks_url = fields.String(load_default=None, allow_none=True)
    static_public_key = fields.String(load_default=None, allow_none=True)
    organisation = fields.String(load_default=None, allow_none=True)
    name = fields.String(load_default="", validate=validate.Length(max=200))
    trusts_email = fields.Boolean(load_default=False)


class PlatformPatch(Schema):
    name = fields.String(validate=validate.Length(max=200))
    deployment_ids = fields.List(fields.String(validate=validate.Length(max=255)))
    auth_url = fields.String()
    token_url = fields.String()
    jwks_url = fields.String(allow_none=True)
    static_public_key = fields.String(allow_none=True)
    organisation = fields.String(allow_none=True)
    trusts_email = fields.Boolean()
    is_enabled = fields.Boolean()


class PlatformOut(Schema):
    id = fields.Integer()
    name = fields.String()
    issuer = fields.String()
    client_id = fields.String()
    deployment_ids = fields.List(fields.String())
    auth_url = fields.String()
    token_url = fields.String()
    jwks_url = fields.String(allow_none=True)
    has_static_key = fields.Function(lambda p: bool(p.static_public_key))
    organisation = fields.Function(lambda p: p.organisation.code if p.organisation else None)
    trusts_email = fields.Boolean()
    is_enabled = fields.Boolean()
    registered_via = fields.String()
    product_family_code = fields.String(allow_none=True)
    created_at = fields.DateTime()


class LineItemIn(Schema):
    label = fields.String(required=True, validate=validate.Length(min=1, max=500))
    scoreMaximum = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))  # noqa: N815 -- the spec's name
    resourceLinkId = fields.String(load_default=None)  # noqa: N815
    resourceId = fields.String(load_default=None)  # noqa: N815
    tag = fields.String(load_default=None)
