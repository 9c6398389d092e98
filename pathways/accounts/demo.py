"""Demo organisations and one account per role, for `make run` on a new machine.

Passwords are random on first creation and kept in `instance/demo_accounts.txt`
(readable by the owner only), so every later run can print them again.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import sqlalchemy as sa

from pathways.accounts import services
from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.db import db

DEMO_ORGANISATIONS = [
    ("demo-college", "Demo College of Applied Technology", OrganisationKind.COLLEGE),
    ("demo-partner", "Demo Precision Manufacturing Inc.", OrganisationKind.INDUSTRY_PARTNER),
    ("demo-employer", "Demo Assembly Works Ltd.", OrganisationKind.EMPLOYER),
    ("pathways-platform", "Pathways platform", OrganisationKind.PLATFORM),
]

DEMO_ACCOUNTS = [
    ("learner@demo.pathways.example", "Dana Learner", "demo-college", Role.LEARNER),
    ("editor@demo.pathways.example", "Eli Editor", "demo-college", Role.COLLEGE_EDITOR),
    (
        "college-admin@demo.pathways.example",
        "Cam College-Admin",
        "demo-college",
        Role.COLLEGE_ADMIN,
    ),
    ("reviewer@demo.pathways.example", "Rae Reviewer", "demo-partner", Role.PARTNER_REVIEWER),
    ("assessor@demo.pathways.example", "Ash Assessor", "demo-employer", Role.ASSESSOR),
    ("employer@demo.pathways.example", "Emery Employer", "demo-employer", Role.EMPLOYER_VERIFIER),
    ("admin@demo.pathways.example", "Ari Admin", "pathways-platform", Role.PLATFORM_ADMIN),
]


def _read_passwords(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split(" ", 1) for line in path.read_text().splitlines() if " " in line)
    return {email: password for email, password in pairs}


def ensure_demo_data(password_file: Path) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Create what is missing; return (what was created, [(email, role, password)])."""
    created: list[str] = []
    organisations = {}
    for code, name, kind in DEMO_ORGANISATIONS:
        organisation = db.session.scalar(sa.select(Organisation).filter_by(code=code))
        if organisation is None:
            organisation = services.create_organisation(code, name, kind)
            created.append(f"organisation {code}")
        organisations[code] = organisation
    passwords = _read_passwords(password_file)
    for email, name, code, role in DEMO_ACCOUNTS:
        user = db.session.scalar(sa.select(User).filter_by(email=email))
        if user is None:
            password = secrets.token_urlsafe(9)
            user = services.create_user(email, password, display_name=name)
            passwords[email] = password
            created.append(f"account {email}")
        elif email not in passwords:
            # The password file was lost: give the demo account a fresh known password.
            passwords[email] = secrets.token_urlsafe(9)
            services.set_password(user, passwords[email])
        services.add_membership(user, organisations[code], role)
    password_file.parent.mkdir(parents=True, exist_ok=True)
    password_file.write_text("".join(f"{e} {p}\n" for e, p in passwords.items()))
    password_file.chmod(0o600)
    listing = [(email, role.value, passwords[email]) for email, _, _, role in DEMO_ACCOUNTS]
    return created, listing
