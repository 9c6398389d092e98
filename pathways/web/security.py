"""CSRF policy and security headers for every response."""

from __future__ import annotations

from flask import Flask
from flask import request
from flask_login import current_user

from pathways.extensions import csrf

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def init_security(app: Flask) -> None:
    # Flask-WTF's blanket check is off; this hook decides per request instead.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False

    @app.before_request
    def check_csrf() -> None:
        if request.method in SAFE_METHODS or request.routing_exception is not None:
            return  # unknown URLs and wrong methods answer 404/405 whatever the token
        view = app.view_functions.get(request.endpoint or "")
        rule = getattr(view, "access_rule", None)
        if rule is not None and rule.kind == "protocol":
            return  # authenticated by its own standard (LTI signatures, xAPI client credentials)
        if request.headers.get("Authorization"):
            return  # API clients send credentials, not cookies: no cross-site forgery possible
        if rule is not None and rule.kind != "public" and not current_user.is_authenticated:
            return  # nobody to impersonate: the view answers 401 itself
        csrf.protect()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # LMSs frame the tool, so framing stays allowed; scripts and styles only from here.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "form-action *; base-uri 'self'",
        )
        return response
