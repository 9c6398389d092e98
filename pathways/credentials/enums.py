"""Kinds of issued credentials, status purposes and history actions."""

from __future__ import annotations

import enum


class CredentialKind(enum.StrEnum):
    MICRO_CREDENTIAL = "micro_credential"  # OpenBadgeCredential for an award
    CERTIFICATION = "certification"  # OpenBadgeCredential for an occupation certification
    RECORD = "record"  # ClrCredential for an occupation certification
    ENDORSEMENT = "endorsement"  # EndorsementCredential of a partner for a version


class StatusPurpose(enum.StrEnum):
    REVOCATION = "revocation"
    SUSPENSION = "suspension"


class CredentialAction(enum.StrEnum):
    ISSUED = "issued"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"
    REPLACED = "replaced"


class ImportOutcome(enum.StrEnum):
    """What became of an outside credential a learner brought in."""

    RECOGNISED = "recognised"  # verified, trusted issuer, mapped: counts at once
    AWAITING_ASSESSOR = "awaiting_assessor"  # stored as a recognised credential to verify
    NEEDS_ITEM = "needs_item"  # the learner must say which framework item it is


class VerificationSource(enum.StrEnum):
    """How a credential reached the verifier."""

    FILE = "file"  # an uploaded JSON file or baked PNG/SVG
    URL = "url"
    ID = "id"  # a credential id of this site
    TEXT = "text"  # pasted JSON
    SHARE = "share"  # opened from a learner's share
    RECHECK = "recheck"  # a stored verification checked again


class NoticeKind(enum.StrEnum):
    """What a learner's notice (portal and mail) says happened to one of their credentials."""

    ISSUED = "issued"
    EXPIRING = "expiring"  # validUntil within the notice period; told once per credential
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"
    REVOKED = "revoked"
