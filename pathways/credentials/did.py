"""did:web identifiers and DID documents (pure: strings and dicts).

A did:web names an HTTPS location: `did:web:example.org%3A8443:orgs:acme` is resolved at
`https://example.org:8443/orgs/acme/did.json`. Pathways derives each organisation's DID
from the configured base URL, so the document is served where resolution looks for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote
from urllib.parse import unquote
from urllib.parse import urlsplit

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


class DidError(ValueError):
    """Not a did:web this code can resolve."""


def did_web_for(base_url: str, *path: str) -> str:
    """The did:web of `base_url` extended by `path` segments (e.g. "orgs", "demo-college")."""
    parts = urlsplit(base_url)
    if not parts.hostname:
        raise DidError(f"no host in {base_url!r}")
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    segments = [s for s in parts.path.split("/") if s] + list(path)
    return ":".join(["did:web", quote(host, safe="")] + [quote(s, safe="") for s in segments])


def did_web_url(did: str) -> str:
    """The HTTPS URL of the DID document of a did:web (fragment ignored).

    :raises DidError: not a did:web, or an unusable host.
    """
    bare = did.split("#", 1)[0]
    if not bare.startswith("did:web:"):
        raise DidError("not a did:web")
    segments = bare.removeprefix("did:web:").split(":")
    host = unquote(segments[0])
    if not host or "/" in host or "@" in host or any(not s for s in segments[1:]):
        raise DidError(f"{bare} does not name a usable host and path")
    path = "/".join(unquote(s) for s in segments[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


@dataclass(frozen=True)
class PublishedKey:
    """One public key of a DID document: its multibase and, once retired, when."""

    public_multibase: str
    revoked: str | None = None  # XMLSchema dateTime; proofs made after it are not trusted


def verification_method_id(did: str, public_multibase: str) -> str:
    return f"{did}#{public_multibase}"


def did_document(did: str, keys: Iterable[PublishedKey], *, also_known_as: str = "") -> dict:
    """The DID document listing every key the DID ever signed with.

    Retired keys stay listed, as assertion methods too, so that credentials they signed
    keep verifying; a compromised key carries `revoked` (Controlled Identifiers 1.0), the
    moment after which a proof made with it is not to be trusted.
    """
    methods = []
    for key in keys:
        method = {
            "id": verification_method_id(did, key.public_multibase),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_multibase,
        }
        if key.revoked:
            method["revoked"] = key.revoked
        methods.append(method)
    document = {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }
    if also_known_as:
        document["alsoKnownAs"] = [also_known_as]
    return document
