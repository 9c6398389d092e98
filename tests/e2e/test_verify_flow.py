"""An employer verifies credential files in a browser: a genuine one passes, a tampered one
fails and says why, a revoked one says revoked, by whom and when it was checked. A learner
shares a credential with the employer, who opens it; the learner sees who looked. axe-core
finds nothing serious on any of these pages."""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.conftest import serious_axe_violations
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

CANDIDATE = "casey.candidate@example.org"
CANDIDATE_PASSWORD = "correct horse battery staple"
EMPLOYER = "employer@demo.pathways.example"


@pytest.fixture(scope="module")
def candidate_files(live_server, tmp_path_factory):
    """A candidate of their own (other browser tests use the demo learner) holding two
    micro-credentials, exported as the signed JSON files a candidate would send."""
    live_server.flask(
        "pathways",
        "create-user",
        "--email",
        CANDIDATE,
        "--password",
        CANDIDATE_PASSWORD,
        "--name",
        "Casey Candidate",
    )
    live_server.passwords[CANDIDATE] = CANDIDATE_PASSWORD
    live_server.flask(
        "pathways", "demo-awards", "--email", CANDIDATE, "--employer", "demo-employer"
    )
    directory = tmp_path_factory.mktemp("candidate-credentials")
    live_server.flask("pathways", "credentials", "export", "--learner", CANDIDATE, str(directory))
    files = sorted(directory.glob("micro_credential-*.json"))
    assert len(files) == 2
    return files


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/$"))


def verify_file(page, path) -> None:
    page.get_by_label("Credential file").set_input_files(str(path))
    page.get_by_role("button", name="Verify the file").click()
    page.wait_for_load_state()


def check_text(page, title: str) -> str:
    return page.locator("li.check").filter(has=page.get_by_text(title, exact=True)).inner_text()


def test_an_employer_verifies_genuine_tampered_and_revoked_files(
    live_server, page, candidate_files, tmp_path
):
    genuine, other = candidate_files
    sign_in(page, live_server, EMPLOYER)
    page.get_by_role("link", name="Verify a credential").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Verify a credential"
    assert serious_axe_violations(page) == []

    verify_file(page, genuine)
    assert page.get_by_role("heading", name="Verified", exact=True).is_visible()
    assert page.get_by_role("status").inner_text() == (
        "This credential is genuine and in good standing: every check below passed."
    )
    assert "Passed" in check_text(page, "Signature")
    assert "Not revoked: checked against its issuer's list" in check_text(page, "Not revoked")
    assert "known to Pathways" in page.locator(".verify-result dl").first.inner_text()
    assert serious_axe_violations(page) == []

    tampered = json.loads(genuine.read_text())
    tampered["credentialSubject"]["achievement"]["name"] = "Master Machinist"
    tampered_file = tmp_path / "tampered.json"
    tampered_file.write_text(json.dumps(tampered))
    verify_file(page, tampered_file)
    assert page.get_by_role("heading", name="Not verified", exact=True).is_visible()
    assert page.get_by_role("status").inner_text() == (
        "This credential could not be verified. The failed checks below say why."
    )
    signature = check_text(page, "Signature")
    assert "Failed" in signature
    assert (
        "The signature does not match: the credential was changed after it was signed, or it "
        "was signed with another key." in signature
    )
    assert serious_axe_violations(page) == []

    credential_id = json.loads(other.read_text())["id"]
    live_server.flask(
        "pathways", "credentials", "revoke", credential_id, "--reason", "awarded in error"
    )
    verify_file(page, other)
    issuer = json.loads(other.read_text())["issuer"]["name"]
    assert page.get_by_role("status").inner_text() == (
        f"This credential was revoked by its issuer, {issuer}. It no longer counts."
    )
    assert "Revoked by its issuer: it no longer counts." in check_text(page, "Not revoked")
    facts = page.locator(".verify-result dl").first.inner_text()
    assert re.search(r"Status\s+Revoked", facts)
    assert re.search(r"Checked\s+\w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2}\s?[AP]M UTC", facts)
    assert "awarded in error" not in page.content()  # the reason is never published
    assert serious_axe_violations(page) == []

    page.get_by_role("link", name="All verifications").click()
    rows = page.locator("tbody tr")
    assert rows.count() >= 3
    assert "Not verified" in rows.nth(0).inner_text() and "Revoked" in rows.nth(0).inner_text()
    assert serious_axe_violations(page) == []


def test_a_candidate_shares_and_sees_who_looked(live_server, page, candidate_files):
    sign_in(page, live_server, CANDIDATE)
    page.goto(live_server.url + "/my/shares")
    assert serious_axe_violations(page) == []
    page.get_by_label("Employer", exact=True).select_option(label="Demo Assembly Works Ltd.")
    page.get_by_label("My whole record, including credentials I earn later").check()
    page.get_by_label("30 days").check()
    page.get_by_label("Message to the employer (optional)").fill("For the operator position")
    page.get_by_role("button", name="Share", exact=True).click()
    assert page.get_by_role("status").inner_text() == (
        "Demo Assembly Works Ltd. now sees what you shared."
    )
    sign_out(page)

    sign_in(page, live_server, EMPLOYER)
    page.get_by_role("link", name=re.compile(r"^Casey Candidate: whole record")).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Shared by Casey Candidate"
    assert serious_axe_violations(page) == []
    page.locator("table a").first.click()
    assert page.locator(".verify-result h2").first.inner_text() in ("Verified", "Not verified")
    assert serious_axe_violations(page) == []
    sign_out(page)

    sign_in(page, live_server, CANDIDATE)
    page.goto(live_server.url + "/my/shares")
    looked = page.locator("table", has_text="Who looked").inner_text()
    assert "Emery Employer of Demo Assembly Works Ltd." in looked
    assert "The list of what you shared" in looked
    page.get_by_role("button", name="Withdraw this share").click()
    assert page.get_by_role("status").inner_text() == (
        "Withdrawn: Demo Assembly Works Ltd. no longer sees it."
    )
    assert serious_axe_violations(page) == []
