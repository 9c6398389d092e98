"""Issued credentials for the API, CLI and page tests, made as the app makes them.

`issued_world()` is the stacking test world (`tests/stacking/pathway_factories.py`) whose
awards run the hooks, so each award has its signed OpenBadgeCredential from the college.
`certify()` adds what completes T-MO (T-CNC, a PLAR result, the assessor's sign-off) with a
standards body owning the framework, so the certification gets its ClrCredential and
Certification badge. Every factory commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import sqlalchemy as sa

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.models import Organisation
from pathways.catalog.models import Framework
from pathways.credentials import status_list
from pathways.credentials.enums import CredentialKind
from pathways.credentials.models import IssuedCredential
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.records import plar_services
from pathways.records.models import Award
from pathways.records.models import OccupationCertification
from pathways.stacking import queries as stacking_queries
from pathways.stacking import services as stacking_services
from tests.factories import make_organisation
from tests.stacking.pathway_factories import World
from tests.stacking.pathway_factories import award
from tests.stacking.pathway_factories import make_world


@dataclass
class IssuedWorld:
    world: World
    body: Organisation  # the standards body that owns the test framework
    safe: Award  # T-SAFE, awarded to world.learner

    @property
    def learner(self):
        return self.world.learner

    @property
    def college(self):
        return self.world.college


def issued_world() -> IssuedWorld:
    world = make_world()
    body = make_organisation(OrganisationKind.STANDARDS_BODY)
    with transaction():
        framework = db.session.scalar(sa.select(Framework).filter_by(identifier="test-ill"))
        framework.publisher_organisation_id = body.id
    safe = award(world.learner, world.versions["T-SAFE"])
    return IssuedWorld(world, body, safe)


def certify(issued: IssuedWorld, tmp_path: Path) -> tuple[Award, OccupationCertification]:
    """Award T-CNC, meet T-MO-2.2 at work and sign off: T-MO is certified."""
    world = issued.world
    cnc = award(world.learner, world.versions["T-CNC"])
    with transaction():
        plar_services.record_assessment(
            world.learner.id,
            ["T-MO-2.2"],
            met=True,
            assessed_on=utcnow().date(),
            note="observed at the machine",
            storage_dir=tmp_path,
            actor=world.assessor,
        )
    (waiting,) = stacking_queries.awaiting_assessment_for(world.assessor)
    with transaction():
        certification = stacking_services.sign_off(waiting.id, actor=world.assessor)
    return cnc, certification


def credential_of_award(row: Award) -> IssuedCredential:
    """The award's newest credential."""
    return db.session.scalar(
        sa.select(IssuedCredential)
        .where(IssuedCredential.award_id == row.id)
        .order_by(IssuedCredential.id.desc())
        .limit(1)
    )


def credentials_of_certification(row: OccupationCertification) -> list[IssuedCredential]:
    return list(
        db.session.scalars(
            sa.select(IssuedCredential)
            .where(IssuedCredential.certification_id == row.id)
            .order_by(IssuedCredential.id)
        )
    )


def learner_credentials(user_id: int) -> list[IssuedCredential]:
    return list(
        db.session.scalars(
            sa.select(IssuedCredential)
            .where(
                IssuedCredential.user_id == user_id,
                IssuedCredential.kind != CredentialKind.ENDORSEMENT,
            )
            .order_by(IssuedCredential.issued_at, IssuedCredential.id)
        )
    )


def reload(row):
    db.session.expire_all()
    return db.session.get(type(row), row.id)


def served_bit(client, row: IssuedCredential, purpose: str) -> bool:
    """The credential's bit in the status list the app serves, read as a verifier would.

    A credential names its revocation entry; the suspension list of the same number holds
    the same index (see `services._allocate`).
    """
    document = json.loads(row.document)
    entry = document["credentialStatus"]
    assert entry["statusPurpose"] == "revocation"
    path = urlparse(entry["statusListCredential"]).path
    if purpose == "suspension":
        path = path.replace("/status/revocation/", "/status/suspension/")
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    subject = json.loads(response.get_data(as_text=True))["credentialSubject"]
    assert subject["statusPurpose"] == purpose
    bits = status_list.decode(subject["encodedList"])
    return status_list.get_bit(bits, int(entry["statusListIndex"]))
