"""The one list of blueprints; a feature package adds its own here."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from pathways.accounts.api import bp as accounts_api
    from pathways.accounts.views import bp as accounts_views
    from pathways.portal.views import bp as portal_views
    from pathways.web.api import bp as api_docs
    from pathways.web.health import bp as health

    for blueprint in (health, accounts_views, accounts_api, portal_views, api_docs):
        app.register_blueprint(blueprint)

    from pathways.accounts.permissions import public

    # Shipped static files are for everyone; the coverage test expects a rule here too.
    app.view_functions["static"] = public(app.view_functions["static"])
