"""The shipped content as a credential world: learners earn through xAPI, PLAR and sign-off.

Every helper goes through the app's real paths: `load_content` runs the operator
command, `earn` posts one completion per module to POST /xapi/statements with an LMS
client's Basic credentials, `reach_machine_operator` adds the workplace assessments the
ILL-MO rules need (pathways.records.plar_services) and the assessor's sign-off. Keys are
resolved from the DID documents the app serves, status bits read from the lists it serves.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from pathways.accounts import services as account_services
from pathways.accounts.enums import Role
from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.catalog import queries as catalog_queries
from pathways.catalog.enums import LEAF_KINDS
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import MicroCredentialVersion
from pathways.credentials import did as didlib
from pathways.credentials import multikey
from pathways.credentials import signing
from pathways.credentials import status_list
from pathways.credentials.enums import CredentialKind
from pathways.credentials.models import IssuedCredential
from pathways.db import db
from pathways.db import transaction
from pathways.records import plar_services
from pathways.records.models import OccupationCertification
from pathways.records.models.certifications import CertificationStatus
from pathways.stacking import services as stacking_services
from tests.factories import make_user
from tests.xapi.factories import lrs_headers
from tests.xapi.factories import make_lrs_client
from tests.xapi.factories import new_id
from tests.xapi.factories import statement

CONTENT = Path(__file__).resolve().parents[2] / "content"
SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
MACHINE_OPERATOR_INPUTS = ("ILL-SAFE", "ILL-MEAS", "ILL-CNC")


@contextmanager
def shared_database(app) -> Iterator[None]:
    """One rolled-back transaction for several tests (a module-scoped world, read-only).

    The same arrangement as the `database` fixture of tests/conftest.py, held longer: what
    the tests of one module only read is built once. Never mix with `database` in a module.
    """
    from tests.conftest import Client

    engine = db.engines[None]
    with engine.connect() as connection:
        outer = connection.begin()
        db.engines[None] = connection
        app.test_client_class = Client
        try:
            yield
        finally:
            db.session.remove()
            db.engines[None] = engine
            outer.rollback()
            app.extensions.pop("outbox", None)


@contextmanager
def savepoint(app) -> Iterator[Any]:
    """One test's changes inside a `shared_database`, undone at the end (a SAVEPOINT).

    Modules whose tests all start from the loaded content override the `database` fixture
    with this, so that `client`, `live_app` and the factories work unchanged while the
    content is loaded once per module.
    """
    connection = db.engines[None]
    assert isinstance(connection, sa.Connection), "savepoint() runs inside shared_database()"
    nested = connection.begin_nested()
    try:
        yield db
    finally:
        db.session.remove()
        if nested.is_active:
            nested.rollback()
        app.extensions.pop("outbox", None)


def load_content(app) -> None:
    result = app.test_cli_runner().invoke(args=["pathways", "load-content", str(CONTENT)])
    assert result.exit_code == 0, result.output


def organisation(code: str) -> Organisation:
    return account_services.get_organisation(code)


def version_of(code: str) -> MicroCredentialVersion:
    version = catalog_queries.published_version(code)
    assert version is not None, f"{code} is not published in the content"
    return version


@dataclass
class People:
    """A learner of Northshore College and of an employer, its assessor, the college's admin."""

    learner: User
    assessor: User
    college_admin: User
    headers: dict[str, str]
    statements: dict[str, list[str]] = field(default_factory=dict)


def make_people(email: str = "ana.learner@example.com") -> People:
    college = organisation("northshore-college")
    employer = organisation("cedar-point-plastics")
    learner = make_user(Role.LEARNER, organisation=college, email=email, name="Ana Learner")
    with transaction():
        account_services.add_membership(learner, employer, Role.LEARNER)
    assessor = make_user(Role.ASSESSOR, organisation=employer, name="Ash Assessor")
    admin = make_user(Role.COLLEGE_ADMIN, organisation=college, name="Cole Admin")
    headers = lrs_headers(make_lrs_client(organisation=college))
    return People(learner, assessor, admin, headers)


def post_statement(client, headers: dict[str, str], body: dict[str, Any]) -> str:
    response = client.post("/xapi/statements", json=body, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    [statement_id] = response.json
    return statement_id


def complete(client, people: People, activity: str, *, when: str | None = None) -> str:
    """One `completed` statement by the learner (mbox) about `activity`; its id."""
    extra = {"timestamp": when} if when else {}
    body = statement(
        actor={"mbox": f"mailto:{people.learner.email}", "name": "Ana Learner"},
        verb=COMPLETED,
        activity=activity,
        statement_id=new_id(),
        **extra,
    )
    return post_statement(client, people.headers, body)


def earn(client, people: People, code: str) -> list[str]:
    """Complete every module of the published version of `code` through xAPI; statement ids."""
    version = version_of(code)
    ids = [
        complete(client, people, module.activity_iris[0])
        for module in sorted(version.modules, key=lambda m: m.position)
    ]
    people.statements[code] = ids
    return ids


def void(client, people: People, statement_id: str) -> str:
    body = statement(
        actor={"mbox": f"mailto:{people.learner.email}"}, verb=VOIDED, statement_id=new_id()
    )
    body["object"] = {"objectType": "StatementRef", "id": statement_id}
    return post_statement(client, people.headers, body)


def uncovered_indicators(occupation: str, codes: tuple[str, ...]) -> list[str]:
    """The occupation's leaf items that no version of `codes` is aligned to."""
    aligned = {a.item.code for code in codes for a in version_of(code).alignments}
    leaves = db.session.scalars(
        sa.select(CompetencyItem.code).where(
            CompetencyItem.code.startswith(f"{occupation}-"),
            CompetencyItem.kind.in_(list(LEAF_KINDS)),
        )
    ).all()
    return sorted(set(leaves) - aligned)


def record_plar(people: People, codes: list[str], storage_dir: Path) -> None:
    with transaction():
        plar_services.record_assessment(
            people.learner.id,
            codes,
            met=True,
            assessed_on=dt.date.today() - dt.timedelta(days=1),
            note="Observed on the line at the standard.",
            storage_dir=storage_dir,
            actor=people.assessor,
        )


def certification_of(user: User, occupation: str) -> OccupationCertification | None:
    return db.session.scalar(
        sa.select(OccupationCertification)
        .where(
            OccupationCertification.user_id == user.id,
            OccupationCertification.occupation_code == occupation,
        )
        .order_by(OccupationCertification.id.desc())
        .limit(1)
    )


def sign_off(people: People, occupation: str) -> OccupationCertification:
    certification = certification_of(people.learner, occupation)
    assert certification is not None
    assert certification.status is CertificationStatus.AWAITING_ASSESSMENT
    with transaction():
        stacking_services.sign_off(certification.id, actor=people.assessor, note="Seen at work.")
    db.session.refresh(certification)
    return certification


def reach_machine_operator(client, people: People, storage_dir: Path) -> OccupationCertification:
    """ILL-SAFE, ILL-MEAS and ILL-CNC by xAPI, PLAR for the rest of ILL-MO, then sign-off."""
    for code in MACHINE_OPERATOR_INPUTS:
        earn(client, people, code)
    record_plar(people, uncovered_indicators("ILL-MO", MACHINE_OPERATOR_INPUTS), storage_dir)
    certification = sign_off(people, "ILL-MO")
    assert certification.status is CertificationStatus.CERTIFIED
    return certification


def reach_by_equivalence(people: People, occupation: str = "ILL-MO") -> OccupationCertification:
    """A verified, current MSSC CPT (the declared exact equivalence of 2015), then sign-off."""
    earned = dt.date.today() - dt.timedelta(days=400)
    with transaction():
        held = stacking_services.add_recognised_credential(
            people.learner.id, "MSSC-CPT", earned, expires_on=earned + dt.timedelta(days=5 * 365)
        )
    with transaction():
        stacking_services.verify_recognised_credential(held.id, actor=people.assessor)
    certification = sign_off(people, occupation)
    assert certification.status is CertificationStatus.CERTIFIED
    return certification


# -- issued credentials -------------------------------------------------------------------


def issued(**criteria: Any) -> list[IssuedCredential]:
    query = sa.select(IssuedCredential).order_by(IssuedCredential.id)
    for name, value in criteria.items():
        query = query.where(getattr(IssuedCredential, name) == value)
    return list(db.session.scalars(query))


def document(row: IssuedCredential) -> dict[str, Any]:
    return json.loads(row.document)


def only(kind: CredentialKind, **criteria: Any) -> IssuedCredential:
    [row] = issued(kind=kind, **criteria)
    return row


# -- resolving keys and status from what the app serves -------------------------------------


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def did_document(client, did: str) -> dict[str, Any]:
    response = client.get(path_of(didlib.did_web_url(did)))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json(force=True)


class Resolver:
    """A `signing.KeyResolver` over the DID documents the app serves (through `client`)."""

    def __init__(self, client) -> None:
        self.client = client
        self.methods: list[dict[str, Any]] = []

    def __call__(self, method_id: str) -> signing.ResolvedKey:
        did = method_id.split("#", 1)[0]
        document = did_document(self.client, did)
        if document.get("id") != did:
            raise signing.ProofError(f"{did} resolved to a document of {document.get('id')}")
        found = [m for m in document["verificationMethod"] if m["id"] == method_id]
        if len(found) != 1 or method_id not in document["assertionMethod"]:
            raise signing.ProofError(f"{method_id} is not an assertion method of {did}")
        [method] = found
        if method["controller"] != did or method["type"] != "Multikey":
            raise signing.ProofError(f"{method_id} is not a Multikey controlled by {did}")
        self.methods.append(method)
        return signing.ResolvedKey(multikey.decode_public(method["publicKeyMultibase"]), did)


def verify(client, credential: dict[str, Any]) -> list[signing.ResolvedKey]:
    """Check every proof against the issuer's served DID document; issuer = controller."""
    issuer = credential["issuer"]
    issuer_id = issuer["id"] if isinstance(issuer, dict) else issuer
    keys = []
    for proof in signing.proofs_of(credential):
        key = signing.verify_proof(credential, proof, Resolver(client))
        if key.controller != issuer_id:
            raise signing.ProofError(f"signed by {key.controller}, issued by {issuer_id}")
        keys.append(key)
    return keys


def entries(credential: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The credential's status entries by purpose.

    Pathways names one entry, the revocation one (OB 3.0 allows a single
    `credentialStatus`); the suspension list of the same number holds the same index
    (its "twin"), and that entry is derived here the way this site's verifier does.
    """
    status = credential["credentialStatus"]
    status = status if isinstance(status, list) else [status]
    found = {entry["statusPurpose"]: entry for entry in status}
    revocation = found.get("revocation")
    if "suspension" not in found and revocation is not None:
        url = revocation["statusListCredential"].replace(
            "/status/revocation/", "/status/suspension/"
        )
        index = revocation["statusListIndex"]
        found["suspension"] = {
            "id": f"{url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "suspension",
            "statusListIndex": index,
            "statusListCredential": url,
        }
    return found


def served_list(client, list_url: str):
    response = client.get(path_of(list_url))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def status_bit(client, credential: dict[str, Any], purpose: str) -> bool:
    """The credential's bit for `purpose` in the list credential the app serves now."""
    entry = entries(credential)[purpose]
    served = served_list(client, entry["statusListCredential"]).get_json(force=True)
    assert served["credentialSubject"]["statusPurpose"] == purpose
    bits = status_list.decode(served["credentialSubject"]["encodedList"])
    return status_list.get_bit(bits, int(entry["statusListIndex"]))
