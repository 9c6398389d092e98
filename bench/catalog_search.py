"""Catalog search: 10,000 published micro-credentials, filtered searches, p50/p95 (ms).

Usage: .venv/bin/python bench/catalog_search.py [--postgres URL] [--n 10000] [--runs 200]
Runs on a fresh SQLite file, and on PostgreSQL when --postgres (or PATHWAYS_BENCH_PG) is
given. Prints a table, then one JSON line. Target: p95 < 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORDS_EN = "safety lockout measuring quality lean welding press forklift warehouse cnc".split()
WORDS_FR = "sécurité cadenassage mesure qualité soudage presse chariot entrepôt usinage".split()


def build(url: str, n: int) -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from pathways import create_app
    from pathways.accounts.enums import OrganisationKind
    from pathways.accounts.models import Organisation
    from pathways.catalog import search
    from pathways.catalog.enums import DeliveryMode
    from pathways.catalog.enums import ItemKind
    from pathways.catalog.enums import VersionStatus
    from pathways.catalog.models import Alignment
    from pathways.catalog.models import CompetencyItem
    from pathways.catalog.models import Framework
    from pathways.catalog.models import MicroCredential
    from pathways.catalog.models import MicroCredentialVersion
    from pathways.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        metadata = sa.MetaData()
        metadata.reflect(bind=db.engine)
        with db.engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(
                    sa.text(
                        f'DROP TABLE IF EXISTS "{table.name}" CASCADE'
                        if db.engine.dialect.name == "postgresql"
                        else f'DROP TABLE IF EXISTS "{table.name}"'
                    )
                )
        upgrade()
        rng = random.Random(7)
        colleges = [
            Organisation(code=f"college-{i}", name=f"College {i}", kind=OrganisationKind.COLLEGE)
            for i in range(20)
        ]
        db.session.add_all(colleges)
        framework = Framework(
            identifier="bench",
            uuid=str(uuid.uuid4()),
            title={"en": "B"},
            description={},
            publisher="b",
            version="1",
            languages=["en"],
        )
        db.session.add(framework)
        db.session.flush()
        occupations = []
        leaves = []
        for o in range(6):
            occupation = CompetencyItem(
                framework_id=framework.id,
                uuid=str(uuid.uuid4()),
                code=f"OCC-{o}",
                kind=ItemKind.OCCUPATION,
                title={"en": f"Occupation {o}"},
            )
            db.session.add(occupation)
            db.session.flush()
            occupations.append(occupation)
            for i in range(20):
                leaf = CompetencyItem(
                    framework_id=framework.id,
                    uuid=str(uuid.uuid4()),
                    code=f"OCC-{o}.{i}",
                    kind=ItemKind.INDICATOR,
                    parent_id=occupation.id,
                    title={"en": f"Indicator {i}"},
                )
                db.session.add(leaf)
                leaves.append(leaf)
        db.session.flush()
        for k in range(n):
            en = " ".join(rng.sample(WORDS_EN, 3))
            fr = " ".join(rng.sample(WORDS_FR, 3))
            credential = MicroCredential(code=f"B-{k}", issuing_organisation=rng.choice(colleges))
            version = MicroCredentialVersion(
                credential=credential,
                number=1,
                status=VersionStatus.PUBLISHED,
                title={"en": en.title(), "fr": fr.capitalize()},
                description={"en": f"Holders can {en}.", "fr": f"Les titulaires : {fr}."},
                outcomes=[{"id": "O1", "text": {"en": en, "fr": fr}}],
                effort_hours=rng.randint(5, 120),
                delivery_mode=rng.choice(list(DeliveryMode)),
                languages=rng.choice([["en"], ["fr"], ["en", "fr"]]),
            )
            version.alignments = [Alignment(item=rng.choice(leaves), outcome="O1")]
            db.session.add_all([credential, version])
            if k % 500 == 499:
                db.session.flush()
        db.session.flush()
        search.reindex_all()
        db.session.commit()


def measure(url: str, runs: int) -> dict:
    from pathways import create_app
    from pathways.catalog.search import SearchFilters
    from pathways.catalog.search import search

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    rng = random.Random(11)
    cases = [
        lambda: SearchFilters(text=rng.choice(WORDS_EN)),
        lambda: SearchFilters(text=rng.choice(WORDS_FR).replace("é", "e")),
        lambda: SearchFilters(text=" ".join(rng.sample(WORDS_EN, 2)), language="fr"),
        lambda: SearchFilters(text=rng.choice(WORDS_EN), college=f"college-{rng.randrange(20)}"),
        lambda: SearchFilters(occupation=f"OCC-{rng.randrange(6)}", effort_min=20, effort_max=60),
        lambda: SearchFilters(delivery_mode="online", effort_max=40),
        lambda: SearchFilters(text="saf", delivery_mode="hybrid", language="en"),
    ]
    timings = []
    with app.app_context():
        from pathways.db import db

        for _ in range(10):
            search(cases[0](), limit=20)
        for i in range(runs):
            filters = cases[i % len(cases)]()
            start = time.perf_counter()
            search(filters, limit=20)
            timings.append((time.perf_counter() - start) * 1000)
            db.session.rollback()
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default=os.environ.get("PATHWAYS_BENCH_PG"))
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=210)
    args = parser.parse_args()
    os.environ.setdefault("PATHWAYS_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench-inst-"))
    targets = {"sqlite": f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/search.db"}
    if args.postgres:
        targets["postgresql"] = args.postgres
    results = {}
    for name, url in targets.items():
        build(url, args.n)
        results[name] = measure(url, args.runs)
    print(f"{'database':<12}{'micro-credentials':>18}{'p50 ms':>10}{'p95 ms':>10}")
    for name, figures in results.items():
        print(f"{name:<12}{args.n:>18}{figures['p50_ms']:>10}{figures['p95_ms']:>10}")
    print(json.dumps({"bench": "catalog_search", "n": args.n, "target_p95_ms": 20, **results}))


if __name__ == "__main__":
    main()
