"""Scheduled credential work: telling learners which credentials are about to expire."""

from __future__ import annotations

from datetime import datetime

from pathways.credentials import notices


def notify_expiring(now: datetime | None = None) -> int:
    """Daily: a notice and a mail, once per credential, `EXPIRY_NOTICE_DAYS` before it ends."""
    return notices.notify_expiring(now)
