"""Account use cases: users, sign-in, password reset, memberships, invitations, API clients.

Every function flushes and never commits: the caller's boundary does.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from pathways.accounts.enums import ADMIN_ROLES
from pathways.accounts.enums import ROLES_BY_KIND
from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.accounts.enums import Scope
from pathways.accounts.models import ApiClient
from pathways.accounts.models import Invitation
from pathways.accounts.models import Membership
from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.db import db
from pathways.db import utcnow
from pathways.errors import Conflict
from pathways.errors import Forbidden
from pathways.errors import Invalid
from pathways.errors import NotFound
from pathways.mail import send_mail

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
KEY_ID_PREFIX = "pk_"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
            code="weak_password",
            errors={"password": [f"At least {MIN_PASSWORD_LENGTH} characters."]},
        )


def get_organisation(code: str) -> Organisation:
    organisation = db.session.scalar(sa.select(Organisation).filter_by(code=code))
    if organisation is None:
        raise NotFound(f"no organisation with code {code!r}", code="unknown_organisation")
    return organisation


ORGANISATION_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


def create_organisation(code: str, name: str, kind: OrganisationKind | str) -> Organisation:
    if not ORGANISATION_CODE.match(code):
        raise Invalid(
            "Use lowercase letters, digits and hyphens for the code.",
            code="bad_organisation_code",
            errors={"code": ["Lowercase letters, digits and hyphens only."]},
        )
    if db.session.scalar(sa.select(Organisation.id).filter_by(code=code)) is not None:
        raise Conflict(
            f"An organisation with code {code!r} exists.",
            code="organisation_exists",
            errors={"code": ["Taken."]},
        )
    organisation = Organisation(code=code, name=name, kind=OrganisationKind(kind))
    db.session.add(organisation)
    db.session.flush()
    return organisation


def create_user(
    email: str, password: str | None, *, display_name: str = "", locale: str | None = None
) -> User:
    """Create an account; `password` None makes an account that signs in only through LTI."""
    email = normalise_email(email)
    if "@" not in email:
        raise Invalid("That is not an email address.", errors={"email": ["Not an email address."]})
    if db.session.scalar(sa.select(User.id).filter_by(email=email)) is not None:
        raise Conflict(
            "An account with that email exists.",
            code="email_taken",
            errors={"email": ["An account with that email exists."]},
        )
    user = User(email=email, display_name=display_name or email.split("@")[0], locale=locale)
    if password is not None:
        _check_password_strength(password)
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
    db.session.add(user)
    db.session.flush()
    return user


def sign_up_learner(email: str, password: str, *, display_name: str, locale: str | None) -> User:
    """Self-service sign-up: a learner account with no organisation yet."""
    return create_user(email, password, display_name=display_name, locale=locale)


def add_membership(user: User, organisation: Organisation, role: Role | str) -> Membership:
    role = Role(role)
    existing = db.session.scalar(
        sa.select(Membership).filter_by(user_id=user.id, organisation_id=organisation.id, role=role)
    )
    if existing is not None:
        return existing
    if role not in ROLES_BY_KIND[organisation.kind] and role is not Role.LEARNER:
        raise Invalid(
            f"The role {role.value} does not exist in a {organisation.kind.value} organisation.",
            code="role_not_allowed",
            errors={"role": ["Not available for this organisation."]},
        )
    membership = Membership(user=user, organisation=organisation, role=role)
    db.session.add(membership)
    db.session.flush()
    return membership


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    retry_after: float = 0.0


def _delay_for(failures: int) -> float:
    config = current_app.config
    over = failures - config["SIGNIN_FAILURES_BEFORE_DELAY"] + 1
    if over <= 0:
        return 0.0
    return min(config["SIGNIN_MAX_DELAY"], config["SIGNIN_DELAY_STEP"] * 2 ** (over - 1))


def authenticate(email: str, password: str) -> SignInResult:
    """Check a password; after repeated failures, refuse attempts until a delay has passed.

    The delay is enforced by refusing early (not by sleeping), so a slow attacker
    cannot tie up web workers. Every failure is logged with the running count.
    """
    user = db.session.scalar(sa.select(User).filter_by(email=normalise_email(email)))
    if user is None or user.password_hash is None:
        # Same cost as a real check, so timing does not reveal which emails exist.
        check_password_hash(_dummy_hash(), password)
        log.warning("sign-in failed for unknown account", extra={"email": email[:254]})
        return SignInResult(None)
    now = utcnow()
    if user.failed_signin_count and user.last_failed_signin_at is not None:
        wait = _delay_for(user.failed_signin_count)
        ready_at = user.last_failed_signin_at + timedelta(seconds=wait)
        if now < ready_at:
            log.warning(
                "sign-in throttled",
                extra={"user_id": user.id, "failures": user.failed_signin_count},
            )
            return SignInResult(None, retry_after=(ready_at - now).total_seconds())
    if not user.is_enabled or not check_password_hash(user.password_hash, password):
        user.failed_signin_count += 1
        user.last_failed_signin_at = now
        db.session.flush()
        log.warning(
            "sign-in failed", extra={"user_id": user.id, "failures": user.failed_signin_count}
        )
        return SignInResult(None, retry_after=_delay_for(user.failed_signin_count))
    user.failed_signin_count = 0
    user.last_failed_signin_at = None
    user.last_signin_at = now
    db.session.flush()
    return SignInResult(user)


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY:
        _DUMMY[method] = generate_password_hash(secrets.token_hex(8), method=method)
    return _DUMMY[method]


# -- password reset ---------------------------------------------------------------------------


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    # Ties a token to the current password: once it changes, older links stop working.
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def request_password_reset(email: str, *, reset_url_for) -> None:
    """Mail a signed, expiring reset link if the account exists; say nothing either way."""
    user = db.session.scalar(sa.select(User).filter_by(email=normalise_email(email)))
    if user is None or not user.is_enabled:
        log.info("password reset asked for an unknown account")
        return
    token = _reset_serializer().dumps({"user": user.id, "fp": _password_fingerprint(user)})
    send_mail(
        user.email,
        "Reset your Pathways password",
        f"Open this link within an hour to choose a new password:\n\n{reset_url_for(token)}\n",
    )


def user_for_reset_token(token: str) -> User:
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise Invalid("This reset link has expired.", code="token_expired") from error
    except BadSignature as error:
        raise Invalid("This reset link is not valid.", code="token_invalid") from error
    user = db.session.get(User, data.get("user"))
    if user is None or data.get("fp") != _password_fingerprint(user):
        raise Invalid("This reset link has already been used.", code="token_used")
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    set_password(user, new_password)
    return user


def set_password(user: User, new_password: str) -> None:
    _check_password_strength(new_password)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_signin_count = 0
    user.last_failed_signin_at = None
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise Invalid(f"unsupported language {locale!r}", code="unsupported_language")
    user.locale = locale
    db.session.flush()


# -- organisations, invitations ---------------------------------------------------------------


def can_administer(actor: User, organisation: Organisation) -> bool:
    return actor.has_role(Role.PLATFORM_ADMIN) or actor.has_role(
        Role.COLLEGE_ADMIN, organisation_id=organisation.id
    )


def _require_admin(actor: User, organisation: Organisation) -> None:
    if not can_administer(actor, organisation):
        raise Forbidden(
            f"You do not administer {organisation.name}.", code="not_organisation_admin"
        )


def _invitation_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invitation")


INVITATION_MAX_AGE = 14 * 24 * 3600


def invite_member(
    organisation: Organisation, email: str, role: Role | str, *, actor: User, accept_url_for
) -> Invitation:
    """Invite an email address to a role in an organisation; the link is signed and expires."""
    _require_admin(actor, organisation)
    role = Role(role)
    if role is Role.PLATFORM_ADMIN and not actor.has_role(Role.PLATFORM_ADMIN):
        raise Forbidden("Only platform admins grant platform administration.")
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise Invalid(
            f"The role {role.value} does not exist in a {organisation.kind.value} organisation.",
            code="role_not_allowed",
            errors={"role": ["Not available for this organisation."]},
        )
    invitation = Invitation(
        organisation=organisation, email=normalise_email(email), role=role, invited_by=actor
    )
    db.session.add(invitation)
    db.session.flush()
    token = _invitation_serializer().dumps({"invitation": invitation.id})
    send_mail(
        invitation.email,
        f"You are invited to {organisation.name} on Pathways",
        f"{actor.display_name} invites you to join {organisation.name} as {role.value}.\n\n"
        f"Accept within 14 days: {accept_url_for(token)}\n",
    )
    return invitation


def invitation_for_token(token: str) -> Invitation:
    try:
        data = _invitation_serializer().loads(token, max_age=INVITATION_MAX_AGE)
    except SignatureExpired as error:
        raise Invalid("This invitation has expired.", code="token_expired") from error
    except BadSignature as error:
        raise Invalid("This invitation link is not valid.", code="token_invalid") from error
    invitation = db.session.get(Invitation, data.get("invitation"))
    if invitation is None:
        raise Invalid("This invitation no longer exists.", code="token_invalid")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been accepted.", code="invitation_used")
    return invitation


def accept_invitation(
    token: str, *, user: User | None, password: str | None = None, display_name: str = ""
) -> User:
    """Accept as the signed-in user (same email), or create the invited account."""
    invitation = invitation_for_token(token)
    if user is None:
        existing = db.session.scalar(sa.select(User).filter_by(email=invitation.email))
        if existing is not None:
            raise Conflict(
                "An account with this email exists: sign in first, then open the link again.",
                code="sign_in_first",
            )
        if not password:
            raise Invalid("Choose a password.", errors={"password": ["Required."]})
        user = create_user(invitation.email, password, display_name=display_name)
    elif user.email != invitation.email:
        raise Forbidden("This invitation was sent to another email address.")
    add_membership(user, invitation.organisation, invitation.role)
    invitation.accepted_at = utcnow()
    db.session.flush()
    return user


def remove_membership(membership_id: int, *, actor: User) -> None:
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        raise NotFound("no such membership")
    _require_admin(actor, membership.organisation)
    if membership.user_id == actor.id and membership.role in ADMIN_ROLES:
        raise Conflict("You cannot remove your own admin role.", code="self_demotion")
    db.session.delete(membership)
    db.session.flush()


# -- API clients --------------------------------------------------------------------------------


def hash_secret(secret: str) -> str:
    """SHA-256 of a 256-bit random secret.

    A slow hash protects low-entropy passwords; these secrets are random, so a fast
    hash is as safe and keeps each authenticated xAPI request cheap.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewApiClient:
    client: ApiClient
    secret: str  # shown once, never stored

    @property
    def bearer_token(self) -> str:
        return f"{self.client.key_id}.{self.secret}"


def create_api_client(
    organisation: Organisation, name: str, scopes: list[str], *, actor: User | None
) -> NewApiClient:
    """Create a client; `actor` None is the command line (trusted operator)."""
    if actor is not None:
        _require_admin(actor, organisation)
    unknown = sorted(set(scopes) - {s.value for s in Scope})
    if unknown:
        raise Invalid(
            f"Unknown scope(s): {', '.join(unknown)}.",
            code="unknown_scope",
            errors={"scopes": [f"Unknown: {s}" for s in unknown]},
        )
    if not scopes:
        raise Invalid("Choose at least one scope.", errors={"scopes": ["Required."]})
    if Scope.XAPI_READ_ALL in scopes and organisation.kind is not OrganisationKind.PLATFORM:
        raise Invalid(
            "Only a client of the platform's organisation may read every organisation's "
            "statements (xapi:read:all).",
            code="platform_scope",
            errors={"scopes": ["xapi:read:all is for the platform's organisation only."]},
        )
    if not name.strip():
        raise Invalid("Name the client.", errors={"name": ["Required."]})
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        organisation=organisation,
        name=name.strip(),
        key_id=KEY_ID_PREFIX + secrets.token_hex(10),
        secret_hash=hash_secret(secret),
        scopes=sorted(set(scopes)),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(client)
    db.session.flush()
    return NewApiClient(client, secret)


def revoke_api_client(client_id: int, *, actor: User | None) -> ApiClient:
    client = db.session.get(ApiClient, client_id)
    if client is None:
        raise NotFound("no such API client")
    if actor is not None:
        _require_admin(actor, client.organisation)
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        db.session.flush()
    return client


# Built once: every authenticated API request (each xAPI batch) runs it.
_CLIENT_BY_KEY = sa.select(ApiClient).where(ApiClient.key_id == sa.bindparam("key_id"))


def authenticate_api_client(key_id: str, secret: str) -> ApiClient | None:
    """The live client these credentials name, or None.

    One indexed read per request, never cached: a revocation or a new secret counts
    from the next request in every worker. The secret is checked by its SHA-256.
    """
    client = db.session.scalar(_CLIENT_BY_KEY, {"key_id": key_id})
    if client is None or client.revoked_at is not None:
        return None
    if not hmac.compare_digest(client.secret_hash, hash_secret(secret)):
        return None
    return client


# -- external identities --------------------------------------------------------------------


def normalise_issuer(issuer: str) -> str:
    # LMSs write their home page with and without a trailing slash; treat both as one.
    return issuer.strip().rstrip("/")


def find_user_by_identity(provider: str, issuer: str, subject: str) -> User | None:
    from pathways.accounts.models import ExternalIdentity  # noqa: PLC0415 -- same package

    identity = db.session.scalar(
        sa.select(ExternalIdentity).filter_by(
            provider=provider, issuer=normalise_issuer(issuer), subject=subject
        )
    )
    return identity.user if identity is not None else None


def link_identity(user: User, provider: str, issuer: str, subject: str):
    """Link an external identity to a user (idempotent); announces `identity_linked`.

    :raises Conflict: the identity already belongs to another user.
    """
    from pathways.accounts.models import ExternalIdentity  # noqa: PLC0415 -- same package
    from pathways.accounts.signals import identity_linked  # noqa: PLC0415

    issuer = normalise_issuer(issuer)
    identity = db.session.scalar(
        sa.select(ExternalIdentity).filter_by(provider=provider, issuer=issuer, subject=subject)
    )
    if identity is not None:
        if identity.user_id != user.id:
            raise Conflict("That identity belongs to another account.", code="identity_taken")
        return identity
    identity = ExternalIdentity(user=user, provider=provider, issuer=issuer, subject=subject)
    db.session.add(identity)
    db.session.flush()
    identity_linked.send(user, identity=identity)
    return identity
