"""Housekeeping deletes ended OAuth rows, keeping a week of them to recognise reuse."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.jobs.housekeeping import prune_expired
from pathways.oauth.models import OAuthToken
from tests.factories import make_user
from tests.oauth.test_ob_api import bearer
from tests.oauth.test_ob_api import make_client

pytestmark = pytest.mark.integration


def test_prune_keeps_live_and_recently_ended_tokens(database):
    user = make_user()
    client, _secret = make_client()
    for _ in range(4):
        bearer(user, client=client)
    now = utcnow()
    with transaction():
        live, recent, old_revoked, old_expired = db.session.scalars(
            sa.select(OAuthToken).order_by(OAuthToken.id)
        ).all()
        recent.revoked_at = now - timedelta(days=6)
        old_revoked.revoked_at = now - timedelta(days=8)
        old_expired.access_expires_at = now - timedelta(days=8)
        kept = {live.id, recent.id}
    with transaction():
        counts = prune_expired()
    assert (counts["oauth_tokens"], counts["oauth_codes"]) == (2, 0)
    assert set(db.session.scalars(sa.select(OAuthToken.id))) == kept
