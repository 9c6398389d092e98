"""Catalog states and vocabularies; imports nothing from the project."""

from __future__ import annotations

import enum


class FrameworkStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ItemKind(enum.StrEnum):
    OCCUPATION = "occupation"
    AREA = "area"
    COMPETENCY = "competency"
    INDICATOR = "indicator"
    # MSSC-like frameworks: certifications made of modules made of key work activities.
    CERTIFICATION = "certification"
    MODULE = "module"
    ACTIVITY = "activity"


# Leaves: what assessors judge and coverage counts.
LEAF_KINDS = frozenset({ItemKind.INDICATOR, ItemKind.ACTIVITY})


class CaseType(enum.StrEnum):
    """CASE association types Pathways stores (broad/narrow export as ``ext:`` types)."""

    EXACT_MATCH_OF = "exactMatchOf"
    IS_RELATED_TO = "isRelatedTo"
    IS_PART_OF = "isPartOf"
    PRECEDES = "precedes"
    BROAD_MATCH = "broadMatch"
    NARROW_MATCH = "narrowMatch"
    IS_CHILD_OF = "isChildOf"
    REPLACED_BY = "replacedBy"
    IS_TRANSLATION_OF = "isTranslationOf"
    IS_PEER_OF = "isPeerOf"
    EXEMPLAR = "exemplar"
    HAS_SKILL_LEVEL = "hasSkillLevel"


class Relation(enum.StrEnum):
    EXACT = "exact"
    RELATED = "related"
    BROADER = "broader"
    NARROWER = "narrower"


CASE_TYPE_OF_RELATION = {
    Relation.EXACT: CaseType.EXACT_MATCH_OF,
    Relation.RELATED: CaseType.IS_RELATED_TO,
    Relation.BROADER: CaseType.BROAD_MATCH,
    Relation.NARROWER: CaseType.NARROW_MATCH,
}


class AssociationStatus(enum.StrEnum):
    DECLARED = "declared"
    PROPOSED = "proposed"


class CrosswalkStatus(enum.StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    RETIRED = "retired"


class Strength(enum.StrEnum):
    FULL = "full"
    PARTIAL = "partial"


class PartnerRole(enum.StrEnum):
    CO_DESIGNER = "co_designer"
    ENDORSER = "endorser"


class DeliveryMode(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"
    WORK_BASED = "work_based"


class Level(enum.StrEnum):
    ENTRY = "entry"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


# The literal words the publish gate accepts in place of a value (DOMAIN.md section 5).
NONE = "none"
STANDALONE = "standalone"
DOES_NOT_EXPIRE = "does not expire"
