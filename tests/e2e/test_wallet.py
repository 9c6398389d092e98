"""A learner earns a credential through xAPI completions, downloads it, shares it, unshares it.

The LMS side is plain HTTP (an API client made with `flask pathways api-client create`
posts `completed` statements for every module of ILL-LEAN); the rest is the browser: the
learner downloads the JSON and the baked PNG (read back with pypng), turns the public page
on, an anonymous visitor sees the credential verified, the learner turns it off and the
page is gone. axe-core finds nothing serious on any of these pages.
"""

from __future__ import annotations

import base64
import json
import secrets
import urllib.request
import uuid
from pathlib import Path

import png
import pytest
import yaml

from tests.e2e.conftest import ROOT
from tests.e2e.conftest import serious_axe_violations
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

EMAIL = "wallet.learner@example.com"
CODE = "ILL-LEAN"
TITLE = "Lean and 5S on the Shop Floor"


def module_activities(code: str) -> list[str]:
    """The first xAPI activity of each module of the content's micro-credential."""
    data = yaml.safe_load(
        Path(ROOT / "content" / "microcredentials" / f"{code.lower()}.yaml").read_text()
    )
    return [module["xapi_activity_ids"][0] for module in data["modules"]]


def lms_client(live_server) -> str:
    """An xAPI client of the issuing college; its HTTP Basic header value."""
    result = live_server.flask(
        "pathways",
        "api-client",
        "create",
        "--org",
        "maple-valley-polytechnic",
        "--name",
        "Brightspace",
        "--scope",
        "xapi:write",
    )
    values = dict(
        line.split(": ", 1)
        for line in result.stdout.splitlines()
        if line.startswith(("key_id", "secret"))
    )
    token = base64.b64encode(f"{values['key_id']}:{values['secret']}".encode()).decode()
    return f"Basic {token}"


def complete(live_server, authorization: str, activity: str) -> None:
    body = {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": f"mailto:{EMAIL}", "name": "Wally Learner"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en": "completed"}},
        "object": {"id": activity, "objectType": "Activity"},
    }
    request = urllib.request.Request(
        live_server.url + "/xapi/statements",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": authorization,
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def test_earn_download_share_and_unshare_a_credential(live_server, page, browser):
    password = secrets.token_urlsafe(12)
    live_server.flask(
        "pathways",
        "create-user",
        "--email",
        EMAIL,
        "--password",
        password,
        "--name",
        "Wally Learner",
        "--org",
        "demo-college",
        "--role",
        "learner",
    )
    live_server.passwords[EMAIL] = password
    authorization = lms_client(live_server)
    for activity in module_activities(CODE):
        complete(live_server, authorization, activity)

    sign_in(page, live_server, EMAIL)
    page.get_by_role("link", name="My credentials").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "My credentials"
    assert serious_axe_violations(page) == []
    page.get_by_role("link", name=TITLE).click()
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    assert page.locator("#credential-status .state").inner_text() == "Active"
    assert serious_axe_violations(page) == []

    with page.expect_download() as caught:
        page.locator("#download-json").click()
    credential_json = Path(caught.value.path()).read_text(encoding="utf-8")
    credential = json.loads(credential_json)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["credentialSubject"]["achievement"]["humanCode"] == CODE
    assert caught.value.suggested_filename.endswith(".json")

    with page.expect_download() as caught:
        page.locator("#download-png").click()
    baked = Path(caught.value.path()).read_bytes()
    [chunk] = [data for kind, data in png.Reader(bytes=baked).chunks() if kind == b"iTXt"]
    keyword, _, rest = chunk.partition(b"\x00")
    assert keyword == b"openbadgecredential"
    assert rest[4:].decode("utf-8") == credential_json  # flags 0 0, empty language and keyword

    page.get_by_role("button", name="Turn on the public page").click()
    public_url = page.locator("#public-link").get_attribute("href")
    assert public_url.startswith(live_server.url + "/credentials/")
    assert (
        page.get_by_role("img", name="QR code of the public page of this credential").count() == 1
    )
    assert serious_axe_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 720})

    # The visitor is on a phone: the page fits its width.
    visitor = browser.new_context(
        bypass_csp=True, locale="en-CA", viewport={"width": 375, "height": 740}
    ).new_page()
    response = visitor.goto(public_url)
    assert response.status == 200
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 375
    assert visitor.get_by_role("heading", level=1).inner_text() == TITLE
    assert visitor.locator("#check-heading").inner_text() == "Verified"
    assert visitor.locator("#checks li").nth(1).inner_text() == "Not revoked."
    assert serious_axe_violations(visitor) == []

    page.get_by_role("button", name="Turn off the public page").click()
    assert page.get_by_role("button", name="Turn on the public page").is_visible()
    assert visitor.reload().status == 404

    page.get_by_role("link", name="Notices").click()
    newest = page.locator("ol.notices > li > p").first.inner_text()
    assert newest.startswith("New ") and newest.endswith(f"issued you “{TITLE}”.")
    assert serious_axe_violations(page) == []
    visitor.context.close()
