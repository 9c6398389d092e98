"""Reads for LTI: registrations, consumers, contexts, links and the outbox."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from pathways.db import db
from pathways.errors import NotFound
from pathways.lti.models import Lti11Consumer
from pathways.lti.models import LtiContext
from pathways.lti.models import LtiContextMember
from pathways.lti.models import LtiOutbox
from pathways.lti.models import LtiPlatform
from pathways.lti.models import LtiResourceLink


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
