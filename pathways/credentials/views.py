"""The issuer's credential pages: the register of what an organisation issued, one
credential's status and history, and revoke / suspend / reinstate with a reason.

For college administrators (of the issuing organisation) and platform administrators;
a credential of another organisation is not found. Revoking asks for confirmation first:
it is permanent and revokes what was stacked on the credential.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from pathways.accounts.enums import Role
from pathways.accounts.permissions import allow
from pathways.credentials import queries
from pathways.credentials import services
from pathways.credentials.enums import CredentialKind
from pathways.credentials.forms import RegisterSearchForm
from pathways.credentials.forms import ReinstateForm
from pathways.credentials.forms import RevokeForm
from pathways.credentials.forms import SuspendForm
from pathways.db import transaction
from pathways.db import utcnow
from pathways.errors import Conflict
from pathways.errors import DomainError
from pathways.errors import NotFound

bp = Blueprint("credentials", __name__)

MANAGERS = (Role.COLLEGE_ADMIN, Role.PLATFORM_ADMIN)
PER_PAGE = 25

KIND_LABELS = {
    CredentialKind.MICRO_CREDENTIAL: _l("Micro-credential badge"),
    CredentialKind.CERTIFICATION: _l("Occupational certification badge"),
    CredentialKind.RECORD: _l("Certification record (CLR)"),
    CredentialKind.ENDORSEMENT: _l("Partner endorsement"),
}
STATUS_LABELS = {
    "active": _l("Active"),
    "expired": _l("Expired"),
    "suspended": _l("Suspended"),
    "revoked": _l("Revoked"),
}
ACTION_LABELS = {
    "issued": _l("Issued"),
    "revoked": _l("Revoked"),
    "suspended": _l("Suspended"),
    "reinstated": _l("Reinstated"),
    "replaced": _l("Replaced by a corrected credential"),
}
# The services speak English; the page says it in the reader's language.
ERROR_MESSAGES = {
    "reason_required": _l("Give a reason: it is kept in the history, never published."),
    "already_revoked": _l("This credential is already revoked."),
    "already_suspended": _l("This credential is already suspended."),
    "not_suspended": _l("This credential is not suspended."),
    "revoked": _l("This credential is revoked: its status no longer changes."),
}


@bp.app_context_processor
def _labels():
    return {
        "credential_kind_label": lambda kind: str(KIND_LABELS.get(kind, kind)),
        "credential_status_label": lambda status: str(STATUS_LABELS.get(status, status)),
        "credential_action_label": lambda action: str(ACTION_LABELS.get(action, action)),
    }


def _message(error: DomainError) -> str:
    known = ERROR_MESSAGES.get(error.code or "")
    return str(known) if known is not None else error.detail


def _credential(credential_uuid: str):
    """The credential if the signed-in user administers its issuer; else 404."""
    try:
        row = services.get_credential(credential_uuid)
    except NotFound:
        abort(404)
    if not services.can_manage(current_user._get_current_object(), row):
        abort(404)  # another organisation's credential is not revealed
    return row


# -- the register -----------------------------------------------------------------------------


@bp.get("/college/credentials")
@allow(*MANAGERS)
def list_credentials():
    managed = queries.managed_organisation_ids(current_user)
    issuers = queries.organisations(managed)
    form = RegisterSearchForm(request.args)
    form.org.choices = [("", _("Every issuer"))] + [(o.code, o.name) for o in issuers]
    valid = form.validate()
    organisation_id = None
    if valid and form.org.data:
        organisation_id = next(o.id for o in issuers if o.code == form.org.data)
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    now = utcnow()
    result = queries.register(
        managed,
        now=now,
        text=(form.q.data or "") if valid else "",
        status=(form.status.data or "") if valid else "",
        organisation_id=organisation_id,
        offset=(page - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    pages = max(1, -(-result.total // PER_PAGE))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "credentials/register.html",
        form=form,
        result=result,
        issuers=issuers,
        now=now,
        page=page,
        pages=pages,
        per_page=PER_PAGE,
        previous_url=url_for("credentials.list_credentials", **args, page=page - 1)
        if page > 1
        else None,
        next_url=url_for("credentials.list_credentials", **args, page=page + 1)
        if page < pages
        else None,
    ), (200 if valid else 400)


# -- one credential ---------------------------------------------------------------------------


def _render_credential(row, *, suspend=None, reinstate=None, status=200):
    events = queries.events_of(row.id)
    now = utcnow()
    return render_template(
        "credentials/credential.html",
        row=row,
        now=now,
        status=row.status(now),
        events=events,
        clients=queries.clients_named_in(events),
        siblings=queries.siblings_of(row),
        replaced_by=queries.credential_by_id(row.replaced_by_id) if row.replaced_by_id else None,
        suspend_form=suspend or SuspendForm(),
        reinstate_form=reinstate or ReinstateForm(),
    ), status


@bp.get("/college/credentials/<credential_uuid>")
@allow(*MANAGERS)
def show_credential(credential_uuid: str):
    return _render_credential(_credential(credential_uuid))


@bp.get("/college/credentials/<credential_uuid>/download")
@allow(*MANAGERS)
def download_credential(credential_uuid: str):
    """The exact signed JSON, as a file."""
    row = _credential(credential_uuid)
    response = Response(row.document, content_type="application/ld+json; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{row.kind.value}-{row.uuid}.json"'
    )
    return response


def _place(form, error: DomainError) -> None:
    if error.errors and "reason" in error.errors:
        form.reason.errors = [*form.reason.errors, _message(error)]
    else:
        flash(_message(error), "error")


def _change(credential_uuid: str, form, change, done: str):
    """Apply a status change from a form; Conflict flashes, a bad reason stays on the form."""
    row = _credential(credential_uuid)
    if form.validate_on_submit():
        try:
            with transaction():
                change(row, reason=form.reason.data, actor=current_user._get_current_object())
        except Conflict as error:
            flash(_message(error), "error")
            return redirect(url_for("credentials.show_credential", credential_uuid=row.uuid))
        except DomainError as error:
            if error.status == 403:
                raise
            _place(form, error)
        else:
            flash(done, "info")
            return redirect(url_for("credentials.show_credential", credential_uuid=row.uuid))
    return None


@bp.post("/college/credentials/<credential_uuid>/suspend")
@allow(*MANAGERS)
def suspend_credential(credential_uuid: str):
    form = SuspendForm()
    done = _change(
        credential_uuid,
        form,
        services.suspend,
        _("The credential is suspended: verifiers see it as suspended until it is reinstated."),
    )
    if done is not None:
        return done
    return _render_credential(_credential(credential_uuid), suspend=form, status=400)


@bp.post("/college/credentials/<credential_uuid>/reinstate")
@allow(*MANAGERS)
def reinstate_credential(credential_uuid: str):
    form = ReinstateForm()
    done = _change(
        credential_uuid,
        form,
        services.reinstate,
        _("The credential is reinstated: verifiers see it as valid again."),
    )
    if done is not None:
        return done
    return _render_credential(_credential(credential_uuid), reinstate=form, status=400)


@bp.route("/college/credentials/<credential_uuid>/revoke", methods=["GET", "POST"])
@allow(*MANAGERS)
def revoke_credential(credential_uuid: str):
    """A confirmation page: what revoking does, a reason, and an explicit confirmation."""
    row = _credential(credential_uuid)
    form = RevokeForm()
    status = 200
    if request.method == "POST":
        learner_id = row.user_id
        before = queries.live_count_of_learner(learner_id) if learner_id else 0
        done = _change(credential_uuid, form, services.revoke, _("The credential is revoked."))
        if done is not None:
            if learner_id:
                others = before - queries.live_count_of_learner(learner_id) - 1
                if others > 0:
                    flash(
                        ngettext(
                            "%(num)d other credential that relied on it was revoked too.",
                            "%(num)d other credentials that relied on it were revoked too.",
                            others,
                        ),
                        "info",
                    )
            return done
        status = 400
    now = utcnow()
    return render_template(
        "credentials/revoke.html",
        row=row,
        now=now,
        status=row.status(now),
        form=form,
        siblings=queries.siblings_of(row),
    ), status
