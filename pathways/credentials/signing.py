"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (VC Data Integrity EdDSA 1.0).

Signing: canonicalise the proof options (with the document's `@context`) and the document
without its proof (RDFC-1.0), hash each with SHA-256, sign proofHash || documentHash with
Ed25519, and write the signature as a base58-btc multibase `proofValue`. `proof` is written
as a one-element list (the OB 3.0 schema types it as an array); verification accepts an
object or a list, and checks every proof it finds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pathways.credentials import jsonld
from pathways.credentials import multikey

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


class ProofError(ValueError):
    """A proof is missing, malformed, or does not verify; the message says which."""


@dataclass(frozen=True)
class ResolvedKey:
    """What a verification method id resolves to: its public key and its controller."""

    public_key: Ed25519PublicKey
    controller: str


# verification method id -> ResolvedKey; raises ProofError (or a subclass) when it cannot.
KeyResolver = Callable[[str], ResolvedKey]


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _without_proof(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "proof"}


def hash_data(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    """proofHash || documentHash for an unsigned document and its proof options."""
    config = dict(options)
    config.pop("proofValue", None)
    config["@context"] = document.get("@context")
    return _sha256(jsonld.canonize(config)) + _sha256(jsonld.canonize(_without_proof(document)))


def proof_options(verification_method: str, created: str) -> dict[str, Any]:
    return {
        "type": PROOF_TYPE,
        "created": created,
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": "assertionMethod",
    }


def sign(
    document: dict[str, Any],
    private_key: Ed25519PrivateKey,
    *,
    verification_method: str,
    created: str,
) -> dict[str, Any]:
    """A copy of `document` with a one-element `proof` list holding its new proof."""
    options = proof_options(verification_method, created)
    signature = private_key.sign(hash_data(document, options))
    proof = {**options, "proofValue": multikey.multibase_b58(signature)}
    return {**_without_proof(document), "proof": [proof]}


def proofs_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The proofs of a document (object or list); :raises ProofError: none, or malformed."""
    proof = document.get("proof")
    if proof is None:
        raise ProofError("the credential has no proof")
    proofs = proof if isinstance(proof, list) else [proof]
    if not proofs or not all(isinstance(p, dict) for p in proofs):
        raise ProofError("proof must be an object or a list of objects")
    return proofs


def verify_proof(
    document: dict[str, Any], proof: dict[str, Any], resolve: KeyResolver
) -> ResolvedKey:
    """Check one proof of `document`; returns the key that made it.

    :raises ProofError: unsupported type or suite, wrong purpose, a key that cannot be
        resolved, or a signature that does not match.
    """
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        suite = proof.get("cryptosuite") or proof.get("type")
        raise ProofError(
            f"proof type {suite!r} is not supported (only DataIntegrityProof with "
            f"{CRYPTOSUITE}); the credential could not be checked"
        )
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("the proof's purpose is not assertionMethod")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        raise ProofError("the proof names no verification method")
    value = proof.get("proofValue")
    try:
        signature = multikey.from_multibase_b58(value)
    except multikey.KeyFormatError as exc:
        raise ProofError("proofValue is not a base58-btc multibase value") from exc
    if len(signature) != 64:
        raise ProofError("proofValue is not an Ed25519 signature")
    key = resolve(method)
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in options and options["@context"] != document.get("@context"):
        raise ProofError("the proof's @context differs from the credential's")
    options.pop("@context", None)
    try:
        data = hash_data(document, options)
    except jsonld.UnknownContext as exc:
        raise ProofError(str(exc)) from exc
    except jsonld.CanonicalisationError as exc:
        raise ProofError(f"the credential is not valid JSON-LD: {exc}") from exc
    try:
        key.public_key.verify(signature, data)
    except InvalidSignature as exc:
        raise ProofError(
            "the signature does not match: the credential was changed after it was signed, "
            "or it was signed with another key"
        ) from exc
    return key
