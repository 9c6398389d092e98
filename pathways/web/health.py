"""Liveness and readiness probes."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint
from flask import current_app
from flask import jsonify

from pathways.accounts.permissions import public
from pathways.db import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz():
    """The process is up."""
    return jsonify(status="ok")


def migration_heads() -> set[str]:
    migrate = current_app.extensions["migrate"]
    config = migrate.migrate.get_config(migrate.directory)
    return set(ScriptDirectory.from_config(config).get_heads())


@bp.get("/readyz")
@public
def readyz():
    """The database answers and its schema is at the migrations' head."""
    try:
        connection = db.session.connection()
        connection.execute(sa.text("SELECT 1"))
        current = set(MigrationContext.configure(connection).get_current_heads())
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable", detail=str(error)[:200]), 503
    heads = migration_heads()
    if current != heads:
        return (
            jsonify(
                status="unavailable",
                database="ok",
                migrations="behind",
                current=sorted(current),
                head=sorted(heads),
            ),
            503,
        )
    return jsonify(status="ok", database="ok", migrations="current")
