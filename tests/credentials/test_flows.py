"""End to end on the shipped content: xAPI completions -> award -> signed OpenBadgeCredential;
awards + PLAR + sign-off -> ClrCredential and Certification badge from the standards body;
voiding, revocation cascade, expiry and re-earning.

Completions are POSTed to /xapi/statements by an LMS client (Basic auth), PLAR decisions
recorded with pathways.records.plar_services, the sign-off given by the assessor, status
changes made by the college admin through POST /api/v1/credentials/... Everything a
verifier would see is read as served (DID documents, status lists, CASE items).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from pathways.catalog.models import CompetencyItem
from pathways.credentials.enums import CredentialKind
from pathways.db import db
from pathways.db import utcnow
from pathways.records.models import Award
from pathways.records.models.certifications import CertificationStatus
from pathways.records.services import VOIDED_REASON
from tests.credentials import world
from tests.stacking.pathway_factories import award as make_award

pytestmark = pytest.mark.integration

CASE_ITEMS = "/ims/case/v1p1/CFItems/"


@pytest.fixture(scope="module")
def content(app):
    """The shipped content, loaded once for the module in a transaction rolled back after."""
    with world.shared_database(app):
        world.load_content(app)
        yield


@pytest.fixture
def database(app, content):
    """Each test's changes in a savepoint over the loaded content (replaces conftest's)."""
    with world.savepoint(app) as db_:
        yield db_


@pytest.fixture
def people(database):
    return world.make_people()


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def awards_of(user, code: str) -> list[Award]:
    version = world.version_of(code)
    return list(
        db.session.scalars(
            sa.select(Award)
            .where(Award.user_id == user.id, Award.micro_credential_version_id == version.id)
            .order_by(Award.id)
        )
    )


def did_of(app, code: str) -> str:
    host = urlsplit(app.config["BASE_URL"]).netloc.replace(":", "%3A")
    return f"did:web:{host}:orgs:{code}"


def assert_hashed_identity(credential: dict, email: str) -> None:
    """The subject is a salted SHA-256 of the address (OB 3.0), the address itself nowhere."""
    [identity] = credential["credentialSubject"]["identifier"]
    assert identity["type"] == "IdentityObject"
    assert identity["identityType"] == "emailAddress"
    assert identity["hashed"] is True
    salt = identity["salt"]
    assert len(salt) >= 16
    digest = hashlib.sha256((email.lower() + salt).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${digest}"
    text = json.dumps(credential, ensure_ascii=False).lower()
    assert email.lower() not in text
    assert email.split("@")[0].lower() not in text
    assert "id" not in credential["credentialSubject"]


def sign_in_admin(client, people) -> dict:
    client.sign_in(people.college_admin.email)
    return {"X-CSRFToken": client.csrf_token("/dashboard")}


def listed_statuses(client, people) -> dict[str, str]:
    client.sign_in(people.learner.email)
    response = client.get(f"/api/v1/learners/{people.learner.id}/credentials")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"]: item["status"] for item in response.json["items"]}


# -- (a) completions -> award -> OpenBadgeCredential --------------------------------------------


def test_completing_every_module_by_xapi_issues_one_signed_micro_credential(app, client, people):
    statements = world.earn(client, people, "ILL-SAFE")
    version = world.version_of("ILL-SAFE")
    assert len(statements) == len(version.modules) == 4

    [award] = awards_of(people.learner, "ILL-SAFE")
    [row] = world.issued(kind=CredentialKind.MICRO_CREDENTIAL)
    assert (row.award_id, row.user_id, row.issuer.code) == (
        award.id,
        people.learner.id,
        "northshore-college",
    )
    credential = world.document(row)
    base = app.config["BASE_URL"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"urn:uuid:{row.uuid}"
    assert credential["issuer"]["id"] == did_of(app, "northshore-college")

    # The achievement is the exact published version.
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["id"] == f"{base}/versions/{version.id}"
    assert (achievement["name"], achievement["humanCode"], achievement["version"]) == (
        version.title["en"],
        "ILL-SAFE",
        "1",
    )
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["creator"]["id"] == credential["issuer"]["id"]
    assert achievement["criteria"]["narrative"]
    assert client.get(urlsplit(achievement["id"]).path).status_code == 200

    # One alignment per aligned indicator, each its CASE CFItem as served by our binding.
    expected = {a.item.code: a.item for a in version.alignments}
    alignments = achievement["alignment"]
    assert sorted(a["targetCode"] for a in alignments) == sorted(expected)
    for alignment in alignments:
        item = expected[alignment["targetCode"]]
        assert alignment["targetType"] == "CFItem"
        assert alignment["targetUrl"] == f"{base}{CASE_ITEMS}{item.uuid}"
        assert alignment["targetFramework"].startswith(item.framework.title["en"])
        served = client.get(urlsplit(alignment["targetUrl"]).path)
        assert served.status_code == 200
        assert (served.json["identifier"], served.json["humanCodingScheme"]) == (
            item.uuid,
            item.code,
        )
    # The partner's endorsement travels with the achievement.
    [endorsement] = achievement["endorsement"]
    assert endorsement["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert endorsement["credentialSubject"]["id"] == achievement["id"]
    world.verify(client, endorsement)

    assert_hashed_identity(credential, people.learner.email)

    # Evidence names the statements that completed each module.
    evidence_ids = [e.get("id") for e in credential["evidence"]]
    assert evidence_ids == [f"urn:uuid:{s}" for s in statements]
    modules = sorted(version.modules, key=lambda m: m.position)
    for item, module, statement_id in zip(credential["evidence"], modules, statements, strict=True):
        assert module.code in item["narrative"] and statement_id in item["narrative"]

    assert credential["validFrom"] == stamp(award.issued_at)
    assert credential["validUntil"] == stamp(award.expires_at)
    assert award.expires_at.year * 12 + award.expires_at.month == (
        award.issued_at.year * 12 + award.issued_at.month + 36
    )
    world.verify(client, credential)
    assert not world.status_bit(client, credential, "revocation")
    assert not world.status_bit(client, credential, "suspension")
    assert listed_statuses(client, people) == {credential["id"]: "active"}


def test_a_repeated_completion_issues_nothing_more(client, people):
    world.earn(client, people, "ILL-SAFE")
    world.earn(client, people, "ILL-SAFE")  # every module again, new statements
    assert len(awards_of(people.learner, "ILL-SAFE")) == 1
    assert len(world.issued(kind=CredentialKind.MICRO_CREDENTIAL)) == 1


def test_voiding_a_statement_revokes_the_credential_and_reissues_while_completion_holds(
    client, people
):
    version = world.version_of("ILL-SAFE")
    first_module = min(version.modules, key=lambda m: m.position)
    statements = world.earn(client, people, "ILL-SAFE")
    # A second completion of the first module, on its other activity, after the award.
    spare = world.complete(client, people, first_module.activity_iris[1])
    [old] = world.issued(kind=CredentialKind.MICRO_CREDENTIAL)
    old_credential = world.document(old)

    world.void(client, people, statements[0])

    first_award, second_award = awards_of(people.learner, "ILL-SAFE")
    assert first_award.revocation_reason == VOIDED_REASON
    assert second_award.revoked_at is None
    old_row, new_row = world.issued(kind=CredentialKind.MICRO_CREDENTIAL)
    db.session.refresh(old_row)
    assert old_row.id == old.id and old_row.revoked_at is not None
    assert new_row.award_id == second_award.id
    assert old_row.replaced_by_id == new_row.id
    assert [e.action for e in old_row.events] == ["issued", "revoked", "replaced"]
    assert world.status_bit(client, old_credential, "revocation")

    new_credential = world.document(new_row)
    assert new_credential["id"] != old_credential["id"]
    evidence_ids = [e.get("id") for e in new_credential["evidence"]]
    assert evidence_ids == [f"urn:uuid:{s}" for s in [spare, *statements[1:]]]
    assert not world.status_bit(client, new_credential, "revocation")
    world.verify(client, new_credential)
    assert listed_statuses(client, people) == {
        old_credential["id"]: "revoked",
        new_credential["id"]: "active",
    }


def test_voiding_the_only_completion_of_a_module_revokes_and_issues_nothing(client, people):
    statements = world.earn(client, people, "ILL-SAFE")
    [row] = world.issued(kind=CredentialKind.MICRO_CREDENTIAL)
    world.void(client, people, statements[-1])
    db.session.refresh(row)
    assert row.revoked_at is not None and row.replaced_by_id is None
    assert world.issued(kind=CredentialKind.MICRO_CREDENTIAL) == [row]
    assert world.status_bit(client, world.document(row), "revocation")


# -- (b) awards + PLAR + sign-off -> ClrCredential + Certification badge ---------------------------


def occupation_item(code: str) -> CompetencyItem:
    return db.session.scalar(sa.select(CompetencyItem).where(CompetencyItem.code == code))


def test_reaching_machine_operator_issues_a_clr_and_a_badge_from_the_standards_body(
    app, client, people, tmp_path
):
    plar_codes = world.uncovered_indicators("ILL-MO", world.MACHINE_OPERATOR_INPUTS)
    assert plar_codes, "the content leaves ILL-MO indicators to workplace assessment"
    certification = world.reach_machine_operator(client, people, tmp_path)
    base = app.config["BASE_URL"]
    occupation_id = f"{base}{CASE_ITEMS}{occupation_item('ILL-MO').uuid}"
    body_did = did_of(app, "cme-clc")

    record_row = world.only(CredentialKind.RECORD, certification_id=certification.id)
    badge_row = world.only(CredentialKind.CERTIFICATION, certification_id=certification.id)
    assert record_row.issuer.code == badge_row.issuer.code == "cme-clc"
    awards = {
        world.document(r)["credentialSubject"]["achievement"]["humanCode"]: world.document(r)
        for r in world.issued(kind=CredentialKind.MICRO_CREDENTIAL)
    }
    assert sorted(awards) == sorted(world.MACHINE_OPERATOR_INPUTS)

    record = world.document(record_row)
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert record["issuer"]["id"] == body_did
    assert_hashed_identity(record, people.learner.email)
    subject = record["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]

    # The nested credentials are the occupation badge, then the learner's signed OB
    # credentials the rules relied on, exactly as issued.
    badge = world.document(badge_row)
    assert subject["verifiableCredential"][0] == badge
    nested = subject["verifiableCredential"][1:]
    assert sorted(n["id"] for n in nested) == sorted(a["id"] for a in awards.values())
    for credential in nested:
        code = credential["credentialSubject"]["achievement"]["humanCode"]
        assert credential == awards[code]
        assert credential["issuer"]["id"] == did_of(app, "northshore-college")
        world.verify(client, credential)

    # Achievements: the occupation, each stacked credential, each PLAR-met indicator.
    achievements = {a["id"]: a for a in subject["achievement"]}
    occupation = subject["achievement"][0]
    assert occupation["id"] == occupation_id
    assert (occupation["achievementType"], occupation["humanCode"]) == ("Certification", "ILL-MO")
    assert occupation["creator"]["id"] == body_did
    for credential in nested:
        inner = credential["credentialSubject"]["achievement"]
        assert achievements[inner["id"]] == inner
    assessed = {
        a["humanCode"]: a for a in achievements.values() if a["achievementType"] == "Assessment"
    }
    assert sorted(assessed) == plar_codes
    for code, achievement in assessed.items():
        assert achievement["id"] == f"{base}{CASE_ITEMS}{occupation_item(code).uuid}"
        assert achievement["creator"]["name"] == people.assessor.display_name
        assert achievement["creator"]["id"] != body_did

    # Associations mirror the stack: every input isPartOf the occupation.
    associations = subject["association"]
    assert {a["associationType"] for a in associations} == {"isPartOf"}
    assert {a["targetId"] for a in associations} == {occupation_id}
    assert sorted(a["sourceId"] for a in associations) == sorted(
        [c["credentialSubject"]["achievement"]["id"] for c in nested]
        + [a["id"] for a in assessed.values()]
    )
    world.verify(client, record)

    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["issuer"]["id"] == body_did
    badge_achievement = badge["credentialSubject"]["achievement"]
    assert badge_achievement == occupation
    assert_hashed_identity(badge, people.learner.email)
    world.verify(client, badge)
    for credential in (record, badge):
        assert not world.status_bit(client, credential, "revocation")
    statuses = listed_statuses(client, people)
    assert statuses[record["id"]] == statuses[badge["id"]] == "active"


def test_revoking_an_input_awards_credential_revokes_the_certifications_record(
    client, people, tmp_path
):
    certification = world.reach_machine_operator(client, people, tmp_path)
    rows = {
        world.document(r)["credentialSubject"]["achievement"]["humanCode"]: r
        for r in world.issued(kind=CredentialKind.MICRO_CREDENTIAL)
    }
    record = world.only(CredentialKind.RECORD, certification_id=certification.id)
    badge = world.only(CredentialKind.CERTIFICATION, certification_id=certification.id)

    headers = sign_in_admin(client, people)
    response = client.post(
        f"/api/v1/credentials/urn:uuid:{rows['ILL-SAFE'].uuid}/revoke",
        json={"reason": "assessment found to be copied"},
        headers=headers,
    )
    assert response.status_code == 200, response.get_data(as_text=True)

    db.session.expire_all()
    assert world.certification_of(people.learner, "ILL-MO").status is (CertificationStatus.REVOKED)
    for row in (rows["ILL-SAFE"], record, badge):
        row = db.session.get(type(row), row.id)
        assert row.revoked_at is not None, row.kind
        assert world.status_bit(client, world.document(row), "revocation")
    for code in ("ILL-MEAS", "ILL-CNC"):
        row = db.session.get(type(rows[code]), rows[code].id)
        assert row.revoked_at is None
        assert not world.status_bit(client, world.document(row), "revocation")
    # The reason stays private: no served list or document carries it.
    revoked_list = world.entries(world.document(record))["revocation"]["statusListCredential"]
    assert "copied" not in world.served_list(client, revoked_list).get_data(as_text=True)


def test_a_certification_through_the_mssc_equivalence_has_an_exact_match_association(
    app, client, people
):
    certification = world.reach_by_equivalence(people)
    record = world.document(world.only(CredentialKind.RECORD, certification_id=certification.id))
    base = app.config["BASE_URL"]
    occupation_id = f"{base}{CASE_ITEMS}{occupation_item('ILL-MO').uuid}"
    cpt_id = f"{base}{CASE_ITEMS}{occupation_item('MSSC-CPT').uuid}"
    subject = record["credentialSubject"]
    assert subject["association"] == [
        {
            "type": "Association",
            "associationType": "exactMatchOf",
            "sourceId": cpt_id,
            "targetId": occupation_id,
        }
    ]
    cpt = next(a for a in subject["achievement"] if a["id"] == cpt_id)
    assert cpt["humanCode"] == "MSSC-CPT"
    assert cpt["creator"]["name"] == people.assessor.display_name
    world.verify(client, record)


# -- (c) expiry -----------------------------------------------------------------------------------


def test_an_expired_award_reads_expired_not_revoked_and_re_earning_issues_a_new_one(client, people):
    version = world.version_of("ILL-SAFE")
    now = utcnow()
    lapsed = make_award(
        people.learner,
        version,
        issued_at=now - dt.timedelta(days=40 * 30),
        expires_at=now - dt.timedelta(days=4 * 30),
    )
    [old] = world.issued(kind=CredentialKind.MICRO_CREDENTIAL)
    assert old.award_id == lapsed.id
    old_credential = world.document(old)
    assert old_credential["validUntil"] == stamp(lapsed.expires_at)
    assert old.status(utcnow()) == "expired"
    assert old.revoked_at is None
    assert not world.status_bit(client, old_credential, "revocation")
    assert not world.status_bit(client, old_credential, "suspension")
    assert listed_statuses(client, people) == {old_credential["id"]: "expired"}

    statements = world.earn(client, people, "ILL-SAFE")
    first, second = awards_of(people.learner, "ILL-SAFE")
    assert (first.id, first.revoked_at) == (lapsed.id, None)
    old_row, new_row = world.issued(kind=CredentialKind.MICRO_CREDENTIAL)
    db.session.refresh(old_row)
    assert (old_row.id, old_row.revoked_at, old_row.replaced_by_id) == (old.id, None, None)
    assert new_row.award_id == second.id
    new_credential = world.document(new_row)
    assert new_credential["validFrom"] == stamp(second.issued_at)
    assert new_credential["validUntil"] == stamp(second.expires_at)
    assert [e["id"] for e in new_credential["evidence"]] == [f"urn:uuid:{s}" for s in statements]
    world.verify(client, new_credential)
    assert listed_statuses(client, people) == {
        old_credential["id"]: "expired",
        new_credential["id"]: "active",
    }
