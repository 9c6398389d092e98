"""Structured (JSON lines) logs to stderr, each stamped with the request id."""

from __future__ import annotations

import json
import logging
import sys
import uuid
from datetime import UTC
from datetime import datetime

from flask import Flask
from flask import g
from flask import has_request_context
from flask import request

# Attributes every LogRecord has; anything else was passed through `extra=` and is logged.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = g.get("request_id")
            entry["method"] = request.method
            entry["path"] = request.path
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "pathways", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.pathways = True
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Alembic announces each of its plugins at INFO on every run; that is noise here.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def init_request_ids(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        # Accept a caller's id only when it is short and plain; otherwise make one.
        if incoming and len(incoming) <= 64 and incoming.replace("-", "").isalnum():
            g.request_id = incoming
        else:
            g.request_id = uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response):
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response
