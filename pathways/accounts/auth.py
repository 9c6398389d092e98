"""Flask-Login wiring: how a session cookie becomes a user."""

from __future__ import annotations

from flask import Flask

from pathways.accounts.models import User
from pathways.db import db
from pathways.extensions import login_manager


def init_login(app: Flask) -> None:
    login_manager.login_view = "accounts.sign_in"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.is_enabled else None
