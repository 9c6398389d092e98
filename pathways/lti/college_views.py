"""A college's LMS connections, for its admins (and platform admins): approve each LTI
registration, say what each kind of LMS role becomes in the college (least privilege by
default), and make single-use dynamic registration links.
"""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from pathways.accounts import services as accounts
from pathways.accounts.enums import Role
from pathways.accounts.permissions import allow
from pathways.db import transaction
from pathways.errors import DomainError
from pathways.errors import Forbidden
from pathways.errors import NotFound
from pathways.lti import queries
from pathways.lti import registration
from pathways.lti import services
from pathways.lti.forms import ConfirmForm
from pathways.lti.forms import RoleGrantsForm

bp = Blueprint("lti_college", __name__)

COLLEGE_ADMINS = (Role.COLLEGE_ADMIN, Role.PLATFORM_ADMIN)


def _administered_college(code: str):
    organisation = accounts.get_organisation(code)
    if not accounts.can_administer(current_user, organisation):
        raise Forbidden(f"You do not administer {organisation.name}.", code="not_admin")
    return organisation


def _grants_form(registration, *, prefix: str) -> RoleGrantsForm:
    form = RoleGrantsForm(prefix=prefix)
    if request.method == "GET" or not form.submit.data:
        grants = registration.role_grants or {}
        form.learner.data = list(grants.get("learner") or [])
        form.instructor.data = list(grants.get("instructor") or [])
        form.administrator.data = list(grants.get("administrator") or [])
        form.is_enabled.data = registration.is_enabled
    return form


def _lms_page(organisation, *, new_link: str | None = None, status: int = 200):
    platforms, consumers = queries.registrations_of(organisation.id)
    return render_template(
        "lti/college_lms.html",
        organisation=organisation,
        platforms=[(p, _grants_form(p, prefix=f"platform-{p.id}")) for p in platforms],
        consumers=[(c, _grants_form(c, prefix=f"consumer-{c.id}")) for c in consumers],
        links=registration.pending_links(organisation),
        new_link=new_link,
        urls=registration.tool_urls(),
        confirm=ConfirmForm(),
    ), status


@bp.get("/organisations/<code>/lms")
@allow(*COLLEGE_ADMINS)
def college_lms(code: str):
    """A college's LMS connections: approve them, say what LMS roles become, and make a
    single-use registration link."""
    return _lms_page(_administered_college(code))


@bp.post("/organisations/<code>/lms/registration-links")
@allow(*COLLEGE_ADMINS)
def create_registration_link(code: str):
    organisation = _administered_college(code)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("lti_college.college_lms", code=code))
    with transaction():
        _link, token = registration.create_registration_link(organisation, actor=current_user)
    return _lms_page(organisation, new_link=registration.registration_url(token))


def _save_registration(registration_row, prefix: str, code: str):
    form = RoleGrantsForm(prefix=prefix)
    if form.validate_on_submit():
        try:
            with transaction():
                services.set_role_grants(
                    registration_row,
                    {
                        "learner": form.learner.data or [],
                        "instructor": form.instructor.data or [],
                        "administrator": form.administrator.data or [],
                    },
                    actor=current_user,
                )
                services.set_registration_enabled(
                    registration_row, form.is_enabled.data, actor=current_user
                )
        except DomainError as error:
            flash(error.detail, "error")
        else:
            flash(_("The LMS connection is saved."), "success")
    return redirect(url_for("lti_college.college_lms", code=code))


@bp.post("/organisations/<code>/lms/platforms/<int:platform_id>")
@allow(*COLLEGE_ADMINS)
def save_college_platform(code: str, platform_id: int):
    organisation = _administered_college(code)
    platform = queries.get_platform(platform_id)
    if platform.organisation_id != organisation.id:
        raise NotFound("no such platform registration", code="unknown_platform")
    return _save_registration(platform, f"platform-{platform.id}", code)


@bp.post("/organisations/<code>/lms/consumers/<int:consumer_id>")
@allow(*COLLEGE_ADMINS)
def save_college_consumer(code: str, consumer_id: int):
    organisation = _administered_college(code)
    consumer = queries.get_consumer(consumer_id)
    if consumer.organisation_id != organisation.id:
        raise NotFound("no such LTI 1.1 consumer", code="unknown_consumer")
    return _save_registration(consumer, f"consumer-{consumer.id}", code)
