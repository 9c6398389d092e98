"""Verifiable credentials: sign and verify, bulk issuing, revocation to the served list.

Usage: .venv/bin/python bench/credentials.py [--quick] [--db postgresql|sqlite|both]
           [--awards 10000] [--runs 200] [--batch 500] [--postgres-server URL]

In a fresh database (a temporary SQLite file, or a PostgreSQL database `pathways_bench`
the script creates and drops on --postgres-server, default PATHWAYS_BENCH_PG_SERVER or
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) it loads the shipped content
(`content/`), the demo accounts and the demo learner's awards as `make run` does, so
every credential is built and signed by `pathways.credentials.services` from real data:

- sign / verify: the demo learner's ILL-SAFE OpenBadgeCredential (its Achievement carries
  alignments and a partner's signed EndorsementCredential), signed again with the
  issuer's key (the result must equal the stored credential) and verified; and the
  ClrCredential of an ILL-MO certification holding six nested signed credentials (the
  occupation's badge and five of the learner's micro-credential credentials), the same
  way. Verifying the CLR checks its proof and the six nested proofs ("record only": its
  proof alone).
- bulk: --awards awards (default 10,000) to learners across every published
  micro-credential, each created and issued with `services.issue_for_award` (status list
  entries, key, evidence, endorsements, signing, storing, the credential hooks such as
  the learner's notice), committed every --batch awards. The award hooks (stacking
  re-evaluation) are not run: this measures issuing.
- revocation: a bulk credential revoked with `services.revoke` and committed, then
  `GET /orgs/<code>/status/revocation/<n>` (Flask test client) until the served list
  (131,072 entries, re-signed on that request) has its bit; repeated for p50/p95.

Prints a table (wall-clock and this process's CPU time: on a shared 2-core machine the
wall time also counts other processes; the load average is printed), then one JSON line.
Targets on 2 cores: sign and verify p95 < 20 ms for the micro-credential credential,
< 150 ms for the CLR; 10,000 issued < 3 min; a revocation visible in the served list
< 1 s. `make bench` runs the full bench on PostgreSQL (SQLite when no server answers), a
few minutes; `--quick` (or PATHWAYS_BENCH_QUICK=1 in the environment of `make bench`) issues
1,000 awards with fewer runs, about a minute.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]
DEMO_LEARNER = "learner@demo.pathways.example"
# Micro-credentials the demo learner holds; the CLR stacks as many of them as it takes to
# hold six nested credentials (the services put the occupation's own badge first).
CLR_CODES = ("ILL-SAFE", "ILL-MEAS", "ILL-CNC", "ILL-PRESS", "ILL-MAINT", "ILL-LIFT")
NESTED = 6
PG_DATABASE = "pathways_bench"
TARGETS_MS = {"micro": 20, "clr": 150, "bulk_s": 180, "visible": 1000}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * fraction) - 1)]


def summary(timings: list[tuple[float, float]]) -> dict:
    """Percentiles of (wall ms, CPU ms of this process) pairs.

    The CPU time is what the work costs when the machine is shared: on a loaded 2-core
    machine the wall time also counts the time other processes held the CPU.
    """
    wall = [w for w, _ in timings]
    cpu = [c for _, c in timings]
    return {
        "p50_ms": round(statistics.median(wall), 2),
        "p95_ms": round(percentile(wall, 0.95), 2),
        "max_ms": round(max(wall), 2),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(percentile(cpu, 0.95), 2),
        "runs": len(timings),
    }


class Clock:
    """Wall and process CPU time since it started, in ms."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        return (
            (time.perf_counter() - self.wall) * 1000,
            (time.process_time() - self.cpu) * 1000,
        )


def timed(function, runs: int) -> list[tuple[float, float]]:
    gc.collect()
    timings = []
    for _ in range(runs):
        clock = Clock()
        function()
        timings.append(clock.read())
    return timings


# -- setup ------------------------------------------------------------------------------------


def make_app(url: str):
    from pathways import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "LOG_LEVEL": "WARNING",
            "BASE_URL": "http://127.0.0.1:5000",
            "SECRET_KEY": "bench-secret-key",
            "SERVER_NAME": "127.0.0.1:5000",
        }
    )


def seed(workdir: Path) -> None:
    """What `make run` loads: content, demo accounts, the demo learner's awards."""
    from flask_migrate import upgrade

    from pathways.accounts.demo import ensure_demo_data
    from pathways.catalog.loader import load_content
    from pathways.db import transaction
    from pathways.stacking import services as stacking

    upgrade()
    with transaction():
        load_content(ROOT / "content")
    with transaction():
        ensure_demo_data(workdir / "demo_accounts.txt")
    with transaction():
        stacking.grant_demo_awards(
            DEMO_LEARNER, list(CLR_CODES), target="ILL-MO", employer_code="demo-employer"
        )


def key_resolver():
    """verification method id -> ResolvedKey, from the issuers' keys (cached)."""
    import sqlalchemy as sa

    from pathways.credentials import multikey
    from pathways.credentials import services
    from pathways.credentials import signing
    from pathways.credentials.models import IssuerKey
    from pathways.db import db

    keys = {}

    def resolve(method: str):
        if method not in keys:
            multibase = method.split("#", 1)[1]
            key = db.session.scalar(
                sa.select(IssuerKey).where(IssuerKey.public_multibase == multibase)
            )
            controller = services.issuer_did(key.organisation)
            assert method == services.didlib.verification_method_id(controller, multibase)
            keys[method] = signing.ResolvedKey(multikey.decode_public(multibase), controller)
        return keys[method]

    return resolve


def resign(signed: dict):
    """A function that signs `signed` again (without its proof) as the issuer did."""
    import sqlalchemy as sa

    from pathways.credentials import services
    from pathways.credentials import signing
    from pathways.credentials.models import IssuerKey
    from pathways.db import db

    proof = signed["proof"][0]
    multibase = proof["verificationMethod"].split("#", 1)[1]
    key = db.session.scalar(sa.select(IssuerKey).where(IssuerKey.public_multibase == multibase))
    private = services.private_key(key)
    unsigned = {k: v for k, v in signed.items() if k != "proof"}

    def sign() -> dict:
        return signing.sign(
            unsigned,
            private,
            verification_method=proof["verificationMethod"],
            created=proof["created"],
        )

    return sign


def verify_all(documents: list[dict], resolve) -> None:
    from pathways.credentials import signing

    for document in documents:
        for proof in signing.proofs_of(document):
            signing.verify_proof(document, proof, resolve)


def micro_credential_document() -> dict:
    import sqlalchemy as sa

    from pathways.catalog.models import MicroCredential
    from pathways.catalog.models import MicroCredentialVersion
    from pathways.credentials.enums import CredentialKind
    from pathways.credentials.models import IssuedCredential
    from pathways.db import db
    from pathways.records.models import Award

    row = db.session.scalar(
        sa.select(IssuedCredential)
        .join(Award, IssuedCredential.award_id == Award.id)
        .join(
            MicroCredentialVersion, Award.micro_credential_version_id == MicroCredentialVersion.id
        )
        .join(MicroCredential, MicroCredentialVersion.credential_id == MicroCredential.id)
        .where(
            IssuedCredential.kind == CredentialKind.MICRO_CREDENTIAL,
            MicroCredential.code == "ILL-SAFE",
        )
    )
    return json.loads(row.document)


def clr_document() -> dict:
    """A ClrCredential of an ILL-MO certification holding `NESTED` signed credentials."""
    from pathways.accounts.models import User
    from pathways.accounts.services import normalise_email
    from pathways.credentials import services
    from pathways.credentials.enums import CredentialKind
    from pathways.db import db
    from pathways.db import transaction
    from pathways.db import utcnow
    from pathways.records.models import OccupationCertification
    from pathways.records.models.certifications import CertificationStatus

    counts = []
    for inputs in (NESTED - 1, NESTED):
        with transaction():
            user = db.session.query(User).filter_by(email=normalise_email(DEMO_LEARNER)).one()
            certification = OccupationCertification(
                user_id=user.id,
                occupation_code="ILL-MO",
                framework="certworkplus-ill",
                rule_version=1,
                status=CertificationStatus.CERTIFIED,
                basis={"credentials": [{"code": code} for code in CLR_CODES[:inputs]]},
                issued_at=utcnow(),
            )
            db.session.add(certification)
            db.session.flush()
            rows = services.issue_for_certification(certification)
            record = next(r for r in rows if r.kind is CredentialKind.RECORD)
            document = json.loads(record.document)
        counts.append(len(document["credentialSubject"]["verifiableCredential"]))
        if counts[-1] == NESTED:
            return document
    raise RuntimeError(f"no CLR with {NESTED} nested credentials (got {counts})")


def bench_signing(runs: int) -> dict:
    resolve = key_resolver()
    results = {}
    for name, document, count in (
        ("micro", micro_credential_document(), runs),
        ("clr", clr_document(), max(10, runs // 4)),
    ):
        sign = resign(document)
        again = sign()
        assert again == document, f"{name}: signing again gave another credential"
        nested = document["credentialSubject"].get("verifiableCredential", [])
        verify_all([document, *nested], resolve)  # warm, and check they verify
        results[name] = {
            "bytes": len(json.dumps(document, ensure_ascii=False, separators=(",", ":"))),
            "nested": len(nested),
            "sign": summary(timed(sign, count)),
            "verify": summary(
                timed(lambda d=document, n=nested: verify_all([d, *n], resolve), count)
            ),
        }
        if nested:
            results[name]["verify_record_only"] = summary(
                timed(lambda d=document: verify_all([d], resolve), count)
            )
    return results


# -- bulk -------------------------------------------------------------------------------------


def make_learners(count: int) -> list[int]:
    import sqlalchemy as sa

    from pathways.accounts.models import User
    from pathways.db import db

    tag = uuid.uuid4().hex[:8]
    db.session.execute(
        sa.insert(User),
        [
            {"email": f"bench-{tag}-{n}@learners.example", "display_name": f"Learner {n}"}
            for n in range(count)
        ],
    )
    db.session.commit()
    return list(
        db.session.scalars(
            sa.select(User.id).where(User.email.like(f"bench-{tag}-%")).order_by(User.id)
        )
    )


def bench_bulk(awards: int, batch: int) -> dict:
    import sqlalchemy as sa

    from pathways.catalog import queries as catalog_queries
    from pathways.catalog.models import MicroCredential
    from pathways.catalog.models import MicroCredentialVersion
    from pathways.credentials import services
    from pathways.db import db
    from pathways.db import utcnow
    from pathways.records import services as record_services
    from pathways.records.models import Award

    codes = sorted(db.session.scalars(sa.select(MicroCredential.code)))
    versions = [v for v in (catalog_queries.published_version(c) for c in codes) if v]
    version_ids = [v.id for v in versions]
    per_learner = min(4, len(version_ids))
    learners = make_learners(math.ceil(awards / per_learner))
    db.session.expire_all()
    plan = [
        (learners[n // per_learner], version_ids[(n + n // per_learner) % len(version_ids)])
        for n in range(awards)
    ]
    gc.collect()
    batch_seconds = []
    issued_ids = []
    clock = Clock()
    for first in range(0, awards, batch):
        batch_start = time.perf_counter()
        rows = []
        for user_id, version_id in plan[first : first + batch]:
            version = db.session.get(MicroCredentialVersion, version_id)
            now = utcnow()
            award = Award(
                user_id=user_id,
                micro_credential_version_id=version_id,
                issued_at=now,
                expires_at=record_services.add_months(now, version.validity_months)
                if version.validity_months
                else None,
                basis={
                    "statements": [str(uuid.uuid4()) for _ in version.modules],
                    "modules": [m.id for m in version.modules],
                },
            )
            db.session.add(award)
            db.session.flush()
            rows.append(services.issue_for_award(award))
        db.session.commit()
        issued_ids.extend(row.id for row in rows)
        batch_seconds.append(time.perf_counter() - batch_start)
    wall_ms, cpu_ms = clock.read()
    return {
        "awards": awards,
        "versions": len(version_ids),
        "seconds": round(wall_ms / 1000, 2),
        "per_award_ms": round(wall_ms / awards, 2),
        "cpu_seconds": round(cpu_ms / 1000, 2),
        "cpu_per_award_ms": round(cpu_ms / awards, 2),
        "slowest_batch_s": round(max(batch_seconds), 2),
        "credential_ids": issued_ids,
    }


# -- revocation -------------------------------------------------------------------------------


def bench_revocation(app, credential_ids: list[int], runs: int) -> dict:
    from pathways.credentials import services
    from pathways.credentials import status_list
    from pathways.credentials.models import IssuedCredential
    from pathways.db import db

    client = app.test_client()
    step = max(1, len(credential_ids) // runs)
    picked = credential_ids[::step][:runs]
    revoke_ms, visible_ms, sizes = [], [], set()
    for credential_id in picked:
        row = db.session.get(IssuedCredential, credential_id)
        organisation, number = row.issuer.code, row.revocation_list.number
        index, size = row.revocation_index, row.revocation_list.size
        path = f"/orgs/{organisation}/status/revocation/{number}"
        assert client.get(path).status_code == 200  # the list as served before (cached)
        db.session.rollback()
        row = db.session.get(IssuedCredential, credential_id)
        clock = Clock()
        services.revoke(row, reason="bench", actor=None)
        db.session.commit()
        revoke_ms.append(clock.read())
        clock = Clock()
        while True:
            response = client.get(path)
            listed = json.loads(response.get_data())["credentialSubject"]["encodedList"]
            if status_list.get_bit(status_list.decode(listed), index):
                break
            if clock.read()[0] > 10_000:
                raise RuntimeError(f"revocation of {credential_id} not visible after 10 s")
        visible_ms.append(clock.read())
        sizes.add(size)
        db.session.rollback()
    return {
        "list_sizes": sorted(sizes),
        "revoke": summary(revoke_ms),
        "visible": summary(visible_ms),
    }


# -- databases --------------------------------------------------------------------------------


def postgres(server: str):
    """(URL, drop) for a fresh `pathways_bench` database on the server."""
    import sqlalchemy as sa

    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{PG_DATABASE}"'))
    url = sa.make_url(server).set(database=PG_DATABASE)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


def run(url: str, workdir: Path, args) -> dict:
    from pathways.db import db

    app = make_app(url)
    with app.app_context():
        started = time.perf_counter()
        seed(workdir)
        setup_s = time.perf_counter() - started
        signing_results = bench_signing(args.runs)
        bulk = bench_bulk(args.awards, args.batch)
        revocation = bench_revocation(app, bulk.pop("credential_ids"), args.revocations)
        db.session.remove()
        db.engine.dispose()
    return {"setup_s": round(setup_s, 1), **signing_results, "bulk": bulk, **revocation}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("PATHWAYS_BENCH_QUICK", "") not in ("", "0"),
        help="1,000 awards, fewer runs (also PATHWAYS_BENCH_QUICK=1)",
    )
    parser.add_argument("--db", choices=("postgresql", "sqlite", "both"), default="postgresql")
    parser.add_argument("--awards", type=int, default=None)
    parser.add_argument("--runs", type=int, default=None, help="sign/verify runs")
    parser.add_argument("--batch", type=int, default=500, help="awards per commit")
    parser.add_argument("--revocations", type=int, default=None)
    parser.add_argument(
        "--postgres-server",
        default=os.environ.get(
            "PATHWAYS_BENCH_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    args.awards = args.awards or (1_000 if args.quick else 10_000)
    args.runs = args.runs or (40 if args.quick else 200)
    args.revocations = args.revocations or (5 if args.quick else 20)
    os.environ.setdefault("PATHWAYS_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench-inst-"))
    workdir = tempfile.TemporaryDirectory(prefix="bench-credentials-")
    targets = []
    if args.db in ("postgresql", "both"):
        try:
            url, drop = postgres(args.postgres_server)
            targets.append(("postgresql", url, drop))
        except Exception as error:  # noqa: BLE001 -- no server: SQLite instead
            print(f"postgresql skipped: {error.__class__.__name__}: {error}", file=sys.stderr)
    if args.db in ("sqlite", "both") or not targets:
        targets.append(("sqlite", f"sqlite:///{workdir.name}/credentials.db", None))
    results = {}
    try:
        for name, url, _drop in targets:
            results[name] = run(url, Path(workdir.name), args)
    finally:
        for _name, _url, drop in targets:
            if drop is not None:
                drop()
        workdir.cleanup()
    print_table(results, args)


def print_table(results: dict, args) -> None:
    rows = []
    for db_name, r in results.items():
        micro, clr, bulk = r["micro"], r["clr"], r["bulk"]
        rows += [
            (db_name, f"micro-credential ({micro['bytes']:,} B) sign", micro["sign"], "< 20 ms"),
            (db_name, "micro-credential verify", micro["verify"], "< 20 ms"),
            (
                db_name,
                f"CLR ({clr['bytes']:,} B, {clr['nested']} nested) sign",
                clr["sign"],
                "< 150 ms",
            ),
            (db_name, "CLR verify (record + nested proofs)", clr["verify"], "< 150 ms"),
            (db_name, "CLR verify (record proof only)", clr["verify_record_only"], ""),
            (db_name, "revoke + commit", r["revoke"], ""),
            (
                db_name,
                f"revocation visible in served list ({r['list_sizes'][0]:,})",
                r["visible"],
                "< 1000 ms",
            ),
        ]
    width = max(len(row[1]) for row in rows) + 2
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} CPUs")
    print(
        f"{'db':<12}{'measure':<{width}}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
        f"{'cpu p50':>9}{'cpu p95':>9}{'runs':>6}  target"
    )
    for db_name, name, figures, target in rows:
        print(
            f"{db_name:<12}{name:<{width}}{figures['p50_ms']:>9}{figures['p95_ms']:>9}"
            f"{figures['max_ms']:>9}{figures['cpu_p50_ms']:>9}{figures['cpu_p95_ms']:>9}"
            f"{figures['runs']:>6}  {target}"
        )
    for db_name, r in results.items():
        bulk = r["bulk"]
        target = (
            "< 180 s"
            if bulk["awards"] >= 10_000
            else f"(< {18 * bulk['awards'] // 1000} s pro rata)"
        )
        print(
            f"{db_name:<12}issued {bulk['awards']:,} awards ({bulk['versions']} versions, "
            f"{args.batch} a commit): {bulk['seconds']} s, {bulk['per_award_ms']} ms an award "
            f"(CPU {bulk['cpu_seconds']} s, {bulk['cpu_per_award_ms']} ms), slowest batch "
            f"{bulk['slowest_batch_s']} s  target {target}"
        )
    print(
        json.dumps(
            {
                "bench": "credentials",
                "quick": args.quick,
                "loadavg": [round(value, 2) for value in os.getloadavg()],
                "targets": TARGETS_MS,
                **{
                    name: {
                        "micro_sign_p95_ms": r["micro"]["sign"]["p95_ms"],
                        "micro_verify_p95_ms": r["micro"]["verify"]["p95_ms"],
                        "micro_sign_p50_ms": r["micro"]["sign"]["p50_ms"],
                        "micro_verify_p50_ms": r["micro"]["verify"]["p50_ms"],
                        "clr_sign_p95_ms": r["clr"]["sign"]["p95_ms"],
                        "clr_verify_p95_ms": r["clr"]["verify"]["p95_ms"],
                        "clr_sign_p50_ms": r["clr"]["sign"]["p50_ms"],
                        "clr_verify_p50_ms": r["clr"]["verify"]["p50_ms"],
                        "bulk_awards": r["bulk"]["awards"],
                        "bulk_seconds": r["bulk"]["seconds"],
                        "bulk_cpu_seconds": r["bulk"]["cpu_seconds"],
                        "micro_sign_cpu_p95_ms": r["micro"]["sign"]["cpu_p95_ms"],
                        "micro_verify_cpu_p95_ms": r["micro"]["verify"]["cpu_p95_ms"],
                        "clr_sign_cpu_p95_ms": r["clr"]["sign"]["cpu_p95_ms"],
                        "clr_verify_cpu_p95_ms": r["clr"]["verify"]["cpu_p95_ms"],
                        "revocation_visible_p95_ms": r["visible"]["p95_ms"],
                        "revocation_visible_max_ms": r["visible"]["max_ms"],
                    }
                    for name, r in results.items()
                },
            }
        )
    )


if __name__ == "__main__":
    main()
