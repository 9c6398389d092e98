"""Issued credentials verify against the DID documents the app serves, and fail when touched.

One world for the module (built once, rolled back at the end; these tests only read it):
the shipped content, a learner who earned ILL-SAFE, ILL-MEAS and ILL-CNC through xAPI,
PLAR for the rest of ILL-MO and the sign-off, so that Northshore College, the endorsing
partner and the standards body (cme-clc) have all signed something. Keys are resolved
only through GET /orgs/<code>/did.json of the test client (`world.Resolver`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from pathways.credentials import did as didlib
from pathways.credentials import jsonld
from pathways.credentials import signing
from pathways.credentials.enums import CredentialKind
from tests.credentials import world

pytestmark = pytest.mark.integration


@dataclass
class Signed:
    client: Any
    documents: dict[str, dict[str, Any]]
    awards: list[dict[str, Any]]


@pytest.fixture(scope="module")
def signed(app, tmp_path_factory):
    with world.shared_database(app):
        client = app.test_client()
        world.load_content(app)
        people = world.make_people()
        world.reach_machine_operator(client, people, tmp_path_factory.mktemp("plar"))
        awards = [world.document(r) for r in world.issued(kind=CredentialKind.MICRO_CREDENTIAL)]
        safe = next(
            a for a in awards if a["credentialSubject"]["achievement"]["humanCode"] == "ILL-SAFE"
        )
        record = world.document(world.only(CredentialKind.RECORD))
        documents = {
            "micro_credential": safe,
            "endorsement": world.document(world.issued(kind=CredentialKind.ENDORSEMENT)[0]),
            "certification": world.document(world.only(CredentialKind.CERTIFICATION)),
            "record": record,
            "status_list": world.served_list(
                client, world.entries(safe)["revocation"]["statusListCredential"]
            ).get_json(force=True),
        }
        yield Signed(client, documents, awards)


ISSUERS = {
    "micro_credential": "northshore-college",
    "endorsement": "great-lakes-precision",
    "certification": "cme-clc",
    "record": "cme-clc",
    "status_list": "northshore-college",
}


def issuer_id(credential: dict[str, Any]) -> str:
    issuer = credential["issuer"]
    return issuer["id"] if isinstance(issuer, dict) else issuer


@pytest.mark.parametrize("name", sorted(ISSUERS))
def test_each_credential_verifies_against_its_issuers_served_did_document(app, signed, name):
    credential = signed.documents[name]
    expected_did = didlib.did_web_for(app.config["BASE_URL"], "orgs", ISSUERS[name])
    assert issuer_id(credential) == expected_did
    [proof] = credential["proof"]  # a one-element list, as the OB 3.0 schema wants
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"].startswith(f"{expected_did}#z6Mk")
    [key] = world.verify(signed.client, credential)
    assert key.controller == expected_did


def test_the_did_document_is_served_where_did_web_resolution_looks(app, signed):
    did = issuer_id(signed.documents["micro_credential"])
    assert didlib.did_web_url(did) == "https://localhost/orgs/northshore-college/did.json"
    response = signed.client.get("/orgs/northshore-college/did.json")
    assert response.status_code == 200
    assert response.mimetype == "application/did+json"
    document = response.get_json(force=True)
    assert document["id"] == did
    assert document["assertionMethod"] == [m["id"] for m in document["verificationMethod"]]
    assert signed.client.get("/orgs/no-such-org/did.json").status_code == 404


def test_the_records_nested_credentials_are_the_badge_and_the_awards_signed_documents(signed):
    nested = signed.documents["record"]["credentialSubject"]["verifiableCredential"]
    badge = signed.documents["certification"]
    assert nested[0] == badge  # the occupation badge first
    assert sorted(n["id"] for n in nested[1:]) == sorted(a["id"] for a in signed.awards)
    by_id = {a["id"]: a for a in [badge, *signed.awards]}
    for credential in nested:
        assert credential == by_id[credential["id"]]
        [key] = world.verify(signed.client, credential)
        assert key.controller == issuer_id(credential)


# -- one-character changes -------------------------------------------------------------------


def flip(text: str, position: int = -1) -> str:
    """`text` with the character at `position` changed to another of the same kind."""
    index = position % len(text)
    char = text[index]
    if char.isdigit():
        new = str((int(char) + 1) % 10)
    elif char.isalpha():
        base = "a" if char.islower() else "A"
        new = chr(ord(base) + (ord(char.lower()) - ord("a") + 1) % 26)
    else:
        new = "x"
    return text[:index] + new + text[index + 1 :]


def achievement(doc):
    return doc["credentialSubject"]["achievement"]


def nested(doc):
    """The record's first nested credential from a college (the badge comes first)."""
    return next(
        credential
        for credential in doc["credentialSubject"]["verifiableCredential"]
        if credential["credentialSubject"]["achievement"]["achievementType"] == "MicroCredential"
    )


def set_in(getter: Callable[[dict], dict], key: str, position: int = -1):
    def change(doc: dict) -> None:
        target = getter(doc)
        target[key] = flip(target[key], position)

    return change


# name -> (document, change); every change is one character of one string value.
CHANGES = {
    "achievement name": ("micro_credential", set_in(achievement, "name")),
    "validFrom (a date)": ("micro_credential", set_in(lambda d: d, "validFrom", -2)),
    "alignment targetCode": (
        "micro_credential",
        set_in(lambda d: achievement(d)["alignment"][0], "targetCode"),
    ),
    "identityHash": (
        "micro_credential",
        set_in(lambda d: d["credentialSubject"]["identifier"][0], "identityHash"),
    ),
    "issuer name": ("micro_credential", set_in(lambda d: d["issuer"], "name")),
    "statusListIndex": (
        "micro_credential",
        set_in(lambda d: world.entries(d)["revocation"], "statusListIndex"),
    ),
    "embedded endorsement comment": (
        "micro_credential",
        set_in(
            lambda d: achievement(d)["endorsement"][0]["credentialSubject"], "endorsementComment"
        ),
    ),
    "proof created": ("micro_credential", set_in(lambda d: d["proof"][0], "created", -2)),
    "endorsement comment": (
        "endorsement",
        set_in(lambda d: d["credentialSubject"], "endorsementComment"),
    ),
    "certification humanCode": ("certification", set_in(achievement, "humanCode")),
    "record: a nested credential's achievement name": (
        "record",
        set_in(lambda d: nested(d)["credentialSubject"]["achievement"], "name"),
    ),
    "record: a nested credential's proofValue": (
        "record",
        set_in(lambda d: nested(d)["proof"][0], "proofValue", 5),
    ),
    "record: an association's sourceId": (
        "record",
        set_in(lambda d: d["credentialSubject"]["association"][0], "sourceId"),
    ),
    "status list encodedList": (
        "status_list",
        set_in(lambda d: d["credentialSubject"], "encodedList", 10),
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_one_character_change_breaks_the_signature(signed, change):
    name, mutate = CHANGES[change]
    original = signed.documents[name]
    world.verify(signed.client, copy.deepcopy(original))  # the control still verifies
    tampered = copy.deepcopy(original)
    mutate(tampered)
    assert tampered != original
    with pytest.raises(signing.ProofError, match="signature does not match"):
        world.verify(signed.client, tampered)


def test_a_changed_nested_credential_fails_on_its_own_proof_too(signed):
    inner = copy.deepcopy(nested(signed.documents["record"]))
    inner["credentialSubject"]["achievement"]["name"] = flip(
        inner["credentialSubject"]["achievement"]["name"]
    )
    with pytest.raises(signing.ProofError, match="signature does not match"):
        world.verify(signed.client, inner)


def test_a_proof_moved_to_another_issuers_key_fails(signed):
    badge = copy.deepcopy(signed.documents["certification"])
    college_method = signed.documents["micro_credential"]["proof"][0]["verificationMethod"]
    badge["proof"][0]["verificationMethod"] = college_method
    with pytest.raises(signing.ProofError):
        world.verify(signed.client, badge)


def test_a_proof_naming_a_key_the_issuer_never_had_fails(signed):
    credential = copy.deepcopy(signed.documents["micro_credential"])
    method = credential["proof"][0]["verificationMethod"]
    credential["proof"][0]["verificationMethod"] = flip(method)
    with pytest.raises(signing.ProofError, match="not an assertion method"):
        world.verify(signed.client, credential)


@pytest.mark.parametrize("name", sorted(ISSUERS))
def test_canonical_form_has_only_absolute_iris(signed, name):
    """Every IRI the signature covers is absolute, never pyld's placeholder base.

    A term no context defines (as a `type` value) is a relative IRI: jsonld.js, in the
    safe mode that verifiers use, refuses such a document; pyld instead resolves it
    against http://example.org/base/, so we would sign something no one else can check.
    """
    document = {k: v for k, v in signed.documents[name].items() if k != "proof"}
    canonical = jsonld.canonize(document)
    iris = set(re.findall(r"<([^>]*)>", canonical))
    assert not [iri for iri in iris if iri.startswith("http://example.org/base/")]
    assert not [iri for iri in iris if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri)]
