"""CLR 2.0 `ClrCredential`: a learner's record bundling signed OB 3.0 credentials (pure).

The subject lists every achievement of the record (the occupation and each stacked
input), the learner's signed credentials the record relies on, and associations that
mirror the stack: an input `isPartOf` the occupation, an external credential that counted
through an equivalence `exactMatchOf` the item it stands for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pathways.credentials.ob3 import OB_EXTENSIONS
from pathways.credentials.ob3 import OB_V3
from pathways.credentials.ob3 import SCHEMA_VALIDATOR
from pathways.credentials.ob3 import VC_V2

CLR_V2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CONTEXT = [VC_V2, CLR_V2, OB_V3, OB_EXTENSIONS]
CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
ASSOCIATION_TYPES = frozenset(
    {
        "exactMatchOf",
        "isChildOf",
        "isParentOf",
        "isPartOf",
        "isPeerOf",
        "isRelatedTo",
        "precedes",
        "replacedBy",
    }
)


@dataclass(frozen=True)
class Association:
    association_type: str
    source_id: str
    target_id: str

    def as_json(self) -> dict[str, Any]:
        if self.association_type not in ASSOCIATION_TYPES:
            raise ValueError(f"unknown CLR association type {self.association_type!r}")
        return {
            "type": "Association",
            "associationType": self.association_type,
            "sourceId": self.source_id,
            "targetId": self.target_id,
        }


def clr_credential(
    *,
    credential_id: str,
    issuer: dict[str, Any],
    name: str,
    description: str,
    identity: dict[str, Any],
    achievements: Sequence[dict[str, Any]],
    credentials: Sequence[dict[str, Any]],
    associations: Sequence[Association],
    valid_from: str,
    valid_until: str | None = None,
    status: dict[str, Any] | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    """An unsigned `ClrCredential`."""
    subject: dict[str, Any] = {
        "type": ["ClrSubject"],
        "identifier": [identity],
        "achievement": list(achievements),
        "verifiableCredential": list(credentials),
    }
    if associations:
        subject["association"] = [a.as_json() for a in associations]
    data: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": name,
        "description": description,
        "issuer": issuer,
        "validFrom": valid_from,
    }
    if valid_until:
        data["validUntil"] = valid_until
    if partial:
        data["partial"] = True
    data["credentialSubject"] = subject
    data["credentialSchema"] = [{"id": CLR_SCHEMA, "type": SCHEMA_VALIDATOR}]
    if status:
        data["credentialStatus"] = status
    return data
