"""Issuer keys, issued credentials (the exact signed JSON), status lists and history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.credentials.enums import CredentialKind
from pathways.credentials.enums import ImportOutcome
from pathways.credentials.enums import NoticeKind
from pathways.credentials.enums import StatusPurpose
from pathways.credentials.enums import VerificationSource
from pathways.db import UTCDateTime
from pathways.db import db
from pathways.db import utcnow
from pathways.records.models import RecognisedCredential


def _enum(cls) -> sa.Enum:
    return sa.Enum(
        cls, native_enum=False, length=32, values_callable=lambda values: [v.value for v in values]
    )


class IssuerKey(db.Model):
    """One Ed25519 key pair of an organisation's did:web.

    The newest key that is not retired signs. Retired keys stay in the DID document so
    credentials they signed keep verifying; `revoked_at` marks a compromised key: proofs
    it made after that moment are not trusted.
    """

    __tablename__ = "credential_issuer_key"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    public_multibase: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    private_key_encrypted: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    retired_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revocation_reason: so.Mapped[str | None] = so.mapped_column(sa.String(200))

    organisation: so.Mapped[Organisation] = so.relationship()


class StatusList(db.Model):
    """One Bitstring Status List of an issuer for one purpose.

    `bits` is the list itself; `version` goes up with every change, and the signed list
    credential in `signed_document` is remade when its `signed_version` falls behind.
    Indexes are handed out as a keyed pseudo-random permutation of `allocated`, so
    neighbouring entries belong to unrelated credentials.
    """

    __tablename__ = "credential_status_list"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "purpose", "number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    purpose: so.Mapped[StatusPurpose] = so.mapped_column(_enum(StatusPurpose))
    number: so.Mapped[int] = so.mapped_column()
    size: so.Mapped[int] = so.mapped_column()
    bits: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    permutation_key: so.Mapped[str] = so.mapped_column(sa.String(64))
    allocated: so.Mapped[int] = so.mapped_column(default=0)
    version: so.Mapped[int] = so.mapped_column(default=1)
    signed_document: so.Mapped[str | None] = so.mapped_column(sa.Text)
    signed_version: so.Mapped[int] = so.mapped_column(default=0)
    signed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    signed_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    organisation: so.Mapped[Organisation] = so.relationship()


class IssuedCredential(db.Model):
    """A credential as issued: the exact signed JSON, never changed once written.

    Exactly one of award, certification or endorsement names what it stands for.
    Revocation and suspension are bits in the issuer's status lists; the columns here
    mirror them with dates and reasons (reasons are never published).
    """

    __tablename__ = "credential_issued"
    __table_args__ = (
        sa.UniqueConstraint("revocation_list_id", "revocation_index"),
        sa.UniqueConstraint("suspension_list_id", "suspension_index"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    uuid: so.Mapped[str] = so.mapped_column(sa.String(36), unique=True)
    kind: so.Mapped[CredentialKind] = so.mapped_column(_enum(CredentialKind), index=True)
    issuer_organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    issuer_key_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("credential_issuer_key.id", ondelete="RESTRICT"), index=True
    )
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    award_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("records_award.id", ondelete="RESTRICT"), index=True
    )
    certification_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("records_occupation_certification.id", ondelete="RESTRICT"), index=True
    )
    endorsement_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("catalog_endorsement.id", ondelete="RESTRICT"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    document: so.Mapped[str] = so.mapped_column(sa.Text)
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    valid_from: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    valid_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revocation_list_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("credential_status_list.id", ondelete="RESTRICT")
    )
    revocation_index: so.Mapped[int] = so.mapped_column()
    suspension_list_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("credential_status_list.id", ondelete="RESTRICT")
    )
    suspension_index: so.Mapped[int] = so.mapped_column()
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revocation_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    suspended_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    suspension_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    replaced_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("credential_issued.id", ondelete="SET NULL")
    )

    issuer: so.Mapped[Organisation] = so.relationship()
    issuer_key: so.Mapped[IssuerKey] = so.relationship()
    user: so.Mapped[User | None] = so.relationship()
    revocation_list: so.Mapped[StatusList] = so.relationship(foreign_keys=[revocation_list_id])
    suspension_list: so.Mapped[StatusList] = so.relationship(foreign_keys=[suspension_list_id])
    events: so.Mapped[list[CredentialEvent]] = so.relationship(
        back_populates="credential", order_by="CredentialEvent.id"
    )

    def status(self, now: datetime) -> str:
        """active, expired, suspended or revoked (revoked wins; expired is not revoked)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.suspended_at is not None:
            return "suspended"
        if self.valid_until is not None and self.valid_until <= now:
            return "expired"
        return "active"


class CredentialEvent(db.Model):
    """One entry of a credential's history: issued, revoked, suspended, reinstated..."""

    __tablename__ = "credential_event"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    credential_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("credential_issued.id", ondelete="CASCADE"), index=True
    )
    action: so.Mapped[str] = so.mapped_column(sa.String(32))
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    actor_client_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("api_client.id", ondelete="SET NULL")
    )
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    credential: so.Mapped[IssuedCredential] = so.relationship(back_populates="events")
    actor: so.Mapped[User | None] = so.relationship()


# -- sharing with employers, the trust list, verification (issue 12) ---------------------------


class CredentialShare(db.Model):
    """A learner shows chosen credentials (or the whole record) to one employer organisation.

    Visible to that organisation's employer verifiers while `expires_at` is ahead and
    `withdrawn_at` is empty; `whole_record` shares every credential the learner holds,
    including those issued later.
    """

    __tablename__ = "credential_share"
    __table_args__ = (sa.Index("ix_credential_share_org_expires", "organisation_id", "expires_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE")
    )
    whole_record: so.Mapped[bool] = so.mapped_column(default=False)
    message: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    user: so.Mapped[User] = so.relationship()
    organisation: so.Mapped[Organisation] = so.relationship()
    items: so.Mapped[list[CredentialShareItem]] = so.relationship(
        cascade="all, delete-orphan", order_by="CredentialShareItem.id"
    )

    def is_visible(self, now: datetime) -> bool:
        return self.withdrawn_at is None and self.expires_at > now


class CredentialShareItem(db.Model):
    """One credential chosen for a share."""

    __tablename__ = "credential_share_item"
    __table_args__ = (sa.UniqueConstraint("share_id", "credential_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    share_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("credential_share.id", ondelete="CASCADE"), index=True
    )
    credential_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("credential_issued.id", ondelete="CASCADE"), index=True
    )

    credential: so.Mapped[IssuedCredential] = so.relationship()


class CredentialShareView(db.Model):
    """Someone of the employer opened the share (`credential_id` empty) or one credential."""

    __tablename__ = "credential_share_view"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    share_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("credential_share.id", ondelete="CASCADE"), index=True
    )
    credential_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("credential_issued.id", ondelete="SET NULL")
    )
    viewer_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Kept as written at the time, so the learner still sees who looked if the account goes.
    viewer_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    viewed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    credential: so.Mapped[IssuedCredential | None] = so.relationship()


class TrustedIssuer(db.Model):
    """An issuer outside this platform that platform admins trust (e.g. the MSSC's DID)."""

    __tablename__ = "credential_trusted_issuer"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    identifier: so.Mapped[str] = so.mapped_column(sa.String(500), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    mappings: so.Mapped[list[AchievementMapping]] = so.relationship(
        back_populates="issuer", cascade="all, delete-orphan", order_by="AchievementMapping.id"
    )


class AchievementMapping(db.Model):
    """An outside issuer's achievement (its id or humanCode) read as a framework item."""

    __tablename__ = "credential_achievement_mapping"
    __table_args__ = (sa.UniqueConstraint("trusted_issuer_id", "achievement"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    trusted_issuer_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("credential_trusted_issuer.id", ondelete="CASCADE"), index=True
    )
    achievement: so.Mapped[str] = so.mapped_column(sa.String(500))
    item_code: so.Mapped[str] = so.mapped_column(sa.String(100))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    issuer: so.Mapped[TrustedIssuer] = so.relationship(back_populates="mappings")


class Verification(db.Model):
    """A verification an employer verifier ran while signed in: what, when, the outcome.

    `checks` holds each check as the verifier gave it (check, passed, reason, detail,
    params), so the page can show it again in either language.
    """

    __tablename__ = "credential_verification"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    source: so.Mapped[VerificationSource] = so.mapped_column(_enum(VerificationSource))
    checked_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    verified: so.Mapped[bool] = so.mapped_column(default=False)
    status: so.Mapped[str] = so.mapped_column(sa.String(32), default="")
    credential_ref: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    name: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    issuer_ref: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    issuer_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    checks: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)
    document: so.Mapped[str | None] = so.mapped_column(sa.Text)

    user: so.Mapped[User] = so.relationship()


class ImportedCredential(db.Model):
    """An outside credential a learner uploaded, kept exactly as uploaded.

    When it verified, its issuer is trusted and its achievement maps to a framework item,
    it became a verified `RecognisedCredential` at once; otherwise the recognised
    credential waits for an assessor (or for the learner to say which item it is).
    """

    __tablename__ = "credential_import"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    document: so.Mapped[str] = so.mapped_column(sa.Text)
    filename: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    credential_ref: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    name: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    issuer_ref: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    issuer_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    achievement_ref: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    human_code: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    verified: so.Mapped[bool] = so.mapped_column(default=False)
    checks: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)
    item_code: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    outcome: so.Mapped[ImportOutcome] = so.mapped_column(_enum(ImportOutcome))
    recognised_credential_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("records_recognised_credential.id", ondelete="SET NULL")
    )
    imported_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    recognised: so.Mapped[RecognisedCredential | None] = so.relationship()


class RateWindow(db.Model):
    """Requests counted per key (e.g. "verify:<ip>") in one fixed time window.

    Kept in the database so that every worker counts against the same limit.
    """

    __tablename__ = "credential_rate_window"

    key: so.Mapped[str] = so.mapped_column(sa.String(120), primary_key=True)
    window_start: so.Mapped[int] = so.mapped_column(sa.BigInteger, primary_key=True, index=True)
    hits: so.Mapped[int] = so.mapped_column(default=0)


# -- the learner's wallet: public links and notices (issue 12) --------------------------------


class PublicLink(db.Model):
    """A credential's public page, which its learner turns on and off.

    `slug` is unguessable (`secrets.token_urlsafe`) and the page answers only while
    `disabled_at` is empty; turning the page on again makes a new row with a new slug, so
    a link once turned off never works again. At most one live link per credential.
    """

    __tablename__ = "credential_public_link"
    __table_args__ = (
        sa.Index(
            "ix_credential_public_link_live",
            "credential_id",
            unique=True,
            sqlite_where=sa.text("disabled_at IS NULL"),
            postgresql_where=sa.text("disabled_at IS NULL"),
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    credential_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("credential_issued.id", ondelete="CASCADE")
    )
    slug: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    disabled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    credential: so.Mapped[IssuedCredential] = so.relationship()

    @property
    def is_live(self) -> bool:
        return self.disabled_at is None


class Notice(db.Model):
    """Something the learner is told in the portal (and by mail) about a credential.

    The text is kept as a key and its parameters, so it reads in the reader's language
    whenever it is shown; `read_at` is set when the learner marks it read.
    """

    __tablename__ = "credential_notice"
    __table_args__ = (sa.Index("ix_credential_notice_user_read", "user_id", "read_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: so.Mapped[NoticeKind] = so.mapped_column(_enum(NoticeKind))
    credential_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("credential_issued.id", ondelete="CASCADE"), index=True
    )
    text_key: so.Mapped[str] = so.mapped_column(sa.String(64))
    params: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    credential: so.Mapped[IssuedCredential | None] = so.relationship()
