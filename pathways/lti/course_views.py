"""An instructor's view of their LMS course: the cohort (roster, with a roster sync over
NRPS), each learner's standing on what the course links to, the gradebook's line items,
and the grades sent to the LMS (sent, waiting, failed with the LMS's answer; retry).

An LMS instructor holds no Pathways role (least privilege): every route is for any
signed-in person, and `services.require_instructor` decides, course by course. An
instructor's launch lands here, so nothing needs an id typed in.
"""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.accounts.permissions import signed_in
from pathways.db import transaction
from pathways.errors import DomainError
from pathways.lti import calls
from pathways.lti import claims
from pathways.lti import queries
from pathways.lti import services
from pathways.lti.forms import ConfirmForm
from pathways.portal import queries as portal

bp = Blueprint("lti_course", __name__)


def _require_teaching(context_id: int) -> None:
    """:raises Forbidden: (403) the signed-in person does not teach the course."""
    with transaction():
        services.require_instructor(queries.get_context(context_id), current_user)


@bp.get("/courses")
@signed_in
def list_courses():
    """The LMS courses the signed-in person teaches."""
    return render_template("lti/courses.html", contexts=queries.taught_contexts(current_user.id))


@bp.get("/courses/<int:context_id>")
@signed_in
def show_course(context_id: int):
    context = queries.get_context(context_id)
    services.require_instructor(context, current_user)
    members = queries.context_members(context.id)
    learners = [
        m for m in members if m.is_active and claims.ROLE_LEARNER in claims.role_kinds(m.roles)
    ]
    targets = queries.course_targets(context.id)
    standings = queries.course_standings([m.user_id for m in learners], targets)
    grades = queries.course_grades(context.id)
    has_gradebook = bool(context.platform_id and context.lineitems_url)
    has_roster = bool(context.platform_id and context.memberships_url)
    page = {
        "context": context,
        "members": members,
        "learners": learners,
        "targets": targets,
        "standings": standings,
        "grades": grades,
        "has_roster": has_roster,
        "confirm": ConfirmForm(),
        "kinds": {m.id: sorted(claims.role_kinds(m.roles)) for m in members},
    }
    line_items, line_items_error = [], None
    if has_gradebook:
        try:  # a call to the LMS: no transaction stays open meanwhile
            line_items = calls.list_line_items(context_id, current_user)
        except DomainError as error:
            line_items_error = error.detail
    return render_template(
        "lti/course.html",
        line_items=line_items,
        line_items_error=line_items_error,
        has_gradebook=has_gradebook,
        **page,
    )


@bp.post("/courses/<int:context_id>/roster-sync")
@signed_in
def sync_course_roster(context_id: int):
    _require_teaching(context_id)
    if ConfirmForm().validate_on_submit():
        try:
            result = calls.sync_roster(context_id, current_user)
        except DomainError as error:
            flash(error.detail, "error")
        else:
            flash(
                _(
                    "Roster synced: %(members)d active, %(inactive)d inactive.",
                    members=result.members,
                    inactive=result.inactive,
                ),
                "success",
            )
    return redirect(url_for("lti_course.show_course", context_id=context_id))


@bp.post("/courses/<int:context_id>/grades/<int:grade_id>/retry")
@signed_in
def retry_grade(context_id: int, grade_id: int):
    _require_teaching(context_id)
    if ConfirmForm().validate_on_submit():
        try:
            with transaction():
                context = queries.get_context(context_id)
                services.retry_grade(grade_id, context, actor=current_user)
        except DomainError as error:
            flash(error.detail, "error")
        else:
            flash(_("The grade is sent again within a minute."), "success")
    return redirect(url_for("lti_course.show_course", context_id=context_id))


def _lms_panels(user) -> list:
    """Dashboard panels: the LMS courses a person teaches, and for a college's admins the
    college's LMS connections (LTI registrations, and LRS credentials)."""
    panels = []
    contexts = queries.taught_contexts(user.id)
    if contexts:
        panels.append(
            portal.Panel(
                title=_("Your LMS courses"),
                role="instructor",
                links=[
                    portal.Link(
                        context.title or context.label or context.context_id,
                        url_for("lti_course.show_course", context_id=context.id),
                    )
                    for context in contexts
                ],
            )
        )
    for organisation in user.organisations_where(Role.COLLEGE_ADMIN):
        if organisation.kind is not OrganisationKind.COLLEGE:
            continue
        panels.append(
            portal.Panel(
                title=_("LMS connections of %(college)s", college=organisation.name),
                role=Role.COLLEGE_ADMIN.value,
                links=[
                    portal.Link(
                        _("LTI: approve LMSs, choose what their roles become"),
                        url_for("lti_college.college_lms", code=organisation.code),
                    ),
                    portal.Link(
                        _("Learning record store: credentials, activities, accounts"),
                        url_for("xapi_portal.connect_lms", code=organisation.code),
                    ),
                ],
            )
        )
    return panels


if _lms_panels not in portal.PANEL_PROVIDERS:
    portal.PANEL_PROVIDERS.append(_lms_panels)
