"""Forms of the issuer's credential pages: shape only; the services decide the rest."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

REASON_MAX = 500

STATUS_CHOICES = [
    ("", _l("Any status")),
    ("active", _l("Active")),
    ("expired", _l("Expired")),
    ("suspended", _l("Suspended")),
    ("revoked", _l("Revoked")),
]


class RegisterSearchForm(FlaskForm):
    """The register's search (GET: no CSRF token, the URL can be shared)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Learner email or credential id"),
        validators=[Optional(), Length(max=200)],
        description=_l("Part of an email address, or a whole id such as urn:uuid:…"),
    )
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, validators=[Optional()])
    org = SelectField(_l("Issuer"), validators=[Optional()])


def _reason(label):
    return TextAreaField(
        label,
        validators=[
            DataRequired(message=_l("Give a reason.")),
            Length(max=REASON_MAX, message=_l("At most %(max)d characters.", max=REASON_MAX)),
        ],
        description=_l("Kept in the credential's history; never published."),
    )


class SuspendForm(FlaskForm):
    reason = _reason(_l("Reason for the suspension"))
    submit = SubmitField(_l("Suspend"))


class ReinstateForm(FlaskForm):
    reason = _reason(_l("Reason for reinstating"))
    submit = SubmitField(_l("Reinstate"))


class RevokeForm(FlaskForm):
    reason = _reason(_l("Reason for the revocation"))
    confirm = BooleanField(
        _l("I understand that revoking is permanent and revokes what relies on it."),
        validators=[DataRequired(message=_l("Confirm that you mean to revoke it."))],
    )
    submit = SubmitField(_l("Revoke for good"))
