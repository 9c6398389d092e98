"""Upgrading an empty database gives exactly the models, with one head, and downgrades work."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from pathways.catalog import search

pytestmark = pytest.mark.integration


def _script(app):
    migrate = app.extensions["migrate"]
    return ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))


def test_one_head(app):
    assert len(_script(app).get_heads()) == 1


def test_upgraded_schema_matches_models(app):
    from pathways.db import db

    with db.engine.connect() as connection:
        # The same filter as migrations/env.py: full-text index objects live outside the models.
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_name": search.include_name,
            },
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_database_is_at_head(app):
    from pathways.db import db

    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    assert current == set(_script(app).get_heads())


def test_every_migration_downgrades(app):
    for revision in _script(app).walk_revisions():
        source = Path(revision.path).read_text()
        body = source.split("def downgrade", 1)[1].split(":", 1)[1]
        statements = [
            line.strip()
            for line in body.splitlines()
            if line.strip() and not line.strip().startswith("#")
        ]
        assert statements and statements != ["pass"], revision.path
