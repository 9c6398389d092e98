"""Catalog search: 10,000 published micro-credentials, filtered full-text searches, p50/p95.

Usage: .venv/bin/python bench/catalog_search.py [--n 10000] [--runs 200] [--seed 7]
           [--postgres-server URL | --no-postgres]

Generates the micro-credentials with bulk inserts (plain dicts, executemany) into a fresh
temporary SQLite file and into a PostgreSQL database the script creates and drops
(`pw_search_bench_<pid>` on --postgres-server, default PATHWAYS_BENCH_PG_SERVER or
postgresql+psycopg://postgres@127.0.0.1:5432/postgres), builds the search index with
`search.reindex_all()`, then times ~200 calls of the real `search.search()` (a page of 20
with every facet, as the catalogue page and the API ask): English and French words,
accented and not, prefixes, with 0 to 3 filters. Prints a table, then one JSON line.
Target: p95 < 20 ms.
"""

from __future__ import annotations

import argparse
import gc
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

# (English, French) word pairs in ten topics of four. A micro-credential is about one topic
# (the first topics are the most common, as safety or quality courses are) and borrows a
# word from another now and then: a word is in between ~2 % and ~30 % of the catalogue.
VOCABULARY = [
    ("safety", "sécurité"),
    ("production", "production"),
    ("quality", "qualité"),
    ("machine", "machine"),
    ("warehouse", "entrepôt"),
    ("maintenance", "entretien"),
    ("measuring", "mesure"),
    ("lockout", "cadenassage"),
    ("welding", "soudage"),
    ("forklift", "chariot"),
    ("inventory", "inventaire"),
    ("assembly", "assemblage"),
    ("drawing", "dessin"),
    ("leadership", "leadership"),
    ("teamwork", "équipe"),
    ("hydraulics", "hydraulique"),
    ("electrical", "électrique"),
    ("programming", "programmation"),
    ("robotics", "robotique"),
    ("packaging", "emballage"),
    ("shipping", "expédition"),
    ("receiving", "réception"),
    ("inspection", "inspection"),
    ("calibration", "étalonnage"),
    ("hazards", "dangers"),
    ("ergonomics", "ergonomie"),
    ("scheduling", "planification"),
    ("coaching", "encadrement"),
    ("troubleshooting", "dépannage"),
    ("pneumatics", "pneumatique"),
    ("blueprints", "plans"),
    ("tolerances", "tolérances"),
    ("lean", "allégée"),
    ("kaizen", "amélioration"),
    ("documentation", "documentation"),
    ("communication", "communication"),
    ("chemicals", "chimiques"),
    ("lifting", "levage"),
    ("cutting", "découpe"),
    ("finishing", "finition"),
]
FILLER_EN = "the holder works with and applies reads plans checks records reports".split()
FILLER_FR = "la personne titulaire applique vérifie lit les plans et consigne signale".split()
COLLEGES = 20
PARTNERS = 30
OCCUPATIONS = 6
MODES = ("in_person", "online", "hybrid", "work_based")


TOPIC_WEIGHTS = [1 / (rank + 1) for rank in range(len(VOCABULARY) // 4)]


def _phrase(rng: random.Random, topic: int, n: int, filler: int) -> tuple[str, str]:
    pairs = []
    for _ in range(n):
        source = topic if rng.random() < 0.85 else rng.randrange(len(TOPIC_WEIGHTS))
        pairs.append(VOCABULARY[source * 4 + rng.randrange(4)])
    en = [p[0] for p in pairs] + rng.sample(FILLER_EN, filler)
    fr = [p[1] for p in pairs] + rng.sample(FILLER_FR, filler)
    rng.shuffle(en)
    rng.shuffle(fr)
    return " ".join(en), " ".join(fr)


def generate(n: int, seed: int) -> dict[str, list[dict]]:
    """Plain rows for every table, ids assigned (the database is empty)."""
    rng = random.Random(seed)
    rows: dict[str, list[dict]] = {
        name: []
        for name in (
            "organisations",
            "frameworks",
            "items",
            "credentials",
            "versions",
            "alignments",
            "partners",
        )
    }
    for i in range(COLLEGES):
        rows["organisations"].append(
            {"id": i + 1, "code": f"college-{i}", "name": f"College {i}", "kind": "college"}
        )
    for i in range(PARTNERS):
        rows["organisations"].append(
            {
                "id": COLLEGES + i + 1,
                "code": f"partner-{i}",
                "name": f"Partner {i}",
                "kind": "industry_partner",
            }
        )
    rows["frameworks"].append(
        {
            "id": 1,
            "identifier": "bench",
            "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
            "title": {"en": "Bench framework"},
            "description": {},
            "publisher": "bench",
            "version": "1",
            "languages": ["en", "fr"],
            "status": "published",
        }
    )
    leaves: dict[int, list[int]] = {}
    item_id = 0

    def item(code: str, kind: str, parent: int | None) -> int:
        nonlocal item_id
        item_id += 1
        rows["items"].append(
            {
                "id": item_id,
                "framework_id": 1,
                "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                "code": code,
                "kind": kind,
                "parent_id": parent,
                "position": item_id,
                "title": {"en": code, "fr": code},
            }
        )
        return item_id

    for o in range(OCCUPATIONS):
        occupation = item(f"OCC-{o}", "occupation", None)
        leaves[o] = []
        for a in range(3):
            area = item(f"OCC-{o}-{a}", "area", occupation)
            for c in range(3):
                competency = item(f"OCC-{o}-{a}.{c}", "competency", area)
                for i in range(4):
                    leaves[o].append(item(f"OCC-{o}-{a}.{c}.{i}", "indicator", competency))
    alignment_id = partner_id = 0
    for k in range(n):
        version_id = k + 1
        topic = rng.choices(range(len(TOPIC_WEIGHTS)), TOPIC_WEIGHTS)[0]
        title = _phrase(rng, topic, 2, 0)
        summary = _phrase(rng, topic, 4, 4)
        outcomes = [_phrase(rng, topic, 2, 3) for _ in range(rng.randint(2, 5))]
        rows["credentials"].append(
            {"id": version_id, "code": f"B-{k:05d}", "issuing_organisation_id": rng.randint(1, 20)}
        )
        rows["versions"].append(
            {
                "id": version_id,
                "credential_id": version_id,
                "number": 1,
                "status": "published",
                "title": {"en": title[0].capitalize(), "fr": title[1].capitalize()},
                "description": {"en": summary[0] + ".", "fr": summary[1] + "."},
                "outcomes": [
                    {"id": f"O{i + 1}", "text": {"en": en, "fr": fr}}
                    for i, (en, fr) in enumerate(outcomes)
                ],
                "effort_hours": rng.randint(5, 120),
                "delivery_mode": rng.choice(MODES),
                "languages": rng.choice([["en"], ["fr"], ["en", "fr"], ["en", "fr"]]),
            }
        )
        home = rng.randrange(OCCUPATIONS)
        for leaf in {rng.choice(leaves[home]) for _ in range(rng.randint(1, 4))} | (
            {rng.choice(leaves[rng.randrange(OCCUPATIONS)])} if rng.random() < 0.2 else set()
        ):
            alignment_id += 1
            rows["alignments"].append(
                {"id": alignment_id, "version_id": version_id, "item_id": leaf, "outcome": "O1"}
            )
        for organisation in rng.sample(
            range(COLLEGES + 1, COLLEGES + PARTNERS + 1), rng.choice((0, 1, 1, 2))
        ):
            partner_id += 1
            rows["partners"].append(
                {
                    "id": partner_id,
                    "version_id": version_id,
                    "organisation_id": organisation,
                    "role": rng.choice(("co_designer", "endorser")),
                }
            )
    return rows


def build(url: str, n: int, seed: int) -> tuple[float, float]:
    """Migrate, bulk insert, index; returns (seconds to insert, seconds to index)."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from pathways import create_app
    from pathways.accounts.models import Organisation
    from pathways.catalog import search
    from pathways.catalog.models import Alignment
    from pathways.catalog.models import CompetencyItem
    from pathways.catalog.models import Framework
    from pathways.catalog.models import MicroCredential
    from pathways.catalog.models import MicroCredentialVersion
    from pathways.catalog.models import VersionPartner
    from pathways.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade()
        rows = generate(n, seed)
        start = time.perf_counter()
        for model, name in (
            (Organisation, "organisations"),
            (Framework, "frameworks"),
            (CompetencyItem, "items"),
            (MicroCredential, "credentials"),
            (MicroCredentialVersion, "versions"),
            (Alignment, "alignments"),
            (VersionPartner, "partners"),
        ):
            # Core inserts of plain dicts: one executemany per table, column defaults applied.
            table = model.__table__
            db.session.execute(table.insert(), _with_defaults(table, rows[name]))
        db.session.commit()
        inserted = time.perf_counter() - start
        start = time.perf_counter()
        indexed_count = search.reindex_all()
        db.session.commit()
        assert indexed_count == n, indexed_count
        indexed = time.perf_counter() - start
        # Planner statistics, as autovacuum would gather them on a live database.
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
        db.engine.dispose()
    return inserted, indexed


def _with_defaults(table, rows: list[dict]) -> list[dict]:
    """executemany wants every row to name the same columns: fill the scalar defaults."""
    columns = {key for row in rows for key in row}
    filled = []
    for row in rows:
        row = dict(row)
        for column in table.columns:
            if column.name in row or column.primary_key:
                continue
            default = column.default
            if default is not None and default.is_callable:
                row[column.name] = default.arg(None)
            elif default is not None and default.is_scalar:
                row[column.name] = default.arg
            elif column.name in columns:
                row[column.name] = None
        filled.append(row)
    return filled


def cases(runs: int, seed: int) -> list[tuple[str, object]]:
    """Varied searches: (label, SearchFilters). Words EN and FR, accented or not, prefixes."""
    from pathways.catalog.search import SearchFilters
    from pathways.catalog.search import fold

    rng = random.Random(seed)
    found = []
    for i in range(runs):
        en, fr = VOCABULARY[rng.randrange(len(VOCABULARY))]
        other = VOCABULARY[rng.randrange(len(VOCABULARY))]
        kind = i % 8
        if kind == 0:
            text, label = en, "en word"
        elif kind == 1:
            text, label = fr, "fr word, accents"
        elif kind == 2:
            text, label = fold(fr), "fr word, no accents"
        elif kind == 3:
            text, label = f"{en} {other[0]}", "two en words"
        elif kind == 4:
            text, label = f"{fr} {fold(other[1])}", "two fr words"
        elif kind == 5:
            text, label = en[: max(3, len(en) // 2)], "en prefix"
        elif kind == 6:
            text, label = fr[: max(3, len(fr) // 2)], "fr prefix"
        else:
            text, label = "", "filters only"
        filters: dict = {}
        count = rng.choice((0, 1, 2, 3)) if text else rng.choice((1, 2, 3))
        for name in rng.sample(
            ("occupation", "competency", "college", "partner", "effort", "language", "mode"),
            count,
        ):
            if name == "occupation":
                filters["occupation"] = f"OCC-{rng.randrange(OCCUPATIONS)}"
            elif name == "competency":
                filters["competency"] = (
                    f"OCC-{rng.randrange(OCCUPATIONS)}-{rng.randrange(3)}.{rng.randrange(3)}"
                )
            elif name == "college":
                filters["college"] = f"college-{rng.randrange(COLLEGES)}"
            elif name == "partner":
                filters["partner"] = f"partner-{rng.randrange(PARTNERS)}"
            elif name == "effort":
                low = rng.randrange(5, 80)
                filters["effort_min"], filters["effort_max"] = low, low + rng.randrange(10, 60)
            elif name == "language":
                filters["language"] = rng.choice(("en", "fr"))
            else:
                filters["delivery_mode"] = rng.choice(MODES)
        found.append((f"{label}, {count} filter(s)", SearchFilters(text=text, **filters)))
    return found


def measure(url: str, runs: int, seed: int) -> dict:
    from pathways import create_app
    from pathways.catalog.search import search
    from pathways.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    timings: list[float] = []
    totals: list[int] = []
    with app.app_context():
        work = cases(runs, seed)
        for _label, filters in work[:20]:  # warm the connection pool, the page and facet caches
            search(filters, limit=20)
        db.session.rollback()
        # The generated rows and the build are garbage now: a full collection of them during
        # the timed loop would be charged to one search (~100 ms), not to the search code.
        gc.collect()
        for _label, filters in work:
            start = time.perf_counter()
            result = search(filters, limit=20)
            timings.append((time.perf_counter() - start) * 1000)
            totals.append(result.total)
            db.session.rollback()
        db.engine.dispose()
    ordered = sorted(timings)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, -(-len(ordered) * 95 // 100) - 1)], 2),
        "max_ms": round(ordered[-1], 2),
        "runs": len(ordered),
        "median_matches": int(statistics.median(totals)),
    }


def _postgres(server: str):
    """Create a bench database on the server; return its URL and a function that drops it."""
    import sqlalchemy as sa

    name = f"pw_search_bench_{os.getpid()}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(server).set(database=name)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--postgres-server",
        default=os.environ.get(
            "PATHWAYS_BENCH_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("PATHWAYS_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench-inst-"))
    workdir = tempfile.TemporaryDirectory(prefix="bench-search-")
    targets = [("sqlite", f"sqlite:///{workdir.name}/search.db", None)]
    if not args.no_postgres:
        try:
            url, drop = _postgres(args.postgres_server)
            targets.append(("postgresql", url, drop))
        except Exception as error:  # noqa: BLE001 -- no server: report SQLite alone
            print(f"postgresql skipped: {error.__class__.__name__}: {error}", file=sys.stderr)
    results = {}
    try:
        for name, url, _drop in targets:
            inserted, indexed = build(url, args.n, args.seed)
            figures = measure(url, args.runs, args.seed)
            results[name] = {
                **figures,
                "insert_s": round(inserted, 2),
                "index_s": round(indexed, 2),
            }
    finally:
        for _name, _url, drop in targets:
            if drop is not None:
                drop()
        workdir.cleanup()
    print(
        f"{'database':<12}{'versions':>9}{'insert s':>10}{'index s':>9}{'searches':>10}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
    )
    for name, figures in results.items():
        print(
            f"{name:<12}{args.n:>9}{figures['insert_s']:>10}{figures['index_s']:>9}"
            f"{figures['runs']:>10}{figures['p50_ms']:>9}{figures['p95_ms']:>9}"
            f"{figures['max_ms']:>9}"
        )
    print(
        json.dumps(
            {
                "bench": "catalog_search",
                "n": args.n,
                "target_p95_ms": 20,
                **{
                    name: {"p50_ms": f["p50_ms"], "p95_ms": f["p95_ms"], "runs": f["runs"]}
                    for name, f in results.items()
                },
            }
        )
    )


if __name__ == "__main__":
    main()
