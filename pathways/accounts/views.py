"""Account pages: sign-in/out, sign-up, password reset, language, members, API clients."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from pathways.accounts import queries
from pathways.accounts import services
from pathways.accounts.enums import ROLES_BY_KIND
from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.accounts.enums import Scope
from pathways.accounts.forms import AcceptInvitationForm
from pathways.accounts.forms import ApiClientForm
from pathways.accounts.forms import ConfirmForm
from pathways.accounts.forms import ForgotPasswordForm
from pathways.accounts.forms import InviteForm
from pathways.accounts.forms import LanguageForm
from pathways.accounts.forms import OrganisationForm
from pathways.accounts.forms import ResetPasswordForm
from pathways.accounts.forms import SignInForm
from pathways.accounts.forms import SignUpForm
from pathways.accounts.permissions import allow
from pathways.accounts.permissions import public
from pathways.accounts.permissions import signed_in
from pathways.db import transaction
from pathways.errors import DomainError

bp = Blueprint("accounts", __name__)

ADMINS = (Role.COLLEGE_ADMIN, Role.PLATFORM_ADMIN)


def safe_next(target: str | None) -> str:
    """Only same-site relative targets, so a crafted link cannot bounce users elsewhere."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for("portal.dashboard")


def show_errors(form, error: DomainError) -> None:
    """Put a service's field errors on the form, or flash its message."""
    placed = False
    for name, messages in (error.errors or {}).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + list(messages)
            placed = True
    if not placed:
        flash(error.detail, "error")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        with transaction():
            result = services.authenticate(form.email.data, form.password.data)
        if result.user is not None:
            login_user(result.user)
            session.permanent = True
            return redirect(safe_next(form.next.data))
        if result.retry_after > 0:
            flash(
                _(
                    "Too many failed attempts. Wait %(seconds)d seconds and try again.",
                    seconds=int(result.retry_after + 0.999),
                ),
                "error",
            )
        else:
            flash(_("That email and password do not match."), "error")
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/sign_in.html", form=form), status


@bp.post("/sign-out")
@signed_in
def sign_out():
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("portal.home"))


@bp.route("/sign-up", methods=["GET", "POST"])
@public
def sign_up():
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            with transaction():
                user = services.sign_up_learner(
                    form.email.data,
                    form.password.data,
                    display_name=form.display_name.data,
                    locale=session.get("locale"),
                )
        except DomainError as error:
            show_errors(form, error)
        else:
            login_user(user)
            flash(_("Welcome to Pathways!"), "info")
            return redirect(url_for("portal.dashboard"))
    status = 400 if form.errors else 200
    return render_template("accounts/sign_up.html", form=form), status


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with transaction():
            services.request_password_reset(
                form.email.data,
                reset_url_for=lambda token: (
                    current_app.config["BASE_URL"] + url_for("accounts.reset_password", token=token)
                ),
            )
        flash(_("If an account uses that email, a reset link is on its way."), "info")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        with transaction():
            services.user_for_reset_token(token)
    except DomainError as error:
        return render_template("accounts/reset_invalid.html", detail=error.detail), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            with transaction():
                services.reset_password(token, form.password.data)
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("Your password is changed. Sign in with it."), "info")
            return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form)


@bp.post("/language")
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            with transaction():
                services.set_locale(current_user, form.locale.data)
    return redirect(safe_next(form.next.data))


# -- organisation administration ----------------------------------------------------------------


def _administered(code: str):
    organisation = services.get_organisation(code)
    if not services.can_administer(current_user, organisation):
        from flask import abort  # noqa: PLC0415

        abort(403)
    return organisation


@bp.get("/organisations")
@allow(*ADMINS)
def list_organisations():
    organisations = queries.organisations_administered_by(current_user)
    form = _organisation_form() if current_user.has_role(Role.PLATFORM_ADMIN) else None
    return render_template("accounts/organisations.html", organisations=organisations, form=form)


def _organisation_form() -> OrganisationForm:
    form = OrganisationForm()
    form.kind.choices = [(kind.value, kind.value.replace("_", " ")) for kind in OrganisationKind]
    return form


@bp.post("/organisations")
@allow(Role.PLATFORM_ADMIN)
def create_organisation():
    form = _organisation_form()
    if form.validate_on_submit():
        try:
            with transaction():
                organisation = services.create_organisation(
                    form.code.data, form.name.data, form.kind.data
                )
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("Organisation %(name)s created.", name=organisation.name), "info")
            return redirect(url_for("accounts.manage_members", code=organisation.code))
    organisations = queries.organisations_administered_by(current_user)
    return render_template(
        "accounts/organisations.html", organisations=organisations, form=form
    ), 400


@bp.route("/organisations/<code>/members", methods=["GET", "POST"])
@allow(*ADMINS)
def manage_members(code: str):
    organisation = _administered(code)
    form = InviteForm()
    roles = ROLES_BY_KIND[organisation.kind]
    form.role.choices = [(role.value, role.value.replace("_", " ")) for role in roles]
    if form.validate_on_submit():
        try:
            with transaction():
                services.invite_member(
                    organisation,
                    form.email.data,
                    form.role.data,
                    actor=current_user,
                    accept_url_for=lambda token: (
                        current_app.config["BASE_URL"]
                        + url_for("accounts.accept_invitation", token=token)
                    ),
                )
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("Invitation sent to %(email)s.", email=form.email.data), "info")
            return redirect(url_for("accounts.manage_members", code=code))
    return render_template(
        "accounts/members.html",
        organisation=organisation,
        form=form,
        members=queries.members_of(organisation.id),
        invitations=queries.open_invitations(organisation.id),
        confirm=ConfirmForm(),
    ), 400 if form.errors else 200


@bp.post("/organisations/<code>/members/<int:membership_id>/remove")
@allow(*ADMINS)
def remove_member(code: str, membership_id: int):
    _administered(code)
    if ConfirmForm().validate_on_submit():
        try:
            with transaction():
                services.remove_membership(membership_id, actor=current_user)
        except DomainError as error:
            flash(error.detail, "error")
    return redirect(url_for("accounts.manage_members", code=code))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    try:
        invitation = services.invitation_for_token(token)
    except DomainError as error:
        return render_template("accounts/reset_invalid.html", detail=error.detail), error.status
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            with transaction():
                user = services.accept_invitation(
                    token,
                    user=current_user if current_user.is_authenticated else None,
                    password=form.password.data or None,
                    display_name=form.display_name.data or "",
                )
        except DomainError as error:
            show_errors(form, error)
        else:
            if not current_user.is_authenticated:
                login_user(user)
            flash(_("You joined %(name)s.", name=invitation.organisation.name), "info")
            return redirect(url_for("portal.dashboard"))
    return render_template("accounts/accept_invitation.html", form=form, invitation=invitation)


@bp.route("/organisations/<code>/api-clients", methods=["GET", "POST"])
@allow(*ADMINS)
def manage_api_clients(code: str):
    organisation = _administered(code)
    form = ApiClientForm()
    form.scopes.choices = [(scope.value, scope.value) for scope in Scope]
    created = None
    if form.validate_on_submit():
        try:
            with transaction():
                created = services.create_api_client(
                    organisation, form.name.data, form.scopes.data, actor=current_user
                )
        except DomainError as error:
            show_errors(form, error)
    return render_template(
        "accounts/api_clients.html",
        organisation=organisation,
        form=form,
        created=created,
        clients=queries.api_clients_of(organisation.id),
        confirm=ConfirmForm(),
        xapi_endpoint=current_app.config["BASE_URL"] + "/xapi/",
    ), 400 if form.errors else 200


@bp.post("/organisations/<code>/api-clients/<int:client_id>/revoke")
@allow(*ADMINS)
def revoke_api_client(code: str, client_id: int):
    organisation = _administered(code)
    if ConfirmForm().validate_on_submit():
        try:
            with transaction():
                client = queries.api_client_in(organisation.id, client_id)
                services.revoke_api_client(client.id, actor=current_user)
        except DomainError as error:
            flash(error.detail, "error")
        else:
            flash(_("The client %(name)s is revoked.", name=client.name), "info")
    return redirect(url_for("accounts.manage_api_clients", code=code))
