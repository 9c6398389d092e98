"""Expand the compact micro-credential definitions below into content/microcredentials/*.yaml.

The committed YAML files are the data; this script only saves typing and keeps the shared
wording (verification, ownership, PLAR route) the same everywhere. Run from the repository root:

    .venv/bin/python content/tools/build_microcredentials.py

An alignment written as a competency code (``ILL-MO-1.1``) expands to one alignment per
performance indicator below it, in code order; indicator codes are kept as they are. Codes are
checked against content/frameworks/certworkplus-ill.yaml.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CONTENT = HERE.parent
TARGET = CONTENT / "microcredentials"
FRAMEWORK = "certworkplus-ill"


class Flow(dict):
    """A mapping dumped on one line: language maps and small references."""


class Dumper(yaml.SafeDumper):
    pass


Dumper.add_representer(
    Flow, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, True)
)


def t(en: str, fr: str) -> Flow:
    return Flow(en=en, fr=fr)


COLLEGES = {
    "northshore-college": (
        t("Northshore College", "Collège Northshore"),
        "https://lms.northshore.example/mod/scorm/view.php?id={n}",
    ),
    "maple-valley-polytechnic": (
        t("Maple Valley Polytechnic", "Polytechnique de la Vallée-des-Érables"),
        "https://learn.maplevalley.example/d2l/le/content/6606/viewContent/{n}/View",
    ),
    "college-riverain": (
        t("Collège Riverain", "Collège Riverain"),
        "https://moodle.riverain.example/mod/scorm/view.php?id={n}",
    ),
    "ironwood-college": (
        t("Ironwood Community College", "Collège communautaire Ironwood"),
        "https://canvas.ironwood.example/courses/41/modules/items/{n}",
    ),
}

VERIFICATION = {
    "format": "open_badges_3",
    "has_status_list": True,
    "statement": t(
        "Issued as a signed Open Badges 3.0 credential. Anyone can check the issuer's signature "
        "and whether it has been revoked, through the status list the credential points to.",
        "Délivrée sous forme de titre Open Badges 3.0 signé. Toute personne peut vérifier la "
        "signature de l'établissement émetteur et s'assurer qu'elle n'a pas été révoquée grâce à "
        "la liste de statuts indiquée dans le titre.",
    ),
}

OWNERSHIP = t(
    "The earner owns this credential and the record of the evidence behind it. They decide "
    "whom to share it with; the college keeps a copy only to confirm it on request and never "
    "shares it without the earner's consent.",
    "La personne titulaire est propriétaire de ce titre et du dossier des preuves qui le "
    "soutiennent. Elle décide avec qui le partager; le collège n'en conserve une copie que pour "
    "le confirmer sur demande et ne le communique jamais sans son consentement.",
)


def challenge(extra_en: str, extra_fr: str) -> dict:
    return {
        "is_available": True,
        "description": t(
            "Experienced workers may challenge this micro-credential through prior learning "
            "assessment and recognition (PLAR): they book a challenge with the college's PLAR "
            "office and are assessed against the same pass standard, without taking the course. "
            + extra_en,
            "Les travailleurs d'expérience peuvent obtenir cette microcertification par la "
            "reconnaissance des acquis et des compétences (RAC) : ils prennent rendez-vous avec "
            "le bureau de la RAC du collège et sont évalués selon la même norme de réussite, sans "
            "suivre le cours. " + extra_fr,
        ),
    }


def assessor(college: str, extra_en: str, extra_fr: str) -> Flow:
    name = COLLEGES[college][0]
    return t(
        f"A {name['en']} faculty assessor with industry experience, trained in competency-based "
        f"assessment. {extra_en}".strip(),
        f"Un évaluateur ou une évaluatrice du corps professoral ({name['fr']}) ayant de "
        f"l'expérience en industrie et formé à l'évaluation par compétences. {extra_fr}".strip(),
    )


def method(kind: str, weight: int, en: str, fr: str) -> dict:
    return {"method": kind, "weight_percent": weight, "description": t(en, fr)}


NO_EXPIRY = {
    "months": "does not expire",
    "recency": t(
        "An occupation rule may still ask for recent practice, which the assessor checks at "
        "sign-off.",
        "Une règle de profession peut néanmoins exiger une pratique récente, que l'évaluateur "
        "vérifie au moment de l'approbation.",
    ),
}


def expires(months: int, en: str, fr: str) -> dict:
    return {"months": months, "recency": t(en, fr)}


# --------------------------------------------------------------------------------------------
# The micro-credentials. Alignment entries: (item code, strength).

MICROCREDENTIALS: list[dict] = [
    {
        "code": "ILL-SAFE",
        "title": t(
            "Workplace Safety for Production and Warehouse Work",
            "Santé et sécurité au travail en production et en entrepôt",
        ),
        "description": t(
            "The holder works safely on a production floor or in a warehouse: controls "
            "hazardous energy with lockout, checks and uses machine guards, chooses the right "
            "protective equipment, handles chemicals with their safety data sheets, lifts "
            "safely and reports hazards and incidents.",
            "La personne titulaire travaille en sécurité dans un atelier de production ou un "
            "entrepôt : elle maîtrise les énergies dangereuses par le cadenassage, vérifie et "
            "utilise les protecteurs des machines, choisit l'équipement de protection qui "
            "convient, manipule les produits chimiques à l'aide de leur fiche de données de "
            "sécurité, soulève les charges de façon sécuritaire et signale les dangers et les "
            "incidents.",
        ),
        "college": "northshore-college",
        "partners": [
            ("great-lakes-precision", "co_designer"),
            ("laurentide-logistics", "endorser"),
        ],
        "endorsement": (
            "great-lakes-precision",
            "2026-03-02",
            "Great Lakes Precision Machining confirms that version 1 teaches and assesses the "
            "lockout, guarding and hazard reporting practices its plant requires of new "
            "operators.",
            "Usinage de précision Grands-Lacs confirme que la version 1 enseigne et évalue les "
            "pratiques de cadenassage, de protection des machines et de signalement des dangers "
            "que son usine exige des nouveaux opérateurs.",
        ),
        "outcomes": [
            (
                "Locks out, tags out and verifies zero energy on production equipment before "
                "any intervention.",
                "Cadenasse, étiquette et vérifie l'absence d'énergie sur l'équipement de "
                "production avant toute intervention.",
                [("ILL-MO-1.1", "full")],
            ),
            (
                "Checks guards and safety devices before work and stops and reports when one is "
                "missing or damaged.",
                "Vérifie les protecteurs et les dispositifs de sécurité avant le travail, puis "
                "arrête et signale tout dispositif manquant ou endommagé.",
                [("ILL-MO-1.2", "full"), ("ILL-AS-1.1.2", "partial"), ("ILL-AS-1.1.3", "partial")],
            ),
            (
                "Selects and wears the protective equipment a task requires and uses safety "
                "data sheets before handling a chemical.",
                "Choisit et porte l'équipement de protection qu'exige une tâche et consulte la "
                "fiche de données de sécurité avant de manipuler un produit chimique.",
                [
                    ("ILL-MO-1.3.1", "full"),
                    ("ILL-MO-1.3.2", "full"),
                    ("ILL-AS-1.1.1", "full"),
                    ("ILL-AS-1.3.1", "full"),
                    ("ILL-MH-1.3.1", "full"),
                ],
            ),
            (
                "Reports hazards, near misses and injuries accurately during the same shift.",
                "Signale avec exactitude les dangers, les quasi-accidents et les blessures "
                "pendant le même quart.",
                [
                    ("ILL-MO-1.3.3", "full"),
                    ("ILL-AS-1.3.3", "full"),
                    ("ILL-MH-1.3.3", "full"),
                ],
            ),
            (
                "Lifts and carries loads with safe body mechanics and uses lifting aids when a "
                "load exceeds the limit.",
                "Soulève et transporte des charges selon une mécanique corporelle sécuritaire et "
                "utilise des aides au levage lorsqu'une charge dépasse la limite.",
                [("ILL-MH-1.1", "full"), ("ILL-AS-1.2.2", "partial")],
            ),
        ],
        "methods": [
            method(
                "test",
                30,
                "Online test on hazard recognition, lockout and WHMIS (30 items).",
                "Test en ligne sur la reconnaissance des dangers, le cadenassage et le SIMDUT "
                "(30 questions).",
            ),
            method(
                "demonstration",
                50,
                "Practical lockout and guard check on a training machine, observed with a "
                "checklist.",
                "Cadenassage et vérification des protecteurs sur une machine-école, observés à "
                "l'aide d'une liste de vérification.",
            ),
            method(
                "observation",
                20,
                "Observed safe lift and hazard report in the college's simulated plant.",
                "Levage sécuritaire et signalement d'un danger observés dans l'usine simulée du "
                "collège.",
            ),
        ],
        "evidence": t(
            "Test score, the signed lockout demonstration checklist and the hazard report the "
            "learner wrote; employers may see the checklist and the report.",
            "Résultat du test, liste de vérification signée de la démonstration de cadenassage "
            "et rapport de danger rédigé par l'apprenant; les employeurs peuvent consulter la "
            "liste et le rapport.",
        ),
        "pass_standard": t(
            "Every step of the lockout demonstration performed correctly (no safety-critical "
            "error), at least 80 % on the test, and every outcome observed at standard.",
            "Chaque étape de la démonstration de cadenassage exécutée correctement (aucune "
            "erreur critique pour la sécurité), au moins 80 % au test et chaque résultat "
            "observé selon la norme.",
        ),
        "assessor": (
            "Lockout demonstrations are co-assessed with a partner safety trainer.",
            "Les démonstrations de cadenassage sont évaluées conjointement avec un formateur en "
            "sécurité d'une entreprise partenaire.",
        ),
        "challenge": (
            "The challenge is the practical demonstration and the test.",
            "La reconnaissance comprend la démonstration pratique et le test.",
        ),
        "effort_hours": 30,
        "duration_weeks": 5,
        "delivery_mode": "hybrid",
        "level": "entry",
        "credit_value": t(
            "2 credits toward Northshore's Manufacturing Fundamentals certificate.",
            "2 crédits pour le certificat Fondements de la fabrication du Collège Northshore.",
        ),
        "prerequisites": "none",
        "stacks_into": ["ILL-MO", "ILL-AS", "ILL-MH", "ILL-LH"],
        "validity": expires(
            36,
            "Valid for 36 months from the award date; renew by taking the 8-hour refresher "
            "assessment. Occupation rules require it to be earned within the last 3 years.",
            "Valide 36 mois à compter de la date d'attribution; renouvelable par l'évaluation "
            "de mise à jour de 8 heures. Les règles des professions exigent qu'elle ait été "
            "obtenue au cours des 3 dernières années.",
        ),
        "noc": ["94105", "75101"],
        "modules": [
            ("Hazard recognition and reporting", "Reconnaissance et signalement des dangers", 8),
            ("Lockout and machine guarding", "Cadenassage et protection des machines", 10),
            ("Protective equipment and WHMIS", "Équipement de protection et SIMDUT", 6),
            ("Safe lifting and ergonomics", "Levage sécuritaire et ergonomie", 6),
        ],
    },
    {
        "code": "ILL-MEAS",
        "title": t("Precision Measurement and Inspection", "Mesure de précision et inspection"),
        "description": t(
            "The holder reads dimensions and tolerances on drawings, measures parts accurately "
            "with calipers, micrometers, height gauges and indicators, inspects parts to a "
            "control plan and deals correctly with nonconforming parts.",
            "La personne titulaire lit les cotes et les tolérances sur les dessins, mesure les "
            "pièces avec exactitude au pied à coulisse, au micromètre, au trusquin et au "
            "comparateur, inspecte les pièces selon un plan de surveillance et traite "
            "correctement les pièces non conformes.",
        ),
        "college": "northshore-college",
        "partners": [("great-lakes-precision", "co_designer")],
        "endorsement": (
            "great-lakes-precision",
            "2026-03-02",
            "Great Lakes Precision Machining confirms that version 1 assesses measurement to the "
            "tolerances used on its production floor.",
            "Usinage de précision Grands-Lacs confirme que la version 1 évalue la mesure selon "
            "les tolérances utilisées dans son atelier de production.",
        ),
        "outcomes": [
            (
                "Selects a suitable instrument, checks its calibration and measures parts "
                "accurately.",
                "Choisit un instrument approprié, en vérifie l'étalonnage et mesure les pièces "
                "avec exactitude.",
                [("ILL-MO-4.1", "full")],
            ),
            (
                "Inspects parts at the frequency of the control plan and records the results.",
                "Inspecte les pièces à la fréquence du plan de surveillance et en consigne les "
                "résultats.",
                [("ILL-MO-4.2", "full")],
            ),
            (
                "Tags, segregates and reports nonconforming parts and re-checks suspect output.",
                "Étiquette, isole et signale les pièces non conformes et revérifie la production "
                "douteuse.",
                [("ILL-MO-4.3", "full"), ("ILL-AS-5.2.1", "partial")],
            ),
            (
                "Reads dimensions, tolerances and symbols on part and assembly drawings.",
                "Lit les cotes, les tolérances et les symboles sur les dessins de pièces et "
                "d'assemblage.",
                [("ILL-AS-2.1.2", "full"), ("ILL-MO-2.3.2", "full")],
            ),
        ],
        "methods": [
            method(
                "test",
                40,
                "Written test on drawing reading and measurement principles.",
                "Test écrit sur la lecture de dessins et les principes de la mesure.",
            ),
            method(
                "demonstration",
                60,
                "Measurement of five sample parts against their drawings within a set time.",
                "Mesure de cinq pièces types par rapport à leurs dessins dans un temps donné.",
            ),
        ],
        "evidence": t(
            "Test score and the completed inspection report for the five parts, with the "
            "assessor's check of each reading.",
            "Résultat du test et rapport d'inspection des cinq pièces, avec la vérification de "
            "chaque lecture par l'évaluateur.",
        ),
        "pass_standard": t(
            "All critical dimensions measured within the instrument's resolution, a correct "
            "accept or reject decision on every part, and at least 75 % on the test.",
            "Toutes les cotes critiques mesurées à la résolution de l'instrument près, une "
            "décision d'acceptation ou de rejet correcte pour chaque pièce et au moins 75 % au "
            "test.",
        ),
        "assessor": ("", ""),
        "challenge": (
            "The challenge is the five-part measurement task and the test.",
            "La reconnaissance comprend la mesure des cinq pièces et le test.",
        ),
        "effort_hours": 35,
        "duration_weeks": 6,
        "delivery_mode": "hybrid",
        "level": "entry",
        "credit_value": t(
            "2 credits toward Northshore's Manufacturing Fundamentals certificate.",
            "2 crédits pour le certificat Fondements de la fabrication du Collège Northshore.",
        ),
        "prerequisites": "none",
        "stacks_into": ["ILL-MO", "ILL-AS"],
        "validity": NO_EXPIRY,
        "noc": ["94105"],
        "modules": [
            ("Drawings, dimensions and tolerances", "Dessins, cotes et tolérances", 10),
            ("Precision measuring instruments", "Instruments de mesure de précision", 15),
            (
                "In-process inspection and records",
                "Inspection en cours de production et registres",
                10,
            ),
        ],
    },
    {
        "code": "ILL-CNC",
        "title": t("CNC Machine Operation", "Conduite de machines CNC"),
        "description": t(
            "The holder prepares a CNC job, installs tooling and sets offsets, proves out the "
            "first part, and runs and monitors production, responding correctly to alarms and "
            "out-of-limit readings.",
            "La personne titulaire prépare un travail sur machine CNC, installe l'outillage et "
            "règle les correcteurs, valide la première pièce, puis fait fonctionner et surveille "
            "la production en réagissant correctement aux alarmes et aux lectures hors limites.",
        ),
        "college": "northshore-college",
        "partners": [
            ("great-lakes-precision", "co_designer"),
            ("red-river-components", "endorser"),
        ],
        "endorsement": (
            "great-lakes-precision",
            "2026-03-16",
            "Great Lakes Precision Machining confirms that version 1 covers the set-up and "
            "operating tasks of its CNC operator job and that its shop hosted the practical "
            "assessments.",
            "Usinage de précision Grands-Lacs confirme que la version 1 couvre les tâches de "
            "réglage et de conduite de son poste d'opérateur CNC et que son atelier a accueilli "
            "les évaluations pratiques.",
        ),
        "outcomes": [
            (
                "Prepares a CNC job from the work order, drawing and set-up sheet.",
                "Prépare un travail sur machine CNC à partir du bon de travail, du dessin et de la "
                "fiche de réglage.",
                [("ILL-MO-2.1", "full")],
            ),
            (
                "Installs tooling, sets offsets and proves out the first part to approval.",
                "Installe l'outillage, règle les correcteurs et valide la première pièce jusqu'à "
                "son approbation.",
                [("ILL-MO-2.2", "full"), ("ILL-MO-2.3", "full")],
            ),
            (
                "Runs and monitors the machine at the standard cycle time, tracking tool wear.",
                "Fait fonctionner et surveille la machine au temps de cycle normalisé en suivant "
                "l'usure des outils.",
                [("ILL-MO-3.1", "full"), ("ILL-MO-3.2", "full")],
            ),
            (
                "Responds to alarms and out-of-limit parts within the operator's authority and "
                "records every program change.",
                "Réagit aux alarmes et aux pièces hors limites dans les limites de son autorité "
                "et consigne chaque modification de programme.",
                [("ILL-MO-3.3", "full"), ("ILL-MO-3.4", "full")],
            ),
        ],
        "methods": [
            method(
                "demonstration",
                60,
                "Full set-up and first-part prove-out on a CNC lathe or mill.",
                "Réglage complet et validation de la première pièce sur un tour ou une fraiseuse "
                "CNC.",
            ),
            method(
                "observation",
                30,
                "Two hours of observed production running, including a staged alarm.",
                "Deux heures de production observées, comprenant une alarme simulée.",
            ),
            method(
                "discussion",
                10,
                "Structured interview on the choices made during set-up.",
                "Entretien structuré sur les choix faits pendant le réglage.",
            ),
        ],
        "evidence": t(
            "Signed set-up checklist, first-part inspection report, observation record of the "
            "production run and interview notes.",
            "Liste de vérification du réglage signée, rapport d'inspection de la première "
            "pièce, fiche d'observation de la production et notes d'entretien.",
        ),
        "pass_standard": t(
            "An approved first part within two attempts, no safety-critical error, and every "
            "observed behaviour at standard.",
            "Une première pièce approuvée en deux essais au plus, aucune erreur critique pour la "
            "sécurité et chaque comportement observé selon la norme.",
        ),
        "assessor": (
            "Practical assessments are held at the partner's shop with its lead machinist as "
            "second observer.",
            "Les évaluations pratiques ont lieu à l'atelier du partenaire, avec son machiniste "
            "principal comme second observateur.",
        ),
        "challenge": (
            "The challenge is the full set-up and the observed production run.",
            "La reconnaissance comprend le réglage complet et la production observée.",
        ),
        "effort_hours": 60,
        "duration_weeks": 8,
        "delivery_mode": "in_person",
        "level": "intermediate",
        "credit_value": t(
            "4 credits toward Northshore's CNC Machining certificate.",
            "4 crédits pour le certificat Usinage CNC du Collège Northshore.",
        ),
        "prerequisites": ["ILL-MEAS"],
        "stacks_into": ["ILL-MO"],
        "validity": NO_EXPIRY,
        "noc": ["94105"],
        "modules": [
            (
                "CNC fundamentals and safe operation",
                "Notions de base et conduite sécuritaire des machines CNC",
                12,
            ),
            (
                "Set-up, tool offsets and first part",
                "Réglage, correcteurs d'outils et première pièce",
                20,
            ),
            ("Running and monitoring production", "Conduite et surveillance de la production", 28),
        ],
    },
    {
        "code": "ILL-PRESS",
        "title": t(
            "Power Press Operation and Die Change", "Conduite de presses et changement de matrices"
        ),
        "description": t(
            "The holder runs mechanical and hydraulic presses safely: checks light curtains and "
            "guards, changes dies with quick-change methods, inspects first hits and monitors "
            "the run.",
            "La personne titulaire conduit des presses mécaniques et hydrauliques en toute "
            "sécurité : elle vérifie les rideaux lumineux et les protecteurs, change les "
            "matrices selon des méthodes de changement rapide, inspecte les premières frappes "
            "et surveille la production.",
        ),
        "college": "maple-valley-polytechnic",
        "partners": [("boreal-steel", "co_designer")],
        "endorsement": (
            "boreal-steel",
            "2026-04-20",
            "Boreal Steel Fabricators confirms that version 1 reflects its press safety rules "
            "and its die change standard.",
            "Fabrications d'acier Boréal confirme que la version 1 reflète ses règles de "
            "sécurité des presses et sa norme de changement de matrices.",
        ),
        "outcomes": [
            (
                "Checks press guards, light curtains and two-hand controls and locks out the "
                "press for die work.",
                "Vérifie les protecteurs, les rideaux lumineux et les commandes bimanuelles de la "
                "presse et la cadenasse pour le travail sur les matrices.",
                [("ILL-MO-1.2", "full"), ("ILL-MO-1.1.1", "full")],
            ),
            (
                "Changes dies with quick-change methods and records the changeover time.",
                "Change les matrices selon des méthodes de changement rapide et consigne le temps "
                "de changement.",
                [("ILL-MO-2.2.1", "full"), ("ILL-MO-2.2.3", "full"), ("ILL-MO-2.4", "full")],
            ),
            (
                "Runs and monitors the press and stops it when a part or reading is out of limits.",
                "Fait fonctionner et surveille la presse et l'arrête lorsqu'une pièce ou une "
                "lecture sort des limites.",
                [
                    ("ILL-MO-3.1", "full"),
                    ("ILL-MO-3.2.1", "full"),
                    ("ILL-MO-3.2.2", "full"),
                    ("ILL-MO-3.3.1", "full"),
                ],
            ),
            (
                "Inspects first hits against the part drawing before the run.",
                "Inspecte les premières frappes par rapport au dessin de la pièce avant la "
                "production.",
                [("ILL-MO-2.3", "partial")],
            ),
        ],
        "methods": [
            method(
                "demonstration",
                70,
                "Timed die change and first-hit approval on a training press.",
                "Changement de matrice chronométré et approbation des premières frappes sur une "
                "presse-école.",
            ),
            method(
                "test",
                30,
                "Written test on press hazards, safeguarding and tonnage.",
                "Test écrit sur les dangers des presses, les protections et le tonnage.",
            ),
        ],
        "evidence": t(
            "Die change checklist with times, first-hit inspection record and test score.",
            "Liste de vérification du changement de matrice avec les temps, registre "
            "d'inspection des premières frappes et résultat du test.",
        ),
        "pass_standard": t(
            "A safe, complete die change within the target time, approved first hits and at "
            "least 80 % on the test.",
            "Un changement de matrice sécuritaire et complet dans le temps cible, des premières "
            "frappes approuvées et au moins 80 % au test.",
        ),
        "assessor": ("", ""),
        "challenge": (
            "The challenge is the timed die change and the test.",
            "La reconnaissance comprend le changement de matrice chronométré et le test.",
        ),
        "effort_hours": 45,
        "duration_weeks": 6,
        "delivery_mode": "in_person",
        "level": "intermediate",
        "credit_value": "none",
        "prerequisites": ["ILL-SAFE"],
        "stacks_into": ["ILL-MO"],
        "validity": NO_EXPIRY,
        "noc": ["94105"],
        "modules": [
            ("Press safeguarding", "Protection des presses", 15),
            ("Die change and quick changeover", "Changement de matrices et changement rapide", 15),
            ("Running the press line", "Conduite de la ligne de presses", 15),
        ],
    },
    {
        "code": "ILL-MAINT",
        "title": t(
            "Operator Maintenance and Production Records",
            "Entretien par l'opérateur et registres de production",
        ),
        "description": t(
            "The holder performs the daily care of a production machine, spots and reports "
            "developing problems, supports maintenance technicians, and keeps accurate "
            "production, traceability and shift handover records.",
            "La personne titulaire effectue l'entretien quotidien d'une machine de production, "
            "détecte et signale les problèmes naissants, soutient les techniciens d'entretien et "
            "tient des registres exacts de production, de traçabilité et de relève de quart.",
        ),
        "college": "northshore-college",
        "partners": [
            ("great-lakes-precision", "co_designer"),
            ("cedar-point-plastics", "endorser"),
        ],
        "endorsement": (
            "cedar-point-plastics",
            "2026-05-11",
            "Cedar Point Plastics confirms that version 1 matches the operator maintenance and "
            "record-keeping duties at its moulding plant.",
            "Plastiques Pointe-aux-Cèdres confirme que la version 1 correspond aux tâches "
            "d'entretien et de tenue des registres des opérateurs de son usine de moulage.",
        ),
        "outcomes": [
            (
                "Completes daily lubrication, cleaning and authorised wear-part changes.",
                "Effectue la lubrification quotidienne, le nettoyage et le remplacement autorisé "
                "des pièces d'usure.",
                [("ILL-MO-5.1", "full")],
            ),
            (
                "Spots leaks, wear and loose parts and reports them on a clear maintenance "
                "request.",
                "Détecte les fuites, l'usure et les pièces desserrées et les signale dans une "
                "demande d'entretien claire.",
                [("ILL-MO-5.2", "full")],
            ),
            (
                "Hands the machine over safely to maintenance and verifies the repair.",
                "Remet la machine de façon sécuritaire à l'entretien et vérifie la réparation.",
                [("ILL-MO-5.3", "full")],
            ),
            (
                "Records output, downtime and traceability data accurately.",
                "Consigne avec exactitude la production, les arrêts et les données de traçabilité.",
                [("ILL-MO-6.1", "full"), ("ILL-MO-6.2", "full"), ("ILL-AS-7.1.2", "partial")],
            ),
            (
                "Hands over the shift with a complete log and a clear briefing.",
                "Assure la relève du quart avec un registre complet et des consignes claires.",
                [("ILL-MO-6.3", "full")],
            ),
        ],
        "methods": [
            method(
                "demonstration",
                50,
                "Daily maintenance routine on a training machine, observed with a checklist.",
                "Routine d'entretien quotidien sur une machine-école, observée à l'aide d'une "
                "liste de vérification.",
            ),
            method(
                "project",
                50,
                "A week of production and maintenance records completed from a simulated run.",
                "Une semaine de registres de production et d'entretien remplis à partir d'une "
                "production simulée.",
            ),
        ],
        "evidence": t(
            "Maintenance checklist, a maintenance request written by the learner and the "
            "completed production records.",
            "Liste de vérification de l'entretien, demande d'entretien rédigée par "
            "l'apprenant et registres de production remplis.",
        ),
        "pass_standard": t(
            "Every checklist step correct and records with no error that would break traceability.",
            "Chaque étape de la liste correcte et des registres sans erreur qui nuirait à la "
            "traçabilité.",
        ),
        "assessor": ("", ""),
        "challenge": (
            "Workers may submit a portfolio of their own plant records instead of the project.",
            "Les travailleurs peuvent soumettre un portfolio des registres de leur usine au "
            "lieu du projet.",
        ),
        "effort_hours": 30,
        "duration_weeks": 4,
        "delivery_mode": "hybrid",
        "level": "entry",
        "credit_value": "none",
        "prerequisites": "none",
        "stacks_into": ["ILL-MO", "ILL-AS"],
        "validity": NO_EXPIRY,
        "noc": ["94105"],
        "modules": [
            ("Daily machine care", "Entretien quotidien de la machine", 10),
            ("Spotting and reporting problems", "Détection et signalement des problèmes", 10),
            ("Production records and handover", "Registres de production et relève", 10),
        ],
    },
    {
        "code": "ILL-LEAN",
        "title": t("Lean and 5S on the Shop Floor", "Lean et 5S dans l'atelier"),
        "description": t(
            "The holder keeps a workstation in 5S order, spots waste, takes part in kaizen and "
            "problem-solving activities and follows standard work with visual controls.",
            "La personne titulaire maintient son poste en ordre selon les 5S, repère le "
            "gaspillage, participe aux activités kaizen et de résolution de problèmes et "
            "respecte le travail normalisé à l'aide des contrôles visuels.",
        ),
        "college": "maple-valley-polytechnic",
        "partners": [("trillium-assemblies", "co_designer"), ("boreal-steel", "endorser")],
        "endorsement": (
            "trillium-assemblies",
            "2026-04-06",
            "Trillium Automotive Assemblies confirms that version 1 teaches the 5S, standard "
            "work and kaizen practices used on its assembly lines.",
            "Assemblages automobiles Trillium confirme que la version 1 enseigne les pratiques "
            "5S, de travail normalisé et kaizen utilisées sur ses chaînes d'assemblage.",
        ),
        "outcomes": [
            (
                "Sets up and sustains 5S at a workstation.",
                "Met en place et maintient les 5S à un poste de travail.",
                [("ILL-AS-6.1", "full"), ("ILL-MO-7.3", "full")],
            ),
            (
                "Identifies waste and proposes and tests improvements with the team.",
                "Repère le gaspillage et propose et met à l'essai des améliorations avec l'équipe.",
                [("ILL-AS-6.2", "full"), ("ILL-MO-7.2", "full")],
            ),
            (
                "Follows standard work and uses andon and kanban signals.",
                "Respecte le travail normalisé et utilise les signaux andon et kanban.",
                [("ILL-AS-6.3", "full")],
            ),
        ],
        "methods": [
            method(
                "project",
                60,
                "A 5S and waste-reduction project on a real or simulated workstation, with before "
                "and after photos.",
                "Un projet 5S et de réduction du gaspillage sur un poste réel ou simulé, avec "
                "photos avant et après.",
            ),
            method(
                "observation",
                40,
                "Observed participation in a kaizen event.",
                "Participation observée à un événement kaizen.",
            ),
        ],
        "evidence": t(
            "Project report with photos and measurements, and the kaizen observation record.",
            "Rapport de projet avec photos et mesures, et fiche d'observation de l'événement "
            "kaizen.",
        ),
        "pass_standard": t(
            "A completed project with a measured improvement and every outcome observed at "
            "standard.",
            "Un projet achevé avec une amélioration mesurée et chaque résultat observé selon la "
            "norme.",
        ),
        "assessor": ("", ""),
        "challenge": (
            "Workers may present an improvement they led at work, with its measurements.",
            "Les travailleurs peuvent présenter une amélioration qu'ils ont menée au travail, "
            "avec ses mesures.",
        ),
        "effort_hours": 30,
        "duration_weeks": 5,
        "delivery_mode": "hybrid",
        "level": "entry",
        "credit_value": t(
            "Counts as the Lean Manufacturing elective of Maple Valley's Production Technician "
            "diploma.",
            "Tient lieu du cours optionnel Fabrication Lean du diplôme de technicien en "
            "production de la Polytechnique de la Vallée-des-Érables.",
        ),
        "prerequisites": "none",
        "stacks_into": ["ILL-MO", "ILL-AS", "ILL-LH"],
        "validity": NO_EXPIRY,
        "noc": ["94200"],
        "modules": [
            ("5S and the visual workplace", "Les 5S et le milieu de travail visuel", 10),
            ("Seeing and reducing waste", "Voir et réduire le gaspillage", 10),
            ("Standard work and kaizen", "Travail normalisé et kaizen", 10),
        ],
    },
    {
        "code": "ILL-DRAW",
        "title": t(
            "Reading Drawings and Work Instructions",
            "Lecture de dessins et d'instructions de travail",
        ),
        "description": t(
            "The holder reads assembly drawings and bills of materials, follows standard work "
            "instructions step by step and applies engineering changes correctly.",
            "La personne titulaire lit les dessins d'assemblage et les nomenclatures, suit pas à "
            "pas les instructions de travail normalisées et applique correctement les "
            "modifications techniques.",
        ),
        "college": "maple-valley-polytechnic",
        "partners": [("trillium-assemblies", "co_designer")],
        "endorsement": (
            "trillium-assemblies",
            "2026-04-06",
            "Trillium Automotive Assemblies confirms that version 1 uses drawings and "
            "instructions of the kind found on its lines.",
            "Assemblages automobiles Trillium confirme que la version 1 utilise des dessins et "
            "des instructions semblables à ceux de ses chaînes.",
        ),
        "outcomes": [
            (
                "Finds parts, quantities, views and tolerances on assembly drawings.",
                "Trouve les pièces, les quantités, les vues et les tolérances sur les dessins "
                "d'assemblage.",
                [("ILL-AS-2.1", "full")],
            ),
            (
                "Follows a standard work instruction in order and reports errors in it.",
                "Suit une instruction de travail normalisée dans l'ordre et y signale les erreurs.",
                [("ILL-AS-2.2", "full")],
            ),
            (
                "Applies engineering change notices from their effective point.",
                "Applique les avis de modification technique à partir de leur point d'entrée en "
                "vigueur.",
                [("ILL-AS-2.3", "full")],
            ),
        ],
        "methods": [
            method(
                "test",
                50,
                "Online drawing-reading test with real assembly drawings.",
                "Test en ligne de lecture de dessins d'assemblage réels.",
            ),
            method(
                "simulation",
                50,
                "Build of a kit from its instruction, including a change notice.",
                "Assemblage d'une trousse d'après son instruction, comprenant un avis de "
                "modification.",
            ),
        ],
        "evidence": t(
            "Test score and the assessor's record of the simulated build.",
            "Résultat du test et fiche de l'évaluateur sur l'assemblage simulé.",
        ),
        "pass_standard": t(
            "At least 75 % on the test and a correct build with the change applied.",
            "Au moins 75 % au test et un assemblage correct intégrant la modification.",
        ),
        "assessor": ("", ""),
        "challenge": (
            "The challenge is the test and the simulated build.",
            "La reconnaissance comprend le test et l'assemblage simulé.",
        ),
        "effort_hours": 25,
        "duration_weeks": 4,
        "delivery_mode": "online",
        "level": "entry",
        "credit_value": "none",
        "prerequisites": "none",
        "stacks_into": ["ILL-AS"],
        "validity": NO_EXPIRY,
        "noc": ["94200"],
        "modules": [
            (
                "Assembly drawings and bills of materials",
                "Dessins d'assemblage et nomenclatures",
                10,
            ),
            ("Standard work instructions", "Instructions de travail normalisées", 8),
            ("Engineering changes", "Modifications techniques", 7),
        ],
    },
    {
        "code": "ILL-ASSY",
        "title": t("Mechanical Assembly and Fastening", "Assemblage mécanique et fixation"),
        "description": t(
            "The holder builds assemblies in sequence within takt time, selects and uses hand "
            "and power tools, fastens to the specified torque, joins parts with adhesives, "
            "rivets and connectors, and checks their own work.",
            "La personne titulaire réalise des assemblages selon la séquence et dans le temps "
            "takt, choisit et utilise les outils à main et électriques, serre les fixations au "
            "couple prescrit, assemble les pièces au moyen d'adhésifs, de rivets et de "
            "connecteurs et vérifie son propre travail.",
        ),
        "college": "maple-valley-polytechnic",
        "partners": [("trillium-assemblies", "co_designer")],
        "endorsement": (
            "trillium-assemblies",
            "2026-04-27",
            "Trillium Automotive Assemblies confirms that version 1 assesses fastening and "
            "assembly to its plant's torque and quality standards.",
            "Assemblages automobiles Trillium confirme que la version 1 évalue la fixation et "
            "l'assemblage selon les normes de couple et de qualité de son usine.",
        ),
        "outcomes": [
            (
                "Selects and uses the specified hand and power tools without damage.",
                "Choisit et utilise les outils à main et électriques prescrits sans rien "
                "endommager.",
                [("ILL-AS-3.1", "full")],
            ),
            (
                "Fastens to the specified torque and sequence and verifies tool settings.",
                "Serre les fixations au couple et selon la séquence prescrits et vérifie le "
                "réglage des outils.",
                [("ILL-AS-3.2", "full")],
            ),
            (
                "Joins parts with adhesives, rivets, clips and electrical connectors as specified.",
                "Assemble les pièces au moyen d'adhésifs, de rivets, d'agrafes et de connecteurs "
                "électriques selon les spécifications.",
                [("ILL-AS-3.3", "full")],
            ),
            (
                "Builds units in sequence within takt time, handling model variants without "
                "mix-ups.",
                "Assemble les unités selon la séquence et dans le temps takt, en gérant les "
                "variantes de modèles sans confusion.",
                [("ILL-AS-4.1", "full"), ("ILL-AS-4.2", "full"), ("ILL-AS-4.3", "full")],
            ),
            (
                "Checks their own work and tags and describes defective units.",
                "Vérifie son propre travail, puis étiquette et décrit les unités défectueuses.",
                [("ILL-AS-5.1", "full"), ("ILL-AS-5.2", "full")],
            ),
        ],
        "methods": [
            method(
                "demonstration",
                70,
                "Build of three units of a seat-frame sub-assembly on the training line.",
                "Assemblage de trois unités d'un sous-ensemble d'armature de siège sur la ligne-"
                "école.",
            ),
            method(
                "test",
                30,
                "Written test on fastening, torque and defect types.",
                "Test écrit sur la fixation, le couple et les types de défauts.",
            ),
        ],
        "evidence": t(
            "Torque audit sheet of the three units, the assessor's observation record and the "
            "test score.",
            "Feuille d'audit du couple des trois unités, fiche d'observation de l'évaluateur et "
            "résultat du test.",
        ),
        "pass_standard": t(
            "Three units built to standard within takt time, every torque within "
            "specification, and at least 75 % on the test.",
            "Trois unités assemblées selon la norme dans le temps takt, chaque couple conforme "
            "aux spécifications et au moins 75 % au test.",
        ),
        "assessor": (
            "The partner's line trainer observes the build with the faculty assessor.",
            "Le formateur de ligne du partenaire observe l'assemblage avec l'évaluateur du "
            "corps professoral.",
        ),
        "challenge": (
            "The challenge is the three-unit build and the test.",
            "La reconnaissance comprend l'assemblage des trois unités et le test.",
        ),
        "effort_hours": 40,
        "duration_weeks": 6,
        "delivery_mode": "in_person",
        "level": "intermediate",
        "credit_value": t(
            "3 credits toward Maple Valley's Production Technician diploma.",
            "3 crédits pour le diplôme de technicien en production de la Polytechnique de la "
            "Vallée-des-Érables.",
        ),
        "prerequisites": ["ILL-DRAW"],
        "stacks_into": ["ILL-AS"],
        "validity": NO_EXPIRY,
        "noc": ["94200"],
        "modules": [
            ("Tools and fastening", "Outils et fixation", 12),
            ("Joining methods", "Méthodes d'assemblage", 14),
            (
                "Building in sequence and self-inspection",
                "Assemblage en séquence et autocontrôle",
                14,
            ),
        ],
    },
    {
        "code": "ILL-LIFT",
        "title": t(
            "Lift Truck Operation (Counterbalance and Reach)",
            "Conduite de chariots élévateurs (à contrepoids et à mât rétractable)",
        ),
        "description": t(
            "The holder inspects, drives and handles loads with counterbalance and reach lift "
            "trucks safely, and works safely around hoists and overhead cranes.",
            "La personne titulaire inspecte et conduit des chariots élévateurs à contrepoids et "
            "à mât rétractable et manipule des charges en toute sécurité; elle travaille aussi "
            "de façon sécuritaire à proximité des palans et des ponts roulants.",
        ),
        "college": "college-riverain",
        "partners": [("laurentide-logistics", "co_designer")],
        "endorsement": (
            "laurentide-logistics",
            "2026-02-09",
            "Laurentide Logistics confirms that version 1 meets the lift truck operator training "
            "it requires in its distribution centres.",
            "Logistique Laurentide confirme que la version 1 répond à la formation des caristes "
            "qu'elle exige dans ses centres de distribution.",
        ),
        "outcomes": [
            (
                "Completes the pre-use inspection and removes an unsafe truck from service.",
                "Effectue l'inspection avant utilisation et retire du service un chariot "
                "dangereux.",
                [("ILL-MH-2.1", "full")],
            ),
            (
                "Drives safely in a working warehouse, loaded and empty.",
                "Conduit de façon sécuritaire dans un entrepôt en activité, à charge et à vide.",
                [("ILL-MH-2.2", "full")],
            ),
            (
                "Stacks and retrieves loads in racking within the truck's rated capacity.",
                "Empile et reprend des charges dans les rayonnages dans les limites de la "
                "capacité nominale du chariot.",
                [("ILL-MH-2.3", "full")],
            ),
            (
                "Works safely with hoists and cranes and uses standard hand signals.",
                "Travaille de façon sécuritaire avec les palans et les ponts roulants et utilise "
                "les signaux manuels normalisés.",
                [("ILL-MH-2.4", "partial")],
            ),
        ],
        "methods": [
            method(
                "test",
                30,
                "Written test on stability, capacity plates and the site rules.",
                "Test écrit sur la stabilité, les plaques de capacité et les règles du site.",
            ),
            method(
                "demonstration",
                70,
                "Practical driving test on both truck types on a marked course and in racking.",
                "Examen pratique de conduite des deux types de chariots sur un parcours balisé et "
                "dans les rayonnages.",
            ),
        ],
        "evidence": t(
            "Test score and the signed practical driving evaluation, naming the truck classes "
            "assessed.",
            "Résultat du test et évaluation pratique de conduite signée, précisant les classes "
            "de chariots évaluées.",
        ),
        "pass_standard": t(
            "No critical error in the driving test (striking racking, a person or a load), "
            "every checklist item passed, and at least 80 % on the test.",
            "Aucune erreur critique à l'examen de conduite (heurter un rayonnage, une personne "
            "ou une charge), chaque point de la liste réussi et au moins 80 % au test.",
        ),
        "assessor": (
            "Driving tests are conducted by a qualified lift truck evaluator.",
            "Les examens de conduite sont menés par un évaluateur qualifié en conduite de "
            "chariots élévateurs.",
        ),
        "challenge": (
            "Experienced drivers take the test and the practical evaluation directly.",
            "Les caristes d'expérience passent directement le test et l'évaluation pratique.",
        ),
        "effort_hours": 24,
        "duration_weeks": 2,
        "delivery_mode": "in_person",
        "level": "entry",
        "credit_value": "none",
        "prerequisites": ["ILL-SAFE"],
        "stacks_into": ["ILL-MH"],
        "validity": expires(
            36,
            "Valid for 36 months from the award date; operators must be re-evaluated at least "
            "every three years. Occupation rules require it to be earned within the last 3 "
            "years.",
            "Valide 36 mois à compter de la date d'attribution; les caristes doivent être "
            "réévalués au moins tous les trois ans. Les règles des professions exigent qu'elle "
            "ait été obtenue au cours des 3 dernières années.",
        ),
        "noc": ["75101"],
        "modules": [
            (
                "Lift truck inspection and stability",
                "Inspection et stabilité des chariots élévateurs",
                8,
            ),
            ("Driving and load handling", "Conduite et manutention des charges", 12),
            ("Hoists, cranes and signals", "Palans, ponts roulants et signaux", 4),
        ],
    },
    {
        "code": "ILL-WHSE",
        "title": t(
            "Warehouse Receiving, Storage and Shipping",
            "Réception, entreposage et expédition en entrepôt",
        ),
        "description": t(
            "The holder receives, puts away, stores, picks, packs and ships goods accurately, "
            "protects products and equipment from damage and handles dangerous goods by the "
            "rules.",
            "La personne titulaire reçoit, range, entrepose, prélève, emballe et expédie les "
            "marchandises avec exactitude, protège les produits et l'équipement contre les "
            "dommages et manipule les marchandises dangereuses selon la réglementation.",
        ),
        "college": "college-riverain",
        "partners": [("laurentide-logistics", "co_designer")],
        "endorsement": (
            "laurentide-logistics",
            "2026-02-23",
            "Laurentide Logistics confirms that version 1 follows its receiving, storage and "
            "shipping procedures and that its centre hosted the practical work.",
            "Logistique Laurentide confirme que la version 1 suit ses procédures de réception, "
            "d'entreposage et d'expédition et que son centre a accueilli les travaux pratiques.",
        ),
        "outcomes": [
            (
                "Receives shipments against the paperwork and records discrepancies.",
                "Reçoit les livraisons en les comparant aux documents et consigne les écarts.",
                [("ILL-MH-3.1", "full")],
            ),
            (
                "Puts away and stores goods in assigned locations within load limits and "
                "rotation rules.",
                "Range et entrepose les marchandises aux emplacements attribués en respectant "
                "les limites de charge et les règles de rotation.",
                [("ILL-MH-3.2", "full"), ("ILL-MH-3.3", "full")],
            ),
            (
                "Picks, packs, labels and loads orders accurately.",
                "Prélève, emballe, étiquette et charge les commandes avec exactitude.",
                [("ILL-MH-4.1", "full"), ("ILL-MH-4.2", "full"), ("ILL-MH-4.3", "full")],
            ),
            (
                "Prevents damage and handles dangerous goods and spills by the rules.",
                "Prévient les dommages et manipule les marchandises dangereuses et les "
                "déversements selon la réglementation.",
                [("ILL-MH-6.1", "full"), ("ILL-MH-6.2", "full"), ("ILL-MH-6.3", "full")],
            ),
        ],
        "methods": [
            method(
                "observation",
                60,
                "Observed shift in the partner's distribution centre, receiving to shipping.",
                "Quart de travail observé au centre de distribution du partenaire, de la "
                "réception à l'expédition.",
            ),
            method(
                "test",
                40,
                "Online test on documents, storage rules and dangerous goods.",
                "Test en ligne sur les documents, les règles d'entreposage et les marchandises "
                "dangereuses.",
            ),
        ],
        "evidence": t(
            "Observation record signed by the assessor and the centre's supervisor, with the "
            "order accuracy figures, and the test score.",
            "Fiche d'observation signée par l'évaluateur et le superviseur du centre, avec les "
            "taux d'exactitude des commandes, et résultat du test.",
        ),
        "pass_standard": t(
            "At least 99 % pick accuracy during the observed shift, no safety-critical error and "
            "at least 75 % on the test.",
            "Au moins 99 % d'exactitude des prélèvements pendant le quart observé, aucune "
            "erreur critique pour la sécurité et au moins 75 % au test.",
        ),
        "assessor": ("", ""),
        "challenge": (
            "Warehouse workers may be observed in their own workplace instead.",
            "Les travailleurs d'entrepôt peuvent plutôt être observés dans leur propre milieu "
            "de travail.",
        ),
        "effort_hours": 35,
        "duration_weeks": 5,
        "delivery_mode": "hybrid",
        "level": "entry",
        "credit_value": t(
            "2 credits toward Riverain's Supply Chain and Logistics certificate.",
            "2 crédits pour le certificat Chaîne d'approvisionnement et logistique du Collège "
            "Riverain.",
        ),
        "prerequisites": "none",
        "stacks_into": ["ILL-MH"],
        "validity": NO_EXPIRY,
        "noc": ["75101", "14400"],
        "modules": [
            ("Receiving and put-away", "Réception et rangement", 10),
            ("Storage, picking and packing", "Entreposage, prélèvement et emballage", 13),
            ("Shipping and dangerous goods", "Expédition et marchandises dangereuses", 12),
        ],
    },
    {
        "code": "ILL-INV",
        "title": t(
            "Inventory Systems and Material Flow",
            "Systèmes de gestion des stocks et flux des matières",
        ),
        "description": t(
            "The holder records every inventory transaction correctly, performs cycle counts, "
            "supplies production lines from pull signals and passes on delivery problems "
            "clearly.",
            "La personne titulaire enregistre correctement chaque transaction de stock, "
            "effectue les inventaires tournants, approvisionne les lignes de production d'après "
            "les signaux de tirage et transmet clairement les problèmes de livraison.",
        ),
        "college": "college-riverain",
        "partners": [
            ("laurentide-logistics", "co_designer"),
            ("prairie-food-processors", "endorser"),
        ],
        "endorsement": (
            "laurentide-logistics",
            "2026-02-23",
            "Laurentide Logistics confirms that version 1 trains the scanning and counting "
            "discipline its inventory accuracy depends on.",
            "Logistique Laurentide confirme que la version 1 forme à la rigueur de lecture et de "
            "comptage dont dépend l'exactitude de ses stocks.",
        ),
        "outcomes": [
            (
                "Records receipts, moves, picks and shipments in the inventory system as they "
                "happen.",
                "Enregistre les réceptions, les déplacements, les prélèvements et les "
                "expéditions dans le système de gestion des stocks au moment où ils ont lieu.",
                [("ILL-MH-5.1", "full")],
            ),
            (
                "Performs cycle counts and reports variances.",
                "Effectue les inventaires tournants et signale les écarts.",
                [("ILL-MH-5.2", "full")],
            ),
            (
                "Supplies production from kanban signals and returns unused material.",
                "Approvisionne la production d'après les signaux kanban et retourne la matière "
                "non utilisée.",
                [("ILL-MH-5.3", "full")],
            ),
            (
                "Passes delivery problems on to production and shipping and briefs the next shift.",
                "Transmet les problèmes de livraison à la production et à l'expédition et "
                "informe le quart suivant.",
                [("ILL-MH-7.2.2", "full"), ("ILL-MH-7.2.3", "full")],
            ),
        ],
        "methods": [
            method(
                "simulation",
                70,
                "Inventory system simulation: a day of transactions, a cycle count and a kanban "
                "run.",
                "Simulation du système de gestion des stocks : une journée de transactions, un "
                "inventaire tournant et une tournée kanban.",
            ),
            method(
                "discussion",
                30,
                "Interview on how the learner handled the variances found.",
                "Entretien sur la façon dont l'apprenant a traité les écarts relevés.",
            ),
        ],
        "evidence": t(
            "The simulation's transaction log and count sheet, and the interview notes.",
            "Journal des transactions et feuille de comptage de la simulation, et notes "
            "d'entretien.",
        ),
        "pass_standard": t(
            "No unrecorded transaction, count accuracy of at least 98 % and a correct handling "
            "of every variance.",
            "Aucune transaction non enregistrée, une exactitude de comptage d'au moins 98 % et "
            "un traitement correct de chaque écart.",
        ),
        "assessor": ("", ""),
        "challenge": (
            "The challenge is the simulation and the interview.",
            "La reconnaissance comprend la simulation et l'entretien.",
        ),
        "effort_hours": 25,
        "duration_weeks": 4,
        "delivery_mode": "online",
        "level": "entry",
        "credit_value": "none",
        "prerequisites": "none",
        "stacks_into": ["ILL-MH"],
        "validity": NO_EXPIRY,
        "noc": ["14400"],
        "modules": [
            ("Inventory transactions", "Transactions de stock", 8),
            ("Cycle counting", "Inventaires tournants", 8),
            ("Supplying the line", "Approvisionnement des lignes", 9),
        ],
    },
    {
        "code": "ILL-LEAD",
        "title": t("Leading a Production Crew", "Diriger une équipe de production"),
        "description": t(
            "The holder leads a crew on the floor: runs start-of-shift safety checks, acts on "
            "hazards and incidents, assigns and balances work, keeps the skills matrix, tracks "
            "output and quality and keeps supervision informed.",
            "La personne titulaire dirige une équipe dans l'atelier : elle effectue les "
            "vérifications de sécurité en début de quart, agit sur les dangers et les "
            "incidents, répartit et équilibre le travail, tient la matrice des compétences, "
            "suit la production et la qualité et tient la supervision informée.",
        ),
        "college": "ironwood-college",
        "partners": [
            ("prairie-food-processors", "co_designer"),
            ("red-river-components", "endorser"),
        ],
        "endorsement": (
            "prairie-food-processors",
            "2026-06-01",
            "The Prairie Food Processors Association confirms that version 1 matches the lead "
            "hand role in its member plants and that members hosted the workplace assessments.",
            "L'Association des transformateurs alimentaires des Prairies confirme que la "
            "version 1 correspond au rôle de chef d'équipe dans les usines de ses membres et "
            "que des membres ont accueilli les évaluations en milieu de travail.",
        ),
        "outcomes": [
            (
                "Runs start-of-shift safety checks, stops unsafe work and responds to incidents.",
                "Effectue les vérifications de sécurité en début de quart, fait cesser le travail "
                "dangereux et intervient lors d'incidents.",
                [("ILL-LH-1.1", "full"), ("ILL-LH-1.2", "full"), ("ILL-LH-1.3", "full")],
            ),
            (
                "Assigns and balances work, keeps the skills matrix and hands over the shift.",
                "Répartit et équilibre le travail, tient la matrice des compétences et assure la "
                "relève du quart.",
                [("ILL-LH-2.1", "full"), ("ILL-LH-2.2", "full"), ("ILL-LH-2.3", "full")],
            ),
            (
                "Tracks output and quality against targets and recovers when the line falls "
                "behind.",
                "Suit la production et la qualité par rapport aux objectifs et organise le "
                "rattrapage lorsque la ligne accuse du retard.",
                [("ILL-LH-4.1", "full"), ("ILL-LH-4.2", "full"), ("ILL-LH-4.3", "full")],
            ),
            (
                "Reports to the supervisor and coordinates with other departments.",
                "Rend compte au superviseur et se coordonne avec les autres services.",
                [("ILL-LH-6.1", "full"), ("ILL-LH-6.3", "full")],
            ),
        ],
        "methods": [
            method(
                "portfolio",
                50,
                "Workplace portfolio: shift boards, handover notes and a skills matrix kept by "
                "the learner.",
                "Portfolio de milieu de travail : tableaux de quart, notes de relève et matrice "
                "des compétences tenus par l'apprenant.",
            ),
            method(
                "observation",
                30,
                "Observed start-of-shift meeting and safety walk.",
                "Réunion de début de quart et tournée de sécurité observées.",
            ),
            method(
                "discussion",
                20,
                "Professional discussion on an incident the learner handled.",
                "Discussion professionnelle sur un incident traité par l'apprenant.",
            ),
        ],
        "evidence": t(
            "The portfolio, the observation record and the discussion notes, each mapped to the "
            "indicators.",
            "Le portfolio, la fiche d'observation et les notes de discussion, chacun mis en "
            "correspondance avec les indicateurs.",
        ),
        "pass_standard": t(
            "Every outcome shown at standard by at least one piece of workplace evidence.",
            "Chaque résultat démontré selon la norme par au moins une preuve tirée du milieu de "
            "travail.",
        ),
        "assessor": (
            "Workplace observations are done with the learner's supervisor as witness.",
            "Les observations en milieu de travail se font en présence du superviseur de "
            "l'apprenant comme témoin.",
        ),
        "challenge": (
            "Experienced lead hands may submit the portfolio and discussion only.",
            "Les chefs d'équipe d'expérience peuvent ne soumettre que le portfolio et la "
            "discussion.",
        ),
        "effort_hours": 40,
        "duration_weeks": 8,
        "delivery_mode": "hybrid",
        "level": "intermediate",
        "credit_value": t(
            "3 credits toward Ironwood's Industrial Leadership certificate.",
            "3 crédits pour le certificat Leadership industriel du Collège communautaire Ironwood.",
        ),
        "prerequisites": "none",
        "stacks_into": ["ILL-LH", "ILL-SU"],
        "validity": NO_EXPIRY,
        "noc": ["92024"],
        "modules": [
            ("Safety leadership on the line", "Leadership en sécurité sur la ligne", 14),
            ("Assigning work and handovers", "Répartition du travail et relèves", 13),
            ("Output, quality and reporting", "Production, qualité et comptes rendus", 13),
        ],
    },
    {
        "code": "ILL-COACH",
        "title": t(
            "Coaching and On-the-Job Training", "Encadrement et formation en cours d'emploi"
        ),
        "description": t(
            "The holder trains co-workers on the job with the standard work instruction, gives "
            "specific feedback and helps new workers settle in safely.",
            "La personne titulaire forme ses collègues en cours d'emploi à l'aide de "
            "l'instruction de travail normalisée, donne une rétroaction précise et aide les "
            "nouveaux travailleurs à s'intégrer en sécurité.",
        ),
        "college": "ironwood-college",
        "partners": [("prairie-food-processors", "co_designer")],
        "endorsement": (
            "prairie-food-processors",
            "2026-06-01",
            "The Prairie Food Processors Association confirms that version 1 prepares lead "
            "hands to train new workers in its member plants.",
            "L'Association des transformateurs alimentaires des Prairies confirme que la "
            "version 1 prépare les chefs d'équipe à former les nouveaux travailleurs dans les "
            "usines de ses membres.",
        ),
        "outcomes": [
            (
                "Trains a co-worker with demonstrate, watch and sign-off steps.",
                "Forme un collègue selon les étapes démonstration, observation et approbation.",
                [("ILL-LH-3.1", "full")],
            ),
            (
                "Gives specific, respectful feedback and corrects non-standard work.",
                "Donne une rétroaction précise et respectueuse et corrige le travail non conforme.",
                [("ILL-LH-3.2", "full"), ("ILL-SU-3.3.1", "partial")],
            ),
            (
                "Onboards new workers, adapting to their language and experience.",
                "Accueille les nouveaux travailleurs en s'adaptant à leur langue et à leur "
                "expérience.",
                [("ILL-LH-3.3", "full")],
            ),
        ],
        "methods": [
            method(
                "observation",
                70,
                "Observed on-the-job training session with a real trainee.",
                "Séance de formation en cours d'emploi observée avec une vraie personne en "
                "formation.",
            ),
            method(
                "discussion",
                30,
                "Reflective discussion on the session and the feedback given.",
                "Discussion réflexive sur la séance et la rétroaction donnée.",
            ),
        ],
        "evidence": t(
            "Observation record and the training sign-off the learner completed.",
            "Fiche d'observation et approbation de formation remplie par l'apprenant.",
        ),
        "pass_standard": t(
            "A complete, safe training session and every outcome observed at standard.",
            "Une séance de formation complète et sécuritaire et chaque résultat observé selon "
            "la norme.",
        ),
        "assessor": ("", ""),
        "challenge": (
            "The challenge is the observed session and the discussion.",
            "La reconnaissance comprend la séance observée et la discussion.",
        ),
        "effort_hours": 20,
        "duration_weeks": 4,
        "delivery_mode": "hybrid",
        "level": "intermediate",
        "credit_value": "none",
        "prerequisites": "none",
        "stacks_into": ["ILL-LH", "ILL-SU"],
        "validity": NO_EXPIRY,
        "noc": ["92024"],
        "modules": [
            ("Training on the job", "Formation en cours d'emploi", 10),
            ("Feedback and onboarding", "Rétroaction et accueil", 10),
        ],
    },
    {
        "code": "ILL-PSOLVE",
        "title": t("Floor-Level Problem Solving", "Résolution de problèmes dans l'atelier"),
        "description": t(
            "The holder defines a production problem with facts, finds its root cause with the "
            "crew, tries countermeasures and locks in the fix in standard work.",
            "La personne titulaire définit un problème de production à l'aide de faits, en "
            "trouve la cause profonde avec l'équipe, essaie des contre-mesures et intègre la "
            "solution au travail normalisé.",
        ),
        "college": "maple-valley-polytechnic",
        "partners": [("trillium-assemblies", "co_designer")],
        "endorsement": (
            "trillium-assemblies",
            "2026-05-04",
            "Trillium Automotive Assemblies confirms that version 1 teaches the problem-solving "
            "method its lead hands use.",
            "Assemblages automobiles Trillium confirme que la version 1 enseigne la méthode de "
            "résolution de problèmes qu'utilisent ses chefs d'équipe.",
        ),
        "outcomes": [
            (
                "Defines a problem with facts gathered where it happens.",
                "Définit un problème à l'aide de faits recueillis sur les lieux.",
                [("ILL-LH-5.1", "full")],
            ),
            (
                "Finds and checks a root cause with the crew.",
                "Trouve et vérifie une cause profonde avec l'équipe.",
                [("ILL-LH-5.2", "full"), ("ILL-SU-5.2.2", "partial")],
            ),
            (
                "Tries countermeasures, confirms the fix and updates standard work.",
                "Essaie des contre-mesures, confirme la solution et met à jour le travail "
                "normalisé.",
                [("ILL-LH-5.3", "full")],
            ),
        ],
        "methods": [
            method(
                "project",
                80,
                "A problem-solving report (A3) on a real problem from the learner's workplace.",
                "Un rapport de résolution de problème (A3) sur un vrai problème du milieu de "
                "travail de l'apprenant.",
            ),
            method(
                "discussion",
                20,
                "Presentation of the A3 to the assessor and a partner representative.",
                "Présentation de l'A3 à l'évaluateur et à un représentant du partenaire.",
            ),
        ],
        "evidence": t(
            "The A3 report with its data, and the presentation notes.",
            "Le rapport A3 avec ses données, et les notes de présentation.",
        ),
        "pass_standard": t(
            "A root cause supported by data and a countermeasure whose effect is measured.",
            "Une cause profonde appuyée par des données et une contre-mesure dont l'effet est "
            "mesuré.",
        ),
        "assessor": ("", ""),
        "challenge": (
            "Workers may submit an A3 they completed at work.",
            "Les travailleurs peuvent soumettre un A3 réalisé au travail.",
        ),
        "effort_hours": 20,
        "duration_weeks": 3,
        "delivery_mode": "hybrid",
        "level": "intermediate",
        "credit_value": "none",
        "prerequisites": "none",
        "stacks_into": ["ILL-LH", "ILL-SU"],
        "validity": NO_EXPIRY,
        "noc": ["92024"],
        "modules": [
            ("Defining the problem", "Définir le problème", 7),
            ("Finding root causes", "Trouver les causes profondes", 7),
            ("Making the fix stick", "Pérenniser la solution", 6),
        ],
    },
    {
        "code": "ILL-LABR",
        "title": t(
            "Labour Relations and the Collective Agreement",
            "Relations de travail et convention collective",
        ),
        "description": t(
            "The holder applies a collective agreement on the floor, works constructively with "
            "union representatives, handles complaints and grievances within time limits and "
            "applies discipline fairly.",
            "La personne titulaire applique une convention collective dans l'atelier, travaille "
            "de façon constructive avec les représentants syndicaux, traite les plaintes et les "
            "griefs dans les délais et applique la discipline avec équité.",
        ),
        "college": "ironwood-college",
        "partners": [
            ("red-river-components", "co_designer"),
            ("prairie-food-processors", "endorser"),
        ],
        "endorsement": (
            "red-river-components",
            "2026-06-15",
            "Red River Components confirms that version 1 reflects how its supervisors are "
            "expected to apply the collective agreement, and that its local union reviewed the "
            "case studies.",
            "Composants Rivière-Rouge confirme que la version 1 reflète la façon dont ses "
            "superviseurs doivent appliquer la convention collective, et que sa section locale "
            "syndicale a revu les études de cas.",
        ),
        "outcomes": [
            (
                "Finds and applies the articles of a collective agreement to floor situations.",
                "Trouve et applique les articles d'une convention collective à des situations "
                "d'atelier.",
                [("ILL-SU-4.1", "full")],
            ),
            (
                "Works with stewards to resolve issues early and informs the union as required.",
                "Travaille avec les délégués syndicaux pour régler les problèmes tôt et informe "
                "le syndicat comme il se doit.",
                [("ILL-SU-4.2", "full"), ("ILL-MG-4.2.1", "partial")],
            ),
            (
                "Handles complaints and answers grievances within the agreement's time limits.",
                "Traite les plaintes et répond aux griefs dans les délais prévus par la "
                "convention.",
                [("ILL-SU-4.3", "full"), ("ILL-MG-4.3.1", "partial")],
            ),
            (
                "Investigates and documents discipline consistent with past practice.",
                "Enquête et documente les mesures disciplinaires conformément à la pratique "
                "établie.",
                [("ILL-SU-4.4", "full")],
            ),
        ],
        "methods": [
            method(
                "simulation",
                50,
                "Role-played grievance meeting with a steward.",
                "Jeu de rôle d'une rencontre de grief avec un délégué syndical.",
            ),
            method(
                "project",
                50,
                "Written responses to three case studies based on a sample agreement.",
                "Réponses écrites à trois études de cas fondées sur une convention type.",
            ),
        ],
        "evidence": t(
            "Role-play observation record and the three case responses.",
            "Fiche d'observation du jeu de rôle et réponses aux trois études de cas.",
        ),
        "pass_standard": t(
            "Correct use of the agreement in every case and a role-play that respects the "
            "employee's rights and the time limits.",
            "Une utilisation correcte de la convention dans chaque cas et un jeu de rôle qui "
            "respecte les droits de l'employé et les délais.",
        ),
        "assessor": (
            "Case responses are also reviewed by a labour relations practitioner.",
            "Les réponses aux études de cas sont aussi revues par un praticien des relations "
            "de travail.",
        ),
        "challenge": (
            "Experienced supervisors may answer the case studies and do the role-play without "
            "the course.",
            "Les superviseurs d'expérience peuvent répondre aux études de cas et faire le jeu "
            "de rôle sans suivre le cours.",
        ),
        "effort_hours": 30,
        "duration_weeks": 6,
        "delivery_mode": "online",
        "level": "advanced",
        "credit_value": t(
            "3 credits toward Ironwood's Industrial Leadership certificate.",
            "3 crédits pour le certificat Leadership industriel du Collège communautaire Ironwood.",
        ),
        "prerequisites": "none",
        "stacks_into": ["ILL-SU", "ILL-MG"],
        "validity": NO_EXPIRY,
        "noc": ["92024", "90010"],
        "modules": [
            ("Reading the collective agreement", "Lire la convention collective", 10),
            ("Complaints, grievances and discipline", "Plaintes, griefs et discipline", 12),
            ("Working with the union", "Travailler avec le syndicat", 8),
        ],
    },
    {
        "code": "ILL-SUPV",
        "title": t(
            "Production Supervision: Safety, Planning, Quality and Cost",
            "Supervision de la production : sécurité, planification, qualité et coûts",
        ),
        "description": t(
            "The holder supervises a department or shift: meets health and safety duties, "
            "schedules production and attendance, manages quality and cost, and reports on "
            "performance.",
            "La personne titulaire supervise un service ou un quart : elle s'acquitte de ses "
            "obligations en santé et sécurité, ordonnance la production et gère l'assiduité, "
            "gère la qualité et les coûts et rend compte du rendement.",
        ),
        "college": "ironwood-college",
        "partners": [
            ("prairie-food-processors", "co_designer"),
            ("red-river-components", "co_designer"),
        ],
        "endorsement": (
            "red-river-components",
            "2026-06-15",
            "Red River Components confirms that version 1 covers the day-to-day duties of its "
            "production supervisors.",
            "Composants Rivière-Rouge confirme que la version 1 couvre les tâches quotidiennes "
            "de ses superviseurs de production.",
        ),
        "outcomes": [
            (
                "Meets a supervisor's health and safety duties, from inspections to return to "
                "work.",
                "S'acquitte des obligations d'un superviseur en santé et sécurité, des "
                "inspections au retour au travail.",
                [("ILL-SU-1", "full")],
            ),
            (
                "Schedules production and staffing and manages attendance fairly.",
                "Ordonnance la production et l'effectif et gère l'assiduité avec équité.",
                [("ILL-SU-2", "full")],
            ),
            (
                "Maintains the quality system and leads root-cause analysis of quality problems.",
                "Maintient le système qualité et dirige l'analyse des causes profondes des "
                "problèmes de qualité.",
                [("ILL-SU-5", "full")],
            ),
            (
                "Tracks key measures and controls department costs.",
                "Suit les indicateurs clés et maîtrise les coûts du service.",
                [("ILL-SU-6", "full")],
            ),
            (
                "Writes clear reports and keeps accurate records.",
                "Rédige des rapports clairs et tient des registres exacts.",
                [("ILL-SU-8", "full")],
            ),
        ],
        "methods": [
            method(
                "portfolio",
                60,
                "Workplace portfolio over eight weeks: schedules, inspection reports, a cost "
                "review and weekly reports.",
                "Portfolio de milieu de travail sur huit semaines : horaires, rapports "
                "d'inspection, analyse des coûts et rapports hebdomadaires.",
            ),
            method(
                "test",
                20,
                "Online test on health and safety law and supervisor duties.",
                "Test en ligne sur la législation en santé et sécurité et les obligations du "
                "superviseur.",
            ),
            method(
                "discussion",
                20,
                "Professional discussion with the assessor on the portfolio.",
                "Discussion professionnelle avec l'évaluateur sur le portfolio.",
            ),
        ],
        "evidence": t(
            "The portfolio mapped to indicators, the test score and the discussion notes.",
            "Le portfolio mis en correspondance avec les indicateurs, le résultat du test et "
            "les notes de discussion.",
        ),
        "pass_standard": t(
            "Every outcome shown at standard in the portfolio and at least 80 % on the test.",
            "Chaque résultat démontré selon la norme dans le portfolio et au moins 80 % au test.",
        ),
        "assessor": ("", ""),
        "challenge": (
            "Serving supervisors may build the portfolio from their existing work records.",
            "Les superviseurs en poste peuvent constituer le portfolio à partir de leurs "
            "registres de travail existants.",
        ),
        "effort_hours": 45,
        "duration_weeks": 8,
        "delivery_mode": "hybrid",
        "level": "advanced",
        "credit_value": t(
            "3 credits toward Ironwood's Industrial Leadership certificate.",
            "3 crédits pour le certificat Leadership industriel du Collège communautaire Ironwood.",
        ),
        "prerequisites": ["ILL-LEAD"],
        "stacks_into": ["ILL-SU"],
        "validity": NO_EXPIRY,
        "noc": ["92024"],
        "modules": [
            ("The supervisor's safety duties", "Les obligations du superviseur en sécurité", 15),
            ("Scheduling and attendance", "Ordonnancement et assiduité", 10),
            ("Quality, cost and reporting", "Qualité, coûts et comptes rendus", 20),
        ],
    },
    {
        "code": "ILL-PEOPLE",
        "title": t("Leading People and Change", "Diriger le personnel et le changement"),
        "description": t(
            "The holder sets clear expectations, develops and coaches staff, handles performance "
            "issues fairly, builds an inclusive team and leads change with workers and the "
            "union.",
            "La personne titulaire fixe des attentes claires, perfectionne et encadre le "
            "personnel, gère équitablement les problèmes de rendement, bâtit une équipe "
            "inclusive et dirige le changement avec les travailleurs et le syndicat.",
        ),
        "college": "ironwood-college",
        "partners": [("prairie-food-processors", "co_designer")],
        "endorsement": (
            "prairie-food-processors",
            "2026-06-22",
            "The Prairie Food Processors Association confirms that version 1 addresses the "
            "people-leadership needs its members identified.",
            "L'Association des transformateurs alimentaires des Prairies confirme que la "
            "version 1 répond aux besoins en leadership du personnel cernés par ses membres.",
        ),
        "outcomes": [
            (
                "Sets expectations and develops each team member.",
                "Fixe les attentes et perfectionne chaque membre de l'équipe.",
                [("ILL-SU-3.1", "full"), ("ILL-SU-3.2", "full")],
            ),
            (
                "Handles performance problems fairly and builds an inclusive team.",
                "Gère équitablement les problèmes de rendement et bâtit une équipe inclusive.",
                [("ILL-SU-3.3", "full"), ("ILL-SU-3.4", "full")],
            ),
            (
                "Prepares, implements and sustains a workplace change.",
                "Prépare, met en œuvre et pérennise un changement au travail.",
                [("ILL-SU-7", "full")],
            ),
        ],
        "methods": [
            method(
                "project",
                60,
                "A change plan for a real workplace change, with its communication and training "
                "steps.",
                "Un plan de changement pour un changement réel au travail, avec ses étapes de "
                "communication et de formation.",
            ),
            method(
                "simulation",
                40,
                "Role-played performance conversation.",
                "Jeu de rôle d'une conversation sur le rendement.",
            ),
        ],
        "evidence": t(
            "The change plan and the role-play observation record.",
            "Le plan de changement et la fiche d'observation du jeu de rôle.",
        ),
        "pass_standard": t(
            "A complete, realistic change plan and a role-play at standard on every criterion.",
            "Un plan de changement complet et réaliste et un jeu de rôle conforme à la norme "
            "pour chaque critère.",
        ),
        "assessor": ("", ""),
        "challenge": (
            "Supervisors may present a change they led, with evidence of its results.",
            "Les superviseurs peuvent présenter un changement qu'ils ont dirigé, avec des "
            "preuves de ses résultats.",
        ),
        "effort_hours": 30,
        "duration_weeks": 6,
        "delivery_mode": "online",
        "level": "advanced",
        "credit_value": "none",
        "prerequisites": ["ILL-COACH"],
        "stacks_into": ["ILL-SU", "ILL-MG"],
        "validity": NO_EXPIRY,
        "noc": ["92024"],
        "modules": [
            ("Expectations and development", "Attentes et perfectionnement", 10),
            ("Performance and inclusion", "Rendement et inclusion", 10),
            ("Leading change", "Diriger le changement", 10),
        ],
    },
    {
        "code": "ILL-OPSMGT",
        "title": t(
            "Manufacturing Operations Management",
            "Gestion des opérations manufacturières",
        ),
        "description": t(
            "The holder manages a manufacturing operation: sets the operations plan and drives "
            "innovation, builds and controls budgets, leads the quality system and customer "
            "relations, and manages suppliers, logistics and trade.",
            "La personne titulaire gère une exploitation manufacturière : elle établit le plan "
            "des opérations et stimule l'innovation, prépare et contrôle les budgets, dirige le "
            "système qualité et les relations avec les clients, et gère les fournisseurs, la "
            "logistique et le commerce.",
        ),
        "college": "northshore-college",
        "partners": [("great-lakes-precision", "co_designer"), ("boreal-steel", "co_designer")],
        "endorsement": (
            "boreal-steel",
            "2026-07-06",
            "Boreal Steel Fabricators confirms that version 1 covers the operations management "
            "responsibilities of its plant managers.",
            "Fabrications d'acier Boréal confirme que la version 1 couvre les responsabilités "
            "de gestion des opérations de ses directeurs d'usine.",
        ),
        "outcomes": [
            (
                "Writes an operations plan and evaluates innovation projects with a business case.",
                "Rédige un plan des opérations et évalue des projets d'innovation au moyen "
                "d'une analyse de rentabilisation.",
                [("ILL-MG-1", "full")],
            ),
            (
                "Builds budgets, explains variances and uses product cost data.",
                "Prépare les budgets, explique les écarts et utilise les données sur le coût "
                "des produits.",
                [("ILL-MG-2", "full")],
            ),
            (
                "Leads the quality management system and customer escalations.",
                "Dirige le système de gestion de la qualité et les escalades des clients.",
                [("ILL-MG-6", "full")],
            ),
            (
                "Plans supply and demand, manages suppliers and meets trade rules.",
                "Planifie l'offre et la demande, gère les fournisseurs et respecte les règles du "
                "commerce.",
                [("ILL-MG-7", "full")],
            ),
        ],
        "methods": [
            method(
                "project",
                70,
                "Capstone: an operations review and improvement plan for a partner plant.",
                "Projet de synthèse : un examen des opérations et un plan d'amélioration pour une "
                "usine partenaire.",
            ),
            method(
                "discussion",
                30,
                "Presentation to a panel of faculty and partner managers.",
                "Présentation devant un jury de professeurs et de gestionnaires partenaires.",
            ),
        ],
        "evidence": t(
            "The capstone report, the financial model and the panel's scored rubric.",
            "Le rapport de synthèse, le modèle financier et la grille notée du jury.",
        ),
        "pass_standard": t(
            "At least 'meets standard' on every rubric criterion.",
            "Au moins « conforme à la norme » pour chaque critère de la grille.",
        ),
        "assessor": (
            "The panel includes at least one partner plant manager.",
            "Le jury comprend au moins un directeur d'usine partenaire.",
        ),
        "challenge": (
            "Serving managers may present an operations review of their own plant.",
            "Les gestionnaires en poste peuvent présenter un examen des opérations de leur "
            "propre usine.",
        ),
        "effort_hours": 60,
        "duration_weeks": 12,
        "delivery_mode": "hybrid",
        "level": "advanced",
        "credit_value": t(
            "4 credits toward Northshore's graduate certificate in Manufacturing Management.",
            "4 crédits pour le certificat d'études supérieures en gestion manufacturière du "
            "Collège Northshore.",
        ),
        "prerequisites": ["ILL-SUPV"],
        "stacks_into": ["ILL-MG"],
        "validity": NO_EXPIRY,
        "noc": ["90010"],
        "modules": [
            ("Strategy and innovation", "Stratégie et innovation", 15),
            ("Finance for operations", "Finances des opérations", 15),
            ("Quality and customers", "Qualité et clients", 15),
            ("Supply chain and trade", "Chaîne d'approvisionnement et commerce", 15),
        ],
    },
    {
        "code": "ILL-MGSYS",
        "title": t(
            "Managing People, Safety and Labour Relations Systems",
            "Gestion des systèmes de personnel, de sécurité et de relations de travail",
        ),
        "description": t(
            "The holder plans and develops the workforce, runs safety and environmental "
            "management systems, manages labour-management relations and leads the "
            "organisation with integrity.",
            "La personne titulaire planifie et perfectionne la main-d'œuvre, dirige les "
            "systèmes de gestion de la santé, de la sécurité et de l'environnement, gère les "
            "relations patronales-syndicales et dirige l'organisation avec intégrité.",
        ),
        "college": "ironwood-college",
        "partners": [("red-river-components", "co_designer")],
        "endorsement": (
            "red-river-components",
            "2026-07-13",
            "Red River Components confirms that version 1 reflects the people, safety and "
            "labour relations systems its plant managers run.",
            "Composants Rivière-Rouge confirme que la version 1 reflète les systèmes de "
            "personnel, de sécurité et de relations de travail que dirigent ses directeurs "
            "d'usine.",
        ),
        "outcomes": [
            (
                "Builds a workforce plan with succession, training and retention measures.",
                "Établit un plan de main-d'œuvre comprenant des mesures de relève, de formation "
                "et de fidélisation.",
                [("ILL-MG-3", "full")],
            ),
            (
                "Manages bargaining, joint committees and disputes.",
                "Gère la négociation, les comités conjoints et les différends.",
                [("ILL-MG-4", "full")],
            ),
            (
                "Runs the safety and environmental management systems.",
                "Dirige les systèmes de gestion de la santé, de la sécurité et de l'environnement.",
                [("ILL-MG-5", "full")],
            ),
            (
                "Communicates the vision, builds the leadership team and acts with integrity.",
                "Communique la vision, bâtit l'équipe de direction et agit avec intégrité.",
                [("ILL-MG-8", "full")],
            ),
        ],
        "methods": [
            method(
                "portfolio",
                60,
                "Portfolio of management documents the learner produced: a workforce plan, a "
                "safety system review and labour-management committee minutes.",
                "Portfolio de documents de gestion produits par l'apprenant : un plan de "
                "main-d'œuvre, un examen du système de sécurité et des procès-verbaux du comité "
                "patronal-syndical.",
            ),
            method(
                "discussion",
                40,
                "Professional discussion with a panel on leadership decisions.",
                "Discussion professionnelle avec un jury sur des décisions de leadership.",
            ),
        ],
        "evidence": t(
            "The portfolio mapped to indicators and the panel's scored rubric.",
            "Le portfolio mis en correspondance avec les indicateurs et la grille notée du jury.",
        ),
        "pass_standard": t(
            "Every outcome shown at standard by portfolio evidence and confirmed in the "
            "discussion.",
            "Chaque résultat démontré selon la norme par des preuves du portfolio et confirmé "
            "lors de la discussion.",
        ),
        "assessor": ("", ""),
        "challenge": (
            "This micro-credential is portfolio-based; serving managers follow the same route.",
            "Cette microcertification repose sur un portfolio; les gestionnaires en poste "
            "suivent le même parcours.",
        ),
        "effort_hours": 45,
        "duration_weeks": 10,
        "delivery_mode": "work_based",
        "level": "advanced",
        "credit_value": "none",
        "prerequisites": ["ILL-PEOPLE"],
        "stacks_into": ["ILL-MG"],
        "validity": NO_EXPIRY,
        "noc": ["90010"],
        "modules": [
            (
                "Workforce planning and development",
                "Planification et perfectionnement de la main-d'œuvre",
                15,
            ),
            (
                "Safety and environmental systems",
                "Systèmes de santé, de sécurité et d'environnement",
                15,
            ),
            ("Labour relations and leadership", "Relations de travail et leadership", 15),
        ],
    },
]


# --------------------------------------------------------------------------------------------


def framework_index() -> tuple[str, dict[str, list[str]], set[str]]:
    """Version, children by code, and the indicator codes of the CertWORK+ framework."""
    document = yaml.safe_load((CONTENT / "frameworks" / f"{FRAMEWORK}.yaml").read_text("utf-8"))
    children: dict[str, list[str]] = {}
    indicators: set[str] = set()

    def walk(items: list[dict]) -> None:
        for item in items:
            children[item["code"]] = [child["code"] for child in item.get("children") or []]
            if item["type"] == "indicator":
                indicators.add(item["code"])
            walk(item.get("children") or [])

    walk(document["items"])
    return document["version"], children, indicators


def leaves(code: str, children: dict[str, list[str]], indicators: set[str]) -> list[str]:
    if code in indicators:
        return [code]
    if code not in children:
        sys.exit(f"unknown item {code}")
    return [leaf for child in children[code] for leaf in leaves(child, children, indicators)]


def build(spec: dict, number: int, index: tuple[str, dict[str, list[str]], set[str]]) -> dict:
    version, children, indicators = index
    college = spec["college"]
    outcomes, alignments = [], []
    for position, (en, fr, targets) in enumerate(spec["outcomes"], start=1):
        outcome_id = f"O{position}"
        outcomes.append({"id": outcome_id, "text": t(en, fr)})
        for code, strength in targets:
            for leaf in leaves(code, children, indicators):
                alignments.append(
                    Flow(
                        outcome=outcome_id,
                        framework=FRAMEWORK,
                        framework_version=version,
                        item=leaf,
                        strength=strength,
                    )
                )
    partner, date, confirms_en, confirms_fr = spec["endorsement"]
    iri = COLLEGES[college][1]
    modules = []
    for position, (en, fr, hours) in enumerate(spec["modules"], start=1):
        base = number * 100 + position * 10
        module = {
            "code": f"{spec['code']}-M{position}",
            "title": t(en, fr),
            "effort_hours": hours,
            "xapi_activity_ids": [iri.format(n=base + 1), iri.format(n=base + 2)],
        }
        if college in ("northshore-college", "ironwood-college"):
            module["lti_resource_link_id"] = f"{spec['code'].lower()}-m{position}"
        modules.append(module)
    document = {
        "kind": "microcredential",
        "version": 1,
        "status": "published",
        "code": spec["code"],
        "title": spec["title"],
        "description": spec["description"],
        "issuing_organisation": college,
        "outcomes": outcomes,
        "alignments": alignments,
        "assessment_methods": spec["methods"],
        "evidence": spec["evidence"],
        "pass_standard": spec["pass_standard"],
        "assessor": assessor(college, *spec["assessor"]),
        "challenge_route": challenge(*spec["challenge"]),
        "effort_hours": spec["effort_hours"],
        "duration_weeks": spec["duration_weeks"],
        "delivery_mode": spec["delivery_mode"],
        "languages": ["en", "fr"],
        "level": spec["level"],
        "credit_value": spec["credit_value"],
        "industry_partners": [
            Flow(organisation=code, role=role) for code, role in spec["partners"]
        ],
        "endorsement": {"partner": partner, "confirms": t(confirms_en, confirms_fr), "date": date},
        "prerequisites": spec["prerequisites"],
        "stacks_into": spec["stacks_into"],
        "validity": spec["validity"],
        "verification": VERIFICATION,
        "ownership_statement": OWNERSHIP,
        "noc_2021": spec["noc"],
        "modules": modules,
    }
    return document


def main() -> None:
    index = framework_index()
    TARGET.mkdir(exist_ok=True)
    for number, spec in enumerate(MICROCREDENTIALS, start=1):
        document = build(spec, number, index)
        path = TARGET / f"{spec['code'].lower()}.yaml"
        header = (
            "# Generated by content/tools/build_microcredentials.py; this file is the data.\n"
            "# Published version 1 of an illustrative sample micro-credential (fictional "
            "college and partners).\n"
        )
        body = yaml.dump(document, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=10_000)
        path.write_text(header + body, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
