"""LRS ingest benchmark: Moodle-like batches of 100 statements POSTed over HTTP to gunicorn.

Run ``python bench/xapi_ingest.py`` (``--db sqlite``, ``--db postgresql`` or ``--db both``;
``--batches N``). For each database it creates a temporary one (SQLite file, or a
PostgreSQL database ``pw_xapi_bench`` it creates and drops), migrates it, seeds an LRS
client, 1,000 learners linked to Moodle accounts and a published micro-credential whose
modules list some of the activity URLs (so completions are projected), starts
``gunicorn -w 2`` on loopback and POSTs batches from two client threads. It prints a
table, then one JSON line: statements/second, p50/p95 per batch, and a worker's RSS
before and after. Target on 2 cores: >= 3,000 statements/s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DB = "pw_xapi_bench"
MOODLE = "https://moodle.bench"
LEARNERS = 1000
ACTIVITIES = 200

SEED = r"""
import json, sys
from pathways import create_app
from pathways.db import transaction, db
from pathways.accounts import services
from pathways.catalog.enums import VersionStatus
from pathways.catalog.models import MicroCredential, MicroCredentialVersion, Module, ModuleActivity

app = create_app()
with app.app_context(), transaction():
    org = services.create_organisation("bench-college", "Bench College", "college")
    created = services.create_api_client(org, "Moodle bench", ["xapi:write", "xapi:read"],
                                         actor=None)
    for n in range(LEARNERS):
        user = services.create_user(f"learner{n}@bench.example", None)
        services.link_identity(user, "lti", MOODLE, str(n))
    credential = MicroCredential(code="BENCH-1", issuing_organisation=org)
    version = MicroCredentialVersion(credential=credential, status=VersionStatus.PUBLISHED,
                                     title={"en": "Bench"}, validity_months=24)
    for m in range(4):
        module = Module(version=version, position=m, code=f"M{m}", title={"en": f"M{m}"})
        module.activities.append(ModuleActivity(activity_iri=f"{MOODLE}/mod/quiz/view.php?id={m}"))
    db.session.add(credential)
    db.session.flush()
    result = {"key": created.client.key_id, "secret": created.secret}
print(json.dumps(result))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def moodle_statement(rng: random.Random) -> dict:
    learner = rng.randrange(LEARNERS)
    completed = rng.random() < 0.2
    activity = rng.randrange(ACTIVITIES)
    kind = "quiz" if activity < 4 or rng.random() < 0.3 else "page"
    return {
        "actor": {
            "name": f"Learner {learner}",
            "account": {"homePage": MOODLE, "name": str(learner)},
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/" + ("completed" if completed else "viewed"),
            "display": {"en": "completed" if completed else "viewed"},
        },
        "object": {
            "id": f"{MOODLE}/mod/{kind}/view.php?id={activity}",
            "objectType": "Activity",
            "definition": {
                "type": "http://id.tincanapi.com/activitytype/lms/module",
                "name": {"en": f"Activity {activity}"},
            },
        },
        "timestamp": "2026-11-01T10:00:00+00:00",
        "context": {
            "platform": "Moodle",
            "language": "en",
            "extensions": {
                "http://lrs.learninglocker.net/define/extensions/info": {
                    "https://moodle.org/": "4.1.2",
                    "event_name": "\\core\\event\\course_module_completion_updated",
                    "event_function": "\\src\\transformer\\events\\core\\"
                    "course_module_completion_updated",
                }
            },
            "contextActivities": {
                "grouping": [
                    {
                        "id": MOODLE,
                        "definition": {
                            "type": "http://id.tincanapi.com/activitytype/lms",
                            "name": {"en": "Moodle"},
                        },
                    }
                ],
                "category": [
                    {
                        "id": "http://moodle.org",
                        "definition": {
                            "type": "http://id.tincanapi.com/activitytype/source",
                            "name": {"en": "Moodle"},
                        },
                    }
                ],
            },
        },
    }


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def prepare_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
        conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{PG_BENCH_DB}".replace("postgresql://", "postgresql+psycopg://")


def drop_database(kind: str) -> None:
    if kind != "postgresql":
        return
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")


def run(kind: str, batches: int, threads: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"xapi-bench-{kind}-"))
    url = prepare_database(kind, workdir)
    env = {
        **os.environ,
        "FLASK_APP": "pathways",
        "DATABASE_URL": url,
        "PATHWAYS_INSTANCE_PATH": str(workdir),
        "PATHWAYS_SECRET_KEY": "bench-secret",
        "PATHWAYS_BASE_URL": "http://127.0.0.1",
        "PATHWAYS_LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [str(VENV_BIN / "flask"), "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    seed = SEED.replace("LEARNERS", str(LEARNERS)).replace("MOODLE", repr(MOODLE))
    done = subprocess.run(
        [str(VENV_BIN / "python"), "-c", seed], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"seeding failed: {done.stderr[-2000:]}")
    out = done.stdout
    credentials = json.loads(out.strip().splitlines()[-1])
    port = free_port()
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--no-control-socket",  # several servers may run on one machine
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "pathways:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/xapi/about")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        workers = children(server.pid)
        token = base64.b64encode(f"{credentials['key']}:{credentials['secret']}".encode()).decode()
        headers = {
            "Authorization": f"Basic {token}",
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
        }
        # Warm both workers (imports, first connections) before measuring.
        rng = random.Random(1)
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(4):
            body = json.dumps([moodle_statement(rng) for _ in range(100)])
            warm.request("POST", "/xapi/statements", body=body, headers=headers)
            assert warm.getresponse().read() and True
        rss_before = {pid: rss_kb(pid) for pid in workers}
        bodies = [
            json.dumps([moodle_statement(rng) for _ in range(100)]).encode() for _ in range(batches)
        ]
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        index = iter(range(batches))

        def client_loop():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            while True:
                with lock:
                    i = next(index, None)
                if i is None:
                    return
                started = time.perf_counter()
                conn.request("POST", "/xapi/statements", body=bodies[i], headers=headers)
                response = conn.getresponse()
                data = response.read()
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if response.status != 200 or len(json.loads(data)) != 100:
                        errors.append(f"{response.status} {data[:200]!r}")

        started = time.perf_counter()
        pool = [threading.Thread(target=client_loop) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        wall = time.perf_counter() - started
        rss_after = {pid: rss_kb(pid) for pid in workers}
        latencies.sort()
        worker = workers[0]
        return {
            "db": kind,
            "batches": batches,
            "statements": batches * 100,
            "errors": len(errors),
            "first_error": errors[0] if errors else None,
            "statements_per_s": round(batches * 100 / wall, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
            "worker_rss_kb_before": rss_before.get(worker),
            "worker_rss_kb_after": rss_after.get(worker),
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        drop_database(kind)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    results = [run(kind, max(1, min(args.batches, 10_000)), args.threads) for kind in kinds]
    print(
        f"{'db':<11}{'stmts/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}{'RSS KB before':>15}"
        f"{'after':>9}"
    )
    for r in results:
        print(
            f"{r['db']:<11}{r['statements_per_s']:>10}{r['p50_ms']:>9}{r['p95_ms']:>9}"
            f"{r['errors']:>8}{r['worker_rss_kb_before']:>15}{r['worker_rss_kb_after']:>9}"
        )
    print(json.dumps({"bench": "xapi_ingest", "results": results, "id": str(uuid.uuid4())}))
    if any(r["errors"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
