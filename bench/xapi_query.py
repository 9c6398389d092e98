"""LRS query benchmark: agent + verb + since queries paged through `more` at a million statements.

Run ``python bench/xapi_query.py`` (``--db postgresql`` (default) or ``sqlite``,
``--statements N``, ``--queries N``). It creates a temporary database (PostgreSQL:
``pw_xapi_query_bench``, dropped at the end), migrates it, bulk-loads N statements
straight into the LRS tables (COPY on PostgreSQL, executemany on SQLite; 10,000 agents,
10 verbs, a year of `stored` times), then asks GET /xapi/statements through the app (the
Flask test client: the whole request path, no network) with agent + verb + since and
limit=25, following `more` up to three pages. It prints a table, then one JSON line.
Target: p95 < 50 ms at 1,000,000 statements.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VENV_BIN = ROOT / ".venv" / "bin"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DB = "pw_xapi_query_bench"
AGENTS = 10_000
VERBS = [
    f"http://adlnet.gov/expapi/verbs/{v}"
    for v in (
        "viewed",
        "completed",
        "passed",
        "failed",
        "scored",
        "attempted",
        "answered",
        "experienced",
        "launched",
        "progressed",
    )
]
START = datetime(2025, 11, 1, tzinfo=UTC)
SPAN_SECONDS = 365 * 24 * 3600
MOODLE = "https://moodle.bench"


def agent_key(n: int) -> str:
    return f"account:{MOODLE}|{n}"


def rows(count: int, rng: random.Random):
    """(pk, statement fields, agent row, activity row), in `stored` order."""
    step = SPAN_SECONDS / count
    for pk in range(1, count + 1):
        stored = START + timedelta(seconds=pk * step)
        learner = rng.randrange(AGENTS)
        verb = VERBS[rng.randrange(len(VERBS))]
        activity = f"{MOODLE}/mod/page/view.php?id={rng.randrange(5000)}"
        sid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        text = stored.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        statement = {
            "id": sid,
            "actor": {"account": {"homePage": MOODLE, "name": str(learner)}},
            "verb": {"id": verb},
            "object": {"id": activity, "objectType": "Activity"},
            "stored": text,
            "timestamp": text,
            "version": "1.0.0",
        }
        yield pk, sid, agent_key(learner), verb, activity, stored, json.dumps(statement)


def load_postgresql(url: str, count: int) -> None:
    import psycopg

    rng = random.Random(5)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        with conn.cursor() as cur:
            with cur.copy(
                "COPY xapi_statement (pk, statement_id, actor_ifi, verb_id, "
                "object_activity_id, stored, timestamp, is_voided, full_json) FROM STDIN"
            ) as statements:
                agents_rows = []
                activity_rows = []
                for pk, sid, ifi, verb, activity, stored, text in rows(count, rng):
                    statements.write_row(
                        (pk, sid, ifi, verb, activity, stored, stored, False, text)
                    )
                    agents_rows.append((pk, ifi, False, verb, stored))
                    activity_rows.append((pk, activity, False, stored))
            with cur.copy(
                "COPY xapi_statement_agent (statement_pk, ifi, is_related, verb_id, stored) "
                "FROM STDIN"
            ) as copy:
                for row in agents_rows:
                    copy.write_row(row)
            with cur.copy(
                "COPY xapi_statement_activity (statement_pk, activity_id, is_related, stored) "
                "FROM STDIN"
            ) as copy:
                for row in activity_rows:
                    copy.write_row(row)
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('xapi_statement', 'pk'), %s)", (count,)
            )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE xapi_statement")
        conn.execute("VACUUM ANALYZE xapi_statement_agent")
        conn.execute("VACUUM ANALYZE xapi_statement_activity")


def load_sqlite(path: str, count: int) -> None:
    import sqlite3

    rng = random.Random(5)
    conn = sqlite3.connect(path)

    def fmt(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")

    batch_s, batch_ag, batch_ac = [], [], []

    def flush():
        conn.executemany(
            "INSERT INTO xapi_statement (pk, statement_id, actor_ifi, verb_id, "
            "object_activity_id, stored, timestamp, is_voided, full_json) "
            "VALUES (?,?,?,?,?,?,?,0,?)",
            batch_s,
        )
        conn.executemany("INSERT INTO xapi_statement_agent VALUES (?,?,0,?,?)", batch_ag)
        conn.executemany("INSERT INTO xapi_statement_activity VALUES (?,?,0,?)", batch_ac)
        batch_s.clear(), batch_ag.clear(), batch_ac.clear()

    for pk, sid, ifi, verb, activity, stored, text in rows(count, rng):
        s = fmt(stored)
        batch_s.append((pk, sid, ifi, verb, activity, s, s, text))
        batch_ag.append((pk, ifi, verb, s))
        batch_ac.append((pk, activity, s))
        if len(batch_s) >= 50_000:
            flush()
    flush()
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    count = max(1000, min(args.statements, 5_000_000))
    workdir = Path(tempfile.mkdtemp(prefix="xapi-query-bench-"))
    if args.db == "postgresql":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
            conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")
        url = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        url += f"/{PG_BENCH_DB}"
    else:
        url = f"sqlite:///{workdir / 'bench.db'}"
    env = {
        **os.environ,
        "FLASK_APP": "pathways",
        "DATABASE_URL": url,
        "PATHWAYS_INSTANCE_PATH": str(workdir),
        "PATHWAYS_SECRET_KEY": "bench",
    }
    try:
        subprocess.run(
            [str(VENV_BIN / "flask"), "db", "upgrade"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        started = time.perf_counter()
        if args.db == "postgresql":
            load_postgresql(url, count)
        else:
            load_sqlite(url.removeprefix("sqlite:///"), count)
        load_seconds = time.perf_counter() - started

        os.environ.update({"DATABASE_URL": url, "PATHWAYS_INSTANCE_PATH": str(workdir)})
        from pathways import create_app
        from pathways.accounts import services
        from pathways.db import transaction

        app = create_app(
            {"SECRET_KEY": "bench", "LOG_LEVEL": "WARNING", "BASE_URL": "http://127.0.0.1"}
        )
        with app.app_context(), transaction():
            org = services.create_organisation("bench", "Bench", "college")
            created = services.create_api_client(org, "bench", ["xapi:read"], actor=None)
            token = base64.b64encode(f"{created.client.key_id}:{created.secret}".encode()).decode()
        headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}
        client = app.test_client()
        rng = random.Random(9)
        latencies: list[float] = []
        returned = 0
        for _ in range(max(1, min(args.queries, 100_000))):
            learner = rng.randrange(AGENTS)
            since = START + timedelta(seconds=rng.randrange(SPAN_SECONDS // 2))
            params = {
                "agent": json.dumps({"account": {"homePage": MOODLE, "name": str(learner)}}),
                "verb": VERBS[rng.randrange(len(VERBS))],
                "since": since.isoformat(),
                "limit": "25",
            }
            url_path = f"/xapi/statements?{urlencode(params)}"
            for _page in range(3):
                t0 = time.perf_counter()
                response = client.get(url_path, headers=headers)
                latencies.append(time.perf_counter() - t0)
                assert response.status_code == 200, response.get_data(as_text=True)[:300]
                body = response.get_json()
                returned += len(body["statements"])
                url_path = body["more"]
                if not url_path:
                    break
        latencies.sort()
        result = {
            "bench": "xapi_query",
            "db": args.db,
            "statements": count,
            "load_s": round(load_seconds, 1),
            "requests": len(latencies),
            "statements_returned": returned,
            "p50_ms": round(statistics.median(latencies) * 1000, 2),
            "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2),
            "max_ms": round(latencies[-1] * 1000, 2),
        }
        print(
            f"{'db':<11}{'statements':>11}{'requests':>10}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
        )
        print(
            f"{args.db:<11}{count:>11}{len(latencies):>10}{result['p50_ms']:>9}"
            f"{result['p95_ms']:>9}{result['max_ms']:>9}"
        )
        print(json.dumps(result))
    finally:
        if args.db == "postgresql":
            import psycopg

            from pathways.db import db

            try:
                with app.app_context():
                    db.engine.dispose()
            except NameError:
                pass
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
