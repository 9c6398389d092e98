"""`POST /api/v1/verify`: verify any Open Badges 3.0 or CLR 2.0 credential, for anyone.

The body is the credential JSON, `{"url": "https://..."}` (the credential is fetched from
there), or a baked PNG or SVG image (Content-Type image/png or image/svg+xml). The answer
is `{"verified": true|false, "checks": [{"check", "passed", "detail", "reason"}...],
"status", "kind", "credentialId", "issuer": {"id", "name" (as the credential names it), "known",
"knownAs" (the name this site knows it by)}, "checkedAt"}` with
200, whatever the verdict. A body that holds no credential at all (not JSON, an image
without one, a URL that cannot be fetched) is 400 problem+json, with the same `verified`
and `checks` members; larger than 2 MB is 413. Rate-limited per IP address (429 with
Retry-After). No session or cookie is read: nothing here acts for a signed-in user.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.exceptions import TooManyRequests

from pathways.accounts.permissions import protocol
from pathways.credentials import verification
from pathways.credentials import verifier
from pathways.db import transaction
from pathways.db import utcnow
from pathways.errors import problem

bp = Blueprint("verify_api", __name__)

IMAGE_TYPES = ("image/png", "image/svg+xml")


def _moment(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _input_problem(reason: str, detail: str, params: dict[str, Any]):
    response = problem(400, "Not a credential", detail, code=reason)
    body = response.get_json()
    body["verified"] = False
    body["checks"] = [
        {"check": "format", "passed": False, "reason": reason, "detail": detail, "params": params}
    ]
    response.set_data(current_app.json.dumps(body))
    return response


@bp.post("/api/v1/verify")
@protocol("public: anyone may verify a credential; no session or cookie is read")
def verify_credential():
    """Verify an Open Badges 3.0 or CLR 2.0 credential, from any issuer (public).

    Body: the credential JSON; or `{"url": "https://..."}` to verify the credential found
    there; or a baked badge image (Content-Type image/png or image/svg+xml). Answer (200,
    whatever the verdict): `verified` (true or false), `checks` (each with `check`,
    `passed` true/false/null, `detail` in plain words, `reason` code): format, schema, proof,
    issuer_key, valid_from, valid_until, revocation, suspension, nested, endorsements,
    issuer_known; `status` (active, revoked, suspended, expired, not_yet_valid,
    not_verified); `kind`; `credentialId`; `issuer` (`id`, `name` as the credential gives
    it, `known`, `knownAs`); `checkedAt`. A body holding no credential is 400
    problem+json (with `verified` false and a failed `format` check); over 2 MB, 413; more
    than VERIFY_RATE_LIMIT requests a minute from one address, 429 with Retry-After.
    """
    request.max_content_length = verification.MAX_INPUT_BYTES
    if request.content_length is not None and request.content_length > (
        verification.MAX_INPUT_BYTES
    ):
        raise RequestEntityTooLarge(
            f"A credential is at most {verification.MAX_INPUT_BYTES} bytes."
        )
    config = current_app.config
    with transaction():
        wait = verifier.count_request(
            f"verify:{request.remote_addr or 'unknown'}",
            limit=int(config["VERIFY_RATE_LIMIT"]),
            window_seconds=int(config["VERIFY_RATE_WINDOW"]),
            now=utcnow(),
        )
    if wait is not None:
        raise TooManyRequests(
            f"At most {config['VERIFY_RATE_LIMIT']} verifications per "
            f"{config['VERIFY_RATE_WINDOW']} seconds from one address; try again in "
            f"{wait} seconds.",
            retry_after=wait,
        )
    raw = request.get_data(cache=False)
    try:
        credential = verification.parse_input(raw)  # JSON text, or a baked PNG or SVG
        url = credential.get("url")
        if request.mimetype not in IMAGE_TYPES and set(credential) == {"url"}:
            credential = verifier.credential_from_url(url if isinstance(url, str) else "")
    except verification.InputError as error:
        return _input_problem(error.reason, str(error), error.params)
    except verifier.SourceError as error:
        return _input_problem(error.reason, str(error), error.params)
    now = utcnow()
    result = verifier.verify(credential, now=now)
    summary = verifier.summarise(result)
    return jsonify(
        {
            "verified": result.verified,
            "checks": [
                {
                    "check": check["check"],
                    "passed": check["passed"],
                    "detail": check["detail"],
                    "reason": check["reason"],
                }
                for check in verifier.checks_as_data(result.checks)
            ],
            "status": summary.status,
            "kind": summary.kind or None,
            "credentialId": summary.credential_ref or None,
            "issuer": {
                "id": summary.issuer_ref or None,
                "name": verifier.claimed_issuer_name(result.credential) or None,
                "known": summary.issuer_known,
                "knownAs": summary.issuer_name if summary.issuer_known else None,
            },
            "checkedAt": _moment(now),
        }
    )
