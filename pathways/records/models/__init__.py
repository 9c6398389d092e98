"""Learner record tables, one module per aggregate."""

from __future__ import annotations

from pathways.records.models.awards import Award as Award
from pathways.records.models.progress import ModuleEvidence as ModuleEvidence
from pathways.records.models.progress import ModuleProgress as ModuleProgress
