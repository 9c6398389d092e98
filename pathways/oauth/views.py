"""The learner's side of OAuth: the consent page, connected apps, and what apps may see.

`/oauth/authorize` is the authorization endpoint. Authlib validates the request (client,
exact redirect URI, response type, scopes, PKCE); a request it refuses before the redirect
URI is known is explained here, any later refusal goes back to the client. A signed-in
learner sees who asks for what, in plain words, and allows (some of) it or denies it;
the form carries the CSRF token. The page may not be framed (no clickjacked consent).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from authlib.oauth2 import OAuth2Error
from flask import Blueprint
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from pathways.accounts.permissions import public
from pathways.accounts.permissions import signed_in
from pathways.db import transaction
from pathways.oauth import queries
from pathways.oauth import services
from pathways.oauth.enums import ObScope
from pathways.oauth.forms import SCOPE_LABELS
from pathways.oauth.forms import ConsentForm
from pathways.oauth.forms import DisconnectForm
from pathways.oauth.server import authorization_server

bp = Blueprint("oauth", __name__)


def _no_framing(response):
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action *; base-uri 'self'; frame-ancestors 'none'"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _web_link(uri: str | None) -> str | None:
    """A client's page address, shown as a link only when it is http(s)."""
    return uri if uri and urlsplit(uri).scheme in ("http", "https") else None


def _refused(error: OAuth2Error):
    page = render_template(
        "oauth/refused.html", error=error.error, description=error.description or ""
    )
    return _no_framing(make_response(page, 400))


@bp.route("/oauth/authorize", methods=["GET", "POST"])
@signed_in
def authorize():
    server = authorization_server()
    try:
        grant = server.get_consent_grant(end_user=current_user)
    except OAuth2Error as error:
        if error.redirect_uri:
            return server.handle_error_response(None, error)
        return _refused(error)
    client = grant.client
    requested = (grant.request.scope or "").split()
    form = ConsentForm()
    form.offer(requested)
    status = 200
    if form.validate_on_submit():
        user = None
        if form.approve.data:
            if not form.approved_scope.data:
                flash(_("Choose at least one permission, or deny the request."), "error")
                status = 400
            else:
                grant.approved_scope = " ".join(form.approved_scope.data)
                user = current_user._get_current_object()
        if status == 200:
            with transaction():
                response = server.create_authorization_response(grant=grant, grant_user=user)
            return _no_framing(response)
    elif form.is_submitted():
        status = 400
    page = render_template(
        "oauth/authorize.html",
        form=form,
        client=client,
        client_uri=_web_link(client.client_uri),
        tos_uri=_web_link(client.tos_uri),
        policy_uri=_web_link(client.policy_uri),
        return_host=urlsplit(grant.redirect_uri).netloc,
    )
    return _no_framing(make_response(page, status))


@bp.get("/my/connected-apps")
@signed_in
def connected_apps():
    grants = [
        (client, [SCOPE_LABELS[ObScope(s)] for s in scope.split()], since)
        for client, scope, since in queries.grants_of_user(current_user.id)
    ]
    return render_template("oauth/connected_apps.html", grants=grants, form=DisconnectForm())


@bp.post("/my/connected-apps/<int:client_id>/disconnect")
@signed_in
def disconnect_app(client_id: int):
    with transaction():
        ended = services.disconnect_client(current_user, client_id)
    if ended:
        flash(_("The app was disconnected: it can no longer reach your account."), "success")
    return redirect(url_for("oauth.connected_apps"))


@bp.get("/oauth/privacy")
@public
def privacy():
    """What an app connected through the Open Badges API can see (the discovery's policy)."""
    return render_template("oauth/privacy.html", labels=list(SCOPE_LABELS.values()))
