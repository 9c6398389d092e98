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


def test_request_body_limit(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        response = client.post("/api/v1/organisations/x/api-clients", data=b"x" * 5000,
                               headers={"Authorization": "Bearer a.b", "Content-Type": "application/json"})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024
    assert response.status_code in (401, 413)


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
