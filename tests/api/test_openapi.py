"""The OpenAPI document and the offline docs page."""

from __future__ import annotations

import functools
import json
import re
from typing import Any, cast

import pytest
from aiohttp import web
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from admin_api.routes import ROUTES
from tests.api.client import Api, Serve
from tests.api.world import PASSWORD, World


async def test_the_served_document_is_valid_openapi_3_1(api: Api) -> None:
    reply = await api.get("/api/openapi.json")
    assert reply.status == 200
    assert reply.body["openapi"] == "3.1.0"
    validate(reply.body)


def test_every_route_is_documented(api: Api) -> None:
    """Every route but the back office's pages (``/admin``, docs/back-office.md)."""
    routed = {
        (route.method, route.resource.canonical)
        for route in api.client.app.router.routes()
        if route.resource is not None
        and not isinstance(route.resource, web.StaticResource)
        and not route.resource.canonical.startswith("/admin")
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
        "page", "limit", "status", "userId", "from", "to", "paymentState", "deliveryMethod",
        "q", "sort",
        "campaign",
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


def _verdict(document: dict[str, Any], schema: dict[str, Any], value: Any) -> bool:
    """Whether ``value`` is valid by ``schema``, as a client generated from the document sees it."""
    whole = {**schema, "components": document["components"]}
    checker = Draft202012Validator.FORMAT_CHECKER
    return bool(Draft202012Validator(whole, format_checker=checker).is_valid(value))


def _body_schema(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    operation = document["paths"][path][method]
    return cast(dict[str, Any], operation["requestBody"]["content"]["application/json"]["schema"])


NEW = "a new password"
# method, path, body and whether the document allows it: the mismatches found from outside
BODIES: list[tuple[str, str, dict[str, Any], bool]] = [
    ("post", "/api/cart/add", {"productId": "{tea}", "quantity": 94.0}, True),
    ("post", "/api/cart/add", {"productId": "{tea}", "quantity": 94.5}, False),
    ("post", "/api/products", {"name": "Mate", "price": 300.0, "currency": "USD"}, True),
    ("post", "/api/products", {"name": "Mate", "price": 300, "currency": "AAA"}, False),
    ("post", "/api/products", {"name": " Mate ", "price": 1, "description": "Herbal\ntea"}, True),
    ("post", "/api/products", {"name": "Ma\u200bte", "price": 1}, False),
    ("post", "/api/auth/register", {"name": "N", "email": "n@shop.example", "password": NEW},
     True),
    ("post", "/api/auth/register", {"name": "N", "email": "n@shop.test", "password": NEW},
     False),
    ("post", "/api/auth/register", {"name": "\u202eN", "email": "n@example.com", "password": NEW},
     False),
    ("post", "/api/auth/register", {"name": "N", "email": "m@example.com", "password": "é" * 72},
     True),
    ("patch", "/api/auth/me", {"oldPassword": PASSWORD}, False),
    ("patch", "/api/auth/me", {"name": None, "newPassword": NEW, "oldPassword": PASSWORD},
     True),
    ("patch", "/api/products/{tea}", {"stock": 1, "stockDelta": 1}, False),
    ("patch", "/api/products/{tea}", {"stock": None, "stockDelta": 1.0, "expectedVersion": 0},
     True),
    ("post", "/api/admin/orders/status", {"status": "paid"}, False),
    ("post", "/api/admin/orders/status", {"status": "paid", "orderIds": None, "fromStatus": None},
     False),
    ("post", "/api/admin/orders/status", {"status": "paid", "orderIds": ["{order}"],
                                          "fromStatus": "pending"}, False),
    ("post", "/api/admin/orders/status", {"status": "cancelled", "fromStatus": "pending"}, True),
    ("post", "/api/broadcasts", {"text": "Hi", "segment": {"kind": "users"}}, False),
    ("post", "/api/broadcasts", {"text": "Hi", "segment": {"kind": "all", "userIds": None}}, True),
    ("post", "/api/broadcasts", {"text": "Hi", "segment": {"kind": "users",
                                                                 "userIds": ["{alice}"]}},
     True),
    ("post", "/api/broadcasts", {"text": "Hi\x00", "segment": {"kind": "all"}}, False),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "valid"), BODIES)
async def test_the_server_accepts_exactly_what_the_document_allows(
    api: Api, world: World, method: str, path: str, body: dict[str, Any], valid: bool
) -> None:
    ids = {"{tea}": str(world.tea.id), "{order}": world.order_id, "{alice}": world.alice.id}
    filled = json.loads(
        functools.reduce(lambda t, kv: t.replace(*kv), ids.items(), json.dumps(body))
    )
    template = re.sub(r"{\w+}", "{id}", path)
    assert _verdict(api.document, _body_schema(api.document, method, template), filled) is valid
    url = functools.reduce(lambda t, kv: t.replace(*kv), ids.items(), path)
    reply = await api.request(method.upper(), url, json=filled, token=world.admin.token)
    assert (reply.status not in (400, 422)) is valid, reply.body


@pytest.mark.parametrize(
    ("query", "valid"),
    [
        ({"to": "2025-01-31T09:00:00Z", "from": "2025-01-01T00:00:00+02:00"}, True),
        ({"to": "0.5"}, False),
        ({"to": "1700000000"}, False),
        ({"from": "2025-01-31"}, False),
        ({"limit": "5", "page": "2"}, True),
        ({"limit": "5.0"}, False),
        ({"limit": "5_0"}, False),
    ],
)
async def test_query_strings_are_read_as_the_document_types_them(
    api: Api, world: World, query: dict[str, str], valid: bool
) -> None:
    parameters = {
        p["name"]: p for p in api.document["paths"]["/api/admin/orders"]["get"]["parameters"]
    }
    typed = {name: int(v) if v.isdigit() else v for name, v in query.items()}
    verdicts = [_verdict(api.document, parameters[name]["schema"], v) for name, v in typed.items()]
    assert all(verdicts) is valid
    reply = await api.get("/api/admin/orders", params=query, token=world.admin.token)
    assert (reply.status == 200) is valid, reply.body


def test_the_shop_currency_and_the_body_limit_are_in_the_document(api: Api) -> None:
    draft = api.document["components"]["schemas"]["ProductDraft"]["properties"]["currency"]
    assert {"enum": ["USD"]}.items() <= draft["anyOf"][0].items()
    assert "65536 bytes" in api.document["info"]["description"]


async def test_apps_of_shops_in_different_currencies_each_document_their_own(
    api: Api, serve: Serve
) -> None:
    """Apps made in one process share the schemas' making, never each other's currency."""
    yen = await serve(shop_currency="JPY")
    dollars = await serve()
    for served, currency in ((api, "USD"), (yen, "JPY"), (dollars, "USD")):
        draft = served.document["components"]["schemas"]["ProductDraft"]["properties"]
        assert {"enum": [currency]}.items() <= draft["currency"]["anyOf"][0].items()


def test_every_operation_declares_every_problem_it_can_answer(api: Api) -> None:
    for path, operations in api.document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert {"413", "415", "500", "503"} <= statuses, f"{method} {path}"
            if "security" in operation:
                assert "401" in statuses, f"{method} {path}"
            if "{id}" in path:
                assert "404" in statuses, f"{method} {path}"
            if "requestBody" in operation or "parameters" in operation:
                assert "422" in statuses or all(
                    p["in"] == "path" for p in operation.get("parameters", ())
                ), f"{method} {path}"
