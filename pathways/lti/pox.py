"""LTI 1.1 Basic Outcomes: the POX (plain old XML) messages, built and parsed safely.

A tool sends ``replaceResult``, ``readResult`` or ``deleteResult`` requests to
the ``lis_outcome_service_url`` (signed with
:func:`pathways.lti.oauth1.sign_outcome_request`) and reads the platform's
``imsx_POXEnvelopeResponse``. Scores are decimals from 0.0 to 1.0, the spec's
only range.

Every document is read by one hardened lxml parser configuration (no entity
resolution, no network, no DTD loading, no huge trees), and any document with
a DOCTYPE or an ENTITY declaration is refused before it reaches the parser:
POX never needs one, and that is where XXE and "billion laughs" live. Input
larger than :data:`MAX_POX_BYTES` or not UTF-8 (a NUL byte betrays UTF-16/32,
which would hide a DOCTYPE from the byte check) is refused too. Anything
malformed or hostile raises :class:`PoxError`.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

NS = "http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0"
POX_VERSION = "V1.0"
MAX_POX_BYTES = 64 * 1024
OPERATIONS = ("replaceResult", "readResult", "deleteResult")
CODE_MAJOR = frozenset({"success", "processing", "failure", "unsupported"})
SEVERITY = frozenset({"status", "warning", "error"})

_DECIMAL = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_local = threading.local()


class PoxError(ValueError):
    """A POX document or value that is malformed, hostile or out of the spec's range."""


@dataclass(frozen=True, slots=True)
class PoxRequest:
    """One Basic Outcomes request; ``score`` and ``text`` only for ``replaceResult``."""

    message_id: str
    operation: str
    sourcedid: str
    score: float | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class PoxResponse:
    """The platform's answer; ``score`` is read back by ``readResult`` (``None`` if unset)."""

    code_major: str
    severity: str
    description: str | None
    message_ref: str | None
    operation: str | None
    score: float | None = None
    message_id: str | None = None

    @property
    def is_success(self) -> bool:
        return self.code_major == "success"


# --- the hardened parser --------------------------------------------------------------


def _parser() -> etree.XMLParser:
    # lxml parsers must not be shared between threads: one per thread, one configuration.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
        )
        _local.parser = parser
    return parser


def parse_xml(xml: bytes) -> etree._Element:
    """Parse untrusted POX bytes with the hardened parser and return the root element.

    :raises PoxError: not bytes, too large, not UTF-8, a DOCTYPE or ENTITY
        declaration, or not well-formed.
    """
    if not isinstance(xml, bytes | bytearray):
        raise PoxError("a POX document must be bytes")
    if len(xml) > MAX_POX_BYTES:
        raise PoxError(f"POX document larger than {MAX_POX_BYTES} bytes")
    if b"\x00" in xml:
        raise PoxError("POX documents must be UTF-8")
    upper = bytes(xml).upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise PoxError("POX documents may not declare a DOCTYPE or entities")
    try:
        root = etree.fromstring(bytes(xml), _parser())
    except etree.XMLSyntaxError as error:
        raise PoxError(f"malformed POX document: {error}") from error
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise PoxError("POX documents may not declare a DOCTYPE or entities")
    return root


def _local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def _child(element: etree._Element, name: str) -> etree._Element | None:
    # Match on local names: some platforms answer without the imsoms namespace.
    for child in element:
        if isinstance(child.tag, str) and _local_name(child) == name:
            return child
    return None


def _path(element: etree._Element, *names: str) -> etree._Element | None:
    current: etree._Element | None = element
    for name in names:
        if current is None:
            return None
        current = _child(current, name)
    return current


def _text(element: etree._Element, *names: str) -> str | None:
    found = _path(element, *names)
    if found is None or found.text is None:
        return None
    return found.text.strip()


def _first_element(element: etree._Element | None) -> etree._Element | None:
    if element is None:
        return None
    for child in element:
        if isinstance(child.tag, str):
            return child
    return None


# --- scores ------------------------------------------------------------------------------


def _check_score(score: float) -> float:
    if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score):
        raise PoxError(f"score must be a finite number, got {score!r}")
    if not 0.0 <= score <= 1.0:
        raise PoxError(f"score must be between 0.0 and 1.0 (LTI 1.1 Basic Outcomes), got {score!r}")
    return float(score)


def _format_score(score: float) -> str:
    # Shortest decimal that round-trips, never in exponent form (1e-05 is not a decimal).
    text = format(Decimal(repr(_check_score(score))), "f")
    return text if "." in text else text + ".0"


def _parse_score(text: str | None, *, required: bool) -> float | None:
    if text is None or text == "":
        if required:
            raise PoxError("replaceResult needs a resultScore textString")
        return None
    if not _DECIMAL.fullmatch(text):
        raise PoxError(f"score {text!r} is not a decimal number")
    return _check_score(float(text))


# --- building ------------------------------------------------------------------------------


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _q(name))
    if text is not None:
        element.text = text
    return element


def _serialise(root: etree._Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="utf-8")


def _check_id(value: str, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PoxError(f"{name} is required")
    return value


def _request(
    message_id: str, operation: str, sourcedid: str
) -> tuple[etree._Element, etree._Element]:
    root = etree.Element(_q("imsx_POXEnvelopeRequest"), nsmap={None: NS})
    info = _sub(_sub(root, "imsx_POXHeader"), "imsx_POXRequestHeaderInfo")
    _sub(info, "imsx_version", POX_VERSION)
    _sub(info, "imsx_messageIdentifier", _check_id(message_id, "message_id"))
    record = _sub(_sub(_sub(root, "imsx_POXBody"), f"{operation}Request"), "resultRecord")
    _sub(_sub(record, "sourcedGUID"), "sourcedId", _check_id(sourcedid, "sourcedid"))
    return root, record


def build_replace_result(
    message_id: str, sourcedid: str, score: float, text: str | None = None
) -> bytes:
    """A ``replaceResultRequest`` setting ``sourcedid``'s score (0.0..1.0).

    ``text`` goes in ``resultData/text``, the outcomes extension some
    platforms show as feedback; others ignore it.

    :raises PoxError: score out of 0.0..1.0 or not a finite number; empty ids.
    """
    formatted = _format_score(score)
    root, record = _request(message_id, "replaceResult", sourcedid)
    result = _sub(record, "result")
    result_score = _sub(result, "resultScore")
    _sub(result_score, "language", "en")
    _sub(result_score, "textString", formatted)
    if text is not None:
        _sub(_sub(result, "resultData"), "text", text)
    return _serialise(root)


def build_read_result(message_id: str, sourcedid: str) -> bytes:
    """A ``readResultRequest`` for ``sourcedid``."""
    root, _record = _request(message_id, "readResult", sourcedid)
    return _serialise(root)


def build_delete_result(message_id: str, sourcedid: str) -> bytes:
    """A ``deleteResultRequest`` for ``sourcedid``."""
    root, _record = _request(message_id, "deleteResult", sourcedid)
    return _serialise(root)


def build_response(
    *,
    message_id: str,
    message_ref: str,
    operation: str,
    code_major: str = "success",
    severity: str = "status",
    description: str | None = None,
    score: float | None = None,
) -> bytes:
    """An ``imsx_POXEnvelopeResponse`` as a platform sends it (tests, a platform stub).

    ``score`` is only written for a successful ``readResult``.

    :raises PoxError: unknown operation, code or severity; score out of range.
    """
    if operation not in OPERATIONS:
        raise PoxError(f"unknown operation {operation!r}")
    if code_major not in CODE_MAJOR:
        raise PoxError(f"unknown imsx_codeMajor {code_major!r}")
    if severity not in SEVERITY:
        raise PoxError(f"unknown imsx_severity {severity!r}")
    root = etree.Element(_q("imsx_POXEnvelopeResponse"), nsmap={None: NS})
    info = _sub(_sub(root, "imsx_POXHeader"), "imsx_POXResponseHeaderInfo")
    _sub(info, "imsx_version", POX_VERSION)
    _sub(info, "imsx_messageIdentifier", _check_id(message_id, "message_id"))
    status = _sub(info, "imsx_statusInfo")
    _sub(status, "imsx_codeMajor", code_major)
    _sub(status, "imsx_severity", severity)
    _sub(status, "imsx_description", description or "")
    _sub(status, "imsx_messageRefIdentifier", message_ref)
    _sub(status, "imsx_operationRefIdentifier", operation)
    body = _sub(_sub(root, "imsx_POXBody"), f"{operation}Response")
    if operation == "readResult" and score is not None:
        result_score = _sub(_sub(body, "result"), "resultScore")
        _sub(result_score, "language", "en")
        _sub(result_score, "textString", _format_score(score))
    return _serialise(root)


# --- parsing ---------------------------------------------------------------------------------


def parse_request(xml: bytes) -> PoxRequest:
    """Read an ``imsx_POXEnvelopeRequest`` (what a platform receives).

    :raises PoxError: hostile or malformed XML, an unknown operation, a missing
        message id or sourcedId, a replaceResult score missing or outside 0.0..1.0.
    """
    root = parse_xml(xml)
    if _local_name(root) != "imsx_POXEnvelopeRequest":
        raise PoxError(f"expected imsx_POXEnvelopeRequest, got {_local_name(root)}")
    message_id = _text(
        root, "imsx_POXHeader", "imsx_POXRequestHeaderInfo", "imsx_messageIdentifier"
    )
    if not message_id:
        raise PoxError("imsx_messageIdentifier is required")
    body = _first_element(_child(root, "imsx_POXBody"))
    name = _local_name(body) if body is not None else ""
    operation = name.removesuffix("Request")
    if body is None or not name.endswith("Request") or operation not in OPERATIONS:
        raise PoxError(f"unsupported POX operation {name!r}")
    sourcedid = _text(body, "resultRecord", "sourcedGUID", "sourcedId")
    if not sourcedid:
        raise PoxError("sourcedId is required")
    score = None
    text = None
    if operation == "replaceResult":
        score = _parse_score(
            _text(body, "resultRecord", "result", "resultScore", "textString"), required=True
        )
        data = _path(body, "resultRecord", "result", "resultData", "text")
        text = data.text if data is not None else None
    return PoxRequest(message_id, operation, sourcedid, score, text)


def parse_response(xml: bytes) -> PoxResponse:
    """Read a platform's ``imsx_POXEnvelopeResponse``.

    :raises PoxError: hostile or malformed XML, no status, an unknown code or
        severity, a read score that is not a decimal in 0.0..1.0.
    """
    root = parse_xml(xml)
    if _local_name(root) != "imsx_POXEnvelopeResponse":
        raise PoxError(f"expected imsx_POXEnvelopeResponse, got {_local_name(root)}")
    info = _path(root, "imsx_POXHeader", "imsx_POXResponseHeaderInfo")
    status = _child(info, "imsx_statusInfo") if info is not None else None
    if info is None or status is None:
        raise PoxError("the response has no imsx_statusInfo")
    code_major = _text(status, "imsx_codeMajor")
    severity = _text(status, "imsx_severity")
    if code_major not in CODE_MAJOR:
        raise PoxError(f"unknown imsx_codeMajor {code_major!r}")
    if severity not in SEVERITY:
        raise PoxError(f"unknown imsx_severity {severity!r}")
    body = _first_element(_child(root, "imsx_POXBody"))
    operation = _text(status, "imsx_operationRefIdentifier") or None
    if operation is None and body is not None and _local_name(body).endswith("Response"):
        operation = _local_name(body).removesuffix("Response")
    score = None
    if body is not None and _local_name(body) == "readResultResponse":
        score = _parse_score(_text(body, "result", "resultScore", "textString"), required=False)
    return PoxResponse(
        code_major=code_major,
        severity=severity,
        description=_text(status, "imsx_description") or None,
        message_ref=_text(status, "imsx_messageRefIdentifier") or None,
        operation=operation,
        score=score,
        message_id=_text(info, "imsx_messageIdentifier") or None,
    )
