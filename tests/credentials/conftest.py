"""`live_app`: the test's app served over real HTTP, for the oracle to resolve and fetch.

The server is werkzeug's, in a thread of the test process, serving the session's `app`
on a free 127.0.0.1 port, with BASE_URL (and SERVER_NAME) set to that address for the
test. It shares the `database` fixture's connection, so rows the test creates (with the
factories, inside its rolled-back transaction) are what the server reads, on SQLite and
on PostgreSQL alike; the usual rollback undoes them afterwards.

One request is served at a time, in the server thread, while the test thread waits (in
`node_verify` or urllib): the test must not touch the database while a request runs.
"""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def live_app(app, database, monkeypatch) -> str:
    """The URL (no trailing slash) of `app` served over HTTP; also its BASE_URL."""
    server = make_server("127.0.0.1", 0, app, threaded=False, request_handler=_QuietHandler)
    host = f"127.0.0.1:{server.server_port}"
    url = f"http://{host}"
    monkeypatch.setitem(app.config, "BASE_URL", url)
    monkeypatch.setitem(app.config, "SERVER_NAME", host)
    thread = threading.Thread(target=server.serve_forever, name="live_app", daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
