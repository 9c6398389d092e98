"""/college/credentials: the issuer's register, one credential's page, suspend, reinstate and
revoke (with its confirmation) through the portal; refusals; both languages."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest

from pathways.accounts.enums import Role
from pathways.db import utcnow
from pathways.records.models.certifications import CertificationStatus
from tests.credentials.issued_factories import certify
from tests.credentials.issued_factories import credential_of_award
from tests.credentials.issued_factories import credentials_of_certification
from tests.credentials.issued_factories import issued_world
from tests.credentials.issued_factories import reload
from tests.credentials.issued_factories import served_bit
from tests.factories import make_user
from tests.stacking.pathway_factories import award

pytestmark = pytest.mark.integration


def page(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.get_data(as_text=True))


def texts(response, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in page(response).xpath(xpath)]


def flashes(response) -> list[str]:
    return texts(response, "//div[@class='flashes']/p")


def admin_of(organisation):
    return make_user(Role.COLLEGE_ADMIN, organisation=organisation, name="Ada Admin")


def detail_url(row) -> str:
    return f"/college/credentials/{row.uuid}"


# -- the register -----------------------------------------------------------------------------


def test_the_register_lists_what_the_admins_organisation_issued(client, tmp_path):
    issued = issued_world()
    cnc, certification = certify(issued, tmp_path)  # the standards body signs its record
    safe_row, cnc_row = credential_of_award(issued.safe), credential_of_award(cnc)
    client.sign_in(admin_of(issued.college).email)

    response = client.get("/college/credentials")

    assert response.status_code == 200
    assert texts(response, "//h2[@id='results-heading']") == ["2 credentials found"]
    links = page(response).xpath("//table//td[1]/a/@href")
    assert links == [detail_url(cnc_row), detail_url(safe_row)]  # newest first
    assert texts(response, "//table//td[6]") == ["Active", "Active"]
    # The standards body's admin sees its record and badge, not the college's badges.
    client.sign_in(admin_of(issued.body).email)
    response = client.get("/college/credentials")
    newest_first = list(reversed(credentials_of_certification(certification)))
    assert page(response).xpath("//table//td[1]/a/@href") == [
        detail_url(row) for row in newest_first
    ]
    labels = {
        "certification": "Occupational certification badge",
        "record": "Certification record (CLR)",
    }
    assert texts(response, "//table//td[3]") == [labels[row.kind.value] for row in newest_first]
    assert sorted(texts(response, "//table//td[3]")) == sorted(labels.values())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "{local}"}, ["safe"]),
        ({"q": "BO@EXAMPLE"}, ["cnc"]),
        ({"q": "nobody"}, []),
        ({"q": "{uuid}"}, ["safe"]),
        ({"q": "urn:uuid:{uuid}"}, ["safe"]),
        ({"status": "suspended"}, ["safe"]),
        ({"status": "active"}, ["cnc"]),
        ({"status": "revoked"}, []),
    ],
)
def test_the_register_searches_by_email_or_id_and_filters_by_status(client, query, expected):
    issued = issued_world()
    with_email = make_user(Role.LEARNER, organisation=issued.college, email="bo@example.com")
    cnc = award(with_email, issued.world.versions["T-CNC"])
    rows = {"safe": credential_of_award(issued.safe), "cnc": credential_of_award(cnc)}
    client.sign_in(admin_of(issued.college).email)
    suspended = client.submit(
        f"{detail_url(rows['safe'])}/suspend",
        {"reason": "checking"},
        token_from=detail_url(rows["safe"]),
    )
    assert suspended.status_code == 302
    local = issued.learner.email.split("@")[0]
    params = {k: v.format(uuid=rows["safe"].uuid, local=local) for k, v in query.items()}
    response = client.get("/college/credentials", query_string=params)
    assert response.status_code == 200
    assert page(response).xpath("//table//td[1]/a/@href") == [
        detail_url(rows[name]) for name in expected
    ]
    found = f"{len(expected)} credential{'' if len(expected) == 1 else 's'} found"
    assert texts(response, "//h2[@id='results-heading']") == [found]


def test_the_register_tells_expired_from_revoked(client):
    issued = issued_world()
    lapsed = award(
        issued.learner,
        issued.world.versions["T-CNC"],
        issued_at=utcnow() - dt.timedelta(days=400),
        expires_at=utcnow() - dt.timedelta(days=1),
    )
    client.sign_in(admin_of(issued.college).email)
    expired = client.get("/college/credentials?status=expired")
    assert page(expired).xpath("//table//td[1]/a/@href") == [
        detail_url(credential_of_award(lapsed))
    ]
    assert texts(expired, "//table//td[6]") == ["Expired"]
    assert page(client.get("/college/credentials?status=revoked")).xpath("//table//tr/td") == []


def test_the_register_pages_through_results(client):
    issued = issued_world()
    for _ in range(26):
        award(issued.learner, issued.world.versions["T-CNC"])
    client.sign_in(admin_of(issued.college).email)
    first = client.get("/college/credentials?status=active")
    assert len(page(first).xpath("//table/tbody/tr")) == 25
    assert texts(first, "//nav[@class='pager']//li") == ["Page 1 of 2", "Next page"]
    second = client.get("/college/credentials?status=active&page=2")
    assert len(page(second).xpath("//table/tbody/tr")) == 2
    assert texts(second, "//nav[@class='pager']//li") == ["Previous page", "Page 2 of 2"]


def test_an_unknown_status_is_a_readable_400(client):
    issued = issued_world()
    client.sign_in(admin_of(issued.college).email)
    response = client.get("/college/credentials?status=gone")
    assert response.status_code == 400
    assert texts(response, "//ul[@class='errors']/li") == ["Not a valid choice."]


def test_the_register_and_page_are_linked_from_the_nav_and_dashboard(client):
    issued = issued_world()
    client.sign_in(admin_of(issued.college).email)
    dashboard = client.get("/dashboard")
    assert "/college/credentials" in page(dashboard).xpath("//nav//a/@href")
    assert f"/college/credentials?org={issued.college.code}" in page(dashboard).xpath(
        "//section[@class='card']//a/@href"
    )


@pytest.mark.parametrize("role", [Role.LEARNER, Role.COLLEGE_EDITOR, Role.ASSESSOR])
def test_other_roles_are_refused(client, role):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(make_user(role, organisation=issued.college).email)
    assert client.get("/college/credentials").status_code == 403
    assert client.get(detail_url(row)).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    issued = issued_world()
    response = client.get(detail_url(credential_of_award(issued.safe)))
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_an_admin_of_another_organisation_finds_nothing(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(make_user(Role.COLLEGE_ADMIN).email)
    assert client.get(detail_url(row)).status_code == 404
    assert client.get(f"{detail_url(row)}/revoke").status_code == 404
    assert client.get("/college/credentials/not-a-uuid").status_code == 404
    token = client.csrf_token("/dashboard")
    response = client.post(
        f"{detail_url(row)}/suspend", data={"csrf_token": token, "reason": "mine now"}
    )
    assert response.status_code == 404
    assert reload(row).suspended_at is None


# -- one credential ---------------------------------------------------------------------------


def test_the_page_shows_status_dates_history_and_the_download(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(admin_of(issued.college).email)
    response = client.get(detail_url(row))
    assert response.status_code == 200
    assert texts(response, "//p[@class='eyebrow']") == ["Micro-credential badge · Active"]
    assert texts(response, "//table/tbody/tr/td[3]") == ["Issued"]
    actions = page(response).xpath("//form/@action")
    assert f"{detail_url(row)}/suspend" in actions
    assert f"{detail_url(row)}/reinstate" not in actions
    download = client.get(f"{detail_url(row)}/download")
    assert download.get_data(as_text=True) == row.document
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="micro_credential-{row.uuid}.json"'
    )


def test_suspend_then_reinstate_through_the_page(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    admin = admin_of(issued.college)
    client.sign_in(admin.email)

    response = client.submit(
        f"{detail_url(row)}/suspend",
        {"reason": "complaint under review"},
        token_from=detail_url(row),
        follow_redirects=True,
    )
    assert flashes(response) == [
        "The credential is suspended: verifiers see it as suspended until it is reinstated."
    ]
    assert texts(response, "//p[@class='eyebrow']") == ["Micro-credential badge · Suspended"]
    assert served_bit(client, row, "suspension") is True
    actions = page(response).xpath("//form/@action")
    assert f"{detail_url(row)}/reinstate" in actions
    assert f"{detail_url(row)}/suspend" not in actions

    response = client.submit(
        f"{detail_url(row)}/reinstate",
        {"reason": "complaint dismissed"},
        token_from=detail_url(row),
        follow_redirects=True,
    )
    assert flashes(response) == ["The credential is reinstated: verifiers see it as valid again."]
    assert served_bit(client, row, "suspension") is False
    history = [
        [" ".join(td.text_content().split()) for td in tr.xpath("td")[1:]]
        for tr in page(response).xpath("//table/tbody/tr")
    ]
    assert history == [
        ["System", "Issued", ""],
        ["Ada Admin", "Suspended", "complaint under review"],
        ["Ada Admin", "Reinstated", "complaint dismissed"],
    ]


def test_a_reason_is_required_and_the_error_is_on_the_field(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(admin_of(issued.college).email)
    response = client.submit(
        f"{detail_url(row)}/suspend", {"reason": "   "}, token_from=detail_url(row)
    )
    assert response.status_code == 400
    assert texts(response, "//ul[@class='errors']/li") == ["Give a reason."]
    assert page(response).xpath("//textarea[@aria-invalid='true']/@name") == ["reason"]
    assert reload(row).suspended_at is None


def test_a_post_without_the_csrf_token_is_refused(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(admin_of(issued.college).email)
    response = client.post(f"{detail_url(row)}/suspend", data={"reason": "no token"})
    assert response.status_code == 400
    assert reload(row).suspended_at is None


def test_a_conflict_is_flashed(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(admin_of(issued.college).email)
    response = client.submit(
        f"{detail_url(row)}/reinstate",
        {"reason": "was never suspended"},
        token_from=detail_url(row),
        follow_redirects=True,
    )
    assert flashes(response) == ["This credential is not suspended."]


def test_revoking_asks_for_confirmation_then_cascades(client, tmp_path):
    issued = issued_world()
    cnc, certification = certify(issued, tmp_path)
    row = credential_of_award(cnc)
    client.sign_in(admin_of(issued.college).email)

    confirm = client.get(f"{detail_url(row)}/revoke")
    assert confirm.status_code == 200
    consequences = texts(confirm, "//section[@class='callout']/ul/li")
    assert consequences[0].startswith("The revocation is published in the issuer's status list")
    assert consequences[1].startswith("The learner's award is revoked.")

    unconfirmed = client.submit(
        f"{detail_url(row)}/revoke", {"reason": "plagiarism"}, token_from=detail_url(row)
    )
    assert unconfirmed.status_code == 400
    assert texts(unconfirmed, "//ul[@class='errors']/li") == ["Confirm that you mean to revoke it."]
    assert reload(row).revoked_at is None

    done = client.submit(
        f"{detail_url(row)}/revoke",
        {"reason": "plagiarism", "confirm": "y"},
        token_from=detail_url(row),
        follow_redirects=True,
    )
    assert flashes(done) == [
        "The credential is revoked.",
        "2 other credentials that relied on it were revoked too.",
    ]
    assert texts(done, "//p[@class='eyebrow']") == ["Micro-credential badge · Revoked"]
    assert page(done).xpath("//form[contains(@action, '/college/credentials/')]") == []
    assert served_bit(client, row, "revocation") is True
    assert reload(cnc).revoked_at is not None
    assert reload(certification).status is CertificationStatus.REVOKED
    for stacked in credentials_of_certification(certification):
        assert served_bit(client, stacked, "revocation") is True
    assert reload(credential_of_award(issued.safe)).revoked_at is None
    again = client.get(f"{detail_url(row)}/revoke")
    assert texts(again, "//main//p[not(@class)]") == ["This credential is already revoked."]


def test_the_pages_speak_french(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(admin_of(issued.college).email)
    client.submit("/language", {"locale": "fr", "next": "/dashboard"}, token_from="/dashboard")
    register = client.get("/college/credentials")
    assert texts(register, "//h1") == ["Titres délivrés"]
    assert texts(register, "//table//td[6]") == ["Actif"]
    detail = client.get(detail_url(row))
    assert texts(detail, "//p[@class='eyebrow']") == ["Badge de microtitre · Actif"]
    response = client.submit(
        f"{detail_url(row)}/suspend", {"reason": ""}, token_from=detail_url(row)
    )
    assert texts(response, "//ul[@class='errors']/li") == ["Donnez une raison."]
