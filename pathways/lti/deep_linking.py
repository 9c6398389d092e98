"""Deep Linking 2.0: an instructor picks micro-credentials, modules or occupation pathways;
Pathways answers a signed `LtiDeepLinkingResponse` of ltiResourceLink items.

The deep linking launch leaves a single-use `LtiDeepLinkSession` whose random handle
travels in the selection form, so the choice does not rely on a session cookie.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

import sqlalchemy as sa

from pathways.catalog import queries as catalog
from pathways.db import db
from pathways.db import utcnow
from pathways.lti import claims
from pathways.lti import keys
from pathways.lti import registration
from pathways.lti.claims import LaunchRefused
from pathways.lti.launch import LINK_TARGET_PARAM
from pathways.lti.launch import PAGE_PATHS
from pathways.lti.models import LtiDeepLinkSession

GRADED_SCORE_MAXIMUM = 100


@dataclass(frozen=True)
class Choice:
    """One item an instructor can place: `value` is `kind:code` (the form's value)."""

    kind: str  # credential | module | pathway
    code: str
    title: str
    detail: str = ""

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.code}"


def _text(language_map: dict | str | None, locale: str = "en") -> str:
    if isinstance(language_map, str):
        return language_map
    if not language_map:
        return ""
    return language_map.get(locale) or language_map.get("en") or next(iter(language_map.values()))


def choices(locale: str = "en") -> list[Choice]:
    """Published micro-credentials (newest version per code), their modules, occupations."""
    latest = {}
    for version in catalog.published_versions():
        latest[version.credential.code] = version  # ordered by number: the last wins
    found: list[Choice] = []
    for code, version in sorted(latest.items()):
        title = _text(version.title, locale) or code
        found.append(Choice("credential", code, title, code))
        for module in sorted(version.modules, key=lambda m: (m.position, m.id)):
            found.append(
                Choice(
                    "module",
                    str(module.id),
                    _text(module.title, locale) or module.code,
                    f"{code} › {module.code}",
                )
            )
    for occupation in catalog.occupations():
        found.append(
            Choice(
                "pathway",
                occupation.code,
                _text(occupation.title, locale) or occupation.code,
                occupation.framework.identifier,
            )
        )
    return found


def item_url(kind: str, code: str) -> str:
    base = registration.base_url()
    return base + PAGE_PATHS[kind].format(quote(code, safe=""))


def open_session(handle: str, *, now: datetime | None = None) -> LtiDeepLinkSession:
    """The pending deep linking request for `handle`.

    :raises LaunchRefused: ``deep_linking_expired`` (unknown, used or expired handle).
    """
    now = now or utcnow()
    session = db.session.scalar(sa.select(LtiDeepLinkSession).filter_by(handle=handle))
    if session is None or session.used_at is not None or session.expires_at <= now:
        raise LaunchRefused(
            "deep_linking_expired",
            "This content selection has expired or was already sent; start again from the LMS.",
            "Deep linking selections stay open for an hour and can be sent once.",
        )
    return session


@dataclass(frozen=True)
class DeepLinkingResponse:
    return_url: str
    jwt: str
    items: list[dict]


def respond(
    handle: str, values: list[str], *, graded: bool, locale: str = "en", now: datetime | None = None
) -> DeepLinkingResponse:
    """Sign the response for the chosen `kind:code` values (unknown values are ignored).

    :raises LaunchRefused: expired handle, or the platform refuses the selection
        (``deep_linking_refused``: several items when it accepts one, for instance).
    """
    now = now or utcnow()
    session = open_session(handle, now=now)
    available = {choice.value: choice for choice in choices(locale)}
    chosen = [available[value] for value in dict.fromkeys(values) if value in available]
    stored = session.settings
    settings = claims.DeepLinkingSettings(
        deep_link_return_url=stored["deep_link_return_url"],
        accept_types=tuple(stored.get("accept_types") or ()),
        accept_presentation_document_targets=tuple(
            stored.get("accept_presentation_document_targets") or ()
        ),
        accept_multiple=bool(stored.get("accept_multiple")),
        accept_lineitem=stored.get("accept_lineitem"),
        data=stored.get("data"),
    )
    with_line_item = graded and settings.accept_lineitem is not False
    items = [
        claims.ResourceLinkItem(
            title=choice.title,
            url=item_url(choice.kind, choice.code),
            text=choice.detail or None,
            custom={LINK_TARGET_PARAM: choice.value},
            line_item=(
                claims.LineItem(
                    score_maximum=GRADED_SCORE_MAXIMUM,
                    label=choice.title,
                    resource_id=choice.value,
                    tag="pathways",
                )
                if with_line_item
                else None
            ),
        )
        for choice in chosen
    ]
    platform = session.platform
    try:
        payload = claims.deep_linking_response_claims(
            settings=settings,
            items=items,
            client_id=platform.client_id,
            issuer_of_tool=platform.issuer,
            deployment_id=session.deployment_id,
            now=int(now.timestamp()),
            nonce=secrets.token_urlsafe(16),
            lifetime=keys.SIGNED_LIFETIME,
        )
    except claims.InvalidLtiValue as error:
        raise LaunchRefused(
            "deep_linking_refused", "Your LMS does not accept this selection.", str(error)
        ) from error
    session.used_at = now
    db.session.flush()
    return DeepLinkingResponse(
        settings.deep_link_return_url,
        keys.sign_jwt(payload),
        payload[claims.CLAIM_DL_CONTENT_ITEMS],
    )
