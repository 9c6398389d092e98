"""Imports every package's models so the metadata is complete (migrations, tests)."""

from __future__ import annotations

from pathways.accounts import models as accounts_models  # noqa: F401
from pathways.jobs import models as jobs_models  # noqa: F401
