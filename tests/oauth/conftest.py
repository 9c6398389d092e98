"""The live app (shared with the credential tests) and learners holding issued credentials."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pathways.accounts.models import User
from tests.credentials.conftest import live_app  # noqa: F401 -- the fixture, served over HTTP
from tests.factories import make_user
from tests.stacking.pathway_factories import World
from tests.stacking.pathway_factories import award
from tests.stacking.pathway_factories import make_world


@dataclass
class Holders:
    world: World
    learner: User  # holds T-SAFE and T-CNC
    other: User  # another learner of the same college, holding T-SAFE


@pytest.fixture
def holders(database) -> Holders:
    world = make_world()
    award(world.learner, world.versions["T-SAFE"])
    award(world.learner, world.versions["T-CNC"])
    other = make_user(email="other.learner@example.com", name="Otto Other")
    award(other, world.versions["T-SAFE"])
    return Holders(world, world.learner, other)
