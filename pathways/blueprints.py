"""Blueprint discovery: the composition root of the web layer.

Each feature package's `views.py` and `api.py`, and any module named `<job>_views.py` or
`<job>_api.py` beside them (a package with several page families, e.g.
`credentials/wallet_views.py`), expose `bp` (one blueprint) or `blueprints` (several);
they are registered here in package order, then module name, so adding a feature needs
no edit in this file. Imports are dynamic on purpose: no package
may import another's endpoints, and this is the one place that sees them all.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module
from importlib.util import find_spec

from flask import Flask

from pathways.models import FEATURE_PACKAGES

ENDPOINT_MODULES = ("views", "api")
ENDPOINT_SUFFIXES = tuple(f"_{name}" for name in ENDPOINT_MODULES)


def endpoint_modules(package: str) -> list[str]:
    """The endpoint modules of `pathways.<package>`: views, api, then *_views and *_api."""
    spec = find_spec(f"pathways.{package}")
    if spec is None or not spec.submodule_search_locations:
        return []
    names = {info.name for info in pkgutil.iter_modules(spec.submodule_search_locations)}
    extra = sorted(name for name in names if name.endswith(ENDPOINT_SUFFIXES))
    return [name for name in ENDPOINT_MODULES if name in names] + extra


def register_blueprints(app: Flask) -> None:
    for name in ("pathways.web.health", "pathways.web.api"):
        app.register_blueprint(import_module(name).bp)
    for package in FEATURE_PACKAGES:
        for module_name in endpoint_modules(package):
            module = import_module(f"pathways.{package}.{module_name}")
            for blueprint in getattr(module, "blueprints", None) or [module.bp]:
                app.register_blueprint(blueprint)

    from pathways.accounts.permissions import public  # noqa: PLC0415

    # Shipped static files are for everyone; the coverage test expects a rule here too.
    app.view_functions["static"] = public(app.view_functions["static"])
