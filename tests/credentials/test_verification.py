"""The verifier: every outcome a check in plain words, hostile input included (no app)."""

from __future__ import annotations

import copy
import http.server
import json
import socket
import struct
import threading
import zlib
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pathways.credentials import clr
from pathways.credentials import did
from pathways.credentials import multikey
from pathways.credentials import ob3
from pathways.credentials import signing
from pathways.credentials import status_list
from pathways.credentials import verification
from pathways.credentials.fetching import FetchError
from pathways.credentials.fetching import SafeHttpFetcher
from pathways.credentials.fetching import is_public_address
from pathways.credentials.verification import InputError
from pathways.credentials.verification import parse_input
from pathways.credentials.verification import verify_credential

pytestmark = pytest.mark.unit

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
SIGNED_AT = "2026-01-15T10:00:00Z"
WEB_DID = "did:web:badges.example.org:orgs:acme"
WEB_DID_URL = "https://badges.example.org/orgs/acme/did.json"
REVOCATION_LIST = "https://badges.example.org/orgs/acme/status/revocation/1"
SUSPENSION_LIST = "https://badges.example.org/orgs/acme/status/suspension/1"


# --- builders -------------------------------------------------------------------------------


class Issuer:
    """A key pair and the issuer id (did:key, or a given did:web) it signs as."""

    def __init__(self, issuer_id: str | None = None) -> None:
        self.key = Ed25519PrivateKey.generate()
        self.public = multikey.encode_public(self.key.public_key())
        self.id = issuer_id or multikey.did_key(self.public)
        self.method = f"{self.id}#{self.public}"

    def sign(self, document: dict, *, created: str = SIGNED_AT) -> dict:
        return signing.sign(document, self.key, verification_method=self.method, created=created)

    def did_document(self, *, revoked: str | None = None) -> dict:
        return did.did_document(self.id, [did.PublishedKey(self.public, revoked)])


class FakeFetcher:
    """URL -> JSON document (or an exception to raise); counts calls."""

    def __init__(self, documents: dict | None = None) -> None:
        self.documents = dict(documents or {})
        self.calls: list[str] = []

    def fetch(self, url: str) -> bytes:
        self.calls.append(url)
        found = self.documents.get(url)
        if found is None:
            raise FetchError(f"{url} answered HTTP 404")
        if isinstance(found, Exception):
            raise found
        return found if isinstance(found, bytes) else json.dumps(found).encode()


def badge(
    issuer_id: str,
    *,
    name: str = "Welding basics",
    valid_from: str = "2026-01-15T00:00:00Z",
    valid_until: str | None = None,
    status: tuple = (),
    endorsements: tuple = (),
) -> dict:
    profile = ob3.profile(issuer_id, "Acme College")
    facts = ob3.AchievementFacts(
        id="https://badges.example.org/versions/7",
        name=name,
        description="Joins steel plates with a fillet weld.",
        criteria="Passed the practical assessment.",
        achievement_type="MicroCredential",
        human_code="WLD-101",
        creator=profile,
        endorsements=endorsements,
    )
    return with_status(
        ob3.achievement_credential(
            credential_id="urn:uuid:4f5c3f1e-2d8b-4bb0-9a53-0e4f3c2a1b10",
            issuer=profile,
            identity=ob3.email_identity("learner@example.org", "pepper"),
            achievement_data=ob3.achievement(facts),
            valid_from=valid_from,
            valid_until=valid_until,
        ),
        status,
    )


def with_status(credential: dict, status: tuple) -> dict:
    """One entry as an object, several as a list (other issuers do both)."""
    if status:
        credential["credentialStatus"] = status[0] if len(status) == 1 else list(status)
    return credential


def status_list_credential(issuer: Issuer, url: str, purpose: str, set_bits=()) -> dict:
    bits = status_list.empty()
    for index in set_bits:
        bits = status_list.with_bit(bits, index, True)
    document = status_list.list_credential(
        url,
        issuer=issuer.id,
        purpose=purpose,
        bits=bits,
        valid_from="2026-01-01T00:00:00Z",
        valid_until="2026-12-31T00:00:00Z",
        ttl_ms=300_000,
    )
    return issuer.sign(document)


def web_world(*, revoked_bits=(), suspended_bits=(), list_signer: Issuer | None = None):
    """A did:web issuer whose DID document and two status lists the fake fetcher serves."""
    issuer = Issuer(WEB_DID)
    signer = list_signer or issuer
    if list_signer is not None:
        signer.id = issuer.id  # the list claims to be the issuer's, signed by another key
    fetcher = FakeFetcher(
        {
            WEB_DID_URL: issuer.did_document(),
            REVOCATION_LIST: status_list_credential(
                signer, REVOCATION_LIST, "revocation", revoked_bits
            ),
            SUSPENSION_LIST: status_list_credential(
                signer, SUSPENSION_LIST, "suspension", suspended_bits
            ),
        }
    )
    status = (
        status_list.entry(REVOCATION_LIST, "revocation", 94567),
        status_list.entry(SUSPENSION_LIST, "suspension", 94567),
    )
    return issuer, fetcher, status


def outcome(result) -> dict:
    return {c.check: (c.passed, c.reason) for c in result.checks}


def verify(credential, fetcher=None, **kwargs):
    return verify_credential(credential, fetcher=fetcher or FakeFetcher(), now=NOW, **kwargs)


# --- valid credentials ------------------------------------------------------------------------


def test_a_did_key_badge_verifies():
    issuer = Issuer()
    result = verify(issuer.sign(badge(issuer.id)))
    assert outcome(result) == {
        "format": (True, "format_ok"),
        "schema": (True, "schema_ok"),
        "proof": (True, "proof_ok"),
        "issuer_key": (True, "issuer_key_ok"),
        "valid_from": (True, "valid_from_ok"),
        "valid_until": (None, "valid_until_none"),
        "revocation": (None, "status_none"),
        "suspension": (None, "status_none"),
        "nested": (None, "nested_none"),
        "endorsements": (None, "endorsements_none"),
        "issuer_known": (None, "issuer_list_absent"),
    }
    assert (result.verified, result.kind, result.issuer_id) == (
        True,
        "OpenBadgeCredential",
        issuer.id,
    )
    assert result.check("format").detail == (
        "a well-formed OpenBadgeCredential (Verifiable Credentials 2.0)"
    )
    assert result.check("schema").detail == (
        "conforms to the VC 2.0 schema and the Open Badges 3.0 AchievementCredential schema"
    )
    assert (
        result.check("issuer_key").detail == f"the signing key belongs to the issuer, {issuer.id}"
    )


def test_a_did_web_badge_with_status_lists_verifies_and_fetches_each_document_once():
    issuer, fetcher, status = web_world()
    result = verify(issuer.sign(badge(issuer.id, status=status)), fetcher)
    assert result.verified is True
    assert outcome(result)["revocation"] == (True, "not_revoked")
    assert result.check("suspension").detail == f"not suspended (checked against {SUSPENSION_LIST})"
    assert result.check("schema").params["adjustments"] == ["status_as_list"]
    assert sorted(fetcher.calls) == sorted([WEB_DID_URL, REVOCATION_LIST, SUSPENSION_LIST])


def test_trusted_issuers_name_the_issuer_without_changing_verified():
    issuer = Issuer()
    credential = issuer.sign(badge(issuer.id))
    known = verify(credential, trusted_issuers={issuer.id: "Acme College"}.get)
    unknown = verify(credential, trusted_issuers=lambda issuer_id: None)
    assert (known.verified, known.check("issuer_known").detail) == (
        True,
        "the issuer is Acme College, known to this site",
    )
    assert (unknown.verified, unknown.check("issuer_known").detail) == (
        True,
        "the issuer is not one this site knows",
    )


# --- proof and key ----------------------------------------------------------------------------


def test_one_changed_character_breaks_the_proof():
    issuer = Issuer()
    credential = issuer.sign(badge(issuer.id))
    credential["credentialSubject"]["achievement"]["name"] = "Welding basicS"
    result = verify(credential)
    assert outcome(result)["proof"] == (False, "signature_mismatch")
    assert outcome(result)["issuer_key"] == (None, "issuer_key_skipped")
    assert result.verified is False


def test_a_key_of_someone_else_fails_issuer_key():
    issuer, impostor = Issuer(), Issuer()
    result = verify(impostor.sign(badge(issuer.id)))
    assert outcome(result)["proof"] == (True, "proof_ok")
    assert result.check("issuer_key") == verification.Check(
        "issuer_key",
        False,
        "issuer_key_mismatch",
        f"the signing key belongs to {impostor.id}, not to the issuer {issuer.id}",
        {"controller": impostor.id, "issuer": issuer.id},
    )
    assert result.verified is False


def test_a_retired_key_vouches_only_for_proofs_made_before_it_was_retired():
    issuer = Issuer(WEB_DID)
    fetcher = FakeFetcher({WEB_DID_URL: issuer.did_document(revoked="2026-03-01T00:00:00Z")})
    before = verify(issuer.sign(badge(issuer.id), created="2026-02-01T00:00:00Z"), fetcher)
    after = verify(issuer.sign(badge(issuer.id), created="2026-03-02T00:00:00Z"), fetcher)
    assert before.verified is True
    assert after.check("proof").detail == (
        f"the key {issuer.method} was retired on 2026-03-01T00:00:00Z; this proof was made on "
        "2026-03-02T00:00:00Z, after that"
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.update(verificationMethod=[]), "key_not_found"),
        (lambda d: d.update(assertionMethod=[]), "key_not_assertion"),
        (
            lambda d: d["verificationMethod"][0].update(controller="did:web:evil.example"),
            "key_controller",
        ),
        (
            lambda d: d["verificationMethod"][0].update(type="JsonWebKey2020"),
            "key_type_unsupported",
        ),
        (lambda d: d.update(id="did:web:evil.example"), "key_document_invalid"),
    ],
)
def test_a_did_web_document_must_list_the_key_as_the_issuers_assertion_method(change, reason):
    issuer = Issuer(WEB_DID)
    document = issuer.did_document()
    change(document)
    result = verify(issuer.sign(badge(issuer.id)), FakeFetcher({WEB_DID_URL: document}))
    assert outcome(result)["proof"] == (False, reason)


def test_an_unreachable_did_web_document_fails_the_proof_in_words():
    issuer = Issuer(WEB_DID)
    fetcher = FakeFetcher(
        {WEB_DID_URL: FetchError(f"{WEB_DID_URL} did not answer within 5 seconds")}
    )
    result = verify(issuer.sign(badge(issuer.id)), fetcher)
    assert result.check("proof").detail == (
        f"the key {issuer.method} could not be retrieved: {WEB_DID_URL} did not answer within "
        "5 seconds"
    )


@pytest.mark.parametrize(
    ("proof", "suite"),
    [
        ({"type": "Ed25519Signature2020", "proofValue": "z1"}, "Ed25519Signature2020"),
        ({"type": "DataIntegrityProof", "cryptosuite": "ecdsa-rdfc-2019"}, "ecdsa-rdfc-2019"),
        ({"type": "JsonWebSignature2020"}, "JsonWebSignature2020"),
    ],
)
def test_unsupported_proof_types_say_what_is_supported(proof, suite):
    issuer = Issuer()
    credential = {**badge(issuer.id), "proof": {**proof, "proofPurpose": "assertionMethod"}}
    check = verify(credential).check("proof")
    assert (check.passed, check.reason, check.params) == (
        False,
        "proof_unsupported",
        {"suite": suite},
    )
    assert "DataIntegrityProof proofs with the eddsa-rdfc-2022 cryptosuite" in check.detail


def test_an_unsigned_credential_and_a_vc_jwt_are_told_apart():
    issuer = Issuer()
    assert outcome(verify(badge(issuer.id)))["proof"] == (False, "proof_missing")
    jwt = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl"
    assert outcome(verify(jwt))["format"] == (False, "vc_jwt")
    with pytest.raises(InputError, match="VC-JWT"):
        parse_input(jwt.encode())


def test_the_official_test_vector_verifies_against_its_https_controller_document():
    vector = json.loads((SPEC / "ob_v3p0/test-vectors/obv3p0-eddsa-rdfc-2022.json").read_text())
    pair = vector["keyPair"]
    controller = {
        "@context": [did.DID_CONTEXT, did.MULTIKEY_CONTEXT],
        "id": pair["controller"],
        "verificationMethod": [
            {
                "id": pair["id"],
                "type": "Multikey",
                "controller": pair["controller"],
                "publicKeyMultibase": pair["publicKeyMultibase"],
            }
        ],
        "assertionMethod": [pair["id"]],
    }
    fetcher = FakeFetcher({pair["controller"]: controller})
    result = verify(vector["signedCredential"], fetcher)
    assert result.verified is True
    assert outcome(result)["proof"] == (True, "proof_ok")
    # Its proof is an object, which the OB 3.0 schema types as a list: checked as one.
    assert result.check("schema").detail == (
        "conforms to the VC 2.0 schema and the Open Badges 3.0 AchievementCredential schema; "
        "a proof given as an object was checked as a one-element list"
    )
    assert fetcher.calls == [pair["controller"]]


def test_a_legacy_vc_1_1_credential_is_read_with_its_own_date_names():
    issuer = Issuer()
    document = badge(issuer.id, valid_until="2026-03-01T00:00:00Z")
    document["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "https://w3id.org/security/data-integrity/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    ]
    document["issuanceDate"] = document.pop("validFrom")
    document["expirationDate"] = document.pop("validUntil")
    result = verify(issuer.sign(document))
    assert outcome(result)["format"] == (True, "format_ok")
    assert outcome(result)["proof"] == (True, "proof_ok")
    assert result.check("schema").params["adjustments"] == ["vc1_as_vc2"]
    assert result.check("valid_until").detail == "expired on 2026-03-01T00:00:00Z"


# --- dates ------------------------------------------------------------------------------------


def test_expired_is_its_own_check_not_revocation():
    issuer, fetcher, status = web_world()
    credential = issuer.sign(badge(issuer.id, valid_until="2026-05-01T00:00:00Z", status=status))
    result = verify(credential, fetcher)
    assert outcome(result)["valid_until"] == (False, "expired")
    assert result.check("valid_until").detail == "expired on 2026-05-01T00:00:00Z"
    assert outcome(result)["revocation"] == (True, "not_revoked")
    assert result.verified is False


def test_not_yet_valid():
    issuer = Issuer()
    result = verify(issuer.sign(badge(issuer.id, valid_from="2026-07-01T00:00:00Z")))
    assert result.check("valid_from").detail == "not valid yet: valid from 2026-07-01T00:00:00Z"
    assert result.verified is False


# --- status -----------------------------------------------------------------------------------


def test_a_revoked_credential():
    issuer, fetcher, status = web_world(revoked_bits=[94567])
    result = verify(issuer.sign(badge(issuer.id, status=status)), fetcher)
    assert outcome(result)["revocation"] == (False, "revoked")
    assert outcome(result)["suspension"] == (True, "not_suspended")
    assert result.verified is False


def test_a_suspended_credential():
    issuer, fetcher, status = web_world(suspended_bits=[94567])
    result = verify(issuer.sign(badge(issuer.id, status=status)), fetcher)
    assert outcome(result)["revocation"] == (True, "not_revoked")
    assert (result.check("suspension").passed, result.check("suspension").detail) == (
        False,
        "suspended by its issuer",
    )


def test_an_unreachable_status_list_could_not_be_checked():
    issuer, fetcher, status = web_world()
    fetcher.documents[REVOCATION_LIST] = FetchError(
        f"{REVOCATION_LIST} did not answer within 5 seconds"
    )
    result = verify(issuer.sign(badge(issuer.id, status=status)), fetcher)
    assert result.check("revocation").detail == (
        f"could not be checked: the status list {REVOCATION_LIST} could not be fetched: "
        f"{REVOCATION_LIST} did not answer within 5 seconds"
    )
    assert result.check("revocation").passed is False
    assert result.verified is False


def test_a_status_list_signed_by_someone_else_is_not_believed():
    issuer, fetcher, status = web_world(revoked_bits=[94567], list_signer=Issuer())
    result = verify(issuer.sign(badge(issuer.id, status=status)), fetcher)
    assert outcome(result)["revocation"] == (False, "status_list_signer")
    assert result.check("revocation").detail.startswith(
        f"could not be checked: the status list {REVOCATION_LIST} is signed by did:key:"
    )


def test_a_status_list_of_another_issuer_is_not_believed():
    issuer, fetcher, status = web_world()
    other = Issuer()
    fetcher.documents[REVOCATION_LIST] = status_list_credential(
        other, REVOCATION_LIST, "revocation"
    )
    result = verify(issuer.sign(badge(issuer.id, status=status)), fetcher)
    assert result.check("revocation").params == {
        "url": REVOCATION_LIST,
        "list_issuer": other.id,
        "issuer": issuer.id,
    }


def test_a_status_list_whose_purpose_differs_is_not_believed():
    issuer, fetcher, status = web_world()
    fetcher.documents[REVOCATION_LIST] = fetcher.documents[SUSPENSION_LIST]
    result = verify(issuer.sign(badge(issuer.id, status=status)), fetcher)
    assert outcome(result)["revocation"] == (False, "status_purpose_mismatch")


def test_status_checks_can_be_turned_off():
    issuer, fetcher, status = web_world(revoked_bits=[94567])
    result = verify(issuer.sign(badge(issuer.id, status=status)), fetcher, check_status=False)
    assert outcome(result)["revocation"] == (None, "status_skipped")
    assert result.verified is True
    assert fetcher.calls == [WEB_DID_URL]


# --- format and hostile input -----------------------------------------------------------------


def test_a_context_this_verifier_does_not_ship_is_refused_without_fetching_it():
    issuer = Issuer()
    document = issuer.sign(badge(issuer.id))
    document["@context"].append("https://evil.example/context.json")
    fetcher = FakeFetcher()
    result = verify(document, fetcher)
    assert result.check("format").detail == (
        "uses a context this verifier does not know: https://evil.example/context.json"
    )
    assert {c.reason for c in result.checks[1:]} == {"not_checked"}
    assert (result.verified, fetcher.calls) == (False, [])


@pytest.mark.parametrize(
    ("place", "path"),
    [
        (lambda d: d["@context"].append({"name": "https://evil.example/name"}), "$.@context[3]"),
        (
            lambda d: d["credentialSubject"].update({"@context": {"name": "@id"}}),
            "$.credentialSubject.@context",
        ),
    ],
)
def test_an_inline_context_is_refused_wherever_it_is(place, path):
    issuer = Issuer()
    document = issuer.sign(badge(issuer.id))
    place(document)
    check = verify(document).check("format")
    assert (check.passed, check.reason, check.params) == (False, "context_inline", {"path": path})


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "not_object"),
        ([], "not_object"),
        ({}, "context_missing"),
        ({"@context": "https://www.w3.org/ns/credentials/v2"}, "context_missing"),
        (
            {"@context": ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]},
            "context_first",
        ),
        ({"@context": [5]}, "context_inline"),
        ({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": 7}, "type_unknown"),
        (
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "issuer": {"id": 12},
            },
            "issuer_missing",
        ),
        (
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "issuer": "did:key:z6Mk",
                "credentialSubject": "me",
            },
            "subject_missing",
        ),
    ],
)
def test_what_is_not_a_credential_fails_format(value, reason):
    result = verify(value)
    assert outcome(result)["format"] == (False, reason)
    assert result.verified is False


def test_hostile_field_values_are_checks_not_exceptions():
    issuer = Issuer()
    base = issuer.sign(badge(issuer.id))
    variants = [
        {"proof": "a string"},
        {"proof": [{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}]},
        {"proof": [{**base["proof"][0], "verificationMethod": 5}]},
        {"proof": [{**base["proof"][0], "verificationMethod": "ftp://x/y#k"}]},
        {"proof": [{**base["proof"][0], "verificationMethod": "did:key:zNotAKey#k"}]},
        {"proof": [{**base["proof"][0], "proofValue": 12}]},
        {"proof": [{**base["proof"][0], "created": ["yesterday"]}]},
        {"validFrom": 20260101},
        {"validUntil": "tomorrow"},
        {"credentialStatus": "revoked"},
        {"credentialStatus": [{"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}]},
        {"credentialStatus": {"type": "RevocationList2020Status", "statusPurpose": "revocation"}},
        {"credentialSubject": {"achievement": {"endorsement": [1, "two", None]}}},
        {"name": {"@value": 1, "@language": 3}},
    ]
    for change in variants:
        result = verify({**base, **change})
        assert result.verified is False, change
        assert all(isinstance(c.detail, str) and c.detail for c in result.checks)


def test_a_document_needing_too_much_canonicalisation_work_is_refused_quickly():
    # Interchangeable unnamed nodes: RDFC-1.0 tries their permutations (8 x 8: 90 s in pyld).
    issuer = Issuer()
    document = badge(issuer.id)
    document["evidence"] = [
        {"type": ["Evidence"], "https://example.org/x": [{"https://example.org/x": "leaf"}] * 8}
    ] * 8
    # Signing it would take that long: an unchecked signature will do, it is never reached.
    options = signing.proof_options(issuer.method, SIGNED_AT)
    document["proof"] = [{**options, "proofValue": multikey.multibase_b58(bytes(64))}]
    assert outcome(verify(document))["proof"] == (False, "proof_too_costly")


def test_very_long_lists_are_refused_before_canonicalisation():
    issuer = Issuer()
    document = badge(issuer.id)
    document["credentialSubject"]["achievement"]["tag"] = [f"tag {i}" for i in range(600)]
    assert outcome(verify(document))["format"] == (False, "too_long")


def test_deep_nesting_is_refused():
    deep: dict = {}
    node = deep
    for _ in range(100_000):
        node["x"] = {}
        node = node["x"]
    issuer = Issuer()
    document = {**badge(issuer.id), "evidence": [deep]}
    assert outcome(verify(document))["format"] == (False, "too_deep")
    with pytest.raises(InputError) as raised:
        parse_input(b"[" * 100_000 + b"]" * 100_000)
    assert raised.value.reason == "input_too_deep"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "input_empty"),
        (b"not json at all", "input_not_json"),
        (b'{"a": NaN}', "input_not_json"),
        (b"[1, 2]", "input_not_object"),
        (b"\xff\xfe{", "input_not_json"),
        (b" " * 3_000_000, "input_too_large"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "input_svg_none"),
        (b"<svg><unclosed></svg>", "input_svg_invalid"),
        (b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>', "input_svg_doctype"),
    ],
)
def test_parse_input_refuses_in_words(raw, reason):
    with pytest.raises(InputError) as raised:
        parse_input(raw)
    assert raised.value.reason == reason
    assert str(raised.value) == verification.INPUT_MESSAGES[reason].format(**raised.value.params)


def test_three_megabytes_of_json_are_refused():
    issuer = Issuer()
    document = {**badge(issuer.id), "description": "x" * 3_000_000}
    with pytest.raises(InputError, match="larger than 2000000 bytes"):
        parse_input(json.dumps(document).encode())


# --- baked images -----------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def baked_png(
    text: str, *, compressed: bool = False, keyword: bytes = b"openbadgecredential"
) -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x80\x00")  # filter byte + one pixel
    body = zlib.compress(text.encode()) if compressed else text.encode()
    itxt = keyword + b"\x00" + bytes([int(compressed), 0]) + b"\x00\x00" + body
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"iTXt", itxt)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("compressed", [False, True])
def test_a_baked_png_gives_its_credential(compressed):
    issuer = Issuer()
    credential = issuer.sign(badge(issuer.id))
    parsed = parse_input(baked_png(json.dumps(credential), compressed=compressed))
    assert parsed == credential
    assert verify(parsed).verified is True


def test_png_without_a_credential_or_damaged_or_open_badges_2():
    issuer = Issuer()
    png = baked_png(json.dumps(badge(issuer.id)))
    with pytest.raises(InputError, match="damaged"):
        parse_input(png[:40] + b"X" + png[41:])
    with pytest.raises(InputError, match="no iTXt chunk"):
        parse_input(baked_png("{}", keyword=b"comment"))
    with pytest.raises(InputError, match="Open Badges 2.0"):
        parse_input(baked_png("{}", keyword=b"openbadges"))


def test_a_baked_svg_gives_its_credential():
    issuer = Issuer()
    credential = issuer.sign(badge(issuer.id))
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" viewBox="0 0 10 10">'
        "<openbadges:credential><![CDATA["
        + json.dumps(credential)
        + "]]></openbadges:credential><circle r='4'/></svg>"
    )
    assert parse_input(svg.encode()) == credential
    jwt_svg = svg.replace("<openbadges:credential>", '<openbadges:credential verify="a.b.c">')
    with pytest.raises(InputError, match="VC-JWT"):
        parse_input(jwt_svg.encode())


# --- nested credentials -----------------------------------------------------------------------


def test_a_clr_fails_nested_when_one_of_its_credentials_was_tampered_with():
    college = Issuer()
    first = college.sign(badge(college.id, name="Welding basics"))
    second = college.sign(badge(college.id, name="Blueprint reading"))
    second["credentialSubject"]["achievement"]["name"] = "Blueprint reading II"
    record = clr.clr_credential(
        credential_id="urn:uuid:9e1d7c34-52d0-4f0e-8f5c-bb1a4f2d6e01",
        issuer=ob3.profile(college.id, "Acme College"),
        name="Welder record",
        description="What the learner holds towards Welder.",
        identity=ob3.email_identity("learner@example.org", "pepper"),
        achievements=[first["credentialSubject"]["achievement"]],
        credentials=[first, second],
        associations=[],
        valid_from="2026-01-15T00:00:00Z",
    )
    result = verify(college.sign(record))
    assert result.kind == "ClrCredential"
    assert outcome(result)["proof"] == (True, "proof_ok")
    assert outcome(result)["schema"] == (True, "schema_ok")
    assert result.check("nested").detail == "1 of the 2 credentials it holds do not verify"
    assert [r.verified for r in result.nested] == [True, False]
    assert outcome(result.nested[1])["proof"] == (False, "signature_mismatch")
    assert result.verified is False


def test_a_clr_with_status_entries_passes_the_draft_clr_schema_as_adjusted():
    college, fetcher, status = web_world()
    inner = college.sign(badge(college.id, status=status))
    record = clr.clr_credential(
        credential_id="urn:uuid:5d0c8a2e-7f1b-4c3d-9e8f-a1b2c3d4e5f6",
        issuer=ob3.profile(college.id, "Acme College"),
        name="Welder record",
        description="What the learner holds towards Welder.",
        identity=ob3.email_identity("learner@example.org", "pepper"),
        achievements=[inner["credentialSubject"]["achievement"]],
        credentials=[inner],
        associations=[],
        valid_from="2026-01-15T00:00:00Z",
    )
    record = with_status(record, status)
    result = verify(college.sign(record), fetcher)
    assert result.verified is True
    assert sorted(result.check("schema").params["adjustments"]) == [
        "clr_draft_dates",
        "clr_draft_status",
    ]
    broken = college.sign({**record, "credentialStatus": [{"type": "BitstringStatusListEntry"}]})
    assert verify(broken, fetcher).check("schema").params["errors"] == (
        "at $.credentialStatus[0]: 'id' is a required property"
    )


def test_endorsements_are_verified_but_do_not_decide_verified():
    college, partner = Issuer(), Issuer()
    endorsement = partner.sign(
        ob3.endorsement_credential(
            credential_id="urn:uuid:0b7f4c1a-7a9e-4f36-9d6f-3c2e1a0b9d88",
            issuer=ob3.profile(partner.id, "Steel Partners"),
            endorsed_id="https://badges.example.org/versions/7",
            name="Endorsement of Welding basics",
            comment="Matches what our shops need.",
            valid_from="2026-01-10T00:00:00Z",
        )
    )
    tampered = copy.deepcopy(endorsement)
    tampered["credentialSubject"]["endorsementComment"] = "Better than anything."
    good = verify(college.sign(badge(college.id, endorsements=(endorsement,))))
    bad = verify(college.sign(badge(college.id, endorsements=(endorsement, tampered))))
    assert outcome(good)["endorsements"] == (True, "endorsements_ok")
    assert [r.kind for r in good.nested] == ["EndorsementCredential"]
    assert bad.check("endorsements").detail == "1 of the 2 endorsements do not verify"
    assert (good.verified, bad.verified) == (True, True)


# --- the safe fetcher -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("10.0.0.1", False),
        ("127.0.0.1", False),
        ("::1", False),
        ("169.254.169.254", False),
        ("192.168.1.10", False),
        ("172.16.0.1", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("255.255.255.255", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("2002:a00:1::", False),  # 6to4 of 10.0.0.1
        ("not an address", False),
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
    ],
)
def test_which_addresses_a_verifier_may_contact(address, public):
    assert is_public_address(address) is public


@pytest.fixture
def no_connections(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("no connection may be opened")

    monkeypatch.setattr(socket, "create_connection", refuse)


def _resolving_to(monkeypatch, addresses: dict[str, str]) -> None:
    def getaddrinfo(host, port, *args, **kwargs):
        address = addresses.get(host, host)  # an address (the pinned one) stands for itself
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("address", ["10.0.0.1", "127.0.0.1", "::1", "169.254.169.254"])
def test_a_did_web_pointing_at_a_private_address_is_refused(monkeypatch, no_connections, address):
    _resolving_to(monkeypatch, {"badges.example.org": address})
    issuer = Issuer(WEB_DID)
    result = verify(issuer.sign(badge(issuer.id)), SafeHttpFetcher())
    assert outcome(result)["proof"] == (False, "key_unreachable")
    assert result.check("proof").params["error"] == (
        f"{WEB_DID_URL} was not fetched: badges.example.org points to a private or reserved "
        f"network address ({address})"
    )


def test_a_status_list_at_a_private_address_could_not_be_checked(monkeypatch, no_connections):
    _resolving_to(monkeypatch, {"badges.example.org": "10.1.2.3"})
    issuer = Issuer()
    status = (status_list.entry(REVOCATION_LIST, "revocation", 3),)
    result = verify(issuer.sign(badge(issuer.id, status=status)), SafeHttpFetcher())
    assert outcome(result)["proof"] == (True, "proof_ok")
    assert outcome(result)["revocation"] == (False, "status_unreachable")


@pytest.mark.parametrize(
    "url",
    [
        "http://badges.example.org/orgs/acme/did.json",
        "ftp://badges.example.org/x",
        "https://user:pw@badges.example.org/x",
        "https:///nohost",
        "file:///etc/passwd",
        "https://badges.example.org/a b",
    ],
)
def test_the_safe_fetcher_follows_only_https(no_connections, url):
    with pytest.raises(FetchError):
        SafeHttpFetcher().fetch(url)


def test_urls_of_this_site_are_served_in_process():
    served: list[str] = []

    def local_fetch(url: str) -> bytes:
        served.append(url)
        return b"{}"

    fetcher = SafeHttpFetcher(local_base_url="http://127.0.0.1:5000", local_fetch=local_fetch)
    did_url = did.did_web_url(did.did_web_for("http://127.0.0.1:5000", "orgs", "acme"))
    assert did_url == "https://127.0.0.1:5000/orgs/acme/did.json"
    assert fetcher.fetch(did_url) == b"{}"
    assert fetcher.fetch("http://127.0.0.1:5000/orgs/acme/status/revocation/1") == b"{}"
    assert served == [
        "http://127.0.0.1:5000/orgs/acme/did.json",
        "http://127.0.0.1:5000/orgs/acme/status/revocation/1",
    ]
    assert fetcher.local_url("https://127.0.0.1:5001/orgs/acme/did.json") is None
    assert fetcher.local_url("https://127.0.0.2:5000/orgs/acme/did.json") is None


def test_a_failing_local_handler_is_a_fetch_error():
    def local_fetch(url: str) -> bytes:
        raise KeyError(url)

    fetcher = SafeHttpFetcher(local_base_url="http://localhost", local_fetch=local_fetch)
    with pytest.raises(FetchError, match="could not be read from this site"):
        fetcher.fetch("https://localhost/orgs/acme/did.json")


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802 -- http.server's name
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        if status == "slow":
            threading.Event().wait(2)
            status = 200
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the fetcher stopped reading (size cap, deadline): what is being tested

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_safe_fetcher_on_a_trusted_loopback_host(monkeypatch, loopback_server):
    # A host name resolved (once) to loopback: the connection goes to the checked address.
    _resolving_to(monkeypatch, {"issuer.test": "127.0.0.1"})
    base = f"http://issuer.test:{loopback_server}"
    _Handler.routes = {
        "/doc": (200, {}, b'{"ok": true}'),
        "/big": (200, {}, b"x" * 2000),
        "/r1": (302, {"Location": "/r2"}, b""),
        "/r2": (302, {"Location": f"{base}/doc"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
        "/out": (302, {"Location": "http://elsewhere.test/doc"}, b""),
        "/slow": ("slow", {}, b"{}"),
    }
    fetcher = SafeHttpFetcher(allow_hosts={"issuer.test"}, max_bytes=1000, timeout=0.5)
    assert fetcher.fetch(f"{base}/doc") == b'{"ok": true}'
    assert fetcher.fetch(f"{base}/r1") == b'{"ok": true}'
    failures = {
        "/big": "is larger than 1000 bytes",
        "/loop": "more than 3 redirects",
        "/out": "only https addresses are followed",
        "/missing": "answered HTTP 404",
        "/slow": "did not answer within 0.5 seconds",
    }
    for path, message in failures.items():
        with pytest.raises(FetchError, match=message):
            fetcher.fetch(f"{base}{path}")


def test_the_safe_fetcher_refuses_a_private_address_even_after_a_redirect(
    monkeypatch, loopback_server
):
    _resolving_to(monkeypatch, {"issuer.test": "127.0.0.1", "inside.test": "10.0.0.7"})
    base = f"http://issuer.test:{loopback_server}"
    _Handler.routes = {"/in": (302, {"Location": "https://inside.test/secret"}, b"")}
    fetcher = SafeHttpFetcher(allow_hosts={"issuer.test"})
    with pytest.raises(FetchError, match=r"private or reserved network address \(10.0.0.7\)"):
        fetcher.fetch(f"{base}/in")


def test_a_broken_fetcher_or_trust_list_is_still_a_check():
    class Broken:
        def fetch(self, url):
            raise RuntimeError("boom")

    issuer = Issuer(WEB_DID)

    def trusted(issuer_id):
        raise LookupError(issuer_id)

    result = verify(issuer.sign(badge(issuer.id)), Broken(), trusted_issuers=trusted)
    assert outcome(result)["proof"] == (False, "key_unreachable")
    assert outcome(result)["issuer_known"] == (None, "internal_error")


# --- data loss --------------------------------------------------------------------------------


def test_a_term_no_context_defines_fails_the_proof_as_data_loss():
    """A property the contexts do not define would be dropped from what is signed."""
    issuer = Issuer()
    credential = issuer.sign(badge(issuer.id))
    credential["credentialSubject"]["degreeHonours"] = "summa cum laude"
    result = verify(credential)
    assert outcome(result)["proof"][0] is False
    assert "degreeHonours" in result.check("proof").detail
    assert result.verified is False


def test_a_type_no_context_defines_fails_the_proof_as_data_loss():
    issuer = Issuer()
    credential = issuer.sign(badge(issuer.id))
    credential["type"].append("GoldBadge")
    result = verify(credential)
    assert outcome(result)["proof"][0] is False
    assert "GoldBadge" in result.check("proof").detail
