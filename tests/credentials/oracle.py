"""The independent credential verifier: Digital Bazaar's JavaScript libraries under Node.

`node_verify` runs `tests/oracle/verify.mjs` (built on @digitalbazaar/vc, data-integrity
and eddsa-rdfc-2022-cryptosuite, pinned by tests/oracle/package-lock.json) so that the
tests check our credentials with code that shares nothing with pathways/credentials.
`make oracle` (a prerequisite of `make test`) installs it with `npm ci`.

The result is verify.mjs's JSON: `verified` (proofs and VC data-model checks, status
not included), `errors`, `proofs`, `status` (one report per credentialStatus entry when
`check_status`), `status_verified`, and `nested` when asked for.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ORACLE_DIR = ROOT / "tests" / "oracle"
SCRIPT = ORACLE_DIR / "verify.mjs"
TIMEOUT_SECONDS = 60


class OracleUnavailable(RuntimeError):
    """Node or the oracle's npm packages are missing."""


class OracleFailed(RuntimeError):
    """verify.mjs crashed or printed something that is not its JSON result."""


def node_verify(
    credential: dict[str, Any],
    *,
    base_url: str | None = None,
    documents: dict[str, Any] | None = None,
    check_status: bool = False,
    nested: bool = False,
    now: str | None = None,
) -> dict[str, Any]:
    """Verify `credential` with the oracle; returns its JSON result (see the module doc).

    `base_url` is the app under test (did:web DIDs of its host and URLs under it are
    fetched from it); `documents` maps URLs to static documents (controller documents,
    status lists); `now` (XMLSchema dateTime) is the time validity dates are checked at.
    """
    request: dict[str, Any] = {"credential": credential, "check_status": check_status}
    if base_url is not None:
        request["base_url"] = base_url
    if documents:
        request["documents"] = documents
    if nested:
        request["nested"] = True
    if now is not None:
        request["now"] = now
    result = run_script(SCRIPT, request)
    if result.get("fatal"):
        raise OracleFailed(f"verify.mjs failed: {result.get('errors')}")
    return result


def run_script(script: Path, request: dict[str, Any]) -> dict[str, Any]:
    """Run one of the oracle's Node scripts on a JSON request; its last stdout line is JSON.

    :raises OracleUnavailable: node or the npm packages are missing.
    :raises OracleFailed: the script timed out or printed no JSON result.
    """
    node = shutil.which("node")
    if node is None:
        raise OracleUnavailable("node is not installed; the credential oracle needs Node.js 20")
    if not (ORACLE_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        raise OracleUnavailable(
            "the oracle's npm packages are missing: run `make oracle` "
            "(npm ci --prefix tests/oracle)"
        )
    try:
        completed = subprocess.run(
            [node, str(script)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            cwd=ORACLE_DIR,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise OracleFailed(f"{script.name} took longer than {TIMEOUT_SECONDS}s") from exc
    lines = completed.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError) as exc:
        raise OracleFailed(
            f"{script.name} exited {completed.returncode} without a result; "
            f"stdout: {completed.stdout[-2000:]!r} stderr: {completed.stderr[-2000:]!r}"
        ) from exc
