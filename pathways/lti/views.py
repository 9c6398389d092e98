"""LTI HTML endpoints: OIDC login, launches (1.3 and 1.1), deep linking, dynamic
registration, and the platform admins' registration pages.

Protocol endpoints authenticate by their standard (platform signatures, single-use
server-side state, signed links) and skip the CSRF check; admin pages are for platform
admins. Every refused launch renders `lti/refused.html` with what to tell the LMS admin.
"""

from __future__ import annotations

import logging
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
from markupsafe import Markup

from pathways.accounts import queries as accounts_queries
from pathways.accounts import services as accounts
from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.accounts.models import User
from pathways.accounts.permissions import allow
from pathways.accounts.permissions import protocol
from pathways.accounts.permissions import public
from pathways.accounts.permissions import signed_in
from pathways.db import db
from pathways.db import transaction
from pathways.errors import DomainError
from pathways.lti import calls
from pathways.lti import deep_linking
from pathways.lti import keys
from pathways.lti import launch as lti13
from pathways.lti import lti11
from pathways.lti import oidc
from pathways.lti import queries
from pathways.lti import registration
from pathways.lti import services
from pathways.lti.claims import LaunchRefused
from pathways.lti.forms import ConfirmForm
from pathways.lti.forms import ConsumerForm
from pathways.lti.forms import LinkByEmailForm
from pathways.lti.forms import LinkPreviousForm
from pathways.lti.forms import LinkSignInForm
from pathways.lti.forms import PlatformForm
from pathways.lti.oauth1 import external_url

log = logging.getLogger(__name__)

bp = Blueprint("lti", __name__, url_prefix="/lti")

# HTTP status of a refusal: 401 when the launch could not be authenticated, 403 when an
# authenticated request is not allowed here, 400 for a malformed one.
UNAUTHENTICATED = frozenset(
    {
        "bad_signature",
        "unknown_kid",
        "bad_algorithm",
        "jwks_unavailable",
        "expired",
        "issued_in_future",
        "nonce_missing",
        "nonce_invalid",
        "state_mismatch",
        "replayed_nonce",
        "timestamp",
        "oauth_missing",
        "signature_method",
        "wrong_audience",
        "wrong_issuer",
        "azp_missing",
        "azp_mismatch",
        "missing_id_token",
    }
)
NOT_ALLOWED = frozenset(
    {
        "unknown_platform",
        "ambiguous_platform",
        "unknown_deployment",
        "platform_disabled",
        "unknown_consumer",
        "deep_linking_not_allowed",
        "foreign_target",
        "account_conflict",
    }
)


def refusal_status(reason_code: str) -> int:
    if reason_code in UNAUTHENTICATED:
        return 401
    if reason_code in NOT_ALLOWED:
        return 403
    return 400


def refused(error: LaunchRefused):
    status = refusal_status(error.reason_code)
    log.warning(
        "lti launch refused",
        extra={"reason": error.reason_code, "detail": error.admin_hint[:500], "status": status},
    )
    page = render_template("lti/refused.html", error=error, status=status)
    return page, status


LINK_OFFER = "lti_link_offer"


def _sign_in(user) -> None:
    login_user(user)


def _landing_path(target, user) -> str:
    path = lti13.target_path(target, viewer=user)
    if path is not None:
        return path
    if target is not None:
        flash(
            _(
                "The page this course activity points to is not available yet; here is your "
                "dashboard."
            ),
            "info",
        )
    return url_for("portal.dashboard")


def _land(target, user, *, handle: str | None = None):
    if handle is not None:
        return redirect(url_for("lti.deep_linking_page", handle=handle))
    return redirect(_landing_path(target, user))


def _previous_user_id() -> int | None:
    """Who this browser was signed in as before the launch (a learner's other LMS, or their
    own sign-in): the account the link page offers first."""
    return current_user.id if current_user.is_authenticated else None


def _after_launch(result, previous: int | None, *, handle: str | None = None):
    """Sign the launched user in and land: an instructor of the course on the course's
    cohort, anyone else on what the link points at. An account the launch has just made
    is offered to join the learner's existing one (one person, one account): first, on
    the link page, when its email belongs to an account already or this browser was
    signed in as someone; otherwise by a notice on the landing page."""
    _sign_in(result.user)
    if handle is not None:
        return _land(result.target, result.user, handle=handle)
    if result.cohort is not None and services.is_course_instructor(result.cohort, result.user):
        landing = url_for("lti_course.show_course", context_id=result.cohort.id)
    else:
        landing = _landing_path(result.target, result.user)
    if not result.is_new_account:
        return redirect(landing)
    if not result.email_taken and previous in (None, result.user.id):
        flash(
            Markup('{} <a href="{}">{}</a>').format(
                _("Already use Pathways?"),
                url_for("lti.link_account"),
                _("Link this LMS to your account."),
            ),
            "info",
        )
        return redirect(landing)
    session[LINK_OFFER] = {
        "account": result.user.id,
        "previous": previous if previous != result.user.id else None,
        "next": landing,
    }
    return redirect(url_for("lti.link_account"))


# --- OIDC login and the LTI 1.3 launch --------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@protocol("OIDC third-party login initiation from a registered platform")
def login():
    params = request.values.to_dict()
    try:
        with transaction():
            started = oidc.begin_login(params)
    except LaunchRefused as error:
        return refused(error)
    response = redirect(started.url)
    secure = current_app.config["BASE_URL"].startswith("https://")
    response.set_cookie(
        started.cookie_name,
        started.cookie_value,
        max_age=started.max_age,
        httponly=True,
        secure=secure,
        samesite="None" if secure else "Lax",
        path="/lti/",
    )
    return response


@bp.post("/launch")
@protocol("LTI 1.3 id_token signed by the platform, with single-use server-side state")
def launch():
    state = request.form.get("state")
    cookie_name = oidc.cookie_name_for(state)
    try:
        calls.ensure_platform_keys(state, request.form.get("id_token"))
        with transaction():
            previous = _previous_user_id()
            result = lti13.handle_launch(
                request.form.get("id_token"), state, cookie_value=request.cookies.get(cookie_name)
            )
            response = _after_launch(result, previous, handle=result.deep_link_handle)
    except LaunchRefused as error:
        return refused(error)
    response.delete_cookie(cookie_name, path="/lti/")
    return response


# --- deep linking -------------------------------------------------------------------------------


@bp.get("/deep-linking/<handle>")
@protocol("single-use handle issued by a verified deep linking launch")
def deep_linking_page(handle: str):
    try:
        session = deep_linking.open_session(handle)
    except LaunchRefused as error:
        return refused(error)
    return render_template(
        "lti/deep_linking.html",
        handle=handle,
        settings=session.settings,
        choices=deep_linking.choices(),
        multiple=bool(session.settings.get("accept_multiple")),
    )


@bp.post("/deep-linking/<handle>")
@protocol("single-use handle issued by a verified deep linking launch")
def deep_linking_submit(handle: str):
    try:
        with transaction():
            response = deep_linking.respond(
                handle, request.form.getlist("item"), graded=request.form.get("graded") == "yes"
            )
    except LaunchRefused as error:
        return refused(error)
    return render_template("lti/deep_linking_submit.html", response=response)


# --- dynamic registration -----------------------------------------------------------------------


@bp.get("/register/<token>")
@protocol("single-use registration link from a college admin, plus the LMS registration token")
def dynamic_registration(token: str):
    try:
        with transaction():
            registration.open_registration_link(token)
    except DomainError as error:
        return render_template("lti/register_failed.html", message=error.detail), 400
    openid_configuration = request.args.get("openid_configuration", "")
    if not openid_configuration:
        message = _(
            "Open this URL from your LMS's tool registration page (in Moodle: Site "
            "administration › Plugins › Activity modules › External tool › Manage tools "
            "› Tool URL › Add LTI Advantage)."
        )
        return render_template("lti/register_failed.html", message=message), 400
    try:
        registered = calls.register_dynamically(
            token, openid_configuration, request.args.get("registration_token")
        )
    except (registration.RegistrationFailed, DomainError) as error:
        message = getattr(error, "message", None) or getattr(error, "detail", str(error))
        log.warning("lti dynamic registration failed", extra={"detail": message[:500]})
        return render_template("lti/register_failed.html", message=message), 400
    return render_template(
        "lti/registered.html",
        organisation_name=registered.organisation_name,
        platform_name=registered.platform_name,
    )


# --- LTI 1.1 --------------------------------------------------------------------------------------


@bp.post("/1.1/launch")
@protocol("LTI 1.1 OAuth 1.0a HMAC-SHA1 signature with a registered consumer key")
def launch_lti11():
    url = external_url(request.url)
    try:
        with transaction():
            previous = _previous_user_id()
            result = lti11.handle_launch(
                method=request.method,
                url=url,
                headers=dict(request.headers),
                body_params=request.form.to_dict(flat=False),
            )
            response = _after_launch(result, previous)
    except LaunchRefused as error:
        return refused(error)
    return response


# --- one person, one account ---------------------------------------------------------------


def _local_path(value: str | None) -> str:
    parts = urlsplit(value or "")
    if value and value.startswith("/") and not value.startswith("//") and not parts.netloc:
        return value
    return url_for("portal.dashboard")


def _merged(launch_user_id: int, into, next_path: str):
    session.pop(LINK_OFFER, None)
    login_user(into)
    flash(_("Your LMS account is now part of your Pathways account."), "success")
    return redirect(next_path)


@bp.route("/link-account", methods=["GET", "POST"])
@signed_in
def link_account():
    """An account a launch made joins the learner's existing one: the account this browser
    was signed in as, one signed in to now, or one whose address a mailed link proves."""
    offer = session.get(LINK_OFFER) or {}
    if offer.get("account") != current_user.id:
        offer = {}
    next_path = _local_path(offer.get("next"))
    if not services.is_launch_account(current_user):
        return redirect(next_path)
    previous = db.session.get(User, offer["previous"]) if offer.get("previous") else None
    if previous is not None and not previous.is_enabled:
        previous = None
    previous_form = LinkPreviousForm(prefix="previous")
    sign_in_form = LinkSignInForm(prefix="signin")
    email_form = LinkByEmailForm(prefix="mail")
    status = 200
    launch_user = current_user._get_current_object()
    try:
        if previous is not None and previous_form.submit.data and previous_form.validate():
            with transaction():
                services.merge_launch_account(launch_user, previous)
            return _merged(launch_user.id, previous, next_path)
        if sign_in_form.submit.data and sign_in_form.validate():
            with transaction():
                result = accounts.authenticate(sign_in_form.email.data, sign_in_form.password.data)
                if result.user is not None:
                    services.merge_launch_account(launch_user, result.user)
            if result.user is not None:
                return _merged(launch_user.id, result.user, next_path)
            sign_in_form.password.errors = [_("That email and password do not match.")]
            status = 400
        if email_form.submit.data and email_form.validate():
            with transaction():
                services.request_link_by_email(
                    launch_user,
                    email_form.email.data,
                    link_url_for=lambda token: url_for(
                        "lti.link_account_by_email", token=token, _external=True
                    ),
                )
            flash(
                _("If a Pathways account uses that address, we sent it a link: open it."),
                "info",
            )
            return redirect(url_for("lti.link_account"))
    except DomainError as error:
        flash(error.detail, "error")
        status = 400
    if request.method == "POST" and status == 200:
        status = 400
    return render_template(
        "lti/link_account.html",
        previous=previous,
        previous_form=previous_form,
        sign_in_form=sign_in_form,
        email_form=email_form,
        next_path=next_path,
    ), status


@bp.route("/link-account/<token>", methods=["GET", "POST"])
@public
def link_account_by_email(token: str):
    """The mailed link: it proves the address; confirming joins the LMS account to it."""
    form = ConfirmForm()
    try:
        launch_user, into = services.accounts_for_link_token(token)
    except DomainError as error:
        return render_template("lti/register_failed.html", message=error.detail), 400
    if form.validate_on_submit():
        with transaction():
            services.merge_launch_account(launch_user, into)
        return _merged(launch_user.id, into, url_for("portal.dashboard"))
    return render_template(
        "lti/link_account_confirm.html", form=form, launch_user=launch_user, into=into
    )


# --- platform admin pages -------------------------------------------------------------------------


def _college_choices() -> list[tuple[str, str]]:
    organisations = accounts_queries.organisations_administered_by(current_user)
    return [("", _("— none —"))] + [
        (o.code, o.name) for o in organisations if o.kind is OrganisationKind.COLLEGE
    ]


def _organisation(code: str):
    if not code:
        return None
    return accounts.get_organisation(code)


@bp.get("/platforms")
@allow(Role.PLATFORM_ADMIN)
def list_platforms():
    colleges = [
        o
        for o in accounts_queries.organisations_administered_by(current_user)
        if o.kind is OrganisationKind.COLLEGE
    ]
    return render_template(
        "lti/platforms.html",
        platforms=queries.platforms(),
        urls=registration.tool_urls(),
        colleges=colleges,
        keys=keys.published_keys(),
        confirm=ConfirmForm(),
        failed=queries.outbox("failed"),
    )


def _platform_changes(form: PlatformForm) -> dict:
    return {
        "name": form.name.data or "",
        "deployment_ids": (form.deployment_ids.data or "").split(","),
        "auth_url": form.auth_url.data,
        "token_url": form.token_url.data,
        "jwks_url": form.jwks_url.data,
        "static_public_key": form.static_public_key.data,
        "trusts_email": form.trusts_email.data,
    }


def _show_errors(form, error: DomainError) -> None:
    placed = False
    for name, messages in (error.errors or {}).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + list(messages)
            placed = True
    if not placed:
        flash(error.detail, "error")


@bp.route("/platforms/new", methods=["GET", "POST"])
@allow(Role.PLATFORM_ADMIN)
def new_platform():
    form = PlatformForm()
    form.organisation.choices = _college_choices()
    if form.validate_on_submit():
        try:
            with transaction():
                changes = _platform_changes(form)
                platform = services.create_platform(
                    issuer=form.issuer.data,
                    client_id=form.client_id.data,
                    organisation=_organisation(form.organisation.data),
                    actor=current_user,
                    **changes,
                )
                platform_id = platform.id
        except DomainError as error:
            _show_errors(form, error)
        else:
            flash(_("Platform registered."), "success")
            return redirect(url_for("lti.edit_platform", platform_id=platform_id))
    return render_template(
        "lti/platform_form.html", form=form, platform=None, urls=registration.tool_urls()
    )


@bp.route("/platforms/<int:platform_id>", methods=["GET", "POST"])
@allow(Role.PLATFORM_ADMIN)
def edit_platform(platform_id: int):
    platform = queries.get_platform(platform_id)
    form = PlatformForm(obj=platform if request.method == "GET" else None)
    form.organisation.choices = _college_choices()
    if request.method == "GET":
        form.deployment_ids.data = ", ".join(platform.deployment_ids)
        form.organisation.data = platform.organisation.code if platform.organisation else ""
    if form.validate_on_submit():
        try:
            with transaction():
                changes = _platform_changes(form)
                changes["is_enabled"] = form.is_enabled.data
                changes["organisation"] = _organisation(form.organisation.data)
                services.update_platform(platform, changes, actor=current_user)
        except DomainError as error:
            _show_errors(form, error)
        else:
            flash(_("Platform saved."), "success")
            return redirect(url_for("lti.edit_platform", platform_id=platform_id))
    return render_template(
        "lti/platform_form.html", form=form, platform=platform, urls=registration.tool_urls()
    )


@bp.post("/keys/rotate")
@allow(Role.PLATFORM_ADMIN)
def rotate_key():
    form = ConfirmForm()
    if form.validate_on_submit():
        with transaction():
            keys.rotate_tool_key()
        flash(
            _("A new signing key is in use; the previous one stays published for an hour."),
            "success",
        )
    return redirect(url_for("lti.list_platforms"))


@bp.route("/consumers", methods=["GET", "POST"])
@allow(Role.PLATFORM_ADMIN)
def list_consumers():
    form = ConsumerForm()
    form.organisation.choices = _college_choices()
    created = None
    if form.validate_on_submit():
        try:
            with transaction():
                created = services.create_consumer(
                    consumer_key=form.consumer_key.data,
                    organisation=_organisation(form.organisation.data),
                    name=form.name.data or "",
                    trusts_email=form.trusts_email.data,
                    actor=current_user,
                )
        except DomainError as error:
            _show_errors(form, error)
    db.session.expire_all()
    return render_template(
        "lti/consumers.html",
        form=form,
        created=created,
        consumers=queries.consumers(),
        urls=registration.tool_urls(),
    )
