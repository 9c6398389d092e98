"""`flask pathways ...`: operator commands. Each command is one transaction."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask import current_app
from flask.cli import AppGroup

from pathways.db import db
from pathways.db import transaction
from pathways.errors import DomainError

pathways_cli = AppGroup("pathways", help="Pathways operator commands.")

# Feature packages append their click commands/groups here (see register_cli).
EXTRA_COMMANDS: list[str] = [
    "pathways.catalog.cli",
    "pathways.stacking.cli",
    "pathways.lti.cli",
    "pathways.xapi.cli",
    "pathways.credentials.cli",
]


def fail(error: DomainError) -> None:
    click.echo(f"error: {error.detail}", err=True)
    sys.exit(1)


@pathways_cli.command("demo")
def demo_command() -> None:
    """Create the demo organisations and one account per role (if missing), and list them."""
    from pathways.accounts.demo import ensure_demo_data  # noqa: PLC0415

    with transaction():
        created, accounts = ensure_demo_data(Path(current_app.instance_path) / "demo_accounts.txt")
    click.echo(
        "Demo data: " + (", ".join(created) if created else "already present, nothing changed")
    )
    click.echo("Demo sign-ins (email / role / password):")
    for email, role, password in accounts:
        click.echo(f"  {email:36} {role:18} {password}")


@pathways_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="")
@click.option("--org", "org_code", help="organisation code for the membership")
@click.option("--role", help="role in that organisation")
def create_user_command(email, password, name, org_code, role) -> None:
    """Create an account, optionally with a role in an organisation."""
    from pathways.accounts import services  # noqa: PLC0415

    try:
        with transaction():
            user = services.create_user(email, password, display_name=name)
            if org_code:
                services.add_membership(
                    user, services.get_organisation(org_code), role or "learner"
                )
    except DomainError as error:
        fail(error)
    click.echo(f"created user {user.email} (id {user.id})")


@pathways_cli.group("api-client")
def api_client_group() -> None:
    """Machine clients (LMSs, integrations)."""


@api_client_group.command("create")
@click.option("--org", "org_code", required=True, help="organisation code")
@click.option("--name", required=True)
@click.option("--scope", "scopes", multiple=True, required=True, help="repeat for each scope")
def api_client_create(org_code, name, scopes) -> None:
    """Create a client and print its key id and secret (shown only now)."""
    from pathways.accounts import services  # noqa: PLC0415

    try:
        with transaction():
            created = services.create_api_client(
                services.get_organisation(org_code), name, list(scopes), actor=None
            )
    except DomainError as error:
        fail(error)
    base = current_app.config["BASE_URL"]
    click.echo(f"key_id: {created.client.key_id}")
    click.echo(f"secret: {created.secret}")
    click.echo(f"scopes: {' '.join(created.client.scopes)}")
    click.echo(f"xapi_endpoint: {base}/xapi/")
    click.echo("Use HTTP Basic (key_id:secret) or 'Authorization: Bearer key_id.secret'.")


@api_client_group.command("list")
@click.option("--org", "org_code", required=True)
def api_client_list(org_code) -> None:
    """List an organisation's clients."""
    from pathways.accounts import queries  # noqa: PLC0415
    from pathways.accounts import services  # noqa: PLC0415

    try:
        organisation = services.get_organisation(org_code)
    except DomainError as error:
        fail(error)
    for client in queries.api_clients_of(organisation.id):
        state = "revoked" if client.is_revoked else "active"
        click.echo(
            f"{client.id}\t{client.key_id}\t{state}\t{' '.join(client.scopes)}\t{client.name}"
        )


@api_client_group.command("revoke")
@click.argument("key_id")
def api_client_revoke(key_id) -> None:
    """Revoke a client by key id."""
    from pathways.accounts import services  # noqa: PLC0415
    from pathways.accounts.models import ApiClient  # noqa: PLC0415

    client = db.session.scalar(sa.select(ApiClient).filter_by(key_id=key_id))
    if client is None:
        click.echo(f"error: no client {key_id}", err=True)
        sys.exit(1)
    with transaction():
        services.revoke_api_client(client.id, actor=None)
    click.echo(f"revoked {key_id}")


@pathways_cli.command("scheduler")
def scheduler_command() -> None:
    """Run the job scheduler in this process (one per deployment; web workers never run jobs)."""
    from pathways.jobs.schedule import JOBS  # noqa: PLC0415
    from pathways.jobs.schedule import build_scheduler  # noqa: PLC0415

    scheduler = build_scheduler(current_app._get_current_object())
    click.echo(f"scheduler: {len(JOBS)} job(s): {', '.join(job.id for job in JOBS)}")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=True)


def register_cli(app: Flask) -> None:
    from importlib import import_module  # noqa: PLC0415
    from importlib.util import find_spec  # noqa: PLC0415

    for module_name in EXTRA_COMMANDS:
        if find_spec(module_name) is not None:
            module = import_module(module_name)
            for command in module.COMMANDS:
                if command.name not in pathways_cli.commands:
                    pathways_cli.add_command(command)
    app.cli.add_command(pathways_cli)
