"""`flask pathways lti-platform add|list`, `lti-key rotate`, `lti11-consumer add`."""

from __future__ import annotations

import sys

import click

from pathways.db import transaction
from pathways.errors import DomainError


def _fail(error: DomainError) -> None:
    click.echo(f"error: {error.detail}", err=True)
    sys.exit(1)


@click.group("lti-platform")
def lti_platform_group() -> None:
    """LTI 1.3 platform registrations (LMSs)."""


@lti_platform_group.command("add")
@click.option("--issuer", required=True, help="the platform's issuer (iss), e.g. its URL")
@click.option("--client-id", required=True, help="the client ID the platform gave Pathways")
@click.option("--deployment-id", "deployment_ids", multiple=True, help="repeat for each")
@click.option("--auth-url", required=True, help="OIDC authentication request URL")
@click.option("--token-url", required=True, help="OAuth 2 access token URL")
@click.option("--jwks-url", help="the platform's public keyset URL")
@click.option("--static-key", help="a static public key (PEM or JWK) instead of a JWKS URL")
@click.option("--org", "org_code", help="code of the college the platform belongs to")
@click.option("--name", default="")
@click.option(
    "--trust-email/--no-trust-email",
    default=False,
    help="link launches to existing accounts with the same email",
)
def lti_platform_add(
    issuer,
    client_id,
    deployment_ids,
    auth_url,
    token_url,
    jwks_url,
    static_key,
    org_code,
    name,
    trust_email,
) -> None:
    """Register a platform and print the tool URLs to paste into the LMS."""
    from pathways.accounts import services as accounts  # noqa: PLC0415
    from pathways.lti import registration  # noqa: PLC0415
    from pathways.lti import services  # noqa: PLC0415

    try:
        with transaction():
            organisation = accounts.get_organisation(org_code) if org_code else None
            platform = services.create_platform(
                issuer=issuer,
                client_id=client_id,
                deployment_ids=deployment_ids,
                auth_url=auth_url,
                token_url=token_url,
                jwks_url=jwks_url,
                static_public_key=static_key,
                organisation=organisation,
                name=name,
                trusts_email=trust_email,
                registered_via="cli",
                actor=None,
            )
            platform_id = platform.id
    except DomainError as error:
        _fail(error)
    click.echo(f"registered platform {platform_id}: {issuer} (client {client_id})")
    for label, url in registration.tool_urls().items():
        click.echo(f"  {label}: {url}")


@lti_platform_group.command("list")
def lti_platform_list() -> None:
    """List platform registrations: id, issuer, client id, deployments, organisation."""
    from pathways.lti import queries  # noqa: PLC0415

    for platform in queries.platforms():
        org = platform.organisation.code if platform.organisation else "-"
        state = "enabled" if platform.is_enabled else "disabled"
        click.echo(
            f"{platform.id}\t{platform.issuer}\t{platform.client_id}\t"
            f"{','.join(platform.deployment_ids) or '-'}\t{org}\t{state}"
        )


@click.group("lti-key")
def lti_key_group() -> None:
    """The tool's own signing keys."""


@lti_key_group.command("rotate")
def lti_key_rotate() -> None:
    """Start signing with a new key; the old one stays in the JWKS until its tokens expire."""
    from pathways.lti import keys  # noqa: PLC0415

    with transaction():
        key = keys.rotate_tool_key()
        kid = key.kid
    click.echo(f"new signing key {kid}")


@click.group("lti11-consumer")
def lti11_consumer_group() -> None:
    """LTI 1.1 consumers (legacy launches)."""


@lti11_consumer_group.command("add")
@click.option("--key", "consumer_key", required=True)
@click.option("--org", "org_code")
@click.option("--name", default="")
@click.option(
    "--trust-email/--no-trust-email",
    default=False,
    help="link launches to existing accounts with the same email",
)
def lti11_consumer_add(consumer_key, org_code, name, trust_email) -> None:
    """Create a consumer and print its shared secret (shown only now)."""
    from pathways.accounts import services as accounts  # noqa: PLC0415
    from pathways.lti import services  # noqa: PLC0415

    try:
        with transaction():
            organisation = accounts.get_organisation(org_code) if org_code else None
            created = services.create_consumer(
                consumer_key=consumer_key,
                organisation=organisation,
                name=name,
                trusts_email=trust_email,
                actor=None,
            )
            secret = created.secret
    except DomainError as error:
        _fail(error)
    click.echo(f"consumer key: {consumer_key}")
    click.echo(f"secret: {secret}")


COMMANDS = [lti_platform_group, lti_key_group, lti11_consumer_group]
