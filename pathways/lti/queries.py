"""Reads for LTI: registrations, consumers, contexts, links, the outbox, and a course as
its instructors see it (roster, standings, grades)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.catalog import queries as catalog
from pathways.catalog.models import MicroCredential
from pathways.catalog.models import MicroCredentialVersion
from pathways.db import db
from pathways.errors import NotFound
from pathways.lti import claims
from pathways.lti.models import Lti11Consumer
from pathways.lti.models import LtiContext
from pathways.lti.models import LtiContextMember
from pathways.lti.models import LtiGradeLink
from pathways.lti.models import LtiOutbox
from pathways.lti.models import LtiPlatform
from pathways.lti.models import LtiResourceLink
from pathways.records.models import Award
from pathways.records.models import ModuleProgress
from pathways.stacking.models import PathwayOutcome


def platforms() -> list[LtiPlatform]:
    return list(
        db.session.scalars(
            sa.select(LtiPlatform)
            .options(so.joinedload(LtiPlatform.organisation))
            .order_by(LtiPlatform.issuer, LtiPlatform.client_id)
        )
    )


def get_platform(platform_id: int) -> LtiPlatform:
    platform = db.session.get(LtiPlatform, platform_id)
    if platform is None:
        raise NotFound("no such platform registration", code="unknown_platform")
    return platform


def find_platform(issuer: str, client_id: str | None, *, enabled: bool = True) -> list[LtiPlatform]:
    """Enabled (or disabled) registrations of an issuer (the one with `client_id` when
    given)."""
    query = sa.select(LtiPlatform).where(
        LtiPlatform.issuer == issuer, LtiPlatform.is_enabled.is_(enabled)
    )
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    return list(db.session.scalars(query.order_by(LtiPlatform.id)))


def consumers() -> list[Lti11Consumer]:
    return list(
        db.session.scalars(
            sa.select(Lti11Consumer)
            .options(so.joinedload(Lti11Consumer.organisation))
            .order_by(Lti11Consumer.consumer_key)
        )
    )


def consumer_by_key(consumer_key: str) -> Lti11Consumer | None:
    return db.session.scalar(sa.select(Lti11Consumer).filter_by(consumer_key=consumer_key))


def get_context(context_pk: int) -> LtiContext:
    context = db.session.get(LtiContext, context_pk)
    if context is None:
        raise NotFound("no such LTI context", code="unknown_context")
    return context


def context_members(context_pk: int) -> list[LtiContextMember]:
    return list(
        db.session.scalars(
            sa.select(LtiContextMember)
            .filter_by(context_pk=context_pk)
            .options(so.joinedload(LtiContextMember.user))
            .order_by(LtiContextMember.id)
        )
    )


def resource_links_of(context_pk: int) -> list[LtiResourceLink]:
    return list(
        db.session.scalars(
            sa.select(LtiResourceLink).filter_by(context_pk=context_pk).order_by(LtiResourceLink.id)
        )
    )


def outbox(status: str | None = None) -> list[LtiOutbox]:
    query = sa.select(LtiOutbox).order_by(LtiOutbox.id)
    if status:
        query = query.where(LtiOutbox.status == status)
    return list(db.session.scalars(query))


def registrations_of(organisation_id: int) -> tuple[list[LtiPlatform], list[Lti11Consumer]]:
    """A college's LTI 1.3 platforms and LTI 1.1 consumers."""
    platforms = db.session.scalars(
        sa.select(LtiPlatform)
        .where(LtiPlatform.organisation_id == organisation_id)
        .order_by(LtiPlatform.is_enabled, LtiPlatform.name, LtiPlatform.id)
    )
    consumers = db.session.scalars(
        sa.select(Lti11Consumer)
        .where(Lti11Consumer.organisation_id == organisation_id)
        .order_by(Lti11Consumer.consumer_key)
    )
    return list(platforms), list(consumers)


def get_consumer(consumer_id: int) -> Lti11Consumer:
    consumer = db.session.get(Lti11Consumer, consumer_id)
    if consumer is None:
        raise NotFound("no such LTI 1.1 consumer", code="unknown_consumer")
    return consumer


# --- a course, as its instructors see it ---------------------------------------------------------


@dataclass(frozen=True)
class CourseTarget:
    """A Pathways item the course links to, and the LMS's title for the link."""

    kind: str  # credential | module | pathway
    code: str
    title: str


@dataclass(frozen=True)
class Standing:
    """One learner's standing on one target: `state` is not_started, in_progress,
    completed, passed, failed, awarded or certified; `score` a fraction when known;
    `done`/`total` the modules of a micro-credential complete so far."""

    state: str
    score: float | None = None
    done: int = 0
    total: int = 0


def taught_contexts(user_id: int) -> list[LtiContext]:
    """The courses the LMS made this user an instructor (or admin) of."""
    rows = db.session.scalars(
        sa.select(LtiContextMember)
        .where(LtiContextMember.user_id == user_id, LtiContextMember.is_active)
        .options(so.joinedload(LtiContextMember.context))
        .order_by(LtiContextMember.context_pk)
    )
    teaching = {claims.ROLE_INSTRUCTOR, claims.ROLE_ADMINISTRATOR}
    return [row.context for row in rows if claims.role_kinds(row.roles) & teaching]


def course_targets(context_pk: int) -> list[CourseTarget]:
    """The distinct targets of the course's resource links, in the order first placed."""
    found: dict[tuple[str, str], CourseTarget] = {}
    for link in resource_links_of(context_pk):
        if link.target_kind and link.target_code:
            key = (link.target_kind, link.target_code)
            found.setdefault(key, CourseTarget(*key, link.title or link.target_code))
    return list(found.values())


def course_standings(
    learner_ids: list[int], targets: list[CourseTarget]
) -> dict[tuple[int, str, str], Standing]:
    """Each learner's standing on each target, in a few queries for the whole course."""
    standings: dict[tuple[int, str, str], Standing] = {}
    if not learner_ids or not targets:
        return standings
    module_ids = {int(t.code) for t in targets if t.kind == "module" and t.code.isdigit()}
    versions = {
        t.code: catalog.published_version(t.code) for t in targets if t.kind == "credential"
    }
    for version in versions.values():
        if version is not None:
            module_ids.update(module.id for module in version.modules)
    progress = {
        (row.user_id, row.module_id): row
        for row in db.session.scalars(
            sa.select(ModuleProgress).where(
                ModuleProgress.user_id.in_(learner_ids),
                ModuleProgress.module_id.in_(sorted(module_ids) or [0]),
            )
        )
    }
    awarded = {
        (row.user_id, row.code)
        for row in db.session.execute(
            sa.select(Award.user_id, MicroCredential.code)
            .join(Award.version)
            .join(MicroCredentialVersion.credential)
            .where(
                Award.user_id.in_(learner_ids),
                Award.revoked_at.is_(None),
                MicroCredential.code.in_(sorted(versions) or [""]),
            )
        )
    }
    occupations = [t.code for t in targets if t.kind == "pathway"]
    outcomes = {
        (row.user_id, row.occupation_code): row
        for row in db.session.scalars(
            sa.select(PathwayOutcome).where(
                PathwayOutcome.user_id.in_(learner_ids),
                PathwayOutcome.occupation_code.in_(occupations or [""]),
            )
        )
    }
    for user_id in learner_ids:
        for target in targets:
            key = (user_id, target.kind, target.code)
            if target.kind == "module":
                row = progress.get((user_id, int(target.code))) if target.code.isdigit() else None
                standings[key] = (
                    Standing("not_started")
                    if row is None
                    else Standing(row.status, row.best_score_scaled)
                )
            elif target.kind == "credential":
                version = versions.get(target.code)
                modules = [m.id for m in version.modules] if version is not None else []
                done = sum(
                    1
                    for m in modules
                    if (row := progress.get((user_id, m))) is not None and row.is_complete
                )
                if (user_id, target.code) in awarded:
                    standings[key] = Standing("awarded", 1.0, done, len(modules))
                else:
                    state = "in_progress" if done else "not_started"
                    standings[key] = Standing(state, None, done, len(modules))
            else:
                outcome = outcomes.get((user_id, target.code))
                if outcome is None:
                    standings[key] = Standing("not_started")
                elif outcome.is_satisfied:
                    standings[key] = Standing("certified", 1.0)
                else:
                    standings[key] = Standing("in_progress", outcome.progress)
    return standings


def course_grades(context_pk: int, *, limit: int = 200) -> list[LtiOutbox]:
    """The grades sent (or to send) for the course's links, newest first."""
    return list(
        db.session.scalars(
            sa.select(LtiOutbox)
            .join(LtiGradeLink, LtiOutbox.grade_link_id == LtiGradeLink.id)
            .join(LtiResourceLink, LtiGradeLink.resource_link_pk == LtiResourceLink.id)
            .where(LtiResourceLink.context_pk == context_pk)
            .options(
                so.contains_eager(LtiOutbox.grade_link).joinedload(LtiGradeLink.user),
                so.contains_eager(LtiOutbox.grade_link).contains_eager(LtiGradeLink.resource_link),
            )
            .order_by(LtiOutbox.created_at.desc(), LtiOutbox.id.desc())
            .limit(limit)
        )
    )
