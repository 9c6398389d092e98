"""Who does a catalog act: a signed-in person, or an API client acting for its organisation.

The services take either and turn it into an `Actor` once (`as_actor`), so their rules ask
the actor what it may do instead of testing types. A client acts for its own organisation
only, and authors only when that organisation is a college and it holds `catalog:write`
(a college's curriculum system). It is never a member of an organisation, so it is never
an invited partner, and it never does what needs a person: publishing, returning and
retiring (the four-eyes rule), comments and endorsements.
"""

from __future__ import annotations

from dataclasses import dataclass

from pathways.accounts.enums import OrganisationKind
from pathways.accounts.enums import Role
from pathways.accounts.enums import Scope
from pathways.accounts.models import ApiClient
from pathways.accounts.models import User


@dataclass(frozen=True)
class Actor:
    """Exactly one of `user` (a person) and `client` (a machine acting for its organisation)."""

    user: User | None = None
    client: ApiClient | None = None

    def __post_init__(self) -> None:
        if (self.user is None) == (self.client is None):
            raise ValueError("An actor is a user or an API client, not both or neither.")

    @property
    def is_person(self) -> bool:
        return self.user is not None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def client_id(self) -> int | None:
        return self.client.id if self.client is not None else None

    @property
    def is_authoring_client(self) -> bool:
        """A live client of a college holding `catalog:write`: it may author that college's
        micro-credentials."""
        client = self.client
        return (
            client is not None
            and not client.is_revoked
            and client.has_scope(Scope.CATALOG_WRITE)
            and client.organisation.kind is OrganisationKind.COLLEGE
        )

    def authors_for(self, organisation_id: int) -> bool:
        """May create, edit and move (short of publishing) this college's micro-credentials:
        one of its college editors, or its own authoring client."""
        if self.user is not None:
            return self.user.has_role(Role.COLLEGE_EDITOR, organisation_id=organisation_id)
        return self.is_authoring_client and self.client.organisation_id == organisation_id

    @property
    def member_organisation_ids(self) -> set[int]:
        """The organisations the actor belongs to as a person (none for a client)."""
        if self.user is None:
            return set()
        return {membership.organisation_id for membership in self.user.memberships}

    def has_role(self, *roles: Role, organisation_id: int | None = None) -> bool:
        return self.user is not None and self.user.has_role(*roles, organisation_id=organisation_id)


def as_actor(who: Actor | User | ApiClient | None) -> Actor | None:
    """The actor for a user (or `current_user`), a client or an actor; None when anonymous."""
    if who is None or isinstance(who, Actor):
        return who
    if isinstance(who, ApiClient):
        return Actor(client=who)
    # `current_user` is a proxy: keep the user itself, and an anonymous visitor is nobody.
    if not who.is_authenticated:
        return None
    get_object = getattr(who, "_get_current_object", None)
    return Actor(user=get_object() if get_object is not None else who)
