"""Credential use cases: issuer keys, issuing, status changes, status lists.

Every award becomes a signed OpenBadgeCredential in the transaction that creates it; a
partner's endorsement an EndorsementCredential; an occupation certification a signed
ClrCredential plus a Certification badge from the standards body that owns the framework.
Functions flush and never commit: the caller's boundary does.
"""

from __future__ import annotations

import json
import logging
import secrets
import uuid as uuidlib
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from pathways.accounts.enums import Role
from pathways.accounts.models import ApiClient
from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.catalog import services as catalog_services
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import Endorsement
from pathways.catalog.models import Framework
from pathways.catalog.models import MicroCredentialVersion
from pathways.credentials import clr
from pathways.credentials import did as didlib
from pathways.credentials import multikey
from pathways.credentials import ob3
from pathways.credentials import signing
from pathways.credentials import status_list
from pathways.credentials.enums import CredentialAction
from pathways.credentials.enums import CredentialKind
from pathways.credentials.enums import StatusPurpose
from pathways.credentials.models import CredentialEvent
from pathways.credentials.models import IssuedCredential
from pathways.credentials.models import IssuerKey
from pathways.credentials.models import StatusList
from pathways.db import db
from pathways.db import utcnow
from pathways.errors import Conflict
from pathways.errors import Forbidden
from pathways.errors import Invalid
from pathways.errors import NotFound
from pathways.lti.keys import decrypt_secret
from pathways.lti.keys import encrypt_secret
from pathways.records import services as record_services
from pathways.records.models import Award
from pathways.records.models import ModuleProgress
from pathways.records.models import OccupationCertification
from pathways.records.models import PlarAssessment
from pathways.records.models import RecognisedCredential
from pathways.records.models.certifications import CertificationStatus
from pathways.stacking import services as stacking_services

log = logging.getLogger(__name__)

# Status list credentials are re-signed when older than this, or when a bit changed.
STATUS_LIST_VALIDITY = timedelta(days=1)
# Verifiers may cache a status list this long (the list's `ttl`, and Cache-Control).
STATUS_LIST_TTL = timedelta(minutes=1)
REASON_MAX = 500
Actor = User | ApiClient | None

# Called as hook(credential, action) in the same transaction after a credential is issued,
# revoked, suspended or reinstated (`CredentialAction`): the learner is told.
CREDENTIAL_HOOKS: list[Callable[[IssuedCredential, CredentialAction], None]] = []


# -- addresses --------------------------------------------------------------------------------


def base_url() -> str:
    return current_app.config["BASE_URL"]


def issuer_did(organisation: Organisation) -> str:
    return didlib.did_web_for(base_url(), "orgs", organisation.code)


def issuer_profile(organisation: Organisation) -> dict[str, Any]:
    return ob3.profile(issuer_did(organisation), organisation.name)


def status_list_url(organisation: Organisation, purpose: str, number: int) -> str:
    return f"{base_url()}/orgs/{organisation.code}/status/{purpose}/{number}"


def case_item_url(item: CompetencyItem) -> str:
    return item.uri or f"{base_url()}/ims/case/v1p1/CFItems/{item.uuid}"


def version_url(version: MicroCredentialVersion) -> str:
    return f"{base_url()}/versions/{version.id}"


def _stamp(moment: datetime) -> str:
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: dict[str, str] | None, language: str = "en") -> str:
    if not value:
        return ""
    return value.get(language) or value.get("en") or next(iter(value.values()), "")


# -- keys -------------------------------------------------------------------------------------

_PRIVATE_KEYS: dict[tuple[int, str], Ed25519PrivateKey] = {}


def _create_key(organisation: Organisation) -> IssuerKey:
    private = Ed25519PrivateKey.generate()
    key = IssuerKey(
        organisation_id=organisation.id,
        public_multibase=multikey.encode_public(private.public_key()),
        private_key_encrypted=encrypt_secret(multikey.encode_private(private)),
        created_at=utcnow(),
    )
    db.session.add(key)
    db.session.flush()
    return key


def _transaction_cache() -> dict[str, Any]:
    """Values that hold for the rest of the current transaction (bulk issuing reuses them).

    Callers keep only what this code alone changes (and update it when it does), and check
    that a cached row is still persistent: a savepoint rolled back takes its rows along.
    """
    transaction = db.session().get_transaction()
    info = db.session.info
    if info.get("credentials_transaction") is not transaction:
        info["credentials_transaction"] = transaction
        info["credentials_cache"] = {}
    return info["credentials_cache"]


def _cached_row(cache: dict[str, Any], key: str) -> Any:
    row = cache.get(key)
    if row is not None and not sa.inspect(row).persistent:
        cache.pop(key, None)
        return None
    return row


def signing_key(organisation: Organisation) -> IssuerKey:
    """The organisation's current key, made on first use."""
    cache = _transaction_cache()
    key = _cached_row(cache, f"key:{organisation.id}")
    if key is not None and key.retired_at is None and key.revoked_at is None:
        return key
    key = db.session.scalar(
        sa.select(IssuerKey)
        .where(
            IssuerKey.organisation_id == organisation.id,
            IssuerKey.retired_at.is_(None),
            IssuerKey.revoked_at.is_(None),
        )
        .order_by(IssuerKey.id.desc())
        .limit(1)
    )
    key = key or _create_key(organisation)
    cache[f"key:{organisation.id}"] = key
    return key


def private_key(key: IssuerKey) -> Ed25519PrivateKey:
    cache_key = (key.id, key.private_key_encrypted)
    if cache_key not in _PRIVATE_KEYS:
        _PRIVATE_KEYS[cache_key] = multikey.decode_private(
            decrypt_secret(key.private_key_encrypted)
        )
    return _PRIVATE_KEYS[cache_key]


def rotate_key(organisation: Organisation) -> IssuerKey:
    """Retire the current key (it stays published) and make a new one that signs from now."""
    _transaction_cache().pop(f"key:{organisation.id}", None)
    now = utcnow()
    for key in _keys(organisation):
        if key.retired_at is None:
            key.retired_at = now
    db.session.flush()
    return _create_key(organisation)


def revoke_key(key: IssuerKey, *, compromised_since: datetime, reason: str) -> IssuerKey:
    """Mark a key compromised since a moment: proofs it made after that are not trusted.

    The key stays in the DID document with `revoked` set, so credentials it signed before
    still verify; a new key signs from now on.
    """
    reason = _reason(reason)
    if compromised_since > utcnow():
        raise Invalid("A key is retired as compromised from a moment that has passed.")
    key.revoked_at = compromised_since
    key.revocation_reason = reason[:200]  # the column holds 200; the reason may be 500
    if key.retired_at is None:
        key.retired_at = utcnow()
    db.session.flush()
    return key


def _keys(organisation: Organisation) -> list[IssuerKey]:
    return list(
        db.session.scalars(
            sa.select(IssuerKey)
            .where(IssuerKey.organisation_id == organisation.id)
            .order_by(IssuerKey.id)
        )
    )


def did_document(organisation: Organisation) -> dict[str, Any] | None:
    """The organisation's DID document, or None when it never had a key."""
    keys = _keys(organisation)
    if not keys:
        return None
    return didlib.did_document(
        issuer_did(organisation),
        [
            didlib.PublishedKey(k.public_multibase, _stamp(k.revoked_at) if k.revoked_at else None)
            for k in keys
        ],
    )


def _sign(organisation: Organisation, document: dict[str, Any], now: datetime):
    key = signing_key(organisation)
    signed = signing.sign(
        document,
        private_key(key),
        verification_method=didlib.verification_method_id(
            issuer_did(organisation), key.public_multibase
        ),
        created=_stamp(now),
    )
    return signed, key


# -- status lists -----------------------------------------------------------------------------


def _open_list(organisation: Organisation, purpose: StatusPurpose) -> StatusList:
    """The issuer's list with room for one more entry, locked until the transaction ends."""
    row = db.session.scalar(
        sa.select(StatusList)
        .where(
            StatusList.organisation_id == organisation.id,
            StatusList.purpose == purpose,
            StatusList.allocated < StatusList.size,
        )
        .order_by(StatusList.number)
        .limit(1)
        .with_for_update()
    )
    if row is not None:
        return row
    last = db.session.scalar(
        sa.select(sa.func.max(StatusList.number)).where(
            StatusList.organisation_id == organisation.id, StatusList.purpose == purpose
        )
    )
    row = StatusList(
        organisation_id=organisation.id,
        purpose=purpose,
        number=(last or 0) + 1,
        size=status_list.MIN_ENTRIES,
        bits=status_list.empty(status_list.MIN_ENTRIES),
        permutation_key=secrets.token_hex(32),
        allocated=0,
        version=1,
        signed_version=0,
        updated_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def _allocate(organisation: Organisation) -> tuple[StatusList, StatusList, int]:
    """A fresh index in the issuer's open revocation list and its suspension twin.

    OB 3.0 credentials carry a single `credentialStatus` (the schema's and data model's
    0..1), so each credential names its revocation entry; the suspension list with the
    same number holds the same index, which this site's pages and verifier read.
    """
    revocation = _open_list(organisation, StatusPurpose.REVOCATION)
    suspension = _twin(revocation)
    index = status_list.permuted_index(
        bytes.fromhex(revocation.permutation_key), revocation.allocated, revocation.size
    )
    revocation.allocated += 1
    suspension.allocated = revocation.allocated
    return revocation, suspension, index


def _twin(revocation: StatusList) -> StatusList:
    cache = _transaction_cache()
    row = _cached_row(cache, f"twin:{revocation.id}")
    if row is not None:
        return row
    row = db.session.scalar(
        sa.select(StatusList).where(
            StatusList.organisation_id == revocation.organisation_id,
            StatusList.purpose == StatusPurpose.SUSPENSION,
            StatusList.number == revocation.number,
        )
    )
    if row is None:
        row = StatusList(
            organisation_id=revocation.organisation_id,
            purpose=StatusPurpose.SUSPENSION,
            number=revocation.number,
            size=revocation.size,
            bits=status_list.empty(revocation.size),
            permutation_key=revocation.permutation_key,
            allocated=revocation.allocated,
            version=1,
            signed_version=0,
            updated_at=utcnow(),
        )
        db.session.add(row)
        db.session.flush()
    cache[f"twin:{revocation.id}"] = row
    return row


def _set_bit(row: StatusList, index: int, value: bool) -> None:
    if status_list.get_bit(row.bits, index) == value:
        return
    row.bits = status_list.with_bit(row.bits, index, value)
    row.version += 1
    row.updated_at = utcnow()


def find_status_list(organisation_code: str, purpose: str, number: int) -> StatusList:
    """:raises NotFound: no such list."""
    row = db.session.scalar(
        sa.select(StatusList)
        .join(Organisation, StatusList.organisation_id == Organisation.id)
        .where(
            Organisation.code == organisation_code,
            StatusList.purpose == purpose,
            StatusList.number == number,
        )
    )
    if row is None or purpose not in status_list.PURPOSES:
        raise NotFound("No such status list.")
    return row


def status_list_document(row: StatusList, *, now: datetime | None = None) -> str:
    """The signed list credential as served: re-signed when a bit changed or it grows old."""
    now = now or utcnow()
    fresh = (
        row.signed_document is not None
        and row.signed_version == row.version
        and row.signed_until is not None
        and row.signed_until - now > STATUS_LIST_VALIDITY / 2
    )
    if fresh:
        return row.signed_document
    organisation = row.organisation
    url = status_list_url(organisation, row.purpose.value, row.number)
    until = now + STATUS_LIST_VALIDITY
    unsigned = status_list.list_credential(
        url,
        issuer=issuer_did(organisation),
        purpose=row.purpose.value,
        bits=row.bits,
        valid_from=_stamp(now),
        valid_until=_stamp(until),
        ttl_ms=int(STATUS_LIST_TTL.total_seconds() * 1000),
    )
    signed, _ = _sign(organisation, unsigned, now)
    row.signed_document = _dump(signed)
    row.signed_version = row.version
    row.signed_at = now
    row.signed_until = until.replace(microsecond=0)
    db.session.flush()
    return row.signed_document


# -- issuing ----------------------------------------------------------------------------------


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class _Subject:
    user: User | None
    award: Award | None = None
    certification: OccupationCertification | None = None
    endorsement: Endorsement | None = None


def _issue(
    kind: CredentialKind,
    organisation: Organisation,
    subject: _Subject,
    build: Callable[[str, dict[str, Any]], dict[str, Any]],
    *,
    now: datetime,
    valid_until: datetime | None,
) -> IssuedCredential:
    """Allocate a status entry, build with `build(credential_id, status)`, sign, store."""
    credential_uuid = str(uuidlib.uuid4())
    revocation, suspension, index = _allocate(organisation)
    r_index = s_index = index
    status = status_list.entry(
        status_list_url(organisation, "revocation", revocation.number), "revocation", index
    )
    unsigned = build(f"urn:uuid:{credential_uuid}", status)
    signed, key = _sign(organisation, unsigned, now)
    row = IssuedCredential(
        uuid=credential_uuid,
        kind=kind,
        issuer_organisation_id=organisation.id,
        issuer_key_id=key.id,
        user_id=subject.user.id if subject.user else None,
        award_id=subject.award.id if subject.award else None,
        certification_id=subject.certification.id if subject.certification else None,
        endorsement_id=subject.endorsement.id if subject.endorsement else None,
        name=str(unsigned.get("name", ""))[:300],
        document=_dump(signed),
        issued_at=now,
        valid_from=now.replace(microsecond=0),
        valid_until=valid_until.replace(microsecond=0) if valid_until else None,
        revocation_list_id=revocation.id,
        revocation_index=r_index,
        suspension_list_id=suspension.id,
        suspension_index=s_index,
    )
    db.session.add(row)
    db.session.flush()
    _event(row, CredentialAction.ISSUED, "", None, now)
    return row


def _event(
    row: IssuedCredential, action: CredentialAction, reason: str, actor: Actor, now: datetime
) -> None:
    if action is not CredentialAction.REPLACED:
        for hook in CREDENTIAL_HOOKS:
            hook(row, action)
    db.session.add(
        CredentialEvent(
            credential_id=row.id,
            action=action.value,
            reason=reason,
            actor_id=actor.id if isinstance(actor, User) else None,
            actor_client_id=actor.id if isinstance(actor, ApiClient) else None,
            at=now,
        )
    )


def _identity(user: User) -> dict[str, Any]:
    if not user.email:
        # Learners who came from an LMS without an address are named by their account.
        return {
            "type": "IdentityObject",
            "identityHash": ob3.identity_hash(f"{base_url()}/users/{user.id}", salt := _salt()),
            "identityType": "identifier",
            "hashed": True,
            "salt": salt,
        }
    return ob3.email_identity(user.email, _salt())


def _salt() -> str:
    return secrets.token_hex(16)


def framework_label(framework: Framework) -> str:
    """The framework as named in `targetFramework`: illustrative ones say so."""
    label = _text(framework.title)
    if framework.version:
        label = f"{label} ({framework.version})"
    if framework.is_illustrative:
        notice = _text(framework.notice) or "illustrative outline, not the official standard"
        label = f"{label}. {notice}"
    return label


def _alignment(item: CompetencyItem) -> dict[str, Any]:
    return ob3.alignment(
        target_name=_text(item.title) or item.code,
        target_url=case_item_url(item),
        target_code=item.code,
        target_framework=framework_label(item.framework),
        target_description=_text(item.description) or None,
    )


def _criteria(version: MicroCredentialVersion) -> str:
    parts = []
    outcomes = [_text(o.get("text")).rstrip(". ") for o in version.outcomes or []]
    if any(outcomes):
        parts.append("Learning outcomes: " + "; ".join(o for o in outcomes if o) + ".")
    methods = [
        f"{m.get('method', '')} ({m.get('weight_percent', '?')} %)"
        for m in version.assessment_methods or []
    ]
    if methods:
        parts.append("Assessed by " + ", ".join(methods) + ".")
    if _text(version.pass_standard):
        parts.append("Pass standard: " + _text(version.pass_standard))
    if version.effort_hours:
        parts.append(f"About {version.effort_hours} hours of learning.")
    modules = [_text(m.title) or m.code for m in version.modules]
    if modules:
        parts.append("Every module completed: " + "; ".join(modules) + ".")
    return " ".join(parts) or "Completed every module of this micro-credential."


def version_achievement(
    version: MicroCredentialVersion, endorsements: Iterable[dict[str, Any]] = ()
) -> dict[str, Any]:
    """The OB 3.0 Achievement of one exact published version."""
    organisation = version.credential.issuing_organisation
    title = _text(version.title) or version.code
    tags = [version.level.value] if version.level else []
    if version.effort_hours:
        tags.append(f"{version.effort_hours} hours")
    return ob3.achievement(
        ob3.AchievementFacts(
            id=version_url(version),
            name=title,
            description=_text(version.description) or title,
            criteria=_criteria(version),
            achievement_type="MicroCredential",
            human_code=version.code,
            creator=issuer_profile(organisation),
            version=str(version.number),
            language=(version.languages or ["en"])[0],
            tags=tags,
            alignments=[_alignment(a.item) for a in version.alignments],
            endorsements=list(endorsements),
        )
    )


def _award_evidence(award: Award) -> list[dict[str, Any]]:
    version = award.version
    progress = {
        p.module_id: p
        for p in db.session.scalars(
            sa.select(ModuleProgress).where(
                ModuleProgress.user_id == award.user_id,
                ModuleProgress.module_id.in_([m.id for m in version.modules]),
            )
        )
    }
    items = []
    statements = list((award.basis or {}).get("statements") or [])
    for position, module in enumerate(version.modules):
        row = progress.get(module.id)
        statement = statements[position] if position < len(statements) else None
        if row is None and statement is None:
            continue
        narrative = f"Module {module.code} completed"
        if row is not None and row.completed_at is not None:
            narrative += f" on {row.completed_at.date().isoformat()}"
        if row is not None and row.best_score_scaled is not None:
            narrative += f", best assessment score {round(row.best_score_scaled * 100)} %"
        if statement:
            narrative += f" (xAPI statement {statement})"
        items.append(
            ob3.evidence(
                name=_text(module.title) or module.code,
                narrative=narrative + ".",
                evidence_id=f"urn:uuid:{statement}" if statement else None,
                genre="Module completion",
            )
        )
    if not items:
        items.append(
            ob3.evidence(
                name="Record of the issuing college",
                narrative="Awarded on the college's record of the learner's assessed work.",
                genre="Award record",
            )
        )
    return items


def _active_for(**criteria: Any) -> IssuedCredential | None:
    query = sa.select(IssuedCredential).where(IssuedCredential.revoked_at.is_(None))
    for name, value in criteria.items():
        query = query.where(getattr(IssuedCredential, name) == value)
    return db.session.scalar(query.order_by(IssuedCredential.id.desc()).limit(1))


def endorsement_credentials(version: MicroCredentialVersion) -> list[dict[str, Any]]:
    """The signed endorsements of a version, signing any that were given before signing was."""
    documents: list[dict[str, Any]] = []
    for endorsement in version.active_endorsements:
        row = _active_for(endorsement_id=endorsement.id) or issue_for_endorsement(endorsement)
        documents.append(json.loads(row.document))
    return documents


def issue_for_endorsement(endorsement: Endorsement) -> IssuedCredential:
    """The partner's signed EndorsementCredential of the version it endorsed."""
    existing = _active_for(endorsement_id=endorsement.id)
    if existing is not None:
        return existing
    version = endorsement.version
    partner = endorsement.organisation
    now = utcnow()
    comment = _text(endorsement.statement) or "Endorsed."

    def build(credential_id: str, status: dict[str, Any]) -> dict[str, Any]:
        return ob3.endorsement_credential(
            credential_id=credential_id,
            issuer=issuer_profile(partner),
            endorsed_id=version_url(version),
            name=f"{partner.name} endorses {_text(version.title) or version.code}",
            comment=comment,
            valid_from=_stamp(now),
            status=status,
        )

    return _issue(
        CredentialKind.ENDORSEMENT,
        partner,
        _Subject(user=None, endorsement=endorsement),
        build,
        now=now,
        valid_until=None,
    )


def issue_for_award(award: Award) -> IssuedCredential:
    """Sign the OpenBadgeCredential of an award (once: an award has one live credential)."""
    existing = _active_for(award_id=award.id)
    if existing is not None:
        return existing
    return _issue_award(award)


def _published_achievement(version: MicroCredentialVersion) -> dict[str, Any]:
    """The Achievement of a published version (immutable), built once per transaction."""
    cache = _transaction_cache()
    key = f"achievement:{version.id}"
    if key not in cache or not version.is_published:
        cache[key] = version_achievement(version, endorsement_credentials(version))
    return cache[key]


def _issue_award(award: Award) -> IssuedCredential:
    version = award.version
    organisation = version.credential.issuing_organisation
    achievement = _published_achievement(version)
    identity = _identity(award.user)
    evidence = _award_evidence(award)
    now = utcnow()
    valid_from = award.issued_at

    def build(credential_id: str, status: dict[str, Any]) -> dict[str, Any]:
        return ob3.achievement_credential(
            credential_id=credential_id,
            issuer=issuer_profile(organisation),
            identity=identity,
            achievement_data=achievement,
            valid_from=_stamp(valid_from),
            valid_until=_stamp(award.expires_at) if award.expires_at else None,
            awarded_date=_stamp(award.issued_at),
            evidence_items=evidence,
            status=status,
        )

    row = _issue(
        CredentialKind.MICRO_CREDENTIAL,
        organisation,
        _Subject(user=award.user, award=award),
        build,
        now=now,
        valid_until=award.expires_at,
    )
    row.valid_from = valid_from.replace(microsecond=0)
    _link_replacement(row)
    return row


def _link_replacement(row: IssuedCredential) -> None:
    """A credential reissued for a corrected award names the one it replaces.

    A correction revokes and reissues in one transaction (`on_award_revoked` notes the
    learner and version), so only then is the replaced credential looked for.
    """
    award = db.session.get(Award, row.award_id)
    corrected = _transaction_cache().get("corrected", set())
    if (award.user_id, award.micro_credential_version_id) not in corrected:
        return
    previous = db.session.scalar(
        sa.select(IssuedCredential)
        .join(Award, IssuedCredential.award_id == Award.id)
        .where(
            IssuedCredential.user_id == row.user_id,
            IssuedCredential.id != row.id,
            IssuedCredential.replaced_by_id.is_(None),
            IssuedCredential.revoked_at.is_not(None),
            Award.micro_credential_version_id == award.micro_credential_version_id,
            Award.revocation_reason == record_services.VOIDED_REASON,
        )
        .order_by(IssuedCredential.id.desc())
        .limit(1)
    )
    if previous is not None:
        previous.replaced_by_id = row.id
        _event(previous, CredentialAction.REPLACED, f"replaced by {row.uuid}", None, utcnow())


# -- occupation certifications ----------------------------------------------------------------


def _person_profile(user: User | None, fallback: Organisation) -> dict[str, Any]:
    if user is None:
        return issuer_profile(fallback)
    person_id = uuidlib.uuid5(uuidlib.NAMESPACE_URL, f"{base_url()}/users/{user.id}")
    return ob3.profile(f"urn:uuid:{person_id}", user.display_name or "Assessor")


def _certification_parts(certification: OccupationCertification):
    framework = db.session.scalar(
        sa.select(Framework).where(Framework.identifier == certification.framework)
    )
    if framework is None or framework.publisher_organisation is None:
        return None
    occupation = db.session.scalar(
        sa.select(CompetencyItem).where(
            CompetencyItem.framework_id == framework.id,
            CompetencyItem.code == certification.occupation_code,
        )
    )
    if occupation is None:
        return None
    return framework, framework.publisher_organisation, occupation


def occupation_achievement(
    framework: Framework, body: Organisation, occupation: CompetencyItem, rule_version: int
) -> dict[str, Any]:
    title = _text(occupation.title) or occupation.code
    return ob3.achievement(
        ob3.AchievementFacts(
            id=case_item_url(occupation),
            name=title,
            description=_text(occupation.description)
            or f"Occupational certification: {title} ({framework_label(framework)})",
            criteria=(
                f"Met every stacking rule of {title} (rule version {rule_version}): the "
                "required micro-credentials, recognised credentials and workplace "
                "assessments of the occupation's performance indicators."
            ),
            achievement_type="Certification",
            human_code=occupation.code,
            creator=issuer_profile(body),
            language="en",
            alignments=[_alignment(occupation)],
        )
    )


def _inputs(certification: OccupationCertification):
    """The learner's credentials, PLAR results and external credentials the rules used."""
    basis = certification.basis or {}
    codes = {c["code"] for c in basis.get("credentials") or []}
    credentials = []
    if codes:
        awards = db.session.scalars(
            sa.select(Award)
            .where(Award.user_id == certification.user_id, Award.revoked_at.is_(None))
            .order_by(Award.id.desc())  # the newest award of a code, once re-earned
        ).all()
        for award in awards:
            if award.version.code in codes:
                codes.discard(award.version.code)
                credentials.append(issue_for_award(award))
    plar_codes = set(basis.get("plar") or [])
    plar = (
        db.session.scalars(
            sa.select(PlarAssessment).where(
                PlarAssessment.learner_id == certification.user_id,
                PlarAssessment.item_code.in_(plar_codes),
                PlarAssessment.is_met.is_(True),
            )
        ).all()
        if plar_codes
        else []
    )
    external_codes = set(basis.get("external") or [])
    external = (
        db.session.scalars(
            sa.select(RecognisedCredential).where(
                RecognisedCredential.user_id == certification.user_id,
                RecognisedCredential.code.in_(external_codes),
                RecognisedCredential.verified.is_(True),
            )
        ).all()
        if external_codes
        else []
    )
    return credentials, plar, external


def _item_by_code(code: str) -> CompetencyItem | None:
    return db.session.scalar(
        sa.select(CompetencyItem).where(CompetencyItem.code == code).order_by(CompetencyItem.id)
    )


def issue_for_certification(certification: OccupationCertification) -> list[IssuedCredential]:
    """The standards body signs a ClrCredential and a Certification badge for a certification."""
    if _active_for(certification_id=certification.id) is not None:
        return []
    parts = _certification_parts(certification)
    if parts is None:
        log.warning(
            "certification %s: no standards body owns framework %s; nothing signed",
            certification.id,
            certification.framework,
        )
        return []
    framework, body, occupation = parts
    user = certification.user
    now = utcnow()
    issued_at = certification.issued_at or now
    occupation_data = occupation_achievement(
        framework, body, occupation, certification.rule_version
    )
    credentials, plar, external = _inputs(certification)
    achievements = [occupation_data]
    associations = []
    nested = []
    for row in credentials:
        document = json.loads(row.document)
        nested.append(document)
        achievement = document["credentialSubject"]["achievement"]
        achievements.append(achievement)
        associations.append(clr.Association("isPartOf", achievement["id"], occupation_data["id"]))
    for result in plar:
        item = db.session.get(CompetencyItem, result.item_id)
        if item is None:
            continue
        data = ob3.achievement(
            ob3.AchievementFacts(
                id=case_item_url(item),
                name=_text(item.title) or item.code,
                description=(
                    f"Performance indicator {item.code} met in a workplace assessment "
                    f"(PLAR) on {result.assessed_on.isoformat()}."
                ),
                criteria=result.evidence_note or "Met at the standard, judged by the assessor.",
                achievement_type="Assessment",
                human_code=item.code,
                creator=_person_profile(result.assessor, body),
                alignments=[_alignment(item)],
            )
        )
        achievements.append(data)
        associations.append(clr.Association("isPartOf", data["id"], occupation_data["id"]))
    for held in external:
        item = _item_by_code(held.code)
        if item is None:
            continue
        data = ob3.achievement(
            ob3.AchievementFacts(
                id=case_item_url(item),
                name=_text(item.title) or item.code,
                description=(
                    f"{_text(item.title) or item.code}, earned {held.earned_on.isoformat()} "
                    "and verified by Pathways."
                ),
                criteria=_text(item.description) or "Held and verified.",
                achievement_type="Certification",
                human_code=item.code,
                creator=_person_profile(held.verified_by, body),
                alignments=[_alignment(item)],
            )
        )
        achievements.append(data)
        associations.append(clr.Association("exactMatchOf", data["id"], occupation_data["id"]))
    identity = _identity(user)
    title = occupation_data["name"]

    def build_record(credential_id: str, status: dict[str, Any]) -> dict[str, Any]:
        return clr.clr_credential(
            credential_id=credential_id,
            issuer=issuer_profile(body),
            name=f"{title}: occupational certification record",
            description=(
                f"Certification in {title} and the credentials, assessments and recognised "
                "credentials it stacks."
            ),
            identity=identity,
            achievements=achievements,
            credentials=nested,
            associations=associations,
            valid_from=_stamp(issued_at),
            status=status,
        )

    def build_badge(credential_id: str, status: dict[str, Any]) -> dict[str, Any]:
        return ob3.achievement_credential(
            credential_id=credential_id,
            issuer=issuer_profile(body),
            identity=identity,
            achievement_data=occupation_data,
            valid_from=_stamp(issued_at),
            valid_until=None,
            awarded_date=_stamp(issued_at),
            evidence_items=[
                ob3.evidence(
                    name=item["name"],
                    narrative=f"Stacked: {item['name']} ({item.get('humanCode', '')}).",
                    genre="Stacked credential",
                )
                for item in achievements[1:]
            ],
            status=status,
        )

    subject = _Subject(user=user, certification=certification)
    badge = _issue(
        CredentialKind.CERTIFICATION, body, subject, build_badge, now=now, valid_until=None
    )
    # The record carries the occupation's own badge first, then the inputs' credentials: a
    # certification earned through an equivalence alone still holds a signed credential.
    nested.insert(0, json.loads(badge.document))
    record = _issue(CredentialKind.RECORD, body, subject, build_record, now=now, valid_until=None)
    for row in (record, badge):
        row.valid_from = issued_at.replace(microsecond=0)
    return [record, badge]


# -- status changes ---------------------------------------------------------------------------


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise Invalid(
            "Say why (the reason is kept in the history, never published).",
            code="reason_required",
            errors={"reason": ["Required."]},
        )
    if len(text) > REASON_MAX:
        raise Invalid(
            f"A reason is at most {REASON_MAX} characters.",
            code="invalid",
            errors={"reason": [f"At most {REASON_MAX} characters."]},
        )
    return text


def get_credential(credential_uuid: str) -> IssuedCredential:
    """:raises NotFound: no credential with this id (`urn:uuid:` prefix optional)."""
    value = (credential_uuid or "").strip().lower().removeprefix("urn:uuid:")
    try:
        value = str(uuidlib.UUID(value))
    except ValueError:
        raise NotFound("No such credential.") from None
    row = db.session.scalar(sa.select(IssuedCredential).where(IssuedCredential.uuid == value))
    if row is None:
        raise NotFound("No such credential.")
    return row


def can_manage(actor: Actor, row: IssuedCredential) -> bool:
    """The issuing organisation's admins (or its API clients), and platform admins."""
    if isinstance(actor, ApiClient):
        return actor.organisation_id == row.issuer_organisation_id
    if isinstance(actor, User):
        return actor.has_role(Role.PLATFORM_ADMIN) or actor.has_role(
            Role.COLLEGE_ADMIN, organisation_id=row.issuer_organisation_id
        )
    return actor is None  # operator commands act as the system


def _ensure_manage(actor: Actor, row: IssuedCredential) -> None:
    if not can_manage(actor, row):
        raise Forbidden(
            "Only administrators of the issuing organisation change a credential's status.",
            code="not_issuer_admin",
        )


def revoke(
    row: IssuedCredential, *, reason: str, actor: Actor, _cascade: bool = True
) -> IssuedCredential:
    """Revoke for good: the revocation bit is set; what was stacked on it is re-evaluated.

    :raises Forbidden: not an administrator of the issuer.
    :raises Conflict: already revoked.
    """
    _ensure_manage(actor, row)
    reason = _reason(reason)
    if row.revoked_at is not None:
        raise Conflict("This credential is already revoked.", code="already_revoked")
    _mark_revoked(row, reason, actor)
    if _cascade and row.award_id is not None:
        award = db.session.get(Award, row.award_id)
        if award is not None and award.revoked_at is None:
            award.revoked_at = row.revoked_at
            award.revocation_reason = reason[:200]
            db.session.flush()
            for hook in record_services.AWARD_REVOKED_HOOKS:
                hook(award.user, award)
    if _cascade and row.certification_id is not None:
        certification = db.session.get(OccupationCertification, row.certification_id)
        if certification is not None and certification.status is not CertificationStatus.REVOKED:
            certification.status = CertificationStatus.REVOKED
            certification.revoked_at = row.revoked_at
            certification.revocation_reason = reason[:200]
        for other in _live(certification_id=row.certification_id):
            _mark_revoked(other, reason, actor)
    db.session.flush()
    return row


def _mark_revoked(row: IssuedCredential, reason: str, actor: Actor) -> None:
    if row.revoked_at is not None:
        return
    now = utcnow()
    row.revoked_at = now
    row.revocation_reason = reason
    _set_bit(row.revocation_list, row.revocation_index, True)
    _event(row, CredentialAction.REVOKED, reason, actor, now)


def _live(**criteria: Any) -> list[IssuedCredential]:
    query = sa.select(IssuedCredential).where(IssuedCredential.revoked_at.is_(None))
    for name, value in criteria.items():
        query = query.where(getattr(IssuedCredential, name) == value)
    return list(db.session.scalars(query))


def suspend(row: IssuedCredential, *, reason: str, actor: Actor) -> IssuedCredential:
    """Suspend until reinstated (the suspension bit is set).

    :raises Conflict: revoked, or already suspended.
    """
    _ensure_manage(actor, row)
    reason = _reason(reason)
    if row.revoked_at is not None:
        raise Conflict("A revoked credential cannot be suspended.", code="revoked")
    if row.suspended_at is not None:
        raise Conflict("This credential is already suspended.", code="already_suspended")
    now = utcnow()
    row.suspended_at = now
    row.suspension_reason = reason
    _set_bit(row.suspension_list, row.suspension_index, True)
    _event(row, CredentialAction.SUSPENDED, reason, actor, now)
    db.session.flush()
    return row


def reinstate(row: IssuedCredential, *, reason: str, actor: Actor) -> IssuedCredential:
    """Lift a suspension (the suspension bit is cleared).

    :raises Conflict: not suspended, or revoked.
    """
    _ensure_manage(actor, row)
    reason = _reason(reason)
    if row.revoked_at is not None:
        raise Conflict("A revoked credential is never reinstated.", code="revoked")
    if row.suspended_at is None:
        raise Conflict("This credential is not suspended.", code="not_suspended")
    now = utcnow()
    row.suspended_at = None
    row.suspension_reason = None
    _set_bit(row.suspension_list, row.suspension_index, False)
    _event(row, CredentialAction.REINSTATED, reason, actor, now)
    db.session.flush()
    return row


# -- hooks: issue in the transaction that makes the award -------------------------------------


def on_award_created(user: User, award: Award) -> None:
    _issue_award(award)  # a new award has no credential yet


def on_award_revoked(user: User, award: Award) -> None:
    """An award revoked elsewhere (a voided statement, a correction): its credential too."""
    if award.revocation_reason == record_services.VOIDED_REASON:
        corrected = _transaction_cache().setdefault("corrected", set())
        corrected.add((award.user_id, award.micro_credential_version_id))
    for row in _live(award_id=award.id):
        _mark_revoked(row, award.revocation_reason or "award revoked", None)
    db.session.flush()


def on_certification_changed(certification: OccupationCertification) -> None:
    if certification.status is CertificationStatus.CERTIFIED:
        issue_for_certification(certification)
    elif certification.status is CertificationStatus.REVOKED:
        for row in _live(certification_id=certification.id):
            _mark_revoked(row, certification.revocation_reason or "certification revoked", None)
        db.session.flush()


def on_endorsement_changed(endorsement: Endorsement) -> None:
    if endorsement.voided_at is None:
        issue_for_endorsement(endorsement)
    else:
        for row in _live(endorsement_id=endorsement.id):
            _mark_revoked(row, endorsement.void_reason or "endorsement withdrawn", None)
        db.session.flush()


def _register() -> None:
    # Credentials are signed before stacking re-evaluates, so a certification that the new
    # award completes can carry the award's signed credential in its record.
    for hooks, hook in (
        (record_services.AWARD_HOOKS, on_award_created),
        (record_services.AWARD_REVOKED_HOOKS, on_award_revoked),
    ):
        if hook not in hooks:
            hooks.insert(0, hook)
    for hooks, hook in (
        (stacking_services.CERTIFICATION_HOOKS, on_certification_changed),
        (catalog_services.ENDORSEMENT_HOOKS, on_endorsement_changed),
    ):
        if hook not in hooks:
            hooks.append(hook)


_register()
