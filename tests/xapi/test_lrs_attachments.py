"""Attachments in multipart/mixed and signed statements (JWS built with joserfc)."""

from __future__ import annotations

import copy
import hashlib
import json
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.policy import HTTP

import pytest
from joserfc import jws
from joserfc.jwk import RSAKey

from tests.xapi.factories import lrs_headers
from tests.xapi.factories import make_lrs_client
from tests.xapi.factories import new_id
from tests.xapi.factories import statement

pytestmark = pytest.mark.integration

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
TEXT = b"here is a simple attachment"


def with_attachment(
    body: dict, content: bytes, *, usage="http://example.com/usage/text", content_type="text/plain"
) -> dict:
    body = copy.deepcopy(body)
    body.setdefault("attachments", []).append(
        {
            "usageType": usage,
            "display": {"en-US": "A test attachment"},
            "contentType": content_type,
            "length": len(content),
            "sha2": hashlib.sha256(content).hexdigest(),
        }
    )
    return body


def multipart(statements, parts, *, hash_header=True, encoding="binary"):
    """A multipart/mixed body built with the standard library's email package."""
    message = MIMEMultipart("mixed")
    first = MIMEApplication(json.dumps(statements).encode(), "json", lambda m: None)
    del first["MIME-Version"]
    message.attach(first)
    for content, content_type in parts:
        maintype, subtype = content_type.split("/")
        part = MIMEApplication(content, subtype, lambda m: None)
        part.replace_header("Content-Type", content_type)
        del part["MIME-Version"]
        if encoding:
            part["Content-Transfer-Encoding"] = encoding
        if hash_header:
            part["X-Experience-API-Hash"] = hashlib.sha256(content).hexdigest()
        message.attach(part)
    raw = message.as_bytes(policy=HTTP)
    head, _, body = raw.partition(b"\r\n\r\n")
    return body, message["Content-Type"]


@pytest.fixture
def lrs_post(client):
    created = make_lrs_client()
    headers = lrs_headers(created)

    def post(body: bytes, content_type: str, url="/xapi/statements", method="POST"):
        return client.open(
            url, method=method, data=body, content_type=content_type, headers=headers
        )

    post.headers = headers
    return post


def test_attachment_round_trip(client, lrs_post):
    body = with_attachment(statement(), TEXT)
    payload, content_type = multipart(body, [(TEXT, "text/plain")])
    response = lrs_post(payload, content_type)
    assert response.status_code == 200, response.get_data(as_text=True)
    sid = response.json[0]
    got = client.get(
        f"/xapi/statements?statementId={sid}&attachments=true", headers=lrs_post.headers
    )
    assert got.status_code == 200
    assert got.mimetype == "multipart/mixed"
    from email.parser import BytesParser

    message = BytesParser().parsebytes(
        f"Content-Type: {got.headers['Content-Type']}\r\n\r\n".encode() + got.get_data()
    )
    parts = message.get_payload()
    assert json.loads(parts[0].get_payload())["id"] == sid
    assert parts[1]["X-Experience-API-Hash"] == hashlib.sha256(TEXT).hexdigest()
    assert parts[1].get_payload(decode=True) == TEXT


def test_put_with_attachment(lrs_post):
    sid = new_id()
    payload, content_type = multipart(with_attachment(statement(), TEXT), [(TEXT, "text/plain")])
    response = lrs_post(
        payload, content_type, url=f"/xapi/statements?statementId={sid}", method="PUT"
    )
    assert response.status_code == 204


def test_attachment_without_its_part_is_400(lrs_post):
    body = with_attachment(statement(), TEXT)
    response = lrs_post(json.dumps(body).encode(), "application/json")
    assert response.status_code == 400
    assert list(response.json["errors"]) == ["statement.attachments[0]"]


def test_attachment_with_file_url_needs_no_part(lrs_post):
    body = with_attachment(statement(), TEXT)
    body["attachments"][0]["fileUrl"] = "https://files.example/a.txt"
    assert lrs_post(json.dumps(body).encode(), "application/json").status_code == 200


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"hash_header": False}, "multipart[1]"),
        ({"encoding": "base64"}, "multipart[1]"),
    ],
)
def test_malformed_parts_are_400(lrs_post, kwargs, path):
    payload, content_type = multipart(
        with_attachment(statement(), TEXT), [(TEXT, "text/plain")], **kwargs
    )
    response = lrs_post(payload, content_type)
    assert (response.status_code, list(response.json["errors"])) == (400, [path])


def test_part_with_a_different_hash_is_400(lrs_post):
    payload, content_type = multipart(
        with_attachment(statement(), TEXT), [(b"other content", "text/plain")]
    )
    response = lrs_post(payload, content_type)
    assert response.status_code == 400


def _key() -> RSAKey:
    return RSAKey.generate_key(2048)


def _signed(body: dict, *, alg="RS256", payload: dict | None = None) -> tuple[dict, bytes]:
    token = jws.serialize_compact(
        {"alg": alg},
        json.dumps(payload if payload is not None else body),
        _key(),
        algorithms=[alg],
    ).encode()
    signed = with_attachment(body, token, usage=SIGNATURE, content_type="application/octet-stream")
    return signed, token


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_signed_statement_is_accepted(lrs_post, alg):
    body = statement(statement_id=new_id())
    signed, token = _signed(body, alg=alg)
    payload, content_type = multipart(signed, [(token, "application/octet-stream")])
    response = lrs_post(payload, content_type)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_signature_over_another_statement_is_400(lrs_post):
    body = statement(statement_id=new_id())
    other = statement(verb="http://adlnet.gov/expapi/verbs/viewed")
    signed, token = _signed(body, payload=other)
    payload, content_type = multipart(signed, [(token, "application/octet-stream")])
    response = lrs_post(payload, content_type)
    assert (response.status_code, list(response.json["errors"])) == (
        400,
        ["statement.attachments[0].payload"],
    )


def test_signature_with_hs256_is_400(lrs_post):
    from joserfc.jwk import OctKey

    body = statement()
    token = jws.serialize_compact(
        {"alg": "HS256"}, json.dumps(body), OctKey.generate_key(256), algorithms=["HS256"]
    ).encode()
    signed = with_attachment(body, token, usage=SIGNATURE, content_type="application/octet-stream")
    payload, content_type = multipart(signed, [(token, "application/octet-stream")])
    response = lrs_post(payload, content_type)
    assert (response.status_code, list(response.json["errors"])) == (
        400,
        ["statement.attachments[0].header.alg"],
    )


def test_signature_that_is_not_a_jws_is_400(lrs_post):
    body = statement()
    token = b"not a jws"
    signed = with_attachment(body, token, usage=SIGNATURE, content_type="application/octet-stream")
    payload, content_type = multipart(signed, [(token, "application/octet-stream")])
    assert lrs_post(payload, content_type).status_code == 400
