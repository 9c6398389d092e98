"""The "connect an LMS" page."""

from __future__ import annotations

import pytest

from pathways.accounts.enums import Role
from tests.factories import make_organisation
from tests.factories import make_user
from tests.xapi.factories import VERSION

pytestmark = pytest.mark.integration


def test_college_admin_creates_lrs_credentials_that_work(client):
    organisation = make_organisation(code="north-college")
    admin = make_user(Role.COLLEGE_ADMIN, organisation=organisation)
    client.sign_in(admin.email)
    page = client.get("/organisations/north-college/lrs")
    assert page.status_code == 200
    response = client.submit("/organisations/north-college/lrs", {"name": "Moodle prod"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    import re

    key = re.search(r'id="lrs-key">([^<]+)<', html).group(1)
    secret = re.search(r'id="lrs-secret">([^<]+)<', html).group(1)
    assert re.search(r'id="lrs-endpoint">http://localhost/xapi/<', html)
    import base64

    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", **VERSION}
    assert client.get("/xapi/statements", headers=headers).status_code == 200
    statement = {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/viewed"},
        "object": {"id": "https://moodle.example/mod/page/view.php?id=1"},
    }
    assert client.post("/xapi/statements", json=statement, headers=headers).status_code == 200


def test_admin_of_another_college_is_refused(client):
    make_organisation(code="south-college")
    admin = make_user(Role.COLLEGE_ADMIN)
    client.sign_in(admin.email)
    assert client.get("/organisations/south-college/lrs").status_code == 403


def test_learner_is_refused(client):
    make_organisation(code="east-college")
    client.sign_in(make_user(Role.LEARNER).email)
    assert client.get("/organisations/east-college/lrs").status_code == 403
