"""POST /api/v1/verify: credentials signed by an independent implementation (Digital Bazaar's
vc under Node), this site's own credentials, and hostile input; every case a clear answer,
never a 500."""

from __future__ import annotations

import copy
import http.server
import json
import threading
import time

import pytest
import sqlalchemy as sa

from pathways.accounts.enums import Role
from pathways.credentials import services
from pathways.credentials import wallet
from pathways.credentials.models import TrustedIssuer
from pathways.credentials.models import Verification
from pathways.db import db
from pathways.db import transaction
from tests.credentials.issued_factories import credential_of_award
from tests.credentials.issued_factories import issued_world
from tests.credentials.outside import CREATED
from tests.credentials.outside import SEED
from tests.credentials.outside import badge
from tests.credentials.signer import bake_png
from tests.credentials.signer import node_sign
from tests.factories import make_user

pytestmark = pytest.mark.integration


class _Lists(http.server.BaseHTTPRequestHandler):
    """Serves the signed status lists on loopback; /slow answers after the timeout."""

    documents: dict[str, bytes] = {}

    def do_GET(self):  # noqa: N802 -- http.server's name
        if self.path == "/slow":
            time.sleep(3)
        body = self.documents.get(self.path)
        try:
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the verifier gave up waiting, as it should

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def lists_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Lists)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _entry(url: str, purpose: str, index: int) -> dict:
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


@pytest.fixture(scope="module")
def signed(lists_server):
    """Badges and status lists signed once, by Node, with one did:key."""
    revocations = f"{lists_server}/lists/revocation/1"
    suspensions = f"{lists_server}/lists/suspension/1"
    slow = f"{lists_server}/slow"
    result = node_sign(
        [
            badge(),
            badge(
                status=[
                    _entry(revocations, "revocation", 41),
                    _entry(suspensions, "suspension", 41),
                ]
            ),
            badge(status=[_entry(revocations, "revocation", 7)]),
            badge(status=[_entry(slow, "revocation", 3)]),
        ],
        seed=SEED,
        created=CREATED,
        status_lists=[
            {"id": revocations, "purpose": "revocation", "set": [7]},
            {"id": suspensions, "purpose": "suspension", "set": []},
        ],
    )
    _Lists.documents = {
        "/lists/revocation/1": json.dumps(result.status_lists[0]).encode(),
        "/lists/suspension/1": json.dumps(result.status_lists[1]).encode(),
        "/slow": json.dumps(result.status_lists[0]).encode(),
    }
    plain, with_status, revoked, slow_status = result.documents
    return {
        "did": result.did,
        "plain": plain,
        "with_status": with_status,
        "revoked": revoked,
        "slow": slow_status,
    }


@pytest.fixture
def loopback_lists(app, monkeypatch):
    """The verifier may reach the loopback status-list server (and gives up after 0.5 s)."""
    monkeypatch.setitem(app.config, "VERIFY_ALLOW_HOSTS", ("127.0.0.1",))
    monkeypatch.setitem(app.config, "VERIFY_FETCH_TIMEOUT", 0.5)


def post(client, body, **kwargs):
    if isinstance(body, dict | list):
        return client.post("/api/v1/verify", json=body, **kwargs)
    return client.post("/api/v1/verify", data=body, **kwargs)


def checks(response) -> dict:
    return {c["check"]: (c["passed"], c["reason"]) for c in response.json["checks"]}


def detail(response, check: str) -> str:
    return next(c["detail"] for c in response.json["checks"] if c["check"] == check)


# -- credentials signed by another implementation ---------------------------------------------


def test_a_badge_signed_by_digital_bazaar_verifies(client, signed):
    response = post(client, signed["plain"])
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json["verified"] is True
    assert checks(response) == {
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
        "issuer_known": (False, "issuer_unknown"),
    }
    assert [sorted(c) for c in response.json["checks"]] == [
        ["check", "detail", "passed", "reason"]
    ] * 11
    assert response.json["status"] == "active"
    assert response.json["issuer"] == {
        "id": signed["did"],
        "name": "Manufacturing Skill Standards",
        "known": False,
        "knownAs": None,
    }
    assert response.json["credentialId"] == signed["plain"]["id"]
    assert response.json["kind"] == "OpenBadgeCredential"


def test_status_lists_signed_by_digital_bazaar_are_read(client, signed, loopback_lists):
    response = post(client, signed["with_status"])
    assert response.json["verified"] is True, response.json
    assert checks(response)["revocation"] == (True, "not_revoked")
    assert checks(response)["suspension"] == (True, "not_suspended")

    revoked = post(client, signed["revoked"])
    assert revoked.status_code == 200
    assert revoked.json["verified"] is False
    assert revoked.json["status"] == "revoked"
    assert checks(revoked)["revocation"] == (False, "revoked")
    assert checks(revoked)["proof"] == (True, "proof_ok")


def test_one_changed_word_breaks_the_proof_in_plain_words(client, signed):
    tampered = copy.deepcopy(signed["plain"])
    tampered["credentialSubject"]["achievement"]["name"] = "Certified Logistics Technician"
    response = post(client, tampered)
    assert response.status_code == 200
    assert response.json["verified"] is False
    assert checks(response)["proof"] == (False, "signature_mismatch")
    assert detail(response, "proof") == (
        "the signature does not match: the credential was changed after it was signed, "
        "or it was signed with another key"
    )
    assert checks(response)["issuer_key"] == (None, "issuer_key_skipped")


def test_a_trusted_outside_issuer_is_known_by_its_name(client, signed):
    with transaction():
        db.session.add(TrustedIssuer(identifier=signed["did"], name="MSSC (test key)", note=""))
    response = post(client, signed["plain"])
    assert response.json["verified"] is True
    assert checks(response)["issuer_known"] == (True, "issuer_known")
    assert detail(response, "issuer_known") == "the issuer is MSSC (test key), known to this site"
    assert response.json["issuer"] == {
        "id": signed["did"],
        "name": "Manufacturing Skill Standards",
        "known": True,
        "knownAs": "MSSC (test key)",
    }


def test_a_baked_png_is_read(client, signed):
    response = client.post(
        "/api/v1/verify",
        data=bake_png(signed["plain"]),
        headers={"Content-Type": "image/png"},
    )
    assert response.status_code == 200
    assert response.json["verified"] is True


# -- this site's own credentials --------------------------------------------------------------


def test_our_credential_verifies_in_process_and_then_reads_revoked(client, app):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    document = json.loads(row.document)
    response = post(client, document)
    assert response.json["verified"] is True, response.json
    assert checks(response)["revocation"] == (True, "not_revoked")
    assert checks(response)["suspension"] == (True, "not_suspended")
    assert response.json["issuer"] == {
        "id": services.issuer_did(issued.college),
        "name": issued.college.name,
        "known": True,
        "knownAs": issued.college.name,
    }
    with transaction():
        services.revoke(row, reason="issued in error", actor=None)
    response = post(client, document)
    assert response.json["verified"] is False
    assert response.json["status"] == "revoked"
    assert checks(response)["revocation"] == (False, "revoked")


def test_urls_of_this_site_are_read_in_process(client):
    issued = issued_world()
    did_url = services.base_url() + f"/orgs/{issued.college.code}/did.json"
    response = post(client, {"url": did_url})
    # Fetched without leaving the app (BASE_URL is http://localhost, nobody listens there):
    # a DID document is JSON, but no credential.
    assert response.status_code == 200
    assert response.json["verified"] is False
    assert checks(response)["format"][0] is False
    missing = post(client, {"url": services.base_url() + "/no/such/page"})
    assert missing.status_code == 400
    assert missing.json["code"] == "url_unreachable"
    assert missing.json["detail"] == (
        "the address could not be fetched: http://localhost/no/such/page answered HTTP 404"
    )


def test_a_public_credential_page_of_this_site_is_verified_by_its_address(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    with transaction():
        link = wallet.set_public_link(row, True, actor=issued.learner)
        url = wallet.public_url(link)
    response = post(client, {"url": url})
    assert response.status_code == 200
    assert response.json["verified"] is True, response.json
    assert response.json["credentialId"] == f"urn:uuid:{row.uuid}"
    with transaction():
        wallet.set_public_link(row, False, actor=issued.learner)
    gone = post(client, {"url": url})
    assert (gone.status_code, gone.json["code"]) == (400, "url_unreachable")
    assert gone.json["detail"].endswith("answered HTTP 404")


# -- hostile input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json at all {", "input_not_json"),
        (b"", "input_empty"),
        (b"[1, 2, 3]", "input_not_object"),
        (b"[" * 100_000 + b"]" * 100_000, "input_too_deep"),
        (b"eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln", "input_jwt"),
    ],
)
def test_what_is_not_a_credential_is_a_clear_400(client, body, reason):
    response = post(client, body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == reason
    assert response.json["verified"] is False
    assert response.json["checks"][0]["check"] == "format"
    assert response.json["detail"]


def test_a_huge_body_is_413(client):
    response = post(client, b" " * 3_000_000, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_deep_nesting_inside_a_credential_fails_format(client, signed):
    deep: dict = {}
    cursor = deep
    for _ in range(60):
        cursor["a"] = {}
        cursor = cursor["a"]
    document = copy.deepcopy(signed["plain"])
    document["credentialSubject"]["extra"] = deep
    response = post(client, document)
    assert response.status_code == 200
    assert response.json["verified"] is False
    assert checks(response)["format"] == (False, "too_deep")


def test_an_unknown_context_is_refused_without_fetching_it(client, signed):
    document = copy.deepcopy(signed["plain"])
    document["@context"].append("https://evil.example/context.json")
    response = post(client, document)
    assert response.json["verified"] is False
    assert checks(response)["format"] == (False, "context_unknown")
    assert detail(response, "format") == (
        "uses a context this verifier does not know: https://evil.example/context.json"
    )


def test_a_did_web_at_a_private_address_is_not_fetched(client, signed):
    document = copy.deepcopy(signed["plain"])
    did = "did:web:10.0.0.1:orgs:acme"
    document["issuer"]["id"] = did
    key = document["proof"]["verificationMethod"].split("#", 1)[1]
    document["proof"]["verificationMethod"] = f"{did}#{key}"
    response = post(client, document)
    assert response.status_code == 200
    assert response.json["verified"] is False
    assert checks(response)["proof"] == (False, "key_unreachable")
    assert "points to a private or reserved network address (10.0.0.1)" in detail(response, "proof")


def test_a_status_list_that_times_out_could_not_be_checked(client, signed, loopback_lists):
    started = time.monotonic()
    response = post(client, signed["slow"])
    assert time.monotonic() - started < 2.5
    assert response.status_code == 200
    assert response.json["verified"] is False
    assert checks(response)["proof"] == (True, "proof_ok")
    assert checks(response)["revocation"] == (False, "status_unreachable")
    assert "did not answer within 0.5 seconds" in detail(response, "revocation")


def test_a_url_at_a_private_address_is_a_clear_400(client):
    response = post(client, {"url": "https://10.1.2.3/badge.json"})
    assert response.status_code == 400
    assert response.json["code"] == "url_unreachable"
    assert "private or reserved network address" in response.json["detail"]


# -- limits -----------------------------------------------------------------------------------


def test_verifications_are_rate_limited_per_address(client, app, monkeypatch, signed):
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", 2)
    assert post(client, signed["plain"]).status_code == 200
    assert post(client, b"{}", headers={"Content-Type": "application/json"}).status_code == 200
    refused = post(client, signed["plain"])
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    other = post(client, signed["plain"], environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert other.status_code == 200


def test_the_api_needs_no_csrf_token_and_keeps_no_history(client, signed):
    user = make_user(Role.EMPLOYER_VERIFIER)
    client.sign_in(user.email)
    response = post(client, signed["plain"])
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Verification.id))) == 0
