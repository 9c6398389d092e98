"""The "connect an LMS" pages: an organisation admin creates LRS credentials for an LMS,
and configures each connection: which of its activities count for which module
(suggested from what it sent), and which learners its user ids are."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from pathways.accounts import services as accounts
from pathways.accounts.enums import Role
from pathways.accounts.enums import Scope
from pathways.accounts.permissions import allow
from pathways.db import transaction
from pathways.errors import DomainError
from pathways.errors import Forbidden
from pathways.xapi import queries
from pathways.xapi import services
from pathways.xapi.forms import AccountsCsvForm
from pathways.xapi.forms import ConfirmForm
from pathways.xapi.forms import ConnectLmsForm
from pathways.xapi.forms import MapActivityForm

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
        connections=services.connections_of(organisation.id),
        endpoint=current_app.config["BASE_URL"] + "/xapi/",
    ), 400 if form.errors else 200


def _connection_page(code: str, client, *, map_form=None, accounts_form=None, status=200):
    choices = services.module_choices(client)
    map_form = map_form or MapActivityForm()
    map_form.module.choices = [(c.value, c.title) for c in choices]
    return render_template(
        "xapi/connection.html",
        organisation=client.organisation,
        client=client,
        mappings=queries.mappings_of(client.id),
        suggestions=services.suggest_mappings(client),
        choices=choices,
        map_form=map_form,
        accounts_form=accounts_form or AccountsCsvForm(),
        confirm=ConfirmForm(),
        code=code,
    ), status


@bp.get("/organisations/<code>/lrs/<int:client_id>")
@allow(*ADMINS)
def show_connection(code: str, client_id: int):
    """One LMS connection: its activity mappings, suggestions, and account links."""
    client = services.connection_of(code, client_id, actor=current_user)
    return _connection_page(code, client)


@bp.post("/organisations/<code>/lrs/<int:client_id>/mappings")
@allow(*ADMINS)
def map_activity(code: str, client_id: int):
    client = services.connection_of(code, client_id, actor=current_user)
    form = MapActivityForm()
    form.module.choices = [(c.value, c.title) for c in services.module_choices(client)]
    if form.validate_on_submit():
        try:
            with transaction():
                mapped = services.map_activity(
                    client, form.activity.data, form.module.data, actor=current_user
                )
                projected = mapped.projected
        except DomainError as error:
            form.activity.errors = [*form.activity.errors, error.detail]
        else:
            flash(
                _(
                    "The activity is mapped; %(num)d statements it sent before were read again.",
                    num=projected,
                ),
                "success",
            )
            return redirect(url_for("xapi_portal.show_connection", code=code, client_id=client_id))
    return _connection_page(code, client, map_form=form, status=400)


@bp.post("/organisations/<code>/lrs/<int:client_id>/mappings/<int:mapping_id>/delete")
@allow(*ADMINS)
def unmap_activity(code: str, client_id: int, mapping_id: int):
    client = services.connection_of(code, client_id, actor=current_user)
    if ConfirmForm().validate_on_submit():
        with transaction():
            services.unmap_activity(client, mapping_id)
        flash(_("The activity no longer counts for that module."), "success")
    return redirect(url_for("xapi_portal.show_connection", code=code, client_id=client_id))


@bp.post("/organisations/<code>/lrs/<int:client_id>/accounts")
@allow(*ADMINS)
def link_accounts(code: str, client_id: int):
    client = services.connection_of(code, client_id, actor=current_user)
    form = AccountsCsvForm()
    if form.validate_on_submit():
        try:
            with transaction():
                rows = services.parse_account_csv(form.file.data.read())
                result = services.link_accounts(client, form.home_page.data, rows)
        except DomainError as error:
            form.file.errors = [*form.file.errors, error.detail]
        else:
            flash(
                _(
                    "%(linked)d accounts linked; %(unknown)d emails have no Pathways account; "
                    "%(refused)d accounts belong to someone else already.",
                    linked=result.linked,
                    unknown=len(result.unknown),
                    refused=len(result.refused),
                ),
                "success",
            )
            return redirect(url_for("xapi_portal.show_connection", code=code, client_id=client_id))
    return _connection_page(code, client, accounts_form=form, status=400)
