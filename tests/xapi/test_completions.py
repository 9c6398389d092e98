"""Completions mean completions: what a statement's result says decides over its verb,
`uncompleted` reverses, and a quiz attempt counts for the module that lists its quiz.

Statements are posted to /xapi/statements as an LMS would; the records are read back.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pathways.db import db
from pathways.records import services as records
from pathways.records.models import Award
from pathways.records.models import ModuleProgress
from tests.factories import make_user
from tests.xapi.factories import lrs_headers
from tests.xapi.factories import make_lrs_client
from tests.xapi.factories import make_published_credential
from tests.xapi.factories import statement

pytestmark = pytest.mark.integration

ADL = "http://adlnet.gov/expapi/verbs/"
TINCAN = "http://id.tincanapi.com/verb/"
PAGE = "https://moodle.example/mod/page/view.php?id=301"
QUIZ = "https://moodle.example/mod/quiz/view.php?id=302"
ATTEMPT = "https://moodle.example/mod/quiz/attempt.php?attempt=77&cmid=302"
COURSE = "https://moodle.example/course/view.php?id=3"
SITE = "https://moodle.example"
ACTOR = {"mbox": "mailto:lena@example.com", "name": "Lena"}


@pytest.fixture
def learner(database):
    return make_user(email="lena@example.com")


@pytest.fixture
def post(client):
    headers = lrs_headers(make_lrs_client())

    def send(body):
        response = client.post("/xapi/statements", json=body, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json[0]

    return send


def standing(user, module):
    row = db.session.scalar(
        sa.select(ModuleProgress).filter_by(user_id=user.id, module_id=module.id)
    )
    return None if row is None else (row.status, row.is_complete, row.best_score_scaled)


def awards(user):
    rows = db.session.scalars(sa.select(Award).filter_by(user_id=user.id).order_by(Award.id))
    return [(row.revoked_at is None, row.revocation_reason) for row in rows]


@pytest.mark.parametrize(
    ("verb", "result", "expected"),
    [
        ("completed", {"completion": True}, ("completed", True, None)),
        ("completed", {"completion": False}, None),
        ("completed", {"completion": False, "score": {"scaled": 0.3}}, ("in_progress", False, 0.3)),
        ("completed", {"completion": True, "success": False}, ("failed", False, None)),
        ("passed", {"success": False, "score": {"scaled": 0.2}}, ("failed", False, 0.2)),
        ("failed", {"score": {"scaled": 0.4}}, ("failed", False, 0.4)),
        ("passed", {"success": True, "score": {"scaled": 0.8}}, ("passed", True, 0.8)),
    ],
    ids=[
        "completed",
        "completion-false",
        "completion-false-scored",
        "success-false",
        "passed-success-false",
        "failed",
        "passed",
    ],
)
def test_the_result_decides_what_a_statement_completes(post, learner, verb, result, expected):
    version = make_published_credential([[PAGE]])
    post(statement(actor=ACTOR, verb=ADL + verb, activity=PAGE, result=result))
    assert standing(learner, version.modules[0]) == expected
    assert awards(learner) == ([(True, None)] if expected and expected[1] else [])


@pytest.mark.parametrize("vocabulary", [ADL, TINCAN], ids=["adl", "tincan"])
def test_uncompleted_reverses_a_completion_and_its_award_through_the_hooks(
    post, learner, monkeypatch, vocabulary
):
    version = make_published_credential([[PAGE]])
    revoked = []
    monkeypatch.setattr(
        records,
        "AWARD_REVOKED_HOOKS",
        [*records.AWARD_REVOKED_HOOKS, lambda user, award: revoked.append(award.id)],
    )
    post(statement(actor=ACTOR, verb=vocabulary + "completed", activity=PAGE))
    (award_id,) = db.session.scalars(sa.select(Award.id).filter_by(user_id=learner.id))
    post(statement(actor=ACTOR, verb=vocabulary + "uncompleted", activity=PAGE))
    assert standing(learner, version.modules[0]) == ("in_progress", False, None)
    assert awards(learner) == [(False, "completion reversed")]
    assert revoked == [award_id]
    post(statement(actor=ACTOR, verb=vocabulary + "completed", activity=PAGE))
    assert standing(learner, version.modules[0]) == ("completed", True, None)
    assert awards(learner) == [(False, "completion reversed"), (True, None)]


@pytest.mark.parametrize("kind", ["parent", "grouping"])
def test_a_quiz_attempt_counts_for_the_module_listing_its_quiz(post, learner, kind):
    version = make_published_credential([[QUIZ], [COURSE + "-unrelated"]])
    context = {
        "contextActivities": {
            "parent": [{"id": QUIZ}] if kind == "parent" else [],
            "grouping": [{"id": SITE}, {"id": COURSE}]
            + ([{"id": QUIZ}] if kind == "grouping" else []),
        }
    }
    if not context["contextActivities"]["parent"]:
        del context["contextActivities"]["parent"]
    post(
        statement(
            actor=ACTOR,
            verb=ADL + "passed",
            activity=ATTEMPT,
            result={"success": True, "completion": True, "score": {"scaled": 0.75}},
            context=context,
        )
    )
    quiz_module, other = version.modules
    assert (standing(learner, quiz_module), standing(learner, other)) == (
        ("passed", True, 0.75),
        None,
    )


def test_the_object_wins_over_its_context(post, learner):
    """A module listing the attempt's own URL takes it; the quiz's module does not."""
    version = make_published_credential([[ATTEMPT], [QUIZ]])
    post(
        statement(
            actor=ACTOR,
            verb=ADL + "completed",
            activity=ATTEMPT,
            context={"contextActivities": {"parent": [{"id": QUIZ}]}},
        )
    )
    by_attempt, by_quiz = version.modules
    assert (standing(learner, by_attempt), standing(learner, by_quiz)) == (
        ("completed", True, None),
        None,
    )
