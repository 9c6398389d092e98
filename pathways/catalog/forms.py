"""Catalog forms: shape only (required, length, choice); the rules live in the services.

Every text of a micro-credential is a language map; the forms offer one box per language
(English and French) and `pathways.catalog.editing` turns them into maps.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import BooleanField
from wtforms import FieldList
from wtforms import Form
from wtforms import FormField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SearchField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange as _NumberRange
from wtforms.validators import Optional
from wtforms.validators import Regexp

LANGUAGE_CHOICES = [("en", _l("English")), ("fr", _l("French")), ("es", _l("Spanish"))]
DELIVERY_CHOICES = [
    ("", _l("Choose a delivery mode")),
    ("in_person", _l("In person")),
    ("online", _l("Online")),
    ("hybrid", _l("Hybrid")),
    ("work_based", _l("Work-based")),
]
LEVEL_CHOICES = [
    ("", _l("Choose a level")),
    ("entry", _l("Entry")),
    ("intermediate", _l("Intermediate")),
    ("advanced", _l("Advanced")),
]
METHOD_CHOICES = [
    ("", _l("Choose a method")),
    ("test", _l("Test")),
    ("observation", _l("Observation")),
    ("demonstration", _l("Demonstration")),
    ("project", _l("Project")),
    ("portfolio", _l("Portfolio")),
    ("interview", _l("Interview")),
    ("simulation", _l("Simulation")),
]
STRENGTH_CHOICES = [("full", _l("Full")), ("partial", _l("Partial"))]
PARTNER_ROLE_CHOICES = [("co_designer", _l("Co-designer")), ("endorser", _l("Endorser"))]
CHALLENGE_CHOICES = [
    ("", _l("Not stated")),
    ("yes", _l("Yes, learners may challenge it (PLAR)")),
    ("no", _l("No challenge route")),
]

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class NumberRange(_NumberRange):
    """WTForms' range check, silent when the value is not a number (that error is shown)."""

    def __call__(self, form, field) -> None:
        if field.data is not None:
            super().__call__(form, field)


def _text(label, *, rows: int = 3, max_length: int = 4000) -> TextAreaField:
    return TextAreaField(
        label, validators=[Optional(), Length(max=max_length)], render_kw={"rows": rows}
    )


def _line(label, *, max_length: int = 300) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=max_length)])


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class NewDraftForm(FlaskForm):
    college = SelectField(_l("Issuing college"), validators=[DataRequired()])
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=100),
            Regexp(CODE_PATTERN, message=_l("Letters, digits, dots, dashes and underscores.")),
        ],
        description=_l("A stable identifier kept by every version, such as NC-WELD-101."),
    )
    title_en = _line(_l("Title (English)"))
    title_fr = _line(_l("Title (French)"))
    submit = SubmitField(_l("Create the draft"))


class OutcomeForm(Form):
    outcome_id = StringField(_l("Outcome id"), validators=[Optional(), Length(max=16)])
    text_en = _text(_l("Outcome (English)"), rows=2)
    text_fr = _text(_l("Outcome (French)"), rows=2)
    remove = BooleanField(_l("Remove this outcome"))


class AssessmentForm(Form):
    method = SelectField(_l("Method"), choices=METHOD_CHOICES, validate_choice=True)
    weight_percent = IntegerField(
        _l("Weight (%)"), validators=[Optional(), NumberRange(min=0, max=100)]
    )
    description_en = _text(_l("What is assessed (English)"), rows=2)
    description_fr = _text(_l("What is assessed (French)"), rows=2)
    remove = BooleanField(_l("Remove this method"))


class ModuleForm(Form):
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=1, max=999)])
    code = StringField(
        _l("Module code"),
        validators=[
            Optional(),
            Length(max=100),
            Regexp(CODE_PATTERN, message=_l("Letters, digits, dots, dashes and underscores.")),
        ],
    )
    title_en = _line(_l("Module title (English)"))
    title_fr = _line(_l("Module title (French)"))
    effort_hours = IntegerField(
        _l("Module effort hours"), validators=[Optional(), NumberRange(min=0, max=2000)]
    )
    activity_iris = _text(_l("xAPI activity IRIs, one per line"), rows=3, max_length=20000)
    lti_resource_link_id = _line(_l("LTI resource link id (optional)"), max_length=255)
    remove = BooleanField(_l("Remove this module"))


class AlignmentRowForm(Form):
    framework = HiddenField()
    item = HiddenField()
    outcome = SelectField(_l("Outcome"), choices=[], validate_choice=False)
    strength = SelectField(_l("Strength"), choices=STRENGTH_CHOICES)
    remove = BooleanField(_l("Remove this alignment"))


class EditForm(FlaskForm):
    etag = HiddenField()
    title_en = _line(_l("Title (English)"))
    title_fr = _line(_l("Title (French)"))
    description_en = _text(_l("Summary (English)"))
    description_fr = _text(_l("Summary (French)"))
    languages = CheckboxesField(
        _l("Languages of instruction and assessment"), choices=LANGUAGE_CHOICES
    )
    outcomes = FieldList(FormField(OutcomeForm), min_entries=0, max_entries=60)
    assessment_methods = FieldList(FormField(AssessmentForm), min_entries=0, max_entries=20)
    evidence_en = _text(_l("Evidence employers may see (English)"))
    evidence_fr = _text(_l("Evidence employers may see (French)"))
    pass_standard_en = _text(_l("Pass criteria (English)"))
    pass_standard_fr = _text(_l("Pass criteria (French)"))
    assessor_en = _text(_l("Who assesses (English)"))
    assessor_fr = _text(_l("Who assesses (French)"))
    challenge_available = SelectField(_l("Challenge route (PLAR)"), choices=CHALLENGE_CHOICES)
    challenge_en = _text(_l("How the challenge works (English)"))
    challenge_fr = _text(_l("How the challenge works (French)"))
    effort_hours = IntegerField(
        _l("Effort hours"),
        validators=[Optional(), NumberRange(min=1, max=5000)],
        description=_l("Total learner hours."),
    )
    duration_weeks = IntegerField(
        _l("Duration in weeks"), validators=[Optional(), NumberRange(min=1, max=520)]
    )
    delivery_mode = SelectField(_l("Delivery mode"), choices=DELIVERY_CHOICES)
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES)
    credit_none = BooleanField(_l("No credit value (none)"))
    credit_en = _text(_l("Credit or transcript equivalence (English)"), rows=2)
    credit_fr = _text(_l("Credit or transcript equivalence (French)"), rows=2)
    prerequisites_none = BooleanField(_l("No prerequisites (none)"))
    prerequisites = _text(
        _l("Prerequisite micro-credential codes, one per line"), rows=2, max_length=2000
    )
    stacks_standalone = BooleanField(_l("Standalone (stacks into nothing)"))
    stacks_into = _text(
        _l("Occupation or certification codes it stacks into, one per line"),
        rows=2,
        max_length=2000,
    )
    validity_months = IntegerField(
        _l("Validity in months"),
        validators=[Optional(), NumberRange(min=1, max=600)],
        description=_l("Leave empty when the award does not expire."),
    )
    validity_en = _text(_l("Validity and recency conditions (English)"), rows=2)
    validity_fr = _text(_l("Validity and recency conditions (French)"), rows=2)
    verification_status_list = BooleanField(
        _l("Issued as a signed Open Badges 3.0 credential with a status list")
    )
    verification_en = _text(_l("How to verify it (English)"), rows=2)
    verification_fr = _text(_l("How to verify it (French)"), rows=2)
    ownership_en = _text(_l("Ownership statement (English)"), rows=2)
    ownership_fr = _text(_l("Ownership statement (French)"), rows=2)
    modules = FieldList(FormField(ModuleForm), min_entries=0, max_entries=40)
    alignments = FieldList(FormField(AlignmentRowForm), min_entries=0, max_entries=500)

    save = SubmitField(_l("Save the draft"))
    add_outcome = SubmitField(_l("Add an outcome"))
    add_method = SubmitField(_l("Add an assessment method"))
    add_module = SubmitField(_l("Add a module"))


class AlignForm(FlaskForm):
    etag = HiddenField()
    framework = HiddenField(validators=[DataRequired()])
    item = HiddenField(validators=[DataRequired()])
    outcome = SelectField(_l("Outcome"), choices=[], validate_choice=False)
    strength = SelectField(_l("Strength"), choices=STRENGTH_CHOICES)
    submit = SubmitField(_l("Align"))


class PickerSearchForm(Form):
    q = SearchField(_l("Search the competency items"), validators=[Optional(), Length(max=200)])


class InvitePartnerForm(FlaskForm):
    organisation = SelectField(_l("Partner organisation"), validators=[DataRequired()])
    role = SelectField(_l("Invited as"), choices=PARTNER_ROLE_CHOICES)
    submit = SubmitField(_l("Invite"))


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Comment"),
        validators=[DataRequired(), Length(max=5000)],
        render_kw={"rows": 3},
    )
    module = SelectField(_l("About"), choices=[], validate_choice=False)
    parent = HiddenField()
    submit = SubmitField(_l("Post the comment"))


class EndorseForm(FlaskForm):
    etag = HiddenField(validators=[DataRequired()])
    statement_en = _text(_l("What your organisation confirms (English)"))
    statement_fr = _text(_l("What your organisation confirms (French)"))
    submit = SubmitField(_l("Endorse this exact version"))


class NoteForm(FlaskForm):
    note = _text(_l("Note (optional)"), rows=2, max_length=2000)
    submit = SubmitField(_l("Confirm"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))


class SearchForm(Form):
    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    occupation = SelectField(_l("Occupation"), choices=[], validate_choice=False)
    competency = StringField(
        _l("Competency or indicator code"),
        validators=[Optional(), Length(max=100)],
        description=_l("For example ILL-MO-1.1 or ILL-MO-1.1.1."),
    )
    college = SelectField(_l("College"), choices=[], validate_choice=False)
    partner = SelectField(_l("Industry partner"), choices=[], validate_choice=False)
    effort_min = IntegerField(
        _l("At least (hours)"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    effort_max = IntegerField(
        _l("At most (hours)"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    delivery_mode = SelectField(_l("Delivery mode"), choices=[], validate_choice=False)
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=10000)])


class CaseImportForm(FlaskForm):
    package = FileField(
        _l("CASE package (CFPackage JSON)"),
        validators=[FileRequired(message=_l("Choose a JSON file."))],
    )
    submit = SubmitField(_l("Import"))
