"""Outside credentials for the verify, import and share tests: Open Badges 3.0 badges of an
issuer that is not Pathways, signed by Digital Bazaar's libraries (`signer.node_sign`)."""

from __future__ import annotations

import hashlib
import uuid
from functools import cache
from typing import Any

from pathways.credentials.jsonld import OB_V3
from pathways.credentials.jsonld import VC_V2
from tests.credentials.signer import SIGNER
from tests.credentials.signer import node_sign

CREATED = "2026-01-05T10:00:00Z"
SEED = "5eed" * 16  # the outside issuer's key: the same did:key on every run
CPT_ID = "https://www.msscusa.org/achievements/cpt"
CPT_NAME = "Certified Production Technician"


def badge(
    *,
    name: str = CPT_NAME,
    achievement_id: str = CPT_ID,
    human_code: str = "CPT",
    status: list | None = None,
    valid_until: str | None = None,
) -> dict[str, Any]:
    """An unsigned OB 3.0 badge; the signer's did:key replaces "did:key:SIGNER"."""
    salt = "pepper"
    digest = hashlib.sha256(f"ana@example.org{salt}".encode()).hexdigest()
    document: dict[str, Any] = {
        "@context": [VC_V2, OB_V3],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": SIGNER, "type": ["Profile"], "name": "Manufacturing Skill Standards"},
        "validFrom": "2026-01-05T00:00:00Z",
        "name": name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": f"sha256${digest}",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": salt,
                }
            ],
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": name,
                "description": "Core production skills: safety, quality, processes, maintenance.",
                "criteria": {"narrative": "Passed the four CPT module assessments."},
                "humanCode": human_code,
            },
        },
    }
    if valid_until:
        document["validUntil"] = valid_until
    if status:
        document["credentialStatus"] = status
    return document


@cache
def outside_badges() -> tuple[str, tuple[dict[str, Any], ...]]:
    """(the issuer's did:key, [a CPT badge, a second CPT badge, a badge of another
    achievement]), signed once per test session."""
    signed = node_sign(
        [
            badge(),
            badge(),
            badge(
                name="Certified Logistics Associate",
                achievement_id="urn:example:cla",
                human_code="CLA",
            ),
        ],
        seed=SEED,
        created=CREATED,
    )
    return signed.did, tuple(signed.documents)
