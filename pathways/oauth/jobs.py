"""Housekeeping of OAuth rows (run by `pathways.jobs.housekeeping`)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pathways.db import db
from pathways.db import utcnow
from pathways.oauth.models import OAuthAuthorizationCode
from pathways.oauth.models import OAuthToken

# Ended tokens are kept this long so that a rotated refresh token presented again is still
# recognised as reuse (and revokes its grant); afterwards it is merely unknown.
ENDED_TOKENS_KEPT = timedelta(days=7)
# Codes are single-use and live minutes; a day later a replay is refused as unknown.
CODES_KEPT = timedelta(days=1)


def prune_authorization_codes() -> int:
    cutoff = utcnow() - CODES_KEPT
    result = db.session.execute(
        sa.delete(OAuthAuthorizationCode).where(OAuthAuthorizationCode.expires_at < cutoff)
    )
    return result.rowcount or 0


def prune_tokens() -> int:
    """Delete tokens revoked, or no longer usable at all, more than a week ago."""
    cutoff = utcnow() - ENDED_TOKENS_KEPT
    usable_until = sa.func.coalesce(OAuthToken.refresh_expires_at, OAuthToken.access_expires_at)
    result = db.session.execute(
        sa.delete(OAuthToken).where(sa.or_(OAuthToken.revoked_at < cutoff, usable_until < cutoff))
    )
    return result.rowcount or 0
