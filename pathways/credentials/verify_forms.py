"""Forms of the verify, share, import and trust-list pages: shape only; rules live in
`sharing`, `trust` and `verifier`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import DateField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token."""


class VerifyFileForm(FlaskForm):
    file = FileField(
        _l("Credential file"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l("An Open Badges 3.0 or CLR 2.0 credential: JSON, or a PNG or SVG badge."),
    )
    submit = SubmitField(_l("Verify the file"))


class VerifyUrlForm(FlaskForm):
    url = StringField(
        _l("Web address of the credential"),
        validators=[DataRequired(), Length(max=2048)],
        description=_l("The address where the issuer or the holder publishes the credential."),
    )
    submit = SubmitField(_l("Verify the address"))


class VerifyIdForm(FlaskForm):
    credential_id = StringField(
        _l("Credential id"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("A credential issued by Pathways: urn:uuid:… as written in it."),
    )
    submit = SubmitField(_l("Verify the id"))


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


SCOPES = [
    ("chosen", _l("The credentials I choose below")),
    ("whole", _l("My whole record, including credentials I earn later")),
]
DURATIONS = [
    ("30", _l("30 days")),
    ("90", _l("90 days")),
    ("365", _l("One year")),
    ("date", _l("Until a date I choose")),
]


class ShareForm(FlaskForm):
    organisation = SelectField(_l("Employer"), coerce=int, validators=[InputRequired()])
    scope = RadioField(
        _l("What to share"), choices=SCOPES, default="chosen", validators=[InputRequired()]
    )
    credentials = MultiCheckboxField(_l("Credentials"), coerce=int, choices=[])
    duration = RadioField(
        _l("For how long"), choices=DURATIONS, default="90", validators=[InputRequired()]
    )
    until = DateField(
        _l("Until (inclusive)"),
        validators=[Optional()],
        description=_l("Only when you choose a date: at most two years from today."),
    )
    message = TextAreaField(
        _l("Message to the employer (optional)"),
        validators=[Optional(), Length(max=1000)],
        description=_l("For example the position you applied for."),
    )
    submit = SubmitField(_l("Share"))


class ImportForm(FlaskForm):
    file = FileField(
        _l("Credential file"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l("An Open Badges 3.0 credential: JSON, or a PNG or SVG badge image."),
    )
    item_code = SelectField(
        _l("Which credential is it?"),
        validators=[Optional()],
        description=_l(
            "Only needed when Pathways cannot tell from the file; an assessor then checks it."
        ),
    )
    submit = SubmitField(_l("Bring it in"))


class ChooseItemForm(FlaskForm):
    item_code = SelectField(_l("Which credential is it?"), validators=[DataRequired()])
    submit = SubmitField(_l("Send to an assessor"))


class TrustedIssuerForm(FlaskForm):
    identifier = StringField(
        _l("Issuer identifier"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("The issuer id written in its credentials: a DID or an https address."),
    )
    name = StringField(_l("Name shown to readers"), validators=[DataRequired(), Length(max=200)])
    note = TextAreaField(
        _l("Note (optional)"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Why it is trusted, where its identifier was confirmed."),
    )
    submit = SubmitField(_l("Add to the trust list"))


class MappingForm(FlaskForm):
    issuer = SelectField(_l("Outside issuer"), coerce=int, validators=[InputRequired()])
    achievement = StringField(
        _l("Achievement id or humanCode"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("As written in the issuer's credentials (achievement id, or humanCode)."),
    )
    item_code = SelectField(_l("Framework item"), validators=[DataRequired()])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Add the mapping"))
