"""A college editor drafts and aligns a micro-credential, a partner co-designs, comments and
endorses it, the editor publishes it and the public sees it; axe-core finds nothing serious."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import serious_axe_violations
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

EDITOR = "editor@demo.pathways.example"
REVIEWER = "reviewer@demo.pathways.example"
CODE = "DEMO-WELD-101"


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/$"))


def fill_both(page, name: str, english: str, french: str) -> None:
    page.fill(f"#{name}_en", english)
    page.fill(f"#{name}_fr", french)


def test_public_catalogue_is_accessible(live_server, page):
    page.goto(live_server.url + "/catalogue?q=safety")
    assert page.title() == "Micro-credential catalogue · Pathways"
    assert serious_axe_violations(page) == []


def test_draft_align_codesign_endorse_publish(live_server, page):
    sign_in(page, live_server, EDITOR)
    page.get_by_role("link", name="New micro-credential").click()
    page.get_by_label("Code").fill(CODE)
    page.get_by_label("Title (English)").fill("Welding safety")
    page.get_by_label("Title (French)").fill("Sécurité en soudage")
    page.get_by_role("button", name="Create the draft").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Edit {CODE}"
    assert serious_axe_violations(page) == []

    # Every field of the publish gate, through the editor.
    fill_both(page, "description", "Welds safely in a shop.", "Soude en sécurité en atelier.")
    page.check("#languages-0")
    page.check("#languages-1")
    page.fill("#outcomes-0-text_en", "Sets up a welding booth safely")
    page.fill("#outcomes-0-text_fr", "Prépare une cabine de soudage en sécurité")
    page.select_option("#assessment_methods-0-method", "observation")
    page.fill("#assessment_methods-0-weight_percent", "100")
    fill_both(page, "evidence", "Signed checklist", "Liste signée")
    fill_both(page, "pass_standard", "Every step observed", "Chaque étape observée")
    fill_both(page, "assessor", "College assessor", "Évaluateur du collège")
    page.select_option("#challenge_available", "yes")
    fill_both(page, "challenge", "By PLAR", "Par la RAC")
    page.fill("#effort_hours", "20")
    page.fill("#duration_weeks", "4")
    page.select_option("#level", "entry")
    page.select_option("#delivery_mode", "hybrid")
    page.check("#credit_none")
    page.check("#prerequisites_none")
    page.check("#stacks_standalone")
    fill_both(page, "validity", "Does not expire", "N'expire pas")
    page.check("#verification_status_list")
    fill_both(page, "verification", "Signed Open Badges 3.0", "Open Badges 3.0 signé")
    fill_both(page, "ownership", "The earner owns it", "La personne titulaire en est propriétaire")
    page.fill("#modules-0-code", "WELD-M1")
    page.fill("#modules-0-title_en", "Booth set-up")
    page.fill("#modules-0-title_fr", "Préparation de la cabine")
    page.fill("#modules-0-effort_hours", "20")
    page.fill("#modules-0-activity_iris", "https://lms.demo.example/weld/m1")
    page.get_by_role("button", name="Save the draft").click()
    assert page.get_by_role("status").inner_text() == "Draft saved."

    # Align outcome O1 through the tree: framework > occupation > area > competency.
    page.get_by_role("link", name="Align to competencies").click()
    page.get_by_role("link", name=re.compile("CertWORK\\+ manufacturing")).click()
    page.get_by_role("link", name=re.compile("^ILL-MO ")).click()
    page.get_by_role("link", name=re.compile("^ILL-MO-1 ")).click()
    page.get_by_role("link", name=re.compile("^ILL-MO-1.1 ")).click()
    page.get_by_label("Outcome for ILL-MO-1.1.1").select_option("O1")
    page.get_by_role("button", name="Align ILL-MO-1.1.1").click()
    assert page.get_by_role("status").inner_text() == "Aligned O1 to ILL-MO-1.1.1."
    assert page.get_by_role("note").first.inner_text().startswith("Illustrative:")

    page.get_by_role("link", name="Partners").click()
    page.get_by_label("Partner organisation").select_option("demo-partner")
    page.get_by_label("Invited as").select_option("co_designer")
    page.get_by_role("button", name="Invite").click()
    assert page.get_by_role("status").inner_text() == "Partner invited."
    sign_out(page)

    # The partner reviewer co-designs, comments and endorses this exact version.
    sign_in(page, live_server, REVIEWER)
    page.get_by_role("link", name=f"{CODE} v1").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Review {CODE}"
    page.get_by_role("link", name="Edit").click()
    page.fill("#evidence_en", "Signed checklist and photos of the booth")
    page.get_by_role("button", name="Save the draft").click()
    assert page.get_by_role("status").inner_text() == "Draft saved."
    page.get_by_role("link", name="Review, comments and endorsement").click()
    page.get_by_label("Comment", exact=True).fill("Add a fume extraction check.")
    page.get_by_role("button", name="Post the comment").click()
    assert page.locator("p.comment-body").inner_text() == "Add a fume extraction check."
    page.get_by_label("What your organisation confirms (English)").fill(
        "Demo Precision confirms this version teaches what our shop requires."
    )
    page.get_by_role("button", name="Endorse this exact version").click()
    assert page.get_by_role("status").inner_text() == (
        "Endorsed. Any later edit voids this endorsement."
    )
    sign_out(page)

    # The editor (not the last author) submits and publishes.
    sign_in(page, live_server, EDITOR)
    page.goto(live_server.url + "/college/micro-credentials")
    page.get_by_role("link", name=CODE).click()
    page.get_by_role("button", name="Submit for review").click()
    assert page.get_by_role("status").inner_text() == "Submitted for review."
    page.get_by_role("button", name="Publish").click()
    assert page.get_by_role("status").inner_text() == ("Published. This version will never change.")
    sign_out(page)

    # Anyone finds it in the catalogue and reads its public page.
    page.goto(live_server.url + "/catalogue?q=welding")
    page.get_by_role("link", name="Welding safety").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Welding safety"
    assert page.locator("p.eyebrow").inner_text() == f"{CODE} · Version 1 · Published"
    assert page.locator("blockquote.endorsement p").inner_text() == (
        "Demo Precision confirms this version teaches what our shop requires."
    )
    assert page.get_by_role("note").first.inner_text().startswith("Illustrative:")
    exact = page.locator("section[aria-labelledby=alignment-heading] table").nth(1)
    assert "Exact equivalent: MSSC-CPT" in exact.inner_text()
    assert serious_axe_violations(page) == []
