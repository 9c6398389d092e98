"""multipart/mixed bodies of xAPI statements with attachments, and signed statements.

Parsing and building follow Communication 1.5.2: the first part is the statement JSON
(application/json), each further part carries `X-Experience-API-Hash` (the attachment's
sha2) and `Content-Transfer-Encoding: binary`. Signatures follow Data 2.6: a JWS in
compact serialisation, RS256/384/512, whose payload is the statement without its
signature attachment. Standard library only, plus `joserfc` when a signature's x5c
certificate is checked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
from dataclasses import dataclass

from pathways.xapi.statements import StatementError
from pathways.xapi.statements import same_statement

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
SIGNATURE_ALGORITHMS = frozenset({"RS256", "RS384", "RS512"})

_BOUNDARY_RE = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    content_type: str
    content: bytes
    sha2: str = ""


def media_type(content_type: str | None) -> str:
    """The lowercased media type of a Content-Type value, without parameters."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _headers(block: bytes, path: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in block.decode("latin-1").split("\r\n"):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise StatementError(path, f"malformed part header {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    return headers


def parse_multipart(body: bytes, content_type: str) -> tuple[bytes, list[Part]]:
    """Split a multipart/mixed statement request into the JSON and its attachment parts.

    :raises StatementError: no boundary, a malformed part, a first part that is not
        application/json, a part without `X-Experience-API-Hash`, a part whose
        `Content-Transfer-Encoding` is not binary, or a hash that does not match.
    """
    match = _BOUNDARY_RE.search(content_type)
    if match is None:
        raise StatementError("Content-Type", "multipart/mixed needs a boundary parameter")
    boundary = (match.group(1) or match.group(2)).encode("latin-1")
    delimiter = b"--" + boundary
    # Normalise bare LF line ends some clients send to CRLF, only in the framing.
    if b"\r\n" not in body and b"\n" in body:
        body = body.replace(b"\n", b"\r\n")
    chunks = body.split(delimiter)
    if len(chunks) < 3:
        raise StatementError("multipart", "needs at least one part and a closing boundary")
    parts: list[tuple[dict[str, str], bytes]] = []
    for index, chunk in enumerate(chunks[1:], start=0):
        if chunk.startswith(b"--"):
            break
        if not chunk.startswith(b"\r\n"):
            raise StatementError(f"multipart[{index}]", "boundary not followed by CRLF")
        head, sep, content = chunk[2:].partition(b"\r\n\r\n")
        if not sep:
            # A part with no headers: the blank line comes first.
            if chunk[2:].startswith(b"\r\n"):
                head, content = b"", chunk[4:]
            else:
                raise StatementError(f"multipart[{index}]", "part has no header/body separator")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        parts.append((_headers(head, f"multipart[{index}]"), content))
    else:
        raise StatementError("multipart", "missing the closing boundary")
    if not parts:
        raise StatementError("multipart", "has no parts")
    first_headers, first = parts[0]
    if media_type(first_headers.get("content-type")) != "application/json":
        raise StatementError("multipart[0]", "the first part must be application/json")
    attachments: list[Part] = []
    for index, (headers, content) in enumerate(parts[1:], start=1):
        path = f"multipart[{index}]"
        sha2 = headers.get("x-experience-api-hash")
        if not sha2:
            raise StatementError(path, "X-Experience-API-Hash header is required")
        encoding = headers.get("content-transfer-encoding")
        if encoding is None or encoding.lower() != "binary":
            raise StatementError(path, "Content-Transfer-Encoding must be binary")
        if hashlib.sha256(content).hexdigest() != sha2.lower():
            raise StatementError(path, "X-Experience-API-Hash does not match the content")
        attachments.append(
            Part(headers.get("content-type", "application/octet-stream"), content, sha2.lower())
        )
    return first, attachments


def build_multipart(json_bytes: bytes, parts: list[Part]) -> tuple[bytes, str]:
    """A multipart/mixed response body: the JSON first, then each attachment once."""
    boundary = "xapi-" + secrets.token_hex(12)
    out = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
        json_bytes,
        b"\r\n",
    ]
    for part in parts:
        out.append(
            (
                f"--{boundary}\r\nContent-Type: {part.content_type}\r\n"
                f"Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {part.sha2}\r\n\r\n"
            ).encode()
        )
        out.append(part.content)
        out.append(b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f'multipart/mixed; boundary="{boundary}"'


def _b64(segment: str, path: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise StatementError(path, "is not base64url") from None


def check_signature(statement: dict, jws: bytes, path: str) -> None:
    """Check a signature attachment's JWS against its statement (Data 2.6).

    The JWS must be compact (three base64url segments), its header's `alg` one of
    RS256/RS384/RS512, and its payload a JSON statement matching `statement` without
    the signature attachment. When the header carries an `x5c` chain, the signature is
    verified with its first certificate.

    :raises StatementError: any of these fails.
    """
    try:
        text = jws.decode("ascii").strip()
    except UnicodeDecodeError:
        raise StatementError(path, "signature is not a JWS compact serialisation") from None
    segments = text.split(".")
    if len(segments) != 3 or not all(segments):
        raise StatementError(path, "signature is not a JWS compact serialisation")
    try:
        header = json.loads(_b64(segments[0], f"{path}.header"))
        payload = json.loads(_b64(segments[1], f"{path}.payload"))
    except (ValueError, UnicodeDecodeError):
        raise StatementError(path, "JWS header and payload must be JSON") from None
    if not isinstance(header, dict) or header.get("alg") not in SIGNATURE_ALGORITHMS:
        raise StatementError(f"{path}.header.alg", "must be RS256, RS384 or RS512")
    if not isinstance(payload, dict):
        raise StatementError(f"{path}.payload", "must be a statement")
    unsigned = dict(statement)
    others = [
        a for a in statement.get("attachments") or [] if a.get("usageType") != SIGNATURE_USAGE
    ]
    if others:
        unsigned["attachments"] = others
    else:
        unsigned.pop("attachments", None)
    payload = dict(payload)
    payload.pop("attachments", None)
    unsigned.pop("attachments", None)
    if not same_statement(payload, unsigned):
        raise StatementError(f"{path}.payload", "does not match the statement")
    if header.get("x5c"):
        _verify_x5c(text, header, path)


def _verify_x5c(text: str, header: dict, path: str) -> None:
    from cryptography import x509  # noqa: PLC0415 -- only for signed statements with x5c
    from joserfc import jws  # noqa: PLC0415
    from joserfc.errors import JoseError  # noqa: PLC0415
    from joserfc.jwk import RSAKey  # noqa: PLC0415

    try:
        chain = header["x5c"]
        der = base64.b64decode(chain[0])
        certificate = x509.load_der_x509_certificate(der)
        key = RSAKey.import_key(certificate.public_key())
        jws.deserialize_compact(text, key, algorithms=[header["alg"]])
    except (JoseError, ValueError, TypeError, KeyError, IndexError):
        raise StatementError(
            f"{path}.signature", "does not verify with the x5c certificate"
        ) from None
