"""The micro-credential lifecycle and co-design rules, on a real database."""

from __future__ import annotations

import pytest

from pathways.catalog import queries
from pathways.catalog import services
from pathways.catalog.enums import VersionStatus
from pathways.db import transaction
from pathways.errors import Conflict
from pathways.errors import Forbidden
from pathways.errors import Invalid
from pathways.errors import NotFound
from pathways.errors import PreconditionFailed
from tests.catalog.factories import Cast
from tests.catalog.factories import text

pytestmark = pytest.mark.integration


@pytest.fixture
def cast(database):
    return Cast()


def _events(version):
    return [(e.action, e.from_status, e.to_status) for e in version.events]


def test_full_lifecycle_is_recorded(cast):
    version = cast.published("MC-LIFE")
    assert version.status is VersionStatus.PUBLISHED
    assert version.published_by_id == cast.publisher.id
    with transaction():
        services.retire(version.id, "superseded", actor=cast.publisher)
    D, R, P, X = (
        VersionStatus.DRAFT,
        VersionStatus.IN_REVIEW,
        VersionStatus.PUBLISHED,
        VersionStatus.RETIRED,
    )
    assert _events(version) == [
        ("create", None, D),
        ("invite", None, None),
        ("endorse", None, None),
        ("submit", D, R),
        ("publish", R, P),
        ("retire", P, X),
    ]
    assert [e.actor_id for e in version.events] == [
        cast.author.id,
        cast.author.id,
        cast.reviewer.id,
        cast.author.id,
        cast.publisher.id,
        cast.publisher.id,
    ]


def test_withdraw_and_return(cast):
    version = cast.ready_for_review()
    with transaction():
        services.withdraw(version.id, actor=cast.author)
    assert version.status is VersionStatus.DRAFT
    with transaction():
        services.submit_for_review(version.id, actor=cast.author)
    with transaction():
        services.return_to_draft(version.id, "fix the outcomes", actor=cast.publisher)
    assert (version.status, version.events[-1].note) == (VersionStatus.DRAFT, "fix the outcomes")


def test_author_cannot_return_or_publish_own_version(cast):
    version = cast.ready_for_review()
    for call in (services.publish, services.return_to_draft):
        with pytest.raises(Forbidden) as caught, transaction():
            call(version.id, actor=cast.author)
        assert caught.value.code == "own_version"
    assert version.status is VersionStatus.IN_REVIEW


@pytest.mark.parametrize("who", ["outsider_editor", "reviewer", "learner"])
def test_wrong_role_or_organisation_cannot_publish(cast, who):
    version = cast.ready_for_review()
    with pytest.raises((Forbidden, NotFound)), transaction():
        services.publish(version.id, actor=getattr(cast, who))
    assert version.status is VersionStatus.IN_REVIEW


def test_other_college_cannot_see_or_edit_drafts(cast):
    version = cast.draft()
    with pytest.raises(NotFound), transaction():
        services.update_draft(version.id, {"effort_hours": 3}, actor=cast.outsider_editor)
    with pytest.raises(NotFound):
        services.visible_version(version.id, actor=cast.learner)
    with pytest.raises(NotFound):
        services.visible_version(version.id, actor=None)


def test_create_draft_for_another_college_is_forbidden(cast):
    with pytest.raises(Forbidden), transaction():
        services.create_draft("MC-X", cast.college.code, {}, actor=cast.outsider_editor)
    assert queries.credential_by_code("MC-X") is None


@pytest.mark.parametrize(
    "call",
    [
        lambda v, c: services.submit_for_review(v, actor=c.author),
        lambda v, c: services.update_draft(v, {"effort_hours": 3}, actor=c.author),
        lambda v, c: services.publish(v, actor=c.publisher),
        lambda v, c: services.withdraw(v, actor=c.author),
    ],
    ids=["submit", "edit", "publish", "withdraw"],
)
def test_published_versions_never_change(cast, call):
    version = cast.published()
    etag = version.etag
    with pytest.raises(Conflict) as caught, transaction():
        call(version.id, cast)
    assert caught.value.code == "wrong_state"
    assert (version.status, version.etag, version.effort_hours) == (
        VersionStatus.PUBLISHED,
        etag,
        10,
    )


def test_wrong_state_transitions(cast):
    draft = cast.draft()
    for call in (services.publish, services.withdraw, services.retire, services.new_version):
        with pytest.raises(Conflict), transaction():
            call(draft.id, actor=cast.publisher)
    assert draft.status is VersionStatus.DRAFT


def test_publish_gate_lists_missing_fields(cast):
    version = cast.draft(complete=False)
    assert services.missing_publish_fields(version) == [
        "title",
        "description",
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
    ]
    with transaction():
        services.submit_for_review(version.id, actor=cast.author)
    with pytest.raises(Invalid) as caught, transaction():
        services.publish(version.id, actor=cast.publisher)
    assert caught.value.code == "publish_gate"
    assert version.status is VersionStatus.IN_REVIEW


def test_every_invited_partner_must_endorse(cast):
    from tests.factories import make_organisation

    version = cast.draft()
    second = make_organisation(cast.partner.kind)
    with transaction():
        services.invite_partner(version.id, cast.partner.code, "co_designer", actor=cast.author)
        services.invite_partner(version.id, second.code, "endorser", actor=cast.author)
    with transaction():
        services.endorse(version.id, text("OK"), actor=cast.reviewer)
        services.submit_for_review(version.id, actor=cast.author)
    with pytest.raises(Conflict) as caught, transaction():
        services.publish(version.id, actor=cast.publisher)
    assert (caught.value.code, caught.value.detail) == (
        "endorsement_missing",
        f"Not endorsed by every invited partner: {second.code}.",
    )


def test_edit_voids_endorsement_and_changes_etag(cast):
    version = cast.draft()
    with transaction():
        services.invite_partner(version.id, cast.partner.code, "co_designer", actor=cast.author)
    with transaction():
        endorsement = services.endorse(version.id, text("OK"), actor=cast.reviewer)
    etag = version.etag
    assert services.missing_publish_fields(version) == []
    with transaction():
        services.update_draft(version.id, {"duration_weeks": 3}, actor=cast.author, if_match=etag)
    assert version.etag != etag
    assert (endorsement.voided_at is not None, endorsement.void_reason) == (
        True,
        "edited after endorsement",
    )
    assert services.missing_publish_fields(version) == ["endorsement"]


def test_stale_etag_is_refused(cast):
    version = cast.draft()
    with pytest.raises(PreconditionFailed), transaction():
        services.update_draft(
            version.id, {"duration_weeks": 3}, actor=cast.author, if_match="stale"
        )
    assert version.duration_weeks == 2


def test_co_designer_edits_but_endorser_does_not(cast):
    version = cast.draft()
    with transaction():
        services.invite_partner(version.id, cast.partner.code, "endorser", actor=cast.author)
    with pytest.raises(Forbidden), transaction():
        services.update_draft(version.id, {"duration_weeks": 5}, actor=cast.reviewer)
    with transaction():
        services.invite_partner(version.id, cast.partner.code, "co_designer", actor=cast.author)
    with transaction():
        services.update_draft(version.id, {"duration_weeks": 5}, actor=cast.reviewer)
    assert (version.duration_weeks, version.updated_by_id) == (5, cast.reviewer.id)


def test_uninvited_partner_cannot_see_comment_or_endorse(cast):
    version = cast.draft()
    with pytest.raises(NotFound), transaction():
        services.add_comment(version.id, "hello", actor=cast.reviewer)
    with pytest.raises(NotFound), transaction():
        services.endorse(version.id, text("OK"), actor=cast.reviewer)


def test_threaded_comments_on_version_and_module(cast):
    version = cast.draft()
    with transaction():
        services.invite_partner(version.id, cast.partner.code, "endorser", actor=cast.author)
    with transaction():
        first = services.add_comment(version.id, "Outcome 1 is vague", actor=cast.reviewer)
        reply = services.add_comment(version.id, "Fixed", actor=cast.author, parent_id=first.id)
        on_module = services.add_comment(
            version.id, "Too long", actor=cast.reviewer, module_id=version.modules[0].id
        )
    assert [(c.body, c.parent_id, c.module_id) for c in version.comments] == [
        ("Outcome 1 is vague", None, None),
        ("Fixed", first.id, None),
        ("Too long", None, version.modules[0].id),
    ]
    assert (reply.author_id, on_module.author_id) == (cast.author.id, cast.reviewer.id)


def test_new_version_copies_and_leaves_the_published_one(cast):
    version = cast.published("MC-COPY")
    with transaction():
        copy = services.new_version(version.id, actor=cast.author)
    assert (copy.number, copy.status, copy.title, copy.effort_hours) == (
        2,
        VersionStatus.DRAFT,
        version.title,
        10,
    )
    assert [m.activity_iris for m in copy.modules] == [m.activity_iris for m in version.modules]
    assert [a.item_id for a in copy.alignments] == [a.item_id for a in version.alignments]
    assert copy.endorsements == []
    with transaction():
        services.update_draft(copy.id, {"effort_hours": 12}, actor=cast.author)
    assert (version.effort_hours, copy.effort_hours) == (10, 12)
    assert queries.published_version("MC-COPY").id == version.id
    with pytest.raises(Conflict), transaction():
        services.new_version(version.id, actor=cast.author)


def test_queries_for_other_packages(cast):
    version = cast.published("MC-Q")
    draft = cast.draft("MC-D")
    iri = version.modules[0].activity_iris[0]
    draft_iri = draft.modules[0].activity_iris[0]
    found = queries.published_modules_for_activities({iri, draft_iri})
    assert {key: [m.id for m in mods] for key, mods in found.items()} == {
        iri: [version.modules[0].id]
    }
    assert [v.code for v in queries.published_versions()] == ["MC-Q"]
    assert queries.published_version("MC-D") is None
    occupation = queries.item_by_code(cast.framework.identifier, cast.framework.items[0].code)
    assert [leaf.code for leaf in queries.indicator_leaves(occupation)] == [
        f"{occupation.code}-1.1.1",
        f"{occupation.code}-1.1.2",
    ]
    assert [o.code for o in queries.occupations()] == [occupation.code]
