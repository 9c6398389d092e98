"""The learner's credentials: the list, one credential, downloads, the public page and its
switch, content negotiation, who may not; both languages."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import lxml.html
import png
import pytest
import sqlalchemy as sa
from lxml import etree

from pathways.accounts.enums import Role
from pathways.credentials import services
from pathways.credentials import wallet
from pathways.credentials.enums import CredentialKind
from pathways.credentials.models import PublicLink
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from tests.credentials.issued_factories import certify
from tests.credentials.issued_factories import credential_of_award
from tests.credentials.issued_factories import credentials_of_certification
from tests.credentials.issued_factories import issued_world
from tests.factories import make_user
from tests.stacking.pathway_factories import award

pytestmark = pytest.mark.integration

OB = "https://purl.imsglobal.org/ob/v3p0"


def page(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.get_data(as_text=True))


def texts(response, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in page(response).xpath(xpath)]


def stacks_into(version, codes) -> None:
    with transaction():
        db.session.merge(version).stacks_into = codes


def turn(client, row, state: str):
    url = f"/my/credentials/{row.uuid}"
    return client.submit(f"{url}/public-link", {"public": state}, token_from=url)


def record_and_badge(certification):
    rows = {row.kind: row for row in credentials_of_certification(certification)}
    return rows[CredentialKind.RECORD], rows[CredentialKind.CERTIFICATION]


def live_slug(row) -> str | None:
    link = wallet.live_links([row.id]).get(row.id)
    return link.slug if link else None


# -- my credentials -------------------------------------------------------------------------


def test_my_credentials_puts_the_record_first_then_each_pathway(client, tmp_path):
    issued = issued_world()
    stacks_into(issued.world.versions["T-SAFE"], ["T-MO"])
    cnc, certification = certify(issued, tmp_path)
    record, badge = record_and_badge(certification)
    safe, cnc_row = credential_of_award(issued.safe), credential_of_award(cnc)
    client.sign_in(issued.learner.email)

    response = client.get("/my/credentials")

    assert response.status_code == 200
    assert texts(response, "//main//h2") == [
        "Occupational records",
        "Pathway: Title of T-MO",
        "Other credentials",
    ]
    sections = page(response).xpath("//main//section")
    hrefs = [s.xpath(".//h3/a/@href") for s in sections]
    assert hrefs == [
        [f"/my/credentials/{record.uuid}"],
        [f"/my/credentials/{badge.uuid}", f"/my/credentials/{safe.uuid}"],
        [f"/my/credentials/{cnc_row.uuid}"],  # T-CNC says nothing of what it stacks into
    ]
    assert texts(response, "//main//section[2]//h3") == ["Title of T-MO", "T-SAFE course"]
    assert texts(response, "//main//section[1]//h3") == ["Occupational record: Title of T-MO"]
    assert texts(response, "//main//section[2]//li[2]//span[contains(@class,'state')]") == [
        "Active"
    ]
    cards = texts(response, "//main//section[2]//li[2]//dd")
    assert cards[0] == issued.college.name


def test_each_status_reads_live(client, tmp_path):
    issued = issued_world()
    old = award(
        issued.learner,
        issued.world.versions["T-CNC"],
        issued_at=utcnow() - dt.timedelta(days=400),
        expires_at=utcnow() - dt.timedelta(days=35),
    )
    safe = credential_of_award(issued.safe)
    client.sign_in(issued.learner.email)

    def status_of(row) -> list[str]:
        response = client.get(f"/my/credentials/{row.uuid}")
        return texts(response, "//p[@id='credential-status']")

    assert status_of(credential_of_award(old))[0].startswith("Expired Expired on ")
    assert status_of(safe) == ["Active Valid: verifiers see it as current."]
    with transaction():
        services.suspend(safe, reason="complaint", actor=None)
    assert status_of(safe)[0].startswith(f"Suspended Suspended by {issued.college.name} on ")
    with transaction():
        services.revoke(safe, reason="fraud", actor=None)
    assert status_of(safe)[0].startswith(f"Revoked Revoked by {issued.college.name} on ")
    assert "fraud" not in client.get(f"/my/credentials/{safe.uuid}").get_data(as_text=True)


def test_an_empty_wallet_says_how_to_fill_it(client):
    learner = make_user(Role.LEARNER)
    client.sign_in(learner.email)
    response = client.get("/my/credentials")
    assert texts(response, "//p[@id='no-credentials']") == [
        "You have no credentials yet. When you complete a micro-credential, its signed "
        "credential appears here."
    ]


@pytest.mark.parametrize("n", [1, 3])
def test_the_list_costs_the_same_queries_for_1_and_3_credentials(client, count_queries, n):
    issued = issued_world()
    for _ in range(n - 1):
        award(issued.learner, issued.world.versions["T-CNC"])
    client.sign_in(issued.learner.email)
    client.get("/my/credentials")
    with count_queries() as queries:
        response = client.get("/my/credentials")
    assert response.status_code == 200
    assert len(page(response).xpath("//main//h3")) == n
    assert len(queries) == 7


# -- one credential, downloads --------------------------------------------------------------


def test_the_credential_downloads_as_its_exact_json(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(issued.learner.email)

    response = client.get(f"/my/credentials/{row.uuid}/credential.json")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/ld+json; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="T-SAFE-{row.uuid}.json"'
    )
    assert response.get_data(as_text=True) == row.document


def test_the_baked_png_carries_the_issued_credential(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(issued.learner.email)

    response = client.get(f"/my/credentials/{row.uuid}/badge.png")

    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="T-SAFE-{row.uuid}.png"'
    )
    chunks = [d for kind, d in png.Reader(bytes=response.data).chunks() if kind == b"iTXt"]
    assert len(chunks) == 1
    keyword, rest = chunks[0].split(b"\x00", 1)
    assert (keyword, rest[:2]) == (b"openbadgecredential", b"\x00\x00")  # not compressed
    assert rest[2:4] == b"\x00\x00"  # no language tag, no translated keyword
    assert json.loads(rest[4:]) == json.loads(row.document)
    assert rest[4:].decode("utf-8") == row.document


def test_the_baked_svg_carries_the_issued_credential(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(issued.learner.email)

    response = client.get(f"/my/credentials/{row.uuid}/badge.svg")

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    root = etree.fromstring(response.data)
    assert root[0].tag == f"{{{OB}}}credential"
    assert root[0].text == row.document
    assert root.findtext("{http://www.w3.org/2000/svg}title") == (
        f"Badge: micro-credential T-SAFE, T-SAFE course, issued by {issued.college.name}"
    )


def test_the_record_downloads_from_the_certification_page(client, tmp_path):
    issued = issued_world()
    _cnc, certification = certify(issued, tmp_path)
    record, badge = record_and_badge(certification)
    client.sign_in(issued.learner.email)

    response = client.get(f"/my/credentials/{badge.uuid}")
    assert page(response).xpath("//a[@id='download-clr']/@href") == [
        f"/my/credentials/{record.uuid}/credential.json"
    ]
    clr = client.get(f"/my/credentials/{record.uuid}/credential.json")
    assert clr.get_data(as_text=True) == record.document
    assert json.loads(clr.data)["type"] == ["VerifiableCredential", "ClrCredential"]
    # A record is no badge: no image to bake it into.
    assert client.get(f"/my/credentials/{record.uuid}/badge.png").status_code == 404
    assert client.get(f"/my/credentials/{record.uuid}/badge.svg").status_code == 404
    certification_png = client.get(f"/my/credentials/{badge.uuid}/badge.png")
    assert certification_png.status_code == 200


ROUTES = [
    "/my/credentials/{uuid}",
    "/my/credentials/{uuid}/credential.json",
    "/my/credentials/{uuid}/badge.png",
    "/my/credentials/{uuid}/badge.svg",
]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("who", ["other learner", "issuer admin", "platform admin"])
def test_no_one_else_sees_a_learners_credential(client, route, who):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    other = {
        "other learner": lambda: make_user(Role.LEARNER, organisation=issued.college),
        "issuer admin": lambda: make_user(Role.COLLEGE_ADMIN, organisation=issued.college),
        "platform admin": lambda: make_user(Role.PLATFORM_ADMIN),
    }[who]()
    client.sign_in(other.email)
    assert client.get(route.format(uuid=row.uuid)).status_code == 404


@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_is_sent_to_sign_in(client, route):
    row = credential_of_award(issued_world().safe)
    response = client.get(route.format(uuid=row.uuid))
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/sign-in"


@pytest.mark.parametrize("value", ["nope", "urn:uuid:0", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_credential_is_404(client, value):
    client.sign_in(make_user(Role.LEARNER).email)
    assert client.get(f"/my/credentials/{value}").status_code == 404


# -- the public page ------------------------------------------------------------------------


def test_the_public_page_is_off_until_the_learner_turns_it_on(client, app):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(issued.learner.email)
    assert live_slug(row) is None
    assert texts(client.get(f"/my/credentials/{row.uuid}"), "//p[@id='public-state']") == [
        "The public page is off. Turn it on to get a link and a QR code to share. You can "
        "turn it off at any time: the link stops working at once, and turning the page on "
        "again makes a new link."
    ]

    response = turn(client, row, "on")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/my/credentials/{row.uuid}#share")
    slug = live_slug(row)
    assert len(slug) == 32
    shown = client.get(f"/my/credentials/{row.uuid}")
    assert page(shown).xpath("//a[@id='public-link']/@href") == [
        f"http://localhost/credentials/{slug}"
    ]
    [qr] = page(shown).xpath("//figure[@class='qr-figure']/svg")
    assert qr.get("role") == "img"
    assert qr.get("aria-label") == "QR code of the public page of this credential"

    anonymous = app.test_client()
    public = anonymous.get(f"/credentials/{slug}")
    assert public.status_code == 200
    assert texts(public, "//h2[@id='check-heading']") == ["Verified"]
    assert public.headers["Cache-Control"] == "no-store"


def test_turning_it_off_is_404_at_once_and_on_again_is_a_new_link(client, app):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(issued.learner.email)
    turn(client, row, "on")
    first = live_slug(row)
    turn(client, row, "on")  # on again while on: the same link
    assert live_slug(row) == first
    anonymous = app.test_client()

    turn(client, row, "off")

    assert live_slug(row) is None
    assert anonymous.get(f"/credentials/{first}").status_code == 404
    assert anonymous.get(f"/credentials/{first}/badge.png").status_code == 404
    json_response = anonymous.get(f"/credentials/{first}", headers={"Accept": "application/json"})
    assert json_response.status_code == 404
    turn(client, row, "on")
    second = live_slug(row)
    assert second != first
    assert anonymous.get(f"/credentials/{first}").status_code == 404
    assert anonymous.get(f"/credentials/{second}").status_code == 200
    links = db.session.scalars(sa.select(PublicLink).where(PublicLink.credential_id == row.id))
    assert sorted((link.slug, link.is_live) for link in links) == sorted(
        [(first, False), (second, True)]
    )


def test_only_the_holder_turns_the_page_on(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    other = make_user(Role.LEARNER, organisation=issued.college)
    client.sign_in(other.email)
    response = client.post(
        f"/my/credentials/{row.uuid}/public-link",
        data={"public": "on", "csrf_token": client.csrf_token("/my/credentials")},
    )
    assert response.status_code == 404
    assert live_slug(row) is None


def test_the_switch_needs_a_csrf_token_and_a_known_value(client):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(issued.learner.email)
    url = f"/my/credentials/{row.uuid}/public-link"
    assert client.post(url, data={"public": "on"}).status_code == 400
    assert client.submit(url, {"public": "maybe"}, token_from="/my/credentials").status_code == 400
    assert live_slug(row) is None


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/ld+json", "application/ld+json; charset=utf-8"),
        ("application/json", "application/json; charset=utf-8"),
        ("application/ld+json, text/html;q=0.5", "application/ld+json; charset=utf-8"),
    ],
)
def test_the_public_url_answers_json_to_clients_that_ask(client, app, accept, content_type):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(issued.learner.email)
    turn(client, row, "on")

    response = app.test_client().get(f"/credentials/{live_slug(row)}", headers={"Accept": accept})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.get_data(as_text=True) == row.document
    assert response.headers["Vary"] == "Accept, Accept-Language, Cookie"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "accept",
    ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "*/*", ""],
)
def test_browsers_get_the_page(client, app, accept):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(issued.learner.email)
    turn(client, row, "on")
    headers = {"Accept": accept} if accept else {}
    response = app.test_client().get(f"/credentials/{live_slug(row)}", headers=headers)
    assert response.mimetype == "text/html"


def test_the_public_page_says_what_it_certifies_and_where_it_sits(client, app):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(issued.learner.email)
    turn(client, row, "on")
    slug = live_slug(row)

    response = app.test_client().get(f"/credentials/{slug}")

    assert texts(response, "//h1") == ["T-SAFE course"]
    checks = texts(response, "//ul[@id='checks']/li")
    assert checks[0].startswith(f"Signed by {issued.college.name}: the signature matches")
    assert checks[1:3] == ["Not revoked.", "Not suspended."]
    assert texts(response, "//h3[@class='coverage-sentence']") == [
        "Covers 1 of 2 competency areas of Title of T-MO"
    ]
    assert texts(response, "//table[@class='coverage']//tbody//td") == ["2 of 2", "0 of 2"]
    assert page(response).xpath("//ul[@class='aligned']//a/@href") == [
        "/catalogue?competency=T-MO-1.1",
        "/catalogue?competency=T-MO-1.2",
    ]
    assert "Illustrative test outline" in response.get_data(as_text=True)
    meta = {
        (m.get("property") or m.get("name")): m.get("content")
        for m in page(response).xpath("//head/meta[@content]")
    }
    image = f"http://localhost/credentials/{slug}/badge.png"
    assert meta["og:title"] == "T-SAFE course"
    assert meta["og:url"] == f"http://localhost/credentials/{slug}"
    assert meta["og:image"] == image
    assert meta["og:type"] == "website"
    assert meta["twitter:card"] == "summary"
    assert meta["twitter:image"] == image
    assert meta["og:description"].startswith(
        f"Verified credential issued by {issued.college.name}."
    )
    assert meta["robots"] == "noindex"
    assert issued.learner.email not in response.get_data(as_text=True)
    badge = app.test_client().get(f"/credentials/{slug}/badge.png")
    assert badge.mimetype == "image/png"
    assert [d for k, d in png.Reader(bytes=badge.data).chunks() if k == b"iTXt"][0].endswith(
        row.document.encode()
    )


def test_the_public_page_speaks_french(client, app):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(issued.learner.email)
    turn(client, row, "on")
    response = app.test_client().get(
        f"/credentials/{live_slug(row)}", headers={"Accept-Language": "fr-CA,fr;q=0.9"}
    )
    assert page(response).get("lang") == "fr"
    assert texts(response, "//h1") == ["Cours T-SAFE"]
    assert texts(response, "//h2[@id='check-heading']") == ["Vérifié"]
    assert texts(response, "//h3[@class='coverage-sentence']") == [
        "Couvre 1 des 2 domaines de compétence de Titre de T-MO"
    ]


def test_an_occupation_certification_shows_its_recognition_across_the_border(client, app, tmp_path):
    issued = issued_world()
    _cnc, certification = certify(issued, tmp_path)
    _record, badge = record_and_badge(certification)
    client.sign_in(issued.learner.email)
    turn(client, badge, "on")

    response = app.test_client().get(f"/credentials/{live_slug(badge)}")

    assert texts(response, "//ul[@class='recognition']/li/p[1]") == [
        "Recognised as equivalent to Title of X-CPT (X-CPT) under Test crosswalk.",
        "Related to Title of X-CLT (X-CLT), not equivalent.",
    ]
    assert texts(response, "//h3[@class='coverage-sentence']") == [
        "Covers 2 of 2 competency areas of Title of T-MO"
    ]


def test_a_revoked_credential_reads_revoked_on_its_public_page(client, app):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(issued.learner.email)
    turn(client, row, "on")
    with transaction():
        services.revoke(row, reason="withdrawn", actor=None)
    response = app.test_client().get(f"/credentials/{live_slug(row)}")
    assert texts(response, "//h2[@id='check-heading']") == ["Authentic, but revoked"]
    assert texts(response, "//ul[@id='checks']/li")[1] == "Revoked by the issuer."


def test_a_changed_document_does_not_verify(client, app):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    client.sign_in(issued.learner.email)
    turn(client, row, "on")
    with transaction():
        changed = db.session.merge(row)
        changed.document = changed.document.replace("T-SAFE course", "T-SAFE c0urse", 1)
    response = app.test_client().get(f"/credentials/{live_slug(row)}")
    assert texts(response, "//h2[@id='check-heading']") == ["Not verified"]
    assert texts(response, "//ul[@id='checks']/li")[0].startswith(
        "The signature does not check: the signature does not match"
    )


def test_an_unknown_public_id_is_404(client):
    assert client.get("/credentials/" + "x" * 32).status_code == 404
    assert client.get("/credentials/" + "x" * 80).status_code == 404


# -- sharing helpers ------------------------------------------------------------------------


def test_linkedin_gets_the_documented_add_to_profile_fields(client):
    issued = issued_world()
    expiring = award(
        issued.learner,
        issued.world.versions["T-CNC"],
        expires_at=utcnow() + dt.timedelta(days=400),
    )
    row = credential_of_award(expiring)
    client.sign_in(issued.learner.email)
    turn(client, row, "on")
    response = client.get(f"/my/credentials/{row.uuid}")
    [href] = page(response).xpath("//a[@id='linkedin-link']/@href")
    url = urlsplit(href)
    assert (url.scheme, url.netloc, url.path) == ("https", "www.linkedin.com", "/profile/add")
    assert parse_qs(url.query) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["T-CNC course"],
        "organizationName": [issued.college.name],
        "issueYear": [str(row.valid_from.year)],
        "issueMonth": [str(row.valid_from.month)],
        "expirationYear": [str(row.valid_until.year)],
        "expirationMonth": [str(row.valid_until.month)],
        "certUrl": [f"http://localhost/credentials/{live_slug(row)}"],
        "certId": [row.uuid],
    }


def test_the_wallet_of_another_learner_is_never_mixed_in(client):
    issued = issued_world()
    other = make_user(Role.LEARNER, organisation=issued.college)
    award(other, issued.world.versions["T-SAFE"])
    mine = wallet.wallet(issued.learner.id)
    assert [e.uuid for e in mine.entries] == [credential_of_award(issued.safe).uuid]
    assert [e.kind for e in mine.entries] == [CredentialKind.MICRO_CREDENTIAL]


# -- the dashboard --------------------------------------------------------------------------


def test_the_dashboard_shows_the_latest_credentials_and_each_next_step(client):
    from pathways.stacking import services as stacking_services

    issued = issued_world()
    cnc = award(issued.learner, issued.world.versions["T-CNC"])
    with transaction():
        stacking_services.add_target(db.session.merge(issued.learner), "T-MO")
    client.sign_in(issued.learner.email)

    response = client.get("/dashboard")

    panels = {
        " ".join(section.xpath("string(h2)").split()): [
            " ".join(a.text_content().split()) for a in section.xpath(".//li/a")
        ]
        for section in page(response).xpath("//section[contains(@class,'card')]")
    }
    assert panels["My credentials"] == [
        "T-CNC course — valid",
        "T-SAFE course — valid",
        "All my credentials",
    ]
    assert page(response).xpath(
        "//section[h2='My credentials']//a[starts-with(., 'T-CNC')]/@href"
    ) == [f"/my/credentials/{credential_of_award(cnc).uuid}"]
    assert panels["My pathways"][0].startswith("Title of T-MO")
    # T-SAFE and T-CNC held: only the indicator no course covers is left, for an assessor.
    assert panels["My pathways"][0].endswith("— next step: a workplace assessment")
