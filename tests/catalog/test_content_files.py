"""The shipped content validates, has the agreed shape, and broken copies fail exactly."""

from __future__ import annotations

import datetime
import graphlib
import importlib.util
import shutil
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pathways.catalog.content_schemas import check_rule_node
from pathways.catalog.content_schemas import load_yaml
from pathways.catalog.content_schemas import validate_content_dir
from pathways.catalog.content_schemas import walk_items

pytestmark = pytest.mark.unit

CONTENT = Path(__file__).resolve().parents[2] / "content"
OCCUPATIONS = ["ILL-MO", "ILL-AS", "ILL-MH", "ILL-LH", "ILL-SU", "ILL-MG"]
GATE_FIELDS = [
    "code",
    "title",
    "description",
    "issuing_organisation",
    "outcomes",
    "alignments",
    "assessment_methods",
    "evidence",
    "pass_standard",
    "assessor",
    "challenge_route",
    "effort_hours",
    "duration_weeks",
    "delivery_mode",
    "languages",
    "level",
    "credit_value",
    "industry_partners",
    "endorsement",
    "prerequisites",
    "stacks_into",
    "validity",
    "verification",
    "ownership_statement",
]


@pytest.fixture(scope="module")
def shipped() -> tuple[dict[str, list[dict]], list[str]]:
    return validate_content_dir(CONTENT)


@pytest.fixture(scope="module")
def content(shipped) -> dict[str, list[dict]]:
    return shipped[0]


def framework(content: dict, identifier: str) -> dict:
    (found,) = [f for f in content["frameworks"] if f["identifier"] == identifier]
    return found


def by_code(documents: list[dict]) -> dict[str, dict]:
    return {document["code"]: document for document in documents}


# --------------------------------------------------------------------------------------------
# The shipped content


def test_shipped_content_has_no_errors(shipped):
    assert shipped[1] == []


def test_every_file_is_loaded(content):
    assert {kind: len(documents) for kind, documents in content.items()} == {
        "organisations": 1,
        "frameworks": 2,
        "crosswalks": 1,
        "microcredentials": 19,
        "rules": 6,
    }


def test_organisations_cover_every_kind_and_leave_the_demo_ones_to_the_app(content):
    (document,) = content["organisations"]
    kinds: dict[str, int] = {}
    for organisation in document["organisations"]:
        kinds[organisation["kind"]] = kinds.get(organisation["kind"], 0) + 1
    codes = [organisation["code"] for organisation in document["organisations"]]
    assert kinds == {"standards_body": 2, "college": 4, "industry_partner": 5, "employer": 2}
    assert [code for code in codes if code.startswith("demo-")] == []
    assert [code for code in codes if code in ("cme-clc", "mssc")] == ["cme-clc", "mssc"]


def test_certworkplus_outline_has_six_occupations_within_the_limits(content):
    cwp = framework(content, "certworkplus-ill")
    occupations = cwp["items"]
    areas = {occupation["code"]: len(occupation["children"]) for occupation in occupations}
    competencies_per_area = sorted(
        {len(area["children"]) for occupation in occupations for area in occupation["children"]}
    )
    fewest_indicators = min(
        len(competency["children"])
        for occupation in occupations
        for area in occupation["children"]
        for competency in area["children"]
    )
    types: dict[str, int] = {}
    for item, _path, _parent in walk_items(occupations):
        types[item["type"]] = types.get(item["type"], 0) + 1
    assert [occupation["code"] for occupation in occupations] == OCCUPATIONS
    assert areas == {"ILL-MO": 7, "ILL-AS": 7, "ILL-MH": 7, "ILL-LH": 6, "ILL-SU": 8, "ILL-MG": 8}
    assert competencies_per_area == [3, 4]
    assert fewest_indicators == 3
    assert types == {"occupation": 6, "area": 43, "competency": 135, "indicator": 405}
    assert {o["code"]: o["group"] for o in occupations} == {
        "ILL-MO": "production",
        "ILL-AS": "production",
        "ILL-MH": "production",
        "ILL-LH": "leadership",
        "ILL-SU": "leadership",
        "ILL-MG": "leadership",
    }


def test_certworkplus_codes_follow_the_illustrative_scheme(content):
    wrong = []
    for item, _path, parent in walk_items(framework(content, "certworkplus-ill")["items"]):
        if parent is None:
            continue
        position = parent["children"].index(item) + 1
        separator = "-" if parent["type"] == "occupation" else "."
        if item["code"] != f"{parent['code']}{separator}{position}":
            wrong.append(item["code"])
    assert wrong == []


def test_certworkplus_is_marked_illustrative_with_the_notice(content):
    cwp = framework(content, "certworkplus-ill")
    assert (cwp["illustrative"], cwp["version"], cwp["publisher"]) == (True, "2025.1", "cme-clc")
    assert cwp["notice"] == {
        "en": "Illustrative outline written by Pathways; not the official CertWORK+ / AttestPLUS "
        "standard.",
        "fr": "Plan illustratif rédigé par Pathways; il ne s'agit pas de la norme officielle "
        "CertWORK+ / AttestPLUS.",
    }
    assert str(cwp["identifier_uuid"]) == "ec951b50-4ed0-4be7-bc21-d9fc1dd3d9d4"


def test_certworkplus_french_is_written_not_copied(content):
    same = [
        item["code"]
        for item, _path, _parent in walk_items(framework(content, "certworkplus-ill")["items"])
        if item["title"]["fr"] == item["title"]["en"]
    ]
    assert same == []


def language_maps(value: Any, path: str = "") -> Iterator[tuple[str, dict]]:
    if isinstance(value, dict):
        if "en" in value or "fr" in value:
            yield path, value
            return
        for key, child in value.items():
            yield from language_maps(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from language_maps(child, f"{path}.{index}")


def test_every_text_has_english_and_french(content):
    maps = [
        (kind, path, text)
        for kind, documents in content.items()
        for document in documents
        for path, text in language_maps(document)
    ]
    incomplete = [
        (kind, path)
        for kind, path, text in maps
        if sorted(text) != ["en", "fr"] or not text["en"].strip() or not text["fr"].strip()
    ]
    assert incomplete == []
    assert len(maps) == 1072


def test_mssc_structure_and_validity_are_data(content):
    mssc = framework(content, "mssc")
    credentials = {
        item["code"]: item["credential"]
        for item, _path, _parent in walk_items(mssc["items"])
        if "credential" in item
    }
    assert {code: credential["validity_years"] for code, credential in credentials.items()} == {
        "MSSC-CPT": 5,
        "MSSC-CPT-SAFETY": None,
        "MSSC-CPT-QUALITY": None,
        "MSSC-CPT-PROCESSES": None,
        "MSSC-CPT-MAINTENANCE": None,
        "MSSC-CPT-GREEN": None,
        "MSSC-CLA": None,
        "MSSC-CLT": 5,
    }
    assert credentials["MSSC-CPT"]["awarded_when_all_held"] == [
        "MSSC-CPT-SAFETY",
        "MSSC-CPT-QUALITY",
        "MSSC-CPT-PROCESSES",
        "MSSC-CPT-MAINTENANCE",
    ]
    assert credentials["MSSC-CLT"]["prerequisites"] == ["MSSC-CLA"]
    optional = [i["code"] for i, _p, _q in walk_items(mssc["items"]) if i.get("is_optional")]
    assert optional == ["MSSC-CPT-GREEN"]
    activities = {
        module["code"]: len(module["children"])
        for module in mssc["items"][0]["children"] + mssc["items"][1:]
    }
    assert activities == {
        "MSSC-CPT-SAFETY": 6,
        "MSSC-CPT-QUALITY": 6,
        "MSSC-CPT-PROCESSES": 7,
        "MSSC-CPT-MAINTENANCE": 4,
        "MSSC-CPT-GREEN": 4,
        "MSSC-CLA": 6,
        "MSSC-CLT": 9,
    }


def test_crosswalk_declares_exactly_the_two_mou_equivalences(content):
    (crosswalk,) = content["crosswalks"]
    declared_exact = [
        (a["source_item"]["code"], a["case_type"], a["target_item"]["code"])
        for a in crosswalk["associations"]
        if a["relation"] == "exact" and a["status"] == "declared"
    ]
    scopes = {
        a["scope"]["statement"]["en"] for a in crosswalk["associations"] if a["relation"] == "exact"
    }
    assert crosswalk["name"] == "CME-MSSC-2015"
    assert declared_exact == [
        ("MSSC-CPT", "exactMatchOf", "ILL-AS"),
        ("MSSC-CPT", "exactMatchOf", "ILL-MO"),
    ]
    assert scopes == {"Full CPT, current; not single modules."}
    assert (crosswalk["source"]["signed_on"], crosswalk["source"]["press_release_on"]) == (
        datetime.date(2015, 9, 28),
        datetime.date(2015, 9, 29),
    )
    assert crosswalk["asserted_by"] == ["cme-clc", "mssc"]


def test_crosswalk_only_relates_cla_and_clt_to_material_handler(content):
    (crosswalk,) = content["crosswalks"]
    material_handler = [
        (a["source_item"]["code"], a["relation"], a["case_type"], a["status"])
        for a in crosswalk["associations"]
        if a["target_item"]["code"] == "ILL-MH"
    ]
    assert material_handler == [
        ("MSSC-CLA", "related", "isRelatedTo", "proposed"),
        ("MSSC-CLT", "related", "isRelatedTo", "proposed"),
    ]


def test_microcredentials_fill_every_publish_gate_field(content):
    missing = {
        document["code"]: [name for name in GATE_FIELDS if name not in document]
        for document in content["microcredentials"]
    }
    assert missing == {document["code"]: [] for document in content["microcredentials"]}
    assert {(d["version"], d["status"]) for d in content["microcredentials"]} == {(1, "published")}


def test_microcredentials_come_from_college_industry_partnerships(content):
    partnerships = {
        (document["issuing_organisation"], partner["organisation"])
        for document in content["microcredentials"]
        for partner in document["industry_partners"]
        if partner["role"] == "co_designer"
    }
    assert sorted(partnerships) == [
        ("college-riverain", "laurentide-logistics"),
        ("ironwood-college", "prairie-food-processors"),
        ("ironwood-college", "red-river-components"),
        ("maple-valley-polytechnic", "boreal-steel"),
        ("maple-valley-polytechnic", "trillium-assemblies"),
        ("northshore-college", "boreal-steel"),
        ("northshore-college", "great-lakes-precision"),
    ]


def test_microcredentials_mirror_the_domain_example(content):
    credentials = by_code(content["microcredentials"])
    assert {
        code: credentials[code]["effort_hours"] for code in ("ILL-SAFE", "ILL-MEAS", "ILL-CNC")
    } == {
        "ILL-SAFE": 30,
        "ILL-MEAS": 35,
        "ILL-CNC": 60,
    }
    expiring = {
        code: c["validity"]["months"]
        for code, c in credentials.items()
        if c["validity"]["months"] != "does not expire"
    }
    assert expiring == {"ILL-SAFE": 36, "ILL-LIFT": 36}


def test_microcredential_modules_carry_one_to_three_activity_iris(content):
    counts = sorted(
        {
            len(module["xapi_activity_ids"])
            for document in content["microcredentials"]
            for module in document["modules"]
        }
    )
    assert counts == [2]


def test_prerequisites_are_acyclic_and_ordered(content):
    graph = {
        d["code"]: set(d["prerequisites"]) if isinstance(d["prerequisites"], list) else set()
        for d in content["microcredentials"]
    }
    order = list(graphlib.TopologicalSorter(graph).static_order())
    position = {code: index for index, code in enumerate(order)}
    assert {code: sorted(before) for code, before in graph.items() if before} == {
        "ILL-ASSY": ["ILL-DRAW"],
        "ILL-CNC": ["ILL-MEAS"],
        "ILL-LIFT": ["ILL-SAFE"],
        "ILL-MGSYS": ["ILL-PEOPLE"],
        "ILL-OPSMGT": ["ILL-SUPV"],
        "ILL-PEOPLE": ["ILL-COACH"],
        "ILL-PRESS": ["ILL-SAFE"],
        "ILL-SUPV": ["ILL-LEAD"],
    }
    assert [
        c for c, before in graph.items() if any(position[b] > position[c] for b in before)
    ] == []


# --------------------------------------------------------------------------------------------
# The stacking rules


def holds(node: dict, *, held: set[str], hours: dict[str, int], equivalence: bool) -> bool:
    """Whether a rule holds for a learner with ``held`` credentials, PLAR for every indicator
    and a sign-off: a static check that the content's rules can be completed."""
    ((kind, body),) = node.items()

    def again(child: dict) -> bool:
        return holds(child, held=held, hours=hours, equivalence=equivalence)

    if kind == "all":
        return all(again(child) for child in body)
    if kind == "any":
        return any(again(child) for child in body)
    if kind == "n_of":
        return sum(again(child) for child in body["rules"]) >= body["n"]
    if kind == "credential":
        return (body if isinstance(body, str) else body["code"]) in held
    if kind == "min_hours":
        pool = body.get("from") or list(hours)
        return sum(hours[code] for code in pool if code in held) >= body["hours"]
    if kind == "within_years":
        return again(body["rule"])
    if kind == "equivalent":
        return equivalence
    assert kind in ("covers", "signoff")
    return True


def rule_nodes(node: dict) -> Iterator[tuple[str, Any]]:
    ((kind, body),) = node.items()
    yield kind, body
    children = {"all": body, "any": body}.get(kind)
    if kind == "n_of":
        children = body["rules"]
    if kind == "within_years":
        children = [body["rule"]]
    for child in children or []:
        yield from rule_nodes(child)


def test_one_rule_per_occupation(content):
    assert sorted(r["occupation"] for r in content["rules"]) == sorted(OCCUPATIONS)
    assert {(r["framework"], r["version"], r["illustrative"]) for r in content["rules"]} == {
        ("certworkplus-ill", 1, True)
    }


def test_only_assembler_and_machine_operator_accept_the_cpt(content):
    equivalents = {
        rule["occupation"]: [
            body for kind, body in rule_nodes(rule["rule"]) if kind == "equivalent"
        ]
        for rule in content["rules"]
    }
    cpt = [{"crosswalk": "CME-MSSC-2015", "credential": "MSSC-CPT"}]
    assert equivalents == {
        "ILL-MO": cpt,
        "ILL-AS": cpt,
        "ILL-MH": [],
        "ILL-LH": [],
        "ILL-SU": [],
        "ILL-MG": [],
    }


def test_every_occupation_can_be_completed_by_stacking(content):
    hours = {d["code"]: d["effort_hours"] for d in content["microcredentials"]}
    everything = {
        rule["occupation"]: holds(rule["rule"], held=set(hours), hours=hours, equivalence=False)
        for rule in content["rules"]
    }
    nothing = {
        rule["occupation"]: holds(rule["rule"], held=set(), hours=hours, equivalence=True)
        for rule in content["rules"]
    }
    assert everything == dict.fromkeys(OCCUPATIONS, True)
    assert nothing == {
        "ILL-MO": True,
        "ILL-AS": True,
        "ILL-MH": False,
        "ILL-LH": False,
        "ILL-SU": False,
        "ILL-MG": False,
    }


def test_machine_operator_rule_mirrors_the_domain_example(content):
    (rule,) = [r for r in content["rules"] if r["occupation"] == "ILL-MO"]
    hours = {d["code"]: d["effort_hours"] for d in content["microcredentials"]}
    ana = {"ILL-SAFE", "ILL-MEAS", "ILL-CNC"}
    assert holds(rule["rule"], held=ana, hours=hours, equivalence=False) is True
    assert holds(rule["rule"], held=ana - {"ILL-CNC"}, hours=hours, equivalence=False) is False
    assert [kind for kind, _ in rule_nodes(rule["rule"])] == [
        "any",
        "all",
        "within_years",
        "credential",
        "credential",
        "n_of",
        "credential",
        "credential",
        "min_hours",
        "covers",
        "equivalent",
    ]


# --------------------------------------------------------------------------------------------
# Broken copies


def edit(root: Path, relative: str, change: Callable[[Any], Any]) -> None:
    path = root / relative
    document = load_yaml(path)
    result = change(document)
    path.write_text(
        yaml.safe_dump(document if result is None else result, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )


def drop_module_title_fr(document: dict) -> None:
    del document["modules"][2]["title"]["fr"]


def unknown_alignment(document: dict) -> None:
    document["alignments"][0]["item"] = "ILL-MO-9.9.9"


def unknown_college(document: dict) -> None:
    document["issuing_organisation"] = "nowhere-college"


def meas_requires_cnc(document: dict) -> None:
    document["prerequisites"] = ["ILL-CNC"]


def drop_ownership(document: dict) -> None:
    del document["ownership_statement"]


def blank_description(document: dict) -> None:
    document["description"]["en"] = "  "


def unknown_prerequisite(document: dict) -> None:
    document["prerequisites"] = ["ILL-NOPE"]


def two_keys(document: dict) -> None:
    document["rule"]["all"][1] = {"credential": "ILL-LEAD", "any": []}


def unknown_kind(document: dict) -> None:
    document["rule"]["all"][1] = {"credentials": "ILL-LEAD"}


def too_many(document: dict) -> None:
    document["rule"]["any"][0]["all"][2]["n_of"]["n"] = 3


def cla_equivalence(document: dict) -> None:
    document["rule"]["all"].append(
        {"equivalent": {"crosswalk": "CME-MSSC-2015", "credential": "MSSC-CLA"}}
    )


def unknown_cover(document: dict) -> None:
    document["rule"]["all"][4]["covers"]["items"] = ["ILL-SU-99"]


def bad_fraction(document: dict) -> None:
    document["rule"]["all"][4]["covers"]["fraction"] = 1.5


def unknown_target(document: dict) -> None:
    document["associations"][0]["target_item"]["code"] = "ILL-XX"


def wrong_case_type(document: dict) -> None:
    document["associations"][2]["case_type"] = "exactMatchOf"


def duplicate_item(document: dict) -> None:
    document["items"][0]["children"][0]["code"] = "ILL-MO-2"


def unknown_field(document: dict) -> None:
    document["organisations"][3]["colour"] = "red"


def drop_effort_hours(document: dict) -> None:
    del document["effort_hours"]


def not_a_mapping(document: dict) -> list:
    return ["a", "b"]


BROKEN = [
    (
        "microcredentials/ill-safe.yaml",
        drop_module_title_fr,
        ["microcredentials/ill-safe.yaml: modules.2.title.fr: Missing data for required field."],
    ),
    (
        "microcredentials/ill-cnc.yaml",
        unknown_alignment,
        [
            "microcredentials/ill-cnc.yaml: alignments.0.item: "
            "Unknown item ILL-MO-9.9.9 in certworkplus-ill."
        ],
    ),
    (
        "microcredentials/ill-meas.yaml",
        unknown_college,
        [
            "microcredentials/ill-meas.yaml: issuing_organisation: "
            "Unknown organisation nowhere-college."
        ],
    ),
    (
        "microcredentials/ill-meas.yaml",
        meas_requires_cnc,
        [
            "microcredentials/ill-cnc.yaml: prerequisites: "
            "Prerequisite cycle: ILL-CNC -> ILL-MEAS -> ILL-CNC."
        ],
    ),
    (
        "microcredentials/ill-lift.yaml",
        drop_ownership,
        [
            "microcredentials/ill-lift.yaml: ownership_statement: "
            "Missing data for required field (publish gate)."
        ],
    ),
    (
        "microcredentials/ill-lift.yaml",
        blank_description,
        ["microcredentials/ill-lift.yaml: description.en: Must not be blank."],
    ),
    (
        "microcredentials/ill-cnc.yaml",
        unknown_prerequisite,
        ["microcredentials/ill-cnc.yaml: prerequisites.0: Unknown micro-credential ILL-NOPE."],
    ),
    (
        "rules/ill-lh.yaml",
        two_keys,
        [
            "rules/ill-lh.yaml: rule.all.1: A rule node has exactly one key (one of all, any, "
            "n_of, credential, min_hours, covers, within_years, equivalent, signoff); "
            "got any, credential."
        ],
    ),
    (
        "rules/ill-lh.yaml",
        unknown_kind,
        [
            "rules/ill-lh.yaml: rule.all.1: Unknown rule node kind 'credentials'; expected one "
            "of all, any, n_of, credential, min_hours, covers, within_years, equivalent, signoff."
        ],
    ),
    (
        "rules/ill-mo.yaml",
        too_many,
        ["rules/ill-mo.yaml: rule.any.0.all.2.n_of.n: 3 is more than the 2 rules."],
    ),
    (
        "rules/ill-mh.yaml",
        cla_equivalence,
        [
            "rules/ill-mh.yaml: rule.all.6.equivalent.credential: CME-MSSC-2015 declares no "
            "exact equivalence between MSSC-CLA and ILL-MH."
        ],
    ),
    (
        "rules/ill-su.yaml",
        unknown_cover,
        ["rules/ill-su.yaml: rule.all.4.covers.items.0: Unknown item ILL-SU-99."],
    ),
    (
        "rules/ill-su.yaml",
        bad_fraction,
        [
            "rules/ill-su.yaml: rule.all.4.covers.fraction: "
            "Must be a number greater than 0 and at most 1."
        ],
    ),
    (
        "crosswalks/cme-mssc-2015.yaml",
        unknown_target,
        [
            "crosswalks/cme-mssc-2015.yaml: associations.0.target_item.code: "
            "Unknown item ILL-XX in certworkplus-ill.",
            # The Assembler rule leans on the association that no longer names ILL-AS.
            "rules/ill-as.yaml: rule.any.1.equivalent.credential: "
            "CME-MSSC-2015 declares no exact equivalence between MSSC-CPT and ILL-AS.",
        ],
    ),
    (
        "crosswalks/cme-mssc-2015.yaml",
        wrong_case_type,
        [
            "crosswalks/cme-mssc-2015.yaml: associations.2.case_type: "
            "A related relation exports as isRelatedTo."
        ],
    ),
    (
        "frameworks/certworkplus-ill.yaml",
        duplicate_item,
        [
            "frameworks/certworkplus-ill.yaml: items.0.children.1.code: "
            "Duplicate item code ILL-MO-2."
        ],
    ),
    (
        "organisations.yaml",
        unknown_field,
        ["organisations.yaml: organisations.3.colour: Unknown field."],
    ),
    (
        "rules/ill-mg.yaml",
        not_a_mapping,
        ["rules/ill-mg.yaml: _schema: A content file holds one mapping."],
    ),
]


@pytest.mark.parametrize(
    ("relative", "change", "expected"), BROKEN, ids=[change.__name__ for _, change, _ in BROKEN]
)
def test_broken_copy_reports_exactly(tmp_path, relative, change, expected):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    edit(root, relative, change)
    assert validate_content_dir(root)[1] == expected


def test_duplicate_microcredential_code_is_reported_once(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    shutil.copy(root / "microcredentials/ill-safe.yaml", root / "microcredentials/ill-safe2.yaml")
    assert validate_content_dir(root)[1] == [
        "microcredentials/ill-safe2.yaml: code: Duplicate micro-credential code ILL-SAFE."
    ]


def test_broken_microcredential_is_not_reported_again_where_it_is_named(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    edit(root, "microcredentials/ill-safe.yaml", drop_effort_hours)
    assert validate_content_dir(root)[1] == [
        "microcredentials/ill-safe.yaml: effort_hours: "
        "Missing data for required field (publish gate).",
    ]


def test_missing_directory_and_files(tmp_path):
    assert validate_content_dir(tmp_path / "nowhere")[1] == [
        f"{tmp_path / 'nowhere'}: _schema: Not a directory."
    ]
    assert validate_content_dir(tmp_path)[1] == ["organisations.yaml: _schema: Missing file."]


# --------------------------------------------------------------------------------------------
# The generators under content/tools reproduce the committed YAML


def load_tool(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, CONTENT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_framework_files_match_their_generator():
    tool = load_tool("build_frameworks")
    generated = {
        "certworkplus-ill.yaml": tool.build_certworkplus(),
        "mssc.yaml": tool.build_mssc(),
    }
    committed = {
        name: yaml.safe_load((CONTENT / "frameworks" / name).read_text("utf-8"))
        for name in generated
    }
    assert generated == committed


def test_microcredential_files_match_their_generator():
    tool = load_tool("build_microcredentials")
    index = tool.framework_index()
    generated = {
        f"{spec['code'].lower()}.yaml": tool.build(spec, number, index)
        for number, spec in enumerate(tool.MICROCREDENTIALS, start=1)
    }
    committed = {
        path.name: yaml.safe_load(path.read_text("utf-8"))
        for path in sorted((CONTENT / "microcredentials").glob("*.yaml"))
    }
    assert generated == committed


# --------------------------------------------------------------------------------------------
# Rule node syntax


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"credential": "ILL-SAFE"}, {}),
        ({"credential": {"code": "ILL-SAFE", "min_version": 2}}, {}),
        (
            {"credential": {"code": "ILL-SAFE", "min_version": 0}},
            {"credential": {"min_version": ["Must be a whole number of at least 1."]}},
        ),
        (
            {"credential": {"version": 2}},
            {
                "credential": {
                    "code": ["Missing data for required field."],
                    "version": ["Unknown field."],
                }
            },
        ),
        ({"min_hours": {"hours": 120}}, {}),
        (
            {"min_hours": {"hours": "120", "from": []}},
            {
                "min_hours": {
                    "hours": ["Must be a whole number of at least 1."],
                    "from": ["Must be a non-empty list of codes."],
                }
            },
        ),
        (
            {"within_years": {"years": 3, "rule": {"any": []}}},
            {"within_years": {"rule": {"any": ["Needs at least 1 rule node."]}}},
        ),
        (
            {"n_of": {"n": 1, "rules": [{"credential": "A"}], "distinct": "yes"}},
            {"n_of": {"distinct": ["Not a valid boolean."]}},
        ),
        (
            {"equivalent": {"crosswalk": "CME-MSSC-2015"}},
            {"equivalent": {"credential": ["Missing data for required field."]}},
        ),
        (
            {"signoff": {"note": {"en": "Signed off at work"}}},
            {"signoff": {"note": {"fr": ["Missing data for required field."]}}},
        ),
        ({"all": {"credential": "A"}}, {"all": ["Must be a list of rule nodes."]}),
        ("ILL-SAFE", ["A rule node is a mapping with exactly one key."]),
    ],
)
def test_rule_node_syntax(node, expected):
    assert check_rule_node(node) == expected
