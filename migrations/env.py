"""Alembic environment: the app's own engine and metadata (Flask-Migrate)."""

from __future__ import annotations

import logging

from alembic import context
from flask import current_app

# Logging is the app's (JSON to stderr); alembic.ini configures none, so fileConfig is not called.
logger = logging.getLogger("alembic.env")
config = context.config


def get_engine():
    return current_app.extensions["migrate"].db.engine


config.set_main_option(
    "sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
)
target_db = current_app.extensions["migrate"].db


def get_metadata():
    return target_db.metadata


def include_name(name, type_, parent_names):
    """Leave out of autogenerate what no model maps: the search index (FTS5 or tsvector)."""
    from pathways.catalog.search import include_name as search_include_name  # noqa: PLC0415 -- the app is loaded by now, not at import

    return search_include_name(name, type_, parent_names)


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=get_metadata(),
        literal_binds=True,
        render_as_batch=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("include_name", include_name)
    with get_engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a SQLite table (copy, DROP, rename); with foreign keys on
            # (pathways.db) the DROP would delete every row referencing the table through its
            # ON DELETE CASCADE. The pragma does nothing inside a transaction, so it is set on
            # the driver's connection before the first BEGIN, and checked and restored after.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"Migrations broke foreign keys: {broken[:10]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
