"""Learner record tables, one module per aggregate."""

from __future__ import annotations

from pathways.records.models.awards import Award as Award
from pathways.records.models.certifications import (
    OccupationCertification as OccupationCertification,
)
from pathways.records.models.certifications import RecognisedCredential as RecognisedCredential
from pathways.records.models.plar import PlarAssessment as PlarAssessment
from pathways.records.models.plar import PlarAssessmentRevision as PlarAssessmentRevision
from pathways.records.models.progress import ModuleEvidence as ModuleEvidence
from pathways.records.models.progress import ModuleProgress as ModuleProgress
