"""Catalog tables: frameworks and crosswalks (`frameworks`), versioned micro-credentials
and their co-design (`credentials`), stacking rule files as shipped (`rules`)."""

from __future__ import annotations

from pathways.catalog.models.credentials import Alignment
from pathways.catalog.models.credentials import Comment
from pathways.catalog.models.credentials import Endorsement
from pathways.catalog.models.credentials import MicroCredential
from pathways.catalog.models.credentials import MicroCredentialVersion
from pathways.catalog.models.credentials import Module
from pathways.catalog.models.credentials import ModuleActivity
from pathways.catalog.models.credentials import Prerequisite
from pathways.catalog.models.credentials import VersionEvent
from pathways.catalog.models.credentials import VersionPartner
from pathways.catalog.models.frameworks import Association
from pathways.catalog.models.frameworks import CompetencyItem
from pathways.catalog.models.frameworks import Crosswalk
from pathways.catalog.models.frameworks import Framework
from pathways.catalog.models.rules import RuleFile
from pathways.catalog.models.search import SearchDocument

__all__ = [
    "Alignment",
    "Association",
    "Comment",
    "CompetencyItem",
    "Crosswalk",
    "Endorsement",
    "Framework",
    "MicroCredential",
    "MicroCredentialVersion",
    "Module",
    "ModuleActivity",
    "Prerequisite",
    "RuleFile",
    "SearchDocument",
    "VersionEvent",
    "VersionPartner",
]
