"""JSON-LD canonicalisation (RDFC-1.0 / URDNA2015) over contexts shipped with the app.

The document loader never goes to the network: a context URL that is not one of the
files in `contexts/` is refused (`UnknownContext`), so a credential naming a context we do
not know fails verification with a clear reason instead of fetching it.

Speed. pyld (3.3) re-processes the type- and property-scoped contexts of the VC, OB and
CLR contexts at every node of every document: its cache of processed contexts is keyed
by the `_uuid` of the active context they apply to, but a type-scoped context applies to
a fresh clone of the active context (a new uuid each time), so it never hits, and each
of the ~40 nodes of a credential re-ran context processing (term definitions, a c14n
key per scoped context, uuid1 calls): two thirds of the time of `canonize`. `_Processor`
(used only with the pyld versions in `_TESTED_PYLD`; any other version gets plain
`pyld.jsonld.normalize`) memoises what cannot have changed since it was computed:

- `_process_context(active, local, flags)` when `active` is a `frozendict` (pyld freezes
  every processed context and never mutates one afterwards; its `_uuid` is a uuid1,
  unique in the process) and `local` is a context URL, a list of them, or a context
  object from one of our shipped files (`_ContextDict`, made only by `document_loader`
  for files without `@import`, kept by pyld inside its processed contexts and never
  changed; the memo holds the object, so its id() cannot be reused). Flags, base IRI and
  processing mode are in the key; only frozen results are kept. A context object
  written inside a document is never memoised: a changed document is processed afresh.
- `_expand_iri(active, term, vocab=True)` outside context processing, on a frozen active
  context: a pure function of the context and the term (~9,000 calls, ~400 distinct, in
  a CLR).
- `normalize` is pyld's, but canonicalises with `_Urdna2015`, which copies the blank
  node terms it relabels for hashing with `dict()` instead of `copy.deepcopy` (they are
  flat dicts of strings).
- pyld's `_is_absolute_iri` is replaced (module attribute, same version guard) by the
  same regular expression compiled once: pyld passes the pattern as a string to
  `re.match`, a cache look-up on each of its ~400 calls a credential.

Both memos are emptied when they outgrow `_MEMO_LIMIT` / `_TERMS_LIMIT`. The output is
byte-identical to plain pyld: tests/credentials/test_canonicalisation_speedup.py
compares them on the OB 3.0 test vector (and its proofValue) and on generated
credentials, endorsements and CLRs.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld
from pyld.__about__ import __version__ as PYLD_VERSION
from pyld.canon import URDNA2015
from pyld.canon import UnknownFormatError
from pyld.context_resolver import ContextResolver

CONTEXT_DIR = Path(__file__).parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_V2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"

# Context URL -> file in contexts/ (the table of ../shared/spec/README.md).
CONTEXT_FILES = {
    VC_V2: "credentials-v2.json",
    VC_V1: "credentials-v1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-v3p0-context.json",
    # Defines the credentialSchema type 1EdTechJsonSchemaValidator2019 (OB 3.0 examples).
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": "clr-v2p0-context-2.0.1.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context.json": "clr-v2p0-context.json",
    "https://w3id.org/openbadges/v2": "ob-v2p0-context.json",
    "https://openbadgespec.org/v2/context.json": "ob-v2p0-context.json",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.json",
    "https://w3id.org/security/suites/ed25519-2020/v1": "suites-ed25519-2020-v1.json",
}

# pyld versions whose JsonLdProcessor internals the memos were checked against.
_TESTED_PYLD = frozenset({"3.3.0"})
# The memos are emptied when they grow past these (a few hundred entries cover ours).
_MEMO_LIMIT = 4096
_TERMS_LIMIT = 65536

_OPTIONS = {"algorithm": "URDNA2015", "format": "application/n-quads"}


class UnknownContext(ValueError):
    """A document names a JSON-LD context that is not shipped with the app."""


class CanonicalisationError(ValueError):
    """A document is not valid JSON-LD (or uses a term its contexts do not define)."""


class _ContextDict(dict):
    """A JSON object of one of our shipped context files (see the module docstring)."""


@cache
def _context_document(url: str) -> dict[str, Any]:
    path = CONTEXT_DIR / CONTEXT_FILES[url]
    return json.loads(path.read_text(encoding="utf-8"))


def _owned_copy(value: Any) -> Any:
    """A deep copy of a context file's JSON with every object a `_ContextDict`."""
    if isinstance(value, dict):
        return _ContextDict((key, _owned_copy(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_owned_copy(item) for item in value]
    return value


@cache
def _memoisable(url: str) -> bool:
    """pyld merges an `@import`ed context into the importing one: never memoise those."""
    return "@import" not in json.dumps(_context_document(url))


def known_context(url: str) -> bool:
    return url in CONTEXT_FILES


def document_loader(url: str, options: dict | None = None) -> dict[str, Any]:
    """pyld document loader: shipped contexts only."""
    if url not in CONTEXT_FILES:
        raise UnknownContext(f"JSON-LD context {url} is not one this site knows")
    document = _context_document(url)
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        # pyld may modify what it is given; each call gets its own copy.
        "document": _owned_copy(document) if _memoisable(url) else copy.deepcopy(document),
        # "static": pyld keeps the processed context across operations (shipped files
        # never change), which is most of the cost of canonicalising a credential.
        "tag": "static",
    }


# Data loss (VC Data Integrity 1.0, "securing data losslessly"): a term no context defines
# is dropped by expansion, and a relative IRI is resolved against pyld's placeholder base;
# either way the signature would not cover what the document says. pyld has no safe mode,
# so `canonize` checks both: every property name and type name of the document must be a
# term that one of its contexts defines (in any scope) or an absolute IRI, and the N-Quads
# may not name the placeholder base.
_KEYWORDS = frozenset(
    {
        "@context", "@id", "@type", "@value", "@language", "@direction", "@list", "@set",
        "@graph", "@included", "@index", "@json", "@nest", "@reverse", "@none",
    }
)  # fmt: skip


@cache
def _terms_of(url: str) -> frozenset[str]:
    """Every term a shipped context defines, at the top or in a scoped context."""
    found: set[str] = set()

    def walk(context: Any) -> None:
        if isinstance(context, list):
            for item in context:
                walk(item)
        elif isinstance(context, dict):
            for term, definition in context.items():
                if not term.startswith("@"):
                    found.add(term)
                if isinstance(definition, dict) and "@context" in definition:
                    walk(definition["@context"])
        elif isinstance(context, str) and context in CONTEXT_FILES:
            found.update(_terms_of(context))

    walk(_context_document(url).get("@context"))
    return frozenset(found)


def _undefined_terms(document: dict[str, Any]) -> list[str]:
    contexts = document.get("@context")
    urls = contexts if isinstance(contexts, list) else [contexts]
    if not all(isinstance(u, str) and u in CONTEXT_FILES for u in urls):
        return []  # inline contexts: pyld decides, and the verifier refuses them anyway
    terms = frozenset().union(*(_terms_of(u) for u in urls))
    undefined: list[str] = []

    def named(name: Any) -> bool:
        return isinstance(name, str) and (
            name in terms or name in _KEYWORDS or (":" in name and _ABSOLUTE.match(name))
        )

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key == "@context":
                continue
            if not named(key):
                undefined.append(key)
            if key in ("type", "@type"):
                for name in value if isinstance(value, list) else [value]:
                    if not named(name):
                        undefined.append(str(name)[:100])
                continue
            walk(value)

    walk(document)
    return undefined


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")


def _plain_normalize(document: dict[str, Any]) -> str:
    """pyld as it comes: what `canonize` must equal (and does, where the memo is off)."""
    return jsonld.normalize(document, {**_OPTIONS, "documentLoader": document_loader, "safe": True})


if PYLD_VERSION in _TESTED_PYLD:
    _frozendict = jsonld.frozendict
    _memo: dict[tuple, tuple[Any, Any]] = {}
    _memo_lock = threading.Lock()
    # (active context uuid, term, base) -> its IRI, for vocabulary expansion.
    _terms: dict[tuple, Any] = {}

    def _context_key(local_ctx: Any) -> Any:
        """A key for a local context that cannot change under the memo, or None."""
        if isinstance(local_ctx, str):
            return local_ctx
        if type(local_ctx) is _ContextDict:
            return id(local_ctx)  # the memo entry keeps the object alive
        if isinstance(local_ctx, list) and all(
            isinstance(item, str) or type(item) is _ContextDict for item in local_ctx
        ):
            return tuple(item if isinstance(item, str) else id(item) for item in local_ctx)
        return None

    class _Processor(jsonld.JsonLdProcessor):
        """pyld's processor with two pure steps memoised (see the module docstring)."""

        def _process_context(
            self,
            active_ctx,
            local_ctx,
            options,
            override_protected=False,
            propagate=True,
            validate_scoped=True,
            cycles=None,
        ):
            key = None
            if cycles is None and isinstance(active_ctx, _frozendict):
                context_key = _context_key(local_ctx)
                if context_key is not None:
                    key = (
                        active_ctx.get("_uuid"),
                        context_key,
                        bool(override_protected),
                        bool(propagate),
                        bool(validate_scoped),
                        options.get("base"),
                        options.get("processingMode"),
                    )
                    hit = _memo.get(key)
                    if hit is not None:
                        return hit[0]
            result = super()._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected=override_protected,
                propagate=propagate,
                validate_scoped=validate_scoped,
                cycles=cycles,
            )
            if key is not None and key[0] is not None and isinstance(result, _frozendict):
                with _memo_lock:
                    if len(_memo) >= _MEMO_LIMIT:
                        _memo.clear()
                    # local_ctx is kept so that its id() names it while the entry lives.
                    _memo[key] = (result, local_ctx)
            return result

        def _expand_iri(
            self, active_ctx, value, base=None, vocab=False, local_ctx=None, defined=None
        ):
            if (
                vocab
                and local_ctx is None
                and type(value) is str
                and isinstance(active_ctx, _frozendict)
            ):
                key = (active_ctx.get("_uuid"), value, base)
                try:
                    return _terms[key]
                except KeyError:
                    pass
                result = super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
                if key[0] is not None:
                    if len(_terms) >= _TERMS_LIMIT:
                        _terms.clear()
                    _terms[key] = result
                return result
            return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)

        def normalize(self, input_, options):
            """pyld 3.3.0's `normalize` of a JSON-LD input, canonicalising with `_Urdna2015`."""
            if options.get("algorithm") != "URDNA2015" or "inputFormat" in options:
                return super().normalize(input_, options)
            options = dict(options)
            options.setdefault("base", input_ if isinstance(input_, str) else "")
            options.setdefault("documentLoader", jsonld._default_document_loader)
            options.setdefault(
                "contextResolver",
                ContextResolver(jsonld._resolved_context_cache, options["documentLoader"]),
            )
            options.setdefault("extractAllScripts", True)
            options.setdefault("processingMode", "json-ld-1.1")
            options.pop("identifierIssuer", None)
            try:
                to_rdf_options = dict(options)
                to_rdf_options.pop("format", None)
                to_rdf_options["produceGeneralizedRdf"] = False
                dataset = self.to_rdf(input_, to_rdf_options)
            except jsonld.JsonLdError as cause:
                raise jsonld.JsonLdError(
                    "Could not convert input to RDF dataset before normalization.",
                    "jsonld.NormalizeError",
                ) from cause
            try:
                return _Urdna2015().main(dataset, options)
            except UnknownFormatError as cause:
                raise jsonld.JsonLdError(
                    str(cause), "jsonld.UnknownFormat", {"format": cause.format}
                ) from cause

    class _Urdna2015(URDNA2015):
        """URDNA2015 with a shallow copy of each blank node term it relabels for hashing.

        A term is a flat dict of strings ({"type": "blank node", "value": "_:b3"}), so the
        shallow copy is the same copy; pyld's `copy.deepcopy` of it cost ~5 % of the time.
        """

        def modify_first_degree_component(self, id_, component, key):
            if component["type"] != "blank node":
                return component
            if not all(type(value) is str for value in component.values()):
                return super().modify_first_degree_component(id_, component, key)
            component = dict(component)
            component["value"] = "_:a" if component["value"] == id_ else "_:z"
            return component

    # pyld's own test, `re.match(<this pattern as a string>, v)`, looks the pattern up in
    # re's cache on each of ~400 calls a credential; compiled once, it answers the same.
    _ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")

    # pyld's own function, kept for the equivalence tests (and found again on a reload).
    _pyld_is_absolute_iri = getattr(
        jsonld._is_absolute_iri, "pyld_original", jsonld._is_absolute_iri
    )

    def _is_absolute_iri(v):
        return isinstance(v, str) and _ABSOLUTE_IRI.match(v)

    _is_absolute_iri.pyld_original = _pyld_is_absolute_iri
    jsonld._is_absolute_iri = _is_absolute_iri

    def _normalize(document: dict[str, Any]) -> str:
        return _Processor().normalize(
            document, {**_OPTIONS, "documentLoader": document_loader, "safe": True}
        )

    SPEEDUP = True
else:  # pragma: no cover -- another pyld: the plain path
    _normalize = _plain_normalize
    SPEEDUP = False


def canonize(document: dict[str, Any]) -> str:
    """The RDFC-1.0 canonical N-Quads of `document`.

    Terms the contexts do not define, and relative IRIs, are refused (data loss: they
    would be left out of, or changed in, what the signature covers).

    :raises UnknownContext: a context is not shipped.
    :raises CanonicalisationError: the document is not valid JSON-LD.
    """
    try:
        nquads = _normalize(document)
    except jsonld.JsonLdError as exc:
        cause = _root_cause(exc)
        if isinstance(cause, UnknownContext):
            raise cause from exc
        raise CanonicalisationError(_describe(exc)) from exc
    undefined = _undefined_terms(document)
    if undefined:
        names = ", ".join(sorted(set(undefined))[:5])
        raise CanonicalisationError(f"terms no context defines (they would not be signed): {names}")
    if f"<{jsonld.DEFAULT_BASE_IRI}" in nquads:
        raise CanonicalisationError(
            "a relative IRI (a type or id no context defines) would not be signed as written"
        )
    return nquads


def _root_cause(exc: BaseException) -> BaseException:
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        nxt = getattr(exc, "cause", None) or exc.__cause__
        if nxt is None:
            break
        exc = nxt
    return exc


def _describe(exc: jsonld.JsonLdError) -> str:
    details = getattr(exc, "details", None) or {}
    message = str(getattr(exc, "message", "") or exc).splitlines()[0]
    event = details.get("event") if isinstance(details, dict) else None
    if isinstance(event, dict) and event.get("message"):
        message = f"{message}: {event['message']}"
    return message
