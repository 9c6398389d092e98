"""Open Badges 3.0 API scopes and the formats of credentials a wallet pushes."""

from __future__ import annotations

import enum

SCOPE_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
# Wallets following the spec's examples also ask for this OpenID scope; refresh tokens come
# from the client's `refresh_token` grant type instead, so it is accepted and dropped.
OFFLINE_ACCESS = "offline_access"


class ObScope(enum.StrEnum):
    CREDENTIAL_READONLY = SCOPE_PREFIX + "credential.readonly"
    CREDENTIAL_UPSERT = SCOPE_PREFIX + "credential.upsert"
    PROFILE_READONLY = SCOPE_PREFIX + "profile.readonly"
    PROFILE_UPDATE = SCOPE_PREFIX + "profile.update"


class HeldFormat(enum.StrEnum):
    JSON = "json"  # an OpenBadgeCredential with an embedded proof, kept as the JSON received
    JWS = "jws"  # a VC-JWT: the compact JWS string received
