"""Expand the compact framework outlines into content/frameworks/*.yaml.

The committed YAML files are the data; this script only saves typing. Run it from the
repository root after editing an outline:

    .venv/bin/python content/tools/build_frameworks.py

UUIDs are stable: an item whose code already exists in the YAML file keeps its UUID; only new
codes get a fresh uuid4. Codes follow the outline order, so insert new nodes at the end of their
parent to keep existing codes (and their UUIDs) pointing at the same text.

Outline format (certworkplus_outline.txt): one node per line, ``EN text | FR text``, prefixed by
``@ XX group`` for an occupation (XX is the two-letter code), ``*`` for an area, ``**`` for a
competency and ``***`` for a performance indicator; a line starting ``>`` gives the previous
node's description (``> EN | FR``); ``#`` starts a comment line.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
FRAMEWORKS = HERE.parent / "frameworks"

CERTWORKPLUS_UUID = "ec951b50-4ed0-4be7-bc21-d9fc1dd3d9d4"
MSSC_UUID = "226ba7c4-0efe-4620-8254-3100bea6728e"


class Flow(dict):
    """A mapping dumped on one line: the language maps."""


class Dumper(yaml.SafeDumper):
    pass


Dumper.add_representer(
    Flow, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, True)
)


def text(en: str, fr: str) -> Flow:
    return Flow(en=en.strip(), fr=fr.strip())


def existing_uuids(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    found: dict[str, str] = {}

    def walk(items: list[dict]) -> None:
        for item in items:
            found[item["code"]] = item["uuid"]
            walk(item.get("children") or [])

    walk(document.get("items") or [])
    return found


def node(kind: str, code: str, title: Flow, uuids: dict[str, str], **extra: object) -> dict:
    result: dict = {"type": kind, "code": code, "uuid": uuids.get(code) or str(uuid.uuid4())}
    result["title"] = title
    result.update(extra)
    return result


def split(line: str) -> Flow:
    if line.count("|") != 1:
        sys.exit(f"expected 'EN | FR': {line!r}")
    en, fr = line.split("|")
    return text(en, fr)


def parse_certworkplus(outline: str, uuids: dict[str, str]) -> list[dict]:
    occupations: list[dict] = []
    last: dict | None = None
    occupation = area = competency = None
    for number, raw in enumerate(outline.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(">"):
            if last is None:
                sys.exit(f"line {number}: description before any node")
            last["description"] = split(line[1:])
            continue
        if line.startswith("@"):
            head, rest = line[1:].split("|", 1)
            letters, group = head.split()
            code = f"ILL-{letters}"
            occupation = node("occupation", code, split(rest), uuids, group=group, children=[])
            occupations.append(occupation)
            last = occupation
        elif line.startswith("***"):
            children = competency["children"]
            code = f"{competency['code']}.{len(children) + 1}"
            last = node("indicator", code, split(line[3:]), uuids)
            children.append(last)
        elif line.startswith("**"):
            children = area["children"]
            code = f"{area['code']}.{len(children) + 1}"
            competency = node("competency", code, split(line[2:]), uuids, children=[])
            children.append(competency)
            last = competency
        elif line.startswith("*"):
            children = occupation["children"]
            code = f"{occupation['code']}-{len(children) + 1}"
            area = node("area", code, split(line[1:]), uuids, children=[])
            children.append(area)
            last = area
        else:
            sys.exit(f"line {number}: unknown line {line!r}")
    return [reorder(item) for item in occupations]


def reorder(item: dict) -> dict:
    """Put children last so each node reads top-down in the YAML."""
    ordered = {key: value for key, value in item.items() if key != "children"}
    if "children" in item:
        ordered["children"] = [reorder(child) for child in item["children"]]
    return ordered


def build_certworkplus() -> dict:
    path = FRAMEWORKS / "certworkplus-ill.yaml"
    outline = (HERE / "certworkplus_outline.txt").read_text(encoding="utf-8")
    return {
        "kind": "framework",
        "identifier": "certworkplus-ill",
        "identifier_uuid": CERTWORKPLUS_UUID,
        "title": text(
            "CertWORK+ manufacturing occupations (illustrative outline)",
            "Professions manufacturières AttestPLUS (plan illustratif)",
        ),
        "description": text(
            "An illustrative outline of the six CertWORK+ manufacturing occupations (Manager, "
            "Supervisor, Lead Hand, Machine Operator, Assembler, Material Handler), written by "
            "Pathways in its own words so colleges can align micro-credentials and learners can "
            "plan pathways. Licensed texts will replace these items by identifier.",
            "Un plan illustratif des six professions manufacturières AttestPLUS (gestionnaire, "
            "superviseur ou superviseure, chef d'équipe, opérateur ou opératrice de machine, "
            "assembleur ou assembleuse, manutentionnaire), rédigé par Pathways dans ses propres "
            "mots pour que les collèges puissent y arrimer leurs microcertifications et que les "
            "apprenants planifient leur parcours. Les textes sous licence remplaceront ces "
            "éléments par identifiant.",
        ),
        "publisher": "cme-clc",
        "version": "2025.1",
        "languages": ["en", "fr"],
        "illustrative": True,
        "notice": text(
            "Illustrative outline written by Pathways; not the official CertWORK+ / AttestPLUS "
            "standard.",
            "Plan illustratif rédigé par Pathways; il ne s'agit pas de la norme officielle "
            "CertWORK+ / AttestPLUS.",
        ),
        "items": parse_certworkplus(outline, existing_uuids(path)),
    }


# MSSC: the structure (modules, certifications, validity, prerequisites) is factual; the
# wording of the key work activities is Pathways' own.
MSSC_MODULES = [
    (
        "SAFETY",
        text("Safety", "Sécurité"),
        [
            text(
                "Inspect the work area for safety and environmental hazards",
                "Inspecter l'aire de travail pour repérer les dangers pour la sécurité et "
                "l'environnement",
            ),
            text(
                "Take part in emergency drills and emergency response teams",
                "Participer aux exercices d'urgence et aux équipes d'intervention",
            ),
            text(
                "Spot unsafe conditions and act to correct them",
                "Repérer les conditions dangereuses et agir pour les corriger",
            ),
            text(
                "Give safety orientation and train co-workers to use equipment safely",
                "Donner l'accueil en sécurité et former les collègues à l'utilisation sécuritaire "
                "de l'équipement",
            ),
            text(
                "Meet safety requirements during maintenance, installation and repair",
                "Respecter les exigences de sécurité pendant l'entretien, l'installation et la "
                "réparation",
            ),
            text(
                "Watch equipment and operators for safe performance and suggest safer practices",
                "Surveiller la sécurité de l'équipement et des opérateurs et proposer des "
                "pratiques plus sûres",
            ),
        ],
    ),
    (
        "QUALITY",
        text("Quality Practices & Measurement", "Pratiques de qualité et mesure"),
        [
            text(
                "Take part in internal quality audits",
                "Participer aux audits internes de la qualité",
            ),
            text(
                "Check that gauges and data collection equipment are calibrated",
                "Vérifier l'étalonnage des jauges et des appareils de collecte de données",
            ),
            text(
                "Inspect materials, products and processes against specifications at every stage",
                "Inspecter les matières, les produits et les procédés par rapport aux "
                "spécifications à chaque étape",
            ),
            text(
                "Record test results, process outcomes and trends",
                "Consigner les résultats d'essais, les résultats des procédés et les tendances",
            ),
            text(
                "Report quality problems and take corrective action",
                "Signaler les problèmes de qualité et prendre des mesures correctives",
            ),
            text(
                "Read basic drawings and use common and precision measuring tools",
                "Lire des dessins de base et utiliser les instruments de mesure courants et de "
                "précision",
            ),
        ],
    ),
    (
        "PROCESSES",
        text(
            "Manufacturing Processes & Production",
            "Procédés de fabrication et production",
        ),
        [
            text(
                "Identify what the customer needs from the product",
                "Cerner les besoins du client à l'égard du produit",
            ),
            text(
                "Confirm the resources available for a production run",
                "Confirmer les ressources disponibles pour une série de production",
            ),
            text(
                "Set up equipment for the production process",
                "Préparer l'équipement pour le procédé de production",
            ),
            text(
                "Set team production goals and coordinate work flow with other groups",
                "Fixer les objectifs de production de l'équipe et coordonner le flux de travail "
                "avec les autres groupes",
            ),
            text(
                "Run and monitor the process that makes the product",
                "Faire fonctionner et surveiller le procédé qui fabrique le produit",
            ),
            text(
                "Document that product and process meet customer requirements",
                "Documenter la conformité du produit et du procédé aux exigences du client",
            ),
            text(
                "Prepare finished product for shipping or distribution",
                "Préparer le produit fini pour l'expédition ou la distribution",
            ),
        ],
    ),
    (
        "MAINTENANCE",
        text("Maintenance Awareness", "Sensibilisation à l'entretien"),
        [
            text(
                "Carry out preventive maintenance and routine repairs",
                "Effectuer l'entretien préventif et les réparations courantes",
            ),
            text(
                "Watch gauges and indicators to confirm correct operation",
                "Surveiller les jauges et les indicateurs pour confirmer le bon fonctionnement",
            ),
            text(
                "Keep the area clean and orderly so production stays on schedule",
                "Garder l'aire propre et ordonnée pour que la production respecte l'horaire",
            ),
            text(
                "Recognise electrical, pneumatic, hydraulic, lubrication and drive problems and "
                "know when to call maintenance",
                "Reconnaître les problèmes électriques, pneumatiques, hydrauliques, de "
                "lubrification et d'entraînement et savoir quand appeler l'entretien",
            ),
        ],
    ),
    (
        "GREEN",
        text("Green Production", "Production écologique"),
        [
            text(
                "Identify the environmental impacts of production",
                "Cerner les répercussions environnementales de la production",
            ),
            text(
                "Apply pollution prevention, recycling and waste reduction practices",
                "Appliquer des pratiques de prévention de la pollution, de recyclage et de "
                "réduction des déchets",
            ),
            text(
                "Find ways to save energy and water in the process",
                "Trouver des moyens d'économiser l'énergie et l'eau dans le procédé",
            ),
            text(
                "Follow environmental regulations and company environmental procedures",
                "Respecter la réglementation environnementale et les procédures "
                "environnementales de l'entreprise",
            ),
        ],
    ),
]

MSSC_CLA = [
    text(
        "Explain how goods move through the global supply chain",
        "Expliquer comment les marchandises circulent dans la chaîne d'approvisionnement mondiale",
    ),
    text(
        "Describe the logistics work environment and its roles",
        "Décrire le milieu de travail de la logistique et ses rôles",
    ),
    text(
        "Apply safety principles and use safety equipment in the warehouse",
        "Appliquer les principes de sécurité et utiliser l'équipement de sécurité dans l'entrepôt",
    ),
    text(
        "Apply quality control principles to logistics work",
        "Appliquer les principes du contrôle de la qualité au travail logistique",
    ),
    text(
        "Communicate at work, work in teams and solve everyday problems",
        "Communiquer au travail, travailler en équipe et résoudre les problèmes courants",
    ),
    text(
        "Use computers and warehouse systems for logistics tasks",
        "Utiliser l'ordinateur et les systèmes d'entrepôt pour les tâches logistiques",
    ),
]

MSSC_CLT = [
    text("Receive incoming product", "Recevoir les produits entrants"),
    text(
        "Store product and manage storage locations",
        "Entreposer les produits et gérer les emplacements",
    ),
    text("Process orders and pick product", "Traiter les commandes et prélever les produits"),
    text("Pack and ship product", "Emballer et expédier les produits"),
    text("Control inventory", "Contrôler les stocks"),
    text(
        "Handle hazardous materials safely",
        "Manipuler les matières dangereuses de façon sécuritaire",
    ),
    text(
        "Compare transportation modes and choose one",
        "Comparer les modes de transport et en choisir un",
    ),
    text(
        "Dispatch and track shipments",
        "Répartir et suivre les expéditions",
    ),
    text(
        "Measure how well material handling equipment performs",
        "Mesurer l'efficacité de l'équipement de manutention",
    ),
]


def build_mssc() -> dict:
    path = FRAMEWORKS / "mssc.yaml"
    uuids = existing_uuids(path)
    modules = []
    for key, title, activities in MSSC_MODULES:
        code = f"MSSC-CPT-{key}"
        extra: dict = {}
        if key == "GREEN":
            extra["is_optional"] = True
            extra["description"] = text(
                "Optional module with its own certificate; not needed for the CPT.",
                "Module facultatif donnant droit à son propre certificat; il n'est pas exigé "
                "pour la CPT.",
            )
        extra["credential"] = {"validity_years": None}
        extra["children"] = [
            node("activity", f"{code}-{index}", activity, uuids)
            for index, activity in enumerate(activities, start=1)
        ]
        modules.append(node("module", code, title, uuids, **extra))
    cores = [module["code"] for module in modules if not module.get("is_optional")]
    cpt = node(
        "certification",
        "MSSC-CPT",
        text(
            "Certified Production Technician (CPT)",
            "Technicien ou technicienne de production certifié(e) (CPT)",
        ),
        uuids,
        description=text(
            "Awarded when all four core module certificates are held; renewed every five years. "
            "Each module exam is taken online (about 80-90 items, 90 minutes); no course is "
            "required.",
            "Décernée lorsque les quatre certificats de modules de base sont obtenus; "
            "renouvelée tous les cinq ans. Chaque examen de module se passe en ligne (environ "
            "80 à 90 questions, 90 minutes); aucun cours n'est exigé.",
        ),
        credential={"validity_years": 5, "awarded_when_all_held": cores},
        children=modules,
    )
    cla = node(
        "certification",
        "MSSC-CLA",
        text(
            "Certified Logistics Associate (CLA)",
            "Associé ou associée en logistique certifié(e) (CLA)",
        ),
        uuids,
        description=text(
            "Foundational logistics certification; it does not expire.",
            "Certification de base en logistique; elle n'expire pas.",
        ),
        credential={"validity_years": None},
        children=[
            node("activity", f"MSSC-CLA-{index}", activity, uuids)
            for index, activity in enumerate(MSSC_CLA, start=1)
        ],
    )
    clt = node(
        "certification",
        "MSSC-CLT",
        text(
            "Certified Logistics Technician (CLT)",
            "Technicien ou technicienne en logistique certifié(e) (CLT)",
        ),
        uuids,
        description=text(
            "Mid-level logistics certification; the CLA is a prerequisite; renewed every five "
            "years.",
            "Certification de niveau intermédiaire en logistique; la CLA est préalable; "
            "renouvelée tous les cinq ans.",
        ),
        credential={"validity_years": 5, "prerequisites": ["MSSC-CLA"]},
        children=[
            node("activity", f"MSSC-CLT-{index}", activity, uuids)
            for index, activity in enumerate(MSSC_CLT, start=1)
        ],
    )
    return {
        "kind": "framework",
        "identifier": "mssc",
        "identifier_uuid": MSSC_UUID,
        "title": text(
            "MSSC production and logistics certifications",
            "Certifications MSSC en production et en logistique",
        ),
        "description": text(
            "The Manufacturing Skill Standards Council's Certified Production Technician (four "
            "core modules and the optional Green Production module) and its logistics "
            "certifications (CLA, CLT). The structure and validity periods are MSSC's; the "
            "wording of the key work activities is Pathways' own. The version label is "
            "Pathways' snapshot, not an MSSC release name.",
            "La certification Certified Production Technician du Manufacturing Skill Standards "
            "Council (quatre modules de base et le module facultatif Production écologique) et "
            "ses certifications en logistique (CLA, CLT). La structure et les durées de validité "
            "sont celles du MSSC; la formulation des activités de travail clés est celle de "
            "Pathways. L'étiquette de version est celle de l'instantané de Pathways, et non un "
            "nom de version du MSSC.",
        ),
        "publisher": "mssc",
        "version": "2025.1",
        "languages": ["en", "fr"],
        "illustrative": True,
        "notice": text(
            "Structure from MSSC's published certification model; the activity wording is "
            "Pathways' own summary, not MSSC's official standard text.",
            "Structure tirée du modèle de certification publié par le MSSC; la formulation des "
            "activités est un résumé de Pathways, et non le texte officiel de la norme du MSSC.",
        ),
        "items": [cpt, cla, clt],
    }


def write(document: dict, name: str) -> None:
    path = FRAMEWORKS / name
    header = (
        "# Generated by content/tools/build_frameworks.py from its outline; this file is the "
        "data.\n# Edit the outline and re-run the script: existing codes keep their UUIDs.\n"
    )
    body = yaml.dump(document, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=10_000)
    path.write_text(header + body, encoding="utf-8")
    print(f"wrote {path}")


def main(argv: list[str]) -> None:
    targets = set(argv) or {"mssc", "certworkplus"}
    FRAMEWORKS.mkdir(exist_ok=True)
    if "mssc" in targets:
        write(build_mssc(), "mssc.yaml")
    if "certworkplus" in targets:
        write(build_certworkplus(), "certworkplus-ill.yaml")


if __name__ == "__main__":
    main(sys.argv[1:])
