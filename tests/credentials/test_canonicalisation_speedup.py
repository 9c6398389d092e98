"""`jsonld.canonize` (pyld with memoised context processing) equals plain pyld, byte for byte.

The reference is pyld as it comes: `pyld.jsonld.normalize` with its own processor, its
own `_is_absolute_iri`, a fresh context cache on every call (nothing shared with the
memo) and a loader of plain dicts. Compared: the OB 3.0 test vector (and its
`proofValue`), fixed legacy documents, and generated OB 3.0 credentials with nested
signed endorsements and CLRs with nested signed credentials, under several contexts,
in varied orders, with the memo emptied and with the pyld cache dropped in between.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from pyld import jsonld as pyld_jsonld
from pyld.context_resolver import ContextResolver

from pathways.credentials import clr
from pathways.credentials import jsonld
from pathways.credentials import multikey
from pathways.credentials import ob3
from pathways.credentials import signing
from pathways.credentials import status_list

pytestmark = pytest.mark.unit

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec"
VECTOR = SPEC / "ob_v3p0" / "test-vectors" / "obv3p0-eddsa-rdfc-2022.json"
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
ISSUER = "did:web:college.example:orgs:northshore-college"
METHOD = f"{ISSUER}#{multikey.encode_public(KEY.public_key())}"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/"
# Context lists that define every term the builders write (canonize refuses a document
# with a term no context defines, e.g. awardedDate under OB 3.0.2): what ob3 writes.
CONTEXTS = [list(ob3.CONTEXT)]


def _plain_loader(url, options=None):
    if url not in jsonld.CONTEXT_FILES:
        raise jsonld.UnknownContext(url)
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": copy.deepcopy(jsonld._context_document(url)),
    }


@contextmanager
def _pyld_as_shipped():
    """pyld's module with its own `_is_absolute_iri` back in place (single-threaded tests)."""
    patched = pyld_jsonld._is_absolute_iri
    pyld_jsonld._is_absolute_iri = getattr(patched, "pyld_original", patched)
    try:
        yield
    finally:
        pyld_jsonld._is_absolute_iri = patched


def plain(document: dict) -> str:
    with _pyld_as_shipped():
        return pyld_jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": _plain_loader,
                "contextResolver": ContextResolver({}, _plain_loader),
            },
        )


def assert_same(document: dict) -> str:
    before = copy.deepcopy(document)
    try:
        expected = plain(document)
    except pyld_jsonld.JsonLdError:
        with pytest.raises((jsonld.CanonicalisationError, jsonld.UnknownContext)):
            jsonld.canonize(document)
        return ""
    fast = jsonld.canonize(document)
    assert document == before, "canonize changed its input"
    assert fast == expected
    assert jsonld.canonize(document) == expected  # again, from a warm memo
    return fast


# -- the spec's vector ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vector() -> dict:
    if not VECTOR.exists():
        pytest.skip(f"the shared spec files are not at {SPEC}")
    return json.loads(VECTOR.read_text(encoding="utf-8"))


def test_the_speedup_is_on_for_the_pyld_it_was_checked_against():
    assert jsonld.SPEEDUP == (jsonld.PYLD_VERSION in jsonld._TESTED_PYLD)
    assert jsonld.PYLD_VERSION in jsonld._TESTED_PYLD, "pyld changed: check jsonld._Processor"


def test_vector_document_and_proof_nquads_equal_plain_pyld_and_the_files(vector):
    folder = VECTOR.parent
    document = assert_same(vector["unsignedCredential"])
    assert document == (folder / vector["expected"]["documentCanonicalNQuadsFile"]).read_text()
    config = {**vector["proofOptions"], "@context": vector["unsignedCredential"]["@context"]}
    proof = assert_same(config)
    assert proof == (folder / vector["expected"]["proofCanonicalNQuadsFile"]).read_text()
    assert_same(vector["signedCredential"])


def test_vector_proof_value_is_reproduced(vector):
    seed = bytes.fromhex(vector["keyPair"]["privateKeyHex"])[:32]
    options = vector["proofOptions"]
    signed = signing.sign(
        vector["unsignedCredential"],
        Ed25519PrivateKey.from_private_bytes(seed),
        verification_method=options["verificationMethod"],
        created=options["created"],
    )
    assert signed["proof"][0]["proofValue"] == vector["expected"]["proofValue"]


# -- fixed documents: legacy contexts, inline contexts, errors ----------------------------------


def test_legacy_and_ob2_documents_equal_plain_pyld():
    vc1 = {
        "@context": [
            jsonld.VC_V1,
            "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
            "https://w3id.org/security/suites/ed25519-2020/v1",
        ],
        "id": "urn:uuid:8f2a6c1e-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://issuer.example/1", "type": "Profile", "name": "Old College"},
        "issuanceDate": "2022-01-01T00:00:00Z",
        "credentialSubject": {
            "type": "AchievementSubject",
            "achievement": {
                "id": "https://issuer.example/a/1",
                "type": "Achievement",
                "name": "Welding",
                "criteria": {"narrative": "Welds."},
            },
        },
        "proof": {
            "type": "Ed25519Signature2020",
            "created": "2022-01-01T00:00:00Z",
            "verificationMethod": "https://issuer.example/1#key-1",
            "proofPurpose": "assertionMethod",
            "proofValue": "z3MvGcVxzRuEzCRkCV8oGyCv9VTdPiT5ZsBWUYtDJV6",
        },
    }
    ob2 = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://issuer.example/assertions/1",
        "recipient": {"type": "email", "hashed": False, "identity": "a@example.org"},
        "badge": "https://issuer.example/badges/1",
        "verification": {"type": "hosted"},
        "issuedOn": "2020-01-01T00:00:00Z",
    }
    assert_same(vc1)
    assert_same(ob2)


def test_an_inline_context_changed_in_place_is_processed_again():
    inline = {"extra": "https://vocab.example/extra#"}
    document = {
        "@context": [jsonld.VC_V2, jsonld.OB_V3, inline],
        "id": "urn:uuid:8f2a6c1e-0000-4000-8000-000000000002",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": ISSUER,
        "validFrom": "2026-01-01T00:00:00Z",
        "extra": "a value",
        "credentialSubject": {"type": ["AchievementSubject"], "extra": {"extra": "nested"}},
    }
    first = assert_same(document)
    inline["extra"] = "https://vocab.example/changed#"
    second = assert_same(document)
    assert first != second
    assert "https://vocab.example/changed#" in second


def test_errors_are_the_same_as_without_the_memo():
    with pytest.raises(jsonld.UnknownContext):
        jsonld.canonize({"@context": ["https://contexts.example/unknown"], "id": "urn:x"})
    # VC 2.0 protects its terms: redefining one inline is an error, every time.
    redefining = {
        "@context": [jsonld.VC_V2, {"name": "https://vocab.example/name"}],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER,
    }
    messages = set()
    for _ in range(2):
        with pytest.raises(jsonld.CanonicalisationError) as error:
            jsonld.canonize(redefining)
        messages.add(str(error.value))
    with pytest.raises(pyld_jsonld.JsonLdError) as plain_error:
        plain(redefining)
    assert messages == {jsonld._describe(plain_error.value)}


def test_a_warm_canonicalisation_defines_no_term(monkeypatch, vector):
    """The memo works: once warm, no context is processed again (the speed-up holds)."""
    calls = []
    define = pyld_jsonld.JsonLdProcessor._create_term_definition

    def counting(self, *args, **kwargs):
        calls.append(args[2])
        return define(self, *args, **kwargs)

    monkeypatch.setattr(pyld_jsonld.JsonLdProcessor, "_create_term_definition", counting)
    record = clr_record(2, seed=3)
    for document in (vector["unsignedCredential"], record):
        jsonld.canonize(document)
        calls.clear()
        jsonld.canonize(document)
        assert calls == []


def test_results_hold_when_the_memo_and_pyld_cache_are_emptied(monkeypatch, vector):
    monkeypatch.setattr(jsonld, "_MEMO_LIMIT", 3)
    monkeypatch.setattr(jsonld, "_TERMS_LIMIT", 5)
    documents = [vector["unsignedCredential"], vector["signedCredential"], clr_record(3)]
    expected = [plain(d) for d in documents]
    for _ in range(2):
        assert [jsonld.canonize(d) for d in documents] == expected
        jsonld._memo.clear()
        jsonld._terms.clear()
        pyld_jsonld._resolved_context_cache.clear()
        assert [jsonld.canonize(d) for d in reversed(documents)] == expected[::-1]


def test_with_another_pyld_version_canonize_is_plain_pyld(monkeypatch, vector):
    import pyld.__about__

    monkeypatch.setattr(pyld.__about__, "__version__", "0.0.0")
    spec = importlib.util.spec_from_file_location("jsonld_unpatched", jsonld.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.SPEEDUP is False
    assert not hasattr(module, "_Processor")
    assert module.canonize(vector["unsignedCredential"]) == plain(vector["unsignedCredential"])


# -- generated credentials ----------------------------------------------------------------------

words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=24,
)
slugs = st.text(alphabet="abcdefghij0123456789-", min_size=1, max_size=8)
# Few distinct targets, so that equal alignments (equal blank nodes) recur.
targets = st.sampled_from(
    [f"https://pathways.example/ims/case/v1p1/CFItems/{n}" for n in ("a", "b", "c")]
)


def _signed(document: dict) -> dict:
    return signing.sign(document, KEY, verification_method=METHOD, created="2026-01-05T10:00:00Z")


@st.composite
def endorsements(draw, endorsed_id: str, context: list[str]) -> dict:
    unsigned = ob3.endorsement_credential(
        credential_id=f"urn:uuid:{draw(st.uuids())}",
        issuer=ob3.profile(f"did:web:partner.example:orgs:{draw(slugs)}", draw(words)),
        endorsed_id=endorsed_id,
        name=draw(words),
        comment=draw(words),
        valid_from="2026-01-02T00:00:00Z",
    )
    unsigned["@context"] = list(context)
    return _signed(unsigned) if draw(st.booleans()) else unsigned


@st.composite
def achievements(draw, context: list[str]) -> dict:
    achievement_id = f"https://pathways.example/versions/{draw(st.integers(1, 50))}"
    return ob3.achievement(
        ob3.AchievementFacts(
            id=achievement_id,
            name=draw(words),
            description=draw(words),
            criteria=draw(words),
            achievement_type=draw(st.sampled_from(["MicroCredential", "Certification"])),
            human_code=draw(slugs),
            creator=ob3.profile(ISSUER, draw(words)),
            version=draw(st.none() | st.integers(1, 9).map(str)),
            language=draw(st.none() | st.sampled_from(["en", "fr", "en-CA"])),
            credits=draw(st.none() | st.floats(0, 30, allow_nan=False)),
            tags=draw(st.lists(words, max_size=3)),
            alignments=draw(
                st.lists(
                    st.builds(
                        lambda url, name, code: ob3.alignment(
                            target_name=name,
                            target_url=url,
                            target_code=code,
                            target_framework="CertWORK+ (illustrative)",
                        ),
                        targets,
                        st.sampled_from(["Lockout", "Guarding"]) | words,
                        st.none() | st.sampled_from(["ILL-1.1", "ILL-1.2"]),
                    ),
                    max_size=4,
                )
            ),
            endorsements=draw(st.lists(endorsements(achievement_id, context), max_size=2)),
        )
    )


@st.composite
def micro_credentials(draw, signed: bool | None = None) -> dict:
    context = draw(st.sampled_from(CONTEXTS))
    achievement = draw(achievements(context))
    number = draw(st.integers(1, 3))
    status = status_list.entry(
        f"https://pathways.example/orgs/c/status/revocation/{number}",
        "revocation",
        draw(st.integers(0, 131_071)),
    )
    document = ob3.achievement_credential(
        credential_id=f"urn:uuid:{draw(st.uuids())}",
        issuer=ob3.profile(ISSUER, draw(words)),
        identity=ob3.email_identity(draw(st.emails()), draw(slugs)),
        achievement_data=achievement,
        valid_from="2026-01-05T10:00:00Z",
        valid_until=draw(st.none() | st.just("2028-01-05T10:00:00Z")),
        awarded_date="2026-01-05T10:00:00Z",
        evidence_items=draw(
            st.lists(
                st.builds(
                    lambda name, narrative, statement: ob3.evidence(
                        name=name,
                        narrative=narrative,
                        evidence_id=f"urn:uuid:{statement}" if statement else None,
                        genre="Module completion",
                    ),
                    words,
                    words,
                    st.none() | st.uuids(),
                ),
                max_size=3,
            )
        ),
        status=draw(st.none() | st.just(status)),
    )
    document["@context"] = list(context)
    if signed if signed is not None else draw(st.booleans()):
        document = _signed(document)
    return document


def clr_record(nested: int, seed: int = 0) -> dict:
    """A CLR of `nested` signed micro-credential credentials (fixed, no hypothesis)."""
    inner = []
    for n in range(nested):
        achievement = ob3.achievement(
            ob3.AchievementFacts(
                id=f"https://pathways.example/versions/{seed}{n}",
                name=f"Micro-credential {n}",
                description="A micro-credential.",
                criteria="Every module completed.",
                achievement_type="MicroCredential",
                human_code=f"ILL-{n}",
                creator=ob3.profile(ISSUER, "Northshore College"),
                alignments=[
                    ob3.alignment(target_name="Lockout", target_url=f"https://i.example/{k}")
                    for k in range(3)
                ],
            )
        )
        inner.append(
            _signed(
                ob3.achievement_credential(
                    credential_id=f"urn:uuid:00000000-0000-4000-8000-{seed:06d}{n:06d}",
                    issuer=ob3.profile(ISSUER, "Northshore College"),
                    identity=ob3.email_identity("learner@example.org", "salt"),
                    achievement_data=achievement,
                    valid_from="2026-01-05T10:00:00Z",
                    valid_until=None,
                )
            )
        )
    return clr_of(inner)


def clr_of(inner: list[dict]) -> dict:
    occupation = ob3.achievement(
        ob3.AchievementFacts(
            id="https://pathways.example/ims/case/v1p1/CFItems/ILL-MO",
            name="Machine Operator",
            description="Occupational certification.",
            criteria="Met every stacking rule.",
            achievement_type="Certification",
            human_code="ILL-MO",
            creator=ob3.profile("did:web:pathways.example:orgs:cme-clc", "CME"),
        )
    )
    achievements_ = [occupation] + [c["credentialSubject"]["achievement"] for c in inner]
    return clr.clr_credential(
        credential_id="urn:uuid:00000000-0000-4000-8000-00000000c1c1",
        issuer=ob3.profile("did:web:pathways.example:orgs:cme-clc", "CME"),
        name="Machine Operator: record",
        description="Certification and what it stacks.",
        identity=ob3.email_identity("learner@example.org", "salt"),
        achievements=achievements_,
        credentials=inner,
        associations=[
            clr.Association("isPartOf", a["id"], occupation["id"]) for a in achievements_[1:]
        ],
        valid_from="2026-01-05T10:00:00Z",
    )


SLOW = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SLOW
@given(micro_credentials())
def test_generated_micro_credentials_equal_plain_pyld(document):
    assert_same(document)
    config = {**signing.proof_options(METHOD, "2026-01-05T10:00:00Z")}
    config["@context"] = document["@context"]
    assert_same(config)


@settings(SLOW, max_examples=15)
@given(st.lists(micro_credentials(signed=True), min_size=1, max_size=3))
def test_generated_clrs_equal_plain_pyld(inner):
    assert_same(clr_of(inner))


@settings(SLOW, max_examples=15)
@given(st.lists(micro_credentials(), min_size=2, max_size=5), st.randoms())
def test_documents_in_any_order_equal_plain_pyld(documents, rng):
    expected = {id(d): plain(d) for d in documents}
    order = documents * 2
    rng.shuffle(order)
    for document in order:
        assert jsonld.canonize(document) == expected[id(document)]


def test_a_clr_of_six_nested_credentials_equals_plain_pyld_and_verifies():
    record = clr_record(6, seed=1)
    assert_same(record)
    signed = _signed(record)
    public = KEY.public_key()

    def resolve(method):
        assert method == METHOD
        return signing.ResolvedKey(public, ISSUER)

    for document in [signed, *signed["credentialSubject"]["verifiableCredential"]]:
        for proof in signing.proofs_of(document):
            signing.verify_proof(document, proof, resolve)
