"""Load the shipped content (``content/``) into the database: `load_content(path)`.

The files are checked first by `content_schemas.validate_content_dir`; with any error
nothing is written. Otherwise everything is upserted in the caller's one transaction:
organisations by code, frameworks and items by UUID (else identifier / code), crosswalks
by name, associations by UUID, micro-credentials by code with their version as numbered
in the file (modules, activities, alignments, partners, endorsement, prerequisites), and
stacking rule files stored raw in `catalog_rule_file` by (occupation, version).

Each row is compared before it is written, so a second load of the same files changes
nothing and reports no changes. A published version never changes: content that differs
from an already published version of the same number is refused (raise its version).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.models import Organisation
from pathways.catalog import search
from pathways.catalog.content_schemas import DOES_NOT_EXPIRE
from pathways.catalog.content_schemas import validate_content_dir
from pathways.catalog.content_schemas import walk_items
from pathways.catalog.enums import AssociationStatus
from pathways.catalog.enums import CaseType
from pathways.catalog.enums import CrosswalkStatus
from pathways.catalog.enums import DeliveryMode
from pathways.catalog.enums import FrameworkStatus
from pathways.catalog.enums import ItemKind
from pathways.catalog.enums import Level
from pathways.catalog.enums import PartnerRole
from pathways.catalog.enums import Relation
from pathways.catalog.enums import Strength
from pathways.catalog.enums import VersionStatus
from pathways.catalog.models import Alignment
from pathways.catalog.models import Association
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import Crosswalk
from pathways.catalog.models import Endorsement
from pathways.catalog.models import Framework
from pathways.catalog.models import MicroCredential
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.models import Module
from pathways.catalog.models import ModuleActivity
from pathways.catalog.models import Prerequisite
from pathways.catalog.models import RuleFile
from pathways.catalog.models import VersionEvent
from pathways.catalog.models import VersionPartner
from pathways.db import db
from pathways.db import utcnow
from pathways.errors import Invalid


class ContentInvalid(Invalid):
    """The content files do not validate; `lines` are the ``file: path: message`` errors."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(f"{len(lines)} error(s) in the content.", code="content_invalid")
        self.lines = lines


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return [
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged"
            for kind in kinds
        ]


def jsonable(value: Any) -> Any:
    """Dates to ISO strings, UUIDs to strings, recursively (for JSON columns)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _sync(row: Any, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class _Loader:
    def __init__(self, data: dict[str, list[dict]], report: LoadReport) -> None:
        self.data = data
        self.report = report
        self.organisations: dict[str, Organisation] = {}
        self.items: dict[tuple[str, str], CompetencyItem] = {}
        self.frameworks: dict[str, Framework] = {}
        self.crosswalks: dict[str, Crosswalk] = {}
        self.credentials: dict[str, MicroCredential] = {}

    def count(self, kind: str, created: bool, changed: bool) -> None:
        if created:
            self.report.created[kind] += 1
        elif changed:
            self.report.updated[kind] += 1
        else:
            self.report.unchanged[kind] += 1

    # Organisations ---------------------------------------------------------------------------

    def organisation(self, document: dict) -> None:
        for entry in document["organisations"]:
            row = db.session.scalar(
                sa.select(Organisation).where(Organisation.code == entry["code"])
            )
            values = {"name": entry["name"]["en"], "kind": OrganisationKind(entry["kind"])}
            created = row is None
            if created:
                row = Organisation(code=entry["code"], **values)
                db.session.add(row)
                changed = True
            else:
                changed = _sync(row, values)
            self.organisations[entry["code"]] = row
            self.count("organisations", created, changed)

    def org(self, code: str) -> Organisation:
        if code not in self.organisations:
            row = db.session.scalar(sa.select(Organisation).where(Organisation.code == code))
            if row is None:
                raise ContentInvalid([f"organisations.yaml: _schema: Unknown organisation {code}."])
            self.organisations[code] = row
        return self.organisations[code]

    # Frameworks --------------------------------------------------------------------------------

    def framework(self, document: dict) -> None:
        uuid = str(document["identifier_uuid"])
        row = db.session.scalar(sa.select(Framework).where(Framework.uuid == uuid)) or (
            db.session.scalar(
                sa.select(Framework).where(Framework.identifier == document["identifier"])
            )
        )
        publisher = self.organisations.get(document["publisher"]) or self.org(document["publisher"])
        values = {
            "identifier": document["identifier"],
            "uuid": uuid,
            "title": document["title"],
            "description": document["description"],
            "publisher": document["publisher"],
            "publisher_organisation_id": publisher.id,
            "version": document["version"],
            "languages": list(document["languages"]),
            "is_illustrative": document["illustrative"],
            "notice": document.get("notice"),
            "status": FrameworkStatus.PUBLISHED,
        }
        created = row is None
        if created:
            db.session.flush()
            values["publisher_organisation_id"] = publisher.id
            row = Framework(**values)
            db.session.add(row)
            db.session.flush()
            changed = True
        else:
            changed = _sync(row, values)
        self.frameworks[document["identifier"]] = row
        self.count("frameworks", created, changed)
        existing = {
            item.uuid: item
            for item in db.session.scalars(
                sa.select(CompetencyItem).where(CompetencyItem.framework_id == row.id)
            )
        }
        by_code = {item.code: item for item in existing.values()}
        positions: Counter = Counter()
        for item_data, _path, parent_data in walk_items(document["items"]):
            uuid = str(item_data["uuid"])
            parent = (
                self.items[(document["identifier"], parent_data["code"])] if parent_data else None
            )
            parent_key = parent_data["code"] if parent_data else None
            position = positions[parent_key]
            positions[parent_key] += 1
            item = existing.get(uuid) or by_code.get(item_data["code"])
            values = {
                "uuid": uuid,
                "code": item_data["code"],
                "kind": ItemKind(item_data["type"]),
                "parent_id": parent.id if parent else None,
                "position": position,
                "title": item_data["title"],
                "description": item_data.get("description"),
                "group": item_data.get("group"),
                "is_optional": bool(item_data.get("is_optional", False)),
                "credential": jsonable(item_data.get("credential")),
            }
            created = item is None
            if created:
                item = CompetencyItem(framework_id=row.id, **values)
                db.session.add(item)
                changed = True
            else:
                changed = _sync(item, values)
            if created or changed:
                db.session.flush()
            self.items[(document["identifier"], item_data["code"])] = item
            self.count("items", created, changed)

    # Crosswalks --------------------------------------------------------------------------------

    def crosswalk(self, document: dict) -> None:
        row = db.session.scalar(sa.select(Crosswalk).where(Crosswalk.name == document["name"]))
        values = {
            "uuid": str(document["identifier_uuid"]),
            "title": document["title"],
            "description": document["description"],
            "status": CrosswalkStatus(document["status"]),
            "source": jsonable(document["source"]),
            "asserted_by": list(document["asserted_by"]),
            "entered_by": document["entered_by"],
            "entered_on": document["entered_on"],
        }
        created = row is None
        if created:
            row = Crosswalk(name=document["name"], **values)
            db.session.add(row)
            db.session.flush()
            changed = True
        else:
            changed = _sync(row, values)
        self.count("crosswalks", created, changed)
        for data in document["associations"]:
            uuid = str(data["uuid"])
            association = db.session.scalar(sa.select(Association).where(Association.uuid == uuid))
            source, target = data["source_item"], data["target_item"]
            values = {
                "origin_id": self.items[(source["framework"], source["code"])].id,
                "destination_id": self.items[(target["framework"], target["code"])].id,
                "origin_version": source["version"],
                "destination_version": target["version"],
                "relation": Relation(data["relation"]),
                "case_type": CaseType(data["case_type"].removeprefix("ext:")),
                "status": AssociationStatus(data["status"]),
                "scope": jsonable(data["scope"]),
                "source_title": data["source"]["title"],
                "source_url": data["source"]["url"],
                "source_date": data["date"],
                "asserted_by": list(data["asserted_by"]),
                "note": data["note"],
                "grouping": document["name"],
                "crosswalk_id": row.id,
                "entered_by": document["entered_by"],
            }
            created = association is None
            if created:
                db.session.add(Association(uuid=uuid, **values))
                changed = True
            else:
                changed = _sync(association, values)
            self.count("associations", created, changed)

    # Micro-credentials -------------------------------------------------------------------------

    def credential_row(self, document: dict) -> MicroCredential:
        code = document["code"]
        row = db.session.scalar(sa.select(MicroCredential).where(MicroCredential.code == code))
        issuer = self.org(document["issuing_organisation"])
        created = row is None
        if created:
            db.session.flush()
            row = MicroCredential(code=code, issuing_organisation_id=issuer.id)
            db.session.add(row)
            db.session.flush()
            changed = True
        else:
            changed = _sync(row, {"issuing_organisation_id": issuer.id})
        self.credentials[code] = row
        self.count("microcredentials", created, changed)
        return row

    def version_values(self, document: dict) -> dict[str, Any]:
        months = document["validity"]["months"]
        return {
            "title": document["title"],
            "description": document["description"],
            "co_issuers": list(document.get("co_issuers") or []),
            "outcomes": jsonable(document["outcomes"]),
            "assessment_methods": jsonable(document["assessment_methods"]),
            "evidence": document["evidence"],
            "pass_standard": document["pass_standard"],
            "assessor": document["assessor"],
            "challenge_route": jsonable(document["challenge_route"]),
            "effort_hours": document["effort_hours"],
            "duration_weeks": document["duration_weeks"],
            "delivery_mode": DeliveryMode(document["delivery_mode"]),
            "languages": list(document["languages"]),
            "level": Level(document["level"]),
            "credit_value": jsonable(document["credit_value"]),
            "has_no_prerequisites": document["prerequisites"] == "none",
            "stacks_into": jsonable(document["stacks_into"]),
            "validity_months": None if months == DOES_NOT_EXPIRE else months,
            "validity_recency": document["validity"]["recency"],
            "verification": jsonable(document["verification"]),
            "ownership_statement": document["ownership_statement"],
            "cip_2021": document.get("cip_2021"),
            "noc_2021": list(document.get("noc_2021") or []),
            "cost_cad": document.get("cost_cad"),
        }

    def version_children(self, document: dict) -> dict[str, Any]:
        """The child rows of a version as comparable plain values."""
        alignments = []
        for data in document["alignments"]:
            item = self.items.get((data["framework"], data["item"]))
            alignments.append((item.id if item else None, data["outcome"], data["strength"]))
        prerequisites = (
            [] if document["prerequisites"] == "none" else sorted(document["prerequisites"])
        )
        return {
            "modules": [
                (
                    m["code"],
                    m["title"],
                    m["effort_hours"],
                    m.get("lti_resource_link_id"),
                    list(m["xapi_activity_ids"]),
                )
                for m in document["modules"]
            ],
            "alignments": sorted(alignments, key=repr),
            "partners": sorted(
                (p["organisation"], p["role"]) for p in document["industry_partners"]
            ),
            "prerequisites": prerequisites,
            "endorsement": (
                document["endorsement"]["partner"],
                document["endorsement"]["confirms"],
                _midnight(document["endorsement"]["date"]),
            ),
        }

    @staticmethod
    def stored_children(version: MicroCredentialVersion) -> dict[str, Any]:
        endorsements = version.active_endorsements
        return {
            "modules": [
                (m.code, m.title, m.effort_hours, m.lti_resource_link_id, m.activity_iris)
                for m in version.modules
            ],
            "alignments": sorted(
                ((a.item_id, a.outcome, a.strength.value) for a in version.alignments), key=repr
            ),
            "partners": sorted((p.organisation.code, p.role.value) for p in version.partners),
            "prerequisites": sorted(p.required.code for p in version.prerequisites),
            "endorsement": (
                (
                    endorsements[0].organisation.code,
                    endorsements[0].statement,
                    endorsements[0].endorsed_at,
                )
                if len(endorsements) == 1
                else None
            ),
        }

    def microcredential(self, document: dict) -> None:
        credential = self.credentials[document["code"]]
        number = document["version"]
        version = db.session.scalar(
            sa.select(MicroCredentialVersion).where(
                MicroCredentialVersion.credential_id == credential.id,
                MicroCredentialVersion.number == number,
            )
        )
        status = VersionStatus(document["status"])
        values = self.version_values(document)
        children = self.version_children(document)
        if version is not None:
            same = all(getattr(version, k) == v for k, v in values.items()) and (
                self.stored_children(version) == children and version.status is status
            )
            if same:
                self.count("versions", False, False)
                return
            if version.status is not VersionStatus.DRAFT:
                raise ContentInvalid(
                    [
                        f"microcredentials: {document['code']}: version {number} is "
                        f"{version.status.value} and never changes; raise the version number."
                    ]
                )
            db.session.delete(version)
            db.session.flush()
        created = version is None
        now = utcnow()
        version = MicroCredentialVersion(
            credential_id=credential.id, number=number, status=status, **values
        )
        db.session.add(version)
        db.session.flush()
        for position, m in enumerate(document["modules"]):
            module = Module(
                version_id=version.id,
                position=position,
                code=m["code"],
                title=m["title"],
                effort_hours=m["effort_hours"],
                lti_resource_link_id=m.get("lti_resource_link_id"),
            )
            module.activities = [ModuleActivity(activity_iri=i) for i in m["xapi_activity_ids"]]
            db.session.add(module)
        for data in document["alignments"]:
            db.session.add(
                Alignment(
                    version_id=version.id,
                    item_id=self.items[(data["framework"], data["item"])].id,
                    outcome=data["outcome"],
                    strength=Strength(data["strength"]),
                )
            )
        for partner in document["industry_partners"]:
            db.session.add(
                VersionPartner(
                    version_id=version.id,
                    organisation_id=self.org(partner["organisation"]).id,
                    role=PartnerRole(partner["role"]),
                    invited_at=now,
                )
            )
        endorsement = document["endorsement"]
        db.session.add(
            Endorsement(
                version_id=version.id,
                organisation_id=self.org(endorsement["partner"]).id,
                statement=endorsement["confirms"],
                version_etag=version.etag,
                endorsed_at=_midnight(endorsement["date"]),
            )
        )
        if document["prerequisites"] != "none":
            for code in document["prerequisites"]:
                db.session.add(
                    Prerequisite(version_id=version.id, required_id=self.credentials[code].id)
                )
        if status is VersionStatus.PUBLISHED:
            version.published_at = now
        db.session.add(
            VersionEvent(
                version_id=version.id,
                action="load",
                to_status=status,
                note="loaded from content",
                at=now,
            )
        )
        db.session.flush()
        db.session.refresh(version)
        search.index_version(version)
        self.count("versions", created, not created)

    # Rules -------------------------------------------------------------------------------------

    def rules(self, document: dict) -> None:
        row = db.session.scalar(
            sa.select(RuleFile).where(
                RuleFile.occupation_code == document["occupation"],
                RuleFile.version == document["version"],
            )
        )
        values = {"framework": document["framework"], "data": jsonable(document)}
        created = row is None
        if created:
            db.session.add(
                RuleFile(
                    occupation_code=document["occupation"], version=document["version"], **values
                )
            )
            changed = True
        else:
            changed = _sync(row, values)
        self.count("rule_files", created, changed)


ProgressFactory = Callable[[list[tuple[str, dict]]], Any]


def load_content(path: Path | str, *, progress: ProgressFactory | None = None) -> LoadReport:
    """Validate and upsert the content under `path`; flushes, never commits.

    `progress`, if given, wraps the list of ``(kind, document)`` steps (e.g. a click
    progress bar used as a context manager yielding the steps).

    :raises ContentInvalid: the files do not validate (nothing was written).
    """
    data, errors = validate_content_dir(path)
    if errors:
        raise ContentInvalid(errors)
    report = LoadReport()
    loader = _Loader(data, report)
    steps: list[tuple[str, dict]] = [
        *(("organisations", d) for d in data["organisations"]),
        *(("frameworks", d) for d in data["frameworks"]),
        *(("crosswalks", d) for d in data["crosswalks"]),
        *(("credential_rows", d) for d in data["microcredentials"]),
        *(("microcredentials", d) for d in _prerequisites_first(data["microcredentials"])),
        *(("rules", d) for d in data["rules"]),
    ]
    handlers = {
        "organisations": loader.organisation,
        "frameworks": loader.framework,
        "crosswalks": loader.crosswalk,
        "credential_rows": loader.credential_row,
        "microcredentials": loader.microcredential,
        "rules": loader.rules,
    }
    if progress is None:
        for kind, document in steps:
            handlers[kind](document)
    else:
        with progress(steps) as bar:
            for kind, document in bar:
                handlers[kind](document)
    db.session.flush()
    return report


def _prerequisites_first(documents: Iterable[dict]) -> list[dict]:
    return sorted(documents, key=lambda d: (d["code"], d["version"]))
