"""Verification, employers and outside credentials: the pages.

- `/verify` (public): upload a file (JSON, baked PNG or SVG), give a web address or a
  credential id of this site; the result lists each check in plain words. Rate-limited per
  IP address. Employer verifiers signed in keep what they verify:
  `/employer/verifications`.
- `/employer/shared` (employer verifiers): the credentials learners share with their
  organisation, while the shares run; opening one is logged for the learner.
- `/my/shares` (learners): share chosen credentials or the whole record with an employer
  for a time, withdraw, see who looked and when.
- `/my/credentials/import` (learners): bring in an outside credential.
- `/admin/trusted-issuers`, `/admin/achievement-mappings` (platform admins).

The JSON API (`POST /api/v1/verify`) is in `verify_api`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from pathways.accounts.enums import Role
from pathways.accounts.permissions import allow
from pathways.accounts.permissions import public
from pathways.credentials import sharing
from pathways.credentials import trust
from pathways.credentials import verification
from pathways.credentials import verifier
from pathways.credentials import verify_labels as labels
from pathways.credentials.enums import ImportOutcome
from pathways.credentials.enums import VerificationSource
from pathways.credentials.verify_forms import ChooseItemForm
from pathways.credentials.verify_forms import ConfirmForm
from pathways.credentials.verify_forms import ImportForm
from pathways.credentials.verify_forms import MappingForm
from pathways.credentials.verify_forms import ShareForm
from pathways.credentials.verify_forms import TrustedIssuerForm
from pathways.credentials.verify_forms import VerifyFileForm
from pathways.credentials.verify_forms import VerifyIdForm
from pathways.credentials.verify_forms import VerifyUrlForm
from pathways.db import transaction
from pathways.db import utcnow
from pathways.errors import DomainError
from pathways.errors import NotFound
from pathways.portal import queries as portal
from pathways.web.navigation import NAV
from pathways.web.navigation import NavItem

bp = Blueprint("verify", __name__)

KIND_LABELS = {
    "OpenBadgeCredential": _l("Open Badges 3.0 credential"),
    "ClrCredential": _l("Comprehensive Learner Record (CLR 2.0)"),
    "EndorsementCredential": _l("Endorsement"),
}
SHARE_STATES = {
    "active": _l("Running"),
    "expired": _l("Ended"),
    "withdrawn": _l("Withdrawn"),
}
IMPORT_OUTCOMES = {
    ImportOutcome.RECOGNISED: _l("Verified and recognised: it counts in your pathways."),
    ImportOutcome.AWAITING_ASSESSOR: _l("Waiting for an assessor: it counts once verified."),
    ImportOutcome.NEEDS_ITEM: _l("Say which credential it is, so that an assessor can check it."),
}
# The services speak English; the pages say it in the reader's language (by error code).
ERRORS = {
    "not_employer": _l("Choose an employer organisation."),
    "nothing_chosen": _l("Choose at least one credential, or share your whole record."),
    "not_yours": _l("You can share only your own credentials."),
    "until_missing": _l("Choose how long to share."),
    "until_past": _l("The date has passed: choose a later one."),
    "until_too_far": _l("Share for two years at most."),
    "already_imported": _l("You have already brought in this credential."),
    "already_recorded": _l("This credential is already recorded."),
    "unknown_item": _l("That is not a credential of a published framework."),
    "invalid_issuer": _l("An issuer is a DID (did:web:…, did:key:…) or an https address."),
    "invalid_name": _l("Give the issuer's name as people know it."),
    "already_trusted": _l("This issuer is already on the list."),
    "invalid_achievement": _l("Give the achievement's id or its humanCode."),
    "already_mapped": _l("This achievement is already mapped."),
}

_holds = lambda *roles: lambda u: u.is_authenticated and u.has_role(*roles)  # noqa: E731
for _item in (
    NavItem(
        _l("Verify a credential"),
        "verify.verify_page",
        lambda u: not u.is_authenticated or u.has_role(Role.EMPLOYER_VERIFIER),
    ),
    NavItem(_l("Shared with us"), "verify.list_shared", _holds(Role.EMPLOYER_VERIFIER)),
    NavItem(_l("Trust list"), "verify.trusted_issuers", _holds(Role.PLATFORM_ADMIN)),
):
    if all(entry.endpoint != _item.endpoint for entry in NAV):
        NAV.append(_item)


# Requests that carry a credential are cut off at its size cap before anything reads the
# body (the CSRF check reads the form first): 413, not a 16 MB upload parsed for nothing.
CAPPED = frozenset({"verify.verify_submit", "verify.import_credential"})
UPLOAD_CAP = verification.MAX_INPUT_BYTES + 64 * 1024  # the file and the form around it


@bp.url_value_preprocessor
def _cap_uploads(endpoint: str | None, values: dict | None) -> None:
    if endpoint in CAPPED:
        if request.content_length is not None and request.content_length > UPLOAD_CAP:
            abort(413)  # said before any of the body is read
        request.max_content_length = UPLOAD_CAP


@bp.app_template_filter("format_checked")
def _format_checked(moment: datetime) -> str:
    """A moment as the verify pages show it: in the reader's language, in UTC."""
    return format_datetime(moment, "medium") + " UTC"


def _error(error: DomainError) -> str:
    known = ERRORS.get(error.code or "")
    return str(known) if known is not None else error.detail


def _form_errors(form, error: DomainError) -> None:
    """Show a service's refusal on the form fields it names, else as a flash."""
    placed = False
    for name in (error.errors or {}).keys():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, _error(error)]
            placed = True
    if not placed:
        flash(_error(error), "error")


# -- the result as pages show it --------------------------------------------------------------


@dataclass(frozen=True)
class NestedLine:
    name: str
    verified: bool
    status: str


@dataclass(frozen=True)
class ResultView:
    verified: bool
    status: str
    status_label: str
    name: str
    kind: str
    credential_ref: str
    issuer_ref: str
    issuer_name: str
    issuer_known: bool
    checked_at: datetime
    lines: list[labels.CheckLine]
    nested: list[NestedLine]
    facts: labels.Facts | None


def _result_view(
    summary: verifier.Summary,
    checks: list[dict[str, Any]],
    checked_at: datetime,
    *,
    document: dict[str, Any] | None,
    nested: list[verification.VerificationResult] = (),
) -> ResultView:
    nested_lines = []
    for inner in nested:
        inner_summary = verifier.summarise(inner)
        nested_lines.append(
            NestedLine(
                inner_summary.name or inner_summary.credential_ref,
                inner.verified,
                labels.status_label(inner_summary.status),
            )
        )
    return ResultView(
        verified=summary.verified,
        status=summary.status,
        status_label=labels.status_label(summary.status),
        name=summary.name,
        kind=str(KIND_LABELS.get(summary.kind, summary.kind)),
        credential_ref=summary.credential_ref,
        issuer_ref=summary.issuer_ref,
        issuer_name=summary.issuer_name,
        issuer_known=summary.issuer_known,
        checked_at=checked_at,
        lines=[labels.check_line(c) for c in checks],
        nested=nested_lines,
        facts=labels.describe(document) if document else None,
    )


def _fresh_view(result: verification.VerificationResult, checked_at: datetime) -> ResultView:
    return _result_view(
        verifier.summarise(result),
        verifier.checks_as_data(result.checks),
        checked_at,
        document=result.credential,
        nested=[r for r in result.nested if r.kind != verification.ENDORSEMENT],
    )


def _issuer_known(checks: list[dict[str, Any]]) -> bool:
    return any(c.get("check") == "issuer_known" and c.get("passed") is True for c in checks)


def _stored_view(row) -> ResultView:
    summary = verifier.Summary(
        verified=row.verified,
        status=row.status,
        name=row.name,
        credential_ref=row.credential_ref,
        issuer_ref=row.issuer_ref,
        issuer_name=row.issuer_name,
        issuer_known=_issuer_known(row.checks),
        kind="",
    )
    document = json.loads(row.document) if row.document else None
    return _result_view(summary, row.checks, row.checked_at, document=document)


# -- rate limit -------------------------------------------------------------------------------


def rate_limited() -> int | None:
    """Count this verification against the client's address; seconds to wait, or None."""
    config = current_app.config
    with transaction():
        return verifier.count_request(
            f"verify:{request.remote_addr or 'unknown'}",
            limit=int(config["VERIFY_RATE_LIMIT"]),
            window_seconds=int(config["VERIFY_RATE_WINDOW"]),
            now=utcnow(),
        )


# -- /verify ----------------------------------------------------------------------------------


def _verify_forms():
    return (
        VerifyFileForm(prefix="file"),
        VerifyUrlForm(prefix="url"),
        VerifyIdForm(prefix="id"),
    )


def _verify_page(forms, *, status: int = 200, problem: str | None = None, result=None, saved=None):
    file_form, url_form, id_form = forms
    return (
        render_template(
            "credentials/verify.html",
            file_form=file_form,
            url_form=url_form,
            id_form=id_form,
            problem=problem,
            result=result,
            saved=saved,
        ),
        status,
    )


@bp.get("/verify")
@public
def verify_page():
    return _verify_page(_verify_forms())


@bp.post("/verify")
@public
def verify_submit():
    forms = _verify_forms()
    file_form, url_form, id_form = forms
    chosen = next((f for f in forms if f.submit.data), None)
    if chosen is None or not chosen.validate():
        return _verify_page(forms, status=400)
    wait = rate_limited()
    if wait is not None:
        response = Response(
            _verify_page(
                forms,
                problem=ngettext(
                    "You have verified many credentials in a short time. Try again in "
                    "%(num)d second.",
                    "You have verified many credentials in a short time. Try again in "
                    "%(num)d seconds.",
                    wait,
                ),
            )[0],
            status=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    try:
        if chosen is file_form:
            source = VerificationSource.FILE
            credential = verification.parse_input(file_form.file.data.read())
        elif chosen is url_form:
            source = VerificationSource.URL
            credential = verifier.credential_from_url(url_form.url.data)
        else:
            source = VerificationSource.ID
            credential = verifier.credential_from_id(id_form.credential_id.data)
    except (verification.InputError, verifier.SourceError) as error:
        return _verify_page(
            forms, status=400, problem=labels.input_problem(error.reason, error.params)
        )
    now = utcnow()
    result = verifier.verify(credential, now=now)
    saved = None
    user = current_user._get_current_object()
    if verifier.keeps_history(user):
        with transaction():
            saved = verifier.record_verification(user, result, source=source, now=now).id
    return _verify_page(forms, result=_fresh_view(result, now), saved=saved)


# -- employers: what they verified ------------------------------------------------------------


@bp.get("/employer/verifications")
@allow(Role.EMPLOYER_VERIFIER)
def list_verifications():
    rows = verifier.verifications_for(current_user)
    return render_template(
        "credentials/employer_verifications.html",
        rows=rows,
        status_label=labels.status_label,
        sources={
            VerificationSource.FILE: _("File"),
            VerificationSource.URL: _("Web address"),
            VerificationSource.ID: _("Credential id"),
            VerificationSource.TEXT: _("Pasted text"),
            VerificationSource.SHARE: _("Shared by the learner"),
            VerificationSource.RECHECK: _("Checked again"),
        },
    )


@bp.get("/employer/verifications/<int:verification_id>")
@allow(Role.EMPLOYER_VERIFIER)
def show_verification(verification_id: int):
    try:
        row = verifier.get_verification(verification_id, viewer=current_user)
    except NotFound:
        abort(404)
    return render_template(
        "credentials/employer_verification.html",
        row=row,
        result=_stored_view(row),
        form=ConfirmForm(),
    )


@bp.post("/employer/verifications/<int:verification_id>/recheck")
@allow(Role.EMPLOYER_VERIFIER)
def recheck_verification(verification_id: int):
    try:
        row = verifier.get_verification(verification_id, viewer=current_user)
    except NotFound:
        abort(404)
    if not ConfirmForm().validate_on_submit() or not row.document:
        return redirect(url_for("verify.show_verification", verification_id=row.id))
    wait = rate_limited()
    if wait is not None:
        flash(_("Too many verifications in a short time: try again in a minute."), "error")
        return redirect(url_for("verify.show_verification", verification_id=row.id))
    now = utcnow()
    result = verifier.verify(verification.parse_input(row.document), now=now)
    with transaction():
        new = verifier.record_verification(
            current_user, result, source=VerificationSource.RECHECK, now=now
        )
    flash(_("Checked again just now."), "info")
    return redirect(url_for("verify.show_verification", verification_id=new.id))


# -- employers: what learners share with them -------------------------------------------------


@bp.get("/employer/shared")
@allow(Role.EMPLOYER_VERIFIER)
def list_shared():
    return render_template(
        "credentials/employer_shared.html",
        shares=sharing.shares_for(current_user, now=utcnow()),
    )


@bp.get("/employer/shared/<int:share_id>")
@allow(Role.EMPLOYER_VERIFIER)
def show_shared(share_id: int):
    now = utcnow()
    try:
        with transaction():
            share = sharing.open_share(share_id, viewer=current_user, now=now)
            credentials = sharing.credentials_of(share)
            learner = share.user
    except NotFound:
        abort(404)
    return render_template(
        "credentials/employer_share.html",
        share=share,
        learner=learner,
        credentials=credentials,
        now=now,
        status_label=labels.status_label,
    )


@bp.get("/employer/shared/<int:share_id>/credentials/<credential_uuid>")
@allow(Role.EMPLOYER_VERIFIER)
def show_shared_credential(share_id: int, credential_uuid: str):
    now = utcnow()
    try:
        with transaction():
            share, row = sharing.open_shared_credential(
                share_id, credential_uuid, viewer=current_user, now=now
            )
            result = verifier.verify(json.loads(row.document), now=now)
            verifier.record_verification(
                current_user, result, source=VerificationSource.SHARE, now=now
            )
            learner = share.user
    except NotFound:
        abort(404)
    return render_template(
        "credentials/employer_shared_credential.html",
        share=share,
        learner=learner,
        row=row,
        result=_fresh_view(result, now),
    )


@bp.get("/employer/shared/<int:share_id>/credentials/<credential_uuid>/download")
@allow(Role.EMPLOYER_VERIFIER)
def download_shared_credential(share_id: int, credential_uuid: str):
    try:
        _share, row = sharing.open_shared_credential(
            share_id, credential_uuid, viewer=current_user, now=utcnow(), log=False
        )
    except NotFound:
        abort(404)
    response = Response(row.document, content_type="application/ld+json; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{row.uuid}.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- learners: shares -------------------------------------------------------------------------


def _share_form(form: ShareForm | None = None) -> tuple[ShareForm, list]:
    form = form or ShareForm()
    form.organisation.choices = [(o.id, o.name) for o in sharing.employer_organisations()]
    credentials = sharing.shareable_credentials(current_user.id)
    now = utcnow()
    form.credentials.choices = [
        (c.id, f"{c.name or c.uuid} ({labels.status_label(c.status(now))})") for c in credentials
    ]
    return form, credentials


@bp.route("/my/shares", methods=["GET", "POST"])
@allow(Role.LEARNER)
def my_shares():
    form, credentials = _share_form()
    now = utcnow()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                days = None if form.duration.data == "date" else int(form.duration.data)
                with transaction():
                    until = sharing.share_until(days, form.until.data, now=now)
                    share = sharing.create_share(
                        current_user,
                        form.organisation.data,
                        expires_at=until,
                        now=now,
                        credential_ids=form.credentials.data or [],
                        whole_record=form.scope.data == "whole",
                        message=form.message.data or "",
                    )
                    name = share.organisation.name
                flash(_("%(name)s now sees what you shared.", name=name), "info")
                return redirect(url_for("verify.my_shares"))
            except DomainError as error:
                _form_errors(form, error)
        status = 400
    return (
        render_template(
            "credentials/share.html",
            form=form,
            has_credentials=bool(credentials),
            lines=sharing.shares_of(current_user.id, now=now),
            states=SHARE_STATES,
            confirm=ConfirmForm(),
            status_label=labels.status_label,
            now=now,
        ),
        status,
    )


@bp.post("/my/shares/<int:share_id>/withdraw")
@allow(Role.LEARNER)
def withdraw_share(share_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            share = sharing.withdraw_share(share_id, actor=current_user, now=utcnow())
            name = share.organisation.name
    except NotFound:
        abort(404)
    flash(_("Withdrawn: %(name)s no longer sees it.", name=name), "info")
    return redirect(url_for("verify.my_shares"))


# -- learners: outside credentials ------------------------------------------------------------


def _item_choices(blank: bool) -> list[tuple[str, str]]:
    locale = labels.locale()
    choices = [
        (item.code, f"{item.code}: {item.title.get(locale) or item.title.get('en', '')}")
        for item in trust.credential_items()
    ]
    return ([("", _("Pathways decides from the file"))] if blank else []) + choices


@bp.route("/my/credentials/import", methods=["GET", "POST"])
@allow(Role.LEARNER)
def import_credential():
    form = ImportForm()
    form.item_code.choices = _item_choices(blank=True)
    status, problem, outcome = 200, None, None
    if request.method == "POST":
        status = 400
        if form.validate():
            upload = form.file.data
            try:
                with transaction():
                    imported = trust.import_credential(
                        current_user,
                        upload.read(),
                        filename=upload.filename or "",
                        item_code=form.item_code.data or None,
                    )
                    outcome = imported.row.id
                flash(str(IMPORT_OUTCOMES[imported.row.outcome]), "info")
                return redirect(url_for("verify.show_import", import_id=outcome))
            except verification.InputError as error:
                problem = labels.input_problem(error.reason, error.params)
            except DomainError as error:
                _form_errors(form, error)
    return (
        render_template(
            "credentials/import.html",
            form=form,
            problem=problem,
            imports=trust.imports_of(current_user.id),
            outcomes=IMPORT_OUTCOMES,
        ),
        status,
    )


def _mine(import_id: int):
    row = next((r for r in trust.imports_of(current_user.id) if r.id == import_id), None)
    if row is None:
        abort(404)
    return row


@bp.get("/my/credentials/import/<int:import_id>")
@allow(Role.LEARNER)
def show_import(import_id: int):
    row = _mine(import_id)
    form = ChooseItemForm()
    form.item_code.choices = _item_choices(blank=False)
    summary = verifier.Summary(
        verified=row.verified,
        status=verifier.status_of_checks(row.checks, row.verified),
        name=row.name,
        credential_ref=row.credential_ref,
        issuer_ref=row.issuer_ref,
        issuer_name=row.issuer_name,
        issuer_known=_issuer_known(row.checks),
        kind="",
    )
    return render_template(
        "credentials/import_show.html",
        row=row,
        outcome=IMPORT_OUTCOMES[row.outcome],
        result=_result_view(
            summary, row.checks, row.imported_at, document=json.loads(row.document)
        ),
        form=form,
    )


@bp.post("/my/credentials/import/<int:import_id>/item")
@allow(Role.LEARNER)
def choose_import_item(import_id: int):
    form = ChooseItemForm()
    form.item_code.choices = _item_choices(blank=False)
    if form.validate_on_submit():
        try:
            with transaction():
                row = trust.choose_item(import_id, form.item_code.data, actor=current_user)
                outcome = row.outcome
            flash(str(IMPORT_OUTCOMES[outcome]), "info")
        except NotFound:
            abort(404)
        except DomainError as error:
            flash(_error(error), "error")
    return redirect(url_for("verify.show_import", import_id=import_id))


# -- platform admins: the trust list and achievement mappings ---------------------------------


@bp.route("/admin/trusted-issuers", methods=["GET", "POST"])
@allow(Role.PLATFORM_ADMIN)
def trusted_issuers():
    form = TrustedIssuerForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                with transaction():
                    row = trust.add_trusted_issuer(
                        form.identifier.data,
                        form.name.data,
                        note=form.note.data or "",
                        actor=current_user,
                    )
                    name = row.name
                flash(_("%(name)s is on the trust list.", name=name), "info")
                return redirect(url_for("verify.trusted_issuers"))
            except DomainError as error:
                _form_errors(form, error)
    return (
        render_template(
            "credentials/trusted_issuers.html",
            form=form,
            issuers=trust.trusted_issuers(),
            confirm=ConfirmForm(),
        ),
        status,
    )


@bp.post("/admin/trusted-issuers/<int:issuer_id>/remove")
@allow(Role.PLATFORM_ADMIN)
def remove_trusted_issuer(issuer_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            trust.remove_trusted_issuer(issuer_id)
    except NotFound:
        abort(404)
    flash(_("Removed from the trust list."), "info")
    return redirect(url_for("verify.trusted_issuers"))


@bp.route("/admin/achievement-mappings", methods=["GET", "POST"])
@allow(Role.PLATFORM_ADMIN)
def achievement_mappings():
    form = MappingForm()
    issuers = trust.trusted_issuers()
    form.issuer.choices = [(i.id, f"{i.name} ({i.identifier})") for i in issuers]
    form.item_code.choices = _item_choices(blank=False)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                with transaction():
                    trust.add_mapping(
                        form.issuer.data,
                        form.achievement.data,
                        form.item_code.data,
                        note=form.note.data or "",
                        actor=current_user,
                    )
                flash(_("The mapping is added."), "info")
                return redirect(url_for("verify.achievement_mappings"))
            except NotFound:
                abort(404)
            except DomainError as error:
                _form_errors(form, error)
    return (
        render_template(
            "credentials/achievement_mappings.html",
            form=form,
            has_issuers=bool(issuers),
            mappings=trust.mappings(),
            confirm=ConfirmForm(),
        ),
        status,
    )


@bp.post("/admin/achievement-mappings/<int:mapping_id>/remove")
@allow(Role.PLATFORM_ADMIN)
def remove_mapping(mapping_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            trust.remove_mapping(mapping_id)
    except NotFound:
        abort(404)
    flash(_("The mapping is removed."), "info")
    return redirect(url_for("verify.achievement_mappings"))


# -- dashboard panels -------------------------------------------------------------------------


def _panels(user) -> list[portal.Panel]:
    panels = []
    if user.has_role(Role.EMPLOYER_VERIFIER):
        shares = sharing.shares_for(user, now=utcnow())
        links = [
            portal.Link(
                _(
                    "%(name)s: %(what)s",
                    name=share.user.display_name or share.user.email,
                    what=_("whole record")
                    if share.whole_record
                    else ngettext("%(num)d credential", "%(num)d credentials", len(share.items)),
                ),
                url_for("verify.show_shared", share_id=share.id),
            )
            for share in shares[:10]
        ]
        panels.append(
            portal.Panel(
                title=_("Credentials shared with you"),
                role=Role.EMPLOYER_VERIFIER.value,
                text=""
                if shares
                else _("No candidate shares credentials with your organisation right now."),
                links=[
                    *links,
                    portal.Link(_("All shared credentials"), url_for("verify.list_shared")),
                    portal.Link(_("Verify a credential"), url_for("verify.verify_page")),
                    portal.Link(_("What you verified"), url_for("verify.list_verifications")),
                ],
            )
        )
    if user.has_role(Role.LEARNER):
        panels.append(
            portal.Panel(
                title=_("Share and bring in credentials"),
                role=Role.LEARNER.value,
                links=[
                    portal.Link(
                        _("Share credentials with an employer"), url_for("verify.my_shares")
                    ),
                    portal.Link(
                        _("Bring in a credential from another issuer"),
                        url_for("verify.import_credential"),
                    ),
                ],
            )
        )
    if user.has_role(Role.PLATFORM_ADMIN):
        panels.append(
            portal.Panel(
                title=_("Outside issuers"),
                role=Role.PLATFORM_ADMIN.value,
                links=[
                    portal.Link(_("Trust list"), url_for("verify.trusted_issuers")),
                    portal.Link(_("Achievement mappings"), url_for("verify.achievement_mappings")),
                ],
            )
        )
    return panels


if _panels not in portal.PANEL_PROVIDERS:
    portal.PANEL_PROVIDERS.append(_panels)
