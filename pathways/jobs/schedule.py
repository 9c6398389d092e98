"""The one job table: job id -> function -> trigger, run by `flask pathways scheduler`.

Feature packages add a row to `JOBS`; nothing else registers jobs, and web
workers never start a scheduler. Jobs are stored in the database (APScheduler's
SQLAlchemy job store), so a restarted scheduler loses none and runs missed ones.
Each run gets an app context and its own transaction (a job that talks to another
system commits on its own, around those calls: `owns_transactions`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from importlib import import_module
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    id: str
    target: str  # "package.module:function", called with no arguments inside a transaction
    trigger: str  # "interval" or "cron"
    trigger_args: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    # The job commits on its own, between calls to other systems that must not run
    # inside a transaction (the LTI outbox); otherwise the run is one transaction.
    owns_transactions: bool = False


JOBS: list[JobSpec] = [
    JobSpec(
        id="housekeeping.prune",
        target="pathways.jobs.housekeeping:prune_expired",
        trigger="interval",
        trigger_args={"hours": 1},
        description="Delete expired single-use records (nonces, stale invitations).",
    ),
    JobSpec(
        id="lti.outbox",
        target="pathways.lti.jobs:deliver_outbox",
        trigger="interval",
        trigger_args={"minutes": 1},
        description="Send due LTI grades (AGS scores, Basic Outcomes) with back-off.",
        owns_transactions=True,
    ),
    JobSpec(
        id="stacking.reevaluate",
        target="pathways.stacking.jobs:reevaluate_all",
        trigger="cron",
        trigger_args={"hour": 2, "minute": 30},
        description="Re-evaluate learners' pathways nightly, in batches (expiry, recency).",
    ),
    JobSpec(
        id="credentials.expiry_notices",
        target="pathways.credentials.jobs:notify_expiring",
        trigger="cron",
        trigger_args={"hour": 3, "minute": 15},
        description="Tell learners, once, of credentials expiring within 30 days (notice, mail).",
    ),
]

_app = None  # set by the scheduler command; jobs run inside its app context


def resolve(target: str) -> Callable[[], Any]:
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)


def run_job(job_id: str) -> None:
    """Entry point stored in the job store: look the job up by id and run it once."""
    from pathways.db import transaction  # noqa: PLC0415 -- keeps this module importable early

    spec = next(job for job in JOBS if job.id == job_id)
    with _app.app_context():
        try:
            if spec.owns_transactions:
                result = resolve(spec.target)()
            else:
                with transaction():
                    result = resolve(spec.target)()
            log.info("job done", extra={"job": job_id, "result": repr(result)[:200]})
        except Exception:
            log.exception("job failed", extra={"job": job_id})


def build_scheduler(app, *, blocking: bool = True):
    """A scheduler over the app's database, with every job of `JOBS` (re)registered."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore  # noqa: PLC0415
    from apscheduler.schedulers.background import BackgroundScheduler  # noqa: PLC0415
    from apscheduler.schedulers.blocking import BlockingScheduler  # noqa: PLC0415

    from pathways.db import db  # noqa: PLC0415

    global _app
    _app = app
    with app.app_context():
        engine = db.engine
    store = SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(
        jobstores={"default": store},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone="UTC",
    )
    for spec in JOBS:
        scheduler.add_job(
            run_job,
            trigger=spec.trigger,
            args=[spec.id],
            id=spec.id,
            name=spec.description or spec.id,
            replace_existing=True,
            **spec.trigger_args,
        )
    return scheduler
