"""JSON-LD canonicalisation (RDFC-1.0 / URDNA2015) over contexts shipped with the app.

The document loader never goes to the network: a context URL that is not one of the
files in `contexts/` is refused (`UnknownContext`), so a credential naming a context we do
not know fails verification with a clear reason instead of fetching it.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

CONTEXT_DIR = Path(__file__).parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_V2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"

# Context URL -> file in contexts/ (the table of ../shared/spec/README.md).
CONTEXT_FILES = {
    VC_V2: "credentials-v2.json",
    VC_V1: "credentials-v1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-v3p0-context.json",
    # Defines the credentialSchema type 1EdTechJsonSchemaValidator2019 (OB 3.0 examples).
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": "clr-v2p0-context-2.0.1.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context.json": "clr-v2p0-context.json",
    "https://w3id.org/openbadges/v2": "ob-v2p0-context.json",
    "https://openbadgespec.org/v2/context.json": "ob-v2p0-context.json",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.json",
    "https://w3id.org/security/suites/ed25519-2020/v1": "suites-ed25519-2020-v1.json",
}


class UnknownContext(ValueError):
    """A document names a JSON-LD context that is not shipped with the app."""


class CanonicalisationError(ValueError):
    """A document is not valid JSON-LD (or uses a term its contexts do not define)."""


@cache
def _context_document(url: str) -> dict[str, Any]:
    path = CONTEXT_DIR / CONTEXT_FILES[url]
    return json.loads(path.read_text(encoding="utf-8"))


def known_context(url: str) -> bool:
    return url in CONTEXT_FILES


def document_loader(url: str, options: dict | None = None) -> dict[str, Any]:
    """pyld document loader: shipped contexts only."""
    if url not in CONTEXT_FILES:
        raise UnknownContext(f"JSON-LD context {url} is not one this site knows")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        # pyld may modify what it is given; each call gets its own copy.
        "document": copy.deepcopy(_context_document(url)),
        # "static": pyld keeps the processed context across operations (shipped files
        # never change), which is most of the cost of canonicalising a credential.
        "tag": "static",
    }


def canonize(document: dict[str, Any]) -> str:
    """The RDFC-1.0 canonical N-Quads of `document`.

    `safe` mode makes pyld refuse terms that its contexts do not define (instead of
    dropping them silently, which would leave them outside the signature).

    :raises UnknownContext: a context is not shipped.
    :raises CanonicalisationError: the document is not valid JSON-LD.
    """
    try:
        return jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader,
                "safe": True,
            },
        )
    except jsonld.JsonLdError as exc:
        cause = _root_cause(exc)
        if isinstance(cause, UnknownContext):
            raise cause from exc
        raise CanonicalisationError(_describe(exc)) from exc


def _root_cause(exc: BaseException) -> BaseException:
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        nxt = getattr(exc, "cause", None) or exc.__cause__
        if nxt is None:
            break
        exc = nxt
    return exc


def _describe(exc: jsonld.JsonLdError) -> str:
    details = getattr(exc, "details", None) or {}
    message = str(getattr(exc, "message", "") or exc).splitlines()[0]
    event = details.get("event") if isinstance(details, dict) else None
    if isinstance(event, dict) and event.get("message"):
        message = f"{message}: {event['message']}"
    return message
