"""`flask pathways lti-platform add|list|set|deployment add|list|remove|registration-link`,
`lti-key rotate`, `lti11-consumer add|list|set`."""

from __future__ import annotations

import sys

import click

from pathways.db import transaction
from pathways.errors import DomainError
from pathways.errors import NotFound


def _fail(error: DomainError) -> None:
    click.echo(f"error: {error.detail}", err=True)
    sys.exit(1)


@click.group("lti-platform")
def lti_platform_group() -> None:
    """LTI 1.3 platform registrations (LMSs)."""


@lti_platform_group.command("add")
@click.option("--issuer", required=True, help="the platform's issuer (iss), e.g. its URL")
@click.option("--client-id", required=True, help="the client ID the platform gave Pathways")
@click.option(
    "--deployment-id",
    "deployment_ids",
    multiple=True,
    help="the deployment id the LMS shows for the tool (repeat for each); at least one",
)
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
    """Register a platform and print the tool URLs to paste into the LMS (and, with --org, a
    single-use registration URL for that college)."""
    from pathways.accounts import services as accounts  # noqa: PLC0415
    from pathways.lti import registration  # noqa: PLC0415
    from pathways.lti import services  # noqa: PLC0415

    if not [d for d in deployment_ids if d.strip()]:
        click.echo(
            "error: give the tool's deployment id with --deployment-id (the LMS shows it in "
            "the tool's details; in Moodle: Manage tools › the tool › Tool configuration "
            "details); launches from an unknown deployment are refused.",
            err=True,
        )
        sys.exit(2)
    link_token = None
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
            if organisation is not None:
                _link, link_token = registration.create_registration_link(organisation, actor=None)
    except DomainError as error:
        _fail(error)
    click.echo(f"registered platform {platform_id}: {issuer} (client {client_id})")
    for label, url in registration.tool_urls().items():
        click.echo(f"  {label}: {url}")
    if link_token is not None:
        click.echo(
            f"  registration URL for {org_code} (single use, 24 hours): "
            f"{registration.registration_url(link_token)}"
        )


@lti_platform_group.command("list")
def lti_platform_list() -> None:
    """List platform registrations: id, issuer, client id, deployments, organisation,
    state, email trust."""
    from pathways.lti import queries  # noqa: PLC0415

    for platform in queries.platforms():
        click.echo(_platform_line(platform))


def _platform(platform_id: int):
    from pathways.lti import queries  # noqa: PLC0415

    try:
        return queries.get_platform(platform_id)
    except DomainError as error:
        _fail(error)


@lti_platform_group.command("set")
@click.argument("platform_id", type=int)
@click.option("--trust-email/--no-trust-email", default=None, help="link launches by email")
@click.option("--enable/--disable", default=None, help="approve, or switch off, launches")
def lti_platform_set(platform_id, trust_email, enable) -> None:
    """Change a platform's email trust or its state."""
    from pathways.lti import services  # noqa: PLC0415

    changes = {}
    if trust_email is not None:
        changes["trusts_email"] = trust_email
    if enable is not None:
        changes["is_enabled"] = enable
    try:
        with transaction():
            platform = _platform(platform_id)
            services.update_platform(platform, changes, actor=None)
            line = _platform_line(platform)
    except DomainError as error:
        _fail(error)
    click.echo(line)


def _platform_line(platform) -> str:
    org = platform.organisation.code if platform.organisation else "-"
    state = "enabled" if platform.is_enabled else "disabled"
    trust = "trusts-email" if platform.trusts_email else "-"
    return (
        f"{platform.id}\t{platform.issuer}\t{platform.client_id}\t"
        f"{','.join(platform.deployment_ids) or '-'}\t{org}\t{state}\t{trust}"
    )


@lti_platform_group.group("deployment")
def lti_deployment_group() -> None:
    """A platform's deployment ids (one per installation of the tool in the LMS)."""


@lti_deployment_group.command("add")
@click.argument("platform_id", type=int)
@click.argument("deployment_id")
def lti_deployment_add(platform_id, deployment_id) -> None:
    from pathways.lti import services  # noqa: PLC0415

    with transaction():
        platform = _platform(platform_id)
        services.add_deployment(platform, deployment_id.strip(), actor=None)
        ids = list(platform.deployment_ids)
    click.echo(", ".join(ids))


@lti_deployment_group.command("list")
@click.argument("platform_id", type=int)
def lti_deployment_list(platform_id) -> None:
    with transaction():
        ids = list(_platform(platform_id).deployment_ids)
    for deployment_id in ids:
        click.echo(deployment_id)


@lti_deployment_group.command("remove")
@click.argument("platform_id", type=int)
@click.argument("deployment_id")
def lti_deployment_remove(platform_id, deployment_id) -> None:
    from pathways.lti import services  # noqa: PLC0415

    try:
        with transaction():
            platform = _platform(platform_id)
            services.remove_deployment(platform, deployment_id, actor=None)
            ids = list(platform.deployment_ids)
    except DomainError as error:
        _fail(error)
    click.echo(", ".join(ids) or "-")


@lti_platform_group.command("registration-link")
@click.option("--org", "org_code", required=True, help="code of the college")
def lti_registration_link(org_code) -> None:
    """Print a single-use dynamic registration URL for a college (valid 24 hours)."""
    from pathways.accounts import services as accounts  # noqa: PLC0415
    from pathways.lti import registration  # noqa: PLC0415

    try:
        with transaction():
            organisation = accounts.get_organisation(org_code)
            _link, token = registration.create_registration_link(organisation, actor=None)
    except DomainError as error:
        _fail(error)
    click.echo(registration.registration_url(token))


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


def _consumer_line(consumer) -> str:
    org = consumer.organisation.code if consumer.organisation else "-"
    state = "enabled" if consumer.is_enabled else "disabled"
    trust = "trusts-email" if consumer.trusts_email else "-"
    return f"{consumer.consumer_key}\t{consumer.name}\t{org}\t{state}\t{trust}"


@lti11_consumer_group.command("list")
def lti11_consumer_list() -> None:
    """List consumers: key, name, organisation, state, email trust."""
    from pathways.lti import queries  # noqa: PLC0415

    for consumer in queries.consumers():
        click.echo(_consumer_line(consumer))


@lti11_consumer_group.command("set")
@click.argument("consumer_key")
@click.option("--trust-email/--no-trust-email", default=None, help="link launches by email")
@click.option("--enable/--disable", default=None, help="accept, or refuse, its launches")
def lti11_consumer_set(consumer_key, trust_email, enable) -> None:
    """Change a consumer's email trust or its state."""
    from pathways.lti import queries  # noqa: PLC0415
    from pathways.lti import services  # noqa: PLC0415

    try:
        with transaction():
            consumer = queries.consumer_by_key(consumer_key)
            if consumer is None:
                raise NotFound(f"no consumer with key {consumer_key}")
            services.update_consumer(
                consumer, trusts_email=trust_email, is_enabled=enable, actor=None
            )
            line = _consumer_line(consumer)
    except DomainError as error:
        _fail(error)
    click.echo(line)


COMMANDS = [lti_platform_group, lti_key_group, lti11_consumer_group]
