"""Every credential type Pathways issues from the shipped content against the official schemas.

Schemas are read from ../shared/spec into an offline `referencing` registry (no URI is
ever fetched) under their `$id` and under the URL our credentials name in
`credentialSchema`, and each credential is checked against the schema it names:
OpenBadgeCredential -> OB 3.0 achievementcredential.json (2019-09), EndorsementCredential
-> endorsementcredential.json (2019-09), ClrCredential -> the pre-final CLR 2.0 draft-04
schema (with the mappings documented at `to_clr_draft`), and all of them, plus the status
list credentials, -> VC 2.0 verifiable-credential-schema.json (2020-12). Formats are
asserted: `date`, and `date-time` by RFC 3339 (`jsonschema` only checks date-time with an
optional package this project does not install, so the check is registered here).

The documents are issued once for the module through the real paths (xAPI completions,
PLAR, sign-off, a verified MSSC CPT) and kept as JSON; each test then checks one of them.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
from typing import Any

import pytest
from jsonschema import Draft4Validator
from jsonschema import Draft201909Validator
from jsonschema import Draft202012Validator
from jsonschema import FormatChecker
from jsonschema.validators import validator_for
from referencing import Registry
from referencing import Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4
from referencing.jsonschema import DRAFT201909
from referencing.jsonschema import DRAFT202012

from pathways.credentials import clr
from pathways.credentials import ob3
from pathways.credentials.enums import CredentialKind
from tests.credentials import world

pytestmark = pytest.mark.integration

SCHEMA_FILES = {
    # file under ../shared/spec: its JSON Schema draft, the URL our credentials name (if any)
    "ob_v3p0/schema/achievementcredential.json": (DRAFT201909, ob3.ACHIEVEMENT_SCHEMA),
    "ob_v3p0/schema/endorsementcredential.json": (DRAFT201909, ob3.ENDORSEMENT_SCHEMA),
    "clr_v2p0/clr_v2p0_clrcredential_schema_draft4.json": (DRAFT4, clr.CLR_SCHEMA),
    "vc_v2/verifiable-credential-schema.json": (DRAFT202012, None),
    "ob_v3p0/schema/profile.json": (DRAFT201909, None),
}
VALIDATORS = {
    DRAFT201909: Draft201909Validator,
    DRAFT202012: Draft202012Validator,
    DRAFT4: Draft4Validator,
}
VC_SCHEMA = "https://www.w3.org/2022/credentials/v2/verifiable-credential-schema.json"
PROFILE_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_profile-jsonschema1.json"
)
RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


def _offline(uri: str):
    raise NoSuchResource(ref=uri)


@functools.cache
def schemas() -> tuple[Registry, dict[str, type]]:
    """The offline registry, and the validator class of each schema URI in it."""
    if not world.SPEC.exists():
        pytest.skip(f"the shared spec files are not at {world.SPEC}")
    resources = []
    classes = {}
    for path, (specification, alias) in SCHEMA_FILES.items():
        contents = json.loads((world.SPEC / path).read_text(encoding="utf-8"))
        cls = VALIDATORS[specification]
        assert validator_for(contents, default=None) is cls, path
        resource = Resource.from_contents(contents, default_specification=specification)
        for uri in filter(None, (contents["$id"], alias)):
            resources.append((uri, resource))
            classes[uri] = cls
    return Registry(retrieve=_offline).with_resources(resources), classes


FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.fullmatch(value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


def errors(schema_uri: str, document: dict[str, Any]) -> list[str]:
    """Every schema error as `path: message`, sorted (empty when the document is valid)."""
    registry, classes = schemas()
    resource = registry.get_or_retrieve(schema_uri).value
    validator = classes[schema_uri](resource.contents, registry=registry, format_checker=FORMATS)
    return sorted(describe(error) for error in validator.iter_errors(document))


def describe(error) -> str:
    """`/path: [keyword=value] message`, short enough to read in a failure report."""
    path = "/" + "/".join(str(p) for p in error.absolute_path)
    value = repr(error.validator_value)
    value = value if len(value) <= 80 else value[:77] + "..."
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    return f"{path}: [{error.validator}={value}] {message}"


def named_schema(credential: dict[str, Any]) -> str:
    [schema] = credential["credentialSchema"]
    assert schema["type"] == ob3.SCHEMA_VALIDATOR
    return schema["id"]


# -- the issued documents --------------------------------------------------------------------


@pytest.fixture(scope="module")
def issued(app, tmp_path_factory) -> dict[str, Any]:
    """Issued documents by name, made once for the module through the app (rolled back)."""
    documents: dict[str, Any] = {}
    with world.shared_database(app):
        client = app.test_client()
        world.load_content(app)
        people = world.make_people()
        world.reach_machine_operator(client, people, tmp_path_factory.mktemp("plar"))
        by_equivalence = world.make_people("cpt.holder@example.com")
        world.reach_by_equivalence(by_equivalence)
        for row in world.issued(kind=CredentialKind.MICRO_CREDENTIAL):
            credential = world.document(row)
            code = credential["credentialSubject"]["achievement"]["humanCode"]
            documents[f"micro_credential {code}"] = credential
        endorsements = world.issued(kind=CredentialKind.ENDORSEMENT)
        assert endorsements, "the content's endorsements were not signed"
        for row in endorsements:
            documents[f"endorsement {row.issuer.code} {row.uuid}"] = world.document(row)
        stacked = world.certification_of(people.learner, "ILL-MO")
        equivalent = world.certification_of(by_equivalence.learner, "ILL-MO")
        for label, certification in (("stack", stacked), ("equivalence", equivalent)):
            for kind in (CredentialKind.RECORD, CredentialKind.CERTIFICATION):
                row = world.only(kind, certification_id=certification.id)
                documents[f"{kind.value} {label}"] = world.document(row)
        for code in ("northshore-college", "great-lakes-precision", "cme-clc"):
            response = client.get(f"/orgs/{code}/profile")
            assert response.status_code == 200, code
            documents[f"profile {code}"] = response.get_json(force=True)
        for purpose, entry in world.entries(documents["record stack"]).items():
            served = world.served_list(client, entry["statusListCredential"])
            documents[f"status_list {purpose}"] = served.get_json(force=True)
    return documents


def names(prefix: str) -> list[str]:
    """Parametrisation labels; the documents themselves come from the `issued` fixture."""
    return {
        "micro_credential": [f"micro_credential {c}" for c in world.MACHINE_OPERATOR_INPUTS],
        "certification": ["certification stack", "certification equivalence"],
        "record": ["record stack", "record equivalence"],
    }[prefix]


# -- OB 3.0 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", names("micro_credential") + names("certification"))
def test_open_badge_credentials_validate_against_achievementcredential(issued, name):
    credential = issued[name]
    assert named_schema(credential) == ob3.ACHIEVEMENT_SCHEMA
    found = errors(ob3.ACHIEVEMENT_SCHEMA, credential)
    assert not found, "\n".join(found)


def test_endorsement_credentials_validate_against_endorsementcredential(issued):
    endorsements = {name: doc for name, doc in issued.items() if name.startswith("endorsement ")}
    assert endorsements
    for name, credential in endorsements.items():
        assert named_schema(credential) == ob3.ENDORSEMENT_SCHEMA, name
        found = errors(ob3.ENDORSEMENT_SCHEMA, credential)
        assert not found, name + ":\n" + "\n".join(found)


def test_endorsements_inside_an_achievement_are_the_signed_endorsement_credentials(issued):
    standalone = {doc["id"]: doc for name, doc in issued.items() if name.startswith("endorsement ")}
    carried = [
        endorsement
        for name in names("micro_credential")
        for endorsement in issued[name]["credentialSubject"]["achievement"].get("endorsement", [])
    ]
    assert carried, "no achievement carries its partner's endorsement"
    for endorsement in carried:
        assert endorsement == standalone[endorsement["id"]]


# -- VC 2.0 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    names("micro_credential")
    + names("certification")
    + names("record")
    + ["status_list revocation", "status_list suspension"],
)
def test_every_credential_validates_against_the_vc_2_0_schema(issued, name):
    found = errors(VC_SCHEMA, issued[name])
    assert not found, "\n".join(found)


def test_endorsement_credentials_validate_against_the_vc_2_0_schema(issued):
    endorsements = [doc for name, doc in issued.items() if name.startswith("endorsement ")]
    for credential in endorsements:
        found = errors(VC_SCHEMA, credential)
        assert not found, "\n".join(found)


# -- CLR 2.0 (pre-final draft schema) ------------------------------------------------------------

# Keys of a BitstringStatusListEntry beyond {id, type}. The final OB 3.0 CredentialStatus
# allows additional properties; the draft CLR schema's does not.
STATUS_ENTRY_EXTRAS = ("statusPurpose", "statusListIndex", "statusListCredential")


def _is_credential(node: dict[str, Any]) -> bool:
    types = node.get("type")
    types = types if isinstance(types, list) else [types]
    return "VerifiableCredential" in types


def to_clr_draft(node: Any) -> Any:
    """A copy of a CLR 2.0 document as the pre-final draft-04 schema expects it.

    The mappings, applied to the ClrCredential and to every credential inside it (the
    `verifiableCredential` entries and the `endorsement` credentials of achievements),
    and nothing else:
    1. `validFrom` -> `issuanceDate`, `validUntil` -> `expirationDate` (VC 1.1 names;
       the draft requires `issuanceDate` on every credential).
    2. EndorsementCredential `name` removed: final OB 3.0 requires it, the draft's
       EndorsementCredential (additionalProperties false) has no such property.
    3. In each `credentialStatus` entry, the BitstringStatusListEntry properties
       `statusPurpose`, `statusListIndex`, `statusListCredential` removed: the draft's
       CredentialStatus allows only `id` and `type`. (Whether `credentialStatus` is one
       object or a list is not mapped: final OB 3.0 wants one object too.)
    """
    if isinstance(node, list):
        return [to_clr_draft(item) for item in node]
    if not isinstance(node, dict):
        return node
    if not _is_credential(node):
        return {key: to_clr_draft(value) for key, value in node.items()}
    mapped: dict[str, Any] = {}
    types = node.get("type") or []
    for key, value in node.items():
        if key == "validFrom":
            key = "issuanceDate"
        elif key == "validUntil":
            key = "expirationDate"
        elif key == "name" and "EndorsementCredential" in types:
            continue
        elif key == "credentialStatus":
            entries = value if isinstance(value, list) else [value]
            stripped = [
                {k: v for k, v in entry.items() if k not in STATUS_ENTRY_EXTRAS}
                for entry in entries
            ]
            mapped[key] = stripped if isinstance(value, list) else stripped[0]
            continue
        mapped[key] = to_clr_draft(value)
    return mapped


@pytest.mark.parametrize("name", names("record"))
def test_clr_credentials_validate_against_the_draft_clr_schema(issued, name):
    record = issued[name]
    assert named_schema(record) == clr.CLR_SCHEMA
    found = errors(clr.CLR_SCHEMA, to_clr_draft(record))
    assert not found, "\n".join(found)


def test_the_draft_mapping_leaves_the_signed_document_alone(issued):
    record = issued["record stack"]
    before = copy.deepcopy(record)
    mapped = to_clr_draft(record)
    assert record == before
    assert "issuanceDate" in mapped and "validFrom" not in mapped
    [nested, *_] = mapped["credentialSubject"]["verifiableCredential"]
    assert "issuanceDate" in nested and "validFrom" not in nested


def test_the_schemas_reject_what_they_should(issued):
    """The checks can fail: a missing required property and a bad date-time are reported."""
    credential = copy.deepcopy(issued["micro_credential ILL-SAFE"])
    del credential["credentialSubject"]["achievement"]["criteria"]
    credential["validFrom"] = "2026-13-01T00:00:00Z"
    found = errors(ob3.ACHIEVEMENT_SCHEMA, credential)
    assert any("'criteria' is a required property" in e for e in found), found
    assert any(e.startswith("/validFrom:") and "date-time" in e for e in found), found
    record = to_clr_draft(issued["record stack"])
    del record["credentialSubject"]["type"]
    assert any("'type' is a required property" in e for e in errors(clr.CLR_SCHEMA, record))


@pytest.mark.parametrize("code", ["northshore-college", "great-lakes-precision", "cme-clc"])
def test_issuer_profiles_validate_and_name_the_issuers_did(issued, code):
    profile = issued[f"profile {code}"]
    found = errors(PROFILE_SCHEMA, profile)
    assert not found, "\n".join(found)
    issuers = {
        doc["issuer"]["id"]
        for name, doc in issued.items()
        if isinstance(doc.get("issuer"), dict) and not name.startswith("profile ")
    }
    assert profile["id"] in issuers
    assert profile["id"].endswith(f":orgs:{code}")
    assert "Profile" in profile["type"]
