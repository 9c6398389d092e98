"""The portal's entry pages: the public home, each role's dashboard, and the module page
an LMS resource link lands on."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint
from flask import abort
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import format_percent
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pathways.accounts.permissions import public
from pathways.accounts.permissions import signed_in
from pathways.catalog import queries as catalog_queries
from pathways.catalog import services as catalog
from pathways.catalog.labels import STATUS_LABELS
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.models import Module
from pathways.portal import queries
from pathways.records import queries as records
from pathways.records.models import ModuleProgress

bp = Blueprint("portal", __name__)

# A learner's standing in a module, as ModuleProgress.status says it; no row: not started.
PROGRESS_LABELS = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
    "passed": _l("Passed"),
    "failed": _l("Failed"),
}


@bp.get("/")
@public
def home():
    if current_user.is_authenticated:
        return redirect(url_for("portal.dashboard"))
    return render_template("portal/home.html")


@bp.get("/dashboard")
@signed_in
def dashboard():
    return render_template("portal/dashboard.html", panels=queries.dashboard_panels(current_user))


@dataclass(frozen=True)
class Standing:
    """One module of the version as the signed-in reader stands in it."""

    module: Module
    status: str
    label: str
    score: str | None
    completed_at: str | None


def _standing(module: Module, progress: ModuleProgress | None) -> Standing:
    status = progress.status if progress is not None else "not_started"
    score = progress.best_score_scaled if progress is not None else None
    completed_at = progress.completed_at if progress is not None else None
    return Standing(
        module=module,
        status=status,
        label=str(PROGRESS_LABELS.get(status, status)),
        score=format_percent(score) if score is not None else None,
        completed_at=completed_at.date().isoformat() if completed_at is not None else None,
    )


def _credential_url(version: MicroCredentialVersion) -> str:
    # /micro-credentials/<code> shows the newest published version; any other version
    # (an older published one, retired, draft) has its own page.
    code = version.credential.code
    newest = catalog_queries.published_version(code)
    if newest is not None and newest.id == version.id:
        return url_for("catalog.show_credential", code=code)
    return url_for("catalog.show_version", version_id=version.id)


@bp.get("/modules/<int:module_id>")
@public
def show_module(module_id: int):
    """Public for a published or retired version; a hidden draft's module is 404."""
    user = current_user._get_current_object() if current_user.is_authenticated else None
    module = catalog_queries.module_by_id(module_id)
    if module is None or not catalog.can_view(user, module.version):
        abort(404)  # a hidden draft's module is not revealed, as its version page
    version = module.version
    modules = list(version.modules)  # in the version's order (position)
    progress = records.module_progress(user.id, [m.id for m in modules]) if user else {}
    standings = [_standing(m, progress.get(m.id)) for m in modules] if user else []
    return render_template(
        "portal/module.html",
        module=module,
        version=version,
        credential=version.credential,
        modules=modules,
        standings=standings,
        mine=next((s for s in standings if s.module.id == module.id), None),
        credential_url=_credential_url(version),
        version_status=str(STATUS_LABELS[version.status]),
    )
