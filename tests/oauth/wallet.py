"""A wallet and a browser against the live app: what a real client and learner do.

`Wallet` is Authlib's own OAuth 2.0 *client* (`OAuth2Session`, requests-based), not the
server code under test: it registers through the discovery document's registration URL,
builds the authorization URL with PKCE (S256), exchanges the code, refreshes and revokes.
`Browser` is a `requests.Session` that signs in through the sign-in form and answers the
consent page by posting its form with the page's CSRF token, as a person's browser would.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from dataclasses import field
from html import unescape
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session

from pathways.oauth.enums import ObScope
from tests.factories import PASSWORD

REDIRECT_URI = "http://127.0.0.1:8765/callback"
ALL_SCOPES = " ".join(scope.value for scope in ObScope)
TIMEOUT = 10


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def discovery(base: str) -> dict:
    response = requests.get(f"{base}/ims/ob/v3p0/discovery", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()


def oauth_urls(document: dict) -> dict[str, str]:
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    return {
        "registration": scheme["x-imssf-registrationUrl"],
        "authorization": flow["authorizationUrl"],
        "token": flow["tokenUrl"],
        "refresh": flow["refreshUrl"],
    }


def register(base: str, **metadata) -> requests.Response:
    body = {
        "client_name": "Test Wallet",
        "client_uri": "https://wallet.example/",
        "logo_uri": "https://wallet.example/logo.png",
        "tos_uri": "https://wallet.example/terms",
        "policy_uri": "https://wallet.example/privacy",
        "software_id": "c88b6ed8-269e-448e-99be-7e2ff47167d1",
        "software_version": "v4.0.30319",
        "redirect_uris": [REDIRECT_URI],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": ALL_SCOPES,
    }
    body.update(metadata)
    body = {key: value for key, value in body.items() if value is not None}
    registration = oauth_urls(discovery(base))["registration"]
    return requests.post(registration, json=body, timeout=TIMEOUT)


@dataclass
class Wallet:
    base: str
    client_id: str
    client_secret: str
    urls: dict[str, str]
    scope: str = ALL_SCOPES
    auth_method: str = "client_secret_basic"
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    session: OAuth2Session | None = None

    @classmethod
    def registered(cls, base: str, **metadata) -> Wallet:
        response = register(base, **metadata)
        assert response.status_code == 201, response.text
        body = response.json()
        return cls(
            base,
            body["client_id"],
            body["client_secret"],
            oauth_urls(discovery(base)),
            scope=body["scope"],
            auth_method=body["token_endpoint_auth_method"],
        )

    def oauth(self, scope: str | None = None) -> OAuth2Session:
        self.session = OAuth2Session(
            self.client_id,
            self.client_secret,
            scope=scope or self.scope,
            redirect_uri=REDIRECT_URI,
            code_challenge_method="S256",
            token_endpoint_auth_method=self.auth_method,
        )
        return self.session

    def authorization_url(self, scope: str | None = None, **extra) -> tuple[str, str]:
        session = self.oauth(scope)
        return session.create_authorization_url(
            self.urls["authorization"], code_verifier=self.verifier, **extra
        )

    def fetch_token(self, callback: str) -> dict:
        assert self.session is not None
        return self.session.fetch_token(
            self.urls["token"], authorization_response=callback, code_verifier=self.verifier
        )

    def api(self, path: str) -> str:
        return f"{self.base}/ims/ob/v3p0{path}"


class Browser(requests.Session):
    """A learner's browser: cookies, forms with their CSRF tokens, no automatic redirects."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def sign_in(self, email: str, password: str = PASSWORD, next_url: str = "") -> None:
        page = self.get(f"{self.base}/sign-in", timeout=TIMEOUT)
        response = self.post(
            f"{self.base}/sign-in",
            data={
                "csrf_token": csrf_token(page.text),
                "email": email,
                "password": password,
                "next": next_url,
            },
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert response.status_code == 302, response.text[:500]

    def consent_page(self, url: str) -> requests.Response:
        return self.get(url, allow_redirects=False, timeout=TIMEOUT)

    def answer(self, url: str, *, approve: bool = True, scopes: list[str] | None = None):
        """Open the consent page and submit its form; the response (a redirect if accepted)."""
        page = self.consent_page(url)
        assert page.status_code == 200, page.text[:1000]
        offered = re.findall(r'name="approved_scope"[^>]*value="([^"]+)"', page.text)
        data: dict = {"csrf_token": csrf_token(page.text)}
        data["approved_scope"] = [unescape(s) for s in offered] if scopes is None else scopes
        data["approve" if approve else "deny"] = "1"
        return self.post(url, data=data, allow_redirects=False, timeout=TIMEOUT)

    def consent(self, url: str, **kwargs) -> str:
        """The callback URL the consent page sends the browser back to."""
        response = self.answer(url, **kwargs)
        assert response.status_code == 302, response.text[:1000]
        return response.headers["Location"]


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
