"""Blueprint discovery: the composition root of the web layer.

Each feature package's `views.py` and `api.py` expose `bp` (one blueprint) or
`blueprints` (several); they are registered here in package order, so adding a
feature needs no edit in this file. Imports are dynamic on purpose: no package
may import another's endpoints, and this is the one place that sees them all.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from flask import Flask

from pathways.models import FEATURE_PACKAGES

ENDPOINT_MODULES = ("views", "api")


def register_blueprints(app: Flask) -> None:
    for name in ("pathways.web.health", "pathways.web.api"):
        app.register_blueprint(import_module(name).bp)
    for package in FEATURE_PACKAGES:
        for module_name in ENDPOINT_MODULES:
            qualified = f"pathways.{package}.{module_name}"
            if find_spec(f"pathways.{package}") is None or find_spec(qualified) is None:
                continue
            module = import_module(qualified)
            for blueprint in getattr(module, "blueprints", None) or [module.bp]:
                app.register_blueprint(blueprint)

    from pathways.accounts.permissions import public  # noqa: PLC0415

    # Shipped static files are for everyone; the coverage test expects a rule here too.
    app.view_functions["static"] = public(app.view_functions["static"])
