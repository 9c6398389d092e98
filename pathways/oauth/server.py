"""Authlib's Flask authorization server and resource protector, wired to Pathways' tables.

Authlib does the protocol: request validation, client authentication, PKCE, token
generation and the error responses. This module only tells it where things are stored
(`pathways.oauth.services`) and which rules Pathways adds:

- PKCE is required on every authorization request, with S256 only.
- Clients authenticate at the token and revocation endpoints with their secret
  (`client_secret_basic` or `client_secret_post`); there are no public clients.
- Scopes are the four Open Badges scopes (`offline_access` is accepted and dropped); a
  token carries only the scopes the client registered, asked for and the learner approved.
- Refresh tokens rotate; registration is open to anyone (the OB API requires it) but
  redirect URIs must be https, or http to a loopback host.
"""

from __future__ import annotations

import secrets
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7591 import ClientMetadataClaims
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint
from authlib.oauth2.rfc7591 import InvalidClientMetadataError
from authlib.oauth2.rfc7591 import InvalidRedirectURIError
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask
from flask import current_app

from pathways.oauth import queries
from pathways.oauth import services
from pathways.oauth.enums import OFFLINE_ACCESS
from pathways.oauth.enums import ObScope
from pathways.oauth.models import OAuthToken
from pathways.oauth.models import digest
from pathways.oauth.uris import redirect_uri_problem
from pathways.oauth.uris import web_uri_problem

AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
GRANT_TYPES = ["authorization_code", "refresh_token"]
SCOPES_SUPPORTED = [scope.value for scope in ObScope] + [OFFLINE_ACCESS]
MAX_REDIRECT_URIS = 10
TEXT_LIMITS = {"client_name": 200, "software_id": 200, "software_version": 100}


def _said(text: str) -> str:
    """`text` as an OAuth error_description may carry it (RFC 6749: printable ASCII, no quote
    or backslash); client input echoed in it could otherwise break the response."""
    kept = "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in text)
    return kept[:300]


def _query_client(client_id: str):
    return queries.client_by_client_id(client_id)


def _save_token(token: dict[str, Any], request) -> None:
    grant_id = (request.authorization_code or request.refresh_token).grant_id
    services.save_token(token, client=request.client, user=request.user, grant_id=grant_id)


class S256CodeChallenge(CodeChallenge):
    """PKCE on every authorization request (not only for public clients), S256 only."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge (S256).")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE is required with code_challenge_method=S256.")
        super().validate_code_challenge(grant, redirect_uri)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    #: The scopes the learner approved on the consent page (a subset of `request.scope`).
    approved_scope: str | None = None

    def save_authorization_code(self, code: str, request) -> None:
        allowed = set((request.scope or "").split())
        approved = set((self.approved_scope or "").split()) & allowed
        services.save_authorization_code(
            code,
            client=request.client,
            user=request.user,
            redirect_uri=request.payload.redirect_uri,
            scope=" ".join(s.value for s in ObScope if s.value in approved),
            code_challenge=request.payload.data["code_challenge"],
            code_challenge_method=request.payload.data["code_challenge_method"],
        )

    def query_authorization_code(self, code: str, client):
        return services.redeemable_code(code, client)

    def delete_authorization_code(self, authorization_code) -> None:
        services.mark_code_used(authorization_code)

    def authenticate_user(self, authorization_code):
        user = authorization_code.user
        return user if user.is_enabled else None


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation: each refresh token is used once

    def authenticate_refresh_token(self, refresh_token: str):
        client = self.request.client
        return services.usable_refresh_token(refresh_token, client) if client else None

    def authenticate_user(self, refresh_token: OAuthToken):
        return refresh_token.user

    def revoke_old_credential(self, refresh_token: OAuthToken) -> None:
        services.rotate_token(refresh_token)


class PathwaysClientMetadata(ClientMetadataClaims):
    """RFC 7591 metadata with Pathways' rules; missing values get their RFC defaults."""

    def validate_redirect_uris(self):
        uris = self.get("redirect_uris")
        if not isinstance(uris, list) or not uris:
            raise InvalidRedirectURIError("redirect_uris must list at least one URI.")
        if len(uris) > MAX_REDIRECT_URIS:
            raise InvalidRedirectURIError(f"At most {MAX_REDIRECT_URIS} redirect_uris.")
        for uri in uris:
            problem = redirect_uri_problem(uri)
            if problem:
                raise InvalidRedirectURIError(_said(problem))

    def validate_token_endpoint_auth_method(self):
        method = self.setdefault("token_endpoint_auth_method", "client_secret_basic")
        if method not in AUTH_METHODS:
            raise InvalidClientMetadataError(
                f"token_endpoint_auth_method must be one of {', '.join(AUTH_METHODS)}."
            )

    def validate_grant_types(self):
        grant_types = self.setdefault("grant_types", ["authorization_code"])
        if (
            not isinstance(grant_types, list)
            or "authorization_code" not in grant_types
            or not set(grant_types) <= set(GRANT_TYPES)
        ):
            raise InvalidClientMetadataError(
                "grant_types must include authorization_code and may add refresh_token."
            )

    def validate_response_types(self):
        if self.setdefault("response_types", ["code"]) != ["code"]:
            raise InvalidClientMetadataError("response_types must be code only.")

    def validate_scope(self):
        scope = self.get("scope")
        if scope is None:
            requested = [s.value for s in ObScope]
        elif isinstance(scope, str):
            requested = scope.split()
        else:
            raise InvalidClientMetadataError("scope must be a space-separated string.")
        unknown = sorted(set(requested) - set(SCOPES_SUPPORTED))
        if unknown:
            raise InvalidClientMetadataError(_said(f"Unknown scope(s): {' '.join(unknown)}."))
        scopes = [s.value for s in ObScope if s.value in requested]
        if not scopes:
            raise InvalidClientMetadataError("Register at least one Open Badges scope.")
        self["scope"] = " ".join(scopes)

    def validate_client_name(self):
        for name, limit in TEXT_LIMITS.items():
            value = self.get(name)
            if value is not None and (not isinstance(value, str) or len(value) > limit):
                raise InvalidClientMetadataError(f"{name} must be text of at most {limit}.")

    def _validate_uri(self, key, uri=None):
        value = self.get(key) if uri is None else uri
        if value is None:
            return
        problem = web_uri_problem(value)
        if problem:
            raise InvalidClientMetadataError(_said(f"{key}: {problem}"))

    def validate_contacts(self):
        contacts = self.get("contacts")
        if contacts is not None and (
            not isinstance(contacts, list)
            or len(contacts) > 10
            or not all(isinstance(c, str) and len(c) <= 254 for c in contacts)
        ):
            raise InvalidClientMetadataError("contacts must be a list of addresses.")

    def validate_jwks_uri(self):
        if "jwks_uri" in self or "jwks" in self:
            raise InvalidClientMetadataError("Pathways clients authenticate with a secret.")

    def validate_jwks(self):
        pass  # refused with jwks_uri above


class PublicClientRegistration(ClientRegistrationEndpoint):
    """Open registration (no initial access token), as the Open Badges API requires."""

    def __init__(self, server=None):
        super().__init__(server, claims_classes=[PathwaysClientMetadata])

    def authenticate_token(self, request):
        return True

    def get_server_metadata(self):
        return None  # Pathways' rules live in PathwaysClientMetadata

    def generate_client_id(self, request):
        return secrets.token_urlsafe(24)

    def generate_client_secret(self, request):
        return secrets.token_urlsafe(32)

    def save_client(self, client_info, client_metadata, request):
        return services.register_client(
            client_info["client_id"], client_info["client_secret"], client_metadata
        )


class TokenRevocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None):
        if token_type_hint == "refresh_token":
            return queries.token_by_refresh_token(token_string)
        if token_type_hint == "access_token":
            return queries.token_by_access_token(token_string)
        return queries.token_by_access_token(token_string) or queries.token_by_refresh_token(
            token_string
        )

    def revoke_token(self, token: OAuthToken, request) -> None:
        services.revoke_token(
            token, is_refresh_token=token.refresh_token_hash == digest(request.form["token"])
        )


class AccessTokenValidator(BearerTokenValidator):
    def authenticate_token(self, token_string: str):
        return queries.token_by_access_token(token_string)


def create_authorization_server(app: Flask) -> AuthorizationServer:
    server = AuthorizationServer(query_client=_query_client, save_token=_save_token)
    server.load_config(
        {
            "OAUTH2_SCOPES_SUPPORTED": SCOPES_SUPPORTED,
            "OAUTH2_REFRESH_TOKEN_GENERATOR": True,
            "OAUTH2_TOKEN_EXPIRES_IN": {
                grant: int(app.config["OAUTH_ACCESS_TOKEN_SECONDS"]) for grant in GRANT_TYPES
            },
        }
    )
    server.register_grant(AuthorizationCodeGrant, [S256CodeChallenge(required=True)])
    server.register_grant(RefreshTokenGrant)
    server.register_endpoint(PublicClientRegistration)
    server.register_endpoint(TokenRevocation)
    return server


def authorization_server() -> AuthorizationServer:
    """The app's authorization server (built once per app, on first use)."""
    server = current_app.extensions.get("pathways_oauth")
    if server is None:
        server = current_app.extensions["pathways_oauth"] = create_authorization_server(current_app)
    return server


require_oauth = ResourceProtector()
require_oauth.register_token_validator(AccessTokenValidator(realm="pathways"))
