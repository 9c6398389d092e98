"""Forms for pathways, assessments and PLAR: shape only; rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional

RESULTS = [("met", _l("Met")), ("not_yet", _l("Not yet"))]


class TargetForm(FlaskForm):
    occupation = SelectField(_l("Occupation"), validators=[DataRequired()])
    submit = SubmitField(_l("Add to my pathways"))


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token."""


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PlarForm(FlaskForm):
    items = MultiCheckboxField(_l("Performance indicators assessed"), validators=[DataRequired()])
    result = RadioField(_l("Result"), choices=RESULTS, validators=[InputRequired()])
    assessed_on = DateField(_l("Date of the assessment"), validators=[DataRequired()])
    note = TextAreaField(
        _l("Evidence note"),
        validators=[Optional(), Length(max=4000)],
        description=_l("What you observed, the documents you saw, the discussion you had."),
    )
    evidence = FileField(
        _l("Evidence file (optional)"),
        description=_l("PDF, PNG, JPEG or plain text, at most 5 MB."),
    )
    submit = SubmitField(_l("Record the assessment"))


class CorrectionForm(FlaskForm):
    result = RadioField(_l("Result"), choices=RESULTS, validators=[InputRequired()])
    assessed_on = DateField(_l("Date of the assessment"), validators=[DataRequired()])
    note = TextAreaField(_l("Evidence note"), validators=[Optional(), Length(max=4000)])
    reason = TextAreaField(
        _l("Reason for the correction"), validators=[DataRequired(), Length(max=2000)]
    )
    evidence = FileField(
        _l("New evidence file (optional)"),
        description=_l(
            "Leave empty to keep the current file. PDF, PNG, JPEG or plain text, at most 5 MB."
        ),
    )
    submit = SubmitField(_l("Save the correction"))


class SignoffForm(FlaskForm):
    note = TextAreaField(_l("Sign-off note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Sign off"))


class RecognisedCredentialForm(FlaskForm):
    code = SelectField(_l("Credential"), validators=[DataRequired()])
    earned_on = DateField(_l("Earned on"), validators=[DataRequired()])
    expires_on = DateField(_l("Expires on (if it expires)"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Add the credential"))
