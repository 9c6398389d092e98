"""What Pathways signs, checked by an implementation that is not ours.

`live_app` (tests/credentials/conftest.py) serves the test's own rows over HTTP with
BASE_URL set to the server's address, so the credentials below are issued under that
URL: their did:web DIDs resolve to the served DID documents and their status entries to
the served lists. `node_verify` (tests/credentials/oracle.py) runs Digital Bazaar's vc,
data-integrity and eddsa-rdfc-2022 libraries under Node and fetches only from there.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from pathways.credentials import services
from pathways.credentials.enums import CredentialKind
from pathways.db import transaction
from pathways.db import utcnow
from tests.credentials import world
from tests.credentials.oracle import node_verify
from tests.stacking.pathway_factories import award as make_award

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def content(app):
    """The shipped content, loaded once for the module (it stores no URL: every address
    in a credential is made from BASE_URL when the credential is issued)."""
    with world.shared_database(app):
        world.load_content(app)
        yield


@pytest.fixture
def database(app, content):
    """Each test's changes in a savepoint over the loaded content (replaces conftest's)."""
    with world.savepoint(app) as db_:
        yield db_


@pytest.fixture
def people(app, live_app, database):
    """The content's people; what they earn is issued under the live server's BASE_URL."""
    assert app.config["BASE_URL"] == live_app
    return world.make_people()


def micro_credential(client, people, code: str = "ILL-SAFE") -> tuple:
    world.earn(client, people, code)
    rows = world.issued(kind=CredentialKind.MICRO_CREDENTIAL)
    [row] = [
        r
        for r in rows
        if world.document(r)["credentialSubject"]["achievement"]["humanCode"] == code
    ]
    return row, world.document(row)


def assert_verified(result: dict) -> None:
    assert result["verified"], result["errors"]
    assert result["errors"] == []


# -- served documents and status ----------------------------------------------------------------


def test_credentials_are_issued_under_the_live_servers_did_web(app, live_app, client, people):
    _, credential = micro_credential(client, people)
    host = live_app.removeprefix("http://").replace(":", "%3A")
    assert credential["issuer"]["id"] == f"did:web:{host}:orgs:northshore-college"
    entry = credential["credentialStatus"]
    assert entry["statusListCredential"].startswith(f"{live_app}/orgs/northshore-college/status/")


def test_the_oracle_verifies_a_served_status_list_credential(live_app, client, people):
    _, credential = micro_credential(client, people)
    url = credential["credentialStatus"]["statusListCredential"]
    served = world.served_list(client, url).get_json(force=True)
    result = node_verify(served, base_url=live_app)
    assert_verified(result)
    [proof] = result["proofs"]
    assert proof["controller"] == served["issuer"]


def test_the_oracle_reads_the_revocation_bit_before_and_after_revoking(live_app, client, people):
    row, credential = micro_credential(client, people)
    [before] = node_verify(credential, base_url=live_app, check_status=True)["status"]
    assert (before["purpose"], before["verified"], before["set"]) == ("revocation", True, False)
    assert before["index"] == credential["credentialStatus"]["statusListIndex"]
    with transaction():
        services.revoke(row, reason="fraud", actor=None)
    result = node_verify(credential, base_url=live_app, check_status=True)
    [after] = result["status"]
    assert (after["purpose"], after["verified"], after["set"]) == ("revocation", True, True)
    assert result["status_verified"] is True


# -- proofs, with status, nested credentials, expiry and keys ------------------------------------


def test_the_oracle_verifies_an_issued_micro_credential_and_its_status(live_app, client, people):
    _, credential = micro_credential(client, people)
    result = node_verify(credential, base_url=live_app, check_status=True)
    assert_verified(result)
    [proof] = result["proofs"]
    assert proof["controller"] == credential["issuer"]["id"]
    assert proof["verificationMethod"] == credential["proof"][0]["verificationMethod"]
    assert result["status_verified"] is True
    assert [(s["purpose"], s["set"]) for s in result["status"]] == [("revocation", False)]


def test_the_oracle_verifies_an_endorsement_credential(live_app, client, people):
    micro_credential(client, people)
    endorsement = world.document(world.issued(kind=CredentialKind.ENDORSEMENT)[0])
    result = node_verify(endorsement, base_url=live_app, check_status=True)
    assert_verified(result)
    assert result["status_verified"] is True


def test_the_oracle_verifies_a_clr_and_every_nested_credential(live_app, client, people, tmp_path):
    certification = world.reach_machine_operator(client, people, tmp_path)
    record = world.document(world.only(CredentialKind.RECORD, certification_id=certification.id))
    result = node_verify(record, base_url=live_app, check_status=True, nested=True)
    assert_verified(result)
    assert result["status_verified"] is True
    nested = record["credentialSubject"]["verifiableCredential"]
    assert len(result["nested"]) == len(nested) == 4
    for credential, report in zip(nested, result["nested"], strict=True):
        assert report["verified"], (credential["name"], report["errors"])
        [proof] = report["proofs"]
        assert proof["controller"] == credential["issuer"]["id"]


def test_the_oracle_sees_a_revoked_input_and_its_revoked_record(live_app, client, people, tmp_path):
    certification = world.reach_machine_operator(client, people, tmp_path)
    record = world.document(world.only(CredentialKind.RECORD, certification_id=certification.id))
    safe, _ = next(
        (row, doc)
        for row in world.issued(kind=CredentialKind.MICRO_CREDENTIAL)
        if (doc := world.document(row))["credentialSubject"]["achievement"]["humanCode"]
        == "ILL-SAFE"
    )
    with transaction():
        services.revoke(safe, reason="copied work", actor=None)
    result = node_verify(record, base_url=live_app, check_status=True, nested=True)
    assert_verified(result)  # still authentic
    assert [(s["purpose"], s["set"]) for s in result["status"]] == [("revocation", True)]
    revoked_inputs = [
        credential["credentialSubject"]["achievement"]["humanCode"]
        for credential, report in zip(
            record["credentialSubject"]["verifiableCredential"], result["nested"], strict=True
        )
        if report["status"][0]["set"]
    ]
    assert sorted(revoked_inputs) == ["ILL-MO", "ILL-SAFE"]  # the badge and the input


def test_the_oracle_reads_an_expired_credential_as_expired_not_revoked(live_app, client, people):
    now = utcnow()
    lapsed = make_award(
        people.learner,
        world.version_of("ILL-SAFE"),
        issued_at=now - dt.timedelta(days=4 * 365),
        expires_at=now - dt.timedelta(days=365),
    )
    credential = world.document(world.only(CredentialKind.MICRO_CREDENTIAL, award_id=lapsed.id))
    result = node_verify(credential, base_url=live_app, check_status=True)
    assert not result["verified"]
    assert any('is after "validUntil"' in error for error in result["errors"]), result["errors"]
    assert [(s["purpose"], s["set"]) for s in result["status"]] == [("revocation", False)]
    # Checked at a moment inside its validity, the same credential is valid.
    inside = node_verify(credential, base_url=live_app, now=credential["validFrom"])
    assert_verified(inside)


def test_the_oracle_verifies_old_credentials_after_rotation_and_refuses_after_compromise(
    live_app, client, people
):
    college = world.organisation("northshore-college")
    _, before = micro_credential(client, people, "ILL-SAFE")
    with transaction():
        services.rotate_key(college)
    _, rotated = micro_credential(client, people, "ILL-MEAS")
    assert rotated["proof"][0]["verificationMethod"] != before["proof"][0]["verificationMethod"]
    for credential in (before, rotated):
        assert_verified(node_verify(credential, base_url=live_app))

    # The new key is found compromised from a moment after `rotated` was signed: what it
    # signed before stays trusted, what it signed after is refused.
    time.sleep(1.1)
    since = utcnow().replace(microsecond=0)
    time.sleep(1.1)
    _, after = micro_credential(client, people, "ILL-CNC")
    with transaction():
        key = services.signing_key(college)
        services.revoke_key(key, compromised_since=since, reason="leaked")
    assert_verified(node_verify(rotated, base_url=live_app))
    result = node_verify(after, base_url=live_app)
    assert not result["verified"]
    assert any("was revoked at" in error for error in result["errors"]), result["errors"]
