"""Imports every feature package's models so the metadata is complete (migrations, tests).

A package joins by having a `models.py` (or `models/` package); nothing to edit here.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

FEATURE_PACKAGES = (
    "accounts",
    "catalog",
    "stacking",
    "records",
    "lti",
    "xapi",
    "credentials",
    "oauth",
    "portal",
    "jobs",
)


def import_all_models() -> None:
    for package in FEATURE_PACKAGES:
        name = f"pathways.{package}.models"
        if find_spec(name) is not None:
            import_module(name)


import_all_models()
