"""The portal's entry pages: the public home and each role's dashboard."""

from __future__ import annotations

from flask import Blueprint
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user

from pathways.accounts.permissions import public
from pathways.accounts.permissions import signed_in
from pathways.portal import queries

bp = Blueprint("portal", __name__)


@bp.get("/")
@public
def home():
    if current_user.is_authenticated:
        return redirect(url_for("portal.dashboard"))
    return render_template("portal/home.html")


@bp.get("/dashboard")
@signed_in
def dashboard():
    return render_template("portal/dashboard.html", panels=queries.dashboard_panels(current_user))
