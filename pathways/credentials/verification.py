"""Verify any Open Badges 3.0 or CLR 2.0 credential, ours or not: a list of checks in plain words.

`verify_credential` never raises: every outcome, hostile input included, is a `Check` with a
machine id (`check`), a result (`passed`: True, False, or None when it does not apply), a
reason code, English `detail` made from `MESSAGES[reason].format(**params)`, and the
`params`, so a page can translate by reason. The checks, in order:

- format: a JSON object with a VC 2.0 (or VC 1.1) `@context` list naming only contexts this
  site ships (never fetched; an inline context object is refused, as it could redefine
  terms, here or anywhere in the document), a credential `type`, an issuer and a subject.
- schema: the official JSON Schemas shipped in `schemas/` (never fetched), with the shape
  adjustments the published schemas need (see `check_schema`).
- proof: every Data Integrity proof (`eddsa-rdfc-2022`), its key found through did:key,
  did:web or an https controller document that lists it as an assertion method; a key
  marked `revoked` does not vouch for proofs made after that moment.
- issuer_key: the key's controller is the credential's issuer.
- valid_from, valid_until: the validity period (VC 1.1 issuanceDate/expirationDate too).
  Expired is not revoked: it is reported as its own check.
- revocation, suspension: Bitstring Status List entries (and the legacy StatusList2021),
  whose list credential must be signed by the same issuer; a list that cannot be fetched or
  checked fails the check ("could not be checked"), it never passes silently.
- nested: each credential a CLR holds, verified the same way (two levels at most).
- endorsements: embedded endorsement credentials (informative, not part of `verified`).
- issuer_known: whether this site knows the issuer (informative, not part of `verified`).

Pure: no Flask, no database. Network access goes through a `Fetcher` the caller passes
(`fetching.SafeHttpFetcher` for a public page).
"""

from __future__ import annotations

import copy
import json
import logging
import math
import re
import struct
import threading
import xml.etree.ElementTree as ElementTree
import zlib
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pyld.canon
import referencing
import referencing.exceptions
from cryptography.exceptions import InvalidSignature

from pathways.credentials import did as did_web
from pathways.credentials import jsonld
from pathways.credentials import multikey
from pathways.credentials import signing
from pathways.credentials import status_list
from pathways.credentials.fetching import Fetcher
from pathways.credentials.fetching import FetchError

log = logging.getLogger(__name__)

# --- limits ------------------------------------------------------------------------------

MAX_INPUT_BYTES = 2_000_000  # an uploaded or pasted credential (JSON or baked image)
MAX_NESTING = 48  # JSON levels; real credentials (a CLR holding badges) use about 15
MAX_VALUES = 100_000  # JSON values in one credential
# pyld merges each property's values with a pairwise duplicate test, so its time grows with
# the square of a list's length (2,000 items: 12 s): the squares of list lengths (and of the
# number of different objects sharing one id, which merge too) may add up to this, i.e. one
# list of 500 items.
MAX_LIST_WORK = 250_000
MAX_CREDENTIAL_DEPTH = 2  # a CLR (0) holds credentials (1) that hold endorsements (2)
MAX_NESTED = 100  # credentials held by one credential (CLR items plus endorsements)
MAX_PROOFS = 3  # each proof canonicalises the whole document again
MAX_STATUS_ENTRIES = 8
MAX_FETCHES = 100  # documents fetched for one verification, nested credentials included
# RDFC-1.0 permutations of interchangeable blank nodes for one verification: credentials as
# issued need none; a few kilobytes of identical unnamed nodes can need billions.
MAX_PERMUTATIONS = 5_000
STATUS_LIST_MAX_BYTES = 2 * 1024 * 1024  # 16.7 million entries, decompressed

# --- kinds -------------------------------------------------------------------------------

OPEN_BADGE = "OpenBadgeCredential"
CLR = "ClrCredential"
ENDORSEMENT = "EndorsementCredential"
# `type` value -> kind reported (AchievementCredential is OB 3.0's other name for the same).
KINDS = {
    "OpenBadgeCredential": OPEN_BADGE,
    "AchievementCredential": OPEN_BADGE,
    "ClrCredential": CLR,
    "EndorsementCredential": ENDORSEMENT,
}
STATUS_ENTRY_TYPES = ("BitstringStatusListEntry", "StatusList2021Entry")
STATUS_LIST_TYPES = ("BitstringStatusListCredential", "StatusList2021Credential")
KEY_TYPES = ("Multikey", "Ed25519VerificationKey2020")

# --- messages: reason code -> English text; `params` fill the placeholders ---------------

MESSAGES: dict[str, str] = {
    # format
    "format_ok": "a well-formed {kind} (Verifiable Credentials {vc_version})",
    "not_object": "the credential is not a JSON object",
    "vc_jwt": (
        "the credential is a VC-JWT (a signed token), which this verifier does not check: it "
        "checks credentials with an embedded Data Integrity proof (eddsa-rdfc-2022)"
    ),
    "too_deep": "the credential is nested more than {limit} levels deep",
    "too_large": "the credential holds more than {limit} values",
    "too_long": (
        "the credential's lists are too long for this verifier (about {limit} items in one "
        "list at most)"
    ),
    "not_json_value": "the credential holds something that is not a JSON value, at {path}",
    "context_missing": "@context is missing or is not a list",
    "context_first": "@context must start with {expected}",
    "context_inline": (
        "@context holds an inline definition at {path}; only the published contexts this "
        "verifier ships are accepted, because an inline context could change what the "
        "signed terms mean"
    ),
    "context_unknown": "uses a context this verifier does not know: {url}",
    "type_unknown": "type must include VerifiableCredential and one of {kinds}; it is {types}",
    "issuer_missing": "issuer must be a URL or DID, or an object whose id is one",
    "subject_missing": "credentialSubject is missing or is not an object",
    "too_nested": "credentials nested more than {limit} levels deep are not checked",
    "not_checked": "not checked: the credential is not in a form this verifier reads",
    # schema
    "schema_ok": "conforms to {schemas}{notes}",
    "schema_failed": "does not conform to {schema}: {errors}",
    # proof
    "proof_ok": "the signature matches: signed with the key {method}",
    "proof_missing": "the credential has no proof (it is not signed)",
    "proof_malformed": "proof must be an object or a list of objects",
    "too_many_proofs": "the credential has more than {limit} proofs",
    "proof_unsupported": (
        "proof type {suite} is not supported: this verifier checks DataIntegrityProof proofs "
        "with the eddsa-rdfc-2022 cryptosuite (Ed25519 keys); VC-JWT, "
        "Ed25519Signature2020 and ECDSA proofs are not supported"
    ),
    "proof_purpose": "the proof's purpose is {purpose}, not assertionMethod",
    "proof_no_method": "the proof names no verification method",
    "proof_bad_created": "the proof's creation time is not a date and time: {value}",
    "proof_expired": "the proof expired on {date}",
    "signature_mismatch": (
        "the signature does not match: the credential was changed after it was signed, "
        "or it was signed with another key"
    ),
    "proof_invalid": "the proof does not verify: {error}",
    "proof_too_costly": (
        "the credential was not checked: it holds so many interchangeable unnamed parts that "
        "putting it in canonical form would take too long"
    ),
    "method_unsupported": (
        "the key {method} cannot be looked up: only did:key, did:web and https addresses "
        "are supported"
    ),
    "key_unreachable": "the key {method} could not be retrieved: {error}",
    "key_document_invalid": "the document for the key {method} is not usable: {error}",
    "key_not_found": "{document} does not list the key {method}",
    "key_type_unsupported": (
        "the key {method} is of type {type}; only Ed25519 keys written as Multikey or "
        "Ed25519VerificationKey2020 (publicKeyMultibase) are supported"
    ),
    "key_not_assertion": (
        "{controller} does not list the key {method} as one it issues credentials with "
        "(assertionMethod)"
    ),
    "key_controller": "the key {method} is controlled by {controller}, not by {did}",
    "key_retired": (
        "the key {method} was retired on {revoked}; this proof was made on {created}, after that"
    ),
    "key_retired_undated": (
        "the key {method} was retired on {revoked} and the proof does not say when it was made"
    ),
    # issuer_key
    "issuer_key_ok": "the signing key belongs to the issuer, {issuer}",
    "issuer_key_mismatch": "the signing key belongs to {controller}, not to the issuer {issuer}",
    "issuer_key_skipped": "not checked: the proof did not verify",
    # dates
    "valid_from_ok": "valid from {date}",
    "not_yet_valid": "not valid yet: valid from {date}",
    "valid_from_missing": "the credential does not say from when it is valid",
    "date_unreadable": "{field} is not a date and time: {value}",
    "valid_until_none": "no end date: the credential does not expire",
    "valid_until_ok": "valid until {date}",
    "expired": "expired on {date}",
    # revocation, suspension
    "status_none": "the credential has no {purpose} status entry",
    "status_skipped": "not checked: status checks were turned off",
    "not_revoked": "not revoked (checked against {url})",
    "revoked": "revoked by its issuer",
    "not_suspended": "not suspended (checked against {url})",
    "suspended": "suspended by its issuer",
    "status_unreachable": (
        "could not be checked: the status list {url} could not be fetched: {error}"
    ),
    "status_entry_malformed": (
        "could not be checked: a {purpose} status entry is malformed: {error}"
    ),
    "status_type_unsupported": (
        "could not be checked: status entries of type {type} are not supported (only "
        "BitstringStatusListEntry and StatusList2021Entry)"
    ),
    "status_list_invalid": (
        "could not be checked: {url} is not a usable status list credential: {error}"
    ),
    "status_list_proof": "could not be checked: the status list {url} does not verify: {error}",
    "status_list_issuer": (
        "could not be checked: the status list {url} is issued by {list_issuer}, not by the "
        "credential's issuer {issuer}"
    ),
    "status_list_signer": (
        "could not be checked: the status list {url} is signed by {controller}, not by the "
        "credential's issuer {issuer}"
    ),
    "status_list_expired": "could not be checked: the status list {url} expired on {date}",
    "status_purpose_mismatch": (
        "could not be checked: the status list {url} is for {list_purpose}, not {purpose}"
    ),
    "status_index_invalid": "could not be checked: index {index} is outside the status list {url}",
    # nested, endorsements
    "nested_none": "the credential holds no other credentials",
    "nested_ok": "all {count} credentials it holds verify",
    "nested_failed": "{failed} of the {count} credentials it holds do not verify",
    "nested_malformed": "credentialSubject.verifiableCredential must be a list of credentials",
    "nested_too_many": (
        "the credential holds more than {limit} credentials; this verifier checks at most {limit}"
    ),
    "endorsements_none": "no endorsements",
    "endorsements_ok": "all {count} endorsements verify",
    "endorsements_failed": "{failed} of the {count} endorsements do not verify",
    # issuer_known
    "issuer_known": "the issuer is {name}, known to this site",
    "issuer_unknown": "the issuer is not one this site knows",
    "issuer_list_absent": "not checked: no list of known issuers was given",
    # anything unforeseen
    "internal_error": "the verifier could not finish checking this credential ({error})",
}

# Shape adjustments made before schema validation, as the published schemas need them.
ADJUSTMENTS: dict[str, str] = {
    "proof_as_list": "a proof given as an object was checked as a one-element list",
    "status_as_list": "each credentialStatus entry of a list was checked on its own",
    "vc1_as_vc2": "VC 1.1 issuanceDate and expirationDate were read as validFrom and validUntil",
    "clr_draft_dates": (
        "validFrom and validUntil were read as issuanceDate and expirationDate, the names of "
        "the pre-final CLR 2.0 schema"
    ),
    "clr_draft_status": (
        "credentialStatus entries were checked against the Open Badges 3.0 definition, as the "
        "pre-final CLR 2.0 schema allows nothing but id and type in them"
    ),
}

INPUT_MESSAGES: dict[str, str] = {
    "input_empty": "the file is empty",
    "input_too_large": "the file is larger than {limit} bytes",
    "input_not_json": "the file is not JSON, nor a PNG or SVG badge image ({error})",
    "input_too_deep": "the JSON is nested too deeply",
    "input_not_object": "the JSON is not a credential (it is not an object)",
    "input_png_damaged": "the PNG image is damaged ({error})",
    "input_png_none": (
        "the PNG image holds no Open Badges 3.0 credential (no iTXt chunk 'openbadgecredential')"
    ),
    "input_svg_invalid": "the SVG image is not well-formed XML ({error})",
    "input_svg_doctype": "SVG images with a DOCTYPE are not accepted",
    "input_svg_none": (
        "the SVG image holds no Open Badges 3.0 credential (no openbadges:credential element)"
    ),
    "input_ob2": (
        "this is an Open Badges 2.0 badge; this verifier checks Open Badges 3.0 and "
        "CLR 2.0 credentials"
    ),
    "input_jwt": MESSAGES["vc_jwt"],
}

CHECK_IDS = (
    "format",
    "schema",
    "proof",
    "issuer_key",
    "valid_from",
    "valid_until",
    "revocation",
    "suspension",
    "nested",
    "endorsements",
    "issuer_known",
)
# Checks that must pass; the others (apart from the informative ones) must not fail.
MUST_PASS = frozenset({"format", "schema", "proof", "issuer_key"})
INFORMATIVE = frozenset({"endorsements", "issuer_known"})


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One check: `passed` is None when it does not apply or could not start."""

    check: str
    passed: bool | None
    reason: str
    detail: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VerificationResult:
    verified: bool
    checks: list[Check]
    credential: dict[str, Any] | None
    issuer_id: str | None
    kind: str | None  # OpenBadgeCredential (also for AchievementCredential), ClrCredential, ...
    nested: list[VerificationResult] = field(default_factory=list)

    def check(self, check_id: str) -> Check | None:
        return next((c for c in self.checks if c.check == check_id), None)


def _check(check_id: str, passed: bool | None, reason: str, **params: Any) -> Check:
    return Check(check_id, passed, reason, MESSAGES[reason].format(**params), params)


class InputError(ValueError):
    """What was given is not a credential this verifier can read; `reason` and `params` as
    for a `Check` (texts in `INPUT_MESSAGES`)."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(INPUT_MESSAGES[reason].format(**params))
        self.reason = reason
        self.params = params


# --- input: JSON text or a baked image -----------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
SVG_CREDENTIAL = "{https://purl.imsglobal.org/ob/v3p0}credential"
SVG_OB2_ASSERTION = "{http://openbadges.org}assertion"
_JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def parse_input(raw: bytes | str) -> dict[str, Any]:
    """The credential in `raw`: JSON text, a baked PNG (iTXt chunk `openbadgecredential`) or
    a baked SVG (`<openbadges:credential>` holding the JSON).

    :raises InputError: (a ValueError) empty, larger than MAX_INPUT_BYTES, not JSON, nested
        too deeply, an image holding no credential, an Open Badges 2.0 badge, or a VC-JWT.
    """
    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError("input_too_large", limit=MAX_INPUT_BYTES)
    if data.startswith(PNG_SIGNATURE):
        return _credential_text(_png_text(data))
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise InputError("input_empty")
    if head.startswith(b"<"):
        return _credential_text(_svg_text(head))
    return _credential_text(data)


def _credential_text(data: bytes | str) -> dict[str, Any]:
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    text = text.strip()
    if not text:
        raise InputError("input_empty")
    if _JWT.fullmatch(text):
        raise InputError("input_jwt")
    try:
        value = loads_json(text)
    except RecursionError as exc:
        raise InputError("input_too_deep") from exc
    except ValueError as exc:
        raise InputError("input_not_json", error=str(exc)[:200]) from exc
    if isinstance(value, str) and _JWT.fullmatch(value.strip()):
        raise InputError("input_jwt")
    if not isinstance(value, dict):
        raise InputError("input_not_object")
    return value


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def loads_json(text: bytes | str) -> Any:
    """Strict JSON (no NaN or Infinity). :raises ValueError: not JSON. :raises RecursionError:
    nested deeper than the interpreter allows."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    return json.loads(text, parse_constant=_reject_constant)


def _png_text(data: bytes) -> bytes:
    pos, ob2 = len(PNG_SIGNATURE), False
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        crc = data[pos + 8 + length : pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise InputError("input_png_damaged", error="a chunk is cut short")
        if zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            raise InputError("input_png_damaged", error=f"the {kind!r} chunk fails its checksum")
        if kind in (b"iTXt", b"tEXt"):
            keyword, _, rest = body.partition(b"\0")
            if kind == b"iTXt" and keyword == PNG_KEYWORD:
                return _itxt_text(rest)
            ob2 = ob2 or keyword == b"openbadges"
        if kind == b"IEND":
            break
        pos += 12 + length
    raise InputError("input_ob2" if ob2 else "input_png_none")


def _itxt_text(rest: bytes) -> bytes:
    """The text of an iTXt chunk (after its keyword): flag, method, language, translation."""
    if len(rest) < 2:
        raise InputError("input_png_damaged", error="the iTXt chunk is cut short")
    compressed, after = rest[0], rest[2:]
    _language, _, after = after.partition(b"\0")
    _translated, _, text = after.partition(b"\0")
    if not compressed:
        return text
    inflater = zlib.decompressobj()
    try:
        plain = inflater.decompress(text, MAX_INPUT_BYTES + 1)
    except zlib.error as exc:
        error = "the credential text cannot be inflated"
        raise InputError("input_png_damaged", error=error) from exc
    if len(plain) > MAX_INPUT_BYTES or inflater.unconsumed_tail:
        raise InputError("input_too_large", limit=MAX_INPUT_BYTES)
    return plain


def _svg_text(data: bytes) -> str:
    # Without a DOCTYPE there are no entities to expand (no "billion laughs") or fetch.
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise InputError("input_svg_doctype")
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, ValueError) as exc:
        raise InputError("input_svg_invalid", error=str(exc)[:200]) from exc
    for element in root.iter():
        if element.tag == SVG_CREDENTIAL:
            if element.get("verify"):
                raise InputError("input_jwt")
            return "".join(element.itertext())
        if element.tag == SVG_OB2_ASSERTION:
            raise InputError("input_ob2")
    raise InputError("input_svg_none")


# --- a limit on canonicalisation work ------------------------------------------------------
#
# RDFC-1.0 tells blank nodes with identical surroundings apart by trying every permutation
# of them, and asks implementations to bound that work against "poison" datasets; pyld has
# no such bound. pyld's URDNA2015 takes `permutations` from its module's globals, so that
# function is wrapped once here: the wrapper counts against a budget only in a thread that
# is verifying (`_permutation_budget`), and changes nothing for anyone else (signing).


class CanonicalisationTooCostly(Exception):
    """A document needs more RDFC-1.0 permutations than a verification allows."""


_BUDGET = threading.local()
_PERMUTATIONS = pyld.canon.permutations


def _counted_permutations(elements: list) -> Iterator[list]:
    for permutation in _PERMUTATIONS(elements):
        left = getattr(_BUDGET, "left", None)
        if left is not None:
            if left <= 0:
                raise CanonicalisationTooCostly
            _BUDGET.left = left - 1
        yield permutation


if getattr(pyld.canon.permutations, "__name__", "") != "_counted_permutations":
    pyld.canon.permutations = _counted_permutations


class _permutation_budget:
    """Within the block, this thread's canonicalisations share `limit` permutations."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __enter__(self) -> None:
        self.saved = getattr(_BUDGET, "left", None)
        _BUDGET.left = self.limit

    def __exit__(self, *exc_info: object) -> None:
        _BUDGET.left = self.saved


# --- verification --------------------------------------------------------------------------


class _RunFetcher:
    """The caller's fetcher with memory (each URL fetched once per verification, failures
    included) and a budget; anything it raises becomes a FetchError."""

    def __init__(self, inner: Fetcher) -> None:
        self.inner = inner
        self.answers: dict[str, bytes | FetchError] = {}
        self.status_lists: dict[tuple[str, str, str], Check | bytes] = {}

    def local_url(self, url: str) -> str | None:
        """The inner fetcher's `local_url` (this site's URLs), if it has one."""
        local = getattr(self.inner, "local_url", None)
        return local(url) if callable(local) else None

    def fetch(self, url: str) -> bytes:
        answer = self.answers.get(url)
        if answer is None:
            answer = self._fetch(url)
            self.answers[url] = answer
        if isinstance(answer, FetchError):
            raise answer
        return answer

    def _fetch(self, url: str) -> bytes | FetchError:
        if len(self.answers) >= MAX_FETCHES:
            return FetchError(f"this verification needed more than {MAX_FETCHES} documents")
        try:
            body = self.inner.fetch(url)
        except FetchError as exc:
            return exc
        except Exception as exc:  # a caller's fetcher failing must not end the verification
            return FetchError(f"{url} could not be fetched ({type(exc).__name__})")
        if not isinstance(body, bytes | bytearray):
            return FetchError(f"{url} could not be fetched")
        return bytes(body)


@dataclass(frozen=True)
class _Run:
    fetcher: _RunFetcher
    now: datetime
    schemas: SchemaSet
    trusted_issuers: Callable[[str], str | None] | None
    check_status: bool


def verify_credential(
    credential: Any,
    *,
    fetcher: Fetcher,
    now: datetime,
    schemas: SchemaSet | None = None,
    trusted_issuers: Callable[[str], str | None] | None = None,
    check_status: bool = True,
    depth: int = 0,
) -> VerificationResult:
    """Verify one credential (a parsed JSON value); never raises.

    :param fetcher: fetches DID documents, keys and status lists (`SafeHttpFetcher`).
    :param now: the moment the validity period and status lists are judged at (aware).
    :param trusted_issuers: issuer id -> display name when this site knows the issuer.
    :param check_status: False skips the status lists (offline checks).
    :param depth: how deep this credential sits inside others (0 for the one given).
    """
    try:
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        run = _Run(
            _RunFetcher(fetcher), now, schemas or default_schemas(), trusted_issuers, check_status
        )
        with _permutation_budget(MAX_PERMUTATIONS):
            return _verify(credential, run, depth)
    except Exception as exc:  # the last guard: a verification page must never answer 500
        log.exception("verification failed unexpectedly")
        failed = _check("format", False, "internal_error", error=type(exc).__name__)
        return _unreadable(failed, credential if isinstance(credential, dict) else None)


def _verify(credential: Any, run: _Run, depth: int) -> VerificationResult:
    document = credential if isinstance(credential, dict) else None
    if depth > MAX_CREDENTIAL_DEPTH:
        too_nested = _check("format", False, "too_nested", limit=MAX_CREDENTIAL_DEPTH)
        return _unreadable(too_nested, document)
    format_check, kind, issuer_id = check_format(credential)
    if not format_check.passed or document is None or kind is None or issuer_id is None:
        return _unreadable(format_check, document)
    checks = [format_check, check_schema(document, kind, run.schemas)]
    proof, controllers = _check_proofs(document, run)
    checks.append(proof)
    if not proof.passed:
        checks.append(_check("issuer_key", None, "issuer_key_skipped"))
    elif issuer_id in controllers:
        checks.append(_check("issuer_key", True, "issuer_key_ok", issuer=issuer_id))
    else:
        mismatch = next(c for c in controllers if c != issuer_id)
        mismatch_check = _check(
            "issuer_key", False, "issuer_key_mismatch", controller=mismatch, issuer=issuer_id
        )
        checks.append(mismatch_check)
    checks.extend(check_dates(document, run.now))
    if run.check_status:
        checks.extend(_check_status(document, issuer_id, run))
    else:
        checks.append(_check("revocation", None, "status_skipped"))
        checks.append(_check("suspension", None, "status_skipped"))
    nested_check, endorsement_check, nested = _check_nested(document, kind, run, depth)
    checks.extend([nested_check, endorsement_check, _check_issuer_known(issuer_id, run)])
    return VerificationResult(_verified(checks), checks, document, issuer_id, kind, nested)


def _verified(checks: list[Check]) -> bool:
    return all(c.passed is True for c in checks if c.check in MUST_PASS) and not any(
        c.passed is False for c in checks if c.check not in INFORMATIVE
    )


def _unreadable(format_check: Check, document: dict | None = None) -> VerificationResult:
    checks = [format_check] + [
        _check(check_id, None, "not_checked") for check_id in CHECK_IDS if check_id != "format"
    ]
    return VerificationResult(False, checks, document, None, None, [])


# --- format ----------------------------------------------------------------------------------


def _issuer_id(issuer: Any) -> str | None:
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) and value else None


def _types(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str)]


def _shape_problem(value: Any) -> Check | None:
    """Too deep, too big, not JSON, or a @context (anywhere) that is not a shipped URL."""
    stack: list[tuple[Any, tuple]] = [(value, ())]
    count = list_work = 0
    ids: dict[str, list[dict]] = {}
    while stack:
        node, path = stack.pop()
        count += 1
        if count > MAX_VALUES:
            return _check("format", False, "too_large", limit=MAX_VALUES)
        if len(path) > MAX_NESTING:
            return _check("format", False, "too_deep", limit=MAX_NESTING)
        if isinstance(node, dict):
            for key, item in node.items():
                if not isinstance(key, str):
                    return _check("format", False, "not_json_value", path=json_path(path))
                if key == "@context":
                    problem = _context_problem(item, path + (key,))
                    if problem:
                        return problem
                elif key in ("id", "@id") and isinstance(item, str):
                    ids.setdefault(item, []).append(node)
                stack.append((item, path + (key,)))
        elif isinstance(node, list):
            list_work += len(node) ** 2
            stack.extend((item, path + (i,)) for i, item in enumerate(node))
        elif node is not None and not isinstance(node, str | int | float | bool):
            return _check("format", False, "not_json_value", path=json_path(path))
    for nodes in ids.values():
        if len(nodes) > 1:  # copies of one object (an issuer profile) merge at no cost
            distinct = len({json.dumps(n, sort_keys=True) for n in nodes})
            list_work += (distinct - 1) ** 2
    if list_work > MAX_LIST_WORK:
        return _check("format", False, "too_long", limit=math.isqrt(MAX_LIST_WORK))
    return None


def _context_problem(value: Any, path: tuple) -> Check | None:
    items = value if isinstance(value, list) else [value]
    for i, item in enumerate(items):
        if not isinstance(item, str):
            where = path + (i,) if isinstance(value, list) else path
            return _check("format", False, "context_inline", path=json_path(where))
        if not jsonld.known_context(item):
            return _check("format", False, "context_unknown", url=item[:300])
    return None


def check_format(credential: Any) -> tuple[Check, str | None, str | None]:
    """(the format check, the kind, the issuer id) of a parsed credential."""
    if isinstance(credential, str) and _JWT.fullmatch(credential.strip()):
        return _check("format", False, "vc_jwt"), None, None
    if not isinstance(credential, dict):
        return _check("format", False, "not_object"), None, None
    problem = _shape_problem(credential)
    if problem:
        return problem, None, None
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or not contexts:
        return _check("format", False, "context_missing"), None, None
    if contexts[0] not in (jsonld.VC_V2, jsonld.VC_V1):
        expected = f"{jsonld.VC_V2} (or, for VC 1.1 credentials, {jsonld.VC_V1})"
        return _check("format", False, "context_first", expected=expected), None, None
    types = _types(credential.get("type"))
    kinds = [KINDS[t] for t in types if t in KINDS]
    if "VerifiableCredential" not in types or not kinds:
        shown = ", ".join(types)[:300] or "missing"
        return (
            _check("format", False, "type_unknown", kinds=", ".join(KINDS), types=shown),
            None,
            None,
        )
    issuer_id = _issuer_id(credential.get("issuer"))
    if issuer_id is None or ":" not in issuer_id:
        return _check("format", False, "issuer_missing"), kinds[0], None
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict):
        return _check("format", False, "subject_missing"), kinds[0], issuer_id
    version = "2.0" if contexts[0] == jsonld.VC_V2 else "1.1"
    passed = _check("format", True, "format_ok", kind=kinds[0], vc_version=version)
    return passed, kinds[0], issuer_id


def json_path(path: tuple | list) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


# --- schema ------------------------------------------------------------------------------------

SCHEMA_DIR = Path(__file__).parent / "schemas"
# name -> (file in schemas/, what a reader is told was used)
SCHEMA_FILES = {
    "vc": ("verifiable-credential-schema.json", "the VC 2.0 schema"),
    OPEN_BADGE: ("achievementcredential.json", "the Open Badges 3.0 AchievementCredential schema"),
    ENDORSEMENT: (
        "endorsementcredential.json",
        "the Open Badges 3.0 EndorsementCredential schema",
    ),
    CLR: (
        "clr_v2p0_clrcredential_schema_draft4.json",
        "the CLR 2.0 ClrCredential schema (a pre-final draft: structure only)",
    ),
}
DATE_TIME = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?", re.ASCII
)
MAX_SCHEMA_ERRORS = 5


def _no_retrieval(uri: str) -> referencing.Resource:
    raise referencing.exceptions.NoSuchResource(ref=uri)


FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time")
def _is_date_time(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    # RFC 3339 (and OB's DateTimeZ) need the offset.
    has_offset = value[-1:] in ("Z", "z") or (len(value) > 6 and value[-6] in "+-")
    return has_offset and parse_datetime(value) is not None


@FORMATS.checks("date")
def _is_date(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return len(value) == 10 and datetime.strptime(value, "%Y-%m-%d") is not None
    except ValueError:
        return False


@FORMATS.checks("uri")
def _is_uri(value: Any) -> bool:
    return not isinstance(value, str) or bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:\S*", value))


@dataclass(frozen=True)
class SchemaSet:
    """Validators for each kind (and "vc"), plus one for a lone credentialStatus entry."""

    validators: Mapping[str, Any]
    status_entry: Mapping[str, Any]
    names: Mapping[str, str]


@cache
def default_schemas() -> SchemaSet:
    """The schemas shipped in `schemas/`, with a registry that never fetches."""
    documents = {
        name: json.loads((SCHEMA_DIR / file).read_text(encoding="utf-8"))
        for name, (file, _) in SCHEMA_FILES.items()
    }
    resources = [
        (doc["$id"], referencing.Resource.from_contents(doc)) for doc in documents.values()
    ]
    registry = referencing.Registry(retrieve=_no_retrieval).with_resources(resources)
    validators, status_entry = {}, {}
    for name, doc in documents.items():
        cls = jsonschema.validators.validator_for(doc)
        validators[name] = cls(doc, registry=registry, format_checker=FORMATS)
        if "CredentialStatus" in doc.get("$defs", {}):
            ref = {"$ref": f"{doc['$id']}#/$defs/CredentialStatus"}
            status_entry[name] = cls(ref, registry=registry, format_checker=FORMATS)
    names = {name: label for name, (_, label) in SCHEMA_FILES.items()}
    return SchemaSet(validators, status_entry, names)


def check_schema(document: dict[str, Any], kind: str, schemas: SchemaSet) -> Check:
    """The schema check: VC 2.0 (for VC 2.0 credentials), then the schema of the kind.

    The kind's schema is given a copy adjusted where the published schemas disagree with
    valid credentials: a proof object (the OB schema wants a list), a list of status entries
    (it wants one; each is checked on its own), VC 1.1 dates for the OB schemas, and for the
    pre-final CLR draft its VC 1.1-era date names and its status entries (which it closes to
    `id` and `type`, so that no Bitstring Status List entry could pass: they are checked
    against the Open Badges 3.0 definition instead).
    """
    vc1 = document.get("@context", [None])[0] == jsonld.VC_V1
    used = []
    if not vc1:
        used.append(schemas.names["vc"])
        errors = _schema_errors(schemas.validators["vc"], document)
        if errors:
            return _schema_failed(schemas.names["vc"], errors)
    adjusted, adjustments, entries = _adjusted_copy(document, kind, vc1)
    used.append(schemas.names[kind])
    errors = _schema_errors(schemas.validators[kind], adjusted)
    status_schema = OPEN_BADGE if kind == CLR else kind
    for path, entry in entries:
        errors += _schema_errors(schemas.status_entry[status_schema], entry, prefix=path)
    if errors:
        return _schema_failed(schemas.names[kind], errors)
    notes = "".join(f"; {ADJUSTMENTS[a]}" for a in adjustments)
    schemas_used = " and ".join(used)
    return _check(
        "schema", True, "schema_ok", schemas=schemas_used, notes=notes, adjustments=adjustments
    )


def _schema_failed(schema: str, errors: list[str]) -> Check:
    shown = errors[:MAX_SCHEMA_ERRORS]
    if len(errors) > MAX_SCHEMA_ERRORS:
        shown.append(f"and {len(errors) - MAX_SCHEMA_ERRORS} more")
    return _check("schema", False, "schema_failed", schema=schema, errors="; ".join(shown))


def _schema_errors(validator: Any, instance: Any, prefix: tuple = ()) -> list[str]:
    found = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    out = []
    for error in found:
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        out.append(f"at {json_path(prefix + tuple(error.absolute_path))}: {message}")
    return out


def _adjusted_copy(
    document: dict[str, Any], kind: str, vc1: bool
) -> tuple[dict[str, Any], list[str], list[tuple[tuple, Any]]]:
    """(the copy, the adjustments made, [(path, status entry)] taken out of the copy)."""
    adjusted = copy.deepcopy(document)
    made: list[str] = []
    entries: list[tuple[tuple, Any]] = []

    def note(name: str) -> None:
        if name not in made:
            made.append(name)

    stack: list[tuple[Any, tuple]] = [(adjusted, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, list):
            stack.extend((item, path + (i,)) for i, item in enumerate(node))
            continue
        if not isinstance(node, dict):
            continue
        if kind != CLR and isinstance(node.get("proof"), dict):
            node["proof"] = [node["proof"]]
            note("proof_as_list")
        statuses = node.get("credentialStatus")
        if kind == CLR and statuses is not None:
            node.pop("credentialStatus")
            if isinstance(statuses, list):
                entries.extend((path + ("credentialStatus", i), e) for i, e in enumerate(statuses))
            else:
                entries.append((path + ("credentialStatus",), statuses))
            note("clr_draft_status")
        elif isinstance(statuses, list):
            node.pop("credentialStatus")
            entries.extend((path + ("credentialStatus", i), e) for i, e in enumerate(statuses))
            note("status_as_list")
        contexts = node.get("@context")
        if isinstance(contexts, list) and contexts:
            if kind != CLR and vc1 and contexts[0] == jsonld.VC_V1:
                contexts[0] = jsonld.VC_V2
                _rename(node, {"issuanceDate": "validFrom", "expirationDate": "validUntil"})
                note("vc1_as_vc2")
            elif kind == CLR and "validFrom" in node and "issuanceDate" not in node:
                _rename(node, {"validFrom": "issuanceDate", "validUntil": "expirationDate"})
                note("clr_draft_dates")
        stack.extend((item, path + (key,)) for key, item in node.items())
    return adjusted, made, entries


def _rename(node: dict, names: dict[str, str]) -> None:
    for old, new in names.items():
        if old in node and new not in node:
            node[new] = node.pop(old)


# --- dates ---------------------------------------------------------------------------------------


def parse_datetime(value: Any) -> datetime | None:
    """An XMLSchema dateTime as an aware datetime (UTC when no offset is given), else None."""
    if not isinstance(value, str) or len(value) > 64 or not DATE_TIME.fullmatch(value):
        return None
    text = value.upper()
    fraction = re.search(r"\.(\d+)", text)
    if fraction and len(fraction.group(1)) > 6:  # Python keeps microseconds
        text = text.replace(fraction.group(0), "." + fraction.group(1)[:6])
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_dates(document: dict[str, Any], now: datetime) -> list[Check]:
    """valid_from and valid_until (VC 1.1: issuanceDate and expirationDate)."""
    vc1 = document.get("@context", [None])[0] == jsonld.VC_V1
    start_field, end_field = (
        ("issuanceDate", "expirationDate") if vc1 else ("validFrom", "validUntil")
    )
    if start_field not in document and "issuanceDate" in document:
        start_field, end_field = "issuanceDate", "expirationDate"  # a legacy name in VC 2.0
    checks = []
    start = document.get(start_field)
    start_at = parse_datetime(start)
    if start is None:
        checks.append(_check("valid_from", None, "valid_from_missing"))
    elif start_at is None:
        value = str(start)[:100]
        unreadable = _check("valid_from", False, "date_unreadable", field=start_field, value=value)
        checks.append(unreadable)
    elif start_at > now:
        checks.append(_check("valid_from", False, "not_yet_valid", date=format_datetime(start_at)))
    else:
        checks.append(_check("valid_from", True, "valid_from_ok", date=format_datetime(start_at)))
    end = document.get(end_field)
    end_at = parse_datetime(end)
    if end is None:
        checks.append(_check("valid_until", None, "valid_until_none"))
    elif end_at is None:
        value = str(end)[:100]
        checks.append(_check("valid_until", False, "date_unreadable", field=end_field, value=value))
    elif end_at <= now:
        checks.append(_check("valid_until", False, "expired", date=format_datetime(end_at)))
    else:
        checks.append(_check("valid_until", True, "valid_until_ok", date=format_datetime(end_at)))
    return checks


# --- proof -------------------------------------------------------------------------------------


class _ProofFailure(signing.ProofError):
    """A failed proof with its reason code (raised through signing.verify_proof's resolver)."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(MESSAGES[reason].format(**params))
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class _Method:
    public_key: Any
    controller: str
    revoked: datetime | None


def _short(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_proofs(document: dict[str, Any], run: _Run) -> tuple[Check, list[str]]:
    """(the proof check, the controllers of the keys that made the proofs)."""
    try:
        proofs = signing.proofs_of(document)
    except signing.ProofError:
        reason = "proof_missing" if document.get("proof") in (None, []) else "proof_malformed"
        return _check("proof", False, reason), []
    if len(proofs) > MAX_PROOFS:
        return _check("proof", False, "too_many_proofs", limit=MAX_PROOFS), []
    controllers, methods = [], []
    for proof in proofs:
        try:
            key = _verify_one(document, proof, run)
        except _ProofFailure as failure:
            return _check("proof", False, failure.reason, **failure.params), []
        controllers.append(key.controller)
        methods.append(proof["verificationMethod"])
    return _check("proof", True, "proof_ok", method=", ".join(methods)), controllers


def _verify_one(document: dict[str, Any], proof: dict[str, Any], run: _Run) -> signing.ResolvedKey:
    kind, suite = proof.get("type"), proof.get("cryptosuite")
    if kind != signing.PROOF_TYPE or suite != signing.CRYPTOSUITE:
        named = suite if kind == signing.PROOF_TYPE and suite is not None else kind
        raise _ProofFailure("proof_unsupported", suite=_short(named))
    if proof.get("proofPurpose") != "assertionMethod":
        raise _ProofFailure("proof_purpose", purpose=_short(proof.get("proofPurpose")))
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        raise _ProofFailure("proof_no_method")
    created = proof.get("created")
    created_at = parse_datetime(created)
    if created is not None and created_at is None:
        raise _ProofFailure("proof_bad_created", value=_short(created, 100))
    if "expires" in proof:
        expires_at = parse_datetime(proof["expires"])
        if expires_at is None or expires_at <= run.now:
            shown = format_datetime(expires_at) if expires_at else _short(proof["expires"], 100)
            raise _ProofFailure("proof_expired", date=shown)

    def resolve(method_id: str) -> signing.ResolvedKey:
        found = _resolve_method(method_id, run)
        if found.revoked is not None:
            revoked = format_datetime(found.revoked)
            if created_at is None:
                raise _ProofFailure("key_retired_undated", method=method_id, revoked=revoked)
            if created_at >= found.revoked:
                raise _ProofFailure(
                    "key_retired",
                    method=method_id,
                    revoked=revoked,
                    created=format_datetime(created_at),
                )
        return signing.ResolvedKey(found.public_key, found.controller)

    try:
        return signing.verify_proof(document, proof, resolve)
    except _ProofFailure:
        raise
    except CanonicalisationTooCostly as exc:
        raise _ProofFailure("proof_too_costly") from exc
    except signing.ProofError as exc:
        if isinstance(exc.__cause__, InvalidSignature):
            raise _ProofFailure("signature_mismatch") from exc
        raise _ProofFailure("proof_invalid", error=str(exc)) from exc
    except Exception as exc:  # pyld on hostile JSON-LD may raise anything
        error = f"the credential could not be put in canonical form ({type(exc).__name__})"
        raise _ProofFailure("proof_invalid", error=error) from exc


def _fetch_json(url: str, run: _Run) -> Any:
    """:raises FetchError: unreachable, or not JSON."""
    body = run.fetcher.fetch(url)
    try:
        return loads_json(body)
    except (ValueError, RecursionError) as exc:
        raise FetchError(f"{url} is not JSON") from exc


def _controller_document(identifier: str, method: str, run: _Run) -> dict[str, Any]:
    """The document of a did:key, did:web or https controller; its id must be `identifier`."""
    if identifier.startswith("did:key:"):
        try:
            return multikey.did_key_document(identifier)
        except multikey.KeyFormatError as exc:
            raise _ProofFailure("key_document_invalid", method=method, error=str(exc)) from exc
    if identifier.startswith("did:web:"):
        try:
            url = did_web.did_web_url(identifier)
        except did_web.DidError as exc:
            raise _ProofFailure("key_document_invalid", method=method, error=str(exc)) from exc
    elif identifier.startswith("https://") or identifier.startswith("http://"):
        url = identifier
    else:
        raise _ProofFailure("method_unsupported", method=_short(method))
    try:
        document = _fetch_json(url, run)
    except FetchError as exc:
        raise _ProofFailure("key_unreachable", method=method, error=str(exc)) from exc
    if not isinstance(document, dict):
        error = f"{url} is not a JSON object"
        raise _ProofFailure("key_document_invalid", method=method, error=error)
    if document.get("id") != identifier:
        error = f"the document at {url} is for {_short(document.get('id'), 200)}, not {identifier}"
        raise _ProofFailure("key_document_invalid", method=method, error=error)
    return document


def _absolute(reference: Any, base: str) -> Any:
    if isinstance(reference, str) and reference.startswith("#"):
        return base + reference
    return reference


def _find_method(document: dict[str, Any], method: str) -> dict[str, Any] | None:
    base = document["id"]
    candidates: list[Any] = [document]
    for name in ("verificationMethod", "assertionMethod"):
        listed = document.get(name)
        candidates.extend(listed if isinstance(listed, list) else [listed])
    for candidate in candidates:
        if isinstance(candidate, dict) and _absolute(candidate.get("id"), base) == method:
            if candidate is document and "publicKeyMultibase" not in document:
                continue
            return candidate
    return None


def _lists_assertion(document: dict[str, Any], method: str) -> bool:
    listed = document.get("assertionMethod")
    for item in listed if isinstance(listed, list) else [listed]:
        reference = item.get("id") if isinstance(item, dict) else item
        if _absolute(reference, document["id"]) == method:
            return True
    return False


def _resolve_method(method: str, run: _Run) -> _Method:
    """The key a proof names, checked: Ed25519, controlled as it claims, an assertion method.

    :raises _ProofFailure: the key cannot be found or is not fit to sign credentials.
    """
    if len(method) > 2048:
        raise _ProofFailure("method_unsupported", method=_short(method))
    base = method.split("#", 1)[0]
    document = _controller_document(base, method, run)
    found = _find_method(document, method)
    if found is None:
        raise _ProofFailure("key_not_found", document=base, method=method)
    if found.get("type") not in KEY_TYPES:
        raise _ProofFailure("key_type_unsupported", method=method, type=_short(found.get("type")))
    try:
        public_key = multikey.decode_public(found.get("publicKeyMultibase"))
    except multikey.KeyFormatError as exc:
        raise _ProofFailure("key_type_unsupported", method=method, type=str(exc)) from exc
    controller = found.get("controller")
    if not isinstance(controller, str) or not controller:
        error = "the key names no controller"
        raise _ProofFailure("key_document_invalid", method=method, error=error)
    if base.startswith("did:") and controller != base:
        raise _ProofFailure("key_controller", method=method, controller=controller, did=base)
    owner = document if controller == base else _controller_document(controller, method, run)
    if not _lists_assertion(owner, method):
        raise _ProofFailure("key_not_assertion", controller=controller, method=method)
    revoked = found.get("revoked")
    revoked_at = parse_datetime(revoked)
    if revoked is not None and revoked_at is None:
        error = f"its revoked date is not a date and time: {_short(revoked, 100)}"
        raise _ProofFailure("key_document_invalid", method=method, error=error)
    return _Method(public_key, controller, revoked_at)


# --- status ------------------------------------------------------------------------------


def _check_status(document: dict[str, Any], issuer_id: str, run: _Run) -> list[Check]:
    """The revocation and suspension checks."""
    value = document.get("credentialStatus")
    entries = [] if value is None else value if isinstance(value, list) else [value]
    by_purpose: dict[str, list[Check]] = {"revocation": [], "suspension": []}
    for entry in entries[:MAX_STATUS_ENTRIES]:
        if not isinstance(entry, dict):
            error = "an entry is not an object"
            by_purpose["revocation"].append(
                _check("revocation", False, "status_entry_malformed", purpose="status", error=error)
            )
            continue
        purpose = entry.get("statusPurpose")
        if entry.get("type") not in STATUS_ENTRY_TYPES:
            check_id = purpose if purpose in by_purpose else "revocation"
            by_purpose[check_id].append(
                _check(check_id, False, "status_type_unsupported", type=_short(entry.get("type")))
            )
        elif purpose in by_purpose:
            by_purpose[purpose].append(_check_entry(entry, purpose, issuer_id, run))
        # Other purposes (message, refresh) say nothing about validity.
    if not by_purpose["suspension"]:
        twin = _suspension_twin(by_purpose, entries, run)
        if twin is not None:
            by_purpose["suspension"].append(_check_entry(twin, "suspension", issuer_id, run))
    if len(entries) > MAX_STATUS_ENTRIES:
        error = f"more than {MAX_STATUS_ENTRIES} entries"
        by_purpose["revocation"].append(
            _check("revocation", False, "status_entry_malformed", purpose="status", error=error)
        )
    checks = []
    for purpose, found in by_purpose.items():
        failed = [c for c in found if c.passed is False]
        if failed:
            checks.append(failed[0])
        elif found:
            checks.append(found[0])
        else:
            checks.append(_check(purpose, None, "status_none", purpose=purpose))
    return checks


# This site's issuers keep a suspension list beside each revocation list, at the same number
# and index (an OB 3.0 credential names one status entry: its revocation entry).
_LOCAL_REVOCATION_LIST = re.compile(r"^(?P<base>.+/orgs/[a-z0-9-]+/status/)revocation/(?P<n>\d+)$")


def _suspension_twin(
    by_purpose: dict[str, list[Check]], entries: list[Any], run: _Run
) -> dict[str, Any] | None:
    local = getattr(run.fetcher, "local_url", None)
    for entry in entries[:MAX_STATUS_ENTRIES]:
        if not isinstance(entry, dict) or entry.get("statusPurpose") != "revocation":
            continue
        url = entry.get("statusListCredential")
        if not isinstance(url, str) or local is None or local(url) is None:
            continue
        match = _LOCAL_REVOCATION_LIST.match(url)
        if match is None:
            continue
        twin_url = f"{match['base']}suspension/{match['n']}"
        return {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "suspension",
            "statusListIndex": entry.get("statusListIndex"),
            "statusListCredential": twin_url,
        }
    return None


def _status_index(entry: dict[str, Any]) -> int | None:
    index = entry.get("statusListIndex")
    if isinstance(index, bool):
        return None
    if isinstance(index, int):
        return index if index >= 0 else None
    if isinstance(index, str) and index.isascii() and index.isdigit() and len(index) <= 12:
        return int(index)
    return None


def _check_entry(entry: dict[str, Any], purpose: str, issuer_id: str, run: _Run) -> Check:
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        error = "statusListCredential is not an http(s) URL"
        return _check(purpose, False, "status_entry_malformed", purpose=purpose, error=error)
    index = _status_index(entry)
    if index is None:
        error = "statusListIndex is not a whole number"
        return _check(purpose, False, "status_entry_malformed", purpose=purpose, error=error)
    if entry.get("statusSize", 1) not in (1, "1"):
        error = "only one-bit status entries are supported"
        return _check(purpose, False, "status_entry_malformed", purpose=purpose, error=error)
    key = (url, purpose, issuer_id)
    bits = run.fetcher.status_lists.get(key)
    if bits is None:
        bits = _status_bits(url, purpose, issuer_id, run)
        run.fetcher.status_lists[key] = bits
    if isinstance(bits, Check):
        return bits
    try:
        is_set = status_list.get_bit(bits, index)
    except status_list.StatusListError:
        return _check(purpose, False, "status_index_invalid", index=index, url=url)
    if purpose == "revocation":
        return _check(purpose, not is_set, "revoked" if is_set else "not_revoked", url=url)
    return _check(purpose, not is_set, "suspended" if is_set else "not_suspended", url=url)


def _status_bits(url: str, purpose: str, issuer_id: str, run: _Run) -> Check | bytes:
    """The bits of a status list credential, or the check that says why they cannot be had."""

    def invalid(error: str) -> Check:
        return _check(purpose, False, "status_list_invalid", url=url, error=error)

    try:
        document = _fetch_json(url, run)
    except FetchError as exc:
        return _check(purpose, False, "status_unreachable", url=url, error=str(exc))
    if not isinstance(document, dict):
        return invalid("it is not a JSON object")
    problem = _shape_problem(document)
    if problem:
        return invalid(problem.detail)
    if not set(_types(document.get("type"))) & set(STATUS_LIST_TYPES):
        return invalid(f"its type is not one of {', '.join(STATUS_LIST_TYPES)}")
    list_issuer = _issuer_id(document.get("issuer"))
    if list_issuer != issuer_id:
        return _check(
            purpose,
            False,
            "status_list_issuer",
            url=url,
            list_issuer=_short(list_issuer or "nobody"),
            issuer=issuer_id,
        )
    proof, controllers = _check_proofs(document, run)
    if not proof.passed:
        return _check(purpose, False, "status_list_proof", url=url, error=proof.detail)
    if issuer_id not in controllers:
        signer = next(c for c in controllers if c != issuer_id)
        return _check(
            purpose, False, "status_list_signer", url=url, controller=signer, issuer=issuer_id
        )
    until = document.get("validUntil", document.get("expirationDate"))
    until_at = parse_datetime(until)
    if until is not None and (until_at is None or until_at <= run.now):
        shown = format_datetime(until_at) if until_at else _short(until, 100)
        return _check(purpose, False, "status_list_expired", url=url, date=shown)
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict):
        return invalid("it has no credentialSubject")
    list_purposes = _types(subject.get("statusPurpose"))
    if purpose not in list_purposes:
        shown = ", ".join(list_purposes) or "no purpose"
        return _check(
            purpose,
            False,
            "status_purpose_mismatch",
            url=url,
            list_purpose=_short(shown),
            purpose=purpose,
        )
    try:
        return status_list.decode(subject.get("encodedList"), max_bytes=STATUS_LIST_MAX_BYTES)
    except status_list.StatusListError as exc:
        return invalid(str(exc))


# --- nested credentials and endorsements ---------------------------------------------------------


def _endorsements(document: dict[str, Any]) -> list[Any]:
    holders = [document, document.get("issuer")]
    subject = document.get("credentialSubject")
    if isinstance(subject, dict):
        holders.append(subject.get("achievement"))
    found: list[Any] = []
    for holder in holders:
        if isinstance(holder, dict) and isinstance(holder.get("endorsement"), list):
            found.extend(holder["endorsement"])
    return found


def _check_nested(
    document: dict[str, Any], kind: str, run: _Run, depth: int
) -> tuple[Check, Check, list[VerificationResult]]:
    """(the nested check, the endorsements check, every nested result)."""
    held: list[Any] = []
    nested_check = None
    if kind == CLR:
        items = document["credentialSubject"].get("verifiableCredential")
        if not isinstance(items, list):
            nested_check = _check("nested", False, "nested_malformed")
        else:
            held = items
    endorsements = _endorsements(document)
    if len(held) + len(endorsements) > MAX_NESTED:
        too_many = _check("nested", False, "nested_too_many", limit=MAX_NESTED)
        return too_many, _check("endorsements", None, "not_checked"), []
    results = [_verify(item, run, depth + 1) for item in held]
    endorsed = [_verify(item, run, depth + 1) for item in endorsements]
    if nested_check is None:
        failed = sum(not r.verified for r in results)
        if not results:
            nested_check = _check("nested", None, "nested_none")
        elif failed:
            nested_check = _check(
                "nested", False, "nested_failed", failed=failed, count=len(results)
            )
        else:
            nested_check = _check("nested", True, "nested_ok", count=len(results))
    failed = sum(not r.verified for r in endorsed)
    if not endorsed:
        endorsement_check = _check("endorsements", None, "endorsements_none")
    elif failed:
        endorsement_check = _check(
            "endorsements", False, "endorsements_failed", failed=failed, count=len(endorsed)
        )
    else:
        endorsement_check = _check("endorsements", True, "endorsements_ok", count=len(endorsed))
    return nested_check, endorsement_check, results + endorsed


def _check_issuer_known(issuer_id: str, run: _Run) -> Check:
    if run.trusted_issuers is None:
        return _check("issuer_known", None, "issuer_list_absent")
    try:
        name = run.trusted_issuers(issuer_id)
    except Exception as exc:  # the caller's lookup failing is not the credential's fault
        log.exception("trusted_issuers failed")
        return _check("issuer_known", None, "internal_error", error=type(exc).__name__)
    if isinstance(name, str) and name:
        return _check("issuer_known", True, "issuer_known", name=name)
    return _check("issuer_known", False, "issuer_unknown")


def iter_results(result: VerificationResult) -> Iterator[VerificationResult]:
    """`result` and every result nested in it, depth first."""
    yield result
    for inner in result.nested:
        yield from iter_results(inner)


__all__ = [
    "CHECK_IDS",
    "Check",
    "FetchError",
    "Fetcher",
    "InputError",
    "MESSAGES",
    "SchemaSet",
    "VerificationResult",
    "default_schemas",
    "parse_input",
    "verify_credential",
]
