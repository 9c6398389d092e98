"""Health probes, problem documents on the API, readable pages in the portal, body limit."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").json == {"status": "ok", "database": "ok", "migrations": "current"}


def test_api_errors_are_problem_documents(client):
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert set(response.json) >= {"type", "title", "status", "detail"}
    assert response.json["status"] == 404
    response = client.post("/api/v1/openapi.json")
    assert (response.status_code, response.mimetype) == (405, "application/problem+json")


def test_portal_errors_are_pages(client):
    response = client.get("/nowhere")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("number", [2**31 - 1, 2**31, 10**20])
def test_ids_past_an_integer_column_are_not_found(client, number):
    # Without the URL converter's bound, PostgreSQL refuses 2**31 and SQLite 10**20 (a 500).
    response = client.get(f"/versions/{number}")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32


def test_openapi_document_lists_api_routes(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.0.3"
    assert "/api/v1/organisations/{code}/api-clients" in document["paths"]
    operation = document["paths"]["/api/v1/organisations/{code}/api-clients"]["post"]
    assert operation["x-roles"] == ["college_admin", "platform_admin"]


def test_oversized_bodies_get_413_in_both_forms(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        page = client.post("/sign-in", data={"email": "x" * 5000})
        api = client.post(
            "/api/v1/organisations/x/api-clients",
            data=b"{" + b" " * 5000 + b"}",
            headers={"Content-Type": "application/json", "Authorization": "Bearer a.b"},
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024
    assert (page.status_code, page.mimetype) == (413, "text/html")
    assert "That upload is too large" in page.get_data(as_text=True)
    assert api.status_code in (401, 413)  # credentials are checked before the body is read


def test_unexpected_errors_are_a_readable_500(tmp_path):
    from pathways import create_app
    from pathways.accounts.permissions import public

    other = create_app(
        {
            "SECRET_KEY": "x",
            "LOG_LEVEL": "WARNING",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
        }
    )

    @other.get("/boom")
    @public
    def boom():
        raise RuntimeError("secret detail")

    @other.get("/api/v1/boom")
    @public
    def api_boom():
        raise RuntimeError("secret detail")

    client = other.test_client()
    page = client.get("/boom")
    assert page.status_code == 500 and "Something went wrong on our side" in page.get_data(
        as_text=True
    )
    assert "secret detail" not in page.get_data(as_text=True)
    api = client.get("/api/v1/boom")
    assert (api.status_code, api.mimetype, api.json["title"]) == (
        500,
        "application/problem+json",
        "Internal Server Error",
    )


@pytest.mark.parametrize(
    ("base_url", "secure"), [("https://pathways.example", True), ("http://127.0.0.1:5000", False)]
)
def test_session_cookie_is_secure_behind_https(tmp_path, base_url, secure):
    from pathways import create_app

    app = create_app(
        {
            "BASE_URL": base_url,
            "SECRET_KEY": "x",
            "LOG_LEVEL": "WARNING",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
        }
    )
    assert (
        app.config["SESSION_COOKIE_SECURE"],
        app.config["SESSION_COOKIE_HTTPONLY"],
        app.config["SESSION_COOKIE_SAMESITE"],
    ) == (secure, True, "Lax")


@pytest.mark.parametrize(
    ("value", "text"), [(55.0, "55"), (37.5, "37.5"), (12, "12"), (0.04, "0"), (None, "")]
)
def test_hours_filter(value, text):
    from pathways.web.navigation import format_hours

    assert format_hours(value) == text
