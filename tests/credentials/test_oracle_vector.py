"""The oracle (Digital Bazaar's verifier under Node) against the spec's vector and our signer.

These tests check the oracle itself, then that credentials signed by
`pathways.credentials.signing` verify with code that shares nothing with it.
"""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pathways.credentials import did as did_web
from pathways.credentials import multikey
from pathways.credentials import signing
from pathways.credentials import status_list
from pathways.credentials.jsonld import CLR_V2
from pathways.credentials.jsonld import OB_V3
from pathways.credentials.jsonld import VC_V2
from tests.credentials.oracle import node_verify

pytestmark = pytest.mark.unit

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec"
VECTOR = SPEC / "ob_v3p0" / "test-vectors" / "obv3p0-eddsa-rdfc-2022.json"
CREATED = "2026-01-05T10:00:00Z"


@pytest.fixture(scope="module")
def vector() -> dict:
    if not VECTOR.exists():
        pytest.skip(f"the shared spec files are not at {SPEC}")
    return json.loads(VECTOR.read_text())


def controller_document(key_pair: dict) -> dict:
    """The test vector's controller (not resolvable on the web) as a static document."""
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": key_pair["controller"],
        "verificationMethod": [
            {
                "id": key_pair["id"],
                "type": "Multikey",
                "controller": key_pair["controller"],
                "publicKeyMultibase": key_pair["publicKeyMultibase"],
            }
        ],
        "assertionMethod": [key_pair["id"]],
    }


def test_oracle_verifies_the_ob3_test_vector(vector):
    key_pair = vector["keyPair"]
    result = node_verify(
        vector["signedCredential"],
        documents={key_pair["controller"]: controller_document(key_pair)},
    )
    assert result["verified"], result["errors"]
    assert result["errors"] == []
    assert [p["verificationMethod"] for p in result["proofs"]] == [key_pair["id"]]


def test_oracle_rejects_the_vector_after_a_one_character_change(vector):
    key_pair = vector["keyPair"]
    tampered = copy.deepcopy(vector["signedCredential"])
    tampered["credentialSubject"]["achievement"]["name"] = "Teamwork!"
    documents = {key_pair["controller"]: controller_document(key_pair)}
    result = node_verify(tampered, documents=documents)
    assert not result["verified"]
    assert "Invalid signature." in result["errors"]


def test_oracle_refuses_a_controller_it_cannot_load(vector):
    result = node_verify(vector["signedCredential"])
    assert not result["verified"]
    assert any("refusing to load https://example.edu/issuers/565049" in e for e in result["errors"])


def did_key_signer() -> tuple[Ed25519PrivateKey, str, str]:
    private = Ed25519PrivateKey.generate()
    public = multikey.encode_public(private.public_key())
    did = f"did:key:{public}"
    return private, did, f"{did}#{public}"


def ob3_credential(issuer: str, **extra) -> dict:
    return {
        "@context": [VC_V2, OB_V3],
        "id": "urn:uuid:5b0f7c0e-2d7c-4c5e-9d7e-8f9a6b1c2d3e",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Demo College"},
        "validFrom": "2026-01-05T10:00:00Z",
        "name": "Welding Safety",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": "learner@example.org",
                    "identityType": "emailAddress",
                    "hashed": False,
                }
            ],
            "achievement": {
                "id": "http://localhost/versions/7",
                "type": ["Achievement"],
                "name": "Welding Safety",
                "description": "Safe practice in a welding shop.",
                "criteria": {"narrative": "Pass the practical assessment."},
            },
        },
        **extra,
    }


def test_oracle_accepts_our_signer_and_its_proof_list():
    private, did, method = did_key_signer()
    signed = signing.sign(ob3_credential(did), private, verification_method=method, created=CREATED)
    assert isinstance(signed["proof"], list)
    result = node_verify(signed)
    assert result["verified"], result["errors"]
    assert result["proofs"] == [
        {"verificationMethod": method, "controller": did, "created": CREATED, "revoked": None}
    ]


def test_oracle_rejects_a_tampered_copy_of_our_credential():
    private, did, method = did_key_signer()
    signed = signing.sign(ob3_credential(did), private, verification_method=method, created=CREATED)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Welding Safety II"
    result = node_verify(tampered)
    assert not result["verified"]
    assert "Invalid signature." in result["errors"]


def test_oracle_rejects_a_key_that_is_not_the_issuers():
    private, did, method = did_key_signer()
    _, other_did, _ = did_key_signer()
    signed = signing.sign(
        ob3_credential(other_did), private, verification_method=method, created=CREATED
    )
    result = node_verify(signed)
    assert not result["verified"]
    expected = "Credential issuer must match the verification method controller."
    assert expected in result["errors"]


def test_oracle_verifies_nested_credentials_of_a_clr():
    private, did, method = did_key_signer()
    inner = signing.sign(ob3_credential(did), private, verification_method=method, created=CREATED)
    bad = copy.deepcopy(inner)
    bad["name"] = "Something else"
    clr = {
        "@context": [VC_V2, CLR_V2, OB_V3],
        "id": "urn:uuid:0e9c1f7a-3b6d-4d2e-8c1a-7f5e4d3c2b1a",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Demo College"},
        "validFrom": "2026-01-05T10:00:00Z",
        "name": "Transcript",
        "credentialSubject": {
            "type": ["ClrSubject"],
            "verifiableCredential": [inner, bad],
        },
    }
    signed = signing.sign(clr, private, verification_method=method, created=CREATED)
    result = node_verify(signed, nested=True)
    assert result["verified"], result["errors"]
    assert [n["verified"] for n in result["nested"]] == [True, False]
    assert "Invalid signature." in result["nested"][1]["errors"]


class _StaticSite:
    """A loopback HTTP server serving fixed JSON documents by path (stands in for the app)."""

    def __init__(self):
        self.documents: dict[str, dict] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                document = site.documents.get(self.path)
                body = json.dumps(document).encode() if document is not None else b"{}"
                self.send_response(200 if document is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_oracle_resolves_did_web_and_checks_status_lists_over_http():
    private = Ed25519PrivateKey.generate()
    public = multikey.encode_public(private.public_key())
    with _StaticSite() as site:
        did = did_web.did_web_for(site.url, "orgs", "demo")
        method = did_web.verification_method_id(did, public)
        site.documents["/orgs/demo/did.json"] = did_web.did_document(
            did, [did_web.PublishedKey(public)]
        )
        revoked_bits = status_list.with_bit(status_list.empty(), 94567, True)
        entries = []
        for purpose, bits in (("revocation", revoked_bits), ("suspension", status_list.empty())):
            path = f"/orgs/demo/status/{purpose}/1"
            unsigned = status_list.list_credential(
                site.url + path,
                issuer=did,
                purpose=purpose,
                bits=bits,
                valid_from="2026-01-01T00:00:00Z",
                valid_until="2099-01-01T00:00:00Z",
                ttl_ms=300000,
            )
            site.documents[path] = signing.sign(
                unsigned, private, verification_method=method, created=CREATED
            )
            entries.append(status_list.entry(site.url + path, purpose, 94567))
        credential = signing.sign(
            ob3_credential(did, credentialStatus=entries),
            private,
            verification_method=method,
            created=CREATED,
        )

        result = node_verify(credential, base_url=site.url, check_status=True)
        assert result["verified"], result["errors"]
        assert result["status_verified"], result["status"]
        assert [(s["purpose"], s["set"]) for s in result["status"]] == [
            ("revocation", True),
            ("suspension", False),
        ]

        # A status list whose signature does not match is reported, apart from the proof.
        forged = copy.deepcopy(site.documents["/orgs/demo/status/suspension/1"])
        forged["credentialSubject"]["encodedList"] = status_list.encode(revoked_bits)
        site.documents["/orgs/demo/status/suspension/1"] = forged
        result = node_verify(credential, base_url=site.url, check_status=True)
        assert result["verified"]
        assert result["status_verified"] is False
        assert "Invalid signature" in result["status"][1]["error"]

        # Another host's did:web is refused: the oracle fetches only from base_url.
        result = node_verify(credential, base_url="http://127.0.0.1:9", check_status=False)
        assert not result["verified"]
        assert any("is not served by base_url" in e for e in result["errors"])


def test_oracle_refuses_proofs_made_after_the_key_was_revoked():
    private = Ed25519PrivateKey.generate()
    public = multikey.encode_public(private.public_key())
    with _StaticSite() as site:
        did = did_web.did_web_for(site.url, "orgs", "demo")
        method = did_web.verification_method_id(did, public)
        site.documents["/orgs/demo/did.json"] = did_web.did_document(
            did, [did_web.PublishedKey(public, revoked="2026-01-01T00:00:00Z")]
        )
        before = signing.sign(
            ob3_credential(did), private, verification_method=method, created="2025-12-31T00:00:00Z"
        )
        after = signing.sign(
            ob3_credential(did), private, verification_method=method, created=CREATED
        )
        assert node_verify(before, base_url=site.url)["verified"]
        result = node_verify(after, base_url=site.url)
        assert not result["verified"]
        assert any("was revoked at 2026-01-01T00:00:00Z" in e for e in result["errors"])
