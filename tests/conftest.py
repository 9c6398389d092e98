"""Shared fixtures: one schema per test session, one rolled-back transaction per test.

The suite runs on a temporary SQLite file, or on PostgreSQL when
PATHWAYS_TEST_DATABASE_URL is set. Fixtures compose: `client` -> `database` -> `app`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

TEST_DATABASE_URL = os.environ.get("PATHWAYS_TEST_DATABASE_URL", "")


def drop_everything(engine: sa.Engine) -> None:
    """Remove whatever an earlier run left, alembic_version included."""
    metadata = sa.MetaData()
    metadata.reflect(bind=engine)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in metadata.sorted_tables:
                connection.execute(sa.text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
        else:
            metadata.drop_all(bind=connection)


def test_config(tmp_path_factory) -> dict:
    instance = tmp_path_factory.mktemp("instance")
    url = TEST_DATABASE_URL or f"sqlite:///{instance / 'test.db'}"
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "MAIL_BACKEND": "memory",
        "BASE_URL": "http://localhost",
        "LOG_LEVEL": "WARNING",
        "SERVER_NAME": "localhost",
    }


def compile_translations() -> None:
    """Compile the .po catalogs so the suite runs without `make` (the .mo files are built)."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).resolve().parent.parent / "pathways" / "translations").glob(
        "*/LC_MESSAGES/messages.po"
    ):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)


def pytest_configure(config):
    compile_translations()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from flask_migrate import upgrade

    from pathways import create_app
    from pathways.db import db

    os.environ["PATHWAYS_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance-path"))
    application = create_app(test_config(tmp_path_factory))
    with application.app_context():
        drop_everything(db.engine)
        upgrade()
        db.session.configure(join_transaction_mode="create_savepoint")
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def database(app):
    from pathways.db import db

    engine = db.engines[None]
    with engine.connect() as connection:
        outer = connection.begin()
        db.engines[None] = connection  # Flask-SQLAlchemy 3 takes its bind from here
        try:
            yield db
        finally:
            db.session.remove()
            db.engines[None] = engine
            outer.rollback()
            app.extensions.pop("outbox", None)


class Client(FlaskClient):
    """The Flask test client plus the habits of a browser: CSRF tokens and sign-in.

    Each request runs in a fresh app context, as in production: the test's own
    context (and its `g`, where Flask-Login caches the user) is not shared.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self, url: str = "/sign-in") -> str:
        page = self.get(url).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def submit(self, url: str, data: dict, *, token_from: str | None = None, **kwargs):
        """POST a form as a browser would: with the page's CSRF token."""
        payload = {"csrf_token": self.csrf_token(token_from or url), **data}
        return self.post(url, data=payload, **kwargs)

    def sign_in(self, email: str, password: str = "correct horse battery"):
        response = self.submit("/sign-in", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response


@pytest.fixture
def client(app, database) -> Client:
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def outbox(app, database) -> list:
    return app.extensions.setdefault("outbox", [])


@pytest.fixture
def count_queries(database):
    from pathways.db import db

    @contextmanager
    def counter() -> Iterator[list]:
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                statements.append(statement)

        engine = db.engine if isinstance(db.engines[None], sa.Engine) else db.engines[None].engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return counter
