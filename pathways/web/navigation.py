"""Template globals: the main navigation (one registry) and the current locale."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pathways.accounts.enums import Role


@dataclass(frozen=True)
class NavItem:
    label: object  # a lazy string
    endpoint: str
    visible: Callable[[object], bool]


def _anyone(user) -> bool:
    return True


def _signed_in(user) -> bool:
    return user.is_authenticated


def _admin(user) -> bool:
    return user.is_authenticated and user.has_role(Role.COLLEGE_ADMIN, Role.PLATFORM_ADMIN)


def _holds(*roles: Role) -> Callable[[object], bool]:
    return lambda user: user.is_authenticated and user.has_role(*roles)


# Feature packages append their entries here.
NAV: list[NavItem] = [
    NavItem(_l("Dashboard"), "portal.dashboard", _signed_in),
    NavItem(_l("Organisations"), "accounts.list_organisations", _admin),
    NavItem(_l("Catalogue"), "catalog.search_catalogue", _anyone),
    NavItem(
        _l("Micro-credentials"),
        "catalog.college_dashboard",
        lambda u: u.is_authenticated and u.has_role(Role.COLLEGE_EDITOR, Role.COLLEGE_ADMIN),
    ),
    NavItem(
        _l("Reviews"),
        "catalog.partner_reviews",
        lambda u: u.is_authenticated and u.has_role(Role.PARTNER_REVIEWER),
    ),
    NavItem(
        _l("CASE frameworks"),
        "catalog.case_admin",
        lambda u: u.is_authenticated and u.has_role(Role.PLATFORM_ADMIN),
    ),
    NavItem(_l("Issued credentials"), "credentials.list_credentials", _admin),
    NavItem(_l("LTI"), "lti.list_platforms", _holds(Role.PLATFORM_ADMIN)),
    NavItem(_l("My pathways"), "stacking.list_pathways", _holds(Role.LEARNER)),
    NavItem(_l("My credentials"), "wallet.list_credentials", _holds(Role.LEARNER)),
    NavItem(_l("Assessments"), "stacking.assessment_queue", _holds(Role.ASSESSOR)),
]


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def main_nav() -> list[NavLink]:
    links = []
    for item in NAV:
        if item.visible(current_user):
            links.append(
                NavLink(str(item.label), url_for(item.endpoint), request.endpoint == item.endpoint)
            )
    return links


def format_hours(value: float | int | None) -> str:
    """55.0 -> "55", 37.5 -> "37.5": hours read as people write them."""
    if value is None:
        return ""
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded.is_integer() else str(rounded)


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(main_nav=main_nav, current_locale=lambda: str(get_locale()))
    app.jinja_env.filters["hours"] = format_hours
