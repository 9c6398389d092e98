"""Catalog use cases: the micro-credential lifecycle and co-design (DOMAIN.md sections 5, 7).

States: draft -> in_review -> published -> retired; in_review -> draft (withdraw by the
author's college, return by a reviewer). Rules:

- Only college editors of the issuing college create, edit, submit, publish and retire;
  invited co-designers also edit drafts.
- The college's own API clients with `catalog:write` (`actors.Actor`: a curriculum system)
  author like its editors: create, edit, submit, withdraw, copy, invite partners. Publishing,
  returning and retiring, comments and endorsements are acts of people: clients are refused.
- Drafts and versions in review are visible only to the issuing college's editors (and its
  authoring clients) and to members of invited partner organisations; everyone else sees
  published and retired ones.
- Publishing needs every publish-gate field (`missing_publish_fields`), an endorsement of
  this exact version by every invited partner, and a publisher who is not the last author
  (a version last written by a client may be published by any editor of the college).
- A published version never changes: a new version is a copy.
- Every edit changes the version's etag and voids its endorsements; every state change and
  co-design act is recorded as a `VersionEvent`.

Every function flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.accounts.models import ApiClient
from pathways.accounts.models import Organisation
from pathways.accounts.models import User
from pathways.catalog import search
from pathways.catalog.actors import Actor
from pathways.catalog.actors import as_actor
from pathways.catalog.enums import DOES_NOT_EXPIRE
from pathways.catalog.enums import NONE
from pathways.catalog.enums import STANDALONE
from pathways.catalog.enums import DeliveryMode
from pathways.catalog.enums import Level
from pathways.catalog.enums import PartnerRole
from pathways.catalog.enums import Strength
from pathways.catalog.enums import VersionStatus
from pathways.catalog.models import Alignment
from pathways.catalog.models import Comment
from pathways.catalog.models import CompetencyItem
from pathways.catalog.models import Endorsement
from pathways.catalog.models import Framework
from pathways.catalog.models import MicroCredential
from pathways.catalog.models import MicroCredentialVersion
from pathways.catalog.models import Module
from pathways.catalog.models import ModuleActivity
from pathways.catalog.models import Prerequisite
from pathways.catalog.models import VersionEvent
from pathways.catalog.models import VersionPartner
from pathways.catalog.models.credentials import new_etag
from pathways.db import db
from pathways.db import utcnow
from pathways.errors import Conflict
from pathways.errors import Forbidden
from pathways.errors import Invalid
from pathways.errors import NotFound
from pathways.errors import PreconditionFailed

# Called as hook(endorsement) after an endorsement is given or voided, in the same
# transaction: credentials signs (or revokes) the partner's EndorsementCredential.
ENDORSEMENT_HOOKS: list[Callable[[Endorsement], None]] = []

# The Ontario publish gate, in the framework's order (DOMAIN.md section 5).
PUBLISH_GATE_FIELDS = (
    "code",
    "title",
    "description",
    "issuing_organisation",
    "outcomes",
    "alignments",
    "assessment_methods",
    "evidence",
    "pass_standard",
    "assessor",
    "challenge_route",
    "effort_hours",
    "duration_weeks",
    "delivery_mode",
    "languages",
    "level",
    "credit_value",
    "industry_partners",
    "endorsement",
    "prerequisites",
    "stacks_into",
    "validity",
    "verification",
    "ownership_statement",
)

# Fields a draft edit may set directly (language maps, lists and scalars).
TEXT_FIELDS = (
    "title",
    "description",
    "evidence",
    "pass_standard",
    "assessor",
    "ownership_statement",
    "validity_recency",
)
PLAIN_FIELDS = (
    *TEXT_FIELDS,
    "co_issuers",
    "outcomes",
    "assessment_methods",
    "challenge_route",
    "effort_hours",
    "duration_weeks",
    "languages",
    "credit_value",
    "stacks_into",
    "validity_months",
    "verification",
    "cip_2021",
    "noc_2021",
    "cost_cad",
)
EDITABLE_FIELDS = (
    *PLAIN_FIELDS,
    "delivery_mode",
    "level",
    "prerequisites",
    "modules",
    "alignments",
)


# --------------------------------------------------------------------------------------------
# Who may do what


# Services take a user, an API client or an `Actor`; each turns it into an `Actor` once.
Who = Actor | User | ApiClient


def is_editor(user: Who | None, credential: MicroCredential) -> bool:
    """A college editor of the issuing college (or that college's authoring API client)."""
    actor = as_actor(user)
    return actor is not None and actor.authors_for(credential.issuing_organisation_id)


def partner_roles(user: Who | None, version: MicroCredentialVersion) -> set[PartnerRole]:
    """The roles the user's organisations were invited to on this version."""
    actor = as_actor(user)
    if actor is None:
        return set()
    mine = actor.member_organisation_ids
    return {partner.role for partner in version.partners if partner.organisation_id in mine}


def partner_organisation_ids(user: Who | None, version: MicroCredentialVersion) -> set[int]:
    actor = as_actor(user)
    if actor is None:
        return set()
    mine = actor.member_organisation_ids
    return {p.organisation_id for p in version.partners if p.organisation_id in mine}


def can_view(user: Who | None, version: MicroCredentialVersion) -> bool:
    if version.status in (VersionStatus.PUBLISHED, VersionStatus.RETIRED):
        return True
    return is_editor(user, version.credential) or bool(partner_roles(user, version))


def visible_version(version_id: int, *, actor: Who | None) -> MicroCredentialVersion:
    """The version if the actor may see it.

    :raises NotFound: no such version, or a draft the actor may not see (not revealed).
    """
    version = db.session.get(MicroCredentialVersion, version_id)
    if version is None or not can_view(actor, version):
        raise NotFound(f"No micro-credential version {version_id}.", code="no_such_version")
    return version


def _author(who: Who) -> Actor:
    """The actor of a write a client may also do; a client that authors nothing is refused
    here, before any lookup, so it learns why rather than meeting a 404."""
    actor = as_actor(who)
    if actor is None:
        raise Forbidden("Sign in to change the catalog.", code="not_signed_in")
    if not actor.is_person and not actor.is_authoring_client:
        raise Forbidden(
            f"The API client {actor.client.name} cannot author micro-credentials: only a "
            "college's clients with the catalog:write scope do, for that college.",
            code="client_not_author",
        )
    return actor


def _person(who: Who, detail: str) -> Actor:
    """The actor of an act only a person may do (decide, review, comment, endorse)."""
    actor = as_actor(who)
    if actor is None:
        raise Forbidden("Sign in to change the catalog.", code="not_signed_in")
    if not actor.is_person:
        raise Forbidden(detail, code="person_required")
    return actor


def _require_editor(version: MicroCredentialVersion, actor: Actor) -> None:
    if not actor.authors_for(version.credential.issuing_organisation_id):
        raise Forbidden(
            "Only editors of the issuing college may do this.", code="not_issuing_editor"
        )


def _is_last_author(version: MicroCredentialVersion, actor: Actor) -> bool:
    # A version last written by a client has no last author among the editors.
    return actor.user_id is not None and version.updated_by_id == actor.user_id


def _stamp(version: MicroCredentialVersion, actor: Actor, *, created: bool = False) -> None:
    """Who last wrote the version: a person or a client, never both."""
    version.updated_by_id = actor.user_id
    version.updated_by_client_id = actor.client_id
    if created:
        version.created_by_id = actor.user_id
        version.created_by_client_id = actor.client_id


def _require_status(version: MicroCredentialVersion, *statuses: VersionStatus) -> None:
    if version.status not in statuses:
        wanted = " or ".join(s.value for s in statuses)
        raise Conflict(
            f"Version {version.number} of {version.credential.code} is {version.status.value}, "
            f"not {wanted}.",
            code="wrong_state",
        )


def _record(
    version: MicroCredentialVersion,
    action: str,
    *,
    actor: Actor | None,
    to_status: VersionStatus | None = None,
    from_status: VersionStatus | None = None,
    note: str = "",
) -> VersionEvent:
    event = VersionEvent(
        version=version,
        actor_id=actor.user_id if actor is not None else None,
        actor_client_id=actor.client_id if actor is not None else None,
        from_status=from_status,
        to_status=to_status,
        action=action,
        note=note,
        at=utcnow(),
    )
    db.session.add(event)
    return event


def _move(
    version: MicroCredentialVersion,
    to: VersionStatus,
    action: str,
    *,
    actor: Actor,
    note: str = "",
) -> None:
    before = version.status
    version.status = to
    _record(version, action, actor=actor, from_status=before, to_status=to, note=note)


# --------------------------------------------------------------------------------------------
# The publish gate


def _filled_text(value: Any, languages: list[str]) -> bool:
    if not isinstance(value, dict):
        return False
    wanted = languages or ["en"]
    return all(isinstance(value.get(lang), str) and value[lang].strip() for lang in wanted)


def missing_publish_fields(version: MicroCredentialVersion) -> list[str]:
    """The publish-gate fields this version leaves blank, in the gate's order.

    "none", "standalone" and "does not expire" count as filled; blank does not.
    The endorsement must be of this exact version (not voided by a later edit).
    """
    languages = list(version.languages or [])
    outcome_ids = [o.get("id") for o in version.outcomes or [] if isinstance(o, dict)]
    filled = {
        "code": bool(version.credential.code),
        "title": _filled_text(version.title, languages),
        "description": _filled_text(version.description, languages),
        "issuing_organisation": version.credential.issuing_organisation_id is not None,
        "outcomes": bool(outcome_ids)
        and all(_filled_text(o.get("text"), languages) for o in version.outcomes),
        "alignments": bool(version.alignments)
        and set(outcome_ids) <= {a.outcome for a in version.alignments},
        "assessment_methods": bool(version.assessment_methods),
        "evidence": _filled_text(version.evidence, languages),
        "pass_standard": _filled_text(version.pass_standard, languages),
        "assessor": _filled_text(version.assessor, languages),
        "challenge_route": isinstance(version.challenge_route, dict)
        and "is_available" in version.challenge_route
        and _filled_text(version.challenge_route.get("description"), languages),
        "effort_hours": bool(version.effort_hours and version.effort_hours > 0),
        "duration_weeks": bool(version.duration_weeks and version.duration_weeks > 0),
        "delivery_mode": version.delivery_mode is not None,
        "languages": bool(languages),
        "level": version.level is not None,
        "credit_value": version.credit_value == NONE
        or _filled_text(version.credit_value, languages),
        "industry_partners": any(p.role is PartnerRole.CO_DESIGNER for p in version.partners),
        "endorsement": any(e.version_etag == version.etag for e in version.active_endorsements),
        "prerequisites": version.has_no_prerequisites or bool(version.prerequisites),
        "stacks_into": version.stacks_into == STANDALONE
        or (isinstance(version.stacks_into, list) and bool(version.stacks_into)),
        "validity": _filled_text(version.validity_recency, languages),
        "verification": isinstance(version.verification, dict) and bool(version.verification),
        "ownership_statement": _filled_text(version.ownership_statement, languages),
    }
    return [name for name in PUBLISH_GATE_FIELDS if not filled[name]]


def unendorsed_partners(version: MicroCredentialVersion) -> list[Organisation]:
    """Invited partner organisations without an active endorsement of this exact version."""
    endorsed = {
        e.organisation_id for e in version.active_endorsements if e.version_etag == version.etag
    }
    seen: dict[int, Organisation] = {}
    for partner in version.partners:
        if partner.organisation_id not in endorsed:
            seen.setdefault(partner.organisation_id, partner.organisation)
    return sorted(seen.values(), key=lambda o: o.code)


# --------------------------------------------------------------------------------------------
# Drafts


def create_draft(
    code: str, issuing_organisation: str, changes: dict[str, Any] | None = None, *, actor: Who
) -> MicroCredentialVersion:
    """Create a new micro-credential and its version 1 as a draft.

    :raises NotFound: no such college.
    :raises Forbidden: the actor is not an editor of that college (nor its authoring client).
    :raises Conflict: the code is taken.
    """
    actor = _author(actor)
    organisation = db.session.scalar(
        sa.select(Organisation).where(Organisation.code == issuing_organisation)
    )
    if organisation is None or organisation.kind is not OrganisationKind.COLLEGE:
        raise NotFound(f"No college {issuing_organisation}.", code="no_such_college")
    if not actor.authors_for(organisation.id):
        raise Forbidden(
            f"Only editors of {organisation.name} may create its micro-credentials."
            if actor.is_person
            else f"The API client {actor.client.name} creates micro-credentials of its own "
            f"college only, not of {organisation.name}.",
            code="not_issuing_editor",
        )
    if db.session.scalar(sa.select(MicroCredential.id).where(MicroCredential.code == code)):
        raise Conflict(f"The code {code} is already used.", code="code_taken")
    credential = MicroCredential(code=code, issuing_organisation=organisation)
    version = MicroCredentialVersion(
        credential=credential,
        number=1,
        status=VersionStatus.DRAFT,
        title={},
        etag=new_etag(),
    )
    _stamp(version, actor, created=True)
    db.session.add_all([credential, version])
    _apply(version, changes or {})
    _record(version, "create", actor=actor, to_status=VersionStatus.DRAFT)
    db.session.flush()
    return version


def update_draft(
    version_id: int, changes: dict[str, Any], *, actor: Who, if_match: str | None = None
) -> MicroCredentialVersion:
    """Edit a draft: set the given fields, change the etag, void its endorsements.

    `changes` holds plain values (see `EDITABLE_FIELDS`): modules as
    ``[{code, title, effort_hours, xapi_activity_ids, lti_resource_link_id}]``, alignments as
    ``[{framework, item, outcome, strength}]``, prerequisites as a list of codes or "none",
    validity_months None for "does not expire".

    :raises PreconditionFailed: `if_match` is given and is not the current etag.
    :raises Forbidden: neither an editor of the issuing college nor an invited co-designer.
    :raises Conflict: the version is not a draft (published versions never change).
    :raises Invalid: a value is unusable (unknown item, prerequisite, field).
    """
    actor = _author(actor)
    version = visible_version(version_id, actor=actor)
    if not (
        is_editor(actor, version.credential)
        or PartnerRole.CO_DESIGNER in partner_roles(actor, version)
    ):
        raise Forbidden(
            "Only the issuing college's editors and invited co-designers edit drafts.",
            code="not_author",
        )
    _require_status(version, VersionStatus.DRAFT)
    if if_match is not None and if_match.strip('"') != version.etag:
        raise PreconditionFailed(
            "The version changed since you read it; reload and apply your edit again.",
            code="stale_etag",
        )
    _apply(version, changes)
    version.etag = new_etag()
    _stamp(version, actor)
    version.updated_at = utcnow()
    voided = 0
    for endorsement in version.active_endorsements:
        endorsement.voided_at = version.updated_at
        endorsement.void_reason = "edited after endorsement"
        voided += 1
        for hook in ENDORSEMENT_HOOKS:
            hook(endorsement)
    _record(
        version,
        "edit",
        actor=actor,
        note=", ".join(sorted(changes)) + (f"; {voided} endorsement(s) voided" if voided else ""),
    )
    db.session.flush()
    return version


def _apply(version: MicroCredentialVersion, changes: dict[str, Any]) -> None:
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise Invalid(
            "Unknown field(s): " + ", ".join(unknown) + ".",
            code="unknown_field",
            errors={name: ["Unknown field."] for name in unknown},
        )
    for name in PLAIN_FIELDS:
        if name in changes:
            value = changes[name]
            if name == "validity_months" and value == DOES_NOT_EXPIRE:
                value = None
            setattr(version, name, value)
    if "delivery_mode" in changes:
        value = changes["delivery_mode"]
        version.delivery_mode = DeliveryMode(value) if value else None
    if "level" in changes:
        value = changes["level"]
        version.level = Level(value) if value else None
    if "prerequisites" in changes:
        _set_prerequisites(version, changes["prerequisites"])
    if "modules" in changes:
        _set_modules(version, changes["modules"] or [])
    if "alignments" in changes:
        _set_alignments(version, changes["alignments"] or [])


def _set_prerequisites(version: MicroCredentialVersion, value: Any) -> None:
    version.prerequisites.clear()
    db.session.flush()
    if value == NONE:
        version.has_no_prerequisites = True
        return
    version.has_no_prerequisites = False
    errors: dict[str, list[str]] = {}
    for index, code in enumerate(value or []):
        required = db.session.scalar(sa.select(MicroCredential).where(MicroCredential.code == code))
        if required is None or required.id == version.credential_id:
            errors[f"prerequisites.{index}"] = [f"Unknown micro-credential {code}."]
            continue
        version.prerequisites.append(Prerequisite(required=required))
    if errors:
        raise Invalid("Unknown prerequisite.", code="invalid", errors=errors)


def _set_modules(version: MicroCredentialVersion, modules: list[dict[str, Any]]) -> None:
    version.modules.clear()
    db.session.flush()
    for position, data in enumerate(modules):
        module = Module(
            position=position,
            code=data["code"],
            title=data["title"],
            effort_hours=data.get("effort_hours") or 0,
            lti_resource_link_id=data.get("lti_resource_link_id"),
        )
        module.activities = [
            ModuleActivity(activity_iri=iri) for iri in data.get("xapi_activity_ids") or []
        ]
        version.modules.append(module)


def _set_alignments(version: MicroCredentialVersion, alignments: list[dict[str, Any]]) -> None:
    version.alignments.clear()
    db.session.flush()
    errors: dict[str, list[str]] = {}
    for index, data in enumerate(alignments):
        item = db.session.scalar(
            sa.select(CompetencyItem)
            .join(CompetencyItem.framework)
            .where(Framework.identifier == data["framework"], CompetencyItem.code == data["item"])
        )
        if item is None:
            errors[f"alignments.{index}.item"] = [
                f"Unknown item {data['item']} in {data['framework']}."
            ]
            continue
        version.alignments.append(
            Alignment(
                item=item,
                outcome=data.get("outcome") or "",
                strength=Strength(data.get("strength") or "full"),
            )
        )
    if errors:
        raise Invalid("Unknown alignment target.", code="invalid", errors=errors)


# --------------------------------------------------------------------------------------------
# Transitions


def submit_for_review(version_id: int, *, actor: Who) -> MicroCredentialVersion:
    """draft -> in_review, by an editor of the issuing college (or its authoring client)."""
    actor = _author(actor)
    version = visible_version(version_id, actor=actor)
    _require_editor(version, actor)
    _require_status(version, VersionStatus.DRAFT)
    version.submitted_at = utcnow()
    _move(version, VersionStatus.IN_REVIEW, "submit", actor=actor)
    db.session.flush()
    return version


def withdraw(version_id: int, *, actor: Who) -> MicroCredentialVersion:
    """in_review -> draft, by an editor of the issuing college (the author takes it back)."""
    actor = _author(actor)
    version = visible_version(version_id, actor=actor)
    _require_editor(version, actor)
    _require_status(version, VersionStatus.IN_REVIEW)
    _move(version, VersionStatus.DRAFT, "withdraw", actor=actor)
    db.session.flush()
    return version


def return_to_draft(version_id: int, note: str = "", *, actor: Who) -> MicroCredentialVersion:
    """in_review -> draft with a reviewer's note; the reviewer is not the last author."""
    actor = _person(
        actor,
        "Returning a version to its authors is a review, done by a signed-in editor of the "
        "college, not by an API client; a client may withdraw its own submission.",
    )
    version = visible_version(version_id, actor=actor)
    _require_editor(version, actor)
    _require_status(version, VersionStatus.IN_REVIEW)
    if _is_last_author(version, actor):
        raise Forbidden(
            "The last author cannot review their own version; withdraw it instead.",
            code="own_version",
        )
    _move(version, VersionStatus.DRAFT, "return", actor=actor, note=note)
    db.session.flush()
    return version


def publish(version_id: int, *, actor: Who) -> MicroCredentialVersion:
    """in_review -> published; the version never changes afterwards.

    :raises Forbidden: an API client; not an editor of the issuing college, or the version's
        last author.
    :raises Conflict: not in review; or an invited partner has not endorsed this version.
    :raises Invalid: publish-gate fields are missing (`errors` names each).
    """
    actor = _person(
        actor,
        "Publishing is decided by a signed-in editor of the college, not by an API client; "
        "submit the version for review instead.",
    )
    version = visible_version(version_id, actor=actor)
    _require_editor(version, actor)
    _require_status(version, VersionStatus.IN_REVIEW)
    if _is_last_author(version, actor):
        raise Forbidden(
            "The version's last author cannot publish it; another editor must.",
            code="own_version",
        )
    missing = missing_publish_fields(version)
    if missing:
        raise Invalid(
            "The publish gate is not met: " + ", ".join(missing) + ".",
            code="publish_gate",
            errors={name: ["Required to publish."] for name in missing},
        )
    waiting = unendorsed_partners(version)
    if waiting:
        raise Conflict(
            "Not endorsed by every invited partner: " + ", ".join(o.code for o in waiting) + ".",
            code="endorsement_missing",
        )
    version.published_at = utcnow()
    version.published_by_id = actor.user_id
    _move(version, VersionStatus.PUBLISHED, "publish", actor=actor)
    db.session.flush()
    search.index_version(version)
    return version


def retire(version_id: int, note: str = "", *, actor: Who) -> MicroCredentialVersion:
    """published -> retired: no new enrolments; awards stay valid."""
    actor = _person(
        actor,
        "Retiring a micro-credential is decided by a signed-in editor of the college, not by "
        "an API client.",
    )
    version = visible_version(version_id, actor=actor)
    _require_editor(version, actor)
    _require_status(version, VersionStatus.PUBLISHED)
    version.retired_at = utcnow()
    _move(version, VersionStatus.RETIRED, "retire", actor=actor, note=note)
    db.session.flush()
    search.unindex_version(version.id)
    return version


def new_version(version_id: int, *, actor: Who) -> MicroCredentialVersion:
    """Copy a published (or retired) version into the next-numbered draft.

    :raises Conflict: the source is not published/retired, or a draft or review is open.
    """
    actor = _author(actor)
    source = visible_version(version_id, actor=actor)
    _require_editor(source, actor)
    _require_status(source, VersionStatus.PUBLISHED, VersionStatus.RETIRED)
    credential = source.credential
    if any(v.status in (VersionStatus.DRAFT, VersionStatus.IN_REVIEW) for v in credential.versions):
        raise Conflict(
            f"{credential.code} already has a version in progress.", code="version_in_progress"
        )
    copy = MicroCredentialVersion(
        credential=credential,
        number=max(v.number for v in credential.versions) + 1,
        status=VersionStatus.DRAFT,
        etag=new_etag(),
    )
    _stamp(copy, actor, created=True)
    db.session.add(copy)
    for name in (*PLAIN_FIELDS, "delivery_mode", "level", "has_no_prerequisites"):
        value = getattr(source, name)
        setattr(copy, name, _copy_json(value))
    copy.modules = [
        Module(
            position=m.position,
            code=m.code,
            title=dict(m.title),
            effort_hours=m.effort_hours,
            lti_resource_link_id=m.lti_resource_link_id,
            activities=[ModuleActivity(activity_iri=a.activity_iri) for a in m.activities],
        )
        for m in source.modules
    ]
    copy.alignments = [
        Alignment(item_id=a.item_id, outcome=a.outcome, strength=a.strength)
        for a in source.alignments
    ]
    copy.prerequisites = [Prerequisite(required_id=p.required_id) for p in source.prerequisites]
    copy.partners = [
        VersionPartner(organisation_id=p.organisation_id, role=p.role, invited_by_id=actor.user_id)
        for p in source.partners
    ]
    _record(copy, "copy", actor=actor, to_status=VersionStatus.DRAFT, note=f"from v{source.number}")
    db.session.flush()
    return copy


def _copy_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_json(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------
# Co-design


def invite_partner(
    version_id: int, organisation_code: str, role: PartnerRole | str, *, actor: Who
) -> VersionPartner:
    """Invite an industry organisation to a draft or review as co-designer or endorser.

    :raises Conflict: already invited in that role, or the version is published.
    """
    actor = _author(actor)
    version = visible_version(version_id, actor=actor)
    _require_editor(version, actor)
    _require_status(version, VersionStatus.DRAFT, VersionStatus.IN_REVIEW)
    organisation = db.session.scalar(
        sa.select(Organisation).where(Organisation.code == organisation_code)
    )
    if organisation is None or organisation.kind not in (
        OrganisationKind.INDUSTRY_PARTNER,
        OrganisationKind.EMPLOYER,
        OrganisationKind.STANDARDS_BODY,
    ):
        raise NotFound(f"No partner organisation {organisation_code}.", code="no_such_partner")
    role = PartnerRole(role)
    if any(p.organisation_id == organisation.id and p.role is role for p in version.partners):
        raise Conflict(f"{organisation_code} is already invited as {role.value}.", code="invited")
    partner = VersionPartner(organisation=organisation, role=role, invited_by_id=actor.user_id)
    version.partners.append(partner)
    _record(version, "invite", actor=actor, note=f"{organisation_code} as {role.value}")
    db.session.flush()
    return partner


def add_comment(
    version_id: int,
    body: str,
    *,
    actor: Who,
    module_id: int | None = None,
    parent_id: int | None = None,
) -> Comment:
    """Comment on a draft or a version in review (or one of its modules), maybe as a reply.

    Editors of the issuing college and members of invited partners may comment (people, not
    API clients).
    """
    actor = _person(
        actor,
        "Comments are written by people (the college's editors and invited partners), not by "
        "API clients.",
    )
    version = visible_version(version_id, actor=actor)
    if not (is_editor(actor, version.credential) or partner_roles(actor, version)):
        raise Forbidden("Only the college's editors and invited partners comment.", code="no_say")
    _require_status(version, VersionStatus.DRAFT, VersionStatus.IN_REVIEW)
    if not body or not body.strip():
        raise Invalid("A comment needs a body.", code="invalid", errors={"body": ["Required."]})
    if module_id is not None and module_id not in {m.id for m in version.modules}:
        raise NotFound(f"No module {module_id} in this version.", code="no_such_module")
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.version_id != version.id:
            raise NotFound(f"No comment {parent_id} on this version.", code="no_such_comment")
    comment = Comment(
        version=version,
        module_id=module_id,
        parent_id=parent_id,
        author_id=actor.user_id,
        body=body.strip(),
        created_at=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def endorse(version_id: int, statement: dict[str, str], *, actor: Who) -> Endorsement:
    """An invited partner's member endorses this exact version (draft or in review).

    An earlier endorsement by the same organisation is replaced (voided). Any later edit
    voids the endorsement. A person endorses, never an API client.
    """
    actor = _person(
        actor, "Endorsements are given by the reviewers of invited partners, not by API clients."
    )
    version = visible_version(version_id, actor=actor)
    organisations = partner_organisation_ids(actor, version)
    if not organisations or not actor.has_role(Role.PARTNER_REVIEWER):
        raise Forbidden("Only reviewers of an invited partner endorse.", code="not_partner")
    _require_status(version, VersionStatus.DRAFT, VersionStatus.IN_REVIEW)
    if not isinstance(statement, dict) or not any(
        isinstance(text, str) and text.strip() for text in statement.values()
    ):
        raise Invalid(
            "An endorsement says what it confirms.",
            code="invalid",
            errors={"statement": ["Required."]},
        )
    organisation_id = min(organisations)
    now = utcnow()
    replaced = [e for e in version.active_endorsements if e.organisation_id == organisation_id]
    for previous in replaced:
        previous.voided_at = now
        previous.void_reason = "replaced"
    endorsement = Endorsement(
        organisation_id=organisation_id,
        user_id=actor.user_id,
        statement=statement,
        version_etag=version.etag,
        endorsed_at=now,
    )
    version.endorsements.append(endorsement)
    _record(version, "endorse", actor=actor, note=f"organisation {organisation_id}")
    db.session.flush()
    for hook in ENDORSEMENT_HOOKS:
        for previous in replaced:
            hook(previous)
        hook(endorsement)
    return endorsement


def version_history(version_id: int, *, actor: Who | None) -> list[VersionEvent]:
    return list(visible_version(version_id, actor=actor).events)
