"""The forms of the "connect an LMS" pages: new credentials, activity mappings, accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
from wtforms.validators import DataRequired
from wtforms.validators import Length


class ConnectLmsForm(FlaskForm):
    name = StringField(
        _l("LMS name"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("For example: Moodle production"),
    )
    submit = SubmitField(_l("Create the LRS credentials"))


class MapActivityForm(FlaskForm):
    activity = StringField(
        _l("Activity URL (as the LMS sends it)"),
        validators=[DataRequired(), Length(max=1000)],
        description=_l("For example https://moodle.example/mod/quiz/view.php?id=12"),
    )
    module = SelectField(_l("Counts for the module"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Map the activity"))


class AccountsCsvForm(FlaskForm):
    home_page = StringField(
        _l("The LMS's address"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("As its statements name learners: for Moodle, its site URL."),
    )
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired()],
        description=_l("Two columns with a header: account (the LMS's user id) and email."),
    )
    submit = SubmitField(_l("Link the accounts"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))
