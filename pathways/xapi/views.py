"""The "connect an LMS" page: an organisation admin creates LRS credentials for an LMS."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask_login import current_user

from pathways.accounts import services as accounts
from pathways.accounts.enums import Role
from pathways.accounts.enums import Scope
from pathways.accounts.permissions import allow
from pathways.db import transaction
from pathways.errors import DomainError
from pathways.errors import Forbidden
from pathways.xapi.forms import ConnectLmsForm

bp = Blueprint("xapi_portal", __name__)

ADMINS = (Role.COLLEGE_ADMIN, Role.PLATFORM_ADMIN)
# An LMS writes statements and reads back only its own.
LMS_SCOPES = [Scope.XAPI_WRITE.value, Scope.XAPI_READ_OWN.value]


@bp.route("/organisations/<code>/lrs", methods=["GET", "POST"])
@allow(*ADMINS)
def connect_lms(code: str):
    organisation = accounts.get_organisation(code)
    if not accounts.can_administer(current_user, organisation):
        raise Forbidden(f"You do not administer {organisation.name}.")
    form = ConnectLmsForm()
    created = None
    if form.validate_on_submit():
        try:
            with transaction():
                created = accounts.create_api_client(
                    organisation, form.name.data, LMS_SCOPES, actor=current_user
                )
        except DomainError as error:
            form.name.errors.append(error.detail)
    return render_template(
        "xapi/connect_lms.html",
        organisation=organisation,
        form=form,
        created=created,
        endpoint=current_app.config["BASE_URL"] + "/xapi/",
    ), 400 if form.errors else 200
