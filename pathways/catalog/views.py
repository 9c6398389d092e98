"""The catalog portal (HTML): the public catalogue and micro-credential pages, the college
dashboard, the editor and its alignment picker, co-design (partners, review, comments,
endorsement), version history and the platform admin's CASE import and export.

Visibility comes from the services: a draft or a version in review is shown only to the
issuing college's editors and invited partners; everyone else gets 404, never 403, so a
draft's existence does not leak. Endpoints parse, call one service in one transaction and
present; a refused action re-renders its page with a readable message and nothing changed.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.accounts.permissions import allow
from pathways.accounts.permissions import public
from pathways.catalog import editing
from pathways.catalog import queries
from pathways.catalog import search
from pathways.catalog import services
from pathways.catalog.enums import LEAF_KINDS
from pathways.catalog.enums import CrosswalkStatus
from pathways.catalog.enums import PartnerRole
from pathways.catalog.enums import VersionStatus
from pathways.catalog.forms import LANGUAGE_CHOICES
from pathways.catalog.forms import CaseImportForm
from pathways.catalog.forms import CommentForm
from pathways.catalog.forms import EditForm
from pathways.catalog.forms import EndorseForm
from pathways.catalog.forms import InvitePartnerForm
from pathways.catalog.forms import NewDraftForm
from pathways.catalog.forms import NoteForm
from pathways.catalog.forms import SearchForm
from pathways.catalog.labels import STATUS_LABELS
from pathways.catalog.models import Association
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import Crosswalk
from pathways.catalog.models import Framework
from pathways.catalog.models import MicroCredential
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.models import VersionPartner
from pathways.db import db
from pathways.db import transaction
from pathways.errors import DomainError
from pathways.errors import Forbidden
from pathways.errors import Invalid
from pathways.errors import NotFound
from pathways.errors import PreconditionFailed

bp = Blueprint("catalog", __name__)

PER_PAGE = 20
EDITORS = (Role.COLLEGE_EDITOR,)
CO_DESIGNERS = (Role.COLLEGE_EDITOR, Role.PARTNER_REVIEWER)
PARTNER_KINDS = (
    OrganisationKind.INDUSTRY_PARTNER,
    OrganisationKind.EMPLOYER,
    OrganisationKind.STANDARDS_BODY,
)
OPEN_STATES = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)

STATUS_HEADINGS = {
    VersionStatus.DRAFT: _l("Drafts"),
    VersionStatus.IN_REVIEW: _l("In review"),
    VersionStatus.PUBLISHED: _l("Published"),
    VersionStatus.RETIRED: _l("Retired"),
}
MODE_LABELS = {
    "in_person": _l("In person"),
    "online": _l("Online"),
    "hybrid": _l("Hybrid"),
    "work_based": _l("Work-based"),
}
LEVEL_LABELS = {
    "entry": _l("Entry"),
    "intermediate": _l("Intermediate"),
    "advanced": _l("Advanced"),
}
LANGUAGE_LABELS = dict(LANGUAGE_CHOICES)
PARTNER_ROLE_LABELS = {
    PartnerRole.CO_DESIGNER: _l("Co-designer"),
    PartnerRole.ENDORSER: _l("Endorser"),
}
ACTION_LABELS = {
    "create": _l("Created the draft"),
    "edit": _l("Edited"),
    "submit": _l("Submitted for review"),
    "withdraw": _l("Withdrew from review"),
    "return": _l("Returned to draft"),
    "publish": _l("Published"),
    "retire": _l("Retired"),
    "copy": _l("Started a new version"),
    "invite": _l("Invited a partner"),
    "endorse": _l("Endorsed"),
    "load": _l("Loaded from content files"),
}
# Readable messages for the services' error codes; others show the service's own detail.
ERROR_MESSAGES = {
    "stale_etag": _l(
        "Someone changed this micro-credential after you opened it. Your input is kept "
        "below: check the current version, then save again."
    ),
    "wrong_state": _l("That is not possible in this version's current state."),
    "own_version": _l(
        "The version's last author cannot publish or return it: another editor of the college must."
    ),
    "publish_gate": _l(
        "It cannot be published yet: the fields listed under “Missing for publishing” "
        "must be filled."
    ),
    "endorsement_missing": _l(
        "Every invited partner must endorse this exact version before it is published."
    ),
    "code_taken": _l("That code is already used by another micro-credential."),
    "invited": _l("That organisation is already invited in that role."),
    "version_in_progress": _l("A newer version of this micro-credential is already in progress."),
    "not_issuing_editor": _l("Only editors of the issuing college may do this."),
    "not_partner": _l("Only reviewers of an invited partner organisation may endorse."),
    "no_such_partner": _l("There is no such partner organisation."),
}


def message_for(error: DomainError) -> str:
    known = ERROR_MESSAGES.get(error.code or "")
    return str(known) if known is not None else error.detail


# --------------------------------------------------------------------------------------------
# Template helpers


def _pick(value: Any) -> tuple[str, str]:
    if not isinstance(value, dict):
        return ("", "") if value is None else (str(value), "")
    locale = str(get_locale() or "en")
    for lang in (locale, "en", "fr", *value):
        text = value.get(lang)
        if isinstance(text, str) and text.strip():
            return text, lang
    return "", ""


@bp.app_template_filter("localized")
def localized(value: Any) -> Markup | str:
    """A language map's text in the reader's language, else another, marked with its `lang`."""
    text, lang = _pick(value)
    if lang and lang != str(get_locale() or "en"):
        return Markup('<span lang="{}">{}</span>').format(lang, text)
    return text


@bp.app_template_filter("localized_text")
def localized_text(value: Any) -> str:
    """Plain text (for titles and options, where markup cannot go)."""
    return _pick(value)[0]


@bp.context_processor
def catalog_labels() -> dict[str, Any]:
    return {
        "status_label": lambda status: str(STATUS_LABELS.get(status, status)),
        "mode_label": lambda mode: str(MODE_LABELS.get(str(mode), mode or "")),
        "level_label": lambda level: str(LEVEL_LABELS.get(str(level), level or "")),
        "language_label": lambda code: str(LANGUAGE_LABELS.get(code, code)),
        "partner_role_label": lambda role: str(PARTNER_ROLE_LABELS.get(role, role)),
        "action_label": lambda action: str(ACTION_LABELS.get(action, action)),
        "field_label": editing.label,
    }


def _user() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def _visible(version_id: int) -> MicroCredentialVersion:
    return services.visible_version(version_id, actor=_user())


def _is_editor(version: MicroCredentialVersion) -> bool:
    return services.is_editor(_user(), version.credential)


def _can_edit(version: MicroCredentialVersion) -> bool:
    return version.status is VersionStatus.DRAFT and (
        _is_editor(version) or PartnerRole.CO_DESIGNER in services.partner_roles(_user(), version)
    )


def _in_codesign(version: MicroCredentialVersion) -> bool:
    """Editors of the issuing college and members of invited partners."""
    return _is_editor(version) or bool(services.partner_roles(_user(), version))


def _illustrative(frameworks) -> list[Framework]:
    seen: dict[int, Framework] = {}
    for framework in frameworks:
        if framework is not None and framework.is_illustrative:
            seen.setdefault(framework.id, framework)
    return list(seen.values())


# --------------------------------------------------------------------------------------------
# The public catalogue


def _choices(facet: dict[str, int], labels: dict[str, str], anything: str, selected: str | None):
    options = [("", anything)]
    codes = list(facet)
    if selected and selected not in facet:
        codes.append(selected)
    for code in codes:
        options.append((code, f"{labels.get(code, code)} ({facet.get(code, 0)})"))
    return options


def _occupation_counts(facets: dict[str, dict[str, int]]) -> list[tuple[CompetencyItem, int]]:
    # The search's occupation facet counts each occupation with the other filters on.
    counts = facets.get("occupation", {})
    return [(item, counts.get(item.code, 0)) for item in queries.occupations()]


def _partner_counts(facets: dict[str, dict[str, int]]) -> list[tuple[Organisation, int]]:
    partners = db.session.scalars(
        sa.select(Organisation)
        .join(VersionPartner, VersionPartner.organisation_id == Organisation.id)
        .join(MicroCredentialVersion, MicroCredentialVersion.id == VersionPartner.version_id)
        .where(MicroCredentialVersion.status == VersionStatus.PUBLISHED)
        .distinct()
        .order_by(Organisation.name)
    ).all()
    counts = facets.get("partner", {})
    return [(org, counts.get(org.code, 0)) for org in partners]


def _versions_in_order(ids: list[int]) -> list[MicroCredentialVersion]:
    if not ids:
        return []
    rows = db.session.scalars(
        sa.select(MicroCredentialVersion)
        .where(MicroCredentialVersion.id.in_(ids))
        .options(
            so.joinedload(MicroCredentialVersion.credential).joinedload(
                MicroCredential.issuing_organisation
            )
        )
    ).all()
    by_id = {version.id: version for version in rows}
    return [by_id[i] for i in ids if i in by_id]


@bp.get("/catalogue")
@public
def search_catalogue():
    form = SearchForm(request.args)
    valid = form.validate()
    data = form.data if valid else {}
    filters = search.SearchFilters(
        text=(data.get("q") or "").strip(),
        occupation=data.get("occupation") or None,
        competency=(data.get("competency") or "").strip() or None,
        college=data.get("college") or None,
        partner=data.get("partner") or None,
        effort_min=data.get("effort_min"),
        effort_max=data.get("effort_max"),
        language=data.get("language") or None,
        delivery_mode=data.get("delivery_mode") or None,
    )
    page = data.get("page") or 1
    result = search.search(filters, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    versions = _versions_in_order(result.version_ids)

    occupations = _occupation_counts(result.facets)
    form.occupation.choices = [("", _("Any occupation"))] + [
        (item.code, f"{localized_text(item.title)} ({count})") for item, count in occupations
    ]
    colleges = {
        org.code: org.name
        for org in db.session.scalars(
            sa.select(Organisation).where(Organisation.kind == OrganisationKind.COLLEGE)
        )
    }
    form.college.choices = _choices(
        result.facets.get("college", {}), colleges, _("Any college"), filters.college
    )
    partners = _partner_counts(result.facets)
    form.partner.choices = [("", _("Any partner"))] + [
        (org.code, f"{org.name} ({count})") for org, count in partners
    ]
    form.language.choices = _choices(
        result.facets.get("language", {}),
        {code: str(label) for code, label in LANGUAGE_LABELS.items()},
        _("Any language"),
        filters.language,
    )
    form.delivery_mode.choices = _choices(
        {k: v for k, v in result.facets.get("delivery_mode", {}).items() if k},
        {code: str(label) for code, label in MODE_LABELS.items()},
        _("Any delivery mode"),
        filters.delivery_mode,
    )
    pages = max(1, -(-result.total // PER_PAGE))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    frameworks = _illustrative(item.framework for item, _count in occupations)
    return render_template(
        "catalog/search.html",
        form=form,
        result=result,
        versions=versions,
        page=page,
        pages=pages,
        per_page=PER_PAGE,
        previous_url=url_for("catalog.search_catalogue", **args, page=page - 1)
        if page > 1
        else None,
        next_url=url_for("catalog.search_catalogue", **args, page=page + 1)
        if page < pages
        else None,
        notices=frameworks,
    ), (200 if valid else 400)


# --------------------------------------------------------------------------------------------
# A micro-credential version's page (public when published; a workspace for co-designers)


def _ancestors(item: CompetencyItem) -> list[CompetencyItem]:
    chain = []
    while item is not None:
        chain.append(item)
        item = item.parent
    return chain


def _crosswalk_links(version: MicroCredentialVersion) -> tuple[list[dict], list[dict]]:
    """Relations of other frameworks to the items this version aligns to (or their parents).

    Declared exact equivalences come first list; every other relation (related, broader,
    narrower, proposed) is only a note. Withdrawn crosswalks are left out.
    """
    ours: dict[int, CompetencyItem] = {}
    for alignment in version.alignments:
        for item in _ancestors(alignment.item):
            ours[item.id] = item
    if not ours:
        return [], []
    rows = db.session.scalars(
        sa.select(Association)
        .outerjoin(Association.crosswalk)
        .where(
            Association.relation.is_not(None),
            sa.or_(Association.origin_id.in_(ours), Association.destination_id.in_(ours)),
            sa.or_(Association.crosswalk_id.is_(None), Crosswalk.status == CrosswalkStatus.ACTIVE),
        )
        .options(
            so.joinedload(Association.origin).joinedload(CompetencyItem.framework),
            so.joinedload(Association.destination).joinedload(CompetencyItem.framework),
            so.contains_eager(Association.crosswalk),
        )
        .order_by(Association.id)
    ).all()
    exact, notes = [], []
    for association in rows:
        if association.origin_id in ours:
            mine, other = association.origin, association.destination
        else:
            mine, other = association.destination, association.origin
        entry = {"association": association, "mine": mine, "other": other}
        (exact if association.is_declared_exact else notes).append(entry)
    return exact, notes


def _version_context(version: MicroCredentialVersion) -> dict[str, Any]:
    user = _user()
    exact, notes = _crosswalk_links(version)
    by_framework: dict[int, dict[str, Any]] = {}
    for alignment in version.alignments:
        framework = alignment.item.framework
        group = by_framework.setdefault(framework.id, {"framework": framework, "rows": []})
        group["rows"].append(alignment)
    frameworks = [group["framework"] for group in by_framework.values()]
    frameworks += [entry["other"].framework for entry in exact + notes]
    siblings = [v for v in version.credential.versions if services.can_view(user, v)]
    is_editor = _is_editor(version)
    codesign = _in_codesign(version)
    return {
        "version": version,
        "credential": version.credential,
        "alignment_groups": list(by_framework.values()),
        "equivalences": exact,
        "related": notes,
        "notices": _illustrative(frameworks),
        "siblings": siblings,
        "is_editor": is_editor,
        "in_codesign": codesign,
        "can_edit": _can_edit(version),
        "missing": services.missing_publish_fields(version) if codesign else [],
        "waiting": services.unendorsed_partners(version) if codesign else [],
        "endorsements": [e for e in version.active_endorsements if e.version_etag == version.etag]
        if version.status in OPEN_STATES
        else version.active_endorsements,
        "note_form": NoteForm(),
    }


def _render_version(version_id: int, *, error: DomainError | None = None):
    version = _visible(version_id)
    context = _version_context(version)
    context["error"] = message_for(error) if error is not None else None
    context["error_fields"] = list((error.errors or {}) if error is not None else {})
    status = error.status if error is not None else 200
    return render_template("catalog/version.html", **context), status


@bp.get("/micro-credentials/<code>")
@public
def show_credential(code: str):
    version = queries.published_version(code)
    if version is None:
        abort(404)
    return _render_version(version.id)


@bp.get("/versions/<int:version_id>")
@public
def show_version(version_id: int):
    return _render_version(version_id)


def _transition(version_id: int, call, done: str):
    form = NoteForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with transaction():
            version = call(form.note.data or "")
    except (NotFound, Forbidden):
        raise
    except DomainError as error:
        return _render_version(version_id, error=error)
    flash(done, "info")
    return redirect(url_for("catalog.show_version", version_id=version.id))


@bp.post("/versions/<int:version_id>/submit")
@allow(*EDITORS)
def submit_version(version_id: int):
    return _transition(
        version_id,
        lambda note: services.submit_for_review(version_id, actor=current_user),
        _("Submitted for review."),
    )


@bp.post("/versions/<int:version_id>/withdraw")
@allow(*EDITORS)
def withdraw_version(version_id: int):
    return _transition(
        version_id,
        lambda note: services.withdraw(version_id, actor=current_user),
        _("Withdrawn from review: it is a draft again."),
    )


@bp.post("/versions/<int:version_id>/return")
@allow(*EDITORS)
def return_version(version_id: int):
    return _transition(
        version_id,
        lambda note: services.return_to_draft(version_id, note, actor=current_user),
        _("Returned to draft."),
    )


@bp.post("/versions/<int:version_id>/publish")
@allow(*EDITORS)
def publish_version(version_id: int):
    return _transition(
        version_id,
        lambda note: services.publish(version_id, actor=current_user),
        _("Published. This version will never change."),
    )


@bp.post("/versions/<int:version_id>/retire")
@allow(*EDITORS)
def retire_version(version_id: int):
    return _transition(
        version_id,
        lambda note: services.retire(version_id, note, actor=current_user),
        _("Retired: no new enrolments; awards stay valid."),
    )


@bp.post("/versions/<int:version_id>/new-version")
@allow(*EDITORS)
def copy_version(version_id: int):
    return _transition(
        version_id,
        lambda note: services.new_version(version_id, actor=current_user),
        _("A new draft version was started from this one."),
    )


# --------------------------------------------------------------------------------------------
# The college dashboard and the partner's list


def _versions_of_colleges(organisation_ids: list[int]) -> list[MicroCredentialVersion]:
    if not organisation_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(MicroCredentialVersion)
            .join(MicroCredentialVersion.credential)
            .where(MicroCredential.issuing_organisation_id.in_(organisation_ids))
            .options(
                so.contains_eager(MicroCredentialVersion.credential),
                so.selectinload(MicroCredentialVersion.alignments),
                so.selectinload(MicroCredentialVersion.partners),
                so.selectinload(MicroCredentialVersion.endorsements),
                so.selectinload(MicroCredentialVersion.prerequisites),
            )
            .order_by(MicroCredential.code, MicroCredentialVersion.number)
        ).unique()
    )


def _by_status(versions) -> list[tuple[VersionStatus, str, list]]:
    return [
        (status, str(STATUS_HEADINGS[status]), [v for v in versions if v.status is status])
        for status in VersionStatus
    ]


@bp.get("/college/micro-credentials")
@allow(Role.COLLEGE_EDITOR, Role.COLLEGE_ADMIN)
def college_dashboard():
    colleges = {
        org.id: org
        for org in current_user.organisations_where(Role.COLLEGE_EDITOR, Role.COLLEGE_ADMIN)
        if org.kind is OrganisationKind.COLLEGE
    }
    versions = _versions_of_colleges(sorted(colleges))
    sections = []
    for org in sorted(colleges.values(), key=lambda o: o.name):
        mine = [v for v in versions if v.credential.issuing_organisation_id == org.id]
        sections.append(
            {
                "organisation": org,
                "groups": _by_status(mine),
                "can_create": current_user.has_role(Role.COLLEGE_EDITOR, organisation_id=org.id),
                "missing": {
                    v.id: services.missing_publish_fields(v)
                    for v in mine
                    if v.status in OPEN_STATES
                },
            }
        )
    return render_template("catalog/dashboard.html", sections=sections)


@bp.get("/partner/reviews")
@allow(Role.PARTNER_REVIEWER)
def partner_reviews():
    organisation_ids = [org.id for org in current_user.organisations_where(Role.PARTNER_REVIEWER)]
    versions = list(
        db.session.scalars(
            sa.select(MicroCredentialVersion)
            .join(VersionPartner, VersionPartner.version_id == MicroCredentialVersion.id)
            .where(VersionPartner.organisation_id.in_(organisation_ids))
            .options(so.joinedload(MicroCredentialVersion.credential))
            .order_by(MicroCredentialVersion.id)
        ).unique()
    )
    return render_template("catalog/reviews.html", groups=_by_status(versions), total=len(versions))


# --------------------------------------------------------------------------------------------
# Creating and editing drafts


@bp.route("/college/micro-credentials/new", methods=["GET", "POST"])
@allow(*EDITORS)
def create_draft():
    form = NewDraftForm()
    colleges = [
        org
        for org in current_user.organisations_where(Role.COLLEGE_EDITOR)
        if org.kind is OrganisationKind.COLLEGE
    ]
    form.college.choices = [(org.code, org.name) for org in colleges]
    if request.method == "GET" and len(colleges) == 1:
        form.college.data = colleges[0].code
    status = 200
    if form.validate_on_submit():
        title = editing.text_map(en=form.title_en.data, fr=form.title_fr.data)
        try:
            with transaction():
                version = services.create_draft(
                    form.code.data.strip(), form.college.data, {"title": title}, actor=current_user
                )
        except DomainError as error:
            _place_errors(form, error, default="code")
            status = error.status
        else:
            flash(_("Draft created. Fill in the fields below."), "info")
            return redirect(url_for("catalog.edit_version", version_id=version.id))
    elif request.method == "POST":
        status = 400
    return render_template("catalog/new.html", form=form), status


def _place_errors(form, error: DomainError, *, default: str | None = None) -> None:
    """Put a service's errors on the form fields they name, else on `default`, else flash."""
    placed = False
    for name, messages in (error.errors or {}).items():
        field = getattr(form, name.split(".")[0], None)
        if field is not None and hasattr(field, "errors"):
            errors = field.errors if isinstance(field.errors, list) else []
            field.errors = [*errors, *(str(m) for m in messages)]
            placed = True
    if not placed and default is not None and getattr(form, default, None) is not None:
        field = getattr(form, default)
        field.errors = [*list(field.errors or []), message_for(error)]
        placed = True
    if not placed:
        flash(message_for(error), "error")


def _items_by_code(pairs) -> dict[tuple[str, str], CompetencyItem]:
    pairs = {(p[0], p[1]) for p in pairs if p[0] and p[1]}
    if not pairs:
        return {}
    codes = sorted({code for _fw, code in pairs})
    rows = db.session.scalars(
        sa.select(CompetencyItem)
        .join(CompetencyItem.framework)
        .where(CompetencyItem.code.in_(codes))
        .options(so.contains_eager(CompetencyItem.framework))
    ).all()
    return {
        (item.framework.identifier, item.code): item
        for item in rows
        if (item.framework.identifier, item.code) in pairs
    }


def _outcome_choices(outcome_ids: list[str], current: str | None = None) -> list[tuple[str, str]]:
    choices = [("", _("Whole micro-credential"))] + [(o, o) for o in outcome_ids if o]
    if current and current not in outcome_ids:
        choices.append((current, current))
    return choices


def _prepare_edit_form(form: EditForm, values: dict[str, Any]) -> None:
    outcome_ids = [o["id"] for o in values["outcomes"]]
    for entry in form.alignments:
        entry.form.outcome.choices = _outcome_choices(outcome_ids, entry.form.outcome.data)


def _render_edit(version, form, *, status=200, conflict=None, error=None):
    values = editing.values_of(version)
    _prepare_edit_form(form, values)
    rows = [(entry.form.framework.data, entry.form.item.data) for entry in form.alignments]
    items = _items_by_code(rows)
    return render_template(
        "catalog/edit.html",
        version=version,
        form=form,
        items=items,
        missing=services.missing_publish_fields(version),
        conflict=conflict,
        error=error,
        notices=_illustrative(item.framework for item in items.values()),
    ), status


@bp.route("/versions/<int:version_id>/edit", methods=["GET", "POST"])
@allow(*CO_DESIGNERS)
def edit_version(version_id: int):
    version = _visible(version_id)
    if not (
        _is_editor(version) or PartnerRole.CO_DESIGNER in services.partner_roles(_user(), version)
    ):
        raise Forbidden(
            str(_l("Only the issuing college's editors and invited co-designers edit."))
        )
    if version.status is not VersionStatus.DRAFT:
        flash(
            _(
                "Only a draft can be edited; this version is %(state)s.",
                state=STATUS_LABELS[version.status],
            ),
            "error",
        )
        return redirect(url_for("catalog.show_version", version_id=version_id))

    if request.method == "GET":
        form = EditForm(
            data={**editing.form_data(editing.values_of(version)), "etag": version.etag}
        )
        for name in ("outcomes", "assessment_methods", "modules"):
            if not getattr(form, name).entries:
                getattr(form, name).append_entry()
        return _render_edit(version, form)

    form = EditForm()
    for button, list_name in (
        ("add_outcome", "outcomes"),
        ("add_method", "assessment_methods"),
        ("add_module", "modules"),
    ):
        if getattr(form, button).data:
            # Adding a row saves nothing: the page comes back with the input and one more row.
            getattr(form, list_name).append_entry()
            return _render_edit(version, form)
    if not form.validate_on_submit():
        return _render_edit(version, form, status=400, error=_("Some fields need correcting."))
    values = editing.values_from_form(form.data)
    shape_errors = editing.form_errors(values)
    if shape_errors:
        _place_errors(form, Invalid("invalid", errors=shape_errors))
        return _render_edit(version, form, status=400, error=_("Some fields need correcting."))
    changes = editing.changed_only(values, editing.values_of(version))
    if not changes:
        flash(_("Nothing changed."), "info")
        return redirect(url_for("catalog.edit_version", version_id=version_id))
    try:
        with transaction():
            services.update_draft(version_id, changes, actor=current_user, if_match=form.etag.data)
    except PreconditionFailed:
        version = _visible(version_id)
        # The form keeps what the user typed; saving again now applies it over the newer one.
        differing = editing.changed_only(values, editing.values_of(version))
        form.etag.data = version.etag
        return _render_edit(
            version,
            form,
            status=409,
            conflict=[editing.label(name) for name in differing],
        )
    except (NotFound, Forbidden):
        raise
    except DomainError as error:
        version = _visible(version_id)
        _place_errors(form, error)
        return _render_edit(version, form, status=error.status, error=message_for(error))
    flash(_("Draft saved."), "info")
    return redirect(url_for("catalog.edit_version", version_id=version_id))


# --------------------------------------------------------------------------------------------
# The alignment picker: framework > occupation > area > competency > indicator, with search


def _picker_context(version: MicroCredentialVersion) -> dict[str, Any]:
    frameworks = queries.published_frameworks()
    identifier = request.args.get("framework") or ""
    code = request.args.get("item") or ""
    text = (request.args.get("q") or "").strip()[:200]
    framework = queries.get_framework(identifier) if identifier else None
    if identifier and framework is None:
        abort(404)
    context: dict[str, Any] = {
        "version": version,
        "frameworks": frameworks,
        "framework": framework,
        "q": text,
        "current": None,
        "trail": [],
        "listing": [],
        "results": [],
        "can_edit": _can_edit(version),
        "outcome_ids": [o.get("id") for o in version.outcomes or [] if o.get("id")],
        "aligned": {(a.item_id, a.outcome) for a in version.alignments},
        "aligned_items": {a.item_id for a in version.alignments},
        "leaf_kinds": LEAF_KINDS,
    }
    scope = [framework] if framework is not None else frameworks
    if framework is not None:
        items = queries.items_of(framework.id)
        by_id = {item.id: item for item in items}
        children: dict[int | None, list[CompetencyItem]] = {}
        for item in items:
            children.setdefault(item.parent_id, []).append(item)
        current = next((item for item in items if item.code == code), None) if code else None
        if code and current is None:
            abort(404)
        trail = []
        node = current
        while node is not None:
            trail.append(node)
            node = by_id.get(node.parent_id) if node.parent_id else None
        context.update(
            current=current,
            trail=list(reversed(trail)),
            listing=children.get(current.id if current else None, []),
            child_counts={key: len(value) for key, value in children.items()},
        )
    if text:
        wanted = search.fold(text)
        results = []
        for fw in scope:
            for item in queries.items_of(fw.id):
                haystack = search.fold(
                    " ".join([item.code, *map(str, (item.title or {}).values())])
                )
                if wanted in haystack:
                    results.append(item)
                    if len(results) >= 50:
                        break
        context["results"] = results
    context["notices"] = _illustrative(scope)
    return context


@bp.get("/versions/<int:version_id>/alignments")
@allow(*CO_DESIGNERS)
def browse_alignments(version_id: int):
    version = _visible(version_id)
    if not _in_codesign(version):
        abort(404)
    return render_template("catalog/picker.html", **_picker_context(version))


@bp.post("/versions/<int:version_id>/alignments")
@allow(*CO_DESIGNERS)
def add_alignment(version_id: int):
    version = _visible(version_id)
    if not _in_codesign(version):
        abort(404)
    framework = request.form.get("framework", "")
    code = request.form.get("item", "")
    outcome = request.form.get("outcome", "")
    strength = request.form.get("strength", "full")
    etag = request.form.get("etag", "")
    error = None
    if strength not in ("full", "partial") or not framework or not code:
        error = Invalid(str(_l("Choose an item and a strength.")), code="invalid")
    else:
        values = editing.values_of(version)
        wanted = {"framework": framework, "item": code, "outcome": outcome, "strength": strength}
        existing = [
            a
            for a in values["alignments"]
            if (a["framework"], a["item"], a["outcome"]) != (framework, code, outcome)
        ]
        try:
            with transaction():
                services.update_draft(
                    version_id,
                    {"alignments": [*existing, wanted]},
                    actor=current_user,
                    if_match=etag,
                )
        except (NotFound, Forbidden):
            raise
        except DomainError as failure:
            error = failure
    if error is not None:
        version = _visible(version_id)
        context = _picker_context(version)
        context["error"] = message_for(error)
        return render_template("catalog/picker.html", **context), error.status
    flash(
        _(
            "Aligned %(outcome)s to %(item)s.",
            outcome=outcome or _("the whole micro-credential"),
            item=code,
        ),
        "info",
    )
    args = {k: v for k, v in request.args.items() if k in ("framework", "item", "q")}
    return redirect(url_for("catalog.browse_alignments", version_id=version_id, **args))


# --------------------------------------------------------------------------------------------
# Co-design: partners, review (diff, comments, endorsement), history


def _partner_organisations() -> list[Organisation]:
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.kind.in_(PARTNER_KINDS))
            .order_by(Organisation.name)
        )
    )


@bp.route("/versions/<int:version_id>/partners", methods=["GET", "POST"])
@allow(*EDITORS)
def invite_partner(version_id: int):
    version = _visible(version_id)
    if not _is_editor(version):
        raise Forbidden(str(_l("Only editors of the issuing college invite partners.")))
    form = InvitePartnerForm()
    form.organisation.choices = [("", _("Choose an organisation"))] + [
        (org.code, org.name) for org in _partner_organisations()
    ]
    status = 200
    if form.validate_on_submit():
        try:
            with transaction():
                services.invite_partner(
                    version_id, form.organisation.data, form.role.data, actor=current_user
                )
        except (NotFound, Forbidden) as error:
            if error.code == "no_such_partner":
                _place_errors(form, error, default="organisation")
                status = 400
            else:
                raise
        except DomainError as error:
            _place_errors(form, error, default="organisation")
            status = error.status
        else:
            flash(_("Partner invited."), "info")
            return redirect(url_for("catalog.invite_partner", version_id=version_id))
        version = _visible(version_id)
    elif request.method == "POST":
        status = 400
    return render_template("catalog/partners.html", version=version, form=form), status


def _comment_tree(version: MicroCredentialVersion) -> list[dict[str, Any]]:
    replies: dict[int | None, list] = {}
    for comment in version.comments:
        replies.setdefault(comment.parent_id, []).append(comment)

    def node(comment):
        return {"comment": comment, "replies": [node(c) for c in replies.get(comment.id, [])]}

    return [node(c) for c in replies.get(None, [])]


def _render_review(
    version: MicroCredentialVersion,
    *,
    comment_form=None,
    endorse_form=None,
    error: str | None = None,
    status: int = 200,
):
    user = _user()
    siblings = [
        v for v in version.credential.versions if v.id != version.id and services.can_view(user, v)
    ]
    against_number = request.args.get("against", type=int)
    if against_number is None:
        earlier = [v for v in siblings if v.number < version.number]
        other = earlier[-1] if earlier else None
    else:
        other = next((v for v in siblings if v.number == against_number), None)
        if other is None:
            abort(404)
    changes = editing.diff(
        editing.values_of(other) if other is not None else None, editing.values_of(version)
    )
    roles = services.partner_roles(user, version)
    is_open = version.status in OPEN_STATES
    can_endorse = (
        is_open and bool(roles) and user is not None and user.has_role(Role.PARTNER_REVIEWER)
    )
    if comment_form is None:
        comment_form = CommentForm()
    comment_form.module.choices = [("", _("The whole version"))] + [
        (str(m.id), f"{m.code} — {localized_text(m.title)}") for m in version.modules
    ]
    if endorse_form is None:
        endorse_form = EndorseForm(etag=version.etag)
    frameworks = [a.item.framework for a in version.alignments]
    return render_template(
        "catalog/review.html",
        version=version,
        other=other,
        siblings=siblings,
        changes=changes,
        comments=_comment_tree(version),
        comment_form=comment_form,
        endorse_form=endorse_form,
        can_comment=is_open,
        can_endorse=can_endorse,
        endorsements=version.endorsements,
        error=error,
        notices=_illustrative(frameworks),
    ), status


def _codesign_version(version_id: int) -> MicroCredentialVersion:
    version = _visible(version_id)
    if not _in_codesign(version):
        abort(404)  # co-design pages are private even for published versions
    return version


@bp.get("/versions/<int:version_id>/review")
@allow(*CO_DESIGNERS)
def review_version(version_id: int):
    return _render_review(_codesign_version(version_id))


@bp.post("/versions/<int:version_id>/comments")
@allow(*CO_DESIGNERS)
def add_comment(version_id: int):
    version = _codesign_version(version_id)
    form = CommentForm()
    form.module.choices = []
    if not form.validate_on_submit():
        return _render_review(
            version, comment_form=form, error=_("Write a comment first."), status=400
        )
    module_id = int(form.module.data) if (form.module.data or "").isdigit() else None
    parent_id = int(form.parent.data) if (form.parent.data or "").isdigit() else None
    try:
        with transaction():
            comment = services.add_comment(
                version_id,
                form.body.data,
                actor=current_user,
                module_id=module_id,
                parent_id=parent_id,
            )
    except Forbidden:
        raise
    except DomainError as error:
        version = _codesign_version(version_id)
        return _render_review(
            version, comment_form=form, error=message_for(error), status=error.status
        )
    flash(_("Comment posted."), "info")
    return redirect(
        url_for("catalog.review_version", version_id=version_id, _anchor=f"comment-{comment.id}")
    )


@bp.post("/versions/<int:version_id>/endorse")
@allow(Role.PARTNER_REVIEWER)
def endorse_version(version_id: int):
    version = _codesign_version(version_id)
    form = EndorseForm()
    statement = editing.text_map(en=form.statement_en.data, fr=form.statement_fr.data)
    if not form.validate_on_submit() or not statement:
        form.statement_en.errors = [_("Say what your organisation confirms.")]
        return _render_review(
            version, endorse_form=form, error=_("Say what your organisation confirms."), status=400
        )
    try:
        with transaction():
            editing.endorse_as_read(version_id, statement, form.etag.data, actor=current_user)
    except Forbidden:
        raise
    except DomainError as error:
        version = _codesign_version(version_id)
        if isinstance(error, PreconditionFailed):
            form.etag.data = version.etag  # the input stays; endorsing again means the new one
            text = _(
                "Someone changed this version after you opened it. Read the changes, "
                "then endorse again."
            )
        else:
            text = message_for(error)
        return _render_review(version, endorse_form=form, error=text, status=error.status)
    flash(_("Endorsed. Any later edit voids this endorsement."), "info")
    return redirect(url_for("catalog.review_version", version_id=version_id))


@bp.get("/versions/<int:version_id>/history")
@allow(Role.COLLEGE_EDITOR, Role.COLLEGE_ADMIN, Role.PARTNER_REVIEWER, Role.PLATFORM_ADMIN)
def version_history(version_id: int):
    version = _visible(version_id)
    user = _user()
    siblings = [v for v in version.credential.versions if services.can_view(user, v)]
    events = services.version_history(version_id, actor=user)
    return render_template(
        "catalog/history.html",
        version=version,
        events=events,
        siblings=siblings,
        in_codesign=_in_codesign(version),
    )


# --------------------------------------------------------------------------------------------
# CASE import and export (platform admins)


@bp.route("/admin/case", methods=["GET", "POST"])
@allow(Role.PLATFORM_ADMIN)
def case_admin():
    from pathways.catalog import case  # noqa: PLC0415 -- CASE mapping loads only for this page

    form = CaseImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        raw = form.package.data.read()
        try:
            package = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            form.package.errors = [_("That file is not JSON (a CASE CFPackage).")]
            status = 400
        else:
            try:
                with transaction():
                    result = case.import_package(package)
                    report = {
                        "framework": result.framework.identifier,
                        "title": result.framework.title,
                        "items_created": result.items_created,
                        "items_updated": result.items_updated,
                        "associations": result.associations,
                        "unmapped": list(result.unmapped),
                    }
            except DomainError as error:
                form.package.errors = [message_for(error)]
                for name, messages in (error.errors or {}).items():
                    form.package.errors.append(f"{name}: {'; '.join(map(str, messages))}")
                status = 400
    elif request.method == "POST":
        status = 400
    frameworks = list(db.session.scalars(sa.select(Framework).order_by(Framework.identifier)))
    return render_template(
        "catalog/case_admin.html", form=form, report=report, frameworks=frameworks
    ), status


@bp.get("/admin/case/frameworks/<identifier>.json")
@allow(Role.PLATFORM_ADMIN)
def export_framework(identifier: str):
    from pathways.catalog import case  # noqa: PLC0415 -- CASE mapping loads only for this page

    package = case.export_package(identifier)
    body = json.dumps(package, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{identifier}.cfpackage.json"'},
    )
