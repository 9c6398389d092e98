"""The consent form: which of the requested permissions the learner grants, or none."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms import SubmitField
from wtforms import widgets

from pathways.oauth.enums import ObScope

# What each scope lets an app do, in the learner's words.
SCOPE_LABELS = {
    ObScope.CREDENTIAL_READONLY: _l(
        "See your credentials: the badges and certifications Pathways issued to you, "
        "and those you added from elsewhere"
    ),
    ObScope.CREDENTIAL_UPSERT: _l("Add credentials you earned elsewhere to your Pathways account"),
    ObScope.PROFILE_READONLY: _l("See your name and email address"),
    ObScope.PROFILE_UPDATE: _l("Change the name on your Pathways profile"),
}


class ConsentForm(FlaskForm):
    approved_scope = SelectMultipleField(
        _l("This app asks to"),
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
    approve = SubmitField(_l("Allow"))
    deny = SubmitField(_l("Deny"))

    def offer(self, scopes: list[str]) -> None:
        """Offer the requested scopes, all ticked until the learner unticks some."""
        self.approved_scope.choices = [(s, SCOPE_LABELS[ObScope(s)]) for s in scopes]
        if not self.is_submitted():
            self.approved_scope.data = list(scopes)


class DisconnectForm(FlaskForm):
    """A bare POST form for the disconnect buttons: CSRF token only."""

    submit = SubmitField(_l("Disconnect"))
