"""An independent credential signer: Digital Bazaar's JavaScript libraries under Node.

`node_sign` runs `tests/oracle/sign.mjs` (vc.issue with an Ed25519Multikey over a did:key
and a DataIntegrityProof eddsa-rdfc-2022; status lists from vc-bitstring-status-list), so
the verifier is tested on credentials that no Pathways code made. The string
"did:key:SIGNER" in the documents is replaced by the signer's did:key before signing.
`make oracle` installs the npm packages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.credentials.oracle import ORACLE_DIR
from tests.credentials.oracle import OracleFailed
from tests.credentials.oracle import run_script

SCRIPT = ORACLE_DIR / "sign.mjs"
SIGNER = "did:key:SIGNER"


@dataclass(frozen=True)
class Signed:
    did: str
    verification_method: str
    documents: list[dict[str, Any]]
    status_lists: list[dict[str, Any]]


def node_sign(
    documents: list[dict[str, Any]],
    *,
    seed: str | None = None,
    created: str | None = None,
    status_lists: list[dict[str, Any]] | None = None,
) -> Signed:
    """Sign `documents` (and build `status_lists`: {"id", "purpose", "set": [indexes]})."""
    request: dict[str, Any] = {"documents": documents}
    if seed is not None:
        request["seed"] = seed
    if created is not None:
        request["created"] = created
    if status_lists:
        request["status_lists"] = status_lists
    result = run_script(SCRIPT, request)
    if result.get("fatal"):
        raise OracleFailed(f"sign.mjs failed: {result.get('error')}")
    return Signed(
        result["did"], result["verificationMethod"], result["documents"], result["status_lists"]
    )


def bake_png(credential: dict[str, Any]) -> bytes:
    """A PNG badge holding `credential` in an iTXt chunk `openbadgecredential`, made with
    Pillow (not Pathways' baking code)."""
    import io  # noqa: PLC0415 -- only the image tests bake

    from PIL import Image  # noqa: PLC0415
    from PIL.PngImagePlugin import PngInfo  # noqa: PLC0415

    info = PngInfo()
    info.add_itxt("openbadgecredential", json.dumps(credential), zip=False)
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (11, 92, 173)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()
