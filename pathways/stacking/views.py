"""Pages: a learner's pathways, the assessors' queue, PLAR recording and the learner's record."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from pathways.accounts.enums import Role
from pathways.accounts.permissions import allow
from pathways.accounts.permissions import signed_in
from pathways.db import transaction
from pathways.errors import DomainError
from pathways.records import plar_services
from pathways.stacking import queries
from pathways.stacking import services
from pathways.stacking.forms import ConfirmForm
from pathways.stacking.forms import CorrectionForm
from pathways.stacking.forms import PlarForm
from pathways.stacking.forms import RecognisedCredentialForm
from pathways.stacking.forms import SignoffForm
from pathways.stacking.forms import TargetForm
from pathways.stacking.svg import GraphNode
from pathways.stacking.svg import pathway_graph

bp = Blueprint("stacking", __name__)


def _locale() -> str:
    return str(get_locale() or "en")


def _uploads() -> Path:
    return Path(current_app.instance_path) / "uploads" / "plar"


def _show_errors(form, error: DomainError) -> None:
    placed = False
    for name, messages in (error.errors or {}).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + list(messages)
            placed = True
    if not placed:
        flash(error.detail, "error")


def _evidence(field) -> plar_services.EvidenceFile | None:
    upload = field.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return plar_services.EvidenceFile(upload.filename, upload.read())


STATUS_TEXT = {
    "earned": lambda: _("Earned"),
    "in_progress": lambda: _("In progress"),
    "planned": lambda: _("Next step"),
    "missing": lambda: _("Not started"),
}


# -- learner pathways ------------------------------------------------------------------------


@bp.get("/pathways")
@allow(Role.LEARNER)
def list_pathways():
    context = queries.load_context()
    summaries = services.pathway_summaries(current_user.id, locale=_locale(), context=context)
    form = TargetForm()
    form.occupation.choices = [(s["code"], s["title"]) for s in summaries if not s["is_target"]]
    return render_template(
        "stacking/pathways.html", summaries=summaries, form=form, confirm=ConfirmForm()
    )


@bp.post("/pathways/targets")
@allow(Role.LEARNER)
def add_target():
    form = TargetForm()
    form.occupation.choices = [(code, code) for code in sorted(queries.load_context().rulesets)]
    if not form.validate_on_submit():
        flash(_("Choose an occupation."), "error")
        return redirect(url_for("stacking.list_pathways"))
    code = form.occupation.data
    try:
        with transaction():
            services.add_target(current_user, code)
    except DomainError as error:
        flash(error.detail, "error")
        return redirect(url_for("stacking.list_pathways"))
    return redirect(url_for("stacking.show_pathway", occupation_code=code))


@bp.post("/pathways/<occupation_code>/remove")
@allow(Role.LEARNER)
def remove_target(occupation_code: str):
    if ConfirmForm().validate_on_submit():
        with transaction():
            services.remove_target(current_user, occupation_code)
        flash(_("The occupation was removed from your pathways."), "info")
    return redirect(url_for("stacking.list_pathways"))


def _graph(data: dict) -> Markup:
    nodes = [
        GraphNode(
            code=item["code"],
            label=item["title"],
            status=item["status"],
            status_text=STATUS_TEXT[item["status"]](),
            prerequisites=tuple(item["prerequisites"]),
        )
        for item in data["credentials"]
    ]
    occupation = data["occupation"]
    if data["satisfied"]:
        goal = _("Requirements met")
    elif data["awaiting_signoff"]:
        goal = _("Awaiting workplace sign-off")
    else:
        goal = _("%(percent)s%% complete", percent=round(data["progress"] * 100))
    counts = {status: 0 for status in STATUS_TEXT}
    for item in data["credentials"]:
        counts[item["status"]] += 1
    description = _(
        "Micro-credentials toward %(occupation)s: %(earned)d earned, %(progress)d in progress, "
        "%(planned)d planned as next steps, %(missing)d not started. Arrows go from a "
        "prerequisite to the credential that needs it. The same information is in the "
        "table below.",
        occupation=occupation["title"],
        earned=counts["earned"],
        progress=counts["in_progress"],
        planned=counts["planned"],
        missing=counts["missing"],
    )
    svg = pathway_graph(
        nodes,
        goal_code=occupation["code"],
        goal_label=occupation["title"],
        goal_status=goal,
        title=_("Pathway to %(occupation)s", occupation=occupation["title"]),
        description=description,
    )
    return Markup(svg)  # noqa: S704 -- svg.py escapes every text it writes


@bp.get("/pathways/<occupation_code>")
@allow(Role.LEARNER)
def show_pathway(occupation_code: str):
    context = queries.load_context()
    data = services.pathway(current_user.id, occupation_code, locale=_locale(), context=context)
    return render_template(
        "stacking/pathway.html",
        data=data,
        graph=_graph(data),
        status_text={key: value() for key, value in STATUS_TEXT.items()},
        is_target=occupation_code in queries.targets_of(current_user.id),
        learner=None,
    )


# -- the learner's record: PLAR results and external credentials -----------------------------


@bp.route("/records/assessments", methods=["GET", "POST"])
@allow(Role.LEARNER)
def my_record():
    context = queries.load_context()
    form = RecognisedCredentialForm()
    external = queries.external_credential_codes()
    form.code.choices = [
        (code, f"{code}: {info.title.get(_locale()) or info.title.get('en', code)}")
        for code, info in context.items.items()
        if code in external
    ]
    if form.validate_on_submit():
        try:
            with transaction():
                services.add_recognised_credential(
                    current_user.id,
                    form.code.data,
                    form.earned_on.data,
                    expires_on=form.expires_on.data,
                    note=form.note.data or "",
                    context=context,
                )
            flash(_("Added. An assessor must verify it before it counts."), "info")
            return redirect(url_for("stacking.my_record"))
        except DomainError as error:
            _show_errors(form, error)
    return render_template(
        "records/my_record.html",
        assessments=plar_services.assessments_of(current_user.id),
        recognised=queries.recognised_of(current_user.id),
        certifications=queries.certifications_of(current_user.id, include_revoked=True),
        form=form,
    )


@bp.get("/records/evidence/<int:revision_id>")
@signed_in
def download_evidence(revision_id: int):
    stored = plar_services.evidence_of(revision_id, viewer=current_user, storage_dir=_uploads())
    # Evidence is at most 5 MB: read it whole, so no file handle outlives the request.
    return send_file(
        io.BytesIO(stored.path.read_bytes()),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.filename,
    )


# -- assessors -------------------------------------------------------------------------------


@bp.get("/assessments")
@allow(Role.ASSESSOR)
def assessment_queue():
    return render_template(
        "records/assessments.html",
        awaiting=queries.awaiting_assessment_for(current_user),
        candidates=queries.candidates_of(current_user),
        context=queries.load_context(),
        signoff=SignoffForm(),
    )


def _candidate_page(user_id: int, plar_form: PlarForm | None = None, status: int = 200):
    services.ensure_can_assess(current_user, user_id)
    context = queries.load_context()
    learner = queries.user_by_id(user_id)
    if learner is None:
        abort(404)
    targets = queries.targets_of(user_id) or sorted(context.rulesets)
    occupation = request.args.get("occupation") or targets[0]
    if occupation not in context.rulesets:
        occupation = targets[0]
    assessments = {row.item_code: row for row in plar_services.assessments_of(user_id)}
    form = plar_form or PlarForm()
    leaves = sorted(context.catalog.leaves(occupation))
    form.items.choices = [
        (code, f"{code}: {context.title(code).get(_locale()) or context.title(code).get('en', '')}")
        for code in leaves
    ]
    return (
        render_template(
            "records/candidate.html",
            learner=learner,
            occupation=occupation,
            occupations=[(code, context.title(code)) for code in sorted(context.rulesets)],
            assessments=list(assessments.values()),
            recognised=queries.recognised_of(user_id),
            summaries=services.pathway_summaries(user_id, locale=_locale(), context=context),
            certifications=queries.certifications_of(user_id),
            form=form,
            confirm=ConfirmForm(),
            signoff=SignoffForm(),
        ),
        status,
    )


@bp.get("/assessments/learners/<int:user_id>")
@allow(Role.ASSESSOR)
def show_candidate(user_id: int):
    return _candidate_page(user_id)


@bp.post("/assessments/learners/<int:user_id>/plar")
@allow(Role.ASSESSOR)
def record_plar(user_id: int):
    services.ensure_can_assess(current_user, user_id)
    form = PlarForm()
    # The choices depend on the occupation shown; the service checks every code itself.
    form.items.choices = [(code, code) for code in request.form.getlist("items")]
    if form.validate_on_submit():
        try:
            with transaction():
                plar_services.record_assessment(
                    user_id,
                    form.items.data,
                    met=form.result.data == "met",
                    assessed_on=form.assessed_on.data,
                    note=form.note.data or "",
                    evidence=_evidence(form.evidence),
                    storage_dir=_uploads(),
                    actor=current_user,
                )
            flash(_("The assessment was recorded."), "info")
            return redirect(
                url_for(
                    "stacking.show_candidate",
                    user_id=user_id,
                    occupation=request.args.get("occupation", ""),
                )
            )
        except DomainError as error:
            _show_errors(form, error)
    return _candidate_page(user_id, form, 400)


@bp.route("/assessments/plar/<int:assessment_id>/correct", methods=["GET", "POST"])
@allow(Role.ASSESSOR)
def correct_plar(assessment_id: int):
    assessment = queries.plar_assessment(assessment_id)
    if assessment is None:
        abort(404)
    services.ensure_can_assess(current_user, assessment.learner_id)
    form = CorrectionForm()
    if request.method == "GET":
        form.result.data = "met" if assessment.is_met else "not_yet"
        form.assessed_on.data = assessment.assessed_on
        form.note.data = assessment.evidence_note
    elif form.validate_on_submit():
        try:
            with transaction():
                plar_services.correct_assessment(
                    assessment_id,
                    met=form.result.data == "met",
                    assessed_on=form.assessed_on.data,
                    note=form.note.data or "",
                    reason=form.reason.data or "",
                    evidence=_evidence(form.evidence),
                    storage_dir=_uploads(),
                    actor=current_user,
                )
            flash(_("The correction was saved; the earlier decision stays in the history."), "info")
            return redirect(url_for("stacking.show_candidate", user_id=assessment.learner_id))
        except DomainError as error:
            _show_errors(form, error)
    return render_template("records/correct.html", assessment=assessment, form=form)


@bp.post("/assessments/certifications/<int:certification_id>/signoff")
@allow(Role.ASSESSOR)
def sign_off(certification_id: int):
    form = SignoffForm()
    if not form.validate_on_submit():
        flash(_("The sign-off could not be read; please try again."), "error")
        return redirect(url_for("stacking.assessment_queue"))
    try:
        with transaction():
            certification = services.sign_off(
                certification_id, actor=current_user, note=form.note.data or ""
            )
            status = certification.status.value
    except DomainError as error:
        if error.status == 403:
            raise
        flash(error.detail, "error")
        return redirect(url_for("stacking.assessment_queue"))
    if status == "certified":
        flash(_("Signed off: the certification is issued."), "info")
    else:
        flash(_("Signed off, but the rules no longer hold: nothing was issued."), "error")
    return redirect(url_for("stacking.assessment_queue"))


@bp.post("/assessments/recognised/<int:credential_id>/verify")
@allow(Role.ASSESSOR)
def verify_recognised(credential_id: int):
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("stacking.assessment_queue"))
    with transaction():
        row = services.verify_recognised_credential(credential_id, actor=current_user)
        learner_id = row.user_id
    flash(_("The credential is verified."), "info")
    return redirect(url_for("stacking.show_candidate", user_id=learner_id))


@bp.get("/assessments/learners/<int:user_id>/pathways/<occupation_code>")
@allow(Role.ASSESSOR, Role.COLLEGE_ADMIN, Role.COLLEGE_EDITOR)
def show_learner_pathway(user_id: int, occupation_code: str):
    services.ensure_can_view(current_user, user_id)
    context = queries.load_context()
    data = services.pathway(user_id, occupation_code, locale=_locale(), context=context)
    return render_template(
        "stacking/pathway.html",
        data=data,
        graph=_graph(data),
        status_text={key: value() for key, value in STATUS_TEXT.items()},
        is_target=False,
        learner=queries.user_by_id(user_id),
    )
