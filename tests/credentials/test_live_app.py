"""`live_app` serves the test's own rows at BASE_URL, and the oracle can reach it."""

from __future__ import annotations

import json
import urllib.request

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pathways.credentials import multikey
from pathways.credentials import signing
from pathways.credentials import status_list
from pathways.credentials.jsonld import VC_V2
from tests.catalog.factories import make_framework
from tests.credentials.oracle import node_verify

pytestmark = pytest.mark.integration


def test_live_app_serves_rows_the_test_created_at_its_base_url(live_app):
    framework = make_framework()
    with urllib.request.urlopen(f"{live_app}/ims/case/v1p1/CFDocuments", timeout=10) as response:
        documents = json.load(response)["CFDocuments"]
    [document] = [d for d in documents if d["identifier"] == framework.uuid]
    assert document["uri"] == f"{live_app}/ims/case/v1p1/CFDocuments/{framework.uuid}"


def test_the_oracle_fetches_status_lists_from_live_app(live_app):
    private = Ed25519PrivateKey.generate()
    public = multikey.encode_public(private.public_key())
    did = f"did:key:{public}"
    missing_list = f"{live_app}/no-such-status-list"
    credential = signing.sign(
        {
            "@context": [VC_V2],
            "id": "urn:uuid:9a3c7f1e-6a0b-4f3e-8d2c-1b5e4a7c9d0f",
            "type": ["VerifiableCredential"],
            "issuer": did,
            "credentialSubject": {"id": "urn:uuid:1f0e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"},
            "credentialStatus": status_list.entry(missing_list, "revocation", 7),
        },
        private,
        verification_method=f"{did}#{public}",
        created="2026-01-05T10:00:00Z",
    )
    result = node_verify(credential, base_url=live_app, check_status=True)
    assert result["verified"], result["errors"]
    [status] = result["status"]
    assert status["verified"] is False
    assert f"GET {missing_list} answered 404" in status["error"]
