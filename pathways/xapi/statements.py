"""xAPI 1.0.3 statements: validation, normalisation and the views the LRS serves.

Pure core: standard library only. Every function takes and returns plain JSON values
(dicts, lists, strings, numbers); nothing here touches a request or a database.

Validation follows the MUST rules of xAPI-Data.md 1.0.3 as the ADL LRS conformance
suite (lrs-conformance-test-suite, v1_0_3) exercises them. A violation raises
:class:`StatementError` naming the JSON path of the first offending value, e.g.
``statements[3].context.revision``. Checks run in a fixed order (unknown keys, nulls,
required keys, then each property in the order the spec lists them), so the reported
path is deterministic.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import uuid
from collections.abc import Iterable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone

__all__ = [
    "StatementError",
    "VOIDED_VERB",
    "agent_ifi",
    "canonical",
    "check_version_header",
    "ids_format",
    "is_iso8601_duration",
    "is_language_tag",
    "normalise",
    "parse_timestamp",
    "related_activities",
    "related_agents",
    "same_statement",
    "statement_activities",
    "statement_agents",
    "validate_agent",
    "validate_statement",
    "validate_statements",
]

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"

INTERACTION_TYPES = frozenset(
    {
        "true-false",
        "choice",
        "fill-in",
        "long-fill-in",
        "matching",
        "performance",
        "sequencing",
        "likert",
        "numeric",
        "other",
    }
)
# Which interaction component lists each interactionType may carry (Data 2.4.4.1).
COMPONENTS_BY_TYPE: dict[str, frozenset[str]] = {
    "choice": frozenset({"choices"}),
    "sequencing": frozenset({"choices"}),
    "likert": frozenset({"scale"}),
    "matching": frozenset({"source", "target"}),
    "performance": frozenset({"steps"}),
}
COMPONENT_KEYS = ("choices", "scale", "source", "target", "steps")
CONTEXT_ACTIVITY_KEYS = ("parent", "grouping", "category", "other")
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")

# The properties each object may have (`_props` checks a frozenset in one operation).
_ACCOUNT_KEYS = frozenset({"homePage", "name"})
_AGENT_KEYS = frozenset({"objectType", "name", *IFI_KEYS})
_GROUP_KEYS = frozenset({"objectType", "name", "member", *IFI_KEYS})
_VERB_KEYS = frozenset({"id", "display"})
_COMPONENT_ITEM_KEYS = frozenset({"id", "description"})
_ACTIVITY_KEYS = frozenset({"objectType", "id", "definition"})
_STATEMENT_REF_KEYS = frozenset({"objectType", "id"})
_SCORE_KEYS = frozenset({"scaled", "raw", "min", "max"})
_CONTEXT_ACTIVITIES_KEYS = frozenset(CONTEXT_ACTIVITY_KEYS)
_DEFINITION_KEYS = frozenset(
    {
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        *COMPONENT_KEYS,
    }
)
_RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
_CONTEXT_KEYS = frozenset(
    {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
)
_ATTACHMENT_KEYS = frozenset(
    {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}
)


class StatementError(ValueError):
    """A statement (or a part of one) breaks a rule of xAPI 1.0.3.

    ``path`` locates the offending value (``statement.actor.mbox``); ``message`` says
    what is wrong with it. ``str()`` is ``"path: message"``.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


# --------------------------------------------------------------------------- formats

_UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
# An absolute IRI: a scheme, a colon, then no whitespace, controls or characters RFC 3987
# excludes. The suite's invalid IRIs are "ab=c://..." (bad scheme) and scheme-less text.
_IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f<>\"{}|\\^`]+$")
_MBOX_RE = re.compile(r"^mailto:[^@\s:/?#]+@[^@\s/?#]+$")
_SHA1_RE = re.compile(r"^[0-9a-fA-F]{40}$")
_SHA2_RE = re.compile(r"^(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})$")
_VERSION_RE = re.compile(r"^1\.0(?:\.\d+)?$")
_MEDIA_TYPE_RE = re.compile(r"^[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+(?:\s*;.*)?$")

_NUM = r"\d+(?:[.,]\d+)?"
_DURATION_RE = re.compile(
    rf"^P(?:{_NUM}W|(?=\d|T\d)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}D)?"
    rf"(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?)$"
)
_TIMESTAMP_RES = (
    # ISO 8601 extended: 2013-05-18T05:32:34.804Z, seconds and fraction optional.
    re.compile(
        r"^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[Tt](?P<h>\d{2}):(?P<mi>\d{2})"
        r"(?::(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?"
        r"(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?$"
    ),
    # ISO 8601 basic: 20130518T053234.804Z.
    re.compile(
        r"^(?P<y>\d{4})(?P<mo>\d{2})(?P<d>\d{2})[Tt](?P<h>\d{2})(?P<mi>\d{2})"
        r"(?:(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?"
        r"(?P<tz>[Zz]|[+-]\d{2}(?:\d{2})?)?$"
    ),
)

# RFC 5646 language tags, built from the ABNF of section 2.1.
_ALNUM = "[A-Za-z0-9]"
_LANGTAG_RE = re.compile(
    r"^(?P<language>[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4}|[A-Za-z]{5,8})"
    r"(?:-(?P<script>[A-Za-z]{4}))?"
    r"(?:-(?P<region>[A-Za-z]{2}|\d{3}))?"
    rf"(?P<variants>(?:-(?:{_ALNUM}{{5,8}}|\d{_ALNUM}{{3}}))*)"
    rf"(?P<extensions>(?:-[0-9A-WY-Za-wy-z](?:-{_ALNUM}{{2,8}})+)*)"
    rf"(?:-[xX](?:-{_ALNUM}{{1,8}})+)?$"
)
_PRIVATEUSE_RE = re.compile(rf"^[xX](?:-{_ALNUM}{{1,8}})+$")
_GRANDFATHERED = frozenset(
    tag.lower()
    for tag in (
        "en-GB-oed i-ami i-bnn i-default i-enochian i-hak i-klingon i-lux i-mingo i-navajo "
        "i-pwn i-tao i-tay i-tsu sgn-BE-FR sgn-BE-NL sgn-CH-DE art-lojban cel-gaulish "
        "no-bok no-nyn zh-guoyu zh-hakka zh-min zh-min-nan zh-xiang"
    ).split()
)


def is_language_tag(value: object) -> bool:
    """True when ``value`` is a well-formed RFC 5646 language tag.

    Besides the grammar, singletons may not repeat (``ar-a-aaa-b-bbb-a-ccc``) and neither
    may variants, as section 2.2.5 and 2.2.6 require.
    """
    if not isinstance(value, str) or not value:
        return False
    return _is_language_tag(value)


@functools.lru_cache(maxsize=1024)
def _is_language_tag(value: str) -> bool:
    # Cached: a batch repeats the same few tags in every language map.
    if value.lower() in _GRANDFATHERED or _PRIVATEUSE_RE.match(value):
        return True
    match = _LANGTAG_RE.match(value)
    if match is None:
        return False
    variants = [v.lower() for v in match["variants"].split("-") if v]
    if len(variants) != len(set(variants)):
        return False
    singletons = [
        part.lower() for part in match["extensions"].split("-") if len(part) == 1 and part
    ]
    return len(singletons) == len(set(singletons))


def is_iso8601_duration(text: object) -> bool:
    """True when ``text`` is an ISO 8601 duration (``PT1H0M0.1S``, ``P4W``, ``P3Y``)."""
    return isinstance(text, str) and _DURATION_RE.match(text) is not None


def parse_timestamp(text: object) -> datetime:
    """Parse an xAPI Timestamp (ISO 8601 extended or basic form) to an aware datetime.

    A missing offset is read as UTC. The negative zero offsets ``-00``, ``-0000`` and
    ``-00:00`` are refused, as Data 4.5 requires. Fractions finer than a microsecond are
    truncated.

    :raises ValueError: ``text`` is not such a timestamp.
    """
    if not isinstance(text, str):
        raise ValueError("must be an ISO 8601 timestamp string")
    return _parse_timestamp(text)


@functools.lru_cache(maxsize=4096)
def _parse_timestamp(text: str) -> datetime:
    # Cached (datetimes are immutable): the LRS parses each statement's timestamp when
    # validating and again when storing it, and an LMS batch often repeats one instant.
    for pattern in _TIMESTAMP_RES:
        match = pattern.match(text)
        if match is not None:
            break
    else:
        raise ValueError(f"{text!r} is not an ISO 8601 timestamp")
    year, month, day, hour, minute, second, fraction, tz_text = match.groups()
    tzinfo: timezone = UTC
    if tz_text and tz_text not in ("Z", "z"):
        tzinfo = _offset(text, tz_text)
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int(fraction[:6].ljust(6, "0")) if fraction else 0,
            tzinfo=tzinfo,
        )
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date and time") from None


def _offset(text: str, tz_text: str) -> timezone:
    digits = tz_text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if tz_text[0] == "-" and hours == 0 and minutes == 0:
        raise ValueError(f"{text!r} uses the negative zero offset")
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} has an offset out of range")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if tz_text[0] == "-" else offset)


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds (``2024-05-01T12:00:00.000Z``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_version_header(value: str | None) -> str:
    """Check the ``X-Experience-API-Version`` request header; return it stripped.

    :raises StatementError: missing, or not ``1.0`` / ``1.0.x``.
    """
    path = "X-Experience-API-Version"
    if value is None or not value.strip():
        raise StatementError(path, "header is required")
    value = value.strip()
    if not _VERSION_RE.match(value):
        raise StatementError(path, f"{value!r} is not a supported version (1.0.x)")
    return value


# --------------------------------------------------------------------------- primitives


def _key_path(path: str, key: str) -> str:
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _fail(path: str, message: str) -> StatementError:
    return StatementError(path, message)


def _object(value: object, path: str, what: str = "an object") -> dict:
    if not isinstance(value, dict):
        raise _fail(path, f"must be {what}")
    return value


def _props(
    value: dict,
    path: str,
    allowed: frozenset[str],
    required: Iterable[str] = (),
    where: str = "",
) -> None:
    """Refuse unknown keys (case-sensitively), null values and missing required keys."""
    if value.keys() <= allowed and None not in value.values():
        # The common case, checked in C; the loops below find the first offence in order.
        for key in required:
            if key not in value:
                raise _fail(f"{path}.{key}", "is required")
        return
    for key in value:
        if key not in allowed:
            suffix = f" in {where}" if where else ""
            raise _fail(f"{path}.{key}", f"is not an allowed property{suffix}")
    for key, item in value.items():
        if item is None:
            raise _fail(f"{path}.{key}", "must not be null")
    for key in required:
        if key not in value:
            raise _fail(f"{path}.{key}", "is required")


def _string(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, "must be a string")
    return value


def _iri(value: object, path: str, what: str = "IRI") -> str:
    _string(value, path)
    if not _IRI_RE.match(value):
        raise _fail(path, f"must be an absolute {what}")
    return value


def _uuid(value: object, path: str) -> str:
    _string(value, path)
    if not _UUID_RE.match(value):
        raise _fail(path, "must be a UUID in standard string form")
    return value


def _number(value: object, path: str) -> float:
    # bool is an int in Python but never a JSON number.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, "must be a number")
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise _fail(path, "must be a finite number")
    return value


def _boolean(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, "must be a boolean")
    return value


# The checks below that run on every statement take the parent's path and the property's
# name, and join them only to report a failure.


def _timestamp(value: object, parent: str, name: str) -> datetime:
    if not isinstance(value, str):
        raise _fail(f"{parent}.{name}", "must be a string")
    try:
        return parse_timestamp(value)
    except ValueError as error:
        raise _fail(f"{parent}.{name}", str(error)) from None


def _language_map(value: object, parent: str, name: str) -> None:
    if not isinstance(value, dict):
        raise _fail(f"{parent}.{name}", "must be a language map (an object)")
    for key, text in value.items():
        if not is_language_tag(key):
            raise _fail(_key_path(f"{parent}.{name}", key), "is not an RFC 5646 language tag")
        if not isinstance(text, str):
            raise _fail(_key_path(f"{parent}.{name}", key), "must be a string")


def _extensions(value: object, parent: str) -> None:
    # Values may be any JSON, null included (Data 2.2: the one place null is allowed).
    if not isinstance(value, dict):
        raise _fail(f"{parent}.extensions", "must be an extensions object")
    for key in value:
        if not _IRI_RE.match(key):
            raise _fail(
                _key_path(f"{parent}.extensions", key), "extension key must be an absolute IRI"
            )


def _array(value: object, path: str) -> list:
    if not isinstance(value, list):
        raise _fail(path, "must be an array")
    return value


# --------------------------------------------------------------------------- agents


def _ifis_present(value: dict) -> list[str]:
    return [key for key in IFI_KEYS if key in value]


def _check_ifi(value: dict, path: str) -> None:
    if "mbox" in value:
        mbox = value["mbox"]
        if not isinstance(mbox, str):
            raise _fail(f"{path}.mbox", "must be a string")
        if not _MBOX_RE.match(mbox):
            raise _fail(f"{path}.mbox", "must be a mailto: IRI with an e-mail address")
    if "mbox_sha1sum" in value:
        digest = _string(value["mbox_sha1sum"], f"{path}.mbox_sha1sum")
        if not _SHA1_RE.match(digest):
            raise _fail(f"{path}.mbox_sha1sum", "must be a SHA-1 hex digest (40 characters)")
    if "openid" in value:
        _iri(value["openid"], f"{path}.openid", "URI")
    account = value.get("account")
    if "account" in value and not (
        # Exactly homePage (an IRL) and name: what the checks below accept, at once.
        isinstance(account, dict)
        and len(account) == 2
        and isinstance(account.get("name"), str)
        and isinstance(account.get("homePage"), str)
        and _IRI_RE.match(account["homePage"])
    ):
        account = _object(account, f"{path}.account")
        _props(account, f"{path}.account", _ACCOUNT_KEYS, ("homePage", "name"))
        _iri(account["homePage"], f"{path}.account.homePage", "IRL")
        _string(account["name"], f"{path}.account.name")


def _agent(value: object, path: str) -> dict:
    """An Agent: objectType optional ("Agent"), exactly one IFI, optional name."""
    if not isinstance(value, dict):
        raise _fail(path, "must be an object")
    _props(value, path, _AGENT_KEYS, where="an Agent")
    if "objectType" in value and value["objectType"] != "Agent":
        raise _fail(f"{path}.objectType", 'must be "Agent"')
    if "name" in value and not isinstance(value["name"], str):
        raise _fail(f"{path}.name", "must be a string")
    found = _ifis_present(value)
    if len(found) != 1:
        raise _fail(path, "an Agent needs exactly one of mbox, mbox_sha1sum, openid, account")
    _check_ifi(value, path)
    return value


def _group(value: dict, path: str, *, require_identified: bool = False) -> dict:
    _props(value, path, _GROUP_KEYS, where="a Group")
    if "name" in value:
        _string(value["name"], f"{path}.name")
    found = _ifis_present(value)
    if len(found) > 1:
        raise _fail(path, "a Group may have at most one inverse functional identifier")
    if not found and require_identified:
        raise _fail(path, "must be an identified Group (with an inverse functional identifier)")
    if not found and "member" not in value:
        raise _fail(f"{path}.member", "is required in an anonymous Group")
    _check_ifi(value, path)
    if "member" in value:
        members = _array(value["member"], f"{path}.member")
        if not found and not members:
            raise _fail(f"{path}.member", "an anonymous Group must list its members")
        for index, member in enumerate(members):
            member_path = f"{path}.member[{index}]"
            member = _object(member, member_path)
            if member.get("objectType") == "Group":
                raise _fail(f"{member_path}.objectType", "a Group cannot contain Groups")
            _agent(member, member_path)
    return value


def _actor(value: object, path: str, *, object_type_required: bool = False) -> dict:
    """An Agent or a Group, dispatched on objectType (absent means Agent)."""
    value = _object(value, path)
    object_type = value.get("objectType")
    if object_type is None and "objectType" in value:
        raise _fail(f"{path}.objectType", "must not be null")
    if object_type is None and object_type_required:
        raise _fail(f"{path}.objectType", "is required")
    if object_type is not None and not isinstance(object_type, str):
        raise _fail(f"{path}.objectType", "must be a string")
    if object_type == "Group":
        return _group(value, path)
    if object_type in (None, "Agent"):
        return _agent(value, path)
    raise _fail(f"{path}.objectType", 'must be "Agent" or "Group"')


def _authority(value: object, path: str) -> dict:
    """An Agent, or (three-legged OAuth) an anonymous Group of exactly two Agents."""
    value = _actor(value, path)
    if value.get("objectType") == "Group":
        if _ifis_present(value):
            raise _fail(path, "an authority Group must be anonymous")
        if len(value["member"]) != 2:
            raise _fail(f"{path}.member", "an authority Group must have exactly two Agents")
    return value


def validate_agent(data: object, path: str = "agent", *, allow_group: bool = False) -> dict:
    """Validate the JSON of an ``agent`` request parameter; return it.

    With ``allow_group`` an identified Group is accepted too (the statements query's
    ``agent`` filter); the State and Agent Profile resources take Agents only.

    :raises StatementError: not a valid Agent (or identified Group).
    """
    value = _object(data, path)
    if allow_group and value.get("objectType") == "Group":
        return _group(value, path, require_identified=True)
    return _agent(value, path)


# --------------------------------------------------------------------------- verb, object


def _verb(value: object, path: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(path, "must be an object")
    _props(value, path, _VERB_KEYS, ("id",), where="a Verb")
    verb_id = value["id"]
    if not (isinstance(verb_id, str) and _IRI_RE.match(verb_id)):
        _iri(verb_id, f"{path}.id")
    if "display" in value:
        _language_map(value["display"], path, "display")
    return value


def _components(value: object, path: str) -> None:
    items = _array(value, path)
    seen: set[str] = set()
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        item = _object(item, item_path)
        _props(item, item_path, _COMPONENT_ITEM_KEYS, ("id",), where="an interaction component")
        component_id = _string(item["id"], f"{item_path}.id")
        if component_id in seen:
            raise _fail(f"{item_path}.id", "interaction component ids must be distinct")
        seen.add(component_id)
        if "description" in item:
            _language_map(item["description"], item_path, "description")


def _definition(value: object, path: str) -> None:
    if not isinstance(value, dict):
        raise _fail(path, "must be an object")
    _props(value, path, _DEFINITION_KEYS, where="an Activity Definition")
    if "name" in value:
        _language_map(value["name"], path, "name")
    if "description" in value:
        _language_map(value["description"], path, "description")
    if "type" in value:
        kind = value["type"]
        if not (isinstance(kind, str) and _IRI_RE.match(kind)):
            _iri(kind, f"{path}.type")
    if "moreInfo" in value:
        _iri(value["moreInfo"], f"{path}.moreInfo", "IRL")
    if "extensions" in value:
        _extensions(value["extensions"], path)
    interaction = value.get("interactionType")
    if "interactionType" in value:
        _string(interaction, f"{path}.interactionType")
        if interaction not in INTERACTION_TYPES:
            raise _fail(f"{path}.interactionType", f"{interaction!r} is not an interaction type")
    if "correctResponsesPattern" in value:
        if interaction is None:
            raise _fail(f"{path}.correctResponsesPattern", "needs an interactionType")
        patterns = _array(value["correctResponsesPattern"], f"{path}.correctResponsesPattern")
        for index, pattern in enumerate(patterns):
            _string(pattern, f"{path}.correctResponsesPattern[{index}]")
    if interaction is None and value.keys().isdisjoint(COMPONENT_KEYS):
        return
    allowed = COMPONENTS_BY_TYPE.get(interaction, frozenset()) if interaction else frozenset()
    for key in COMPONENT_KEYS:
        if key in value:
            if key not in allowed:
                kind = f"interactionType {interaction!r}" if interaction else "no interactionType"
                raise _fail(f"{path}.{key}", f"is not allowed with {kind}")
            _components(value[key], f"{path}.{key}")


def _activity(value: object, path: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(path, "must be an object")
    _props(value, path, _ACTIVITY_KEYS, ("id",), where="an Activity")
    if "objectType" in value and value["objectType"] != "Activity":
        raise _fail(f"{path}.objectType", 'must be "Activity"')
    activity_id = value["id"]
    if not (isinstance(activity_id, str) and _IRI_RE.match(activity_id)):
        _iri(activity_id, f"{path}.id")
    if "definition" in value:
        _definition(value["definition"], f"{path}.definition")
    return value


def _statement_ref(value: object, path: str) -> dict:
    value = _object(value, path, "a Statement Reference (an object)")
    _props(value, path, _STATEMENT_REF_KEYS, ("objectType", "id"), where="a StatementRef")
    if value["objectType"] != "StatementRef":
        raise _fail(f"{path}.objectType", 'must be "StatementRef"')
    _uuid(value["id"], f"{path}.id")
    return value


def _object_type(value: dict) -> str:
    """The objectType of a statement's object; an absent one means Activity."""
    return value.get("objectType", "Activity")


def _statement_object(value: object, path: str, *, in_substatement: bool) -> dict:
    value = _object(value, path)
    object_type = value.get("objectType", "Activity")
    if not isinstance(object_type, str):
        raise _fail(f"{path}.objectType", "must be a string")
    if object_type == "Activity":
        return _activity(value, path)
    if object_type in ("Agent", "Group"):
        return _actor(value, path, object_type_required=True)
    if object_type == "StatementRef":
        return _statement_ref(value, path)
    if object_type == "SubStatement":
        if in_substatement:
            raise _fail(f"{path}.objectType", "a SubStatement cannot contain a SubStatement")
        _statement_body(value, path, substatement=True)
        return value
    raise _fail(
        f"{path}.objectType",
        f"{object_type!r} is not one of Activity, Agent, Group, StatementRef, SubStatement",
    )


# --------------------------------------------------------------------------- result, context


def _score(value: object, path: str) -> None:
    value = _object(value, path)
    _props(value, path, _SCORE_KEYS, where="a Score")
    for key in ("scaled", "raw", "min", "max"):
        if key in value:
            _number(value[key], f"{path}.{key}")
    if "scaled" in value and not -1 <= value["scaled"] <= 1:
        raise _fail(f"{path}.scaled", "must be between -1 and 1")
    if "min" in value and "max" in value and not value["min"] < value["max"]:
        raise _fail(f"{path}.min", "must be less than max")
    if "raw" in value:
        if "min" in value and value["raw"] < value["min"]:
            raise _fail(f"{path}.raw", "must not be less than min")
        if "max" in value and value["raw"] > value["max"]:
            raise _fail(f"{path}.raw", "must not be greater than max")


def _result(value: object, path: str) -> None:
    value = _object(value, path)
    _props(
        value,
        path,
        _RESULT_KEYS,
        where="a Result",
    )
    if "score" in value:
        _score(value["score"], f"{path}.score")
    if "success" in value:
        _boolean(value["success"], f"{path}.success")
    if "completion" in value:
        _boolean(value["completion"], f"{path}.completion")
    if "response" in value:
        _string(value["response"], f"{path}.response")
    if "duration" in value:
        _string(value["duration"], f"{path}.duration")
        if not is_iso8601_duration(value["duration"]):
            raise _fail(f"{path}.duration", "must be an ISO 8601 duration")
    if "extensions" in value:
        _extensions(value["extensions"], path)


def _context_activities(value: object, path: str) -> None:
    value = _object(value, path)
    _props(value, path, _CONTEXT_ACTIVITIES_KEYS, where="contextActivities")
    if not value:
        raise _fail(path, "must contain at least one of parent, grouping, category, other")
    for key in CONTEXT_ACTIVITY_KEYS:
        if key not in value:
            continue
        item = value[key]
        if isinstance(item, list):
            for index, activity in enumerate(item):
                _activity_in_context(activity, f"{path}.{key}[{index}]")
        else:
            _activity_in_context(item, f"{path}.{key}")


def _activity_in_context(value: object, path: str) -> None:
    if not isinstance(value, dict):
        raise _fail(path, "must be an Activity (an object)")
    _activity(value, path)


def _context(value: object, path: str, statement_object: dict) -> None:
    if not isinstance(value, dict):
        raise _fail(path, "must be an object")
    _props(value, path, _CONTEXT_KEYS, where="a Context")
    if "registration" in value:
        _uuid(value["registration"], f"{path}.registration")
    if "instructor" in value:
        _actor(value["instructor"], f"{path}.instructor")
    if "team" in value:
        team = _object(value["team"], f"{path}.team")
        if team.get("objectType") != "Group":
            raise _fail(f"{path}.team.objectType", 'must be "Group"')
        _group(team, f"{path}.team")
    if "contextActivities" in value:
        _context_activities(value["contextActivities"], f"{path}.contextActivities")
    is_activity = _object_type(statement_object) == "Activity"
    for key in ("revision", "platform"):
        if key in value:
            if not isinstance(value[key], str):
                raise _fail(f"{path}.{key}", "must be a string")
            if not is_activity:
                raise _fail(f"{path}.{key}", "is only allowed when the object is an Activity")
    if "language" in value:
        language = value["language"]
        if not isinstance(language, str):
            raise _fail(f"{path}.language", "must be a string")
        # Strict RFC 5646, as for language map keys (Data 2.4.6: "String as defined in
        # RFC 5646"); the conformance suite posts "something" here and expects 400.
        if not is_language_tag(language):
            raise _fail(f"{path}.language", "must be an RFC 5646 language tag")
    if "statement" in value:
        _statement_ref(value["statement"], f"{path}.statement")
    if "extensions" in value:
        _extensions(value["extensions"], path)


def _attachments(value: object, path: str) -> None:
    items = _array(value, path)
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        item = _object(item, item_path)
        _props(
            item,
            item_path,
            _ATTACHMENT_KEYS,
            ("usageType", "display", "contentType", "length", "sha2"),
            where="an Attachment",
        )
        _iri(item["usageType"], f"{item_path}.usageType")
        _language_map(item["display"], item_path, "display")
        if "description" in item:
            _language_map(item["description"], item_path, "description")
        content_type = _string(item["contentType"], f"{item_path}.contentType")
        if not _MEDIA_TYPE_RE.match(content_type):
            raise _fail(f"{item_path}.contentType", "must be an Internet Media Type")
        length = item["length"]
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            raise _fail(f"{item_path}.length", "must be a non-negative integer")
        sha2 = _string(item["sha2"], f"{item_path}.sha2")
        if not _SHA2_RE.match(sha2):
            raise _fail(f"{item_path}.sha2", "must be a SHA-2 hex digest")
        if "fileUrl" in item:
            _iri(item["fileUrl"], f"{item_path}.fileUrl", "IRL")


# --------------------------------------------------------------------------- statements

_STATEMENT_KEYS = frozenset(
    {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
)
_SUBSTATEMENT_KEYS = frozenset(
    {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
)


def _statement_body(value: dict, path: str, *, substatement: bool) -> None:
    if substatement:
        _props(
            value,
            path,
            _SUBSTATEMENT_KEYS,
            ("actor", "verb", "object"),
            where="a SubStatement",
        )
    else:
        _props(value, path, _STATEMENT_KEYS, ("actor", "verb", "object"), where="a Statement")
        if "id" in value:
            _uuid(value["id"], f"{path}.id")
    _actor(value["actor"], f"{path}.actor")
    verb = _verb(value["verb"], f"{path}.verb")
    statement_object = _statement_object(
        value["object"], f"{path}.object", in_substatement=substatement
    )
    if verb["id"] == VOIDED_VERB and _object_type(statement_object) != "StatementRef":
        raise _fail(f"{path}.object", "a voiding statement's object must be a StatementRef")
    if "result" in value:
        _result(value["result"], f"{path}.result")
    if "context" in value:
        _context(value["context"], f"{path}.context", statement_object)
    if "timestamp" in value:
        _timestamp(value["timestamp"], path, "timestamp")
    if not substatement:
        if "stored" in value:
            _timestamp(value["stored"], path, "stored")
        if "authority" in value:
            _authority(value["authority"], f"{path}.authority")
        if "version" in value:
            version = _string(value["version"], f"{path}.version")
            if not _VERSION_RE.match(version):
                raise _fail(f"{path}.version", "must be 1.0 or 1.0.x")
    if "attachments" in value:
        _attachments(value["attachments"], f"{path}.attachments")


def validate_statement(data: object, *, path: str = "statement") -> None:
    """Validate one statement against xAPI 1.0.3.

    :raises StatementError: the first violation found, with its path.
    """
    value = _object(data, path, "a Statement (a JSON object)")
    _statement_body(value, path, substatement=False)


def validate_statements(data: object) -> list[dict]:
    """Validate the body of a statements POST: one statement or an array of them.

    Returns the statements as a list (a single statement becomes a list of one; an empty
    array is an empty list). Paths are ``statement...`` for a single statement and
    ``statements[i]...`` for an array. Two statements with the same id in one batch are
    refused (Communication 2.1.2).

    :raises StatementError: the first violation found.
    """
    if isinstance(data, dict):
        validate_statement(data, path="statement")
        return [data]
    if not isinstance(data, list):
        raise StatementError("statements", "must be a Statement or an array of Statements")
    seen: dict[str, int] = {}
    for index, item in enumerate(data):
        validate_statement(item, path=f"statements[{index}]")
        if "id" in item:
            key = item["id"].lower()
            if key in seen:
                raise StatementError(
                    f"statements[{index}].id", f"repeats the id of statements[{seen[key]}]"
                )
            seen[key] = index
    return list(data)


# --------------------------------------------------------------------------- normalise


def _context_activities_as_arrays(context: dict) -> None:
    activities = context.get("contextActivities")
    if isinstance(activities, dict):
        for key, item in activities.items():
            if isinstance(item, dict):
                activities[key] = [item]


@functools.lru_cache(maxsize=8)
def _stored_text(stored: datetime) -> str:
    # A batch normalises every statement with one `stored` instant: format it once.
    return format_timestamp(stored)


def normalise(
    statement: dict,
    *,
    stored: datetime,
    authority: dict,
    version: str = "1.0.0",
    in_place: bool = False,
) -> dict:
    """The statement as the LRS stores it; the input is not modified unless ``in_place``.

    Fills ``id`` (a new UUID4 when absent), sets ``stored`` and ``authority`` (the LRS
    overwrites both: Data 2.4.8, 2.4.9), ``timestamp`` (= stored when absent) and
    ``version`` (kept when given, else ``version``: Data 2.4.10 says a statement
    without one is set to 1.0.0). The object (and a SubStatement's object) gets
    ``objectType: "Activity"`` when it has none (Data 2.4.4), and each
    contextActivities value becomes an array (Data 2.4.6.2), in the statement and in a
    SubStatement. ``in_place`` changes and returns ``statement`` itself (the LRS's hot
    path: the parsed request body is not used again, and a deep copy costs more than
    validating it).
    """
    result = statement if in_place else copy.deepcopy(statement)
    stored_text = _stored_text(stored)
    if "id" not in result:
        result["id"] = str(uuid.uuid4())
    result["stored"] = stored_text
    result.setdefault("timestamp", stored_text)
    # In place, the caller's authority dict is shared by the batch (it is only serialised).
    result["authority"] = authority if in_place else copy.deepcopy(authority)
    result.setdefault("version", version)
    bodies = [result]
    if isinstance(result.get("object"), dict) and result["object"].get("objectType") == (
        "SubStatement"
    ):
        bodies.append(result["object"])
    for body in bodies:
        # Data 2.4.4: the LRS supplies objectType "Activity" when the object has none.
        if isinstance(body.get("object"), dict):
            body["object"].setdefault("objectType", "Activity")
        if isinstance(body.get("context"), dict):
            _context_activities_as_arrays(body["context"])
    return result


# --------------------------------------------------------------------------- views


def _activities_of(statement: dict, *, include_context: bool) -> list[dict]:
    """Each Activity object in a statement (the object; optionally contextActivities)."""
    found = []
    obj = statement.get("object")
    if isinstance(obj, dict) and _object_type(obj) == "Activity":
        found.append(obj)
    if include_context:
        context = statement.get("context")
        if isinstance(context, dict) and isinstance(context.get("contextActivities"), dict):
            for item in context["contextActivities"].values():
                if isinstance(item, list):
                    found.extend(item)
                else:
                    found.append(item)
    return found


def _all_activities(statement: dict) -> list[dict]:
    found = _activities_of(statement, include_context=True)
    obj = statement.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        found.extend(_activities_of(obj, include_context=True))
    return found


def _pick_language(language_map: dict, languages: list[str]) -> dict:
    """The entry of ``language_map`` that best matches the Accept-Language list."""
    if not language_map:
        return {}
    lowered = {key.lower(): key for key in language_map}
    for wanted in languages:
        wanted = wanted.strip().lower()
        if not wanted:
            continue
        if wanted == "*":
            break
        if wanted in lowered:
            key = lowered[wanted]
            return {key: language_map[key]}
        # "en" matches "en-US"; "en-US" falls back to "en" (RFC 4647 lookup).
        for key_lower, key in lowered.items():
            if key_lower.startswith(wanted + "-"):
                return {key: language_map[key]}
        parts = wanted.split("-")
        while len(parts) > 1:
            parts.pop()
            prefix = "-".join(parts)
            if prefix in lowered:
                key = lowered[prefix]
                return {key: language_map[key]}
    key = next(iter(language_map))
    return {key: language_map[key]}


def _canonical_definition(definition: dict, languages: list[str]) -> None:
    for key in ("name", "description"):
        if isinstance(definition.get(key), dict):
            definition[key] = _pick_language(definition[key], languages)
    for key in COMPONENT_KEYS:
        for component in definition.get(key) or []:
            if isinstance(component, dict) and isinstance(component.get("description"), dict):
                component["description"] = _pick_language(component["description"], languages)


def _canonical_body(statement: dict, languages: list[str]) -> None:
    verb = statement.get("verb")
    if isinstance(verb, dict) and isinstance(verb.get("display"), dict):
        verb["display"] = _pick_language(verb["display"], languages)
    for activity in _activities_of(statement, include_context=True):
        if isinstance(activity.get("definition"), dict):
            _canonical_definition(activity["definition"], languages)
    for attachment in statement.get("attachments") or []:
        for key in ("display", "description"):
            if isinstance(attachment.get(key), dict):
                attachment[key] = _pick_language(attachment[key], languages)
    obj = statement.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        _canonical_body(obj, languages)


def canonical(statement: dict, languages: list[str]) -> dict:
    """The ``format=canonical`` view: every language map cut to one entry.

    ``languages`` is the Accept-Language list, most preferred first. For each map the
    first language that matches (exactly, or by RFC 4647 prefix either way) wins; with
    no match, the map's first entry. Extensions are left alone. Returns a new dict.
    """
    result = copy.deepcopy(statement)
    _canonical_body(result, languages)
    return result


def _ids_actor(actor: dict) -> dict:
    out: dict = {}
    if "objectType" in actor:
        out["objectType"] = actor["objectType"]
    ifis = _ifis_present(actor)
    if ifis:
        out[ifis[0]] = copy.deepcopy(actor[ifis[0]])
    elif isinstance(actor.get("member"), list):
        out["member"] = [_ids_actor(m) for m in actor["member"] if isinstance(m, dict)]
    return out


def _ids_activity(activity: dict) -> dict:
    # Only the identifier: objectType defaults to Activity, and clients of the ids
    # format count on a single key (as the conformance suite does).
    return {"id": activity["id"]}


def _ids_body(statement: dict) -> None:
    for key in ("actor", "authority"):
        if isinstance(statement.get(key), dict):
            statement[key] = _ids_actor(statement[key])
    if isinstance(statement.get("verb"), dict) and "id" in statement["verb"]:
        statement["verb"] = {"id": statement["verb"]["id"]}
    obj = statement.get("object")
    if isinstance(obj, dict):
        object_type = _object_type(obj)
        if object_type == "Activity" and "id" in obj:
            statement["object"] = _ids_activity(obj)
        elif object_type in ("Agent", "Group"):
            statement["object"] = _ids_actor(obj)
        elif object_type == "SubStatement":
            _ids_body(obj)
    context = statement.get("context")
    if isinstance(context, dict):
        for key in ("instructor", "team"):
            if isinstance(context.get(key), dict):
                context[key] = _ids_actor(context[key])
        activities = context.get("contextActivities")
        if isinstance(activities, dict):
            for key, item in activities.items():
                items = item if isinstance(item, list) else [item]
                activities[key] = [_ids_activity(a) for a in items if isinstance(a, dict)]


def ids_format(statement: dict) -> dict:
    """The ``format=ids`` view (Communication 2.1.3).

    Agents and identified Groups keep objectType and their one IFI; anonymous Groups
    keep their members, each reduced the same way; Activities and the Verb keep only
    ``id``. Applies to actor, object (and inside a SubStatement),
    authority, instructor, team and contextActivities. Returns a new dict.
    """
    result = copy.deepcopy(statement)
    _ids_body(result)
    return result


# --------------------------------------------------------------------------- filters


def agent_ifi(agent: dict) -> str:
    """A stable key for an Agent's or identified Group's IFI.

    ``mbox:mailto:a@b.c``, ``mbox_sha1sum:<lowercase hex>``, ``openid:<uri>``,
    ``account:<homePage>|<name>``. The mbox domain is lowercased (it is case
    insensitive, Data 2.3.1).

    :raises StatementError: the object has no IFI (an anonymous Group).
    """
    if "mbox" in agent:
        local, _, domain = str(agent["mbox"]).partition("@")
        return f"mbox:{local}@{domain.lower()}"
    if "mbox_sha1sum" in agent:
        return f"mbox_sha1sum:{str(agent['mbox_sha1sum']).lower()}"
    if "openid" in agent:
        return f"openid:{agent['openid']}"
    if isinstance(agent.get("account"), dict):
        account = agent["account"]
        return f"account:{account.get('homePage')}|{account.get('name')}"
    raise StatementError("agent", "has no inverse functional identifier")


def _actor_keys(actor: object) -> set[str]:
    """The IFI keys an actor matches: its own, or for an anonymous Group its members'.

    An anonymous Group has no identity of its own, so the only way a filter can match
    it (the OAuth authority, an ad hoc team) is through its members.
    """
    if not isinstance(actor, dict):
        return set()
    # Any of IFI_KEYS, spelled out: this runs for every stored statement.
    if "mbox" in actor or "mbox_sha1sum" in actor or "openid" in actor or "account" in actor:
        return {agent_ifi(actor)}
    keys: set[str] = set()
    for member in actor.get("member") or []:
        if isinstance(member, dict) and _ifis_present(member):
            keys.add(agent_ifi(member))
    return keys


def _main_agents(statement: dict) -> set[str]:
    keys = _actor_keys(statement.get("actor"))
    obj = statement.get("object")
    if isinstance(obj, dict) and obj.get("objectType") in ("Agent", "Group"):
        keys |= _actor_keys(obj)
    return keys


def statement_agents(statement: dict) -> set[str]:
    """IFI keys the ``agent`` filter matches: the actor and an Agent/Group object."""
    return _main_agents(statement)


def related_agents(statement: dict, *, authority: bool = True) -> set[str]:
    """IFI keys the ``agent`` filter matches with ``related_agents=true``.

    Actor, object, authority (unless ``authority`` is false), context instructor and
    team, and the same properties of a contained SubStatement.
    """

    def broad(body: dict) -> set[str]:
        keys = _main_agents(body)
        if authority:
            keys |= _actor_keys(body.get("authority"))
        context = body.get("context")
        if isinstance(context, dict):
            for key in ("instructor", "team"):
                if key in context:
                    keys |= _actor_keys(context[key])
        return keys

    keys = broad(statement)
    obj = statement.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        keys |= broad(obj)
    return keys


def statement_activities(statement: dict) -> set[str]:
    """Activity ids the ``activity`` filter matches: the object, when an Activity."""
    return {a["id"] for a in _activities_of(statement, include_context=False) if "id" in a}


def related_activities(statement: dict) -> set[str]:
    """Activity ids matched with ``related_activities=true``.

    The object, every context Activity, and the same in a contained SubStatement.
    """
    return {a["id"] for a in _all_activities(statement) if isinstance(a, dict) and "id" in a}


# --------------------------------------------------------------------------- comparison


def _comparable_actor(actor: object) -> object:
    if not isinstance(actor, dict):
        return actor
    out = {k: v for k, v in actor.items() if k not in ("member", "mbox")}
    out.setdefault("objectType", "Agent")
    if "mbox" in actor:
        out["mbox"] = agent_ifi({"mbox": actor["mbox"]})
    if "mbox_sha1sum" in actor and isinstance(actor["mbox_sha1sum"], str):
        out["mbox_sha1sum"] = actor["mbox_sha1sum"].lower()
    if isinstance(actor.get("member"), list):
        members = [_comparable_actor(m) for m in actor["member"]]
        # Group members are an unordered list (Data 2.3.1).
        out["member"] = sorted(members, key=lambda m: json.dumps(m, sort_keys=True))
    return out


def _comparable_activity(activity: object) -> object:
    # Activity Definitions are not part of the statement (Data 2.3.1).
    if not isinstance(activity, dict):
        return activity
    return {"objectType": "Activity", "id": activity.get("id")}


def _comparable_body(statement: dict) -> dict:
    out: dict = {}
    for key, value in statement.items():
        # Properties the LRS assigns, and attachments, are exceptions to immutability.
        if key in ("id", "stored", "authority", "version", "attachments", "timestamp"):
            continue
        out[key] = copy.deepcopy(value)
    out["actor"] = _comparable_actor(statement.get("actor"))
    verb = statement.get("verb")
    # The Verb's display is not part of the statement either.
    out["verb"] = {"id": verb.get("id")} if isinstance(verb, dict) else verb
    obj = statement.get("object")
    if isinstance(obj, dict):
        object_type = _object_type(obj)
        if object_type == "Activity":
            out["object"] = _comparable_activity(obj)
        elif object_type in ("Agent", "Group"):
            out["object"] = _comparable_actor(obj)
        elif object_type == "StatementRef":
            out["object"] = {"objectType": "StatementRef", "id": str(obj.get("id")).lower()}
        elif object_type == "SubStatement":
            sub = _comparable_body(obj)
            if "timestamp" in obj:
                sub["timestamp"] = _instant(obj["timestamp"])
            out["object"] = sub
    context = statement.get("context")
    if isinstance(context, dict):
        ctx = copy.deepcopy(context)
        if isinstance(ctx.get("registration"), str):
            ctx["registration"] = ctx["registration"].lower()
        for key in ("instructor", "team"):
            if key in ctx:
                ctx[key] = _comparable_actor(ctx[key])
        if isinstance(ctx.get("statement"), dict) and "id" in ctx["statement"]:
            ctx["statement"] = {
                "objectType": "StatementRef",
                "id": str(ctx["statement"]["id"]).lower(),
            }
        activities = ctx.get("contextActivities")
        if isinstance(activities, dict):
            for key, item in activities.items():
                items = item if isinstance(item, list) else [item]
                activities[key] = [_comparable_activity(a) for a in items]
        out["context"] = ctx
    return out


def _instant(text: object) -> object:
    try:
        return parse_timestamp(text).astimezone(UTC).isoformat()
    except ValueError:
        return text


def same_statement(a: dict, b: dict) -> bool:
    """Whether two statements with one id match (Data 2.3.1, comparison requirements).

    Ignored, as exceptions to immutability: ``stored``, ``authority``, ``version``,
    ``attachments``, Activity Definitions, the Verb's ``display``, the order of Group
    members, the case of UUIDs and of the mbox domain, the serialisation of timestamps,
    a single context Activity versus an array of one, and a ``timestamp`` present on
    one side only (the LRS may have assigned it). Differing ids, or two timestamps at
    different instants, do not match. Everything else (``result.duration`` included)
    compares exactly.
    """
    if "id" in a and "id" in b and str(a["id"]).lower() != str(b["id"]).lower():
        return False
    if "timestamp" in a and "timestamp" in b:
        if _instant(a["timestamp"]) != _instant(b["timestamp"]):
            return False
    return _comparable_body(a) == _comparable_body(b)
