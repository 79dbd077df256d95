"""`/api/schema/` (OpenAPI) and `/api/docs/` (Swagger UI served from our own static files)."""

import re

import pytest
import yaml
from django.core.management import call_command

INVENTORY_PATHS = [
    "/api/auth/token",
    "/api/auth/me",
    "/api/tools",
    "/api/tools/{barcode}",
    "/api/tools/{barcode}/maintenance",
    "/api/consumables",
    "/api/consumables/{barcode}",
    "/api/consumables/{barcode}/adjust-stock",
    "/api/consumables/{barcode}/forecast",
]


@pytest.fixture
def schema(client, admin_user):
    response = client.get("/api/schema/")
    assert response.status_code == 200, response.content
    return yaml.safe_load(response.content)


def test_schema_is_openapi_3_with_every_inventory_path(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Scandy API"
    for path in INVENTORY_PATHS:
        assert path in schema["paths"], path


def test_schema_as_json(client, admin_user):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_schema_describes_the_forecast_and_the_token(schema):
    forecast = schema["paths"]["/api/consumables/{barcode}/forecast"]["get"]["responses"]["200"]
    ref = forecast["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "suggested_order_quantity" in schema["components"]["schemas"][ref]["properties"]
    assert "post" in schema["paths"]["/api/auth/token"]


def test_schema_generation_has_no_warnings(db, tmp_path):
    # --fail-on-warn turns every drf-spectacular warning (unresolvable serializer, guessed type) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert yaml.safe_load((tmp_path / "schema.yml").read_text())["paths"]


def test_docs_use_only_local_assets(client, admin_user):
    # Anonymous: visitors without a department must not trip the page up.
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert sources, html
    for source in sources:
        assert source.startswith("/static/"), source
    assert "http://" not in html and "https://" not in html
    assert "/api/schema/" in html


def test_docs_for_a_logged_in_user(page_client_for, admin_user):
    response = page_client_for(admin_user).get("/api/docs/")
    assert response.status_code == 200
    assert "swagger-ui" in response.content.decode()
