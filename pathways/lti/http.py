"""Outgoing HTTP to LMS platforms (JWKS, tokens, AGS, NRPS, outcomes), with a timeout.

The standard library's urllib, so no extra client is needed. Every call returns an
`HttpResponse` for any HTTP status; only network failures (refused connection,
timeout, bad URL) raise `HttpFailure`.

No request is sent while the app's database session is inside a transaction: a
platform that is slow, or that calls Pathways back before it answers, would hold the
transaction's locks meanwhile (`pathways.lti.calls` splits every call around it).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from flask import has_app_context

from pathways.db import db

DEFAULT_TIMEOUT = 10.0
MAX_BODY = 5 * 1024 * 1024
USER_AGENT = "Pathways-LTI/1.0"


class HttpFailure(Exception):
    """The platform could not be reached (network error, timeout, unusable URL)."""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body as JSON. :raises ValueError: not JSON."""
        return json.loads(self.body.decode("utf-8"))


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> HttpResponse:
    """Send one request; at most MAX_BODY bytes of the answer are read.

    :raises RuntimeError: a database transaction is open (a programming error).
    """
    if has_app_context() and db.session().in_transaction():
        raise RuntimeError(f"{method.upper()} {url} inside a database transaction")
    if not url.startswith(("https://", "http://")):
        raise HttpFailure(f"not an http(s) URL: {url!r}")
    prepared = urllib.request.Request(url, data=body, method=method.upper())
    prepared.add_header("User-Agent", USER_AGENT)
    for name, value in (headers or {}).items():
        prepared.add_header(name, value)
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as answer:  # noqa: S310 -- scheme checked
            return HttpResponse(
                answer.status,
                {k.lower(): v for k, v in answer.headers.items()},
                answer.read(MAX_BODY),
            )
    except urllib.error.HTTPError as error:
        with error:
            data = error.read(MAX_BODY) if error.fp is not None else b""
        return HttpResponse(error.code, {k.lower(): v for k, v in error.headers.items()}, data)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        raise HttpFailure(f"{method.upper()} {url}: {error}") from error
