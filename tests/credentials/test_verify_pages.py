"""/verify (public) and employers' verification history: files, baked images, this site's
credential ids, plain words in English and French, rate limits."""

from __future__ import annotations

import copy
import io
import json
import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.credentials import services
from pathways.credentials.enums import VerificationSource
from pathways.credentials.models import Verification
from pathways.db import db
from pathways.db import transaction
from tests.credentials.issued_factories import credential_of_award
from tests.credentials.issued_factories import issued_world
from tests.credentials.outside import outside_badges
from tests.credentials.signer import bake_png
from tests.factories import make_organisation
from tests.factories import make_user

pytestmark = pytest.mark.integration


def upload(client, content: bytes, name: str = "badge.json", **kwargs):
    return client.post(
        "/verify",
        data={
            "file-csrf_token": _token(client),
            "file-file": (io.BytesIO(content), name),
            "file-submit": "Verify the file",
        },
        content_type="multipart/form-data",
        **kwargs,
    )


def _token(client) -> str:
    page = client.get("/verify").get_data(as_text=True)
    return re.search(r'name="file-csrf_token"[^>]*value="([^"]+)"', page).group(1)


def by_id(client, credential_id: str, **kwargs):
    return client.post(
        "/verify",
        data={
            "id-csrf_token": _token(client),
            "id-credential_id": credential_id,
            "id-submit": "Verify the id",
        },
        **kwargs,
    )


def by_url(client, url: str):
    return client.post(
        "/verify",
        data={"url-csrf_token": _token(client), "url-url": url, "url-submit": "Verify"},
    )


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_offers_a_file_an_address_and_an_id(client):
    response = client.get("/verify")
    assert response.status_code == 200
    page = text_of(response)
    for label in ("Upload a file", "Paste a web address", "Type a credential id"):
        assert label in page


def test_an_outside_badge_file_verifies_in_plain_words(client):
    did, (cpt, *_rest) = outside_badges()
    response = upload(client, json.dumps(cpt).encode())
    assert response.status_code == 200
    page = text_of(response)
    assert "This credential is genuine and in good standing: every check below passed." in page
    assert "Signature · Passed" in page
    assert "The signature matches: the content is exactly what was signed with the key" in page
    assert "Issuer known to Pathways · Failed" in page
    assert "Manufacturing Skill Standards, as it names itself" in page
    assert did in page
    assert "Checked" in page
    assert db.session.scalar(sa.select(sa.func.count(Verification.id))) == 0  # anonymous


def test_a_tampered_file_says_why_it_fails(client):
    _did, (cpt, *_rest) = outside_badges()
    tampered = copy.deepcopy(cpt)
    tampered["validFrom"] = "2020-01-01T00:00:00Z"
    page = text_of(upload(client, json.dumps(tampered).encode()))
    assert "This credential could not be verified. The failed checks below say why." in page
    assert "Signature · Failed" in page
    assert (
        "The signature does not match: the credential was changed after it was signed, or it "
        "was signed with another key." in page
    )


def test_a_baked_png_verifies(client):
    _did, (cpt, *_rest) = outside_badges()
    page = text_of(upload(client, bake_png(cpt), name="badge.png"))
    assert "This credential is genuine and in good standing" in page


def test_a_baked_svg_verifies(client):
    _did, (cpt, *_rest) = outside_badges()
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" width="8" height="8">'
        f"<openbadges:credential><![CDATA[{json.dumps(cpt)}]]></openbadges:credential>"
        '<rect width="8" height="8"/></svg>'
    )
    page = text_of(upload(client, svg.encode(), name="badge.svg"))
    assert "This credential is genuine and in good standing" in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "The SVG image holds no Open Badges 3.0"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "The PNG image is damaged"),
        (b"{not json", "The file is not JSON, nor a PNG or SVG badge image"),
    ],
)
def test_a_file_that_holds_no_credential_is_told_in_words(client, content, message):
    response = upload(client, content)
    assert response.status_code == 400
    assert message in text_of(response)


def test_a_file_larger_than_the_cap_is_refused_before_it_is_read(client):
    # Encoded in memory: the test client would spool a large form to a file it never closes.
    boundary, body = encode_multipart(
        {
            "file-csrf_token": _token(client),
            "file-file": FileStorage(io.BytesIO(b" " * 3_000_000), "big.json"),
            "file-submit": "Verify the file",
        }
    )
    response = client.post(
        "/verify", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 413


def test_our_credential_by_id_then_revoked_says_by_whom_and_when(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    page = text_of(by_id(client, f"urn:uuid:{row.uuid}"))
    assert "This credential is genuine and in good standing" in page
    assert f"{issued.college.name} known to Pathways" in page
    with transaction():
        services.revoke(row, reason="awarded in error", actor=None)
    response = by_id(client, row.uuid.upper())
    page = text_of(response)
    assert (
        f"This credential was revoked by its issuer, {issued.college.name}. It no longer counts."
        in page
    )
    assert "Not revoked · Failed" in page
    assert "Revoked by its issuer: it no longer counts." in page
    assert re.search(r"Checked \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2}\s?[AP]M UTC", page)
    assert "awarded in error" not in page  # reasons are never published


def test_a_suspended_credential_reads_suspended(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    with transaction():
        services.suspend(row, reason="under review", actor=None)
    page = text_of(by_id(client, row.uuid))
    assert f"This credential is suspended by its issuer, {issued.college.name}." in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not-an-id", "A credential id of this site is urn:uuid: followed by a UUID"),
        ("urn:uuid:8d3c1a52-8f5e-4c1e-9d7b-2f0a4b6c8e10", "Pathways issued no credential"),
    ],
)
def test_an_unknown_id_is_told_in_words(client, value, message):
    response = by_id(client, value)
    assert response.status_code == 400
    assert message in text_of(response)


def test_an_address_that_is_not_https_is_refused(client):
    response = by_url(client, "ftp://example.org/badge.json")
    assert response.status_code == 400
    assert "Give a web address that starts with https://." in text_of(response)


def test_the_result_speaks_french(client):
    _did, (cpt, *_rest) = outside_badges()
    tampered = copy.deepcopy(cpt)
    tampered["name"] = "Autre"
    response = upload(client, json.dumps(tampered).encode(), headers={"Accept-Language": "fr"})
    page = text_of(response)
    assert "Ce titre n’a pas pu être vérifié." in page
    assert "Signature · Échoué" in page
    assert "La signature ne correspond pas : le titre a été modifié après sa signature" in page
    assert "Détail technique :" in page


def test_the_page_is_rate_limited_per_address(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", 1)
    assert by_id(client, "not-an-id").status_code == 400
    refused = by_id(client, "not-an-id")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "You have verified many credentials in a short time." in text_of(refused)


# -- employers keep what they verify ----------------------------------------------------------


def test_an_employer_keeps_what_they_verify_and_colleagues_see_it(client):
    employer = make_organisation(OrganisationKind.EMPLOYER, code="acme-works", name="Acme Works")
    verifier = make_user(Role.EMPLOYER_VERIFIER, organisation=employer, name="Vera Verifier")
    colleague = make_user(Role.EMPLOYER_VERIFIER, organisation=employer)
    outsider = make_user(Role.EMPLOYER_VERIFIER)
    _did, (cpt, *_rest) = outside_badges()
    client.sign_in(verifier.email)
    response = upload(client, json.dumps(cpt).encode())
    assert "Kept in your organisation's list of verifications." in text_of(response)
    [row] = db.session.scalars(sa.select(Verification)).all()
    assert (row.user_id, row.organisation_id, row.source, row.verified, row.status) == (
        verifier.id,
        employer.id,
        VerificationSource.FILE,
        True,
        "active",
    )
    assert row.name == "Certified Production Technician"
    assert json.loads(row.document) == cpt

    client.post("/sign-out", data={"csrf_token": client.csrf_token("/dashboard")})
    client.sign_in(colleague.email)
    listing = text_of(client.get("/employer/verifications"))
    assert "Certified Production Technician" in listing
    assert "Vera Verifier" in listing
    detail = client.get(f"/employer/verifications/{row.id}")
    assert detail.status_code == 200
    assert "Checked by Vera Verifier." in text_of(detail)

    recheck = client.post(
        f"/employer/verifications/{row.id}/recheck",
        data={"csrf_token": client.csrf_token(f"/employer/verifications/{row.id}")},
    )
    assert recheck.status_code == 302
    rows = db.session.scalars(sa.select(Verification).order_by(Verification.id)).all()
    assert [(r.user_id, r.source) for r in rows] == [
        (verifier.id, VerificationSource.FILE),
        (colleague.id, VerificationSource.RECHECK),
    ]

    client.post("/sign-out", data={"csrf_token": client.csrf_token("/dashboard")})
    client.sign_in(outsider.email)
    assert client.get(f"/employer/verifications/{row.id}").status_code == 404
    assert "Certified Production Technician" not in text_of(client.get("/employer/verifications"))


def test_a_learner_verifying_keeps_nothing(client):
    learner = make_user(Role.LEARNER)
    client.sign_in(learner.email)
    _did, (cpt, *_rest) = outside_badges()
    assert upload(client, json.dumps(cpt).encode()).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Verification.id))) == 0
