"""Records announce module completions and award revocations to their subscribers."""

from __future__ import annotations

import pytest

from pathways.records import services

pytestmark = pytest.mark.integration


def test_hook_lists_have_their_subscribers(app):
    from pathways.lti import services as lti_services
    from pathways.stacking import services as stacking_services

    assert lti_services.on_progress in services.PROGRESS_HOOKS
    assert lti_services.on_award in services.AWARD_HOOKS
    assert lti_services.on_award_revoked in services.AWARD_REVOKED_HOOKS
    assert stacking_services.on_award_changed in services.AWARD_HOOKS
    assert stacking_services.on_award_changed in services.AWARD_REVOKED_HOOKS


def test_module_completion_and_award_revocation_reach_the_hooks(client, monkeypatch):
    from tests.factories import make_user
    from tests.xapi.factories import lrs_headers
    from tests.xapi.factories import make_lrs_client
    from tests.xapi.factories import make_published_credential
    from tests.xapi.factories import statement

    first = "https://moodle.example/mod/page/view.php?id=201"
    second = "https://moodle.example/mod/quiz/view.php?id=202"
    completed, revoked = [], []
    monkeypatch.setattr(
        services,
        "MODULE_HOOKS",
        [lambda user, progress: completed.append((user.email, progress.module_id))],
    )
    monkeypatch.setattr(
        services,
        "AWARD_REVOKED_HOOKS",
        [lambda user, award: revoked.append((user.email, award.revocation_reason))],
    )
    version = make_published_credential([[first], [second]])
    make_user(email="hooked@example.com")
    headers = lrs_headers(make_lrs_client())
    actor = {"mbox": "mailto:hooked@example.com"}

    def post(body):
        response = client.post("/xapi/statements", json=body, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json

    post(statement(actor=actor, activity=first))
    post(statement(actor=actor, activity=first))  # a second completion is not a new one
    last = post(statement(actor=actor, activity=second))[0]
    module_ids = [module.id for module in sorted(version.modules, key=lambda m: m.position)]
    assert completed == [
        ("hooked@example.com", module_ids[0]),
        ("hooked@example.com", module_ids[1]),
    ]
    voiding = statement(actor=actor, verb="http://adlnet.gov/expapi/verbs/voided")
    post(voiding | {"object": {"objectType": "StatementRef", "id": last}})
    assert revoked == [("hooked@example.com", "voided statement")]
