"""No call to an LMS runs inside a database transaction.

The decisive case is a real one: Pathways sends a score, and the LMS (a real HTTP server
on 127.0.0.1, made in the test) posts an xAPI `completed` statement back to Pathways
before it answers, as Moodle does. Served over real HTTP from a database file on
SQLite, the statement must be stored while the outbox waits for the LMS's answer:
were the outbox's transaction still open, SQLite's write lock would hold the statement
for the busy timeout and answer it 500.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.lti import http
from tests.lti.factories import PlatformServer

pytestmark = pytest.mark.integration

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ACTIVITY = "https://moodle.example/mod/page/view.php?id=501"


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def file_app(tmp_path, app):
    """A second app on its own SQLite file, migrated, served threaded over HTTP.

    Its own database, not the suite's rolled-back transaction: the outbox (the test
    thread, like the scheduler process) and the LRS (a server thread, like a web worker)
    must hold separate connections to the file, as they do in production.
    """
    from flask_migrate import upgrade

    from pathways import create_app

    other = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pathways.db'}",
            "SECRET_KEY": "file-app-secret",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "MAIL_BACKEND": "memory",
            "LOG_LEVEL": "WARNING",
        }
    )
    server = make_server("127.0.0.1", 0, other, threaded=True, request_handler=_Quiet)
    other.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    with other.app_context():
        upgrade()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield other
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def _post_statement(base_url: str, key_id: str, secret: str, email: str) -> int:
    body = json.dumps(
        {
            "actor": {"mbox": f"mailto:{email}", "name": "Ada"},
            "verb": {"id": COMPLETED, "display": {"en": "completed"}},
            "object": {"id": ACTIVITY, "objectType": "Activity"},
            "result": {"completion": True},
        }
    ).encode()
    basic = base64.b64encode(f"{key_id}:{secret}".encode()).decode()
    request = urllib.request.Request(
        base_url + "/xapi/statements",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Basic {basic}",
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_an_lms_that_answers_a_score_with_a_statement_is_not_locked_out(file_app):
    from pathways.accounts import services as accounts
    from pathways.jobs import schedule
    from pathways.lti import services
    from pathways.lti.models import LtiOutbox
    from pathways.records.models import ModuleProgress
    from tests.xapi.factories import make_published_credential

    with PlatformServer() as fake, file_app.app_context():
        fake.add_key("k1")
        version = make_published_credential([[ACTIVITY], ["https://moodle.example/other"]])
        module, graded_module = version.modules
        with transaction():
            college = accounts.create_organisation("file-college", "File College", "college")
            lrs = accounts.create_api_client(college, "Moodle", ["xapi:write"], actor=None)
            key_id, secret = lrs.client.key_id, lrs.secret
            learner = accounts.create_user("ada@example.org", None, display_name="Ada")
            platform = services.create_platform(
                issuer=fake.issuer,
                client_id=fake.client_id,
                deployment_ids=[fake.deployment_id],
                auth_url=fake.base + "/auth",
                token_url=fake.base + "/token",
                jwks_url=fake.base + "/jwks",
                organisation=college,
                actor=None,
            )
            link = services.upsert_resource_link(
                platform=platform,
                context=None,
                resource_link_id="rl-file",
                title="Graded",
                target=("module", str(graded_module.id)),
            )
            services.upsert_grade_link(
                user=learner,
                link=link,
                lti_user_id="moodle-7",
                lineitem_url=fake.base + "/lineitems/1/lineitem",
            )
            services.on_progress(
                learner,
                SimpleNamespace(
                    module_id=graded_module.id,
                    status="passed",
                    is_complete=True,
                    best_score_scaled=0.8,
                    updated_at=utcnow(),
                ),
            )
            learner_id = learner.id
        callbacks = []
        fake.on_score = lambda score: callbacks.append(
            _post_statement(file_app.config["BASE_URL"], key_id, secret, "ada@example.org")
        )
        previous, schedule._app = schedule._app, file_app
        try:
            schedule.run_job("lti.outbox")
        finally:
            schedule._app = previous
        with transaction():
            row = db.session.scalar(sa.select(LtiOutbox))
            progress = db.session.scalar(
                sa.select(ModuleProgress).filter_by(user_id=learner_id, module_id=module.id)
            )
            assert (callbacks, [s["userId"] for s in fake.scores]) == ([200], ["moodle-7"])
            assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)
            assert (progress.status, progress.is_complete) == ("completed", True)


def test_an_outgoing_call_inside_a_transaction_is_refused(database):
    """The guard every LMS call goes through: a forgotten transaction fails loudly."""
    with transaction():
        db.session.execute(sa.select(1))
        with pytest.raises(RuntimeError, match="inside a database transaction"):
            http.request("GET", "http://127.0.0.1:9/never-sent")
    with pytest.raises(http.HttpFailure):  # outside one, it is sent (and fails: port 9)
        http.request("GET", "http://127.0.0.1:9/never-sent", timeout=1)
