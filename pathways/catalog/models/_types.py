"""Column helpers shared by the catalog tables."""

from __future__ import annotations

import enum

import sqlalchemy as sa


def enum_column(enum_class: type[enum.Enum], length: int = 32) -> sa.Enum:
    """A portable string column holding an enum's values (no native enum type)."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
