"""LTI use cases shared by every flow: registrations, LTI 1.1 consumers, provisioning users
from launches and rosters, cohorts (contexts), resource links, and the grade outbox.

Every function flushes and never commits. Results reach the outbox through
`pathways.records.services` hooks: `AWARD_HOOKS` and `AWARD_REVOKED_HOOKS` for
micro-credential (and occupation) links, `PROGRESS_HOOKS` for module links; they are
appended when this module is imported.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from pathways.accounts import services as accounts
from pathways.accounts.enums import Role
from pathways.accounts.models import ExternalIdentity
from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.accounts.signals import identity_linked
from pathways.db import db
from pathways.db import utcnow
from pathways.errors import Conflict
from pathways.errors import DomainError
from pathways.errors import Forbidden
from pathways.errors import Invalid
from pathways.errors import NotFound
from pathways.lti import claims
from pathways.lti.claims import LaunchRefused
from pathways.lti.keys import encrypt_secret
from pathways.lti.models import Lti11Consumer
from pathways.lti.models import LtiContext
from pathways.lti.models import LtiContextMember
from pathways.lti.models import LtiDeepLinkSession
from pathways.lti.models import LtiGradeLink
from pathways.lti.models import LtiOutbox
from pathways.lti.models import LtiPlatform
from pathways.lti.models import LtiResourceLink
from pathways.mail import send_mail
from pathways.records import queries as record_queries
from pathways.records import services as records

log = logging.getLogger(__name__)

# The Pathways roles a college admin may let a kind of LMS role become (never more).
GRANTABLE = (Role.LEARNER, Role.ASSESSOR, Role.COLLEGE_EDITOR, Role.COLLEGE_ADMIN)
TARGET_KINDS = ("credential", "module", "pathway")
# Scores are reported on this scale (a 0.8 result is 80); the platform rescales.
SCORE_MAXIMUM = 100


def _require_platform_admin(actor: User | None) -> None:
    # actor None is the command line or a signed dynamic registration (trusted).
    if actor is not None and not actor.has_role(Role.PLATFORM_ADMIN):
        raise Forbidden("Only platform admins manage LTI registrations.")


def _check_url(value: str | None, field: str, *, required: bool = True) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise Invalid(f"{field} is required.", errors={field: ["Required."]})
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise Invalid(f"{field} must be an http(s) URL.", errors={field: ["Not an http(s) URL."]})
    return value


def _clean_ids(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


# --- platform registrations -----------------------------------------------------------------


def create_platform(
    *,
    issuer: str,
    client_id: str,
    deployment_ids: Iterable[str],
    auth_url: str,
    token_url: str,
    jwks_url: str | None = None,
    static_public_key: str | None = None,
    organisation: Organisation | None = None,
    name: str = "",
    trusts_email: bool = False,
    registered_via: str = "manual",
    product_family_code: str | None = None,
    is_enabled: bool = True,
    actor: User | None,
) -> LtiPlatform:
    """Register an LTI 1.3 platform.

    :raises Invalid: a missing or non-http(s) URL, no JWKS URL nor static key.
    :raises Conflict: (issuer, client_id) is registered already.
    """
    _require_platform_admin(actor)
    issuer = (issuer or "").strip()
    client_id = (client_id or "").strip()
    if not issuer:
        raise Invalid("The issuer is required.", errors={"issuer": ["Required."]})
    _check_url(issuer, "issuer")
    if not client_id:
        raise Invalid("The client ID is required.", errors={"client_id": ["Required."]})
    auth_url = _check_url(auth_url, "auth_url")
    token_url = _check_url(token_url, "token_url")
    jwks_url = _check_url(jwks_url, "jwks_url", required=False)
    static_public_key = (static_public_key or "").strip() or None
    if jwks_url is None and static_public_key is None:
        raise Invalid(
            "Give the platform's JWKS URL or its public key.",
            errors={"jwks_url": ["Required unless a static key is given."]},
        )
    exists = db.session.scalar(
        sa.select(LtiPlatform.id).filter_by(issuer=issuer, client_id=client_id)
    )
    if exists is not None:
        raise Conflict(
            f"The platform {issuer} with client ID {client_id} is registered already.",
            code="platform_exists",
        )
    platform = LtiPlatform(
        issuer=issuer,
        client_id=client_id,
        deployment_ids=_clean_ids(deployment_ids),
        auth_url=auth_url,
        token_url=token_url,
        jwks_url=jwks_url,
        static_public_key=static_public_key,
        organisation=organisation,
        name=name.strip() or urlsplit(issuer).netloc,
        trusts_email=trusts_email,
        registered_via=registered_via,
        product_family_code=product_family_code,
        is_enabled=is_enabled,
    )
    db.session.add(platform)
    db.session.flush()
    log.info("lti platform registered", extra={"platform": platform.id, "issuer": issuer})
    return platform


UPDATABLE = (
    "name",
    "deployment_ids",
    "auth_url",
    "token_url",
    "jwks_url",
    "static_public_key",
    "trusts_email",
    "is_enabled",
    "organisation",
)


def update_platform(
    platform: LtiPlatform, changes: dict[str, Any], *, actor: User | None
) -> LtiPlatform:
    """Change a registration's fields (only those in UPDATABLE).

    :raises Invalid: an unknown field or a bad URL.
    """
    _require_platform_admin(actor)
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise Invalid(f"Cannot change {', '.join(unknown)}.")
    for name, value in changes.items():
        if name in ("auth_url", "token_url"):
            value = _check_url(value, name)
        elif name == "jwks_url":
            value = _check_url(value, name, required=False)
            platform.jwks_cache = None
        elif name == "deployment_ids":
            value = _clean_ids(value)
        elif name == "static_public_key":
            value = (value or "").strip() or None
        setattr(platform, name, value)
    if platform.jwks_url is None and platform.static_public_key is None:
        raise Invalid(
            "Give the platform's JWKS URL or its public key.",
            errors={"jwks_url": ["Required unless a static key is given."]},
        )
    db.session.flush()
    return platform


def add_deployment(platform: LtiPlatform, deployment_id: str, *, actor: User | None) -> None:
    _require_platform_admin(actor)
    if deployment_id and deployment_id not in platform.deployment_ids:
        platform.deployment_ids = [*platform.deployment_ids, deployment_id]
        db.session.flush()


def remove_deployment(platform: LtiPlatform, deployment_id: str, *, actor: User | None) -> None:
    """:raises NotFound: the platform has no such deployment."""
    _require_platform_admin(actor)
    if deployment_id not in platform.deployment_ids:
        raise NotFound(f"The platform has no deployment {deployment_id}.", code="no_deployment")
    platform.deployment_ids = [d for d in platform.deployment_ids if d != deployment_id]
    db.session.flush()


# --- LTI 1.1 consumers ------------------------------------------------------------------------


@dataclass(frozen=True)
class NewConsumer:
    consumer: Lti11Consumer
    secret: str  # shown once; stored only encrypted


def create_consumer(
    *,
    consumer_key: str,
    organisation: Organisation | None,
    name: str = "",
    secret: str | None = None,
    trusts_email: bool = False,
    actor: User | None,
) -> NewConsumer:
    """Register an LTI 1.1 consumer; a random secret is generated unless given.

    :raises Conflict: the key exists. :raises Invalid: empty key, short secret.
    """
    _require_platform_admin(actor)
    consumer_key = (consumer_key or "").strip()
    if not consumer_key:
        raise Invalid("The consumer key is required.", errors={"consumer_key": ["Required."]})
    if db.session.scalar(sa.select(Lti11Consumer.id).filter_by(consumer_key=consumer_key)):
        raise Conflict(f"The consumer key {consumer_key} exists.", code="consumer_exists")
    secret = secret or secrets.token_urlsafe(32)
    if len(secret) < 16:
        raise Invalid(
            "The shared secret must have at least 16 characters.",
            errors={"secret": ["At least 16 characters."]},
        )
    consumer = Lti11Consumer(
        consumer_key=consumer_key,
        secret_encrypted=encrypt_secret(secret),
        organisation=organisation,
        name=name.strip() or consumer_key,
        trusts_email=trusts_email,
    )
    db.session.add(consumer)
    db.session.flush()
    return NewConsumer(consumer, secret)


def update_consumer(
    consumer: Lti11Consumer,
    *,
    trusts_email: bool | None = None,
    is_enabled: bool | None = None,
    actor: User | None,
) -> Lti11Consumer:
    """Change a consumer's email trust and state (None: unchanged)."""
    _require_platform_admin(actor)
    if trusts_email is not None:
        consumer.trusts_email = trusts_email
    if is_enabled is not None:
        consumer.is_enabled = is_enabled
    db.session.flush()
    return consumer


# --- users from launches and rosters ------------------------------------------------------------


def _display_name(
    name: str | None, given: str | None, family: str | None, email: str | None, subject: str
) -> str:
    full = (name or " ".join(p for p in (given, family) if p) or "").strip()
    if full:
        return full[:200]
    if email:
        return email.split("@")[0][:200]
    return f"LTI user {subject[:40]}"


@dataclass(frozen=True)
class Provisioned:
    user: User
    is_new: bool  # the account was made for this launch: offer to link an existing one
    # An account uses the launch's email, but the registration is not trusted for emails.
    email_taken: bool = False


def provision_user(**identity: Any) -> User:
    """The user linked to (provider, issuer, subject), created and linked if new
    (`provision`)."""
    return provision(**identity).user


def provision(
    *,
    provider: str,
    issuer: str,
    subject: str,
    email: str | None,
    name: str | None = None,
    given_name: str | None = None,
    family_name: str | None = None,
    trusts_email: bool,
    locale: str | None = None,
) -> Provisioned:
    """The user linked to (provider, issuer, subject), created and linked if new.

    An existing account with the same email is linked only when the registration is
    trusted for emails; otherwise the LTI user gets a separate account (without that
    email), so an LMS cannot take over an account by asserting its address: the learner
    links the two by signing in once (`merge_launch_account`).
    """
    user = accounts.find_user_by_identity(provider, issuer, subject)
    if user is not None:
        if name and user.display_name.startswith("LTI user "):
            user.display_name = name[:200]
        return Provisioned(user, False)
    email = accounts.normalise_email(email) if email and "@" in email else None
    existing = db.session.scalar(sa.select(User).filter_by(email=email)) if email else None
    display = _display_name(name, given_name, family_name, email, subject)
    is_new = True
    if existing is not None and trusts_email:
        user = existing
        is_new = False
    elif existing is None and email is not None:
        user = accounts.create_user(email, None, display_name=display)
    else:
        if existing is not None:
            log.warning(
                "lti launch email matches an account; platform not trusted for emails, "
                "separate account created",
                extra={"issuer": issuer},
            )
        user = User(email=None, display_name=display)
        db.session.add(user)
        db.session.flush()
    if locale and user.locale is None and locale[:2] in ("en", "fr"):
        user.locale = locale[:2]
    accounts.link_identity(user, provider, issuer, subject)
    return Provisioned(user, is_new, existing is not None and user is not existing)


def provision_launch_user(**identity: Any) -> Provisioned:
    """`provision` for a launch (1.3 or 1.1): an account that cannot be set up is a
    refused launch, explained on the refusal page."""
    try:
        return provision(**identity)
    except DomainError as error:
        raise LaunchRefused(
            "account_conflict",
            "Your account could not be set up.",
            f"Pathways refused the account: {error.detail}",
        ) from error


LAUNCH_PROVIDERS = ("lti", "lti11")


def is_launch_account(user: User) -> bool:
    """An account an LMS launch made: enabled, no password, known by an LTI identity."""
    if not user.is_enabled or user.password_hash is not None:
        return False
    return (
        db.session.scalar(
            sa.select(ExternalIdentity.id)
            .where(
                ExternalIdentity.user_id == user.id,
                ExternalIdentity.provider.in_(LAUNCH_PROVIDERS),
            )
            .limit(1)
        )
        is not None
    )


def merge_launch_account(launch_user: User, into: User) -> User:
    """Make an account a launch created part of the learner's own: its LMS identities,
    memberships, cohorts, grade links and records move to `into`, which the LMS then
    knows; the launch account is disabled. Statements kept for those identities project
    (`identity_linked`), and each moved grade link gets the learner's current result.

    :raises Invalid: `launch_user` is not a launch account, or is `into`.
    :raises Forbidden: `into` is disabled.
    """
    if into.id == launch_user.id:
        raise Invalid("This is already your account.", code="same_account")
    if not into.is_enabled:
        raise Forbidden("That account is disabled.", code="account_disabled")
    if not is_launch_account(launch_user):
        raise Invalid("Only an account made by an LMS launch can be linked.", code="not_launch")
    identities = db.session.scalars(
        sa.select(ExternalIdentity).where(ExternalIdentity.user_id == launch_user.id)
    ).all()
    for identity in identities:
        identity.user = into
    db.session.flush()
    for membership in list(launch_user.memberships):
        accounts.add_membership(into, membership.organisation, membership.role)
        db.session.delete(membership)
    for member in db.session.scalars(
        sa.select(LtiContextMember).filter_by(user_id=launch_user.id)
    ).all():
        kept = db.session.scalar(
            sa.select(LtiContextMember).filter_by(context_pk=member.context_pk, user_id=into.id)
        )
        if kept is None:
            member.user = into
        else:
            kept.roles = list(dict.fromkeys([*kept.roles, *member.roles]))
            kept.is_active = kept.is_active or member.is_active
            db.session.delete(member)
    moved = []
    for grade in db.session.scalars(sa.select(LtiGradeLink).filter_by(user_id=launch_user.id)):
        kept = db.session.scalar(
            sa.select(LtiGradeLink).filter_by(
                user_id=into.id, resource_link_pk=grade.resource_link_pk
            )
        )
        if kept is None:
            grade.user = into
            moved.append(grade)
        else:
            kept.lti_user_id = grade.lti_user_id
            kept.lineitem_url = grade.lineitem_url or kept.lineitem_url
            kept.outcome_url = grade.outcome_url or kept.outcome_url
            kept.sourcedid = grade.sourcedid or kept.sourcedid
            db.session.delete(grade)
            moved.append(kept)
    db.session.execute(
        sa.update(LtiDeepLinkSession)
        .where(LtiDeepLinkSession.user_id == launch_user.id)
        .values(user_id=into.id)
    )
    launch_user.is_enabled = False
    db.session.flush()
    for identity in identities:
        identity_linked.send(into, identity=identity)
    records.move_learner_records(launch_user.id, into.id)
    for grade in moved:
        send_standing(grade)
    log.info("launch account merged", extra={"from": launch_user.id, "into": into.id})
    return into


LINK_TOKEN_MAX_AGE = 24 * 3600


def _link_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lti-link-account")


def request_link_by_email(launch_user: User, email: str, *, link_url_for) -> None:
    """Mail the account that uses `email` a link that joins `launch_user` to it (for an
    account without a password: following the link proves the address is theirs). Says
    nothing either way, so the page does not reveal which addresses have accounts.
    """
    if not is_launch_account(launch_user):
        return
    into = db.session.scalar(sa.select(User).filter_by(email=accounts.normalise_email(email)))
    if into is None or not into.is_enabled or into.id == launch_user.id:
        log.info("account link asked for an unknown address")
        return
    token = _link_serializer().dumps({"from": launch_user.id, "into": into.id})
    send_mail(
        into.email,
        "Link your LMS to your Pathways account",
        "Someone who launched Pathways from an LMS asked to use your Pathways account there."
        " If it was you, open this link within a day and confirm:\n\n"
        f"{link_url_for(token)}\n\nIf it was not you, ignore this message.\n",
    )


def accounts_for_link_token(token: str) -> tuple[User, User]:
    """(the launch account, the account it joins) a mailed link names.

    :raises Invalid: expired, forged, or used (the launch account is merged already).
    """
    try:
        data = _link_serializer().loads(token, max_age=LINK_TOKEN_MAX_AGE)
    except SignatureExpired as error:
        raise Invalid("This link has expired.", code="token_expired") from error
    except BadSignature as error:
        raise Invalid("This link is not valid.", code="token_invalid") from error
    launch_user = db.session.get(User, data.get("from"))
    into = db.session.get(User, data.get("into"))
    if launch_user is None or into is None or not is_launch_account(launch_user):
        raise Invalid("This link has already been used.", code="token_used")
    return launch_user, into


def grant_roles(
    user: User, registration: LtiPlatform | Lti11Consumer, role_kinds: Iterable[str]
) -> None:
    """Memberships in the registration's college for the kinds of LMS role a launch or a
    roster gives, as the registration's `role_grants` say (additive). An LMS role never
    grants a Pathways role by itself."""
    organisation = registration.organisation
    if organisation is None:
        return
    grants = registration.role_grants or {}
    for kind in sorted(role_kinds):
        for name in grants.get(kind) or []:
            if name in GRANTABLE:
                accounts.add_membership(user, organisation, Role(name))


def _require_registration_admin(registration, actor: User | None) -> None:
    if actor is None or actor.has_role(Role.PLATFORM_ADMIN):
        return
    organisation = registration.organisation
    if organisation is None or not accounts.can_administer(actor, organisation):
        raise Forbidden("You do not administer this LMS's college.", code="not_admin")


def set_role_grants(
    registration: LtiPlatform | Lti11Consumer,
    grants: dict[str, Iterable[str]],
    *,
    actor: User | None,
) -> dict[str, list[str]]:
    """Say what each kind of LMS role becomes in the registration's college.

    :raises Forbidden: the actor does not administer that college.
    :raises Invalid: an unknown kind, or a role no LMS role may be granted.
    """
    _require_registration_admin(registration, actor)
    unknown = sorted(set(grants) - set(claims.ROLE_KINDS))
    if unknown:
        raise Invalid(f"Unknown kind of LMS role: {', '.join(unknown)}.", code="unknown_kind")
    cleaned = {}
    for kind in claims.ROLE_KINDS:
        names = list(dict.fromkeys(str(name) for name in grants.get(kind) or []))
        refused = [name for name in names if name not in GRANTABLE]
        if refused:
            raise Invalid(
                f"An LMS role cannot become {', '.join(refused)}.",
                code="role_not_grantable",
                errors={kind: [f"Not grantable: {', '.join(refused)}"]},
            )
        cleaned[kind] = names
    registration.role_grants = cleaned
    db.session.flush()
    return cleaned


def set_registration_enabled(
    registration: LtiPlatform | Lti11Consumer, enabled: bool, *, actor: User | None
) -> None:
    """Approve (enable) or switch off a registration of the actor's college.

    :raises Forbidden: the actor does not administer that college.
    """
    _require_registration_admin(registration, actor)
    registration.is_enabled = bool(enabled)
    db.session.flush()


# --- contexts (cohorts), resource links, grade links ------------------------------------------


def _owner_filter(model, platform: LtiPlatform | None, consumer: Lti11Consumer | None):
    if platform is not None:
        return model.platform_id == platform.id
    return model.consumer_id == consumer.id


def upsert_context(
    *,
    platform: LtiPlatform | None = None,
    consumer: Lti11Consumer | None = None,
    context_id: str,
    title: str | None = None,
    label: str | None = None,
    deployment_id: str | None = None,
    memberships_url: str | None = None,
    lineitems_url: str | None = None,
    ags_scopes: Iterable[str] = (),
) -> LtiContext:
    """The cohort for an LMS course, created on first sight, refreshed on each launch."""
    context = db.session.scalar(
        sa.select(LtiContext).where(
            _owner_filter(LtiContext, platform, consumer), LtiContext.context_id == context_id
        )
    )
    if context is None:
        owner = platform or consumer
        context = LtiContext(
            platform=platform,
            consumer=consumer,
            context_id=context_id,
            organisation_id=owner.organisation_id,
        )
        db.session.add(context)
    context.title = (title or context.title or "")[:500] or None
    context.label = (label or context.label or "")[:255] or None
    context.deployment_id = deployment_id or context.deployment_id
    context.memberships_url = memberships_url or context.memberships_url
    context.lineitems_url = lineitems_url or context.lineitems_url
    scopes = list(ags_scopes)
    if scopes:
        context.ags_scopes = scopes
    db.session.flush()
    return context


def enrol(
    context: LtiContext,
    user: User,
    roles: Iterable[str],
    *,
    source: str = "launch",
    is_active: bool = True,
) -> LtiContextMember:
    """Put a user in a cohort with their LTI roles (full URIs); refreshes an existing member."""
    member = db.session.scalar(
        sa.select(LtiContextMember).filter_by(context_pk=context.id, user_id=user.id)
    )
    if member is None:
        member = LtiContextMember(context=context, user=user, source=source)
        db.session.add(member)
    member.roles = list(roles)
    member.is_active = is_active
    member.updated_at = utcnow()
    db.session.flush()
    return member


def upsert_resource_link(
    *,
    platform: LtiPlatform | None = None,
    consumer: Lti11Consumer | None = None,
    context: LtiContext | None,
    resource_link_id: str,
    title: str | None,
    target: tuple[str, str] | None,
    lineitem_url: str | None = None,
) -> LtiResourceLink:
    link = db.session.scalar(
        sa.select(LtiResourceLink).where(
            _owner_filter(LtiResourceLink, platform, consumer),
            LtiResourceLink.resource_link_id == resource_link_id,
        )
    )
    if link is None:
        link = LtiResourceLink(
            platform=platform, consumer=consumer, resource_link_id=resource_link_id
        )
        db.session.add(link)
    link.context_pk = context.id if context is not None else link.context_pk
    link.title = (title or link.title or "")[:500] or None
    if target is not None:
        link.target_kind, link.target_code = target
    link.lineitem_url = lineitem_url or link.lineitem_url
    db.session.flush()
    return link


def upsert_grade_link(
    *,
    user: User,
    link: LtiResourceLink,
    lti_user_id: str,
    lineitem_url: str | None = None,
    outcome_url: str | None = None,
    sourcedid: str | None = None,
) -> LtiGradeLink | None:
    """Remember where this user's grade for `link` goes; None when the launch carries none."""
    if not lineitem_url and not (outcome_url and sourcedid):
        return None
    grade = db.session.scalar(
        sa.select(LtiGradeLink).filter_by(user_id=user.id, resource_link_pk=link.id)
    )
    is_new = grade is None
    if grade is None:
        grade = LtiGradeLink(user=user, resource_link=link, lti_user_id=lti_user_id)
        db.session.add(grade)
    grade.lti_user_id = lti_user_id
    grade.lineitem_url = lineitem_url or grade.lineitem_url
    if outcome_url and sourcedid:
        grade.outcome_url, grade.sourcedid = outcome_url, sourcedid
    grade.updated_at = utcnow()
    db.session.flush()
    if is_new:  # a result earned before the link existed reaches its gradebook too
        send_standing(grade)
    return grade


# --- the grade outbox -----------------------------------------------------------------------


def scores_url(lineitem_url: str) -> str:
    """The line item's `/scores` endpoint (the query string stays after the path)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def enqueue_row(row: LtiOutbox) -> LtiOutbox | None:
    existing = db.session.scalar(
        sa.select(LtiOutbox).filter_by(idempotency_key=row.idempotency_key)
    )
    if existing is not None:
        return None
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # a concurrent worker enqueued the same key first
        return None
    return row


@dataclass(frozen=True)
class Grade:
    """A learner's result on one target as the LMS gradebook should show it.

    `score` is a fraction 0..1 (None: no result, the gradebook cell is cleared);
    `activity_progress` and `grading_progress` are the AGS vocabularies: a failed
    attempt is Completed and FullyGraded with its own score (AGS `Failed` says the
    grading failed, not the learner).
    """

    score: float | None
    activity_progress: str
    grading_progress: str


AWARDED = Grade(1.0, "Completed", "FullyGraded")
CLEARED = Grade(None, "Initialized", "NotReady")


def _fraction(scaled: float | None) -> float | None:
    if scaled is None:
        return None
    return min(1.0, max(0.0, float(scaled)))  # xAPI `scaled` may be negative


def grade_of_progress(progress: Any) -> Grade:
    """The grade a module's progress stands for.

    Completed or passed: its best score (full marks when the module asks completion
    only and no score came); failed: its best score (0 without one); a score without
    an outcome yet: in progress, pending; nothing left (voided, reversed): cleared.
    """
    best = _fraction(getattr(progress, "best_score_scaled", None))
    if getattr(progress, "is_complete", False):
        return Grade(1.0 if best is None else best, "Completed", "FullyGraded")
    if getattr(progress, "status", None) == "failed":
        return Grade(0.0 if best is None else best, "Completed", "FullyGraded")
    if best is not None:
        return Grade(best, "InProgress", "Pending")
    return CLEARED


def enqueue_grade(
    grade_link: LtiGradeLink, *, source_key: str, at: datetime, grade: Grade = AWARDED
) -> LtiOutbox | None:
    """Queue one grade for one grade link; None if this source_key was queued before.

    AGS gets scoreGiven (the fraction on SCORE_MAXIMUM) with the grade's progress
    states, or no scoreGiven when cleared; LTI 1.1 Basic Outcomes get replaceResult
    with the same fraction, or deleteResult when cleared. `at` is the score's
    timestamp: the platform keeps the newest.
    """
    link = grade_link.resource_link
    key_tail = f"{grade_link.user_id}:{link.id}:{source_key}"
    if grade_link.lineitem_url and link.platform_id is not None:
        body = claims.ags_score(
            user_id=grade_link.lti_user_id,
            score_given=None if grade.score is None else round(grade.score * SCORE_MAXIMUM, 4),
            score_maximum=SCORE_MAXIMUM,
            activity_progress=grade.activity_progress,
            grading_progress=grade.grading_progress,
            timestamp=at,
        )
        row = LtiOutbox(
            kind="ags_score",
            idempotency_key=f"ags:{key_tail}",
            platform_id=link.platform_id,
            grade_link_id=grade_link.id,
            url=scores_url(grade_link.lineitem_url),
            payload={"score": body},
        )
    elif grade_link.outcome_url and grade_link.sourcedid:
        payload: dict[str, Any] = {"sourcedid": grade_link.sourcedid}
        if grade.score is not None:
            payload["score"] = grade.score
        row = LtiOutbox(
            kind="pox_replace" if grade.score is not None else "pox_delete",
            idempotency_key=f"{'pox' if grade.score is not None else 'poxdel'}:{key_tail}",
            platform_id=link.platform_id,
            consumer_id=link.consumer_id,
            grade_link_id=grade_link.id,
            url=grade_link.outcome_url,
            payload=payload,
        )
    else:
        return None
    row.next_attempt_at = utcnow()
    return enqueue_row(row)


def grade_links_for(user_id: int, kind: str, code: str) -> list[LtiGradeLink]:
    return list(
        db.session.scalars(
            sa.select(LtiGradeLink)
            .join(LtiGradeLink.resource_link)
            .where(
                LtiGradeLink.user_id == user_id,
                LtiResourceLink.target_kind == kind,
                LtiResourceLink.target_code == code,
            )
            .order_by(LtiGradeLink.id)
        )
    )


def enqueue_target_grade(
    user: User, kind: str, code: str, grade: Grade, *, source_key: str, at: datetime | None = None
) -> list[LtiOutbox]:
    """Queue `grade` on every graded link of `user` that points at (kind, code)."""
    at = at or utcnow()
    queued = []
    for grade_link in grade_links_for(user.id, kind, str(code)):
        row = enqueue_grade(grade_link, source_key=source_key, at=at, grade=grade)
        if row is not None:
            queued.append(row)
    return queued


def _first_attr(obj: Any, *paths: str) -> Any:
    for path in paths:
        value = obj
        for name in path.split("."):
            value = getattr(value, name, None)
            if value is None:
                break
        if value is not None:
            return value
    return None


def award_targets(award: Any) -> list[tuple[str, str]]:
    """(kind, code) targets an award completes: its micro-credential or its occupation."""
    targets = []
    credential = _first_attr(
        award,
        "credential_code",
        "micro_credential.code",
        "version.credential.code",
        "credential.code",
    )
    if credential:
        targets.append(("credential", str(credential)))
    occupation = _first_attr(award, "occupation_code", "occupation.code")
    if occupation:
        targets.append(("pathway", str(occupation)))
    return targets


def on_award(user: User, award: Any) -> None:
    """AWARD_HOOKS entry: the links the award completes get full marks, completed."""
    when = _first_attr(award, "issued_at", "awarded_at", "created_at")
    for kind, code in award_targets(award):
        enqueue_target_grade(
            user, kind, code, AWARDED, source_key=f"award:{getattr(award, 'id', code)}", at=when
        )


def on_award_revoked(user: User, award: Any) -> None:
    """AWARD_REVOKED_HOOKS entry: the links of a revoked award are cleared."""
    when = _first_attr(award, "revoked_at") or utcnow()
    for kind, code in award_targets(award):
        enqueue_target_grade(
            user,
            kind,
            code,
            CLEARED,
            source_key=f"award:{getattr(award, 'id', code)}:revoked",
            at=when,
        )


def on_progress(user: User, progress: Any) -> None:
    """PROGRESS_HOOKS entry: links pointing at the module get the learner's standing
    (a completion, a pass with its score, a failed attempt, a reversal) each time it
    changes; the score's timestamp is when it changed."""
    module_id = _first_attr(progress, "module_id", "module.id")
    when = _first_attr(progress, "updated_at", "completed_at") or utcnow()
    if module_id is None:
        return
    enqueue_target_grade(
        user,
        "module",
        str(module_id),
        grade_of_progress(progress),
        source_key=f"module:{module_id}:{int(when.timestamp() * 1_000_000)}",
        at=when,
    )


def standing_of(user_id: int, kind: str | None, code: str | None) -> tuple[Grade, str] | None:
    """The learner's current grade on a target and the key it is sent under, or None
    when there is nothing to report (no progress, no active award)."""
    if kind == "module" and code and code.isdigit():
        progress = record_queries.module_progress(user_id, [int(code)]).get(int(code))
        if progress is None or grade_of_progress(progress) == CLEARED:
            return None
        stamp = int(progress.updated_at.timestamp() * 1_000_000)
        return grade_of_progress(progress), f"module:{code}:{stamp}"
    if kind == "credential" and code:
        award = record_queries.active_award_for(user_id, code)
        if award is not None:
            return AWARDED, f"award:{award.id}"
    return None


def send_standing(grade_link: LtiGradeLink) -> LtiOutbox | None:
    """Queue the learner's current result on a grade link's target (a link that is new,
    or newly theirs), under the key its own change would have used."""
    link = grade_link.resource_link
    found = standing_of(grade_link.user_id, link.target_kind, link.target_code)
    if found is None:
        return None
    grade, source_key = found
    return enqueue_grade(grade_link, source_key=source_key, at=utcnow(), grade=grade)


def _install_hooks() -> None:
    for hooks, hook in (
        (records.AWARD_HOOKS, on_award),
        (records.AWARD_REVOKED_HOOKS, on_award_revoked),
        (records.PROGRESS_HOOKS, on_progress),
    ):
        if hook not in hooks:
            hooks.append(hook)


_install_hooks()


def retry_grade(row_id: int, context: LtiContext, *, actor: User) -> LtiOutbox:
    """Send a course's grade again from now (a failed one gets its attempts anew).

    :raises Forbidden: the actor does not teach the course.
    :raises NotFound: no such grade in this course.
    :raises Conflict: it was sent already.
    """
    require_instructor(context, actor)
    row = db.session.get(LtiOutbox, row_id)
    link = row.grade_link.resource_link if row is not None and row.grade_link else None
    if link is None or link.context_pk != context.id:
        raise NotFound("no such grade in this course", code="unknown_grade")
    if row.status == "sent":
        raise Conflict("This grade was accepted by the LMS already.", code="already_sent")
    row.status = "pending"
    row.attempts = 0
    row.next_attempt_at = utcnow()
    db.session.flush()
    return row


def is_course_instructor(context: LtiContext, user: User) -> bool:
    """Whether the LMS made `user` an instructor (or content developer, or an admin) of
    this course, by a launch or its roster."""
    member = db.session.scalar(
        sa.select(LtiContextMember).filter_by(context_pk=context.id, user_id=user.id)
    )
    if member is None or not member.is_active:
        return False
    return bool(
        claims.role_kinds(member.roles) & {claims.ROLE_INSTRUCTOR, claims.ROLE_ADMINISTRATOR}
    )


def require_instructor(context: LtiContext, actor: User) -> None:
    """Instructors of the course (as the LMS says), the college's editors and admins,
    and platform admins.

    :raises Forbidden: anyone else.
    """
    if actor.has_role(Role.PLATFORM_ADMIN):
        return
    if context.organisation_id is not None and actor.has_role(
        Role.COLLEGE_EDITOR, Role.COLLEGE_ADMIN, organisation_id=context.organisation_id
    ):
        return
    if is_course_instructor(context, actor):
        return
    raise Forbidden("You do not teach this course.", code="not_instructor")
