"""`flask pathways credentials export|list|revoke|suspend|reinstate|rotate-key|retire-key`."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pathways.credentials import services
from pathways.credentials.models import IssuerKey
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.records.models.certifications import CertificationStatus
from tests.credentials.issued_factories import certify
from tests.credentials.issued_factories import credential_of_award
from tests.credentials.issued_factories import credentials_of_certification
from tests.credentials.issued_factories import issued_world
from tests.credentials.issued_factories import learner_credentials
from tests.credentials.issued_factories import reload
from tests.credentials.issued_factories import served_bit
from tests.factories import make_user

pytestmark = pytest.mark.integration


@pytest.fixture
def run(app, database):
    runner = app.test_cli_runner()

    def invoke(*args: str):
        return runner.invoke(args=["pathways", "credentials", *args])

    return invoke


def test_export_writes_each_credential_exactly_as_stored(run, tmp_path):
    issued = issued_world()
    cnc, _certification = certify(issued, tmp_path / "evidence")
    rows = learner_credentials(issued.learner.id)
    assert sorted(r.kind.value for r in rows) == [
        "certification",
        "micro_credential",
        "micro_credential",
        "record",
    ]
    target = tmp_path / "export" / "ana"

    result = run("export", "--learner", issued.learner.email.upper(), str(target))

    assert result.exit_code == 0, result.output
    assert result.output == f"4 credential(s) written to {target}\n"
    assert sorted(p.name for p in target.iterdir()) == sorted(
        f"{r.kind.value}-{r.uuid}.json" for r in rows
    )
    for row in rows:
        written = (target / f"{row.kind.value}-{row.uuid}.json").read_bytes()
        assert written == row.document.encode("utf-8")
        assert json.loads(written)["id"] == f"urn:uuid:{row.uuid}"


def test_export_for_an_unknown_learner_fails(run, tmp_path):
    result = run("export", "--learner", "nobody@example.com", str(tmp_path / "out"))
    assert (result.exit_code, result.output) == (1, "error: No account nobody@example.com.\n")
    assert not (tmp_path / "out").exists()


def test_list_prints_one_line_per_credential(run):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    result = run("list", "--learner", issued.learner.email)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "\t".join(
            (
                f"urn:uuid:{row.uuid}",
                "micro_credential",
                "active",
                row.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                issued.college.code,
                row.name,
            )
        )
    ]


def test_suspend_reinstate_revoke_flip_the_served_bits(run, client):
    issued = issued_world()
    row = credential_of_award(issued.safe)

    result = run("suspend", f"urn:uuid:{row.uuid}", "--reason", "complaint")
    assert (result.exit_code, result.output) == (0, f"urn:uuid:{row.uuid}: suspended\n")
    assert served_bit(client, row, "suspension") is True

    result = run("reinstate", row.uuid, "--reason", "complaint dismissed")
    assert (result.exit_code, result.output) == (0, f"urn:uuid:{row.uuid}: active\n")
    assert served_bit(client, row, "suspension") is False

    result = run("revoke", row.uuid, "--reason", "fraud")
    assert (result.exit_code, result.output) == (0, f"urn:uuid:{row.uuid}: revoked\n")
    assert served_bit(client, row, "revocation") is True
    assert reload(issued.safe).revoked_at is not None
    events = [(e.action, e.reason, e.actor_id, e.actor_client_id) for e in reload(row).events]
    assert events == [
        ("issued", "", None, None),
        ("suspended", "complaint", None, None),
        ("reinstated", "complaint dismissed", None, None),
        ("revoked", "fraud", None, None),
    ]

    again = run("revoke", row.uuid, "--reason", "fraud")
    assert (again.exit_code, again.output) == (1, "error: This credential is already revoked.\n")


def test_revoke_cascades_as_in_the_portal(run, tmp_path):
    issued = issued_world()
    cnc, certification = certify(issued, tmp_path)
    result = run("revoke", credential_of_award(cnc).uuid, "--reason", "plagiarism")
    assert result.exit_code == 0, result.output
    assert reload(certification).status is CertificationStatus.REVOKED
    stacked = credentials_of_certification(certification)
    assert sorted((r.kind.value, reload(r).revoked_at is not None) for r in stacked) == [
        ("certification", True),
        ("record", True),
    ]


@pytest.mark.parametrize(
    ("args", "code", "output"),
    [
        (
            ["--reason", "  "],
            1,
            "error: Say why (the reason is kept in the history, never published).\n",
        ),
        ([], 2, None),
    ],
)
def test_a_reason_is_required(run, args, code, output):
    issued = issued_world()
    row = credential_of_award(issued.safe)
    result = run("revoke", row.uuid, *args)
    assert result.exit_code == code
    if output is not None:
        assert result.output == output
    else:
        assert "Missing option '--reason'" in result.output
    assert reload(row).revoked_at is None


def test_an_unknown_credential_fails(run):
    result = run("suspend", "urn:uuid:00000000-0000-4000-8000-000000000000", "--reason", "x")
    assert (result.exit_code, result.output) == (1, "error: No such credential.\n")


def _keys(organisation_id: int) -> list[IssuerKey]:
    db.session.expire_all()
    return list(
        db.session.query(IssuerKey)
        .filter_by(organisation_id=organisation_id)
        .order_by(IssuerKey.id)
    )


def test_rotate_key_keeps_the_old_key_published(run, client):
    issued = issued_world()
    college = issued.college
    (old,) = _keys(college.id)
    result = run("rotate-key", "--org", college.code)
    assert result.exit_code == 0, result.output
    old_key, new_key = _keys(college.id)
    assert old_key.id == old.id and old_key.retired_at is not None
    assert result.output == f"{college.code}: new key {new_key.public_multibase}\n"
    document = client.get(f"/orgs/{college.code}/did.json").json
    assert [m["publicKeyMultibase"] for m in document["verificationMethod"]] == [
        old_key.public_multibase,
        new_key.public_multibase,
    ]
    with transaction():
        assert services.signing_key(reload(college)).id == new_key.id


def test_retire_key_marks_it_compromised_from_a_date(run, client):
    issued = issued_world()
    college = issued.college
    (key,) = _keys(college.id)
    since = (utcnow() - dt.timedelta(hours=2)).replace(microsecond=0)

    result = run(
        "retire-key",
        "--org",
        college.code,
        "--key",
        key.public_multibase,
        "--compromised-since",
        since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "--reason",
        "laptop stolen",
    )

    assert result.exit_code == 0, result.output
    retired, replacement = _keys(college.id)
    assert (retired.revoked_at, retired.revocation_reason) == (since, "laptop stolen")
    assert retired.retired_at is not None
    assert result.output == (
        f"{college.code}: key {key.public_multibase} compromised since "
        f"{since.strftime('%Y-%m-%dT%H:%M:%SZ')}; new key {replacement.public_multibase}\n"
    )
    methods = client.get(f"/orgs/{college.code}/did.json").json["verificationMethod"]
    assert [(m["publicKeyMultibase"], m.get("revoked")) for m in methods] == [
        (key.public_multibase, since.strftime("%Y-%m-%dT%H:%M:%SZ")),
        (replacement.public_multibase, None),
    ]


@pytest.mark.parametrize(
    ("key", "since", "code", "message"),
    [
        ("z6MkNotOurs", "2026-01-01T00:00:00Z", 1, "has no key z6MkNotOurs"),
        (None, "yesterday", 2, "not an ISO 8601 date-time: yesterday"),
        (None, "2999-01-01T00:00:00+02:00", 1, "from a moment that has passed"),
    ],
)
def test_retire_key_refusals(run, key, since, code, message):
    issued = issued_world()
    (own,) = _keys(issued.college.id)
    result = run(
        "retire-key",
        "--org",
        issued.college.code,
        "--key",
        key or own.public_multibase,
        "--compromised-since",
        since,
        "--reason",
        "lost",
    )
    assert result.exit_code == code
    assert message in result.output
    assert _keys(issued.college.id)[0].revoked_at is None


def test_key_commands_need_a_known_organisation(run):
    make_user()
    result = run("rotate-key", "--org", "no-such-org")
    assert result.exit_code == 1
    assert result.output.startswith("error: ")


def test_a_long_reason_for_a_compromised_key_is_kept_to_its_column(run):
    """A reason of up to 500 characters is accepted; the key keeps its first 200."""
    issued = issued_world()
    (key,) = _keys(issued.college.id)
    reason = "stolen " * 60
    result = run(
        "retire-key",
        "--org",
        issued.college.code,
        "--key",
        key.public_multibase,
        "--compromised-since",
        "2020-01-01T00:00:00",
        "--reason",
        reason,
    )
    assert result.exit_code == 0, result.output
    assert _keys(issued.college.id)[0].revocation_reason == reason.strip()[:200]
