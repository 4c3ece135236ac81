"""The OpenAPI schema at /api/openapi.json and the docs page at /api/docs."""

import re

import pytest

pytestmark = pytest.mark.django_db

PUBLIC = "/api/booking/public/{business_slug}"
OPERATIONS = {
    ("get", f"{PUBLIC}/"): {200, 308, 404, 429},
    ("get", f"{PUBLIC}/services/"): {200, 308, 404, 429},
    ("get", f"{PUBLIC}/availability/"): {200, 308, 400, 404, 429},
    ("post", f"{PUBLIC}/book/"): {201, 308, 400, 403, 404, 409, 429},
    ("get", "/api/booking/settings/"): {200, 400, 401, 403, 404},
    ("put", "/api/booking/settings/"): {200, 400, 401, 403, 404},
    ("patch", "/api/booking/settings/"): {200, 400, 401, 403, 404},
    ("get", "/api/booking/requests/"): {200, 400, 401, 403, 404},
    ("post", "/api/booking/requests/{id}/approve/"): {200, 400, 401, 403, 404, 409},
    ("post", "/api/booking/requests/{id}/reject/"): {200, 400, 401, 403, 404, 409},
    ("post", "/api/booking/requests/"): {201, 400, 401, 403, 404, 409},
    ("post", "/api/booking/requests/{id}/reschedule/"): {
        200,
        400,
        401,
        403,
        404,
        409,
    },
    ("post", "/api/booking/requests/{id}/move/approve/"): {
        200,
        400,
        401,
        403,
        404,
        409,
    },
    ("post", "/api/booking/requests/{id}/move/reject/"): {
        200,
        400,
        401,
        403,
        404,
        409,
    },
    ("get", "/api/booking/link/"): {200, 400, 401, 403, 404},
}
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield (method, path), operation


def test_every_endpoint_is_in_the_schema_with_its_answers(schema):
    assert schema["openapi"].startswith("3.")
    found = {
        key: {int(code) for code in op["responses"]} for key, op in operations(schema)
    }
    assert found == OPERATIONS


def test_every_answer_and_parameter_is_described(schema):
    for key, operation in operations(schema):
        assert operation["summary"], key
        assert operation["description"], key
        for code, answer in operation["responses"].items():
            assert answer["description"], (key, code)
            if code == "308":
                assert "Location" in answer["headers"]
            elif int(code) >= 400:
                assert answer["content"]["application/json"]["schema"] == ERROR_REF
            else:
                assert answer["content"]["application/json"]["schema"], (key, code)
        if "429" in operation["responses"]:
            assert "Retry-After" in operation["responses"]["429"]["headers"]
        for parameter in operation["parameters"]:
            assert parameter.get("description"), (key, parameter["name"])


def test_admin_endpoints_declare_their_authentication(schema):
    for (_, path), operation in operations(schema):
        if path.startswith("/api/booking/public/"):
            assert "security" not in operation
        else:
            assert operation["security"] == [
                {"BearerToken": []},
                {"DashboardSession": []},
            ]
            assert "business" in {p["name"] for p in operation["parameters"]}
    assert schema["components"]["securitySchemes"] == {
        "BearerToken": {"type": "http", "scheme": "bearer"},
        "DashboardSession": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }


def test_the_error_shape_and_bodies_are_documented(schema):
    schemas = schema["components"]["schemas"]
    assert schemas["ErrorOut"]["required"] == ["code", "message", "errors"]
    book = schema["paths"][f"{PUBLIC}/book/"]["post"]
    assert book["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BookIn"
    }
    assert "Idempotency-Key" in {p["name"] for p in book["parameters"]}
    assert schemas["BookIn"]["additionalProperties"] is False
    limits = schemas["SettingsIn"]["properties"]
    assert (
        limits["buffer_time_minutes"]["minimum"],
        limits["buffer_time_minutes"]["maximum"],
    ) == (0, 240)
    assert (
        limits["booking_expiry_hours"]["minimum"],
        limits["booking_expiry_hours"]["maximum"],
    ) == (1, 168)
    description = schema["info"]["description"]
    for words in ("Bearer", "?business=", "ISO 8601", "Retry-After", "page_size"):
        assert words in description


def test_the_docs_page_needs_no_cdn(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    assets = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert assets
    assert all(asset.startswith("/static/ninja/") for asset in assets), assets
    assert "http://" not in html
    assert "https://" not in html
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html
    assert not response.cookies  # anonymous visitors get no CSRF cookie


def test_the_docs_files_are_served_locally(client):
    for name in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        response = client.get(f"/static/ninja/{name}")
        assert response.status_code == 200, name


def test_signed_in_docs_carry_the_csrf_token(client, owner):
    client.force_login(owner)
    html = client.get("/api/docs").content.decode()
    assert 'data-api-csrf="true"' in html


def test_unknown_api_paths_answer_json_404(client):
    response = client.get("/api/booking/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    slashless = client.get("/api/booking/link").json()
    assert "did you mean /api/booking/link/ ?" in slashless["message"]
    nowhere = client.get("/api/booking/nothing").json()
    assert nowhere["message"] == "No API endpoint at this path. See /api/docs."


def test_the_api_root_points_to_the_docs(client):
    assert client.get("/api/").json() == {
        "docs": "/api/docs",
        "openapi": "/api/openapi.json",
    }
