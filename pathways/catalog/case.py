"""CASE 1.1 (and 1.0) CFPackages: export a framework, import one.

Mapping (Pathways -> CASE): Framework -> CFDocument (identifier = uuid); CompetencyItem ->
CFItem (humanCodingScheme = code, fullStatement = English title, CFItemType = kind); the
tree -> `isChildOf` associations (sequenceNumber = position + 1; top items are children of
the document); stored associations -> CFAssociations (broadMatch / narrowMatch as
`ext:broadMatch` / `ext:narrowMatch`), their crosswalk -> CFAssociationGrouping.

Languages: CASE text fields hold one language (the document's `language`, English here).
The other languages travel in `extensions.pathways` (`title`, `description` language maps)
on each CFDocument and CFItem, so a Pathways round trip keeps French. On import, items linked
by `isTranslationOf` (another tool's style: one CFItem per language) are merged into the
item they translate, as that language's text.

Import never drops silently: everything it cannot map is listed in `ImportResult.unmapped`
(unknown item types, associations to unknown nodes, CASE fields Pathways has no column for,
which are kept in the row's `extra`).
"""

from __future__ import annotations

import re
import uuid as uuidlib
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from pathways.catalog import queries
from pathways.catalog.enums import AssociationStatus
from pathways.catalog.enums import CaseType
from pathways.catalog.enums import FrameworkStatus
from pathways.catalog.enums import ItemKind
from pathways.catalog.enums import Relation
from pathways.catalog.models import Association
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import Framework
from pathways.db import db
from pathways.errors import Invalid
from pathways.errors import NotFound

# Stable identifiers for the generated isChildOf associations.
CHILD_NAMESPACE = uuidlib.UUID("6f1b4a52-5f0e-4a8e-9a43-2f3cf1b0c9d1")
EXT_TYPES = {CaseType.BROAD_MATCH, CaseType.NARROW_MATCH}
ITEM_FIELDS = {
    "identifier",
    "fullStatement",
    "uri",
    "lastChangeDateTime",
    "humanCodingScheme",
    "CFItemType",
    "language",
    "notes",
    "extensions",
    "CFDocumentURI",
}
DOCUMENT_FIELDS = {
    "identifier",
    "uri",
    "creator",
    "title",
    "lastChangeDateTime",
    "description",
    "language",
    "version",
    "publisher",
    "adoptionStatus",
    "notes",
    "extensions",
    "caseVersion",
    "frameworkType",
    "CFPackageURI",
}


def _base() -> str:
    return current_app.config["BASE_URL"] + "/ims/case/v1p1"


def _stamp(moment: datetime | None) -> str:
    moment = moment or datetime(2000, 1, 1, tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _en(value: dict[str, str] | None) -> str:
    if not value:
        return ""
    return value.get("en") or next(iter(value.values()), "")


# --------------------------------------------------------------------------------------------
# Export


def document_json(framework: Framework) -> dict[str, Any]:
    document: dict[str, Any] = {
        "identifier": framework.uuid,
        "uri": f"{_base()}/CFDocuments/{framework.uuid}",
        "creator": framework.publisher or "Pathways",
        "title": _en(framework.title),
        "lastChangeDateTime": _stamp(framework.updated_at),
        "caseVersion": "1.1",
        "publisher": framework.publisher or "Pathways",
        "description": _en(framework.description),
        "language": "en",
        "version": framework.version,
        "adoptionStatus": "Published" if framework.is_published else "Draft",
        "extensions": {
            "pathways": {
                "identifier": framework.identifier,
                "title": framework.title,
                "description": framework.description,
                "languages": framework.languages,
                "isIllustrative": framework.is_illustrative,
                "notice": framework.notice,
            }
        },
    }
    if framework.notice:
        document["notes"] = _en(framework.notice)
    return document


def item_json(item: CompetencyItem) -> dict[str, Any]:
    data: dict[str, Any] = {
        "identifier": item.uuid,
        "fullStatement": _en(item.title),
        "uri": item.uri or f"{_base()}/CFItems/{item.uuid}",
        "lastChangeDateTime": _stamp(item.framework.updated_at),
        "humanCodingScheme": item.code,
        "CFItemType": item.kind.value,
        "language": "en",
        "extensions": {
            "pathways": {
                "title": item.title,
                "description": item.description,
                "group": item.group,
                "isOptional": item.is_optional,
                "credential": item.credential,
            }
        },
    }
    if item.description:
        data["notes"] = _en(item.description)
    return data


def _link(item: CompetencyItem | None, framework: Framework) -> dict[str, Any]:
    if item is None:
        return {
            "title": _en(framework.title),
            "identifier": framework.uuid,
            "uri": f"{_base()}/CFDocuments/{framework.uuid}",
        }
    return {
        "title": _en(item.title),
        "identifier": item.uuid,
        "uri": item.uri or f"{_base()}/CFItems/{item.uuid}",
    }


def child_association_json(item: CompetencyItem) -> dict[str, Any]:
    identifier = str(uuidlib.uuid5(CHILD_NAMESPACE, f"{item.uuid}:isChildOf"))
    return {
        "identifier": identifier,
        "associationType": "isChildOf",
        "sequenceNumber": item.position + 1,
        "uri": f"{_base()}/CFAssociations/{identifier}",
        "originNodeURI": _link(item, item.framework),
        "destinationNodeURI": _link(item.parent, item.framework),
        "lastChangeDateTime": _stamp(item.framework.updated_at),
    }


def association_json(association: Association) -> dict[str, Any]:
    case_type = association.case_type
    data: dict[str, Any] = {
        "identifier": association.uuid,
        "associationType": f"ext:{case_type.value}" if case_type in EXT_TYPES else case_type.value,
        "uri": f"{_base()}/CFAssociations/{association.uuid}",
        "originNodeURI": _link(association.origin, association.origin.framework),
        "destinationNodeURI": _link(association.destination, association.destination.framework),
        "lastChangeDateTime": _stamp(association.created_at),
        "extensions": {
            "pathways": {
                "relation": association.relation.value if association.relation else None,
                "status": association.status.value,
                "scope": association.scope,
                "originVersion": association.origin_version,
                "destinationVersion": association.destination_version,
                "source": {
                    "title": association.source_title,
                    "url": association.source_url,
                    "date": association.source_date.isoformat()
                    if association.source_date
                    else None,
                },
                "assertedBy": association.asserted_by,
                "note": association.note,
                "enteredBy": association.entered_by,
            }
        },
    }
    if association.note:
        data["notes"] = _en(association.note)
    if association.crosswalk is not None:
        data["CFAssociationGroupingURI"] = {
            "title": association.crosswalk.name,
            "identifier": association.crosswalk.uuid,
            "uri": f"{_base()}/CFAssociationGroupings/{association.crosswalk.uuid}",
        }
    return data


def _framework_associations(framework: Framework) -> list[Association]:
    item_ids = sa.select(CompetencyItem.id).where(CompetencyItem.framework_id == framework.id)
    return list(
        db.session.scalars(
            sa.select(Association)
            .where(
                sa.or_(
                    Association.origin_id.in_(item_ids), Association.destination_id.in_(item_ids)
                )
            )
            .order_by(Association.id)
        )
    )


def export_package(identifier: str) -> dict[str, Any]:
    """A framework as a CASE 1.1 CFPackage (dict ready for JSON).

    :raises NotFound: no framework with this identifier.
    """
    framework = queries.get_framework(identifier)
    if framework is None:
        raise NotFound(f"No framework {identifier}.", code="no_such_framework")
    return package_json(framework)


def package_json(framework: Framework) -> dict[str, Any]:
    items = queries.items_of(framework.id)
    associations = _framework_associations(framework)
    package: dict[str, Any] = {
        "CFDocument": document_json(framework),
        "CFItems": [item_json(item) for item in items],
        "CFAssociations": [child_association_json(item) for item in items]
        + [association_json(a) for a in associations],
    }
    groupings = {a.crosswalk.uuid: a.crosswalk for a in associations if a.crosswalk is not None}
    if groupings:
        package["CFDefinitions"] = {
            "CFAssociationGroupings": [
                {
                    "identifier": crosswalk.uuid,
                    "uri": f"{_base()}/CFAssociationGroupings/{crosswalk.uuid}",
                    "title": crosswalk.name,
                    "description": _en(crosswalk.title),
                    "lastChangeDateTime": _stamp(crosswalk.created_at),
                }
                for crosswalk in groupings.values()
            ]
        }
    return package


# --------------------------------------------------------------------------------------------
# Import


@dataclass
class ImportResult:
    framework: Framework
    items_created: int = 0
    items_updated: int = 0
    associations: int = 0
    unmapped: list[str] = field(default_factory=list)


def _language(value: Any, default: str = "en") -> str:
    if not isinstance(value, str) or not value:
        return default
    return value.split("-")[0].split("_")[0].lower()


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80] or "framework"


def _node_id(link: Any) -> str | None:
    if isinstance(link, dict):
        return link.get("identifier") or (link.get("uri") or "").rstrip("/").split("/")[-1]
    if isinstance(link, str):
        return link.rstrip("/").split("/")[-1]
    return None


def import_package(package: dict[str, Any]) -> ImportResult:
    """Create or update a framework from a CFPackage (CASE 1.0 or 1.1 JSON); flushes.

    Items are matched by identifier (a licensed text replaces an illustrative item by UUID).

    :raises Invalid: not a CFPackage (no CFDocument with an identifier and title).
    """
    document = package.get("CFDocument") if isinstance(package, dict) else None
    if not isinstance(document, dict) or not document.get("identifier"):
        raise Invalid("Not a CFPackage: no CFDocument identifier.", code="not_a_package")
    unmapped: list[str] = []
    language = _language(document.get("language"))
    ext = (document.get("extensions") or {}).get("pathways") or {}
    for name in sorted(set(document) - DOCUMENT_FIELDS):
        unmapped.append(f"CFDocument.{name}: kept in the framework's extra data")
    framework = queries.framework_by_uuid(document["identifier"])
    identifier = ext.get("identifier") or _slug(str(document.get("title") or ""))
    title = ext.get("title") or {language: str(document.get("title") or identifier)}
    description = ext.get("description") or (
        {language: document["description"]} if document.get("description") else {}
    )
    values = {
        "identifier": framework.identifier if framework else identifier,
        "uuid": document["identifier"],
        "title": title,
        "description": description,
        "publisher": str(document.get("publisher") or document.get("creator") or ""),
        "version": str(document.get("version") or ""),
        "languages": ext.get("languages") or sorted(title),
        "is_illustrative": bool(ext.get("isIllustrative", False)),
        "notice": ext.get("notice"),
        "status": FrameworkStatus.PUBLISHED,
        "uri": document.get("uri"),
        "extra": {k: document[k] for k in sorted(set(document) - DOCUMENT_FIELDS)},
    }
    if framework is None:
        if queries.get_framework(values["identifier"]) is not None:
            values["identifier"] = f"{values['identifier']}-{document['identifier'][:8]}"
        framework = Framework(**values)
        db.session.add(framework)
    else:
        for name, value in values.items():
            setattr(framework, name, value)
    db.session.flush()
    result = ImportResult(framework=framework, unmapped=unmapped)

    raw_items = {i["identifier"]: i for i in package.get("CFItems") or [] if i.get("identifier")}
    raw_associations = [a for a in package.get("CFAssociations") or [] if isinstance(a, dict)]
    # Translations (one CFItem per language): merged into the item they translate.
    translations: dict[str, list[dict]] = {}
    for association in raw_associations:
        if association.get("associationType") == "isTranslationOf":
            origin = _node_id(association.get("originNodeURI"))
            target = _node_id(association.get("destinationNodeURI"))
            if origin in raw_items and target in raw_items:
                translations.setdefault(target, []).append(raw_items[origin])
    translated = {i["identifier"] for group in translations.values() for i in group}
    parents: dict[str, tuple[str | None, int]] = {}
    for association in raw_associations:
        if association.get("associationType") == "isChildOf":
            child = _node_id(association.get("originNodeURI"))
            parent = _node_id(association.get("destinationNodeURI"))
            position = int(association.get("sequenceNumber") or 1) - 1
            parents[child] = (None if parent == document["identifier"] else parent, position)
    children_of: dict[str | None, list[str]] = {}
    for item_id in raw_items:
        if item_id in translated:
            continue
        parent = parents.get(item_id, (None, 0))[0]
        children_of.setdefault(parent if parent in raw_items else None, []).append(item_id)

    rows: dict[str, CompetencyItem] = {}

    def kind_of(item_id: str, raw: dict, depth: int) -> ItemKind:
        wanted = str(raw.get("CFItemType") or "").strip().lower()
        for kind in ItemKind:
            if kind.value == wanted:
                return kind
        leaf = not children_of.get(item_id)
        inferred = (
            ItemKind.INDICATOR
            if leaf
            else (ItemKind.OCCUPATION, ItemKind.AREA)[depth]
            if depth < 2
            else ItemKind.COMPETENCY
        )
        unmapped.append(
            f"CFItem {item_id}: CFItemType {raw.get('CFItemType')!r} is not a Pathways kind; "
            f"taken as {inferred.value}"
        )
        return inferred

    def visit(item_id: str, parent: CompetencyItem | None, depth: int) -> None:
        raw = raw_items[item_id]
        item_language = _language(raw.get("language"), language)
        item_ext = (raw.get("extensions") or {}).get("pathways") or {}
        item_title = dict(item_ext.get("title") or {item_language: raw.get("fullStatement", "")})
        for translation in translations.get(item_id, []):
            item_title.setdefault(
                _language(translation.get("language"), "fr"), translation.get("fullStatement", "")
            )
        item_description = item_ext.get("description") or (
            {item_language: raw["notes"]} if raw.get("notes") else None
        )
        code = raw.get("humanCodingScheme") or raw.get("listEnumeration") or item_id[:8]
        if not raw.get("humanCodingScheme"):
            unmapped.append(f"CFItem {item_id}: no humanCodingScheme; code {code!r} used")
        for name in sorted(set(raw) - ITEM_FIELDS):
            unmapped.append(f"CFItem {item_id}.{name}: kept in the item's extra data")
        values = {
            "framework_id": framework.id,
            "code": code,
            "kind": kind_of(item_id, raw, depth),
            "parent_id": parent.id if parent else None,
            "position": parents.get(item_id, (None, 0))[1],
            "title": item_title,
            "description": item_description,
            "uri": raw.get("uri"),
            "group": item_ext.get("group"),
            "is_optional": bool(item_ext.get("isOptional", False)),
            "credential": item_ext.get("credential"),
            "extra": {k: raw[k] for k in sorted(set(raw) - ITEM_FIELDS)},
        }
        row = queries.item_by_uuid(item_id)
        if row is None:
            row = CompetencyItem(uuid=item_id, **values)
            db.session.add(row)
            result.items_created += 1
        else:
            for name, value in values.items():
                setattr(row, name, value)
            result.items_updated += 1
        db.session.flush()
        rows[item_id] = row
        for child_id in sorted(children_of.get(item_id, []), key=lambda c: parents[c][1]):
            visit(child_id, row, depth + 1)

    for root in sorted(children_of.get(None, []), key=lambda c: parents.get(c, (None, 0))[1]):
        visit(root, None, 0)

    for association in raw_associations:
        kind = str(association.get("associationType") or "")
        if kind in ("isChildOf", "isTranslationOf") and (
            kind == "isChildOf" or _node_id(association.get("originNodeURI")) in translated
        ):
            continue
        _import_association(association, kind, rows, result)
    db.session.flush()
    return result


def _import_association(
    raw: dict, kind: str, rows: dict[str, CompetencyItem], result: ImportResult
) -> None:
    identifier = raw.get("identifier")
    try:
        case_type = CaseType(kind.removeprefix("ext:"))
    except ValueError:
        result.unmapped.append(f"CFAssociation {identifier}: type {kind!r} is not supported")
        return
    ends = []
    for key in ("originNodeURI", "destinationNodeURI"):
        node = _node_id(raw.get(key))
        ends.append(rows.get(node) or (queries.item_by_uuid(node) if node else None))
    if None in ends or not identifier:
        result.unmapped.append(
            f"CFAssociation {identifier}: {kind} to a node not in Pathways "
            f"({_node_id(raw.get('originNodeURI'))} -> {_node_id(raw.get('destinationNodeURI'))})"
        )
        return
    ext = (raw.get("extensions") or {}).get("pathways") or {}
    source = ext.get("source") or {}
    relation = ext.get("relation") or {
        CaseType.EXACT_MATCH_OF: "exact",
        CaseType.IS_RELATED_TO: "related",
        CaseType.BROAD_MATCH: "broader",
        CaseType.NARROW_MATCH: "narrower",
    }.get(case_type)
    grouping = raw.get("CFAssociationGroupingURI") or {}
    crosswalk = queries.crosswalk_by_name(grouping.get("title", "")) if grouping else None
    values = {
        "origin_id": ends[0].id,
        "destination_id": ends[1].id,
        "case_type": case_type,
        "relation": Relation(relation) if relation else None,
        # Imported relations are proposed unless the package says who declared them.
        "status": AssociationStatus(ext.get("status") or "proposed"),
        "origin_version": ext.get("originVersion"),
        "destination_version": ext.get("destinationVersion"),
        "scope": ext.get("scope") or {},
        "source_title": source.get("title"),
        "source_url": source.get("url"),
        "source_date": date.fromisoformat(source["date"]) if source.get("date") else None,
        "asserted_by": ext.get("assertedBy") or [],
        "note": ext.get("note") or ({"en": raw["notes"]} if raw.get("notes") else None),
        "grouping": crosswalk.name if crosswalk else grouping.get("title"),
        "crosswalk_id": crosswalk.id if crosswalk else None,
        "entered_by": ext.get("enteredBy") or "CASE import",
    }
    row = db.session.scalar(sa.select(Association).where(Association.uuid == identifier))
    if row is None:
        db.session.add(Association(uuid=identifier, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
    result.associations += 1


# --------------------------------------------------------------------------------------------
# Lookups for the CASE REST binding (published frameworks only)


def published_item(identifier: str) -> CompetencyItem | None:
    item = queries.item_by_uuid(identifier)
    if item is None or not item.framework.is_published:
        return None
    return item


def published_association(identifier: str) -> dict[str, Any] | None:
    association = db.session.scalar(sa.select(Association).where(Association.uuid == identifier))
    if association is not None:
        if association.origin.framework.is_published:
            return association_json(association)
        return None
    return child_association_by_id(identifier)


def child_association_by_id(identifier: str) -> dict[str, Any] | None:
    """A generated isChildOf association by its (uuid5) identifier, or None."""
    for framework in queries.published_frameworks():
        for item in queries.items_of(framework.id):
            if str(uuidlib.uuid5(CHILD_NAMESPACE, f"{item.uuid}:isChildOf")) == identifier:
                return child_association_json(item)
    return None
