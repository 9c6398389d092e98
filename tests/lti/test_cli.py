"""`flask pathways lti-platform ...` and `lti11-consumer ...`: deployments, email trust,
states and single-use registration URLs, as an operator types them."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from pathways.db import db
from pathways.lti import registration
from pathways.lti.models import Lti11Consumer
from pathways.lti.models import LtiPlatform
from pathways.lti.models import LtiRegistrationLink
from tests.factories import make_organisation

pytestmark = pytest.mark.integration

MOODLE = [
    "--issuer",
    "https://moodle.cli.example",
    "--client-id",
    "cli-1",
    "--auth-url",
    "https://moodle.cli.example/mod/lti/auth.php",
    "--token-url",
    "https://moodle.cli.example/mod/lti/token.php",
    "--jwks-url",
    "https://moodle.cli.example/mod/lti/certs.php",
]


@pytest.fixture
def run(app, database):
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["pathways", *args])

    return invoke


def test_a_platform_needs_a_deployment_id(run):
    result = run("lti-platform", "add", *MOODLE)
    assert (result.exit_code, "--deployment-id" in result.output) == (2, True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiPlatform)) == 0


def test_adding_a_platform_prints_the_colleges_registration_url(run):
    make_organisation(code="cli-reg")
    result = run("lti-platform", "add", *MOODLE, "--deployment-id", "3", "--org", "cli-reg")
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "registration URL for cli-reg" in x)
    token = urlsplit(line.rsplit(" ", 1)[1]).path.rsplit("/", 1)[1]
    link = registration.open_registration_link(token)
    assert (link.organisation.code, link.used_at) == ("cli-reg", None)
    printed = run("lti-platform", "registration-link", "--org", "cli-reg")
    assert printed.output.startswith("http://localhost/lti/register/")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiRegistrationLink)) == 2


def test_deployments_are_added_listed_and_removed(run):
    assert run("lti-platform", "add", *MOODLE, "--deployment-id", "1").exit_code == 0
    platform_id = db.session.scalar(sa.select(LtiPlatform.id))
    assert run("lti-platform", "deployment", "add", str(platform_id), "7").output == "1, 7\n"
    assert run("lti-platform", "deployment", "list", str(platform_id)).output == "1\n7\n"
    assert run("lti-platform", "deployment", "remove", str(platform_id), "1").output == "7\n"
    missing = run("lti-platform", "deployment", "remove", str(platform_id), "42")
    assert (missing.exit_code, "no deployment 42" in missing.output) == (1, True)
    unknown = run("lti-platform", "deployment", "list", "999")
    assert unknown.exit_code == 1


def test_a_platforms_email_trust_and_state_are_set(run):
    run("lti-platform", "add", *MOODLE, "--deployment-id", "1")
    platform_id = db.session.scalar(sa.select(LtiPlatform.id))
    result = run("lti-platform", "set", str(platform_id), "--trust-email", "--disable")
    assert result.output.split("\t")[-2:] == ["disabled", "trusts-email\n"]
    db.session.expire_all()
    platform = db.session.get(LtiPlatform, platform_id)
    assert (platform.trusts_email, platform.is_enabled) == (True, False)


def test_consumers_are_listed_and_their_email_trust_set(run):
    make_organisation(code="cli-11")
    run("lti11-consumer", "add", "--key", "legacy", "--org", "cli-11", "--name", "Old Moodle")
    assert run("lti11-consumer", "list").output == "legacy\tOld Moodle\tcli-11\tenabled\t-\n"
    result = run("lti11-consumer", "set", "legacy", "--trust-email")
    assert result.output == "legacy\tOld Moodle\tcli-11\tenabled\ttrusts-email\n"
    assert db.session.scalar(sa.select(Lti11Consumer.trusts_email)) is True
    missing = run("lti11-consumer", "set", "nobody", "--trust-email")
    assert (missing.exit_code, "no consumer with key nobody" in missing.output) == (1, True)
