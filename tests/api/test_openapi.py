"""The OpenAPI document and the offline docs page."""

from __future__ import annotations

import re

from aiohttp import web
from openapi_spec_validator import validate

from admin_api.routes import ROUTES
from tests.api.conftest import Api


async def test_the_served_document_is_valid_openapi_3_1(api: Api) -> None:
    reply = await api.get("/api/openapi.json")
    assert reply.status == 200
    assert reply.body["openapi"] == "3.1.0"
    validate(reply.body)


def test_every_route_is_documented(api: Api) -> None:
    routed = {
        (route.method, route.resource.canonical)
        for route in api.client.app.router.routes()
        if route.resource is not None and not isinstance(route.resource, web.StaticResource)
    }
    documented = {
        (method.upper(), path)
        for path, operations in api.document["paths"].items()
        for method in operations
    }
    assert routed == documented
    assert len(documented) == len(ROUTES)


def test_schemas_come_from_the_models_handlers_use(api: Api) -> None:
    paths = api.document["paths"]
    schemas = api.document["components"]["schemas"]
    register = paths["/api/auth/register"]["post"]
    body_ref = register["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body_ref.endswith("/Registration")
    registration = schemas["Registration"]
    assert registration["additionalProperties"] is False
    assert set(registration["properties"]) == {"name", "email", "password"}
    assert "passwordHash" not in schemas["User"]["properties"]
    admin_orders = paths["/api/admin/orders"]["get"]
    assert {p["name"] for p in admin_orders["parameters"]} == {
        "page", "limit", "status", "userId", "from", "to"
    }  # fmt: skip
    place = paths["/api/orders"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in place["parameters"])
    assert place["security"] == [{"bearer": []}]
    assert "security" not in register


async def test_docs_page_works_offline(api: Api) -> None:
    page = await api.get("/api/docs")
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.body)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served locally"
        reply = await api.get(asset)
        assert reply.status == 200, asset
        assert len(reply.body) > 20
    script = await api.get("/api/docs/init.js")
    assert '"/api/openapi.json"' in script.body
