"""Bitstring Status Lists as a verifier sees them: the served, signed list credentials.

A college admin suspends, reinstates and revokes through POST /api/v1/credentials/...;
every check reads the list the app serves at the credential's `statusListCredential`
(GET through the test client), decodes it with `status_list.decode` and looks at the bit
at `statusListIndex`. The list credential itself is verified against the served DID
document.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pathways.accounts.enums import Role
from pathways.credentials import signing
from pathways.credentials import status_list
from pathways.credentials.models import IssuedCredential
from pathways.db import utcnow
from tests.credentials import world
from tests.credentials.issued_factories import credential_of_award
from tests.credentials.issued_factories import issued_world
from tests.factories import make_user
from tests.stacking.pathway_factories import award

pytestmark = pytest.mark.integration


def session_headers(client) -> dict:
    return {"X-CSRFToken": client.csrf_token("/dashboard")}


def change(client, row: IssuedCredential, action: str, reason: str = "a reason"):
    return client.post(
        f"/api/v1/credentials/urn:uuid:{row.uuid}/{action}",
        json={"reason": reason},
        headers=session_headers(client),
    )


def served_bits(client, credential: dict, purpose: str) -> bytes:
    entry = world.entries(credential)[purpose]
    served = world.served_list(client, entry["statusListCredential"]).get_json(force=True)
    return status_list.decode(served["credentialSubject"]["encodedList"])


def differing_bits(before: bytes, after: bytes) -> list[int]:
    assert len(before) == len(after)
    return [
        index
        for index in range(len(before) * 8)
        if before[index // 8] != after[index // 8]
        and status_list.get_bit(before, index) != status_list.get_bit(after, index)
    ]


def index_of(credential: dict, purpose: str) -> int:
    return int(world.entries(credential)[purpose]["statusListIndex"])


@pytest.fixture
def two_credentials(client):
    """Two learners' T-SAFE credentials from one college, and that college's admin."""
    issued = issued_world()
    other = make_user(Role.LEARNER, organisation=issued.college)
    second = award(other, issued.world.versions["T-SAFE"])
    rows = [credential_of_award(issued.safe), credential_of_award(second)]
    admin = make_user(Role.COLLEGE_ADMIN, organisation=issued.college)
    client.sign_in(admin.email)
    return rows


def test_each_change_flips_exactly_the_credentials_own_bit(client, two_credentials):
    target, neighbour = two_credentials
    credential, other = world.document(target), world.document(neighbour)
    revocation = served_bits(client, credential, "revocation")
    suspension = served_bits(client, credential, "suspension")
    assert not status_list.get_bit(revocation, index_of(credential, "revocation"))
    assert not status_list.get_bit(suspension, index_of(credential, "suspension"))

    assert change(client, target, "suspend").status_code == 200
    suspended = served_bits(client, credential, "suspension")
    assert differing_bits(suspension, suspended) == [index_of(credential, "suspension")]
    assert served_bits(client, credential, "revocation") == revocation
    assert not world.status_bit(client, other, "suspension")

    assert change(client, target, "reinstate").status_code == 200
    assert served_bits(client, credential, "suspension") == suspension

    assert change(client, target, "revoke").status_code == 200
    revoked = served_bits(client, credential, "revocation")
    assert differing_bits(revocation, revoked) == [index_of(credential, "revocation")]
    assert served_bits(client, credential, "suspension") == suspension
    assert not world.status_bit(client, other, "revocation")

    # Revocation is for good: nothing clears the bit.
    response = change(client, target, "reinstate")
    assert (response.status_code, response.json["code"]) == (409, "revoked")
    assert world.status_bit(client, credential, "revocation")


def test_a_suspended_then_revoked_credential_shows_both_bits(client, two_credentials):
    target, _ = two_credentials
    credential = world.document(target)
    assert change(client, target, "suspend").status_code == 200
    assert change(client, target, "revoke").status_code == 200
    assert world.status_bit(client, credential, "suspension")
    assert world.status_bit(client, credential, "revocation")


@pytest.mark.parametrize("purpose", ["revocation", "suspension"])
def test_the_served_list_is_a_signed_bitstring_status_list_credential(
    client, two_credentials, purpose
):
    target, _ = two_credentials
    credential = world.document(target)
    entry = world.entries(credential)[purpose]
    url = entry["statusListCredential"]
    assert entry == {
        "id": f"{url}#{entry['statusListIndex']}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": entry["statusListIndex"],
        "statusListCredential": url,
    }
    served = world.served_list(client, url).get_json(force=True)
    assert served["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert served["id"] == url
    assert served["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert served["issuer"] == credential["issuer"]["id"]
    subject = served["credentialSubject"]
    assert (subject["id"], subject["type"], subject["statusPurpose"]) == (
        f"{url}#list",
        "BitstringStatusList",
        purpose,
    )
    assert subject["encodedList"].startswith("u")
    assert len(status_list.decode(subject["encodedList"])) * 8 >= 131_072
    [key] = world.verify(client, served)
    assert key.controller == credential["issuer"]["id"]
    # Short-lived: valid now, for at most a day; verifiers may cache it for `ttl` ms.
    now = utcnow()
    valid_from = dt.datetime.fromisoformat(served["validFrom"])
    valid_until = dt.datetime.fromisoformat(served["validUntil"])
    assert valid_from <= now + dt.timedelta(seconds=1) < valid_until
    assert valid_until - valid_from <= dt.timedelta(days=1)
    assert 0 < subject["ttl"] <= 24 * 3600 * 1000


def test_a_changed_list_is_re_signed_and_still_verifies(client, two_credentials):
    target, _ = two_credentials
    credential = world.document(target)
    url = world.entries(credential)["revocation"]["statusListCredential"]
    before = world.served_list(client, url).get_json(force=True)
    assert change(client, target, "revoke").status_code == 200
    after = world.served_list(client, url).get_json(force=True)
    assert after["proof"][0]["proofValue"] != before["proof"][0]["proofValue"]
    assert after["credentialSubject"]["encodedList"] != before["credentialSubject"]["encodedList"]
    world.verify(client, after)
    # The old list, signed before, no longer matches the new bits when they are swapped in.
    forged = {**before, "credentialSubject": after["credentialSubject"]}
    with pytest.raises(signing.ProofError, match="signature does not match"):
        world.verify(client, forged)


def test_lists_are_served_with_caching_headers_and_revalidate(client, two_credentials):
    target, _ = two_credentials
    credential = world.document(target)
    url = world.entries(credential)["revocation"]["statusListCredential"]
    first = world.served_list(client, url)
    ttl_seconds = first.get_json(force=True)["credentialSubject"]["ttl"] / 1000
    cache_control = first.headers["Cache-Control"]
    assert "public" in cache_control
    max_age = int(cache_control.split("max-age=")[1].split(",")[0])
    assert 0 < max_age <= ttl_seconds
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    etag = first.headers["ETag"]
    path = world.path_of(url)
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304

    assert change(client, target, "revoke").status_code == 200
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "max-age" in changed.headers["Cache-Control"]
    bits = status_list.decode(json.loads(changed.get_data())["credentialSubject"]["encodedList"])
    assert status_list.get_bit(bits, index_of(credential, "revocation"))


def test_indexes_are_distinct_and_not_sequential(client):
    issued = issued_world()
    version = issued.world.versions["T-SAFE"]
    learners = [make_user(Role.LEARNER, organisation=issued.college) for _ in range(23)]
    awards = [issued.safe] + [award(learner, version) for learner in learners]
    credentials = [world.document(credential_of_award(a)) for a in awards]
    for purpose in ("revocation", "suspension"):
        lists = {world.entries(c)[purpose]["statusListCredential"] for c in credentials}
        assert len(lists) == 1  # one list per issuer and purpose, shared by all
        indexes = [index_of(c, purpose) for c in credentials]  # in issue order
        assert len(set(indexes)) == len(indexes)
        steps = [b - a for a, b in zip(indexes, indexes[1:], strict=False)]
        assert any(step < 0 for step in steps) and any(step > 0 for step in steps)
        assert len(set(steps)) > len(steps) // 2  # not a stride
        assert max(indexes) - min(indexes) > 131_072 // 4  # spread over the list
    # The suspension twin holds each credential at its revocation index.
    assert all(index_of(c, "suspension") == index_of(c, "revocation") for c in credentials)


def test_a_credential_names_its_revocation_entry_and_the_suspension_twin_is_served(
    client, two_credentials
):
    target, _ = two_credentials
    credential = world.document(target)
    entry = credential["credentialStatus"]
    assert isinstance(entry, dict)  # one object: the OB 3.0 schema's credentialStatus
    assert entry["statusPurpose"] == "revocation"
    assert (target.revocation_index, target.suspension_index) == (
        int(entry["statusListIndex"]),
        int(entry["statusListIndex"]),
    )
    twin = world.entries(credential)["suspension"]["statusListCredential"]
    assert twin == entry["statusListCredential"].replace("/revocation/", "/suspension/")
    served = world.served_list(client, twin).get_json(force=True)
    assert served["credentialSubject"]["statusPurpose"] == "suspension"
    world.verify(client, served)


@pytest.mark.parametrize(
    "path",
    [
        "/orgs/{code}/status/revocation/99",
        "/orgs/{code}/status/expiry/1",
        "/orgs/no-such-org/status/revocation/1",
    ],
)
def test_a_list_that_does_not_exist_is_404(client, path):
    issued = issued_world()
    response = client.get(path.format(code=issued.college.code))
    assert response.status_code == 404
