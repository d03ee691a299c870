"""What every response carries: problem details, request ids, security and CORS headers."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from pymongo import AsyncMongoClient

from admin_api.routes import PATH_PARAMETER, ROUTES, add_routes, shadowed
from core.shop import Shop
from tests.api.client import Api, Serve
from tests.api.world import World
from tests.settings import make_settings


async def test_security_headers_on_success_and_error(api: Api) -> None:
    for path in ("/healthz", "/api/auth/me", "/nowhere"):
        reply = await api.get(path)
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
        assert reply.headers["X-Frame-Options"] == "DENY"
        assert reply.headers["Referrer-Policy"] == "no-referrer"
        assert reply.headers["Cache-Control"] == "no-store"
        assert reply.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert "aiohttp" not in reply.headers["Server"].lower()


async def test_every_response_has_a_request_id_that_errors_repeat(api: Api) -> None:
    reply = await api.get("/api/auth/me")
    request_id = reply.headers["X-Request-Id"]
    assert len(request_id) == 32
    assert reply.body["requestId"] == request_id
    assert reply.body["instance"] == "/api/auth/me"
    other = await api.get("/api/auth/me")
    assert other.headers["X-Request-Id"] != request_id


async def test_a_well_formed_incoming_request_id_is_kept_others_replaced(api: Api) -> None:
    kept = await api.get("/healthz", headers={"X-Request-Id": "edge-42.a_b"})
    assert kept.headers["X-Request-Id"] == "edge-42.a_b"
    for hostile in ("x" * 65, "a b", '"}{"injected":1'):
        replaced = await api.get("/healthz", headers={"X-Request-Id": hostile})
        assert replaced.headers["X-Request-Id"] != hostile


async def test_unknown_paths_and_methods_are_problems(api: Api) -> None:
    missing = await api.get("/api/nowhere")
    assert (missing.status, missing.code) == (404, "not-found")
    assert missing.headers["Content-Type"].startswith("application/problem+json")
    wrong = await api.request("PUT", "/api/products")
    assert (wrong.status, wrong.code) == (405, "method-not-allowed")
    assert "GET" in wrong.headers["Allow"]


async def test_unexpected_errors_reveal_nothing(
    api: Api, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals at /srv/db password=hunter2")

    monkeypatch.setattr(shop.catalog, "list", broken)
    reply = await api.get("/api/products")
    assert (reply.status, reply.code) == (500, "internal-error")
    assert "secret" not in str(reply.body) and "Traceback" not in str(reply.body)
    assert reply.body["requestId"] == reply.headers["X-Request-Id"]


async def test_cors_is_off_by_default(api: Api) -> None:
    origin = {"Origin": "https://shop.example"}
    reply = await api.get("/api/products", headers=origin)
    assert "Access-Control-Allow-Origin" not in reply.headers
    preflight = await api.request(
        "OPTIONS", "/api/products", headers={**origin, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status == 405
    assert "Access-Control-Allow-Origin" not in preflight.headers


async def test_cors_allows_configured_origins_only(serve: Serve) -> None:
    api = await serve(cors_origins="https://shop.example, https://admin.example/")
    allowed = {"Origin": "https://admin.example"}
    reply = await api.get("/api/products", headers=allowed)
    assert reply.headers["Access-Control-Allow-Origin"] == "https://admin.example"
    assert "X-Request-Id" in reply.headers["Access-Control-Expose-Headers"]
    assert "Origin" in reply.headers.getall("Vary")
    preflight = await api.request(
        "OPTIONS",
        "/api/orders",
        headers={
            **allowed,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, idempotency-key",
        },
    )
    assert preflight.status == 204
    assert "Idempotency-Key" in preflight.headers["Access-Control-Allow-Headers"]
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    stranger = await api.get("/api/products", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in stranger.headers


async def test_health(api: Api) -> None:
    assert (await api.get("/healthz")).body == {"status": "ok"}
    assert (await api.get("/readyz")).body == {"status": "ready"}


async def test_not_ready_without_a_database(serve: Serve) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        "mongodb://127.0.0.1:9", serverSelectionTimeoutMS=200, connectTimeoutMS=200
    )
    try:
        api = await serve(on=Shop.build(make_settings(), client))
        reply = await api.get("/readyz")
        assert (reply.status, reply.code) == (503, "not-ready")
        assert (await api.get("/healthz")).status == 200
    finally:
        await client.close()


async def test_no_path_of_the_route_table_is_shadowed_by_another() -> None:
    """Each path with each method reaches its own row; other methods get 405 naming the rows'."""
    assert shadowed(ROUTES) == []
    app = web.Application()
    add_routes(app)
    methods = {route.path: {r.method for r in ROUTES if r.path == route.path} for route in ROUTES}
    for path, allowed in methods.items():
        url = PATH_PARAMETER.sub("0123456789abcdef01234567", path)
        for method in ("GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"):
            match = await app.router.resolve(make_mocked_request(method, url, app=app))
            if method in allowed:
                resource = match.route.resource
                assert resource is not None and resource.canonical == path
                assert match.route.method == method
            else:
                refusal = match.http_exception
                assert isinstance(refusal, web.HTTPMethodNotAllowed), f"{method} {url}"
                assert refusal.allowed_methods == allowed, f"{method} {url}"


def test_a_table_where_an_id_route_would_catch_a_literal_path_is_refused() -> None:
    rows = [*ROUTES, dataclasses.replace(ROUTES[0], path="/api/orders/0123456789abcdef01234567")]
    assert shadowed(rows) == ["/api/orders/0123456789abcdef01234567 is matched by /api/orders/{id}"]


async def test_a_literal_path_is_not_taken_for_an_id(api: Api, world: World) -> None:
    for method in ("GET", "OPTIONS"):
        reply = await api.request(method, "/api/admin/orders/status", token=world.admin.token)
        assert (reply.status, reply.code) == (405, "method-not-allowed")
        assert reply.headers["Allow"] == "POST"
