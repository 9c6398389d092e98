"""The form of the "connect an LMS" page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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
