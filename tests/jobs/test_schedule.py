"""The scheduler keeps its jobs in the database and runs each in its own transaction."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from pathways.jobs import schedule
from pathways.jobs.models import apscheduler_jobs

pytestmark = pytest.mark.integration


@pytest.fixture
def clean_job_table(app):
    from pathways.db import db

    yield db
    with db.engine.begin() as connection:
        connection.execute(sa.delete(apscheduler_jobs))


def test_jobs_are_stored_and_survive_a_restart(app, clean_job_table):
    db = clean_job_table
    first = schedule.build_scheduler(app, blocking=False)
    first.start(paused=True)
    first.shutdown(wait=False)
    with db.engine.connect() as connection:
        stored = sorted(connection.scalars(sa.select(apscheduler_jobs.c.id)))
    assert stored == sorted(job.id for job in schedule.JOBS)
    # A new process finds the same jobs, with their next run times kept.
    second = schedule.build_scheduler(app, blocking=False)
    second.start(paused=True)
    try:
        assert sorted(job.id for job in second.get_jobs()) == stored
    finally:
        second.shutdown(wait=False)


def test_run_job_commits_the_job_work(app, clean_job_table, monkeypatch):
    from pathways.accounts.models import Organisation

    db = clean_job_table
    calls = []

    def work():
        db.session.add(Organisation(code="made-by-job", name="Job", kind="college"))
        calls.append("ran")

    monkeypatch.setattr(schedule, "JOBS", [schedule.JobSpec("test.work", "x:y", "interval")])
    monkeypatch.setattr(schedule, "resolve", lambda target: work)
    schedule._app = app
    schedule.run_job("test.work")
    try:
        with db.engine.connect() as connection:
            codes = list(
                connection.scalars(
                    sa.select(Organisation.code).where(Organisation.code == "made-by-job")
                )
            )
        assert (calls, codes) == (["ran"], ["made-by-job"])
    finally:
        with db.engine.begin() as connection:
            connection.execute(sa.delete(Organisation).where(Organisation.code == "made-by-job"))


def test_a_failing_job_rolls_back_and_is_logged(app, clean_job_table, monkeypatch, caplog):
    from pathways.accounts.models import Organisation

    caplog.set_level(logging.INFO, logger="pathways.jobs.schedule")
    db = clean_job_table

    def work():
        db.session.add(Organisation(code="half-done", name="Job", kind="college"))
        db.session.flush()
        raise RuntimeError("boom")

    monkeypatch.setattr(schedule, "JOBS", [schedule.JobSpec("test.fail", "x:y", "interval")])
    monkeypatch.setattr(schedule, "resolve", lambda target: work)
    schedule._app = app
    schedule.run_job("test.fail")
    with db.engine.connect() as connection:
        assert (
            list(
                connection.scalars(
                    sa.select(Organisation.code).where(Organisation.code == "half-done")
                )
            )
            == []
        )
    assert [r.message for r in caplog.records if r.name == "pathways.jobs.schedule"] == [
        "job failed"
    ]
