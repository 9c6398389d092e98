"""`flask pathways load-content`: validation first, one transaction, idempotent reloads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from pathways.catalog import queries
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.models import RuleFile
from pathways.db import db

pytestmark = pytest.mark.integration

CONTENT = Path(__file__).resolve().parents[2] / "content"


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["pathways", "load-content", *args])


def _counts():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (CompetencyItem, MicroCredentialVersion, RuleFile)
    )


def test_broken_content_loads_nothing_and_prints_each_error(app, database, tmp_path):
    broken = tmp_path / "content"
    shutil.copytree(CONTENT, broken)
    crosswalk = broken / "crosswalks" / "cme-mssc-2015.yaml"
    crosswalk.write_text(
        crosswalk.read_text().replace("code: ILL-AS, framework", "code: ILL-ZZ, framework", 1)
    )
    result = _run(app, str(broken))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "crosswalks/cme-mssc-2015.yaml: associations.0.target_item.code: "
        "Unknown item ILL-ZZ in certworkplus-ill.",
        "rules/ill-as.yaml: rule.any.1.equivalent.credential: CME-MSSC-2015 declares no exact "
        "equivalence between MSSC-CPT and ILL-AS.",
        "2 error(s); nothing was loaded.",
    ]
    assert _counts() == (0, 0, 0)


def test_load_then_reload_changes_nothing(app, database):
    first = _run(app, str(CONTENT))
    assert first.exit_code == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "Content loaded."
    counts = _counts()
    assert counts[0] > 600 and counts[2] == 6
    versions = {v.id: (v.etag, v.updated_at) for v in queries.published_versions()}
    second = _run(app, str(CONTENT))
    assert second.exit_code == 0, second.stderr
    assert second.stdout.splitlines()[-1] == "No changes."
    assert all(" 0 created, 0 updated," in line for line in second.stdout.splitlines()[:-1])
    assert _counts() == counts
    db.session.expire_all()
    assert {v.id: (v.etag, v.updated_at) for v in queries.published_versions()} == versions


def test_loaded_content_answers_the_queries(app, database):
    assert _run(app, str(CONTENT)).exit_code == 0
    equivalences = queries.exact_equivalences()
    assert sorted((a.origin.code, a.destination.code) for a in equivalences) == [
        ("MSSC-CPT", "ILL-AS"),
        ("MSSC-CPT", "ILL-MO"),
    ]
    assert sorted(o.code for o in queries.occupations()) == [
        "ILL-AS",
        "ILL-LH",
        "ILL-MG",
        "ILL-MH",
        "ILL-MO",
        "ILL-SU",
    ]
    safe = queries.published_version("ILL-SAFE")
    assert (safe.number, safe.effort_hours) == (1, 30)
    iri = safe.modules[0].activity_iris[0]
    assert [m.id for m in queries.published_modules_for_activities({iri})[iri]] == [
        safe.modules[0].id
    ]
