"""The LRS over HTTP: xAPI 1.0.3 resources under /xapi (Communication 1-4).

Every resource goes through `_serve`: it reads the request (or its alternate-syntax
form, Communication 1.3), checks the version header and the client's credentials, and
calls the resource's handler for the method with an `XRequest`. Handlers parse
parameters strictly (an unknown parameter is a 400), call the store, the documents or
the queries, and present the result. Errors are problem+json; every response under
/xapi carries X-Experience-API-Version and the CORS headers browser clients need.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import parse_qsl
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint
from flask import Response
from flask import current_app
from flask import request
from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import Headers

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Scope
from pathways.accounts.models import ApiClient
from pathways.accounts.permissions import parse_client_credentials
from pathways.accounts.permissions import protocol
from pathways.accounts.permissions import public
from pathways.accounts.services import authenticate_api_client
from pathways.db import db
from pathways.db import transaction
from pathways.db import utcnow
from pathways.errors import DomainError
from pathways.errors import Forbidden
from pathways.errors import Invalid
from pathways.errors import NotFound
from pathways.errors import Unauthorized
from pathways.xapi import documents
from pathways.xapi import projector
from pathways.xapi import queries
from pathways.xapi import store
from pathways.xapi.multipart import Part
from pathways.xapi.multipart import build_multipart
from pathways.xapi.multipart import media_type
from pathways.xapi.multipart import parse_multipart
from pathways.xapi.statements import StatementError
from pathways.xapi.statements import agent_ifi
from pathways.xapi.statements import canonical
from pathways.xapi.statements import check_version_header
from pathways.xapi.statements import format_timestamp
from pathways.xapi.statements import ids_format
from pathways.xapi.statements import parse_timestamp
from pathways.xapi.statements import validate_agent

bp = Blueprint("xapi", __name__, url_prefix="/xapi")

VERSION = "1.0.3"
AUTH_NOTE = "xAPI: HTTP Basic API client, scopes checked per resource"
MAX_LIMIT = 500
DEFAULT_LIMIT = 100
EXPOSED_HEADERS = (
    "ETag, Last-Modified, Content-Type, X-Experience-API-Version, "
    "X-Experience-API-Consistent-Through"
)
ALLOWED_HEADERS = (
    "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, "
    "Accept-Language, X-Requested-With"
)
ALTERNATE_METHODS = frozenset({"GET", "PUT", "POST", "DELETE"})
# Form fields of the alternate syntax that are headers, not parameters (Communication 1.3).
ALTERNATE_HEADERS = frozenset(
    {
        "authorization",
        "x-experience-api-version",
        "content-type",
        "content-length",
        "if-match",
        "if-none-match",
        "accept-language",
    }
)
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

READ_SCOPES = frozenset({Scope.XAPI_READ, Scope.XAPI_READ_OWN, Scope.XAPI_READ_ALL})
ANY_SCOPE = READ_SCOPES | {Scope.XAPI_WRITE}


class MethodNotAllowed(DomainError):
    status = 405
    title = "Method not allowed"


@dataclass
class XRequest:
    """One LRS request, whether sent plainly or in the alternate syntax."""

    method: str
    params: dict[str, str]
    headers: Headers
    body: bytes
    client: object = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    _cache: dict = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def require(self, *scopes: str) -> None:
        if not self.scopes & set(scopes):
            raise Forbidden(
                f"this client needs one of the scopes {', '.join(sorted(scopes))}",
                code="insufficient_scope",
            )

    @property
    def organisation_id(self) -> int:
        return self.client.organisation_id

    def readable_clients(self) -> tuple[int, ...] | None:
        """The API clients whose statements this client may read: its organisation's with
        xapi:read, itself with xapi:read:own; None (every client's) only with
        xapi:read:all held by a client of the platform's own organisation.

        Computed once per request.
        """
        if "readable" not in self._cache:
            if Scope.XAPI_READ_ALL in self.scopes and (
                self.client.organisation.kind is OrganisationKind.PLATFORM
            ):
                readable = None
            elif self.scopes & {Scope.XAPI_READ, Scope.XAPI_READ_ALL}:
                readable = queries.organisation_client_ids(self.organisation_id)
            else:
                readable = (self.client.id,)
            self._cache["readable"] = readable
        return self._cache["readable"]


def _bad(path: str, message: str) -> Invalid:
    return Invalid(f"{path}: {message}", code="invalid_request", errors={path: [message]})


def _incoming() -> XRequest:
    """The request as an XRequest, unwrapping the alternate request syntax."""
    query = dict(request.args.items())
    if "method" in query:
        if request.method != "POST":
            raise _bad("method", "the alternate syntax is a POST")
        method = query.pop("method").upper()
        if method not in ALTERNATE_METHODS:
            raise _bad("method", f"{method!r} is not GET, PUT, POST or DELETE")
        if query:
            raise _bad(sorted(query)[0], "with the alternate syntax only 'method' goes in the URL")
        if media_type(request.headers.get("Content-Type")) != "application/x-www-form-urlencoded":
            raise _bad("Content-Type", "the alternate syntax sends a form")
        headers = Headers()
        params: dict[str, str] = {}
        content = b""
        for name, value in parse_qsl(request.get_data(as_text=True), keep_blank_values=True):
            if name == "content":
                content = value.encode("utf-8")
            elif name.lower() in ALTERNATE_HEADERS:
                headers[name] = value
            else:
                params[name] = value
        # A header the form leaves out may come as a real header (clients send their
        # credentials and version there); the form's value wins when both are given.
        # Content-Type and Content-Length describe the form itself, never the content.
        for name in ALTERNATE_HEADERS - {"content-type", "content-length"}:
            if name not in headers and request.headers.get(name):
                headers[name] = request.headers[name]
        if content and "Content-Type" not in headers:
            # The content of the alternate syntax is a JSON document unless the form says.
            headers["Content-Type"] = "application/json"
        return XRequest(method, params, headers, content)
    headers = Headers(request.headers)
    return XRequest(request.method, query, headers, request.get_data())


def _authenticate(xreq: XRequest) -> None:
    header = xreq.headers.get("Authorization")
    if not header:
        raise Unauthorized("credentials required (HTTP Basic)", code="no_credentials")
    credentials = parse_client_credentials(header)
    client = authenticate_api_client(*credentials) if credentials else None
    if client is None:
        raise Unauthorized("unknown or revoked client credentials", code="bad_credentials")
    xreq.client = client
    xreq.scopes = frozenset(client.scopes) & ANY_SCOPE
    if not xreq.scopes:
        raise Forbidden("this client has no xAPI scope", code="insufficient_scope")


def _serve(handlers: dict[str, Callable[[XRequest], Response]], *, authenticate=True):
    xreq = _incoming()
    method = "GET" if xreq.method == "HEAD" else xreq.method
    handler = handlers.get(method)
    if authenticate:
        try:
            check_version_header(xreq.headers.get("X-Experience-API-Version"))
        except StatementError as error:
            raise _bad(error.path, error.message) from None
        _authenticate(xreq)
    if handler is None:
        raise MethodNotAllowed(f"{method} is not allowed here", code="method_not_allowed")
    return handler(xreq)


@bp.after_app_request
def _lrs_headers(response: Response) -> Response:
    """Version and CORS headers on every /xapi response, errors and 404s included."""
    if not request.path.startswith("/xapi"):
        return response
    response.headers["X-Experience-API-Version"] = VERSION
    if request.path == "/xapi/statements" and (
        "X-Experience-API-Consistent-Through" not in response.headers
    ):
        # Every answer of the Statement Resource says how current it is (Communication
        # 2.1.3), a 404 for an unknown id included: clients poll on this header.
        response.headers["X-Experience-API-Consistent-Through"] = format_timestamp(utcnow())
    origin = request.headers.get("Origin")
    response.headers["Access-Control-Allow-Origin"] = origin or "*"
    if origin:
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.vary.add("Origin")
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, PUT, POST, DELETE, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="xAPI"'
    return response


# ------------------------------------------------------------------------------ parameters


def _check_params(xreq: XRequest, allowed: set[str]) -> None:
    unknown = sorted(set(xreq.params) - allowed)
    if unknown:
        raise _bad(unknown[0], "is not a parameter of this resource")


def _uuid(value: str, name: str) -> str:
    if not _UUID_RE.match(value):
        raise _bad(name, "must be a UUID")
    return value.lower()


def _bool(xreq: XRequest, name: str) -> bool:
    value = xreq.params.get(name)
    if value is None:
        return False
    if value not in ("true", "false"):
        raise _bad(name, "must be true or false")
    return value == "true"


def _time(xreq: XRequest, name: str) -> datetime | None:
    value = xreq.params.get(name)
    if value is None:
        return None
    try:
        return parse_timestamp(value)
    except ValueError as error:
        raise _bad(name, str(error)) from None


def _iri(xreq: XRequest, name: str, *, required: bool = False) -> str | None:
    value = xreq.params.get(name)
    if value is None:
        if required:
            raise _bad(name, "is required")
        return None
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$", value):
        raise _bad(name, "must be an IRI")
    return value


def _agent(xreq: XRequest, name: str = "agent", *, required: bool = False) -> dict | None:
    value = xreq.params.get(name)
    if value is None:
        if required:
            raise _bad(name, "is required")
        return None
    try:
        data = json.loads(value)
    except ValueError:
        raise _bad(name, "must be JSON") from None
    try:
        return validate_agent(data, name)
    except StatementError as error:
        raise _bad(error.path, error.message) from None


def _http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def _json(value: object, status: int = 200) -> Response:
    return Response(
        json.dumps(value, ensure_ascii=False, separators=(",", ":")),
        status=status,
        mimetype="application/json",
    )


# ------------------------------------------------------------------------------ statements

STATEMENT_QUERY_PARAMS = {
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
}
SINGLE_PARAMS = {"statementId", "voidedStatementId", "format", "attachments"}


def _statement_body(xreq: XRequest) -> tuple[object, list[Part]]:
    kind = media_type(xreq.content_type)
    parts: list[Part] = []
    body = xreq.body
    if kind == "multipart/mixed":
        try:
            body, parts = parse_multipart(body, xreq.content_type)
        except StatementError as error:
            raise store.invalid(error) from None
    elif kind != "application/json":
        raise _bad("Content-Type", "must be application/json or multipart/mixed")
    try:
        return json.loads(body), parts
    except (ValueError, UnicodeDecodeError):
        raise _bad("statement", "the body is not JSON") from None


def _store(xreq: XRequest, *, statement_id: str | None) -> list[str]:
    xreq.require(Scope.XAPI_WRITE)
    data, parts = _statement_body(xreq)
    authority = store.authority_for(xreq.client, current_app.config["BASE_URL"])
    if db.session.get_bind().dialect.name == "sqlite":
        # End the read transaction of the credential check: the store's own transaction
        # then starts as a writer and sees the latest committed statements. PostgreSQL
        # reads what is committed at each statement: there the check and the store share
        # one transaction (one connection checkout and pre-ping, one commit).
        db.session.commit()
    for attempt in (1, 2):
        try:
            with transaction():
                stored = store.store_statements(
                    # On the second attempt `data` is as the first normalised it in place
                    # (ids assigned): storing it again keeps those ids.
                    data,
                    authority=authority,
                    parts=parts,
                    statement_id=statement_id,
                )
                # Records follow in the same transaction: a statement is acknowledged
                # with what it projected, or not at all.
                projector.unproject(stored.voided)
                projector.project(stored.new)
                return stored.ids
        except IntegrityError:
            # A concurrent request stored the same statement id (or the same learner's
            # progress row) first; once more, the store sees it and answers 200 or 409.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def put_statement(xreq: XRequest) -> Response:
    _check_params(xreq, {"statementId"})
    if "statementId" not in xreq.params:
        raise _bad("statementId", "is required")
    statement_id = _uuid(xreq.params["statementId"], "statementId")
    _store(xreq, statement_id=statement_id)
    return Response(status=204)


def post_statements(xreq: XRequest) -> Response:
    if xreq.params:
        # A POST carrying a query (Communication 2.1.2: a GET sent as a POST form).
        if media_type(xreq.content_type) == "application/x-www-form-urlencoded":
            return get_statements(xreq)
        _check_params(xreq, set())
    if media_type(xreq.content_type) == "application/x-www-form-urlencoded":
        xreq.params = dict(parse_qsl(xreq.body.decode("utf-8"), keep_blank_values=True))
        return get_statements(xreq)
    return _json(_store(xreq, statement_id=None))


def _more_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="xapi-more")


def _query_from(xreq: XRequest) -> tuple[queries.StatementQuery, dict]:
    """The first page's query and the presentation options, from the parameters."""
    agent = _agent(xreq)
    limit_text = xreq.params.get("limit", str(DEFAULT_LIMIT))
    if not limit_text.isdigit():
        raise _bad("limit", "must be a non-negative integer")
    limit = int(limit_text)
    limit = MAX_LIMIT if limit == 0 else min(limit, MAX_LIMIT)
    registration = xreq.params.get("registration")
    now = utcnow()
    until = _time(xreq, "until")
    related_agents = _bool(xreq, "related_agents")
    query = queries.StatementQuery(
        agent=agent_ifi(agent) if agent else None,
        verb=_iri(xreq, "verb"),
        activity=_iri(xreq, "activity"),
        registration=_uuid(registration, "registration") if registration else None,
        related_agents=related_agents,
        related_activities=_bool(xreq, "related_activities"),
        since=_time(xreq, "since"),
        until=until,
        limit=limit,
        ascending=_bool(xreq, "ascending"),
        upper=now,
        authority_client_ids=xreq.readable_clients(),
        agent_client_id=_authority_client(agent)
        if agent and _bool(xreq, "related_agents")
        else None,
    )
    return query, _options(xreq)


def _authority_client(agent: dict) -> int | None:
    """The API client whose `authority` agent this is (account at this LRS), or None."""
    account = agent.get("account")
    if not isinstance(account, dict) or account.get("homePage") != current_app.config["BASE_URL"]:
        return None
    return db.session.scalar(sa.select(ApiClient.id).where(ApiClient.key_id == account.get("name")))


def _options(xreq: XRequest) -> dict:
    fmt = xreq.params.get("format", "exact")
    if fmt not in ("exact", "ids", "canonical"):
        raise _bad("format", "must be exact, ids or canonical")
    return {"format": fmt, "attachments": _bool(xreq, "attachments")}


def _encode_more(query: queries.StatementQuery, options: dict) -> str:
    data = {
        "agent": query.agent,
        "verb": query.verb,
        "activity": query.activity,
        "registration": query.registration,
        "ra": query.related_agents,
        "rc": query.related_activities,
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "limit": query.limit,
        "asc": query.ascending,
        "upper": query.upper.isoformat() if query.upper else None,
        "after": [query.after[0].isoformat(), query.after[1]] if query.after else None,
        "own": list(query.authority_client_ids) if query.authority_client_ids is not None else None,
        "agent_client": query.agent_client_id,
        **options,
    }
    return _more_serializer().dumps(data)


def _decode_more(xreq: XRequest) -> tuple[queries.StatementQuery, dict]:
    try:
        data = _more_serializer().loads(xreq.params["more"])
    except BadSignature:
        raise _bad("more", "is not a continuation this LRS issued") from None
    readable = xreq.readable_clients()
    if data["own"] != (list(readable) if readable is not None else None):
        raise Forbidden("this continuation belongs to another client's query")

    def moment(text):
        return datetime.fromisoformat(text) if text else None

    query = queries.StatementQuery(
        agent=data["agent"],
        verb=data["verb"],
        activity=data["activity"],
        registration=data["registration"],
        related_agents=data["ra"],
        related_activities=data["rc"],
        since=moment(data["since"]),
        until=moment(data["until"]),
        limit=data["limit"],
        ascending=data["asc"],
        upper=moment(data["upper"]),
        after=(moment(data["after"][0]), data["after"][1]) if data["after"] else None,
        authority_client_ids=tuple(data["own"]) if data["own"] is not None else None,
        agent_client_id=data["agent_client"],
    )
    return query, {"format": data["format"], "attachments": data["attachments"]}


def _languages(xreq: XRequest) -> list[str]:
    header = xreq.headers.get("Accept-Language", "")
    ranked = []
    for position, item in enumerate(header.split(",")):
        tag, _, quality = item.strip().partition(";q=")
        if tag:
            try:
                q = float(quality) if quality else 1.0
            except ValueError:
                q = 0.0
            ranked.append((-q, position, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def _present(xreq: XRequest, texts: list[str], options: dict, wrap) -> Response:
    """Statements (their stored JSON texts) in the asked format, multipart when asked."""
    fmt = options["format"]
    if fmt == "exact" and not options["attachments"]:
        body = wrap(",".join(texts))
    else:
        statements = [json.loads(text) for text in texts]
        if fmt == "ids":
            statements = [ids_format(s) for s in statements]
        elif fmt == "canonical":
            languages = _languages(xreq)
            statements = [canonical(s, languages) for s in statements]
        body = wrap(",".join(json.dumps(s, ensure_ascii=False) for s in statements))
        if options["attachments"]:
            stored = queries.attachments_of(statements)
            parts = [Part(a.content_type, a.content, a.sha2) for a in stored]
            payload, content_type = build_multipart(body.encode("utf-8"), parts)
            return Response(payload, content_type=content_type)
    return Response(body, mimetype="application/json")


def _single(xreq: XRequest) -> Response:
    _check_params(xreq, SINGLE_PARAMS)
    if "statementId" in xreq.params and "voidedStatementId" in xreq.params:
        raise _bad("voidedStatementId", "cannot be combined with statementId")
    voided = "voidedStatementId" in xreq.params
    name = "voidedStatementId" if voided else "statementId"
    statement_id = _uuid(xreq.params[name], name)
    options = _options(xreq)
    row = queries.get_statement(
        statement_id, voided=voided, authority_client_ids=xreq.readable_clients()
    )
    if row is None:
        raise NotFound(f"no {'voided ' if voided else ''}statement {statement_id}")
    response = _present(xreq, [row.full_json], options, lambda inner: inner)
    response.headers["Last-Modified"] = _http_date(row.stored)
    response.headers["X-Experience-API-Consistent-Through"] = format_timestamp(utcnow())
    return response


def get_statements(xreq: XRequest) -> Response:
    xreq.require(*READ_SCOPES)
    if "statementId" in xreq.params or "voidedStatementId" in xreq.params:
        return _single(xreq)
    if "more" in xreq.params:
        _check_params(xreq, {"more"})
        query, options = _decode_more(xreq)
    else:
        _check_params(xreq, STATEMENT_QUERY_PARAMS)
        query, options = _query_from(xreq)
    page = queries.find_statements(query)
    more = ""
    if page.next_query is not None:
        more = f"{bp.url_prefix}/statements?" + urlencode(
            {"more": _encode_more(page.next_query, options)}
        )
    more_json = json.dumps(more)
    response = _present(
        xreq,
        [row.full_json for row in page.rows],
        options,
        lambda inner: f'{{"statements":[{inner}],"more":{more_json}}}',
    )
    consistent = query.upper or utcnow()
    response.headers["X-Experience-API-Consistent-Through"] = format_timestamp(consistent)
    newest = max((row.stored for row in page.rows), default=consistent)
    response.headers["Last-Modified"] = _http_date(newest)
    return response


@bp.route("/statements", methods=["GET", "PUT", "POST"])
@protocol(AUTH_NOTE)
def statements():
    return _serve({"GET": get_statements, "PUT": put_statement, "POST": post_statements})


# ------------------------------------------------------------------------------ documents


def _document_response(document) -> Response:
    response = Response(document.content, content_type=document.content_type)
    response.headers["ETag"] = f'"{document.etag}"'
    response.headers["Last-Modified"] = _http_date(document.updated_at)
    return response


def _preconditions(xreq: XRequest) -> documents.Preconditions:
    return documents.Preconditions(xreq.headers.get("If-Match"), xreq.headers.get("If-None-Match"))


def _documents(
    xreq: XRequest, key: documents.DocumentKey, id_name: str, *, profile: bool
) -> Response:
    """GET / PUT / POST / DELETE of one document, or the id list / delete-all of a scope."""
    method = "GET" if xreq.method == "HEAD" else xreq.method
    if method == "GET":
        xreq.require(*ANY_SCOPE)
        if key.document_id is None:
            since = _time(xreq, "since")
            ids = documents.list_document_ids(key, since)
            return _json(ids)
        if "since" in xreq.params:
            raise _bad("since", f"only lists documents; not with {id_name}")
        document = documents.get_document(key)
        if document is None:
            raise NotFound(f"no document {key.document_id!r}")
        return _document_response(document)
    xreq.require(Scope.XAPI_WRITE)
    if "since" in xreq.params:
        raise _bad("since", "only applies to GET")
    if method == "DELETE":
        if key.document_id is None and profile:
            raise _bad(id_name, "is required")
        with transaction():
            documents.delete_document(key, _preconditions(xreq))
        return Response(status=204)
    if key.document_id is None:
        raise _bad(id_name, "is required")
    if not xreq.headers.get("Content-Type"):
        raise _bad("Content-Type", "is required")
    with transaction():
        if method == "PUT":
            document = documents.put_document(
                key,
                xreq.body,
                xreq.content_type,
                _preconditions(xreq),
                needs_precondition=profile,
            )
        else:
            document = documents.post_document(
                key, xreq.body, xreq.content_type, _preconditions(xreq)
            )
        etag = document.etag
    response = Response(status=204)
    response.headers["ETag"] = f'"{etag}"'
    return response


def _state(xreq: XRequest) -> Response:
    _check_params(xreq, {"activityId", "agent", "registration", "stateId", "since"})
    activity_id = _iri(xreq, "activityId", required=True)
    agent = _agent(xreq, required=True)
    registration = xreq.params.get("registration")
    key = documents.DocumentKey(
        documents.STATE,
        xreq.params.get("stateId"),
        activity_id=activity_id,
        agent_ifi=agent_ifi(agent),
        registration=_uuid(registration, "registration") if registration else "",
        organisation_id=xreq.organisation_id,
    )
    return _documents(xreq, key, "stateId", profile=False)


def _all_methods(handler):
    return {method: handler for method in ("GET", "PUT", "POST", "DELETE")}


@bp.route("/activities/state", methods=["GET", "PUT", "POST", "DELETE"])
@protocol(AUTH_NOTE)
def state():
    return _serve(_all_methods(_state))


def _activity_profile(xreq: XRequest) -> Response:
    _check_params(xreq, {"activityId", "profileId", "since"})
    key = documents.DocumentKey(
        documents.ACTIVITY_PROFILE,
        xreq.params.get("profileId"),
        activity_id=_iri(xreq, "activityId", required=True),
        organisation_id=xreq.organisation_id,
    )
    return _documents(xreq, key, "profileId", profile=True)


@bp.route("/activities/profile", methods=["GET", "PUT", "POST", "DELETE"])
@protocol(AUTH_NOTE)
def activity_profile():
    return _serve(_all_methods(_activity_profile))


def _agent_profile(xreq: XRequest) -> Response:
    _check_params(xreq, {"agent", "profileId", "since"})
    agent = _agent(xreq, required=True)
    key = documents.DocumentKey(
        documents.AGENT_PROFILE,
        xreq.params.get("profileId"),
        agent_ifi=agent_ifi(agent),
        organisation_id=xreq.organisation_id,
    )
    return _documents(xreq, key, "profileId", profile=True)


@bp.route("/agents/profile", methods=["GET", "PUT", "POST", "DELETE"])
@protocol(AUTH_NOTE)
def agent_profile():
    return _serve(_all_methods(_agent_profile))


def _activity(xreq: XRequest) -> Response:
    xreq.require(*ANY_SCOPE)
    _check_params(xreq, {"activityId"})
    activity_id = _iri(xreq, "activityId", required=True)
    return _json(queries.get_activity(activity_id, xreq.readable_clients()))


@bp.route("/activities", methods=["GET"])
@protocol(AUTH_NOTE)
def activities():
    return _serve({"GET": _activity})


def _person(xreq: XRequest) -> Response:
    xreq.require(*ANY_SCOPE)
    _check_params(xreq, {"agent"})
    agent = _agent(xreq, required=True)
    return _json(projector.person_for(agent, xreq.readable_clients()))


@bp.route("/agents", methods=["GET"])
@protocol(AUTH_NOTE)
def agents():
    return _serve({"GET": _person})


def _about(xreq: XRequest) -> Response:
    return _json({"version": ["1.0.3", "1.0.2", "1.0.1", "1.0.0"], "extensions": {}})


@bp.route("/about", methods=["GET"])
@public
def about():
    return _serve({"GET": _about}, authenticate=False)
