"""Reads of the catalog, for this package and others (stacking, xAPI projector, LTI).

Only published versions are visible through these functions unless a name says otherwise;
drafts are read through the services, which check who may see them.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.catalog.enums import LEAF_KINDS
from pathways.catalog.enums import AssociationStatus
from pathways.catalog.enums import CaseType
from pathways.catalog.enums import CrosswalkStatus
from pathways.catalog.enums import FrameworkStatus
from pathways.catalog.enums import ItemKind
from pathways.catalog.enums import VersionStatus
from pathways.catalog.models import Association
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import Crosswalk
from pathways.catalog.models import Framework
from pathways.catalog.models import MicroCredential
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.models import Module
from pathways.catalog.models import ModuleActivity
from pathways.catalog.models import RuleFile
from pathways.db import db


def published_modules_for_activities(activity_iris: set[str]) -> dict[str, list[Module]]:
    """Map each given activity IRI to the modules of *published* versions that list it.

    IRIs no published module lists are absent from the result. Modules come in version
    then position order; each has its `version` (and the version its `credential`) loaded.
    """
    if not activity_iris:
        return {}
    rows = db.session.execute(
        sa.select(ModuleActivity.activity_iri, Module)
        .join(Module, ModuleActivity.module_id == Module.id)
        .join(MicroCredentialVersion, Module.version_id == MicroCredentialVersion.id)
        .where(
            ModuleActivity.activity_iri.in_(sorted(activity_iris)),
            MicroCredentialVersion.status == VersionStatus.PUBLISHED,
        )
        .options(
            so.joinedload(Module.version).joinedload(MicroCredentialVersion.credential),
            so.selectinload(Module.activities),
        )
        .order_by(ModuleActivity.activity_iri, Module.version_id, Module.position)
    ).all()
    found: dict[str, list[Module]] = defaultdict(list)
    for iri, module in rows:
        found[iri].append(module)
    return dict(found)


# Built once: the xAPI projector runs it for every batch.
_LISTED_ACTIVITIES = (
    sa.select(ModuleActivity.activity_iri)
    .join(Module, ModuleActivity.module_id == Module.id)
    .join(MicroCredentialVersion, Module.version_id == MicroCredentialVersion.id)
    .where(
        ModuleActivity.activity_iri.in_(sa.bindparam("iris", expanding=True)),
        MicroCredentialVersion.status == VersionStatus.PUBLISHED,
    )
)


def activities_in_published_modules(activity_iris: set[str]) -> set[str]:
    """Those of the given activity IRIs that some module of a *published* version lists.

    One index probe per IRI and no ORM objects: the xAPI projector asks this of every
    batch and loads modules (`published_modules_for_activities`) only for the few hits.
    """
    if not activity_iris:
        return set()
    return set(db.session.scalars(_LISTED_ACTIVITIES, {"iris": sorted(activity_iris)}))


def _published_versions_query() -> sa.Select:
    return (
        sa.select(MicroCredentialVersion)
        .join(MicroCredentialVersion.credential)
        .where(MicroCredentialVersion.status == VersionStatus.PUBLISHED)
        .options(
            so.contains_eager(MicroCredentialVersion.credential),
            so.selectinload(MicroCredentialVersion.modules).selectinload(Module.activities),
            so.selectinload(MicroCredentialVersion.alignments),
            so.selectinload(MicroCredentialVersion.prerequisites),
        )
    )


def published_version(code: str) -> MicroCredentialVersion | None:
    """The newest published version of the micro-credential `code`, or None."""
    return db.session.scalars(
        _published_versions_query()
        .where(MicroCredential.code == code)
        .order_by(MicroCredentialVersion.number.desc())
        .limit(1)
    ).first()


def published_versions() -> list[MicroCredentialVersion]:
    """Every published version (all codes, every published number), by code then number."""
    return list(
        db.session.scalars(
            _published_versions_query().order_by(
                MicroCredential.code, MicroCredentialVersion.number
            )
        ).unique()
    )


def version_by_id(version_id: int) -> MicroCredentialVersion | None:
    """Any version by id, whatever its state (callers check visibility)."""
    return db.session.get(MicroCredentialVersion, version_id)


def module_by_id(module_id: int) -> Module | None:
    """Any module by id, whatever its version's state (callers check `services.can_view`)."""
    return db.session.get(Module, module_id)


def credential_by_code(code: str) -> MicroCredential | None:
    return db.session.scalar(sa.select(MicroCredential).where(MicroCredential.code == code))


def get_framework(identifier: str) -> Framework | None:
    """The framework with this identifier (slug), e.g. ``certworkplus-ill``, or None."""
    return db.session.scalar(sa.select(Framework).where(Framework.identifier == identifier))


def framework_by_uuid(uuid: str) -> Framework | None:
    return db.session.scalar(sa.select(Framework).where(Framework.uuid == uuid))


def published_frameworks() -> list[Framework]:
    return list(
        db.session.scalars(
            sa.select(Framework)
            .where(Framework.status == FrameworkStatus.PUBLISHED)
            .order_by(Framework.identifier)
        )
    )


def item_by_code(framework_identifier: str, code: str) -> CompetencyItem | None:
    """The item `code` of the framework `framework_identifier`, or None."""
    return db.session.scalar(
        sa.select(CompetencyItem)
        .join(CompetencyItem.framework)
        .where(Framework.identifier == framework_identifier, CompetencyItem.code == code)
    )


def item_by_uuid(uuid: str) -> CompetencyItem | None:
    return db.session.scalar(sa.select(CompetencyItem).where(CompetencyItem.uuid == uuid))


def items_of(framework_id: int) -> list[CompetencyItem]:
    """Every item of a framework, depth-first in tree order (parents before children)."""
    items = list(
        db.session.scalars(
            sa.select(CompetencyItem)
            .where(CompetencyItem.framework_id == framework_id)
            .order_by(CompetencyItem.position, CompetencyItem.id)
        )
    )
    children: dict[int | None, list[CompetencyItem]] = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    ordered: list[CompetencyItem] = []
    stack = list(reversed(children[None]))
    while stack:
        item = stack.pop()
        ordered.append(item)
        stack.extend(reversed(children[item.id]))
    return ordered


def indicator_leaves(item: CompetencyItem) -> list[CompetencyItem]:
    """The leaves (indicators, or MSSC key work activities) under `item`, in tree order.

    A leaf is its own only leaf. One query for the framework, then a walk in memory.
    """
    if item.kind in LEAF_KINDS:
        return [item]
    rows = db.session.execute(
        sa.select(CompetencyItem.id, CompetencyItem.parent_id, CompetencyItem.kind)
        .where(CompetencyItem.framework_id == item.framework_id)
        .order_by(CompetencyItem.position, CompetencyItem.id)
    ).all()
    children: dict[int | None, list[tuple[int, ItemKind]]] = defaultdict(list)
    for row_id, parent_id, kind in rows:
        children[parent_id].append((row_id, kind))
    leaf_ids: list[int] = []
    stack = list(reversed(children[item.id]))
    while stack:
        row_id, kind = stack.pop()
        if kind in LEAF_KINDS:
            leaf_ids.append(row_id)
        else:
            stack.extend(reversed(children[row_id]))
    if not leaf_ids:
        return []
    by_id = {
        leaf.id: leaf
        for leaf in db.session.scalars(
            sa.select(CompetencyItem).where(CompetencyItem.id.in_(leaf_ids))
        )
    }
    return [by_id[leaf_id] for leaf_id in leaf_ids]


def exact_equivalences() -> list[Association]:
    """Declared `exactMatchOf` associations, outside withdrawn crosswalks.

    Each has `origin`, `destination` (with their frameworks) and `crosswalk` loaded. They are
    symmetric unless their scope says otherwise and never chain: callers must not compose them.
    """
    return list(
        db.session.scalars(
            sa.select(Association)
            .outerjoin(Association.crosswalk)
            .where(
                Association.case_type == CaseType.EXACT_MATCH_OF,
                Association.status == AssociationStatus.DECLARED,
                sa.or_(
                    Association.crosswalk_id.is_(None),
                    Crosswalk.status == CrosswalkStatus.ACTIVE,
                ),
            )
            .options(
                so.joinedload(Association.origin).joinedload(CompetencyItem.framework),
                so.joinedload(Association.destination).joinedload(CompetencyItem.framework),
                so.contains_eager(Association.crosswalk),
            )
            .order_by(Association.id)
        )
    )


def associations_of(crosswalk_name: str) -> list[Association]:
    """Every association of the named crosswalk, whatever its type and status."""
    return list(
        db.session.scalars(
            sa.select(Association)
            .where(Association.grouping == crosswalk_name)
            .order_by(Association.id)
        )
    )


def crosswalk_by_name(name: str) -> Crosswalk | None:
    return db.session.scalar(sa.select(Crosswalk).where(Crosswalk.name == name))


def occupations() -> list[CompetencyItem]:
    """Every occupation item of every published framework, by framework then position."""
    return list(
        db.session.scalars(
            sa.select(CompetencyItem)
            .join(CompetencyItem.framework)
            .where(
                CompetencyItem.kind == ItemKind.OCCUPATION,
                Framework.status == FrameworkStatus.PUBLISHED,
            )
            .options(so.contains_eager(CompetencyItem.framework))
            .order_by(Framework.identifier, CompetencyItem.position, CompetencyItem.id)
        )
    )


def rule_files() -> list[RuleFile]:
    """The stacking rule files loaded from content, by occupation code then version."""
    return list(
        db.session.scalars(sa.select(RuleFile).order_by(RuleFile.occupation_code, RuleFile.version))
    )


def versions_by_ids(version_ids: list[int]) -> list[MicroCredentialVersion]:
    """Versions by id (any order), with credential and issuer loaded, for listing."""
    if not version_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(MicroCredentialVersion)
            .where(MicroCredentialVersion.id.in_(version_ids))
            .options(
                so.joinedload(MicroCredentialVersion.credential).joinedload(
                    MicroCredential.issuing_organisation
                )
            )
        )
    )


def occupation_titles(codes: list[str]) -> dict[str, dict]:
    """The title (a language map) of each occupation item named in `codes`, in one query."""
    if not codes:
        return {}
    rows = db.session.execute(
        sa.select(CompetencyItem.code, CompetencyItem.title).where(
            CompetencyItem.kind == ItemKind.OCCUPATION, CompetencyItem.code.in_(codes)
        )
    )
    return {code: title or {} for code, title in rows}
