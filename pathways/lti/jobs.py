"""Scheduled LTI work: deliver the grade outbox; prune expired single-use records."""

from __future__ import annotations

import sqlalchemy as sa

from pathways.db import db
from pathways.db import utcnow
from pathways.lti import calls
from pathways.lti.models import Lti11Nonce
from pathways.lti.models import LtiAccessToken
from pathways.lti.models import LtiDeepLinkSession
from pathways.lti.models import LtiLoginState
from pathways.lti.models import LtiRegistrationLink
from pathways.lti.models import LtiUsedNonce


def deliver_outbox() -> dict[str, int]:
    """The AGS / Basic Outcomes outbox job (runs every minute). It commits on its own,
    around each call to an LMS (`calls.deliver_outbox`): its schedule row says so."""
    return calls.deliver_outbox()


def _delete_expired(model) -> int:
    result = db.session.execute(sa.delete(model).where(model.expires_at < utcnow()))
    return result.rowcount or 0


def prune_login_states() -> int:
    return _delete_expired(LtiLoginState)


def prune_nonces() -> int:
    return _delete_expired(LtiUsedNonce) + _delete_expired(Lti11Nonce)


def prune_deep_link_sessions() -> int:
    return _delete_expired(LtiDeepLinkSession)


def prune_access_tokens() -> int:
    return _delete_expired(LtiAccessToken)


def prune_registration_links() -> int:
    """Registration links that expired unused (used ones say which platform they made)."""
    result = db.session.execute(
        sa.delete(LtiRegistrationLink).where(
            LtiRegistrationLink.used_at.is_(None), LtiRegistrationLink.expires_at < utcnow()
        )
    )
    return result.rowcount or 0
