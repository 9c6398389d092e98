"""A fake LTI platform for tests: its own RSA keys, JWTs and OAuth 1 signatures made with
`cryptography`, `hmac` and `hashlib` directly (never Pathways' code), and an HTTP server on
127.0.0.1 serving JWKS, token, AGS, NRPS, Basic Outcomes and dynamic registration."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import quote
from urllib.parse import urlsplit

import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
LEARNER = f"{MEMBERSHIP}#Learner"
INSTRUCTOR = f"{MEMBERSHIP}#Instructor"
ADMINISTRATOR = f"{MEMBERSHIP}#Administrator"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def int_b64(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    return {
        "kty": "RSA",
        "kid": kid,
        "use": "sig",
        "alg": "RS256",
        "n": int_b64(numbers.n),
        "e": int_b64(numbers.e),
    }


def make_jwt(
    claims: dict[str, Any],
    key: rsa.RSAPrivateKey | None,
    *,
    kid: str | None,
    alg: str = "RS256",
    hmac_secret: bytes | None = None,
) -> str:
    """A compact JWS built by hand: RS256 with `key`, HS256 with `hmac_secret`, or `none`."""
    header: dict[str, Any] = {"alg": alg, "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    signing_input = (
        b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    ).encode("ascii")
    if alg == "RS256":
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    elif alg == "HS256":
        signature = hmac.new(hmac_secret, signing_input, hashlib.sha256).digest()
    else:
        signature = b""
    return signing_input.decode("ascii") + "." + b64url(signature)


def verify_rs256(token: str, jwks: dict[str, Any]) -> tuple[dict, dict]:
    """Verify a Pathways-signed JWT with `cryptography` against its JWKS (independent check)."""
    head, body, signature = token.split(".")
    header = json.loads(b64url_decode(head))
    assert header["alg"] == "RS256"
    jwk = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    public = rsa.RSAPublicNumbers(
        int.from_bytes(b64url_decode(jwk["e"]), "big"),
        int.from_bytes(b64url_decode(jwk["n"]), "big"),
    ).public_key()
    public.verify(
        b64url_decode(signature),
        f"{head}.{body}".encode("ascii"),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    return header, json.loads(b64url_decode(body))


# --- OAuth 1.0a (LTI 1.1) by hand ---------------------------------------------------------------


def _enc(value: str) -> str:
    return quote(value, safe="-._~")


def oauth1_sign(url: str, params: dict[str, str], secret: str, method: str = "POST") -> str:
    """RFC 5849 HMAC-SHA1 signature of a form POST (no token secret)."""
    parts = urlsplit(url)
    base_url = f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"
    pairs = sorted(
        (_enc(k), _enc(v))
        for k, v in list(params.items()) + parse_qsl(parts.query, keep_blank_values=True)
    )
    normalised = "&".join(f"{k}={v}" for k, v in pairs)
    base = "&".join([method.upper(), _enc(base_url), _enc(normalised)])
    digest = hmac.new(f"{_enc(secret)}&".encode(), base.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def lti11_form(url: str, key: str, secret: str, **overrides: str) -> dict[str, str]:
    params = {
        "lti_message_type": "basic-lti-launch-request",
        "lti_version": "LTI-1p0",
        "resource_link_id": "rl-11",
        "resource_link_title": "Safety module",
        "user_id": "u-42",
        "roles": "Learner",
        "context_id": "course-11",
        "context_title": "Manufacturing Fundamentals",
        "lis_person_name_full": "Ada Lovelace",
        "lis_person_contact_email_primary": "ada11@example.org",
        "tool_consumer_info_product_family_code": "moodle",
        "oauth_consumer_key": key,
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": str(int(time.time())),
        "oauth_nonce": secrets.token_hex(8),
        "oauth_version": "1.0",
        "oauth_callback": "about:blank",
    }
    params.update(overrides)
    params["oauth_signature"] = oauth1_sign(url, params, secret)
    return params


# --- the fake platform ----------------------------------------------------------------------------


@dataclass
class FakePlatform:
    """State of the fake LMS; the HTTP server reads and records it."""

    base: str = ""
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    scores: list[dict] = field(default_factory=list)
    score_statuses: list[int] = field(default_factory=list)
    token_statuses: list[int] = field(default_factory=list)
    lineitems: list[dict] = field(default_factory=list)
    members_pages: list[list[dict]] = field(default_factory=list)
    outcome_bodies: list[bytes] = field(default_factory=list)
    outcome_replies: list[bytes] = field(default_factory=list)
    registrations: list[dict] = field(default_factory=list)
    registration_reply: dict | None = None
    # Called with each accepted score before the platform answers it (as Moodle marks an
    # activity complete on a grade and sends its statement back at once).
    on_score: Any = None
    issuer: str = ""
    client_id: str = "pathways-client"
    deployment_id: str = "dep-1"

    def add_key(self, kid: str | None = None, *, publish: bool = True) -> str:
        kid = kid or secrets.token_hex(6)
        self.keys[kid] = new_rsa_key()
        if publish:
            self.published.append(kid)
        return kid

    def jwks(self) -> dict:
        return {"keys": [public_jwk(self.keys[kid], kid) for kid in self.published]}

    def count(self, method: str, path_prefix: str) -> int:
        return sum(1 for m, p, _h, _b in self.requests if m == method and p.startswith(path_prefix))

    def id_token(
        self,
        *,
        kid: str | None = None,
        nonce: str,
        message_type: str = "LtiResourceLinkRequest",
        sub: str = "sub-1",
        roles: list[str] | None = None,
        extra: dict | None = None,
        drop: tuple[str, ...] = (),
        alg: str = "RS256",
        hmac_secret: bytes | None = None,
        now: int | None = None,
    ) -> str:
        kid = kid or self.published[0]
        now = now or int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": "Ada Lovelace",
            "email": f"{sub}@example.org",
            LTI + "message_type": message_type,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": "http://localhost/lti/launch",
            LTI + "roles": roles if roles is not None else [LEARNER],
            LTI + "context": {"id": "course-1", "label": "MFG-101", "title": "Manufacturing"},
            LTI + "tool_platform": {"product_family_code": "moodle", "version": "4.3"},
        }
        if message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": "rl-1", "title": "Safety"}
        else:
            claims[DL_SETTINGS] = {
                "deep_link_return_url": self.base + "/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "accept_lineitem": True,
                "data": "opaque-data",
            }
        claims.update(extra or {})
        for name in drop:
            claims.pop(name, None)
        return make_jwt(claims, self.keys.get(kid), kid=kid, alg=alg, hmac_secret=hmac_secret)


def _handler(platform: FakePlatform):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def _reply(
            self,
            status: int,
            body: Any = b"",
            content_type: str = "application/json",
            headers: dict | None = None,
        ) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _record(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            platform.requests.append((self.command, self.path, dict(self.headers), body))
            return body

        def do_GET(self):  # noqa: N802
            self._record()
            path = urlsplit(self.path).path
            if path == "/jwks":
                return self._reply(200, platform.jwks())
            if path == "/.well-known/openid-configuration":
                return self._reply(
                    200,
                    {
                        "issuer": platform.issuer,
                        "authorization_endpoint": platform.base + "/auth",
                        "token_endpoint": platform.base + "/token",
                        "jwks_uri": platform.base + "/jwks",
                        "registration_endpoint": platform.base + "/register",
                        "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                            "product_family_code": "moodle",
                            "version": "4.3",
                        },
                    },
                )
            if path == "/lineitems":
                return self._reply(
                    200, platform.lineitems, "application/vnd.ims.lis.v2.lineitemcontainer+json"
                )
            match = re.match(r"^/memberships/(\d+)$", path)
            if match:
                index = int(match.group(1))
                headers = {}
                if index + 1 < len(platform.members_pages):
                    headers["Link"] = (
                        f'<{platform.base}/memberships/{index + 1}>; rel="next", '
                        f'<{platform.base}/memberships/0>; rel="first"'
                    )
                return self._reply(
                    200,
                    {"id": "m", "members": platform.members_pages[index]},
                    "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                    headers,
                )
            return self._reply(404, {"error": "not found"})

        def do_POST(self):  # noqa: N802
            body = self._record()
            path = urlsplit(self.path).path
            if path == "/token":
                status = platform.token_statuses.pop(0) if platform.token_statuses else 200
                if status != 200:
                    return self._reply(status, {"error": "invalid_client"})
                return self._reply(
                    200,
                    {
                        "access_token": "tok-" + secrets.token_hex(4),
                        "token_type": "Bearer",
                        "expires_in": 3600,
                    },
                )
            if path.endswith("/scores"):
                status = platform.score_statuses.pop(0) if platform.score_statuses else 200
                if status == 200:
                    platform.scores.append(json.loads(body))
                    if platform.on_score is not None:
                        platform.on_score(json.loads(body))
                return self._reply(status, b"" if status == 200 else {"error": "down"})
            if path == "/lineitems":
                item = dict(
                    json.loads(body), id=f"{platform.base}/lineitems/{len(platform.lineitems) + 1}"
                )
                platform.lineitems.append(item)
                return self._reply(201, item, "application/vnd.ims.lis.v2.lineitem+json")
            if path == "/outcomes":
                platform.outcome_bodies.append(body)
                reply = platform.outcome_replies.pop(0) if platform.outcome_replies else None
                return self._reply(200, reply or b"", "application/xml")
            if path == "/register":
                platform.registrations.append(json.loads(body))
                return self._reply(200, platform.registration_reply or {})
            return self._reply(404, {"error": "not found"})

    return Handler


class PlatformServer:
    """Run a FakePlatform on 127.0.0.1 (random port) in a thread."""

    def __init__(self) -> None:
        self.platform = FakePlatform()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.platform))
        self.platform.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.platform.issuer = self.platform.base
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakePlatform:
        self.thread.start()
        return self.platform

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


# --- database helpers ---------------------------------------------------------------------------

COUNTED = (
    "user_account",
    "external_identity",
    "membership",
    "lti_context",
    "lti_context_member",
    "lti_resource_link",
    "lti_grade_link",
    "lti_used_nonce",
    "lti_deep_link_session",
    "lti_outbox",
    "lti11_nonce",
)


def row_counts() -> dict[str, int]:
    from pathways.db import db

    return {
        table: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608
        for table in COUNTED
    }


def register_platform(fake: FakePlatform, *, organisation=None, trusts_email=False):
    from pathways.db import transaction
    from pathways.lti import services

    with transaction():
        return services.create_platform(
            issuer=fake.issuer,
            client_id=fake.client_id,
            deployment_ids=[fake.deployment_id],
            auth_url=fake.base + "/auth",
            token_url=fake.base + "/token",
            jwks_url=fake.base + "/jwks",
            organisation=organisation,
            trusts_email=trusts_email,
            actor=None,
        )


def start_login(client, fake: FakePlatform, *, target: str = "http://localhost/lti/launch"):
    """Run the OIDC login initiation; return (state, nonce) from the redirect."""
    response = client.post(
        "/lti/login",
        data={
            "iss": fake.issuer,
            "login_hint": "hint",
            "target_link_uri": target,
            "client_id": fake.client_id,
            "lti_deployment_id": fake.deployment_id,
            "lti_message_hint": "msg",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    query = dict(parse_qsl(urlsplit(response.headers["Location"]).query))
    return query["state"], query["nonce"]
