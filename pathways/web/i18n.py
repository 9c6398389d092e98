"""Locale choice: the user's saved choice, then the session's, then Accept-Language."""

from __future__ import annotations

from flask import current_app
from flask import request
from flask import session
from flask_login import current_user


def select_locale() -> str:
    languages = list(current_app.config["LANGUAGES"])
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]
