"""A deep-linked activity lands on its own target, and its grades go to its own module,
whatever default the tool's configuration sets.

Moodle merges the tool-level custom parameters into every link's; a tool-level
`pathways_target` then reaches every deep-linked activity too. The launches below are
what Moodle sends for such links (signed by the fake platform's own key): the item's URL
as target_link_uri, and the merged custom parameters.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from pathways.db import db
from pathways.lti import calls
from pathways.lti.models import LtiResourceLink
from tests.catalog.factories import Cast
from tests.factories import make_organisation
from tests.lti.factories import AGS_CLAIM
from tests.lti.factories import INSTRUCTOR
from tests.lti.factories import LTI
from tests.lti.factories import PlatformServer
from tests.lti.factories import register_platform
from tests.lti.factories import start_login
from tests.lti.factories import verify_rs256
from tests.xapi.factories import lrs_headers
from tests.xapi.factories import make_lrs_client
from tests.xapi.factories import statement

pytestmark = pytest.mark.integration

TOOL_DEFAULT = {"pathways_target": "credential:MC-TOOL-DEFAULT"}


@pytest.fixture
def fake():
    with PlatformServer() as platform:
        platform.add_key("k1")
        yield platform


@pytest.fixture
def registered(fake, database):
    return register_platform(fake, organisation=make_organisation(code="dl-college"))


def deep_linked_items(client, fake, values: list[str]) -> list[dict]:
    """The content items a teacher's deep linking returns, verified with `cryptography`."""
    state, nonce = start_login(client, fake)
    token = fake.id_token(
        nonce=nonce, sub="teacher", roles=[INSTRUCTOR], message_type="LtiDeepLinkingRequest"
    )
    page = client.post("/lti/launch", data={"id_token": token, "state": state})
    handle = page.headers["Location"].rsplit("/", 1)[1]
    submitted = client.post(f"/lti/deep-linking/{handle}", data={"item": values, "graded": "yes"})
    jwt = re.search(r'name="JWT" value="([^"]+)"', submitted.get_data(as_text=True)).group(1)
    _header, claims = verify_rs256(jwt, client.get("/lti/jwks").json)
    with client.session_transaction() as browser:  # the learner launches in their own browser
        browser.clear()
    return claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]


def launch_item(client, fake, item: dict, *, link_id: str, custom: dict, sub="learner-dl"):
    state, nonce = start_login(client, fake, target=item["url"])
    token = fake.id_token(
        nonce=nonce,
        sub=sub,
        extra={
            LTI + "target_link_uri": item["url"],
            LTI + "resource_link": {"id": link_id, "title": item["title"]},
            LTI + "custom": custom,
            AGS_CLAIM: {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitem": fake.base + f"/lineitems/{link_id}",
            },
        },
    )
    return client.post("/lti/launch", data={"id_token": token, "state": state})


@pytest.mark.parametrize("merged", ["link-and-tool", "tool-only"])
def test_a_deep_linked_module_lands_on_itself_with_a_tool_level_default(
    client, fake, registered, merged
):
    """`link-and-tool`: the link's own parameter beside the tool's default;
    `tool-only`: a link whose own `pathways_target` the tool's replaced (its URL stays)."""
    Cast().published("MC-TOOL-DEFAULT")
    version = Cast().published("MC-DEEP")
    module = version.modules[0]
    (item,) = deep_linked_items(client, fake, [f"module:{module.id}"])
    custom = {**item["custom"], **TOOL_DEFAULT} if merged == "link-and-tool" else TOOL_DEFAULT
    response = launch_item(client, fake, item, link_id="rl-deep", custom=custom)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert urlsplit(response.headers["Location"]).path == f"/modules/{module.id}"
    link = db.session.scalar(sa.select(LtiResourceLink).filter_by(resource_link_id="rl-deep"))
    assert (link.target_kind, link.target_code) == ("module", str(module.id))


def test_grades_of_a_deep_linked_module_go_to_its_own_line_item(client, fake, registered):
    Cast().published("MC-TOOL-DEFAULT")
    version = Cast().published("MC-DEEP-GRADES")
    module = version.modules[0]
    iri = "https://moodle.example/mod/page/view.php?id=404"
    from pathways.catalog.models import ModuleActivity
    from pathways.db import transaction

    with transaction():
        module.activities.append(ModuleActivity(activity_iri=iri))
    (item,) = deep_linked_items(client, fake, [f"module:{module.id}"])
    response = launch_item(
        client, fake, item, link_id="rl-graded", custom={**item["custom"], **TOOL_DEFAULT}
    )
    assert response.status_code == 302
    headers = lrs_headers(make_lrs_client())
    completed = statement(
        actor={"mbox": "mailto:learner-dl@example.org"},
        activity=iri,
        result={"completion": True, "score": {"scaled": 0.7}},
    )
    assert client.post("/xapi/statements", json=completed, headers=headers).status_code == 200
    assert calls.deliver_outbox()["sent"] == 1
    scored = [p for m, p, _h, _b in fake.requests if m == "POST" and p.endswith("/scores")]
    assert (scored, [s["scoreGiven"] for s in fake.scores]) == (
        ["/lineitems/rl-graded/scores"],
        [70.0],
    )
