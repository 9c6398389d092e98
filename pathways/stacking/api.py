"""JSON endpoints for learners' pathways under /api/v1.

Readers: the learner themself, staff (assessor, college admin or editor) of an
organisation where the learner learns, or an API client holding ``records:read`` that
belongs to such an organisation. Anyone else gets 403.
"""

from __future__ import annotations

from flask import Blueprint
from flask_babel import get_locale
from flask_login import current_user

from pathways.accounts.enums import Role
from pathways.accounts.enums import Scope
from pathways.accounts.permissions import api
from pathways.accounts.permissions import authenticated_client
from pathways.stacking import queries
from pathways.stacking import services

bp = Blueprint("stacking_api", __name__, url_prefix="/api/v1")

READERS = (Role.LEARNER, Role.ASSESSOR, Role.COLLEGE_ADMIN, Role.COLLEGE_EDITOR)


def _check(user_id: int) -> None:
    client = authenticated_client()
    if client is not None:
        services.ensure_can_view(None, user_id, client=client)
    else:
        services.ensure_can_view(current_user, user_id)


@bp.get("/learners/<int:user_id>/pathways")
@api(Scope.RECORDS_READ, roles=READERS)
def list_learner_pathways(user_id: int):
    """Every occupation with rules: targeted or not, stored progress, certification status."""
    _check(user_id)
    return {"items": services.pathway_summaries(user_id, locale=str(get_locale() or "en"))}


@bp.get("/learners/<int:user_id>/pathways/<occupation>")
@api(Scope.RECORDS_READ, roles=READERS)
def get_learner_pathway(user_id: int, occupation: str):
    """The pathway page's content as JSON (see `services.pathway`)."""
    _check(user_id)
    context = queries.load_context()
    return services.pathway(user_id, occupation, locale=str(get_locale() or "en"), context=context)
