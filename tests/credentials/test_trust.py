"""The trust list, achievement mappings, and outside credentials brought in by learners:
verified + trusted + mapped counts at once in stacking; anything less waits for an assessor."""

from __future__ import annotations

import copy
import io
import json
import re

import pytest
import sqlalchemy as sa

from pathways.accounts.enums import Role
from pathways.credentials import trust
from pathways.credentials.enums import ImportOutcome
from pathways.credentials.models import AchievementMapping
from pathways.credentials.models import ImportedCredential
from pathways.credentials.models import TrustedIssuer
from pathways.db import db
from pathways.db import transaction
from pathways.errors import Conflict
from pathways.errors import Invalid
from pathways.records.models import OccupationCertification
from pathways.records.models import RecognisedCredential
from pathways.records.models.certifications import CertificationStatus
from tests.credentials.issued_factories import issued_world
from tests.credentials.outside import CPT_ID
from tests.credentials.outside import outside_badges
from tests.credentials.signer import bake_png
from tests.factories import make_user

pytestmark = pytest.mark.integration


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def trust_mssc(did: str, *, map_cpt: bool = True) -> TrustedIssuer:
    admin = make_user(Role.PLATFORM_ADMIN)
    with transaction():
        issuer = trust.add_trusted_issuer(did, "MSSC", note="key confirmed by phone", actor=admin)
        if map_cpt:
            trust.add_mapping(issuer.id, CPT_ID, "X-CPT", actor=admin)
    return issuer


def bring_in(client, content: bytes, *, name: str = "cpt.json", item_code: str = ""):
    return client.submit(
        "/my/credentials/import",
        {"file": (io.BytesIO(content), name), "item_code": item_code},
        content_type="multipart/form-data",
    )


def certification(learner) -> OccupationCertification | None:
    return db.session.scalar(
        sa.select(OccupationCertification).where(OccupationCertification.user_id == learner.id)
    )


# -- the trust list and mappings, as platform admins keep them --------------------------------


def test_platform_admins_keep_the_trust_list_and_mappings(client, database):
    issued_world()  # the test frameworks, with the credential item X-CPT
    did, _ = outside_badges()
    admin = make_user(Role.PLATFORM_ADMIN)
    client.sign_in(admin.email)
    response = client.submit(
        "/admin/trusted-issuers", {"identifier": did, "name": "MSSC", "note": "confirmed"}
    )
    assert response.status_code == 302
    [issuer] = db.session.scalars(sa.select(TrustedIssuer)).all()
    assert (issuer.identifier, issuer.name, issuer.created_by_id) == (did, "MSSC", admin.id)
    again = client.submit("/admin/trusted-issuers", {"identifier": did, "name": "MSSC again"})
    assert again.status_code == 400
    assert "This issuer is already on the list." in text_of(again)
    bad = client.submit("/admin/trusted-issuers", {"identifier": "mssc", "name": "MSSC"})
    assert "An issuer is a DID (did:web:…, did:key:…) or an https address." in text_of(bad)

    page = client.get("/admin/achievement-mappings")
    assert "X-CPT: Title of X-CPT" in text_of(page)
    response = client.submit(
        "/admin/achievement-mappings",
        {"issuer": str(issuer.id), "achievement": CPT_ID, "item_code": "X-CPT", "note": ""},
    )
    assert response.status_code == 302
    [mapping] = db.session.scalars(sa.select(AchievementMapping)).all()
    assert (mapping.achievement, mapping.item_code) == (CPT_ID, "X-CPT")

    response = client.post(
        f"/admin/trusted-issuers/{issuer.id}/remove",
        data={"csrf_token": client.csrf_token("/admin/trusted-issuers")},
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(TrustedIssuer.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(AchievementMapping.id))) == 0


def test_a_mapping_must_name_a_credential_item(database):
    issued_world()
    did, _ = outside_badges()
    issuer = trust_mssc(did, map_cpt=False)
    admin = make_user(Role.PLATFORM_ADMIN)
    with pytest.raises(Invalid) as raised, transaction():
        trust.add_mapping(issuer.id, CPT_ID, "T-MO-1.1", actor=admin)
    assert raised.value.code == "unknown_item"
    with transaction():
        trust.add_mapping(issuer.id, "CPT", "X-CPT", actor=admin)
    with pytest.raises(Conflict), transaction():
        trust.add_mapping(issuer.id, "CPT", "X-CLT", actor=admin)


def test_removing_needs_the_csrf_token(client, database):
    did, _ = outside_badges()
    issuer = trust_mssc(did, map_cpt=False)
    client.sign_in(make_user(Role.PLATFORM_ADMIN).email)
    assert client.post(f"/admin/trusted-issuers/{issuer.id}/remove").status_code == 400
    assert db.session.get(TrustedIssuer, issuer.id) is not None


# -- bringing outside credentials in ----------------------------------------------------------


def test_a_verified_trusted_mapped_badge_counts_at_once(client, database):
    issued = issued_world()
    did, (cpt, *_rest) = outside_badges()
    trust_mssc(did)
    client.sign_in(issued.learner.email)
    response = bring_in(client, json.dumps(cpt).encode())
    assert response.status_code == 302
    [row] = db.session.scalars(sa.select(ImportedCredential)).all()
    assert (row.outcome, row.verified, row.item_code, row.issuer_ref) == (
        ImportOutcome.RECOGNISED,
        True,
        "X-CPT",
        did,
    )
    assert json.loads(row.document) == cpt  # kept exactly as uploaded
    recognised = db.session.get(RecognisedCredential, row.recognised_credential_id)
    assert (recognised.code, recognised.verified, recognised.verified_by_id) == (
        "X-CPT",
        True,
        None,
    )
    assert recognised.earned_on.isoformat() == "2026-01-05"
    # Stacking re-evaluated: the exact equivalence completes T-MO, pending the sign-off.
    assert certification(issued.learner).status is CertificationStatus.AWAITING_ASSESSMENT
    page = text_of(client.get(response.headers["Location"]))
    assert "Verified and recognised: it counts in your pathways." in page
    assert "Issuer known to Pathways · Passed" in page


def test_a_baked_png_is_brought_in_too(client, database):
    issued = issued_world()
    did, (cpt, *_rest) = outside_badges()
    trust_mssc(did)
    client.sign_in(issued.learner.email)
    assert bring_in(client, bake_png(cpt), name="cpt.png").status_code == 302
    [row] = db.session.scalars(sa.select(ImportedCredential)).all()
    assert row.outcome is ImportOutcome.RECOGNISED
    assert json.loads(row.document) == cpt


def test_an_untrusted_issuer_waits_for_an_assessor(client, database):
    issued = issued_world()
    _did, (cpt, *_rest) = outside_badges()
    client.sign_in(issued.learner.email)
    response = bring_in(client, json.dumps(cpt).encode(), item_code="X-CPT")
    assert response.status_code == 302
    [row] = db.session.scalars(sa.select(ImportedCredential)).all()
    assert (row.outcome, row.verified, row.item_code) == (
        ImportOutcome.AWAITING_ASSESSOR,
        True,
        "X-CPT",
    )
    recognised = db.session.get(RecognisedCredential, row.recognised_credential_id)
    assert recognised.verified is False
    assert "Certified Production Technician" in recognised.note
    assert certification(issued.learner) is None


def test_a_tampered_badge_never_counts_even_when_mapped(client, database):
    issued = issued_world()
    did, (cpt, *_rest) = outside_badges()
    trust_mssc(did)
    tampered = copy.deepcopy(cpt)
    tampered["validFrom"] = "2020-01-01T00:00:00Z"
    client.sign_in(issued.learner.email)
    assert bring_in(client, json.dumps(tampered).encode()).status_code == 302
    [row] = db.session.scalars(sa.select(ImportedCredential)).all()
    assert (row.outcome, row.verified, row.item_code) == (
        ImportOutcome.AWAITING_ASSESSOR,
        False,
        "X-CPT",
    )
    recognised = db.session.get(RecognisedCredential, row.recognised_credential_id)
    assert recognised.verified is False
    assert "not verified (proof: the signature does not match" in recognised.note


def test_an_unmapped_badge_asks_which_item_then_waits(client, database):
    issued = issued_world()
    did, (_cpt, _again, cla) = outside_badges()
    trust_mssc(did)
    client.sign_in(issued.learner.email)
    response = bring_in(client, json.dumps(cla).encode())
    [row] = db.session.scalars(sa.select(ImportedCredential)).all()
    assert (row.outcome, row.recognised_credential_id) == (ImportOutcome.NEEDS_ITEM, None)
    page = client.get(response.headers["Location"])
    assert "Pathways does not know what this credential certifies." in text_of(page)
    chosen = client.submit(
        f"/my/credentials/import/{row.id}/item",
        {"item_code": "X-CLT"},
        token_from=f"/my/credentials/import/{row.id}",
    )
    assert chosen.status_code == 302
    db.session.refresh(row)
    assert (row.outcome, row.item_code) == (ImportOutcome.AWAITING_ASSESSOR, "X-CLT")
    assert db.session.get(RecognisedCredential, row.recognised_credential_id).verified is False


def test_the_same_credential_is_brought_in_once(client, database):
    issued = issued_world()
    did, (cpt, *_rest) = outside_badges()
    trust_mssc(did)
    client.sign_in(issued.learner.email)
    bring_in(client, json.dumps(cpt).encode())
    again = bring_in(client, json.dumps(cpt).encode())
    assert again.status_code == 400
    assert "You have already brought in this credential." in text_of(again)
    assert db.session.scalar(sa.select(sa.func.count(ImportedCredential.id))) == 1


def test_a_file_without_a_credential_is_told_in_words(client, database):
    learner = make_user(Role.LEARNER)
    client.sign_in(learner.email)
    response = bring_in(client, b"GIF89a not a badge", name="x.gif")
    assert response.status_code == 400
    assert "The file is not JSON, nor a PNG or SVG badge image" in text_of(response)


def test_another_learners_import_is_not_found(client, database):
    issued = issued_world()
    _did, (cpt, *_rest) = outside_badges()
    client.sign_in(issued.learner.email)
    bring_in(client, json.dumps(cpt).encode())
    [row] = db.session.scalars(sa.select(ImportedCredential)).all()
    client.post("/sign-out", data={"csrf_token": client.csrf_token("/dashboard")})
    client.sign_in(make_user(Role.LEARNER).email)
    assert client.get(f"/my/credentials/import/{row.id}").status_code == 404
    response = client.submit(
        f"/my/credentials/import/{row.id}/item",
        {"item_code": "X-CPT"},
        token_from="/my/credentials/import",
    )
    assert response.status_code in (302, 404)
    db.session.refresh(row)
    assert row.item_code is None
