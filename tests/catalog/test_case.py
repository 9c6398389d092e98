"""CASE 1.1: export validated against the official schema, round trip, foreign import, REST."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator

from pathways.catalog import case
from pathways.catalog import queries
from pathways.db import db
from pathways.db import transaction

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "spec"  # ../shared/spec beside the checkout, as in CI
SCHEMA = json.loads((SPEC / "case_v1p1" / "case_v1p1_cfpackage_schema.json").read_text())


@pytest.fixture
def loaded(app, database):
    result = app.test_cli_runner().invoke(args=["pathways", "load-content", str(ROOT / "content")])
    assert result.exit_code == 0, result.stderr


def _errors(package) -> list[str]:
    validator = Draft201909Validator(SCHEMA, format_checker=Draft201909Validator.FORMAT_CHECKER)
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(package)]


def _shape(package):
    """What a round trip must keep: items, hierarchy, codes, languages, associations."""
    return (
        sorted(
            (
                i["identifier"],
                i["humanCodingScheme"],
                i["CFItemType"],
                json.dumps(i["extensions"]["pathways"]["title"], sort_keys=True),
            )
            for i in package["CFItems"]
        ),
        sorted(
            (
                a["identifier"],
                a["associationType"],
                a["originNodeURI"]["identifier"],
                a["destinationNodeURI"]["identifier"],
                a.get("sequenceNumber"),
            )
            for a in package["CFAssociations"]
        ),
        package["CFDocument"]["extensions"]["pathways"]["title"],
    )


@pytest.mark.parametrize("identifier", ["certworkplus-ill", "mssc"])
def test_export_validates_against_the_case_schema(loaded, identifier):
    package = case.export_package(identifier)
    assert _errors(package) == []
    assert package["CFDocument"]["extensions"]["pathways"]["isIllustrative"] is True


def test_round_trip_keeps_items_hierarchy_codes_languages_associations(loaded):
    before = case.export_package("mssc")
    framework = queries.get_framework("mssc")
    with transaction():
        db.session.delete(framework)
    assert queries.get_framework("mssc") is None
    with transaction():
        result = case.import_package(json.loads(json.dumps(before)))
    assert (result.items_created, result.unmapped) == (len(before["CFItems"]), [])
    after = case.export_package("mssc")
    assert _shape(after) == _shape(before)
    assert queries.item_by_code("mssc", "MSSC-CPT-SAFETY").title["fr"] == "Sécurité"


def test_import_of_another_tools_package_reports_what_it_cannot_map(app, database):
    doc_id, a, b, b_fr, c = (str(uuid.uuid4()) for _ in range(5))

    def node(identifier, title):
        return {
            "identifier": identifier,
            "uri": f"https://other.example/{identifier}",
            "title": title,
        }

    package = {
        "CFDocument": {
            "identifier": doc_id,
            "uri": f"https://other.example/{doc_id}",
            "creator": "Other",
            "title": "Welding Standard",
            "lastChangeDateTime": "2024-01-01T00:00:00Z",
            "language": "en-US",
            "subjectURI": [],
        },
        "CFItems": [
            {
                "identifier": a,
                "fullStatement": "Welder",
                "CFItemType": "Occupation",
                "humanCodingScheme": "W",
                "uri": "u",
                "lastChangeDateTime": "2024-01-01T00:00:00Z",
            },
            {
                "identifier": b,
                "fullStatement": "Welds safely",
                "CFItemType": "Standard",
                "humanCodingScheme": "W.1",
                "uri": "u",
                "language": "en",
                "lastChangeDateTime": "2024-01-01T00:00:00Z",
                "educationLevel": ["12"],
            },
            {
                "identifier": b_fr,
                "fullStatement": "Soude en sécurité",
                "language": "fr",
                "uri": "u",
                "lastChangeDateTime": "2024-01-01T00:00:00Z",
            },
        ],
        "CFAssociations": [
            {
                "identifier": str(uuid.uuid4()),
                "associationType": "isChildOf",
                "originNodeURI": node(a, "Welder"),
                "destinationNodeURI": node(doc_id, "Doc"),
                "uri": "u",
                "lastChangeDateTime": "2024-01-01T00:00:00Z",
            },
            {
                "identifier": str(uuid.uuid4()),
                "associationType": "isChildOf",
                "originNodeURI": node(b, "Welds"),
                "destinationNodeURI": node(a, "Welder"),
                "uri": "u",
                "lastChangeDateTime": "2024-01-01T00:00:00Z",
            },
            {
                "identifier": str(uuid.uuid4()),
                "associationType": "isTranslationOf",
                "originNodeURI": node(b_fr, "Soude"),
                "destinationNodeURI": node(b, "Welds"),
                "uri": "u",
                "lastChangeDateTime": "2024-01-01T00:00:00Z",
            },
            {
                "identifier": (missing := str(uuid.uuid4())),
                "associationType": "exactMatchOf",
                "originNodeURI": node(b, "Welds"),
                "destinationNodeURI": node(c, "Elsewhere"),
                "uri": "u",
                "lastChangeDateTime": "2024-01-01T00:00:00Z",
            },
        ],
    }
    with transaction():
        result = case.import_package(package)
    assert result.unmapped == [
        "CFDocument.subjectURI: kept in the framework's extra data",
        f"CFItem {b}.educationLevel: kept in the item's extra data",
        f"CFItem {b}: CFItemType 'Standard' is not a Pathways kind; taken as indicator",
        f"CFAssociation {missing}: exactMatchOf to a node not in Pathways ({b} -> {c})",
    ]
    framework = result.framework
    items = queries.items_of(framework.id)
    assert [(i.code, i.kind.value, i.title) for i in items] == [
        ("W", "occupation", {"en": "Welder"}),
        ("W.1", "indicator", {"en": "Welds safely", "fr": "Soude en sécurité"}),
    ]
    assert items[1].parent_id == items[0].id
    assert _errors(case.export_package(framework.identifier)) == []


def test_case_rest_binding(loaded, client):
    framework = queries.get_framework("certworkplus-ill")
    documents = client.get("/ims/case/v1p1/CFDocuments").json["CFDocuments"]
    assert sorted(d["identifier"] for d in documents) == sorted(
        [framework.uuid, queries.get_framework("mssc").uuid]
    )
    package = client.get(f"/ims/case/v1p1/CFPackages/{framework.uuid}")
    assert (package.status_code, _errors(package.json)) == (200, [])
    item = framework.items[0]
    assert client.get(f"/ims/case/v1p1/CFItems/{item.uuid}").json["humanCodingScheme"] == (
        item.code
    )
    association = queries.exact_equivalences()[0]
    body = client.get(f"/ims/case/v1p1/CFAssociations/{association.uuid}").json
    assert body["associationType"] == "exactMatchOf"
    unknown = client.get("/ims/case/v1p1/CFItems/nope")
    assert unknown.status_code == 404
    assert unknown.json["imsx_codeMajor"] == "failure"
    assert (
        unknown.json["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        == "unknownobject"
    )


def test_cli_exports_and_imports_a_package(loaded, app, tmp_path):
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["pathways", "case", "export", "mssc"])
    assert exported.exit_code == 0, exported.output
    package = json.loads(exported.output)
    assert _errors(package) == []
    path = tmp_path / "package.json"
    path.write_text(json.dumps(package))
    imported = runner.invoke(args=["pathways", "case", "import", str(path)])
    assert imported.exit_code == 0, imported.output
    crosswalk = [a for a in package["CFAssociations"] if a["associationType"] != "isChildOf"]
    assert imported.output.splitlines()[0] == (
        f"imported mssc: 0 item(s) created, {len(package['CFItems'])} updated, "
        f"{len(crosswalk)} association(s)"
    )


def test_cli_refuses_a_file_that_is_not_json(app, database, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    result = app.test_cli_runner().invoke(args=["pathways", "case", "import", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith("error: not JSON:")


def test_cli_export_of_an_unknown_framework_fails(app, database):
    result = app.test_cli_runner().invoke(args=["pathways", "case", "export", "nope"])
    assert result.exit_code == 1 and result.output.startswith("error:")
