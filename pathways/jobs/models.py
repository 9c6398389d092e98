"""The scheduler's job store table, declared here so migrations own it.

APScheduler's SQLAlchemyJobStore would create this table itself; declaring the
same columns in our metadata keeps `alembic upgrade` the only schema writer.
"""

from __future__ import annotations

import sqlalchemy as sa

from pathways.db import db

apscheduler_jobs = sa.Table(
    "apscheduler_jobs",
    db.metadata,
    sa.Column("id", sa.Unicode(191), primary_key=True),
    sa.Column("next_run_time", sa.Float(25), index=True),
    sa.Column("job_state", sa.LargeBinary, nullable=False),
)
