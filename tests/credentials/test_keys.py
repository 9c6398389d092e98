"""Issuer keys: rotation keeps old credentials verifying, a compromised key is marked revoked.

Verification resolves keys only from the DID document the app serves (`world.verify`).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from pathways.accounts.enums import Role
from pathways.credentials import multikey
from pathways.credentials import services
from pathways.credentials import signing
from pathways.credentials.models import IssuerKey
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.errors import Invalid
from pathways.lti.keys import decrypt_secret
from tests.credentials import world
from tests.credentials.issued_factories import credential_of_award
from tests.credentials.issued_factories import issued_world
from tests.factories import make_user
from tests.stacking.pathway_factories import award

pytestmark = pytest.mark.integration


def keys_of(organisation) -> list[IssuerKey]:
    return list(
        db.session.scalars(
            sa.select(IssuerKey)
            .where(IssuerKey.organisation_id == organisation.id)
            .order_by(IssuerKey.id)
        )
    )


def method_of(credential: dict) -> str:
    [proof] = credential["proof"]
    return proof["verificationMethod"]


def served_methods(client, code: str) -> list[dict]:
    document = client.get(f"/orgs/{code}/did.json").get_json(force=True)
    assert document["assertionMethod"] == [m["id"] for m in document["verificationMethod"]]
    return document["verificationMethod"]


def another_award(issued):
    learner = make_user(Role.LEARNER, organisation=issued.college)
    return world.document(credential_of_award(award(learner, issued.world.versions["T-SAFE"])))


def test_rotation_keeps_old_credentials_verifying_and_signs_new_ones_with_the_new_key(client):
    issued = issued_world()
    old_credential = world.document(credential_of_award(issued.safe))
    [old_key] = keys_of(issued.college)
    with transaction():
        new_key = services.rotate_key(issued.college)
    new_credential = another_award(issued)

    did = services.issuer_did(issued.college)
    assert method_of(old_credential) == f"{did}#{old_key.public_multibase}"
    assert method_of(new_credential) == f"{did}#{new_key.public_multibase}"
    methods = served_methods(client, issued.college.code)
    assert [m["id"] for m in methods] == [method_of(old_credential), method_of(new_credential)]
    assert all("revoked" not in m for m in methods)  # rotation is not compromise
    for credential in (old_credential, new_credential):
        [key] = world.verify(client, credential)
        assert key.controller == did
    # The old key signs nothing more: a second rotation adds a third key, keeps all three.
    with transaction():
        services.rotate_key(issued.college)
    assert len(served_methods(client, issued.college.code)) == 3
    world.verify(client, old_credential)


def test_status_lists_are_re_signed_with_the_new_key_after_rotation(client):
    issued = issued_world()
    credential = world.document(credential_of_award(issued.safe))
    url = world.entries(credential)["revocation"]["statusListCredential"]
    before = world.served_list(client, url).get_json(force=True)
    with transaction():
        new_key = services.rotate_key(issued.college)
        row = credential_of_award(issued.safe)
        services.revoke(row, reason="rotated and revoked", actor=None)
    after = world.served_list(client, url).get_json(force=True)
    assert method_of(before) != method_of(after)
    assert method_of(after).endswith(f"#{new_key.public_multibase}")
    world.verify(client, before)
    world.verify(client, after)


def test_a_compromised_key_is_listed_as_revoked_from_its_date_and_replaced(client):
    issued = issued_world()
    [key] = keys_of(issued.college)
    since = (utcnow() - dt.timedelta(minutes=30)).replace(microsecond=0)
    with transaction():
        services.revoke_key(key, compromised_since=since, reason="laptop stolen")
    replacement_credential = another_award(issued)
    methods = served_methods(client, issued.college.code)
    stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [(m["publicKeyMultibase"], m.get("revoked")) for m in methods] == [
        (key.public_multibase, stamp),
        (keys_of(issued.college)[1].public_multibase, None),
    ]
    # The revoked key is never used again; the new credential names the new key.
    assert method_of(replacement_credential).endswith(f"#{methods[1]['publicKeyMultibase']}")
    world.verify(client, replacement_credential)


def test_a_compromise_date_in_the_future_is_refused(client):
    issued = issued_world()
    [key] = keys_of(issued.college)
    with transaction(), pytest.raises(Invalid):
        services.revoke_key(
            key, compromised_since=utcnow() + dt.timedelta(hours=1), reason="premonition"
        )
    assert all("revoked" not in m for m in served_methods(client, issued.college.code))


def test_private_keys_are_encrypted_at_rest(client):
    issued = issued_world()
    [key] = keys_of(issued.college)
    private = services.private_key(key)
    stored = key.private_key_encrypted
    encoded = multikey.encode_private(private)
    raw = multikey.private_raw(private)
    assert encoded not in stored and raw.hex() not in stored
    assert decrypt_secret(stored) == encoded
    assert multikey.encode_public(private.public_key()) == key.public_multibase
    # What the key signs verifies with the published public key.
    credential = world.document(credential_of_award(issued.safe))
    assert json.dumps(credential).count(key.public_multibase) == 1
    [resolved] = world.verify(client, credential)
    assert resolved.public_key.public_bytes_raw() == private.public_key().public_bytes_raw()


def test_a_credential_signed_with_another_organisations_key_does_not_verify(client):
    issued = issued_world()
    credential = world.document(credential_of_award(issued.safe))
    with transaction():
        body_key = services.signing_key(issued.body)  # the test world's standards body
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    forged = signing.sign(
        unsigned,
        services.private_key(body_key),
        verification_method=method_of(credential),  # claims the college's key
        created=credential["proof"][0]["created"],
    )
    with pytest.raises(signing.ProofError, match="signature does not match"):
        world.verify(client, forged)
