"""The catalog portal pages through the client: every page, every refusal, readable errors."""

from __future__ import annotations

import io
import json
import uuid

import lxml.html
import pytest
import sqlalchemy as sa

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.catalog import services
from pathways.catalog.enums import AssociationStatus
from pathways.catalog.enums import CaseType
from pathways.catalog.enums import ItemKind
from pathways.catalog.enums import Relation
from pathways.catalog.enums import VersionStatus
from pathways.catalog.models import Association
from pathways.catalog.models import Comment
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import Framework
from pathways.catalog.models import MicroCredentialVersion
from pathways.db import db
from pathways.db import transaction
from tests.catalog.factories import Cast
from tests.catalog.factories import text
from tests.factories import make_organisation
from tests.factories import make_user

pytestmark = pytest.mark.integration


@pytest.fixture
def cast(database):
    return Cast()


def page(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.get_data(as_text=True))


def texts(response, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in page(response).xpath(xpath)]


def alerts(response) -> list[str]:
    return texts(response, "//*[@role='alert']/p[1] | //div[@class='flashes']/p")


def reload(version_id: int) -> MicroCredentialVersion:
    db.session.expire_all()
    return db.session.get(MicroCredentialVersion, version_id)


def edit_form(client, version_id: int) -> dict:
    """The editor form as the browser would submit it (every field, current values)."""
    response = client.get(f"/versions/{version_id}/edit")
    assert response.status_code == 200
    form = page(response).xpath("//form[contains(@class, 'editor')]")[0]
    data: dict = {}
    for name, value in form.form_values():
        if name in data:
            data[name] = (
                [*data[name], value] if isinstance(data[name], list) else [data[name], value]
            )
        else:
            data[name] = value
    data.pop("csrf_token", None)
    return data


# --------------------------------------------------------------------------------------------
# Public catalogue


def test_catalogue_lists_published_versions_with_facets(client, cast):
    first = cast.published("MC-CAT-A")
    second = cast.published("MC-CAT-B")
    cast.draft("MC-CAT-DRAFT")
    response = client.get("/catalogue?college=" + cast.college.code)
    assert response.status_code == 200
    assert texts(response, "//h2[@id='results-heading']") == ["2 micro-credentials found"]
    assert texts(response, "//ol[@class='result-list']/li/h3") == [
        "Lockout basics",
        "Lockout basics",
    ]
    links = page(response).xpath("//ol[@class='result-list']/li/h3/a/@href")
    assert links == ["/micro-credentials/MC-CAT-B", "/micro-credentials/MC-CAT-A"]
    options = texts(response, "//select[@id='college']/option")
    assert f"{cast.college.name} (2)" in options
    assert texts(response, "//select[@id='delivery_mode']/option") == [
        "Any delivery mode",
        "Hybrid (2)",
    ]
    assert texts(response, "//select[@id='language']/option") == [
        "Any language",
        "English (2)",
        "French (2)",
    ]
    assert texts(response, "//select[@id='partner']/option[@selected or position()>1]")[-1] == (
        f"{cast.partner.name} (2)"
    )
    assert (first.id, second.id) != (None, None)


def test_catalogue_filters_text_and_effort_and_pages(client, cast, monkeypatch):
    from pathways.catalog import views

    monkeypatch.setattr(views, "PER_PAGE", 1)
    for code in ("MC-PAGE-A", "MC-PAGE-B"):
        cast.published(code)
    response = client.get(f"/catalogue?q=lockout&college={cast.college.code}&effort_max=10")
    assert texts(response, "//h2[@id='results-heading']") == ["2 micro-credentials found"]
    assert texts(response, "//nav[@class='pager']//li") == ["Page 1 of 2", "Next page"]
    second = client.get(f"/catalogue?q=lockout&college={cast.college.code}&effort_max=10&page=2")
    assert page(second).xpath("//ol[@class='result-list']/li/h3/a/@href") == [
        "/micro-credentials/MC-PAGE-A"
    ]
    none = client.get(f"/catalogue?college={cast.college.code}&effort_min=11")
    assert texts(none, "//h2[@id='results-heading']") == ["0 micro-credentials found"]


def test_catalogue_refuses_bad_filters_readably(client, database):
    response = client.get("/catalogue?effort_min=abc")
    assert response.status_code == 400
    assert texts(response, "//ul[@id='effort_min-error']/li") == ["Not a valid integer value."]


def test_catalogue_in_french(client, cast):
    cast.published("MC-FR")
    client.set_cookie("locale", "fr")
    with client.session_transaction() as session:
        session["locale"] = "fr"
    response = client.get(f"/catalogue?college={cast.college.code}")
    assert page(response).xpath("//html/@lang") == ["fr"]
    assert texts(response, "//ol[@class='result-list']/li/h3") == ["Cadenassage de base"]


# --------------------------------------------------------------------------------------------
# The public micro-credential page


def _crosswalk(cast) -> Framework:
    """Make the cast's framework illustrative and relate its occupation to another's."""
    with transaction():
        framework = db.session.get(Framework, cast.framework.id)
        framework.is_illustrative = True
        framework.notice = text("Illustrative outline, not the official standard.")
        other = Framework(
            identifier=f"other-{uuid.uuid4().hex[:6]}",
            uuid=str(uuid.uuid4()),
            title=text("Other standard"),
            version="2",
            languages=["en"],
        )
        db.session.add(other)
        db.session.flush()
        certification, related = (
            CompetencyItem(
                framework_id=other.id,
                uuid=str(uuid.uuid4()),
                code=code,
                kind=ItemKind.CERTIFICATION,
                title=text(title),
            )
            for code, title in (("OTH-CPT", "Production technician"), ("OTH-CLT", "Logistics"))
        )
        db.session.add_all([certification, related])
        db.session.flush()
        occupation = db.session.scalar(
            sa.select(CompetencyItem).where(
                CompetencyItem.framework_id == framework.id,
                CompetencyItem.kind == ItemKind.OCCUPATION,
            )
        )
        db.session.add_all(
            [
                Association(
                    uuid=str(uuid.uuid4()),
                    origin_id=certification.id,
                    destination_id=occupation.id,
                    case_type=CaseType.EXACT_MATCH_OF,
                    relation=Relation.EXACT,
                    status=AssociationStatus.DECLARED,
                    scope={"statement": text("Full certification, current.")},
                    source_title="The MOU",
                    source_url="https://example.org/mou",
                ),
                Association(
                    uuid=str(uuid.uuid4()),
                    origin_id=related.id,
                    destination_id=occupation.id,
                    case_type=CaseType.IS_RELATED_TO,
                    relation=Relation.RELATED,
                    status=AssociationStatus.PROPOSED,
                    note=text("A hint, never counted."),
                ),
            ]
        )
    return framework


def test_public_page_shows_details_alignment_crosswalk_and_endorsement(client, cast):
    _crosswalk(cast)
    version = cast.published("MC-PUB")
    response = client.get("/micro-credentials/MC-PUB")
    assert response.status_code == 200
    assert texts(response, "//h1") == ["Lockout basics"]
    n = cast.framework.identifier.split("-")[-1]
    assert texts(response, "//ol[@class='modules']/li/h3") == [f"Module (M{n}, 10 hours)"]
    assert texts(response, "//aside[@role='note']") == [
        "Illustrative: Illustrative outline, not the official standard."
    ]
    assert texts(
        response, "//section[@aria-labelledby='alignment-heading']//table[1]/tbody/tr/td"
    ) == ["O1", f"T{n}-1.1.1 Indicator 1", "Full"]
    equivalence = texts(
        response, "//section[@aria-labelledby='alignment-heading']//table[2]/tbody/tr/td[2]"
    )
    assert equivalence == ["Exact equivalent: OTH-CPT Production technician (Other standard)"]
    assert texts(response, "//section[@aria-labelledby='alignment-heading']//ul/li") == [
        f"Related (not counted as an equivalence): OTH-CLT Logistics (Other standard) — T{n}. "
        "A hint, never counted."
    ]
    assert texts(response, "//blockquote[@class='endorsement']/p") == ["Confirms the content"]
    # Published pages carry no workflow and no module plumbing for the public.
    assert page(response).xpath("//section[contains(@class, 'workflow')]") == []
    assert client.get(f"/versions/{version.id}").status_code == 200


def test_unknown_code_is_404(client, database):
    assert client.get("/micro-credentials/NOPE").status_code == 404


@pytest.mark.parametrize(
    "who", ["anonymous", "outsider_editor", "learner", "uninvited_reviewer", "college_admin"]
)
def test_drafts_are_404_to_outsiders(client, cast, who):
    version = cast.draft()
    if who == "uninvited_reviewer":
        client.sign_in(make_user(Role.PARTNER_REVIEWER).email)
    elif who == "college_admin":
        client.sign_in(make_user(Role.COLLEGE_ADMIN, organisation=cast.college).email)
    elif who != "anonymous":
        client.sign_in(getattr(cast, who).email)
    response = client.get(f"/versions/{version.id}")
    assert response.status_code == 404
    assert texts(response, "//h1") == ["Page not found"]


def test_invited_partner_and_author_see_the_draft(client, cast):
    version = cast.draft("MC-SEEN")
    with transaction():
        services.invite_partner(version.id, cast.partner.code, "endorser", actor=cast.author)
    for user in (cast.reviewer, cast.author):
        client.sign_in(user.email)
        response = client.get(f"/versions/{version.id}")
        assert response.status_code == 200
        assert texts(response, "//p[@class='eyebrow']") == ["MC-SEEN · Version 1 · Draft"]


# --------------------------------------------------------------------------------------------
# College dashboard, partner reviews, portal panels


def test_college_dashboard_shows_own_college_by_state(client, cast):
    cast.draft("MC-D1")
    cast.published("MC-P1")
    with transaction():
        services.create_draft("MC-ELSE", cast.other_college.code, {}, actor=cast.outsider_editor)
    client.sign_in(cast.author.email)
    response = client.get("/college/micro-credentials")
    assert response.status_code == 200
    code = cast.college.code
    assert texts(response, f"//h3[starts-with(@id, '{code}-')]") == [
        "Drafts (1)",
        "In review (0)",
        "Published (1)",
        "Retired (0)",
    ]
    assert texts(response, "//tbody/tr/th") == ["MC-D1", "MC-P1"]
    # A complete draft lacks only the partner and the endorsement.
    assert texts(response, f"//table[@aria-labelledby='{code}-draft']//td[4]") == ["2 fields"]


def test_partner_reviews_and_dashboard_panels(client, cast):
    version = cast.draft("MC-REV")
    with transaction():
        services.invite_partner(version.id, cast.partner.code, "co_designer", actor=cast.author)
    client.sign_in(cast.reviewer.email)
    response = client.get("/partner/reviews")
    assert texts(response, "//main//ul/li") == ["MC-REV Lockout basics — version 1"]
    dashboard = client.get("/dashboard")
    assert texts(dashboard, "//section[h2='Micro-credentials to review']//li") == [
        "MC-REV v1",
        "All your reviews",
    ]
    client.sign_in(cast.author.email)
    dashboard = client.get("/dashboard")
    assert texts(dashboard, f"//section[h2='Micro-credentials of {cast.college.name}']/p") == [
        "1 draft(s), 0 in review, 0 published, 0 retired."
    ]


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.LEARNER, "/college/micro-credentials"),
        (Role.PARTNER_REVIEWER, "/college/micro-credentials/new"),
        (Role.COLLEGE_EDITOR, "/partner/reviews"),
        (Role.COLLEGE_EDITOR, "/admin/case"),
    ],
)
def test_wrong_role_is_403(client, database, role, url):
    client.sign_in(make_user(role).email)
    assert client.get(url).status_code == 403


# --------------------------------------------------------------------------------------------
# Creating and editing drafts


def test_editor_creates_a_draft(client, cast):
    client.sign_in(cast.author.email)
    response = client.submit(
        "/college/micro-credentials/new",
        {"college": cast.college.code, "code": "MC-NEW", "title_en": "New", "title_fr": "Nouveau"},
    )
    assert response.status_code == 302
    version = db.session.scalar(
        sa.select(MicroCredentialVersion).order_by(MicroCredentialVersion.id.desc()).limit(1)
    )
    assert response.headers["Location"] == f"/versions/{version.id}/edit"
    assert (version.code, version.title, version.status) == (
        "MC-NEW",
        {"en": "New", "fr": "Nouveau"},
        VersionStatus.DRAFT,
    )


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        ("MC-TAKEN", 409, "That code is already used by another micro-credential."),
        ("bad code!", 400, "Letters, digits, dots, dashes and underscores."),
    ],
)
def test_create_draft_refusals_are_readable(client, cast, code, status, message):
    cast.draft("MC-TAKEN")
    client.sign_in(cast.author.email)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(MicroCredentialVersion))
    response = client.submit(
        "/college/micro-credentials/new", {"college": cast.college.code, "code": code}
    )
    assert response.status_code == status
    assert texts(response, "//ul[@id='code-error']/li") == [message]
    after = db.session.scalar(sa.select(sa.func.count()).select_from(MicroCredentialVersion))
    assert after == before


def test_editor_cannot_create_for_another_college(client, cast):
    client.sign_in(cast.outsider_editor.email)
    response = client.submit(
        "/college/micro-credentials/new", {"college": cast.college.code, "code": "MC-X"}
    )
    assert response.status_code == 400  # not a choice offered to this editor
    assert texts(response, "//ul[@id='college-error']/li") == ["Not a valid choice."]


def test_edit_saves_every_field_and_records_it(client, cast):
    version = cast.draft("MC-EDIT", complete=False)
    client.sign_in(cast.author.email)
    data = edit_form(client, version.id)
    data.update(
        {
            "title_en": "Welding safety",
            "title_fr": "Sécurité en soudage",
            "description_en": "Welds safely.",
            "languages": ["en", "fr"],
            "outcomes-0-text_en": "Sets up a welding booth",
            "outcomes-0-text_fr": "Prépare une cabine",
            "assessment_methods-0-method": "observation",
            "assessment_methods-0-weight_percent": "100",
            "effort_hours": "12",
            "duration_weeks": "3",
            "delivery_mode": "hybrid",
            "level": "entry",
            "credit_none": "y",
            "prerequisites_none": "y",
            "stacks_into": "ILL-MO\nILL-AS",
            "validity_months": "",
            "validity_en": "Does not expire.",
            "verification_status_list": "y",
            "verification_en": "Signed OB 3.0.",
            "modules-0-position": "2",
            "modules-0-code": "W-2",
            "modules-0-title_en": "Second",
            "modules-0-effort_hours": "4",
            "modules-0-activity_iris": "https://lms.example/a\nhttps://lms.example/b",
            "modules-0-lti_resource_link_id": "link-2",
        }
    )
    response = client.submit(f"/versions/{version.id}/edit", data)
    assert response.status_code == 302, alerts(response)
    version = reload(version.id)
    assert version.title == {"en": "Welding safety", "fr": "Sécurité en soudage"}
    assert version.outcomes == [
        {"id": "O1", "text": {"en": "Sets up a welding booth", "fr": "Prépare une cabine"}}
    ]
    assert version.assessment_methods == [{"method": "observation", "weight_percent": 100}]
    assert (version.effort_hours, version.duration_weeks, version.credit_value) == (12, 3, "none")
    assert (version.has_no_prerequisites, version.stacks_into) == (True, ["ILL-MO", "ILL-AS"])
    assert version.verification == {
        "format": "open_badges_3",
        "has_status_list": True,
        "statement": {"en": "Signed OB 3.0."},
    }
    assert [(m.code, m.activity_iris, m.lti_resource_link_id) for m in version.modules] == [
        ("W-2", ["https://lms.example/a", "https://lms.example/b"], "link-2")
    ]
    assert version.events[-1].action == "edit"

    # Saving the untouched form changes nothing (no new event, same etag).
    etag = version.etag
    response = client.submit(f"/versions/{version.id}/edit", edit_form(client, version.id))
    assert response.status_code == 302
    assert reload(version.id).etag == etag


def test_stale_form_keeps_input_and_says_someone_changed_it(client, cast):
    version = cast.draft("MC-STALE")
    client.sign_in(cast.author.email)
    data = edit_form(client, version.id)
    with transaction():  # a co-author saves in the meantime
        services.update_draft(version.id, {"effort_hours": 20}, actor=cast.publisher)
    data["title_en"] = "My new title"
    response = client.submit(f"/versions/{version.id}/edit", data)
    assert response.status_code == 409
    assert texts(response, "//div[@id='conflict']/h2") == ["Someone changed this micro-credential"]
    assert texts(response, "//div[@id='conflict']/p[2]") == [
        "Your input differs from the current version in: Title, Effort hours."
    ]
    assert page(response).xpath("//input[@id='title_en']/@value") == ["My new title"]
    current = reload(version.id)
    assert (current.title["en"], current.effort_hours) == ("Lockout basics", 20)
    assert page(response).xpath("//input[@id='etag']/@value") == [current.etag]


def test_bad_input_is_readable_and_changes_nothing(client, cast):
    version = cast.draft("MC-BAD")
    client.sign_in(cast.author.email)
    data = edit_form(client, version.id)
    etag = reload(version.id).etag
    data.update({"effort_hours": "-3", "modules-0-code": ""})
    response = client.submit(f"/versions/{version.id}/edit", data)
    assert response.status_code == 400
    assert alerts(response) == ["Some fields need correcting."]
    assert texts(response, "//ul[@id='effort_hours-error']/li") == [
        "Number must be between 1 and 5000."
    ]
    assert reload(version.id).etag == etag


def test_module_rows_need_a_code(client, cast):
    version = cast.draft("MC-NOCODE")
    client.sign_in(cast.author.email)
    data = edit_form(client, version.id)
    data["modules-0-code"] = ""
    response = client.submit(f"/versions/{version.id}/edit", data)
    assert response.status_code == 400
    assert texts(response, "//ul[@id='modules-errors']/li") == ["Every module needs a code."]


def test_unknown_prerequisite_is_shown_on_its_field(client, cast):
    version = cast.draft("MC-PRE")
    client.sign_in(cast.author.email)
    data = edit_form(client, version.id)
    data.pop("prerequisites_none", None)
    data["prerequisites"] = "NOPE-1"
    response = client.submit(f"/versions/{version.id}/edit", data)
    assert response.status_code == 400
    assert texts(response, "//ul[@id='prerequisites-error']/li") == [
        "Unknown micro-credential NOPE-1."
    ]
    assert reload(version.id).has_no_prerequisites is True


def test_add_a_row_keeps_input_and_saves_nothing(client, cast):
    version = cast.draft("MC-ROW")
    client.sign_in(cast.author.email)
    data = edit_form(client, version.id)
    data.update({"title_en": "Typed", "add_module": "Add a module"})
    response = client.submit(f"/versions/{version.id}/edit", data)
    assert response.status_code == 200
    assert page(response).xpath("//input[@id='title_en']/@value") == ["Typed"]
    assert (
        len(
            page(response).xpath("//input[starts-with(@id, 'modules-') and contains(@id, '-code')]")
        )
        == 2
    )
    assert reload(version.id).title["en"] == "Lockout basics"


def test_edit_refusals(client, cast):
    draft = cast.draft("MC-REFUSE")
    published = cast.published("MC-REFUSE-P")
    client.sign_in(cast.outsider_editor.email)
    assert client.get(f"/versions/{draft.id}/edit").status_code == 404
    assert client.get(f"/versions/{published.id}/edit").status_code == 403
    client.sign_in(cast.learner.email)
    assert client.get(f"/versions/{draft.id}/edit").status_code == 403
    with transaction():
        services.invite_partner(draft.id, cast.partner.code, "endorser", actor=cast.author)
    client.sign_in(cast.reviewer.email)  # an endorser, not a co-designer
    assert client.get(f"/versions/{draft.id}/edit").status_code == 403
    client.sign_in(cast.author.email)
    response = client.get(f"/versions/{published.id}/edit")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/versions/{published.id}"


def test_co_designer_edits_the_draft(client, cast):
    version = cast.draft("MC-CODES")
    with transaction():
        services.invite_partner(version.id, cast.partner.code, "co_designer", actor=cast.author)
    client.sign_in(cast.reviewer.email)
    data = edit_form(client, version.id)
    data["evidence_en"] = "Checklist signed by the partner"
    response = client.submit(f"/versions/{version.id}/edit", data)
    assert response.status_code == 302
    current = reload(version.id)
    assert (current.evidence["en"], current.updated_by_id) == (
        "Checklist signed by the partner",
        cast.reviewer.id,
    )


# --------------------------------------------------------------------------------------------
# The alignment picker


def test_picker_browses_the_tree_and_aligns(client, cast):
    version = cast.draft("MC-ALIGN")
    n = cast.framework.identifier.split("-")[-1]
    fw = cast.framework.identifier
    client.sign_in(cast.author.email)
    top = client.get(f"/versions/{version.id}/alignments?framework={fw}")
    assert texts(top, "//ul[@class='tree']/li/a") == [f"T{n} Item T{n}"]
    competency = client.get(f"/versions/{version.id}/alignments?framework={fw}&item=T{n}-1.1")
    assert texts(competency, "//nav[@class='breadcrumbs']//li") == [
        "Frameworks",
        f"Framework {n}",
        f"T{n}",
        f"T{n}-1",
        f"T{n}-1.1",
    ]
    assert len(page(competency).xpath("//form[@class='align-form']")) == 2
    found = client.get(f"/versions/{version.id}/alignments?q=indicator+2&framework={fw}")
    assert texts(found, "//section[@aria-labelledby='results-heading']//li/code") == [f"T{n}-1.1.2"]
    response = client.submit(
        f"/versions/{version.id}/alignments?framework={fw}&item=T{n}-1.1",
        {
            "etag": reload(version.id).etag,
            "framework": fw,
            "item": f"T{n}-1.1.2",
            "outcome": "O1",
            "strength": "partial",
        },
        token_from=f"/versions/{version.id}/alignments",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"/versions/{version.id}/alignments?framework={fw}&item=T{n}-1.1"
    )
    assert [(a.item.code, a.outcome, a.strength.value) for a in reload(version.id).alignments] == [
        (f"T{n}-1.1.1", "O1", "full"),
        (f"T{n}-1.1.2", "O1", "partial"),
    ]


def test_picker_refuses_a_stale_page_and_unknown_items(client, cast):
    version = cast.draft("MC-ALIGN2")
    fw = cast.framework.identifier
    client.sign_in(cast.author.email)
    response = client.submit(
        f"/versions/{version.id}/alignments",
        {"etag": "stale", "framework": fw, "item": "NOPE", "outcome": "", "strength": "full"},
    )
    assert response.status_code == 412
    assert alerts(response) == [
        "Someone changed this micro-credential after you opened it. Your input is kept below: "
        "check the current version, then save again."
    ]
    response = client.submit(
        f"/versions/{version.id}/alignments",
        {"etag": reload(version.id).etag, "framework": fw, "item": "NOPE", "strength": "full"},
    )
    assert response.status_code == 400
    assert alerts(response) == ["Unknown alignment target."]
    assert len(reload(version.id).alignments) == 1
    assert client.get(f"/versions/{version.id}/alignments?framework=nope").status_code == 404
    client.sign_in(cast.outsider_editor.email)
    assert client.get(f"/versions/{version.id}/alignments").status_code == 404


# --------------------------------------------------------------------------------------------
# Partners, review, comments, endorsement


def test_editor_invites_a_partner(client, cast):
    version = cast.draft("MC-INV")
    client.sign_in(cast.author.email)
    response = client.get(f"/versions/{version.id}/partners")
    assert cast.partner.name in texts(response, "//select[@id='organisation']/option")
    response = client.submit(
        f"/versions/{version.id}/partners",
        {"organisation": cast.partner.code, "role": "co_designer"},
    )
    assert response.status_code == 302
    response = client.get(f"/versions/{version.id}/partners")
    assert texts(response, "//tbody/tr/th") == [cast.partner.name]
    again = client.submit(
        f"/versions/{version.id}/partners",
        {"organisation": cast.partner.code, "role": "co_designer"},
    )
    assert again.status_code == 409
    assert texts(again, "//ul[@id='organisation-error']/li") == [
        "That organisation is already invited in that role."
    ]
    assert len(reload(version.id).partners) == 1


def test_invite_refusals(client, cast):
    version = cast.draft("MC-INV2")
    college = make_organisation(OrganisationKind.COLLEGE)
    client.sign_in(cast.author.email)
    response = client.submit(
        f"/versions/{version.id}/partners", {"organisation": college.code, "role": "endorser"}
    )
    assert response.status_code == 400  # a college is not offered as a partner
    client.sign_in(cast.outsider_editor.email)
    assert client.get(f"/versions/{version.id}/partners").status_code == 404
    client.sign_in(cast.reviewer.email)
    assert client.get(f"/versions/{version.id}/partners").status_code == 403
    assert reload(version.id).partners == []


def test_review_page_diffs_two_versions(client, cast):
    published = cast.published("MC-DIFF")
    with transaction():
        copy = services.new_version(published.id, actor=cast.author)
    with transaction():
        services.update_draft(
            copy.id, {"title": text("Lockout advanced"), "effort_hours": 12}, actor=cast.author
        )
    client.sign_in(cast.reviewer.email)
    response = client.get(f"/versions/{copy.id}/review")
    assert response.status_code == 200
    rows = page(response).xpath("//table[@class='diff']/tbody/tr")
    assert [" ".join(r.xpath("string(th)").split()) for r in rows] == ["Title", "Effort hours"]
    assert texts(response, "//table[@class='diff']/tbody/tr[1]/td//li") == [
        "en: Lockout basics",
        "fr: Cadenassage de base",
        "en: Lockout advanced",
        "fr: Lockout advanced (fr)",
    ]
    assert texts(response, "//table[@class='diff']/tbody/tr[2]/td") == ["10", "12"]
    first = client.get(f"/versions/{published.id}/review")
    assert texts(first, "//section[@aria-labelledby='diff-heading']/p[1]") == [
        "This is the first version: every filled field is new."
    ]
    against = client.get(f"/versions/{published.id}/review?against=2")
    assert texts(against, "//section[@aria-labelledby='diff-heading']/p[1]") == [
        "Fields that differ between version 2 and version 1:"
    ]
    assert client.get(f"/versions/{copy.id}/review?against=9").status_code == 404


def test_comments_are_threaded_on_the_version_or_a_module(client, cast):
    version = cast.draft("MC-COM")
    with transaction():
        services.invite_partner(version.id, cast.partner.code, "endorser", actor=cast.author)
    module_id = reload(version.id).modules[0].id
    client.sign_in(cast.reviewer.email)
    url = f"/versions/{version.id}/comments"
    token_from = f"/versions/{version.id}/review"
    response = client.submit(
        url, {"body": "Add a guard check", "module": str(module_id)}, token_from=token_from
    )
    assert response.status_code == 302
    parent = db.session.scalar(sa.select(Comment).where(Comment.version_id == version.id))
    assert response.headers["Location"] == f"/versions/{version.id}/review#comment-{parent.id}"
    client.sign_in(cast.author.email)
    response = client.submit(
        url, {"body": "Done", "parent": str(parent.id), "module": ""}, token_from=token_from
    )
    assert response.status_code == 302
    review = client.get(token_from)
    assert texts(review, "(//ul[@class='comments'])[1]/li/article/p[@class='comment-body']") == [
        "Add a guard check"
    ]
    assert texts(
        review, "(//ul[@class='comments'])[1]/li/ul[@class='comments']/li/article/p[2]"
    ) == ["Done"]
    meta = texts(review, "(//ul[@class='comments'])[1]/li/article/p[@class='comment-meta']")[0]
    assert meta.endswith(f"on module M{cast.framework.identifier.split('-')[-1]}")


def test_comment_refusals_change_nothing(client, cast):
    version = cast.draft("MC-COM2")
    published = cast.published("MC-COM3")
    client.sign_in(cast.author.email)
    empty = client.submit(
        f"/versions/{version.id}/comments", {"body": "  "}, token_from=f"/versions/{version.id}"
    )
    assert empty.status_code == 400
    assert alerts(empty) == ["Write a comment first."]
    closed = client.submit(
        f"/versions/{published.id}/comments", {"body": "Late"}, token_from="/catalogue"
    )
    assert closed.status_code == 409
    assert alerts(closed) == ["That is not possible in this version's current state."]
    client.sign_in(cast.outsider_editor.email)
    outsider = client.submit(
        f"/versions/{version.id}/comments", {"body": "Hi"}, token_from="/catalogue"
    )
    assert outsider.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_partner_endorses_this_exact_version(client, cast):
    version = cast.draft("MC-END")
    with transaction():
        services.invite_partner(version.id, cast.partner.code, "co_designer", actor=cast.author)
    client.sign_in(cast.reviewer.email)
    review = client.get(f"/versions/{version.id}/review")
    etag = page(review).xpath("//input[@id='etag']/@value")[0]
    with transaction():
        services.update_draft(version.id, {"effort_hours": 11}, actor=cast.author)
    stale = client.submit(
        f"/versions/{version.id}/endorse",
        {"etag": etag, "statement_en": "We confirm it"},
        token_from=f"/versions/{version.id}/review",
    )
    assert stale.status_code == 412
    assert alerts(stale) == [
        "Someone changed this version after you opened it. Read the changes, then endorse again."
    ]
    assert texts(stale, "//textarea[@id='statement_en']") == ["We confirm it"]
    assert reload(version.id).endorsements == []
    fresh = page(stale).xpath("//input[@id='etag']/@value")[0]
    response = client.submit(
        f"/versions/{version.id}/endorse",
        {"etag": fresh, "statement_en": "We confirm it"},
        token_from=f"/versions/{version.id}/review",
    )
    assert response.status_code == 302
    current = reload(version.id)
    assert [(e.statement, e.version_etag) for e in current.endorsements] == [
        ({"en": "We confirm it"}, current.etag)
    ]
    blank = client.submit(
        f"/versions/{version.id}/endorse",
        {"etag": current.etag, "statement_en": ""},
        token_from=f"/versions/{version.id}/review",
    )
    assert blank.status_code == 400
    client.sign_in(cast.author.email)  # an editor is not a partner reviewer
    refused = client.submit(
        f"/versions/{version.id}/endorse",
        {"etag": current.etag, "statement_en": "Self"},
        token_from=f"/versions/{version.id}",
    )
    assert refused.status_code == 403


# --------------------------------------------------------------------------------------------
# Transitions and history


def test_submit_publish_and_history_through_the_pages(client, cast):
    version = cast.draft("MC-FLOW")
    with transaction():
        services.invite_partner(version.id, cast.partner.code, "co_designer", actor=cast.author)
        services.endorse(version.id, text("OK"), actor=cast.reviewer)
    client.sign_in(cast.author.email)
    url = f"/versions/{version.id}"
    assert client.submit(f"{url}/submit", {}, token_from=url).status_code == 302
    own = client.submit(f"{url}/publish", {}, token_from=url)
    assert own.status_code == 403
    assert reload(version.id).status is VersionStatus.IN_REVIEW
    client.sign_in(cast.publisher.email)
    response = client.submit(f"{url}/publish", {}, token_from=url)
    assert response.status_code == 302
    assert reload(version.id).status is VersionStatus.PUBLISHED
    history = client.get(f"{url}/history")
    assert [row[1:4] for row in _rows(history)] == [
        [cast.author.display_name, "Created the draft", "Draft"],
        [cast.author.display_name, "Invited a partner", ""],
        [cast.reviewer.display_name, "Endorsed", ""],
        [cast.author.display_name, "Submitted for review", "Draft → In review"],
        [cast.publisher.display_name, "Published", "In review → Published"],
    ]
    public = client.get("/micro-credentials/MC-FLOW")
    assert texts(public, "//p[@class='eyebrow']") == ["MC-FLOW · Version 1 · Published"]


def _rows(response) -> list[list[str]]:
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("td")]
        for row in page(response).xpath("//table/tbody/tr")
    ]


def test_publish_shows_what_is_missing(client, cast):
    version = cast.draft("MC-GATE", complete=False)
    client.sign_in(cast.author.email)
    url = f"/versions/{version.id}"
    client.submit(f"{url}/submit", {}, token_from=url)
    client.sign_in(cast.publisher.email)
    response = client.submit(f"{url}/publish", {}, token_from=url)
    assert response.status_code == 400
    assert alerts(response) == [
        "It cannot be published yet: the fields listed under “Missing for publishing” must be "
        "filled."
    ]
    missing = texts(response, "//ul[@class='missing']/li")
    assert missing[:3] == ["Title", "Summary (what the holder can do)", "Learning outcomes"]
    assert reload(version.id).status is VersionStatus.IN_REVIEW


def test_wrong_state_transitions_are_refused_readably(client, cast):
    version = cast.draft("MC-STATE")
    client.sign_in(cast.author.email)
    url = f"/versions/{version.id}"
    for action in ("publish", "withdraw", "retire"):
        response = client.submit(f"{url}/{action}", {}, token_from=url)
        assert response.status_code == 409, action
        assert alerts(response) == ["That is not possible in this version's current state."]
    assert reload(version.id).status is VersionStatus.DRAFT
    client.sign_in(cast.outsider_editor.email)
    assert client.submit(f"{url}/submit", {}, token_from="/catalogue").status_code == 404


def test_retire_and_new_version(client, cast):
    version = cast.published("MC-RET")
    client.sign_in(cast.author.email)
    url = f"/versions/{version.id}"
    response = client.submit(f"{url}/new-version", {}, token_from=url)
    assert response.status_code == 302
    copy = reload(version.id).credential.versions[-1]
    assert (copy.number, copy.status, response.headers["Location"]) == (
        2,
        VersionStatus.DRAFT,
        f"/versions/{copy.id}",
    )
    assert client.submit(f"{url}/retire", {"note": "old"}, token_from=url).status_code == 302
    assert reload(version.id).status is VersionStatus.RETIRED
    assert client.get("/micro-credentials/MC-RET").status_code == 404
    assert client.get(url).status_code == 200


# --------------------------------------------------------------------------------------------
# CASE import and export


def test_case_export_and_import_with_report(client, cast):
    admin = make_user(Role.PLATFORM_ADMIN)
    client.sign_in(admin.email)
    identifier = cast.framework.identifier
    listing = client.get("/admin/case")
    assert f"/admin/case/frameworks/{identifier}.json" in page(listing).xpath("//tbody//a/@href")
    exported = client.get(f"/admin/case/frameworks/{identifier}.json")
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"] == (
        f'attachment; filename="{identifier}.cfpackage.json"'
    )
    package = json.loads(exported.get_data(as_text=True))
    package["CFDocument"]["unknownThing"] = 1
    response = client.submit(
        "/admin/case",
        {"package": (io.BytesIO(json.dumps(package).encode()), "package.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    report = texts(response, "//section[@aria-labelledby='report-heading']/p")
    assert report[0] == (f"Imported {identifier}: 0 item(s) created, 5 updated, 0 association(s).")
    assert "CFDocument.unknownThing: kept in the framework's extra data" in texts(
        response, "//section[@aria-labelledby='report-heading']//ul/li"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "That file is not JSON (a CASE CFPackage)."),
        (b"{}", "Not a CFPackage: no CFDocument identifier."),
    ],
)
def test_case_import_refuses_bad_files(client, database, content, message):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Framework))
    client.sign_in(make_user(Role.PLATFORM_ADMIN).email)
    response = client.submit(
        "/admin/case",
        {"package": (io.BytesIO(content), "x.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert texts(response, "//ul[@id='package-error']/li") == [message]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Framework)) == before


def test_case_export_of_unknown_framework_is_404(client, database):
    client.sign_in(make_user(Role.PLATFORM_ADMIN).email)
    assert client.get("/admin/case/frameworks/nope.json").status_code == 404
