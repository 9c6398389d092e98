"""`flask pathways credentials ...`: export, list, revoke, suspend, reinstate, issuer keys.

Each command is one transaction. Status changes act as the operator (the system), with
the reason in the credential's history, exactly as the portal and the API do.
"""

from __future__ import annotations

import sys
from datetime import UTC
from datetime import datetime
from pathlib import Path

import click

from pathways.db import transaction
from pathways.db import utcnow
from pathways.errors import DomainError
from pathways.errors import NotFound


def _fail(error: DomainError) -> None:
    click.echo(f"error: {error.detail}", err=True)
    sys.exit(1)


def _learner(email: str):
    from pathways.credentials import queries  # noqa: PLC0415 -- app context first

    user = queries.user_by_email(email)
    if user is None:
        raise NotFound(f"No account {email}.")
    return user


def _organisation(code: str):
    from pathways.accounts import services as accounts  # noqa: PLC0415

    return accounts.get_organisation(code)


@click.group("credentials")
def credentials_group() -> None:
    """Issued credentials: export, list, revoke/suspend/reinstate; issuer keys."""


@credentials_group.command("export")
@click.option("--learner", "email", required=True, help="the learner's email")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_command(email: str, directory: Path) -> None:
    """Write each of a learner's credentials, the exact signed JSON, to DIRECTORY.

    Files are named <kind>-<uuid>.json; revoked and expired credentials are written too.
    """
    from pathways.credentials import queries  # noqa: PLC0415

    try:
        with transaction():
            rows = queries.credentials_of_learner(_learner(email).id)
            documents = [(f"{row.kind.value}-{row.uuid}.json", row.document) for row in rows]
    except DomainError as error:
        _fail(error)
    directory.mkdir(parents=True, exist_ok=True)
    for name, document in documents:
        (directory / name).write_bytes(document.encode("utf-8"))
    click.echo(f"{len(documents)} credential(s) written to {directory}")


@credentials_group.command("list")
@click.option("--learner", "email", required=True, help="the learner's email")
def list_command(email: str) -> None:
    """One line per credential: id, kind, status, issued (UTC), issuer, name."""
    from pathways.credentials import queries  # noqa: PLC0415

    try:
        with transaction():
            now = utcnow()
            lines = [
                "\t".join(
                    (
                        f"urn:uuid:{row.uuid}",
                        row.kind.value,
                        row.status(now),
                        row.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        row.issuer.code,
                        row.name,
                    )
                )
                for row in queries.credentials_of_learner(_learner(email).id)
            ]
    except DomainError as error:
        _fail(error)
    for line in lines:
        click.echo(line)
    if not lines:
        click.echo(f"{email}: no credentials", err=True)


def _status_command(name: str, help_text: str):
    @credentials_group.command(name, help=help_text)
    @click.argument("credential_id")
    @click.option("--reason", required=True, help="kept in the history, never published")
    def command(credential_id: str, reason: str) -> None:
        from pathways.credentials import services  # noqa: PLC0415

        change = {
            "revoke": services.revoke,
            "suspend": services.suspend,
            "reinstate": services.reinstate,
        }[name]
        try:
            with transaction():
                row = services.get_credential(credential_id)
                change(row, reason=reason, actor=None)
                line = f"urn:uuid:{row.uuid}: {row.status(utcnow())}"
        except DomainError as error:
            _fail(error)
        click.echo(line)

    return command


revoke_command = _status_command(
    "revoke",
    "Revoke a credential for good (what was stacked on it is revoked too).",
)
suspend_command = _status_command("suspend", "Suspend a credential until it is reinstated.")
reinstate_command = _status_command("reinstate", "Lift a credential's suspension.")


@credentials_group.command("rotate-key")
@click.option("--org", "org_code", required=True, help="organisation code")
def rotate_key_command(org_code: str) -> None:
    """Make a new signing key; earlier keys stay in the DID document, so old proofs verify."""
    from pathways.credentials import services  # noqa: PLC0415

    try:
        with transaction():
            key = services.rotate_key(_organisation(org_code))
            line = f"{org_code}: new key {key.public_multibase}"
    except DomainError as error:
        _fail(error)
    click.echo(line)


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 date-time: {value}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@credentials_group.command("retire-key")
@click.option("--org", "org_code", required=True, help="organisation code")
@click.option("--key", "public_multibase", required=True, help="the key's publicKeyMultibase")
@click.option(
    "--compromised-since",
    "since",
    required=True,
    help="ISO 8601 date-time (UTC if no offset): proofs made after it are not trusted",
)
@click.option("--reason", required=True)
def retire_key_command(org_code: str, public_multibase: str, since: str, reason: str) -> None:
    """Retire a compromised key from a moment; a new key signs from now on."""
    from pathways.credentials import queries  # noqa: PLC0415
    from pathways.credentials import services  # noqa: PLC0415

    compromised_since = _moment(since)
    try:
        with transaction():
            organisation = _organisation(org_code)
            key = next(
                (
                    k
                    for k in queries.issuer_keys(organisation.id)
                    if k.public_multibase == public_multibase.strip()
                ),
                None,
            )
            if key is None:
                raise NotFound(f"{org_code} has no key {public_multibase}.")
            services.revoke_key(key, compromised_since=compromised_since, reason=reason)
            replacement = services.signing_key(organisation)
            line = (
                f"{org_code}: key {key.public_multibase} compromised since "
                f"{compromised_since.strftime('%Y-%m-%dT%H:%M:%SZ')}; "
                f"new key {replacement.public_multibase}"
            )
    except DomainError as error:
        _fail(error)
    click.echo(line)


COMMANDS = [credentials_group]
