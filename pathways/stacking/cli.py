"""`flask pathways check-rules`, `reevaluate` and `demo-awards`."""

from __future__ import annotations

import sys
from datetime import date

import click

from pathways.db import transaction
from pathways.errors import DomainError


@click.command("check-rules")
def check_rules_command() -> None:
    """Validate every occupation's newest stacking rule file against the published catalog.

    Prints each problem as `OCCUPATION: path: message`; exits 1 when there is any.
    """
    from pathways.stacking import services  # noqa: PLC0415 -- app context first

    report = services.validate_rule_files()
    problems = 0
    for occupation, errors in report.items():
        for error in errors:
            click.echo(f"{occupation}: {error}", err=True)
            problems += 1
        if not errors:
            click.echo(f"{occupation}: ok")
    if problems:
        click.echo(f"{problems} problem(s).", err=True)
        sys.exit(1)


@click.command("reevaluate")
@click.option("--email", help="only this learner (default: every learner, in batches)")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
def reevaluate_command(email: str | None, as_of) -> None:
    """Re-evaluate learners' pathways now (what the nightly job does)."""
    from pathways.stacking import jobs  # noqa: PLC0415
    from pathways.stacking import services  # noqa: PLC0415

    day: date | None = as_of.date() if as_of else None
    try:
        with transaction():
            if email:
                user = services.user_by_email(email)
                count = len(services.reevaluate(user.id, as_of=day))
                click.echo(f"{email}: {count} evaluation(s)")
            else:
                result = jobs.reevaluate_all(day)
                click.echo(
                    f"{result['learners']} learner(s), {result['evaluations']} evaluation(s)"
                )
    except DomainError as error:
        click.echo(f"error: {error.detail}", err=True)
        sys.exit(1)


@click.command("demo-awards")
@click.option("--email", default="learner@demo.pathways.example", show_default=True)
@click.option(
    "--code",
    "codes",
    multiple=True,
    default=("ILL-SAFE", "ILL-MEAS"),
    show_default=True,
    help="micro-credential code to award (repeat)",
)
@click.option("--target", default="ILL-MO", show_default=True, help="occupation to target")
@click.option(
    "--employer",
    default="demo-employer",
    show_default=True,
    help="organisation where the learner also learns, so its assessors see them",
)
def demo_awards_command(email: str, codes: tuple[str, ...], target: str, employer: str) -> None:
    """Demo only: award published micro-credentials to a learner and target an occupation.

    Idempotent: a code the learner already holds is not awarded again.
    """
    from pathways.stacking import services  # noqa: PLC0415

    try:
        with transaction():
            awarded = services.grant_demo_awards(
                email, list(codes), target=target or None, employer_code=employer or None
            )
    except DomainError as error:
        click.echo(f"error: {error.detail}", err=True)
        sys.exit(1)
    click.echo(f"{email}: awarded {', '.join(awarded) if awarded else 'nothing new'}")


COMMANDS = [check_rules_command, reevaluate_command, demo_awards_command]
