"""Open Badges 3.0 documents: profiles, achievements, credentials, endorsements (pure).

The builders take plain values and return unsigned JSON-LD dicts shaped as the OB 3.0
JSON Schema wants them: `alignment`, `evidence`, `credentialSchema` (and, once signed,
`proof`) are lists. Nothing here knows about the database or the web framework.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# 1EdTech's extension context defines the credentialSchema type `1EdTechJsonSchemaValidator2019`,
# which neither the VC 2.0 nor the OB 3.0 context defines (JSON-LD safe mode refuses it).
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CONTEXT = [VC_V2, OB_V3, OB_EXTENSIONS]
ACHIEVEMENT_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
ENDORSEMENT_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)
SCHEMA_VALIDATOR = "1EdTechJsonSchemaValidator2019"


def profile(
    issuer_id: str,
    name: str,
    *,
    url: str | None = None,
    description: str | None = None,
    email: str | None = None,
) -> dict[str, Any]:
    """An issuer's OB 3.0 `Profile` (its `id` is the issuer's DID)."""
    data: dict[str, Any] = {"id": issuer_id, "type": ["Profile"], "name": name}
    if url:
        data["url"] = url
    if description:
        data["description"] = description
    if email:
        data["email"] = email
    return data


def identity_hash(email: str, salt: str) -> str:
    """`sha256$` + hex SHA-256 of the normalised address followed by the salt (OB 3.0)."""
    normalised = email.strip().lower()
    return "sha256$" + hashlib.sha256((normalised + salt).encode("utf-8")).hexdigest()


def email_identity(email: str, salt: str) -> dict[str, Any]:
    """A salted, hashed e-mail `IdentityObject`: the plain address is never written."""
    return {
        "type": "IdentityObject",
        "identityHash": identity_hash(email, salt),
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def alignment(
    *,
    target_name: str,
    target_url: str,
    target_code: str | None = None,
    target_framework: str | None = None,
    target_description: str | None = None,
) -> dict[str, Any]:
    """An alignment to a CASE item (`targetType` CFItem)."""
    data: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": target_name,
        "targetUrl": target_url,
        "targetType": "CFItem",
    }
    if target_code:
        data["targetCode"] = target_code
    if target_framework:
        data["targetFramework"] = target_framework
    if target_description:
        data["targetDescription"] = target_description
    return data


@dataclass(frozen=True)
class AchievementFacts:
    """What an achievement says; `achievement_type` is MicroCredential or Certification."""

    id: str
    name: str
    description: str
    criteria: str
    achievement_type: str
    human_code: str
    creator: dict[str, Any]
    version: str | None = None
    language: str | None = None
    credits: float | None = None
    field_of_study: str | None = None
    tags: Sequence[str] = ()
    alignments: Sequence[dict[str, Any]] = ()
    endorsements: Sequence[dict[str, Any]] = ()
    criteria_id: str | None = None
    extra_identifiers: Sequence[dict[str, Any]] = field(default_factory=tuple)


def achievement(facts: AchievementFacts) -> dict[str, Any]:
    criteria: dict[str, Any] = {"narrative": facts.criteria}
    if facts.criteria_id:
        criteria["id"] = facts.criteria_id
    data: dict[str, Any] = {
        "id": facts.id,
        "type": ["Achievement"],
        "achievementType": facts.achievement_type,
        "name": facts.name,
        "description": facts.description,
        "criteria": criteria,
        "humanCode": facts.human_code,
        "creator": facts.creator,
    }
    if facts.version:
        data["version"] = facts.version
    if facts.language:
        data["inLanguage"] = facts.language
    if facts.credits is not None:
        data["creditsAvailable"] = float(facts.credits)
    if facts.field_of_study:
        data["fieldOfStudy"] = facts.field_of_study
    if facts.tags:
        data["tag"] = list(facts.tags)
    if facts.alignments:
        data["alignment"] = list(facts.alignments)
    if facts.endorsements:
        data["endorsement"] = list(facts.endorsements)
    if facts.extra_identifiers:
        data["otherIdentifier"] = list(facts.extra_identifiers)
    return data


def evidence(
    *, name: str, narrative: str, evidence_id: str | None = None, genre: str | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {"type": ["Evidence"], "name": name, "narrative": narrative}
    if evidence_id:
        data["id"] = evidence_id
    if genre:
        data["genre"] = genre
    return data


def achievement_credential(
    *,
    credential_id: str,
    issuer: dict[str, Any],
    identity: dict[str, Any],
    achievement_data: dict[str, Any],
    valid_from: str,
    valid_until: str | None,
    awarded_date: str | None = None,
    evidence_items: Sequence[dict[str, Any]] = (),
    status: dict[str, Any] | None = None,
    credits_earned: float | None = None,
) -> dict[str, Any]:
    """An unsigned `OpenBadgeCredential` stating that the identified subject earned it."""
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [identity],
        "achievement": achievement_data,
    }
    if credits_earned is not None:
        subject["creditsEarned"] = float(credits_earned)
    data: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement_data["name"],
        "description": achievement_data["description"],
        "issuer": issuer,
        "validFrom": valid_from,
    }
    if valid_until:
        data["validUntil"] = valid_until
    if awarded_date:
        data["awardedDate"] = awarded_date
    data["credentialSubject"] = subject
    if evidence_items:
        data["evidence"] = list(evidence_items)
    data["credentialSchema"] = [{"id": ACHIEVEMENT_SCHEMA, "type": SCHEMA_VALIDATOR}]
    if status:
        # One object: the OB 3.0 schema (and data model, 0..1) allow a single status entry.
        data["credentialStatus"] = status
    return data


def endorsement_credential(
    *,
    credential_id: str,
    issuer: dict[str, Any],
    endorsed_id: str,
    name: str,
    comment: str,
    valid_from: str,
    status: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An unsigned `EndorsementCredential` backing the achievement (or profile) `endorsed_id`."""
    data: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": name,
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": endorsed_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
        "credentialSchema": [{"id": ENDORSEMENT_SCHEMA, "type": SCHEMA_VALIDATOR}],
    }
    if status:
        # One object: the OB 3.0 schema (and data model, 0..1) allow a single status entry.
        data["credentialStatus"] = status
    return data
