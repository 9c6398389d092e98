"""Housekeeping: delete what has expired. Feature packages add pruners to `PRUNERS`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa

from pathways.accounts.models import Invitation
from pathways.accounts.services import INVITATION_MAX_AGE
from pathways.db import db
from pathways.db import utcnow


def prune_invitations() -> int:
    cutoff = utcnow() - timedelta(seconds=INVITATION_MAX_AGE)
    result = db.session.execute(
        sa.delete(Invitation).where(
            Invitation.accepted_at.is_(None), Invitation.created_at < cutoff
        )
    )
    return result.rowcount or 0


PRUNERS: dict[str, Callable[[], int]] = {"invitations": prune_invitations}


def _lti_pruners() -> dict[str, Callable[[], int]]:
    from pathways.lti import jobs as lti  # noqa: PLC0415 -- keeps this module light to import

    return {
        "lti_login_states": lti.prune_login_states,
        "lti_nonces": lti.prune_nonces,
        "lti_deep_link_sessions": lti.prune_deep_link_sessions,
        "lti_access_tokens": lti.prune_access_tokens,
        "lti_registration_links": lti.prune_registration_links,
    }


PRUNERS.update(_lti_pruners())


def _oauth_pruners() -> dict[str, Callable[[], int]]:
    from pathways.oauth import jobs as oauth  # noqa: PLC0415 -- keeps this module light to import

    return {
        "oauth_codes": oauth.prune_authorization_codes,
        "oauth_tokens": oauth.prune_tokens,
    }


PRUNERS.update(_oauth_pruners())


def prune_expired() -> dict[str, int]:
    return {name: pruner() for name, pruner in PRUNERS.items()}
