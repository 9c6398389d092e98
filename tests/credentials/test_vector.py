"""The spec's own test vectors, reproduced byte for byte by our canonicaliser and signer.

OB 3.0 (`ob_v3p0/test-vectors/`): the unsigned credential and proof options are given,
so canonical N-Quads, both hashes, the data to sign, the signature and `proofValue` are
all checked. CLR 2.0 (`clr_v2p0/*.nq`): only the canonical N-Quads are published, so the
input is reconstructed from them (`clr_vector_input`); that reconstruction reproduces
the document and proof N-Quads exactly and, signed with the OB vector's key, the nested
credential's published `proofValue`, with the credentialSchema type written as an IRI or
as the term of the shipped extensions context. The CLR credential's own signature is not
published, so it cannot be checked.
"""

from __future__ import annotations

import copy
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pathways.credentials import jsonld
from pathways.credentials import multikey
from pathways.credentials import signing
from pathways.credentials.ob3 import OB_EXTENSIONS
from tests.credentials.world import SPEC

pytestmark = pytest.mark.unit

OB_DIR = SPEC / "ob_v3p0" / "test-vectors"
CLR_DIR = SPEC / "clr_v2p0"


@pytest.fixture(scope="module")
def vector() -> dict:
    path = OB_DIR / "obv3p0-eddsa-rdfc-2022.json"
    if not path.exists():
        pytest.skip(f"the shared spec files are not at {SPEC}")
    return json.loads(path.read_text(encoding="utf-8"))


def nquads(path) -> str:
    return path.read_bytes().decode("utf-8")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def vector_key(vector) -> Ed25519PrivateKey:
    seed = bytes.fromhex(vector["keyPair"]["privateKeyHex"])[:32]
    return Ed25519PrivateKey.from_private_bytes(seed)


def proof_config(options: dict, context) -> dict:
    return {**options, "@context": context}


# -- OB 3.0 ------------------------------------------------------------------------------------


def test_document_nquads_are_the_vectors_byte_for_byte(vector):
    expected = nquads(OB_DIR / vector["expected"]["documentCanonicalNQuadsFile"])
    canonical = jsonld.canonize(vector["unsignedCredential"])
    assert canonical == expected
    assert sha256_hex(canonical) == vector["expected"]["documentHashHex"]


def test_proof_nquads_are_the_vectors_byte_for_byte(vector):
    expected = nquads(OB_DIR / vector["expected"]["proofCanonicalNQuadsFile"])
    config = proof_config(vector["proofOptions"], vector["unsignedCredential"]["@context"])
    canonical = jsonld.canonize(config)
    assert canonical == expected
    assert sha256_hex(canonical) == vector["expected"]["proofHashHex"]


def test_data_to_sign_is_proof_hash_then_document_hash(vector):
    data = signing.hash_data(vector["unsignedCredential"], vector["proofOptions"])
    assert data.hex() == vector["expected"]["dataToSignHex"]
    # The signed credential's proof (proofValue and all) hashes to the same bytes.
    signed = vector["signedCredential"]
    assert signing.hash_data(signed, signed["proof"]).hex() == vector["expected"]["dataToSignHex"]


def test_the_vector_key_pair_is_read_as_published(vector):
    pair = vector["keyPair"]
    public = vector_key(vector).public_key()
    assert multikey.encode_public(public) == pair["publicKeyMultibase"]
    assert (
        multikey.decode_public(pair["publicKeyMultibase"]).public_bytes_raw().hex()
        == (pair["publicKeyHex"])
    )
    decoded = multikey.decode_private(pair["secretKeyMultibase"])
    assert decoded.private_bytes_raw() == vector_key(vector).private_bytes_raw()


def test_sign_reproduces_the_proof_value(vector):
    options = vector["proofOptions"]
    signed = signing.sign(
        vector["unsignedCredential"],
        vector_key(vector),
        verification_method=options["verificationMethod"],
        created=options["created"],
    )
    [proof] = signed["proof"]
    assert proof == {**options, "proofValue": vector["expected"]["proofValue"]}
    signature = multikey.from_multibase_b58(proof["proofValue"])
    assert signature.hex() == vector["expected"]["signatureHex"]
    # Everything but the proof is the unsigned credential, unchanged.
    assert {k: v for k, v in signed.items() if k != "proof"} == vector["unsignedCredential"]


def test_signing_a_signed_copy_replaces_its_proof(vector):
    options = vector["proofOptions"]
    again = signing.sign(
        vector["signedCredential"],
        vector_key(vector),
        verification_method=options["verificationMethod"],
        created=options["created"],
    )
    assert [p["proofValue"] for p in again["proof"]] == [vector["expected"]["proofValue"]]


def resolver_for(vector):
    pair = vector["keyPair"]

    def resolve(method_id: str) -> signing.ResolvedKey:
        if method_id != pair["id"]:
            raise signing.ProofError(f"unknown key {method_id}")
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(pair["publicKeyHex"]))
        return signing.ResolvedKey(public, pair["controller"])

    return resolve


@pytest.mark.parametrize("shape", ["object", "list"])
def test_the_signed_vector_verifies_with_its_proof_as_object_or_list(vector, shape):
    signed = copy.deepcopy(vector["signedCredential"])
    if shape == "list":
        signed["proof"] = [signed["proof"]]
    [proof] = signing.proofs_of(signed)
    key = signing.verify_proof(signed, proof, resolver_for(vector))
    assert key.controller == vector["keyPair"]["controller"]


def test_the_signed_vector_fails_after_a_one_character_change(vector):
    signed = copy.deepcopy(vector["signedCredential"])
    signed["credentialSubject"]["achievement"]["name"] = "Teamwork."
    [proof] = signing.proofs_of(signed)
    with pytest.raises(signing.ProofError, match="signature does not match"):
        signing.verify_proof(signed, proof, resolver_for(vector))


# -- CLR 2.0 -----------------------------------------------------------------------------------

ISSUER = {
    "id": "https://example.edu/issuers/565049",
    "type": ["Profile"],
    "name": "Example University",
}
LEARNER = "did:example:ebfeb1f712ebc6f1c276e12ec21"
FIRST = "urn:uuid:a7467ef6-56cb-11ec-bf63-0242ac130002"
SECOND = "urn:uuid:dd887f0a-56cb-11ec-bf63-0242ac130002"
# The vector's RDF types each credentialSchema with this IRI. Neither the VC 2.0 nor the
# OB 3.0.3 context defines the term `1EdTechJsonSchemaValidator2019`; 1EdTech's extensions
# context does, as this IRI. The input is reconstructed both ways: the IRI written out
# (contexts of the vector's era), and the term with the extensions context that Pathways
# ships and names (as its own credentials do): both must give the vector's N-Quads.
SCHEMA_VALIDATOR_IRI = (
    "https://purl.imsglobal.org/spec/vccs/v1p0/context.json#1EdTechJsonSchemaValidator2019"
)
STYLES = {
    "iri": ([], SCHEMA_VALIDATOR_IRI),
    "extensions context": ([OB_EXTENSIONS], "1EdTechJsonSchemaValidator2019"),
}
SCHEMA_BASE = "https://purl.imsglobal.org/spec"
OB_SCHEMA = f"{SCHEMA_BASE}/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
CLR_SCHEMA = f"{SCHEMA_BASE}/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"


def clr_achievement(identifier: str, number: int) -> dict:
    return {
        "id": identifier,
        "type": ["Achievement"],
        "criteria": {
            "id": f"https://example.edu/achievements/{identifier.removeprefix('urn:uuid:')}/criteria"
        },
        "creator": ISSUER,
        "description": f"Achievement {number}",
        "image": {"id": "https://example.edu/achievements/sample.png", "type": "Image"},
        "name": f"Achievement {number}",
    }


def clr_nested_unsigned(style: str) -> dict:
    extra_context, schema_type = STYLES[style]
    return {
        "@context": [jsonld.VC_V2, jsonld.OB_V3, *extra_context],
        "id": "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": ISSUER,
        "validFrom": "2010-01-01T00:00:00Z",
        "name": "Example University Degree",
        "credentialSubject": {
            "id": LEARNER,
            "type": ["AchievementSubject"],
            "achievement": clr_achievement(FIRST, 1),
        },
        "credentialSchema": [
            {
                "id": OB_SCHEMA,
                "type": schema_type,
            }
        ],
    }


def clr_vector_input(nested: dict, style: str) -> dict:
    """The unsigned ClrCredential that the published N-Quads are the canonical form of."""
    extra_context, schema_type = STYLES[style]
    return {
        "@context": [jsonld.VC_V2, jsonld.CLR_V2, jsonld.OB_V3, *extra_context],
        "id": "http://example.edu/credentials/3732",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": ISSUER,
        "validFrom": "2010-01-01T00:00:00Z",
        "name": "Sample Transcript",
        "credentialSubject": {
            "id": LEARNER,
            "type": ["ClrSubject"],
            "verifiableCredential": [nested],
            "achievement": [clr_achievement(FIRST, 1), clr_achievement(SECOND, 2)],
            "association": [
                {
                    "type": "Association",
                    "associationType": "isParentOf",
                    "sourceId": FIRST,
                    "targetId": SECOND,
                }
            ],
        },
        "credentialSchema": [
            {
                "id": CLR_SCHEMA,
                "type": schema_type,
            }
        ],
    }


@pytest.fixture(scope="module", params=sorted(STYLES))
def style(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def clr_nested(vector, style) -> dict:
    """The nested OB credential, signed with the OB vector's key at the vector's time."""
    if not (CLR_DIR / "clrv2p0-document-canon.nq").exists():
        pytest.skip(f"the CLR vector is not at {CLR_DIR}")
    return signing.sign(
        clr_nested_unsigned(style),
        vector_key(vector),
        verification_method=vector["keyPair"]["id"],
        created=vector["proofOptions"]["created"],
    )


def test_clr_nested_credential_reproduces_its_published_proof_value(clr_nested):
    # The value is in the vector's N-Quads as the nested credential's sec:proofValue.
    [proof] = clr_nested["proof"]
    published = nquads(CLR_DIR / "clrv2p0-document-canon.nq")
    assert f'<https://w3id.org/security#proofValue> "{proof["proofValue"]}"' in published
    assert proof["proofValue"] == (
        "z45QnLySMt2mWuW787G6cf3SLkP97ZkMZxLeXH5yaaTQPCtTup4GCV95tU8HEnQJSyGCokSj3AvUhmJtvveTmN4Vu"
    )


def test_clr_document_nquads_are_the_vectors_byte_for_byte(clr_nested, style):
    canonical = jsonld.canonize(clr_vector_input(clr_nested, style))
    assert canonical == nquads(CLR_DIR / "clrv2p0-document-canon.nq")


def test_clr_proof_nquads_are_the_vectors_byte_for_byte(vector, clr_nested, style):
    context = clr_vector_input(clr_nested, style)["@context"]
    options = signing.proof_options(vector["keyPair"]["id"], vector["proofOptions"]["created"])
    canonical = jsonld.canonize(proof_config(options, context))
    assert canonical == nquads(CLR_DIR / "clrv2p0-proof-canon.nq")


def test_clr_vector_changes_with_one_nested_character(clr_nested, style):
    changed = copy.deepcopy(clr_nested)
    changed["name"] = "Example University Degreed"
    canonical = jsonld.canonize(clr_vector_input(changed, style))
    assert canonical != nquads(CLR_DIR / "clrv2p0-document-canon.nq")
