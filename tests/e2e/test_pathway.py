"""The demo learner, holding two awards, follows the Machine Operator pathway in a browser."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import serious_axe_violations
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

LEARNER = "learner@demo.pathways.example"


def test_learner_sees_machine_operator_progress_and_next_steps(live_server, page):
    result = live_server.flask("pathways", "demo-awards", "--email", LEARNER)
    assert result.stdout.strip() in (
        f"{LEARNER}: awarded ILL-SAFE, ILL-MEAS",
        f"{LEARNER}: awarded nothing new",
    )
    sign_in(page, live_server, LEARNER)
    page.get_by_role("link", name="My pathways").click()
    page.get_by_role("link", name="Machine Operator").click()
    assert page.url == live_server.url + "/pathways/ILL-MO"
    assert page.get_by_role("heading", level=1).inner_text() == "Pathway to Machine Operator"
    assert (
        "not the official CertWORK+ / AttestPLUS standard"
        in page.locator("#illustrative-notice").inner_text()
    )
    assert page.locator("#overall-status").inner_text() == "56% of the requirements are met."
    rows = page.locator("#areas tbody tr")
    assert rows.count() == 7
    assert rows.nth(0).locator("td").nth(0).inner_text() == "9 of 9"
    assert rows.nth(2).locator("td").nth(0).inner_text() == "0 of 12"
    graph = page.get_by_role("img", name="Pathway to Machine Operator")
    assert graph.is_visible()
    statuses = page.locator("#credentials tbody tr td:first-of-type").all_inner_texts()
    assert statuses == ["Earned", "Earned", "Next step", "Not started"]
    assert page.locator("#next-steps li").all_inner_texts() == [
        "ILL-CNC CNC Machine Operation — 60 h"
    ]
    assert page.locator("#plan-total").inner_text() == "Total effort of these steps: 60 hours."
    assert serious_axe_violations(page) == []
