"""Signals other packages subscribe to, so accounts never imports them.

`identity_linked(user, identity)`: a user gained an external identity (an LTI
launch, an admin's link); the xAPI projector then projects that actor's kept
statements.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

identity_linked = _signals.signal("identity-linked")
