"""LTI admin forms: shape only; rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import EmailField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import Optional


class PlatformForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    organisation = SelectField(_l("College"), choices=[], validate_choice=False)
    issuer = StringField(
        _l("Issuer (iss)"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("The platform's URL exactly as it signs launches."),
    )
    client_id = StringField(_l("Client ID"), validators=[DataRequired(), Length(max=255)])
    deployment_ids = StringField(
        _l("Deployment IDs"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Separate several with commas."),
    )
    auth_url = StringField(_l("OIDC authentication URL"), validators=[DataRequired()])
    token_url = StringField(_l("Access token URL"), validators=[DataRequired()])
    jwks_url = StringField(_l("Public keyset (JWKS) URL"), validators=[Optional()])
    static_public_key = TextAreaField(
        _l("Static public key (PEM or JWK)"),
        validators=[Optional(), Length(max=10000)],
        description=_l("Only when the platform publishes no keyset URL."),
    )
    trusts_email = BooleanField(
        _l("Trust this platform's emails"),
        description=_l("Link launches to existing Pathways accounts with the same email."),
    )
    is_enabled = BooleanField(_l("Enabled"), default=True)
    submit = SubmitField(_l("Save"))


class ConsumerForm(FlaskForm):
    consumer_key = StringField(_l("Consumer key"), validators=[DataRequired(), Length(max=255)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    organisation = SelectField(_l("College"), choices=[], validate_choice=False)
    trusts_email = BooleanField(_l("Trust this consumer's emails"))
    submit = SubmitField(_l("Create consumer"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))


class LinkSignInForm(FlaskForm):
    """Link the LMS account to an existing one by signing in to it once."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Sign in and link"))


class LinkByEmailForm(FlaskForm):
    """For an account without a password: a link mailed to its address proves it."""

    email = EmailField(
        _l("Email of your Pathways account"),
        validators=[DataRequired(), Email(), Length(max=254)],
    )
    submit = SubmitField(_l("Email me a link"))


class LinkPreviousForm(FlaskForm):
    submit = SubmitField(_l("Link to this account"))


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


# The same words as the portal's role titles (one translation each).
GRANTABLE_LABELS = (
    ("learner", _l("Learner")),
    ("assessor", _l("Assessor")),
    ("college_editor", _l("College editor")),
    ("college_admin", _l("College administrator")),
)


def _grants(label) -> CheckboxesField:
    return CheckboxesField(label, choices=list(GRANTABLE_LABELS), validate_choice=True)


class RoleGrantsForm(FlaskForm):
    """What each kind of LMS role becomes in the college; approval (enabled)."""

    learner = _grants(_l("An LMS learner becomes"))
    instructor = _grants(_l("An LMS instructor becomes"))
    administrator = _grants(_l("An LMS administrator becomes"))
    is_enabled = BooleanField(_l("Approved: this LMS may launch Pathways"))
    submit = SubmitField(_l("Save"))
