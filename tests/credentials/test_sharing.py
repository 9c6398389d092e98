"""Learners share credentials with an employer organisation for a time; only that
organisation's verifiers see them, until the share ends or is withdrawn; views are logged."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.credentials import sharing
from pathways.credentials.models import CredentialShare
from pathways.credentials.models import CredentialShareView
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.errors import Invalid
from pathways.errors import NotFound
from tests.credentials.issued_factories import credential_of_award
from tests.credentials.issued_factories import issued_world
from tests.factories import make_organisation
from tests.factories import make_user
from tests.stacking.pathway_factories import award

pytestmark = pytest.mark.integration

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def scene(database):
    """A learner holding one credential, the employer they apply to (two verifiers), and a
    verifier of another employer."""
    issued = issued_world()
    employer = make_organisation(OrganisationKind.EMPLOYER, name="Acme Works")
    other = make_organisation(OrganisationKind.EMPLOYER, name="Other Plant")
    vera = make_user(Role.EMPLOYER_VERIFIER, organisation=employer, name="Vera Verifier")
    colleague = make_user(Role.EMPLOYER_VERIFIER, organisation=employer, name="Colm Colleague")
    outsider = make_user(Role.EMPLOYER_VERIFIER, organisation=other, name="Otto Outsider")
    return {
        "issued": issued,
        "learner": issued.learner,
        "credential": credential_of_award(issued.safe),
        "employer": employer,
        "other": other,
        "vera": vera,
        "colleague": colleague,
        "outsider": outsider,
    }


def share(scene, *, whole: bool = False, days: int = 30, now=None):
    now = now or utcnow()
    with transaction():
        return sharing.create_share(
            scene["learner"],
            scene["employer"].id,
            expires_at=sharing.share_until(days, None, now=now),
            now=now,
            credential_ids=[] if whole else [scene["credential"].id],
            whole_record=whole,
            message="For the machinist position",
        )


def switch(client, user) -> None:
    client.post("/sign-out", data={"csrf_token": client.csrf_token("/dashboard")})
    client.sign_in(user.email)


# -- the rules --------------------------------------------------------------------------------


def test_share_until_days_or_a_date_within_two_years():
    assert sharing.share_until(30, None, now=NOW) == NOW + dt.timedelta(days=30)
    assert sharing.share_until(None, dt.date(2027, 3, 1), now=NOW) == dt.datetime(
        2027, 3, 1, 23, 59, 59, tzinfo=dt.UTC
    )
    for days, on, code in (
        (None, dt.date(2026, 11, 30), "until_past"),
        (None, dt.date(2029, 1, 1), "until_too_far"),
        (None, None, "until_missing"),
        (0, None, "until_missing"),
    ):
        with pytest.raises(Invalid) as raised:
            sharing.share_until(days, on, now=NOW)
        assert raised.value.code == code


def test_only_employers_and_only_ones_own_credentials(scene):
    stranger = make_user(Role.LEARNER)
    now = utcnow()
    until = now + dt.timedelta(days=5)
    college = scene["issued"].college
    cases = [
        (scene["learner"], college.id, [scene["credential"].id], False, "not_employer"),
        (scene["learner"], scene["employer"].id, [], False, "nothing_chosen"),
        (stranger, scene["employer"].id, [scene["credential"].id], False, "not_yours"),
    ]
    for user, organisation_id, ids, whole, code in cases:
        with pytest.raises(Invalid) as raised, transaction():
            sharing.create_share(
                user,
                organisation_id,
                expires_at=until,
                now=now,
                credential_ids=ids,
                whole_record=whole,
            )
        assert raised.value.code == code
    assert db.session.scalar(sa.select(sa.func.count(CredentialShare.id))) == 0


# -- what the employer sees -------------------------------------------------------------------


def test_the_chosen_employer_sees_it_and_the_learner_sees_who_looked(client, scene):
    created = share(scene)
    credential = scene["credential"]
    client.sign_in(scene["vera"].email)
    dashboard = text_of(client.get("/dashboard"))
    assert "Credentials shared with you" in dashboard
    assert "Ana Learner: 1 credential" in dashboard
    listing = text_of(client.get("/employer/shared"))
    assert "Ana Learner" in listing

    page = client.get(f"/employer/shared/{created.id}")
    assert page.status_code == 200
    assert "For the machinist position" in text_of(page)
    opened = client.get(f"/employer/shared/{created.id}/credentials/{credential.uuid}")
    assert opened.status_code == 200
    body = text_of(opened)
    assert "This credential is genuine and in good standing" in body
    assert "Held by Ana Learner." in body
    download = client.get(f"/employer/shared/{created.id}/credentials/{credential.uuid}/download")
    assert download.get_data(as_text=True) == credential.document

    views = db.session.scalars(
        sa.select(CredentialShareView).order_by(CredentialShareView.id)
    ).all()
    assert [(v.viewer_id, v.credential_id, v.viewer_name) for v in views] == [
        (scene["vera"].id, None, "Vera Verifier"),
        (scene["vera"].id, credential.id, "Vera Verifier"),
    ]

    switch(client, scene["learner"])
    mine = text_of(client.get("/my/shares"))
    assert "Acme Works · Running" in mine
    assert "Vera Verifier of Acme Works" in mine
    assert "The list of what you shared" in mine
    assert credential.name in mine


def test_a_colleague_sees_it_another_employer_does_not(client, scene):
    created = share(scene)
    credential = scene["credential"]
    client.sign_in(scene["colleague"].email)
    assert client.get(f"/employer/shared/{created.id}").status_code == 200
    switch(client, scene["outsider"])
    assert "Ana Learner" not in text_of(client.get("/employer/shared"))
    assert "Ana Learner" not in text_of(client.get("/dashboard"))
    assert client.get(f"/employer/shared/{created.id}").status_code == 404
    url = f"/employer/shared/{created.id}/credentials/{credential.uuid}"
    assert client.get(url).status_code == 404
    assert client.get(url + "/download").status_code == 404
    switch(client, scene["learner"])  # a learner is no employer
    assert client.get(f"/employer/shared/{created.id}").status_code == 403


def test_a_credential_outside_the_share_is_not_found(client, scene):
    created = share(scene)
    later = credential_of_award(award(scene["learner"], scene["issued"].world.versions["T-CNC"]))
    client.sign_in(scene["vera"].email)
    url = f"/employer/shared/{created.id}/credentials/{later.uuid}"
    assert client.get(url).status_code == 404


def test_a_whole_record_includes_what_is_earned_later(client, scene):
    created = share(scene, whole=True)
    later = credential_of_award(award(scene["learner"], scene["issued"].world.versions["T-CNC"]))
    client.sign_in(scene["vera"].email)
    page = text_of(client.get(f"/employer/shared/{created.id}"))
    assert later.name in page and scene["credential"].name in page
    url = f"/employer/shared/{created.id}/credentials/{later.uuid}"
    assert client.get(url).status_code == 200


def test_withdrawn_is_gone_at_once(client, scene):
    created = share(scene)
    client.sign_in(scene["learner"].email)
    response = client.post(
        f"/my/shares/{created.id}/withdraw", data={"csrf_token": client.csrf_token("/my/shares")}
    )
    assert response.status_code == 302
    assert "Acme Works · Withdrawn" in text_of(client.get("/my/shares"))
    switch(client, scene["vera"])
    assert client.get(f"/employer/shared/{created.id}").status_code == 404
    assert "Ana Learner" not in text_of(client.get("/employer/shared"))


def test_expired_is_gone_at_once(client, scene):
    created = share(scene, days=1)
    with transaction():
        db.session.get(CredentialShare, created.id).expires_at = utcnow() - dt.timedelta(seconds=1)
    client.sign_in(scene["vera"].email)
    assert client.get(f"/employer/shared/{created.id}").status_code == 404
    assert "Ana Learner" not in text_of(client.get("/employer/shared"))
    switch(client, scene["learner"])
    assert "Acme Works · Ended" in text_of(client.get("/my/shares"))


def test_nobody_else_withdraws_a_share(client, scene):
    created = share(scene)
    stranger = make_user(Role.LEARNER)
    client.sign_in(stranger.email)
    response = client.post(
        f"/my/shares/{created.id}/withdraw", data={"csrf_token": client.csrf_token("/my/shares")}
    )
    assert response.status_code == 404
    assert db.session.get(CredentialShare, created.id).withdrawn_at is None
    with pytest.raises(NotFound):
        sharing.open_share(created.id, viewer=stranger, now=utcnow())


# -- the learner's form -----------------------------------------------------------------------


def test_the_learner_shares_through_the_form(client, scene):
    client.sign_in(scene["learner"].email)
    page = client.get("/my/shares")
    assert page.status_code == 200
    response = client.submit(
        "/my/shares",
        {
            "organisation": str(scene["employer"].id),
            "scope": "chosen",
            "credentials": [str(scene["credential"].id)],
            "duration": "date",
            "until": (utcnow() + dt.timedelta(days=10)).date().isoformat(),
            "message": "",
        },
    )
    assert response.status_code == 302
    [row] = db.session.scalars(sa.select(CredentialShare)).all()
    assert (row.organisation_id, row.whole_record, [i.credential_id for i in row.items]) == (
        scene["employer"].id,
        False,
        [scene["credential"].id],
    )
    assert row.expires_at.time() == dt.time(23, 59, 59)


def test_the_form_says_what_is_missing(client, scene):
    client.sign_in(scene["learner"].email)
    response = client.submit(
        "/my/shares",
        {"organisation": str(scene["employer"].id), "scope": "chosen", "duration": "90"},
    )
    assert response.status_code == 400
    assert "Choose at least one credential, or share your whole record." in text_of(response)
    response = client.submit(
        "/my/shares",
        {"organisation": str(scene["employer"].id), "scope": "whole", "duration": "date"},
    )
    assert response.status_code == 400
    assert "Choose how long to share." in text_of(response)


@pytest.mark.parametrize("n", [1, 3])
def test_list_pages_read_the_same_number_of_times_for_one_or_three_shares(
    client, scene, count_queries, n
):
    created = [share(scene, whole=i == 0) for i in range(n)]
    client.sign_in(scene["vera"].email)
    for share_row in created:  # each share opened once: views to list
        client.get(f"/employer/shared/{share_row.id}")
    with count_queries() as employer_queries:
        page = client.get("/employer/shared")
    assert text_of(page).count("Ana Learner") == n
    switch(client, scene["learner"])
    with count_queries() as learner_queries:
        page = client.get("/my/shares")
    assert text_of(page).count("Vera Verifier of Acme Works") == n
    assert (len(employer_queries), len(learner_queries)) == EXPECTED_QUERIES


# The user and their memberships, the shares with their people and items (the navigation and
# the page's own reads); for the learner also the form's employers and credentials, the
# views, and the whole record.
EXPECTED_QUERIES = (6, 9)
