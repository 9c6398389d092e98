"""Learners are told: a portal notice and a mail in their language when a credential is
issued, suspended, reinstated or revoked, and once when it is about to expire."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest
import sqlalchemy as sa

from pathways.accounts.enums import Role
from pathways.credentials import notices
from pathways.credentials import services
from pathways.credentials.enums import NoticeKind
from pathways.credentials.jobs import notify_expiring
from pathways.credentials.models import Notice
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.jobs.schedule import JOBS
from pathways.jobs.schedule import resolve
from tests.credentials.issued_factories import certify
from tests.credentials.issued_factories import credential_of_award
from tests.credentials.issued_factories import issued_world
from tests.factories import make_user
from tests.stacking.pathway_factories import award

pytestmark = pytest.mark.integration


def notices_of(user) -> list[tuple[str, str, dict]]:
    rows = db.session.scalars(
        sa.select(Notice).where(Notice.user_id == user.id).order_by(Notice.id)
    ).all()
    return [(n.kind.value, n.text_key, n.params) for n in rows]


def texts(response, xpath: str) -> list[str]:
    root = lxml.html.fromstring(response.get_data(as_text=True))
    return [" ".join(node.text_content().split()) for node in root.xpath(xpath)]


def test_an_issued_credential_is_a_notice_and_a_mail(app, database, outbox):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    college = issued.college.name

    assert notices_of(issued.learner) == [
        ("issued", "credential_issued", {"name": "T-SAFE course", "issuer": college})
    ]
    [mail] = outbox
    assert mail["To"] == issued.learner.email
    assert mail["Subject"] == "Your credential “T-SAFE course” is ready"
    body = mail.get_content()
    assert f"{college} issued you “T-SAFE course”." in body
    assert f"http://localhost/my/credentials/{row.uuid}" in body


def test_suspend_reinstate_and_revoke_are_told(app, database, outbox):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    outbox.clear()
    for change in (services.suspend, services.reinstate, services.revoke):
        with transaction():
            change(row, reason="checked", actor=None)

    assert [kind for kind, _key, _params in notices_of(issued.learner)] == [
        "issued",
        "suspended",
        "reinstated",
        "revoked",
    ]
    assert [m["Subject"] for m in outbox] == [
        "Your credential “T-SAFE course” is suspended",
        "Your credential “T-SAFE course” is valid again",
        "Your credential “T-SAFE course” was revoked",
    ]
    assert all("checked" not in m.get_content() for m in outbox)  # reasons stay private


def test_a_rolled_back_change_tells_nobody(app, database, outbox):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    outbox.clear()
    with pytest.raises(RuntimeError), transaction():
        services.revoke(row, reason="oops", actor=None)
        raise RuntimeError("the batch failed")
    assert outbox == []
    assert [kind for kind, _key, _params in notices_of(issued.learner)] == ["issued"]
    with transaction():
        services.suspend(db.session.merge(row), reason="later", actor=None)
    assert [m["Subject"] for m in outbox] == ["Your credential “T-SAFE course” is suspended"]


def test_a_savepoint_that_rolls_back_drops_only_its_own_mail(app, database, outbox):
    with transaction():
        notices.queue_mail("kept@example.com", "kept", "body")
        with pytest.raises(RuntimeError), db.session.begin_nested():
            notices.queue_mail("dropped@example.com", "dropped", "body")
            raise RuntimeError("a savepoint fails")
        with db.session.begin_nested():
            notices.queue_mail("also-kept@example.com", "also kept", "body")
    assert [m["To"] for m in outbox] == ["kept@example.com", "also-kept@example.com"]


def test_a_certification_is_one_notice_for_its_badge_and_record(app, database, outbox, tmp_path):
    issued = issued_world()
    certify(issued, tmp_path)
    keys = [key for _kind, key, _params in notices_of(issued.learner)]
    assert keys == ["credential_issued", "credential_issued", "certification_issued"]
    assert outbox[-1]["Subject"] == "Your credential “Title of T-MO” is ready"
    assert "your certification badge and your occupational record (CLR) are ready" in (
        outbox[-1].get_content()
    )


def test_mail_speaks_the_learners_language(app, database, outbox):
    issued = issued_world()
    with transaction():
        db.session.merge(issued.learner).locale = "fr"
    outbox.clear()
    row = credential_of_award(issued.safe)
    with transaction():
        services.suspend(row, reason="vérification", actor=None)
    [mail] = outbox
    assert mail["Subject"] == "Votre titre de compétence « Cours T-SAFE » est suspendu"


def test_expiring_credentials_are_told_once(app, database, outbox):
    issued = issued_world()
    now = utcnow()
    soon = award(
        issued.learner, issued.world.versions["T-CNC"], expires_at=now + dt.timedelta(days=20)
    )
    award(issued.learner, issued.world.versions["T-CNC"], expires_at=now + dt.timedelta(days=45))
    gone = award(
        issued.learner, issued.world.versions["T-CNC"], expires_at=now + dt.timedelta(days=10)
    )
    with transaction():
        services.revoke(credential_of_award(gone), reason="withdrawn", actor=None)
    outbox.clear()

    with transaction():
        assert notify_expiring(now=now) == 1
    with transaction():
        assert notify_expiring(now=now + dt.timedelta(days=1)) == 0

    soon_row = credential_of_award(soon)
    expiring = [p for kind, _k, p in notices_of(issued.learner) if kind == "expiring"]
    assert expiring == [
        {
            "name": "T-CNC course",
            "issuer": issued.college.name,
            "until": soon_row.valid_until.date().isoformat(),
        }
    ]
    [mail] = outbox
    assert mail["Subject"].startswith("Your credential “T-CNC course” expires on ")


def test_the_expiry_job_is_scheduled_daily():
    [spec] = [job for job in JOBS if job.id == "credentials.expiry_notices"]
    assert (spec.trigger, spec.trigger_args) == ("cron", {"hour": 3, "minute": 15})
    assert resolve(spec.target) is notify_expiring


def test_the_notices_page_counts_and_marks_read(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    with transaction():
        services.suspend(row, reason="checked", actor=None)
    other = make_user(Role.LEARNER, organisation=issued.college)
    award(other, issued.world.versions["T-SAFE"])
    client.sign_in(issued.learner.email)

    response = client.get("/my/notices")

    assert texts(response, "//a[@class='notices-link']") == ["Notices (2 unread)2"]
    assert texts(response, "//ol[contains(@class,'notices')]/li/p[1]") == [
        f"New {issued.college.name} suspended “T-SAFE course”: verifiers see it as suspended "
        "for now.",
        f"New {issued.college.name} issued you “T-SAFE course”.",
    ]
    first = db.session.scalar(
        sa.select(Notice.id).where(
            Notice.user_id == issued.learner.id, Notice.kind == NoticeKind.ISSUED
        )
    )
    client.submit("/my/notices/read", {"notice": str(first)}, token_from="/my/notices")
    assert notices.unread_count(issued.learner.id) == 1
    # Someone else's notice id changes nothing of theirs.
    theirs = db.session.scalar(sa.select(Notice.id).where(Notice.user_id == other.id))
    client.submit("/my/notices/read", {"notice": str(theirs)}, token_from="/my/notices")
    assert notices.unread_count(other.id) == 1
    response = client.submit("/my/notices/read", {}, token_from="/my/notices")
    assert response.status_code == 302
    assert notices.unread_count(issued.learner.id) == 0
    assert texts(client.get("/my/notices"), "//a[@class='notices-link']") == ["Notices"]
    assert (
        client.submit("/my/notices/read", {"notice": "x1"}, token_from="/my/notices").status_code
        == 400
    )


def test_anonymous_cannot_read_notices(client):
    response = client.get("/my/notices")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
