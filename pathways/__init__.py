"""Pathways: micro-credential learning pathways and stackable curricula.

`create_app` is the only entry point. Its imports sit inside the function so
that the pure cores (`pathways.stacking.engine`, `pathways.xapi.statements`, ...)
load without Flask.
"""

from __future__ import annotations

from typing import Any


def create_app(config: dict[str, Any] | None = None):
    """Build the app: Config defaults, then PATHWAYS_* variables, then `config`."""
    import gc
    import os
    import secrets
    from pathlib import Path

    from flask import Flask

    from pathways.config import Config

    app = Flask(
        __name__,
        instance_path=os.environ.get("PATHWAYS_INSTANCE_PATH") or None,
        instance_relative_config=True,
    )
    app.config.from_object(Config)
    app.config.from_prefixed_env("PATHWAYS")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if config:
        app.config.update(config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    uri = app.config["SQLALCHEMY_DATABASE_URI"] or f"sqlite:///{instance / 'pathways.db'}"
    if uri.startswith("postgres://"):  # Heroku-style URLs name no driver
        uri = "postgresql+psycopg://" + uri.removeprefix("postgres://")
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if not app.config["SECRET_KEY"]:
        key_file = instance / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    app.config["BASE_URL"] = app.config["BASE_URL"].rstrip("/")
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = app.config["BASE_URL"].startswith("https://")

    from pathways.web.logs import configure_logging
    from pathways.web.logs import init_request_ids

    configure_logging(app.config["LOG_LEVEL"])
    init_request_ids(app)

    from pathways.db import db
    from pathways.db import install_sqlite_transaction_recipe
    from pathways.extensions import babel
    from pathways.extensions import csrf
    from pathways.extensions import login_manager
    from pathways.extensions import migrate

    if uri.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "connect_args": {"timeout": 30},
        }
    db.init_app(app)
    with app.app_context():
        if uri.startswith("sqlite"):
            install_sqlite_transaction_recipe(db.engine)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)

    from pathways.web.routing import init_routing
    from pathways.web.security import init_security

    init_routing(app)

    init_security(app)

    from pathways.web.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)

    from pathways.web.navigation import init_templating

    init_templating(app)

    from pathways.accounts.auth import init_login

    init_login(app)

    from pathways import models  # noqa: F401 -- every table registered before migrations run
    from pathways.errors import register_error_handlers

    register_error_handlers(app)

    from pathways.blueprints import register_blueprints

    register_blueprints(app)

    from pathways.cli import register_cli

    register_cli(app)
    # What start-up made (modules, mappers, JSON-LD contexts) lives as long as the process:
    # kept out of the collector's generations, a full collection no longer walks it (about
    # 150 ms that otherwise lands on whichever request triggers it, e.g. signing a CLR).
    gc.freeze()
    return app
