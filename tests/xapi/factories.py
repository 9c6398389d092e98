"""LRS test helpers: clients, headers, statements, catalog rows for the projector."""

from __future__ import annotations

import base64
import itertools
import uuid

from pathways.db import transaction
from tests.factories import make_api_client

VERSION = {"X-Experience-API-Version": "1.0.3"}
_seq = itertools.count(1)


def lrs_headers(created, **extra) -> dict:
    token = base64.b64encode(f"{created.client.key_id}:{created.secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", **VERSION, **extra}


def make_lrs_client(scopes=("xapi:write", "xapi:read"), organisation=None):
    return make_api_client(organisation, scopes=scopes, name="Moodle")


def statement(
    *,
    actor: dict | None = None,
    verb: str = "http://adlnet.gov/expapi/verbs/completed",
    activity: str = "https://moodle.example/mod/page/view.php?id=1",
    statement_id: str | None = None,
    **extra,
) -> dict:
    body = {
        "actor": actor or {"mbox": "mailto:learner@example.com", "name": "Learner"},
        "verb": {"id": verb, "display": {"en": verb.rsplit("/", 1)[-1]}},
        "object": {
            "id": activity,
            "objectType": "Activity",
            "definition": {
                "name": {"en": "Page"},
                "type": "http://adlnet.gov/expapi/activities/lesson",
            },
        },
        **extra,
    }
    if statement_id:
        body["id"] = statement_id
    return body


def new_id() -> str:
    return str(uuid.uuid4())


def make_published_credential(
    module_iris: list[list[str]], *, validity_months=24, code=None, organisation=None
):
    """A published micro-credential version whose modules list the given activity IRIs,
    issued by `organisation` (a new college when None)."""
    from pathways.catalog.enums import VersionStatus
    from pathways.catalog.models import MicroCredential
    from pathways.catalog.models import MicroCredentialVersion
    from pathways.catalog.models import Module
    from pathways.catalog.models import ModuleActivity
    from tests.factories import make_organisation

    organisation = organisation or make_organisation()
    n = next(_seq)
    with transaction() as session:
        credential = MicroCredential(
            code=code or f"MC-{n}-{uuid.uuid4().hex[:6]}", issuing_organisation=organisation
        )
        version = MicroCredentialVersion(
            credential=credential,
            number=1,
            status=VersionStatus.PUBLISHED,
            title={"en": f"Credential {n}"},
            validity_months=validity_months,
        )
        for position, iris in enumerate(module_iris):
            module = Module(
                version=version,
                position=position,
                code=f"M{position + 1}",
                title={"en": f"Module {position + 1}"},
            )
            for iri in iris:
                module.activities.append(ModuleActivity(activity_iri=iri))
        session.add(credential)
        session.flush()
        return version
