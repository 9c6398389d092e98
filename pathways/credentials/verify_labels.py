"""The verifier's checks in plain words, in the reader's language.

`verification` gives each check a machine id, a result and a reason code with parameters;
this module turns them into a title per check and a sentence per reason, translated. A
reason it does not know yet (a newer verifier) falls back to a sentence per check and
result, with the verifier's English detail shown beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import format_datetime
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from pathways.credentials import verification

CHECK_TITLES = {
    "format": _l("A credential this verifier can read"),
    "schema": _l("Follows the official structure"),
    "proof": _l("Signature"),
    "issuer_key": _l("Signed by its issuer"),
    "valid_from": _l("Start of validity"),
    "valid_until": _l("End of validity"),
    "revocation": _l("Not revoked"),
    "suspension": _l("Not suspended"),
    "nested": _l("Credentials it holds"),
    "endorsements": _l("Endorsements"),
    "issuer_known": _l("Issuer known to Pathways"),
}

# When a reason has no sentence of its own: one per check and result.
FALLBACK = {
    (True,): _l("This check passed."),
    (False,): _l("This check failed."),
    (None,): _l("This check does not apply."),
}

RESULT_LABELS = {
    True: _l("Passed"),
    False: _l("Failed"),
    None: _l("Does not apply"),
}

STATUS_LABELS = {
    "active": _l("Active"),
    "revoked": _l("Revoked"),
    "suspended": _l("Suspended"),
    "expired": _l("Expired"),
    "not_yet_valid": _l("Not valid yet"),
    "not_verified": _l("Not verified"),
}

PURPOSES = {
    "revocation": _l("revocation"),
    "suspension": _l("suspension"),
    "status": _l("status"),
}

ADJUSTMENTS = {
    "proof_as_list": _l("a proof given as an object was checked as a one-element list"),
    "status_as_list": _l("each status entry of a list was checked on its own"),
    "vc1_as_vc2": _l("the Verifiable Credentials 1.1 dates were read as validFrom and validUntil"),
    "clr_draft_dates": _l("the dates were read under the names of the pre-final CLR 2.0 schema"),
    "clr_draft_status": _l(
        "status entries were checked against the Open Badges 3.0 definition, as the pre-final "
        "CLR 2.0 schema allows nothing but id and type in them"
    ),
}

REASONS = {
    # format
    "format_ok": _l("A %(kind)s in the Verifiable Credentials %(vc_version)s data model."),
    "not_object": _l("This is not a credential: it is not a JSON object."),
    "vc_jwt": _l(
        "This is a VC-JWT (a signed token). This verifier checks credentials with an embedded "
        "Data Integrity proof (eddsa-rdfc-2022) and does not check tokens."
    ),
    "too_deep": _l("The credential is nested more than %(limit)s levels deep."),
    "too_large": _l("The credential holds more than %(limit)s values."),
    "too_long": _l(
        "The credential's lists are too long for this verifier (about %(limit)s items in one "
        "list at most)."
    ),
    "not_json_value": _l("The credential holds something that is not a JSON value, at %(path)s."),
    "context_missing": _l("The @context list is missing."),
    "context_first": _l("The @context list must start with %(expected)s."),
    "context_inline": _l(
        "The @context holds an inline definition at %(path)s. Only the published contexts "
        "this verifier ships are accepted, because an inline one could change what the "
        "signed terms mean."
    ),
    "context_unknown": _l("It uses a context this verifier does not know: %(url)s."),
    "type_unknown": _l(
        "Its type must include VerifiableCredential and one of %(kinds)s; it is %(types)s."
    ),
    "issuer_missing": _l("It does not say who issued it (a URL or DID)."),
    "subject_missing": _l("It does not say whom it is about (credentialSubject)."),
    "too_nested": _l("Credentials nested more than %(limit)s levels deep are not checked."),
    "not_checked": _l("Not checked: the credential is not in a form this verifier reads."),
    # schema
    "schema_ok": _l("Conforms to %(schemas)s."),
    "schema_failed": _l("Does not conform to %(schema)s: %(errors)s."),
    # proof
    "proof_ok": _l(
        "The signature matches: the content is exactly what was signed with the key %(method)s."
    ),
    "proof_missing": _l("The credential is not signed (it has no proof)."),
    "proof_malformed": _l("The proof is malformed: it must be an object or a list of objects."),
    "too_many_proofs": _l("The credential has more than %(limit)s proofs."),
    "proof_unsupported": _l(
        "Proofs of type %(suite)s are not supported. This verifier checks DataIntegrityProof "
        "proofs with the eddsa-rdfc-2022 cryptosuite (Ed25519 keys); VC-JWT, "
        "Ed25519Signature2020 and ECDSA proofs are not supported."
    ),
    "proof_purpose": _l("The proof's purpose is %(purpose)s, not assertionMethod."),
    "proof_no_method": _l("The proof does not say which key made it."),
    "proof_bad_created": _l("The proof's creation time is not a date and time: %(value)s."),
    "proof_expired": _l("The proof expired on %(date)s."),
    "signature_mismatch": _l(
        "The signature does not match: the credential was changed after it was signed, or "
        "it was signed with another key."
    ),
    "proof_invalid": _l("The proof does not verify: %(error)s."),
    "proof_too_costly": _l(
        "The credential is too costly to put in canonical form, so its proof was not checked."
    ),
    "method_unsupported": _l(
        "The key %(method)s cannot be looked up: only did:key, did:web and https addresses "
        "are supported."
    ),
    "key_unreachable": _l("The key %(method)s could not be retrieved: %(error)s."),
    "key_document_invalid": _l("The document of the key %(method)s is not usable: %(error)s."),
    "key_not_found": _l("%(document)s does not list the key %(method)s."),
    "key_type_unsupported": _l(
        "The key %(method)s is of type %(type)s; only Ed25519 keys (Multikey or "
        "Ed25519VerificationKey2020) are supported."
    ),
    "key_not_assertion": _l(
        "%(controller)s does not list the key %(method)s as one it issues credentials with."
    ),
    "key_controller": _l("The key %(method)s is controlled by %(controller)s, not by %(did)s."),
    "key_retired": _l(
        "The key %(method)s was retired on %(revoked)s; this proof was made on %(created)s, "
        "after that."
    ),
    "key_retired_undated": _l(
        "The key %(method)s was retired on %(revoked)s and the proof does not say when it was made."
    ),
    # issuer_key
    "issuer_key_ok": _l("The signing key belongs to the issuer, %(issuer)s."),
    "issuer_key_mismatch": _l(
        "The signing key belongs to %(controller)s, not to the issuer %(issuer)s."
    ),
    "issuer_key_skipped": _l("Not checked: the signature did not verify."),
    # dates
    "valid_from_ok": _l("Valid from %(date)s."),
    "not_yet_valid": _l("Not valid yet: valid from %(date)s."),
    "valid_from_missing": _l("The credential does not say from when it is valid."),
    "date_unreadable": _l("%(field)s is not a date and time: %(value)s."),
    "valid_until_none": _l("No end date: the credential does not expire."),
    "valid_until_ok": _l("Valid until %(date)s."),
    "expired": _l(
        "Expired on %(date)s. It was genuine, but it is no longer current (expired is not revoked)."
    ),
    # revocation, suspension
    "status_none": _l("The credential has no %(purpose)s status entry."),
    "status_skipped": _l("Not checked: status checks were turned off."),
    "not_revoked": _l("Not revoked: checked against its issuer's list %(url)s."),
    "revoked": _l("Revoked by its issuer: it no longer counts."),
    "not_suspended": _l("Not suspended: checked against its issuer's list %(url)s."),
    "suspended": _l("Suspended by its issuer: it does not count while suspended."),
    "status_unreachable": _l(
        "Could not be checked: the status list %(url)s could not be fetched (%(error)s)."
    ),
    "status_entry_malformed": _l(
        "Could not be checked: a %(purpose)s status entry is malformed (%(error)s)."
    ),
    "status_type_unsupported": _l(
        "Could not be checked: status entries of type %(type)s are not supported (only "
        "BitstringStatusListEntry and StatusList2021Entry)."
    ),
    "status_list_invalid": _l(
        "Could not be checked: %(url)s is not a usable status list (%(error)s)."
    ),
    "status_list_proof": _l(
        "Could not be checked: the status list %(url)s does not verify (%(error)s)."
    ),
    "status_list_issuer": _l(
        "Could not be checked: the status list %(url)s is issued by %(list_issuer)s, not by "
        "the credential's issuer %(issuer)s."
    ),
    "status_list_signer": _l(
        "Could not be checked: the status list %(url)s is signed by %(controller)s, not by "
        "the credential's issuer %(issuer)s."
    ),
    "status_list_expired": _l("Could not be checked: the status list %(url)s expired on %(date)s."),
    "status_purpose_mismatch": _l(
        "Could not be checked: the status list %(url)s is for %(list_purpose)s, not %(purpose)s."
    ),
    "status_index_invalid": _l(
        "Could not be checked: index %(index)s is outside the status list %(url)s."
    ),
    # nested, endorsements
    "nested_none": _l("It holds no other credentials."),
    "nested_ok": _l("All %(count)s credentials it holds verify."),
    "nested_failed": _l("%(failed)s of the %(count)s credentials it holds do not verify."),
    "nested_malformed": _l("The list of credentials it holds is malformed."),
    "nested_too_many": _l(
        "It holds more than %(limit)s credentials; this verifier checks at most that many."
    ),
    "endorsements_none": _l("No endorsements."),
    "endorsements_ok": _l("All %(count)s endorsements verify."),
    "endorsements_failed": _l("%(failed)s of the %(count)s endorsements do not verify."),
    # issuer_known
    "issuer_known": _l("The issuer is %(name)s, known to Pathways."),
    "issuer_unknown": _l(
        "Pathways does not know this issuer: it is neither an organisation of this platform "
        "nor on the list of outside issuers it trusts. The checks above say whether the "
        "credential is genuine, not whether its issuer is reputable."
    ),
    "issuer_list_absent": _l("Not checked: no list of known issuers was given."),
    "internal_error": _l("The verifier could not finish checking this credential (%(error)s)."),
}

# Why what was given could not be read (verification.InputError and verifier.SourceError).
INPUT_REASONS = {
    "input_empty": _l("The file is empty."),
    "input_too_large": _l("The file is larger than %(limit)s bytes."),
    "input_not_json": _l("The file is not JSON, nor a PNG or SVG badge image (%(error)s)."),
    "input_too_deep": _l("The JSON is nested too deeply."),
    "input_not_object": _l("The JSON is not a credential (it is not an object)."),
    "input_png_damaged": _l("The PNG image is damaged (%(error)s)."),
    "input_png_none": _l(
        "The PNG image holds no Open Badges 3.0 credential (no iTXt chunk “openbadgecredential”)."
    ),
    "input_svg_invalid": _l("The SVG image is not well-formed XML (%(error)s)."),
    "input_svg_doctype": _l("SVG images with a DOCTYPE are not accepted."),
    "input_svg_none": _l(
        "The SVG image holds no Open Badges 3.0 credential (no openbadges:credential element)."
    ),
    "input_ob2": _l(
        "This is an Open Badges 2.0 badge; this verifier checks Open Badges 3.0 and CLR 2.0 "
        "credentials."
    ),
    "input_jwt": REASONS["vc_jwt"],
    "url_invalid": _l("Give a web address that starts with https://."),
    "url_unreachable": _l("The address could not be fetched: %(error)s."),
    "id_invalid": _l(
        "A credential id of this site is urn:uuid: followed by a UUID, or the UUID alone."
    ),
    "id_unknown": _l("Pathways issued no credential with this id."),
    "nothing_given": _l("Give a file, a web address or a credential id."),
}

_DATE_PARAMS = ("date", "revoked", "created")


def _params(reason: str, params: dict[str, Any]) -> dict[str, Any]:
    shown = dict(params)
    for name in _DATE_PARAMS:
        moment = verification.parse_datetime(shown.get(name))
        if moment is not None:
            shown[name] = format_datetime(moment, "medium") + " UTC"
    for name in ("purpose", "list_purpose"):
        if shown.get(name) in PURPOSES:
            shown[name] = str(PURPOSES[shown[name]])
    if reason == "schema_ok":
        notes = [str(ADJUSTMENTS[a]) for a in shown.get("adjustments") or [] if a in ADJUSTMENTS]
        if notes:
            shown["schemas"] = f"{shown.get('schemas', '')} ({'; '.join(notes)})"
    return shown


def _sentence(texts: dict[str, Any], reason: str, params: dict[str, Any]) -> str | None:
    text = texts.get(reason)
    if text is None:
        return None
    try:
        return str(text) % _params(reason, params)
    except (KeyError, ValueError, TypeError):
        return None


@dataclass(frozen=True)
class CheckLine:
    """One check as a page shows it."""

    check: str
    title: str
    passed: bool | None
    result: str
    text: str
    detail: str  # the verifier's English detail
    translated: bool  # whether `text` says it all (else show `detail` too)


def check_line(data: dict[str, Any]) -> CheckLine:
    """A stored or fresh check (`verifier.checks_as_data`) in the reader's language."""
    check, passed = data.get("check", ""), data.get("passed")
    text = _sentence(REASONS, data.get("reason", ""), data.get("params") or {})
    title = CHECK_TITLES.get(check)
    return CheckLine(
        check=check,
        title=str(title) if title is not None else check,
        passed=passed,
        result=str(RESULT_LABELS.get(passed, RESULT_LABELS[None])),
        text=text or str(FALLBACK[(passed,)]),
        detail=str(data.get("detail", "")),
        translated=text is not None,
    )


def input_problem(reason: str, params: dict[str, Any]) -> str:
    """Why what was given could not be read, in the reader's language."""
    return _sentence(INPUT_REASONS, reason, params) or str(INPUT_REASONS["nothing_given"])


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def locale() -> str:
    return str(get_locale() or "en")


# -- what a credential says, for a reader who must decide what it is worth --------------------


@dataclass(frozen=True)
class Alignment:
    name: str
    code: str
    framework: str
    url: str


@dataclass(frozen=True)
class Facts:
    """What the credential itself says (not checked beyond its signature): the achievement,
    its criteria, level of detail an employer needs, alignments, evidence and endorsements."""

    description: str
    achievement_type: str
    human_code: str
    version: str
    credits: str
    criteria: str
    valid_from: str
    valid_until: str
    alignments: list[Alignment]
    evidence: list[str]
    endorsers: list[str]
    achievements: list[str]  # a CLR's achievements, by name


def _text(value: Any, limit: int = 2000) -> str:
    if isinstance(value, dict):  # a language map
        value = value.get(locale()) or value.get("en") or next(iter(value.values()), "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = f"{value:g}"
    return value[:limit] if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _when(value: Any) -> str:
    moment = verification.parse_datetime(value)
    return format_datetime(moment, "medium") + " UTC" if moment is not None else ""


def describe(document: dict[str, Any]) -> Facts:
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    criteria = achievement.get("criteria")
    alignments = [
        Alignment(
            _text(a.get("targetName"), 300),
            _text(a.get("targetCode"), 100),
            _text(a.get("targetFramework"), 300),
            _text(a.get("targetUrl"), 500),
        )
        for a in _list(achievement.get("alignment"))[:100]
        if isinstance(a, dict)
    ]
    evidence = [
        _text(e.get("name"), 300) or _text(e.get("narrative"), 300)
        for e in _list(document.get("evidence"))[:50]
        if isinstance(e, dict)
    ]
    endorsers = []
    for endorsement in _list(achievement.get("endorsement"))[:50]:
        issuer = endorsement.get("issuer") if isinstance(endorsement, dict) else None
        name = _text(issuer.get("name"), 200) if isinstance(issuer, dict) else ""
        if name:
            endorsers.append(name)
    achievements = [
        _text(a.get("name"), 300)
        for a in _list(subject.get("achievement") if "verifiableCredential" in subject else None)
        if isinstance(a, dict)
    ]
    return Facts(
        description=_text(achievement.get("description")) or _text(document.get("description")),
        achievement_type=_text(achievement.get("achievementType"), 100),
        human_code=_text(achievement.get("humanCode"), 100),
        version=_text(achievement.get("version"), 100),
        credits=_text(achievement.get("creditsAvailable"), 20),
        criteria=_text(criteria.get("narrative")) if isinstance(criteria, dict) else "",
        valid_from=_when(document.get("validFrom", document.get("issuanceDate"))),
        valid_until=_when(document.get("validUntil", document.get("expirationDate"))),
        alignments=alignments,
        evidence=[e for e in evidence if e],
        endorsers=endorsers,
        achievements=[a for a in achievements if a][:100],
    )
