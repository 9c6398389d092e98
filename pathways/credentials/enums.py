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
