"""The learner's credentials ("My credentials"), their notices, and public credential pages.

- `/my/credentials`: every credential of the signed-in user, records (CLR) first, then by
  pathway; `/my/credentials/<uuid>`: one of them, with its downloads (the exact JSON, badge
  images with the credential baked in), the public page switch, a QR code of the public
  page and LinkedIn's "Add to profile". Someone else's credential is not found (404).
- `/my/notices`: what happened to the user's credentials, with mark-as-read.
- `/credentials/<public id>`: the public page of a credential whose learner turned it on,
  for anyone (no sign-in), in English or French, checked live; the same URL answers the
  credential's exact JSON to `Accept: application/ld+json` (or application/json). Off: 404.
"""

from __future__ import annotations

import re

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from pathways.accounts.enums import Role
from pathways.accounts.models import User
from pathways.accounts.permissions import public
from pathways.accounts.permissions import signed_in
from pathways.credentials import notices
from pathways.credentials import wallet
from pathways.credentials.enums import CredentialKind
from pathways.db import transaction
from pathways.db import utcnow
from pathways.errors import NotFound
from pathways.portal import queries as portal

bp = Blueprint("wallet", __name__)

JSON_TYPES = ("application/ld+json", "application/json")
BADGE_LABELS = {
    CredentialKind.MICRO_CREDENTIAL: _l("Micro-credential"),
    CredentialKind.CERTIFICATION: _l("Occupational certification"),
    CredentialKind.RECORD: _l("Occupational record"),
}


STATUS_TEXT = {
    "active": _l("valid"),
    "expired": _l("expired"),
    "suspended": _l("suspended"),
    "revoked": _l("revoked"),
}


def _locale() -> str:
    return str(get_locale() or "en")


def _user():
    return current_user._get_current_object()


def _own(credential_uuid: str) -> wallet.Entry:
    try:
        return wallet.own_entry(credential_uuid, _user(), locale=_locale())
    except NotFound:
        abort(404)


def _file_stem(entry: wallet.Entry) -> str:
    code = re.sub(r"[^A-Za-z0-9-]+", "-", entry.code or entry.kind.value).strip("-")
    return f"{code or 'credential'}-{entry.uuid}"


def _attachment(body, content_type: str, filename: str) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def badge_facts(entry: wallet.Entry):
    """The badge's text in the reader's language, and its accessible name."""
    label = str(BADGE_LABELS.get(entry.kind, ""))
    alt = _(
        "Badge: %(label)s %(code)s, %(title)s, issued by %(issuer)s",
        label=label.lower(),
        code=entry.code,
        title=entry.title,
        issuer=entry.issuer,
    )
    return wallet.badge_facts(entry, label=label, alt=alt)


@bp.app_context_processor
def _wallet_helpers():
    def unread_notices() -> int:
        if not current_user.is_authenticated:
            return 0
        return notices.unread_count(current_user.id)

    def inline_badge(entry: wallet.Entry, id_prefix: str):
        return Markup(wallet.badge_svg(badge_facts(entry), id_prefix=id_prefix))

    return {"unread_notices": unread_notices, "inline_badge": inline_badge}


def _credential_panels(user: User) -> list[portal.Panel]:
    """The dashboard's "My credentials": the newest credentials and a link to all of them."""
    entries = wallet.latest(user.id, locale=_locale())
    if not entries and not user.has_role(Role.LEARNER):
        return []
    links = [
        portal.Link(
            f"{entry.title} — {STATUS_TEXT[entry.status]}",
            url_for("wallet.show_credential", credential_uuid=entry.uuid),
        )
        for entry in entries
    ]
    links.append(portal.Link(_("All my credentials"), url_for("wallet.list_credentials")))
    return [
        portal.Panel(
            title=_("My credentials"),
            role=Role.LEARNER.value,
            text=""
            if entries
            else _("No credentials yet: each micro-credential you complete adds one."),
            links=links,
        )
    ]


if _credential_panels not in portal.PANEL_PROVIDERS:
    portal.PANEL_PROVIDERS.append(_credential_panels)


# -- my credentials ---------------------------------------------------------------------------


@bp.get("/my/credentials")
@signed_in
def list_credentials():
    return render_template(
        "credentials/wallet.html", wallet=wallet.wallet(current_user.id, locale=_locale())
    )


@bp.get("/my/credentials/<credential_uuid>")
@signed_in
def show_credential(credential_uuid: str):
    entry = _own(credential_uuid)
    document = wallet.document_of(entry.row)
    url = wallet.public_url(entry.link) if entry.link else None
    siblings = wallet.siblings(entry)
    replaced_by = wallet.replacement_of(entry.row)
    return render_template(
        "credentials/wallet_credential.html",
        entry=entry,
        document=document,
        achievement=wallet.achievement_of(document),
        meaning=_meaning(entry, document),
        public_url=url,
        qr=wallet.qr_svg(url, _("QR code of the public page of this credential")) if url else None,
        linkedin_url=wallet.linkedin_url(entry, url)
        if entry.kind is not CredentialKind.RECORD
        else None,
        record=next((s for s in siblings if s.kind is CredentialKind.RECORD), None),
        badge=next((s for s in siblings if s.kind is CredentialKind.CERTIFICATION), None),
        replaced_by=replaced_by,
    )


@bp.get("/my/credentials/<credential_uuid>/credential.json")
@signed_in
def download_credential(credential_uuid: str):
    """The exact signed JSON, as stored (byte for byte)."""
    entry = _own(credential_uuid)
    return _attachment(
        entry.row.document, "application/ld+json; charset=utf-8", f"{_file_stem(entry)}.json"
    )


@bp.get("/my/credentials/<credential_uuid>/badge.png")
@signed_in
def download_badge_png(credential_uuid: str):
    entry = _own(credential_uuid)
    if not entry.is_bakeable:
        abort(404)
    return _attachment(
        wallet.baked_png(entry, badge_facts(entry)), "image/png", f"{_file_stem(entry)}.png"
    )


@bp.get("/my/credentials/<credential_uuid>/badge.svg")
@signed_in
def download_badge_svg(credential_uuid: str):
    entry = _own(credential_uuid)
    if not entry.is_bakeable:
        abort(404)
    return _attachment(
        wallet.baked_svg(entry, badge_facts(entry)),
        "image/svg+xml; charset=utf-8",
        f"{_file_stem(entry)}.svg",
    )


@bp.post("/my/credentials/<credential_uuid>/public-link")
@signed_in
def set_public_link(credential_uuid: str):
    """Turn the public page on (`public=on`) or off (`public=off`)."""
    entry = _own(credential_uuid)
    choice = request.form.get("public")
    if choice not in ("on", "off"):
        abort(400)
    with transaction():
        wallet.set_public_link(entry.row, choice == "on", actor=_user())
    if choice == "on":
        flash(_("The public page is on: anyone with its link can see and check it."), "info")
    else:
        flash(_("The public page is off: its link no longer works."), "info")
    return redirect(url_for("wallet.show_credential", credential_uuid=entry.uuid) + "#share")


# -- notices ----------------------------------------------------------------------------------


@bp.get("/my/notices")
@signed_in
def list_notices():
    return render_template("credentials/notices.html", shown=notices.notices_of(current_user.id))


@bp.post("/my/notices/read")
@signed_in
def mark_notices_read():
    """Mark one notice (`notice` = its id) or all of them read."""
    raw = request.form.get("notice", "")
    notice_id = int(raw) if raw.isdigit() and len(raw) < 10 else None
    if raw and notice_id is None:
        abort(400)
    with transaction():
        notices.mark_read(current_user.id, notice_id)
    return redirect(url_for("wallet.list_notices"))


# -- the public page --------------------------------------------------------------------------


def _public(public_id: str) -> wallet.Entry:
    try:
        return wallet.public_entry(public_id, locale=_locale())
    except NotFound:
        abort(404)


def _meaning(entry: wallet.Entry, document: dict) -> dict:
    """What the credential means: aligned indicators, coverage, endorsements, recognition."""
    locale = _locale()
    aligned = wallet.aligned_items(document, locale)
    occupation = entry.occupation_code
    return {
        "aligned": aligned,
        "coverage": wallet.coverage([a.item for a in aligned if a.item is not None], locale),
        "endorsements": wallet.endorsements(document, utcnow()),
        "recognition": wallet.recognition(occupation, locale) if occupation else [],
    }


def _wants_json() -> str | None:
    if request.args.get("format") == "json":
        return "application/ld+json"
    best = request.accept_mimetypes.best_match(["text/html", *JSON_TYPES])
    if (
        best in JSON_TYPES
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    ):
        return best
    return None


@bp.get("/credentials/<public_id>")
@public
def show_public_credential(public_id: str):
    """The credential's public page; its exact JSON when the client asks for JSON."""
    entry = _public(public_id)
    wanted = _wants_json()
    if wanted is not None:
        response = Response(entry.row.document, content_type=f"{wanted}; charset=utf-8")
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:
        document = wallet.document_of(entry.row)
        response = Response(
            render_template(
                "credentials/public.html",
                entry=entry,
                document=document,
                achievement=wallet.achievement_of(document),
                meaning=_meaning(entry, document),
                check=wallet.live_check(entry.row),
                holder=entry.row.user.display_name if entry.row.user else "",
                page_url=wallet.public_url(entry.link),
                image_url=url_for("wallet.public_badge_png", public_id=public_id, _external=True)
                if entry.is_bakeable
                else None,
            )
        )
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    response.headers["Cache-Control"] = "no-store"  # turned off means gone at once
    return response


@bp.get("/credentials/<public_id>/badge.png")
@public
def public_badge_png(public_id: str):
    """The badge with the credential baked in: the page's preview image, and a download."""
    entry = _public(public_id)
    if not entry.is_bakeable:
        abort(404)
    response = Response(wallet.baked_png(entry, badge_facts(entry)), content_type="image/png")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = f'inline; filename="{_file_stem(entry)}.png"'
    return response
