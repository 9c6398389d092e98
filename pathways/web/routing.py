"""URL converters shared by every blueprint."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

# The largest value of the INTEGER primary keys the tables use (PostgreSQL's int4).
MAX_DATABASE_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` limited to what an INTEGER column holds: a larger number in a URL is no
    such page (404), never a query PostgreSQL refuses with "out of range" (a 500)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 -- werkzeug's name
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(map, *args, **kwargs)


def init_routing(app) -> None:
    """Before any blueprint registers its rules: rules are compiled with the converter."""
    app.url_map.converters["int"] = DatabaseIdConverter
