"""Telling learners what happens to their credentials: a notice in the portal and a mail.

A `CREDENTIAL_HOOKS` entry turns an issue, suspension, reinstatement or revocation into a
`Notice` and a mail in the learner's language; `notify_expiring` (a daily job) does the same
once per credential whose `validUntil` is less than `EXPIRY_NOTICE_DAYS` away. An occupation
certification is one notice (its badge), not two: the record (CLR) issued beside it is named
in the same text.

Mail leaves only once the transaction that made the notice commits: a batch of statements
that fails and rolls back tells nobody anything. Functions flush, never commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from pathways.accounts.models import User
from pathways.credentials import services
from pathways.credentials import wallet
from pathways.credentials.enums import CredentialAction
from pathways.credentials.enums import CredentialKind
from pathways.credentials.enums import NoticeKind
from pathways.credentials.models import IssuedCredential
from pathways.credentials.models import Notice
from pathways.db import db
from pathways.db import utcnow
from pathways.mail import send_mail
from pathways.records.models import Award

log = logging.getLogger(__name__)

EXPIRY_NOTICE_DAYS = 30
# The kinds a learner is told about; a record (CLR) is told with its certification badge.
TOLD_KINDS = (CredentialKind.MICRO_CREDENTIAL, CredentialKind.CERTIFICATION)
ACTION_KINDS = {
    CredentialAction.ISSUED: NoticeKind.ISSUED,
    CredentialAction.SUSPENDED: NoticeKind.SUSPENDED,
    CredentialAction.REINSTATED: NoticeKind.REINSTATED,
    CredentialAction.REVOKED: NoticeKind.REVOKED,
}

# What the portal shows, by text key; parameters: name, issuer, until (a date).
TEXTS = {
    "credential_issued": _l("%(issuer)s issued you “%(name)s”."),
    "certification_issued": _l(
        "%(issuer)s certified you as %(name)s: your certification badge and your "
        "occupational record (CLR) are ready."
    ),
    "credential_expiring": _l("“%(name)s” expires on %(until)s."),
    "credential_suspended": _l(
        "%(issuer)s suspended “%(name)s”: verifiers see it as suspended for now."
    ),
    "credential_reinstated": _l("%(issuer)s reinstated “%(name)s”: it is valid again."),
    "credential_revoked": _l("%(issuer)s revoked “%(name)s”: it is no longer valid."),
}

SUBJECTS = {
    NoticeKind.ISSUED: _l("Your credential “%(name)s” is ready"),
    NoticeKind.EXPIRING: _l("Your credential “%(name)s” expires on %(until)s"),
    NoticeKind.SUSPENDED: _l("Your credential “%(name)s” is suspended"),
    NoticeKind.REINSTATED: _l("Your credential “%(name)s” is valid again"),
    NoticeKind.REVOKED: _l("Your credential “%(name)s” was revoked"),
}

MAIL_BODY = _l(
    "Hello %(person)s,\n\n%(text)s\n\nSee it, download it or share it:\n%(url)s\n\n"
    "Notices about your credentials: %(notices)s\n\n— Pathways"
)


def text_key(kind: NoticeKind, credential_kind: CredentialKind) -> str:
    if kind is NoticeKind.ISSUED and credential_kind is CredentialKind.CERTIFICATION:
        return "certification_issued"
    return f"credential_{kind.value}"


def render(key: str, params: dict) -> str:
    """A notice's text in the current language (dates formatted for it)."""
    values = dict(params)
    if values.get("until"):
        values["until"] = format_date(datetime.fromisoformat(values["until"]), "long")
    template = TEXTS.get(key)
    return str(template) % values if template is not None else key


# -- making notices ---------------------------------------------------------------------------


def _locale(user: User) -> str:
    languages = list(current_app.config["LANGUAGES"])
    return user.locale if user.locale in languages else languages[0]


def notify(row: IssuedCredential, kind: NoticeKind, *, now: datetime | None = None) -> Notice:
    """Record a notice for the credential's learner and mail it once the transaction commits."""
    user = row.user
    locale = _locale(user)
    params = {"name": _title(row, locale), "issuer": row.issuer.name}
    if kind is NoticeKind.EXPIRING and row.valid_until is not None:
        params["until"] = row.valid_until.date().isoformat()
    notice = Notice(
        user_id=user.id,
        kind=kind,
        credential_id=row.id,
        text_key=text_key(kind, row.kind),
        params=params,
        created_at=now or utcnow(),
    )
    db.session.add(notice)
    db.session.flush()
    if user.email:
        base = services.base_url()
        with force_locale(locale):
            shown = dict(params)
            if shown.get("until"):
                shown["until"] = format_date(row.valid_until, "long")
            subject = str(SUBJECTS[kind]) % shown
            body = str(MAIL_BODY) % {
                "person": user.display_name or user.email,
                "text": render(notice.text_key, params),
                "url": f"{base}/my/credentials/{row.uuid}",
                "notices": f"{base}/my/notices",
            }
        queue_mail(user.email, subject, body)
    return notice


def _title(row: IssuedCredential, locale: str) -> str:
    """The credential's name in the learner's language.

    An award's version is usually in the session already (it was just awarded), so the
    common case of issuing costs no query; other kinds go through the wallet's entry.
    """
    if row.award_id is not None:
        award = db.session.get(Award, row.award_id)
        if award is not None:
            return wallet.text_in(award.version.title, locale) or row.name
    return wallet.entries_for([row], locale=locale)[0].title


def on_credential_event(row: IssuedCredential, action: CredentialAction) -> None:
    """`services.CREDENTIAL_HOOKS` entry: tell the learner."""
    kind = ACTION_KINDS.get(action)
    if kind is None or row.user_id is None or row.kind not in TOLD_KINDS:
        return
    notify(row, kind)


def notify_expiring(now: datetime | None = None) -> int:
    """Tell each learner once about each live credential expiring within the notice period.

    Returns how many were told.
    """
    now = now or utcnow()
    already = sa.select(Notice.id).where(
        Notice.credential_id == IssuedCredential.id, Notice.kind == NoticeKind.EXPIRING
    )
    rows = db.session.scalars(
        sa.select(IssuedCredential)
        .where(
            IssuedCredential.user_id.is_not(None),
            IssuedCredential.kind.in_(TOLD_KINDS),
            IssuedCredential.revoked_at.is_(None),
            IssuedCredential.suspended_at.is_(None),
            IssuedCredential.valid_until > now,
            IssuedCredential.valid_until <= now + timedelta(days=EXPIRY_NOTICE_DAYS),
            ~sa.exists(already),
        )
        .order_by(IssuedCredential.id)
    ).all()
    for row in rows:
        notify(row, NoticeKind.EXPIRING, now=now)
    return len(rows)


# -- reading and marking ----------------------------------------------------------------------


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Notice.id)).where(
            Notice.user_id == user_id, Notice.read_at.is_(None)
        )
    )


@dataclass(frozen=True)
class Shown:
    notice: Notice
    text: str
    credential_uuid: str | None


def notices_of(user_id: int, *, limit: int = 100) -> list[Shown]:
    """The learner's notices, newest first, in the current language."""
    notices = db.session.scalars(
        sa.select(Notice)
        .where(Notice.user_id == user_id)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(limit)
    ).all()
    uuids = dict(
        db.session.execute(
            sa.select(IssuedCredential.id, IssuedCredential.uuid).where(
                IssuedCredential.id.in_([n.credential_id for n in notices if n.credential_id])
            )
        ).all()
    )
    return [
        Shown(n, render(n.text_key, n.params or {}), uuids.get(n.credential_id)) for n in notices
    ]


def mark_read(user_id: int, notice_id: int | None = None) -> int:
    """Mark one of the learner's notices (or all of them) read; returns how many changed."""
    query = sa.update(Notice).where(Notice.user_id == user_id, Notice.read_at.is_(None))
    if notice_id is not None:
        query = query.where(Notice.id == notice_id)
    result = db.session.execute(query.values(read_at=utcnow()))
    db.session.flush()
    return result.rowcount or 0


# -- mail after commit ------------------------------------------------------------------------

_PENDING = "pathways_credential_mail"


def queue_mail(to: str, subject: str, body: str) -> None:
    """Send once the session's transaction commits; forget it if what it tells rolls back.

    Each mail remembers the (innermost) transaction it was queued in, so a savepoint that
    rolls back drops its own mails and keeps those of the enclosing transaction.
    """
    session = db.session()
    session.connection()  # begins the transaction if nothing has yet
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((transaction, (to, subject, body)))


def _send_pending(session) -> None:
    for _transaction, (to, subject, body) in session.info.pop(_PENDING, []):
        try:
            send_mail(to, subject, body)
        except Exception:  # a mail server failure must not undo what was committed
            log.exception("credential notice mail to %s failed", to)


def _within(transaction, ended) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


def _drop_rolled_back(session, previous_transaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [
            item for item in pending if not _within(item[0], previous_transaction)
        ]


def _register() -> None:
    if not sa.event.contains(db.session, "after_commit", _send_pending):
        sa.event.listen(db.session, "after_commit", _send_pending)
        sa.event.listen(db.session, "after_soft_rollback", _drop_rolled_back)
    if on_credential_event not in services.CREDENTIAL_HOOKS:
        services.CREDENTIAL_HOOKS.append(on_credential_event)


_register()
