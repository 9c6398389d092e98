"""`flask pathways load-content`, `flask pathways case import|export`, `search-reindex`."""

from __future__ import annotations

import json
import sys

import click

from pathways.db import transaction
from pathways.errors import DomainError


@click.command("load-content")
@click.argument("path", default="content", type=click.Path(file_okay=False))
def load_content_command(path: str) -> None:
    """Validate the content files under PATH (default content/) and load them in one go.

    Prints every error as `file: path.to.field: message` and exits 1 with nothing loaded.
    """
    from pathways.catalog.loader import ContentInvalid  # noqa: PLC0415 -- app context first
    from pathways.catalog.loader import load_content  # noqa: PLC0415

    def progress(steps):
        return click.progressbar(steps, label="Loading content", file=sys.stderr, show_pos=True)

    try:
        with transaction():
            report = load_content(path, progress=progress if sys.stderr.isatty() else None)
    except ContentInvalid as error:
        for line in error.lines:
            click.echo(line, err=True)
        click.echo(f"{len(error.lines)} error(s); nothing was loaded.", err=True)
        sys.exit(1)
    except DomainError as error:
        click.echo(f"error: {error.detail}", err=True)
        sys.exit(1)
    for line in report.lines():
        click.echo(line)
    click.echo("Content loaded." if report.changed else "No changes.")


@click.group("case")
def case_group() -> None:
    """CASE 1.1 packages: import a framework, export one."""


@case_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def case_import_command(file) -> None:
    """Import a CASE 1.0/1.1 CFPackage (JSON) as a framework; report what was not mapped."""
    from pathways.catalog import case  # noqa: PLC0415

    try:
        package = json.load(file)
    except json.JSONDecodeError as error:
        click.echo(f"error: not JSON: {error}", err=True)
        sys.exit(1)
    try:
        with transaction():
            result = case.import_package(package)
    except DomainError as error:
        click.echo(f"error: {error.detail}", err=True)
        sys.exit(1)
    click.echo(
        f"imported {result.framework.identifier}: {result.items_created} item(s) created, "
        f"{result.items_updated} updated, {result.associations} association(s)"
    )
    for line in result.unmapped:
        click.echo(f"not mapped: {line}")


@case_group.command("export")
@click.argument("identifier")
def case_export_command(identifier: str) -> None:
    """Print a framework as a CASE 1.1 CFPackage (JSON) on stdout."""
    from pathways.catalog import case  # noqa: PLC0415

    try:
        package = case.export_package(identifier)
    except DomainError as error:
        click.echo(f"error: {error.detail}", err=True)
        sys.exit(1)
    click.echo(json.dumps(package, ensure_ascii=False, indent=2))


@click.command("search-reindex")
def search_reindex_command() -> None:
    """Rebuild the micro-credential search index from the published versions."""
    from pathways.catalog import search  # noqa: PLC0415

    with transaction():
        count = search.reindex_all()
    click.echo(f"indexed {count} published version(s)")


COMMANDS = [load_content_command, case_group, search_reindex_command]
