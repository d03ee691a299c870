"""The application factory, shared by ``python -m admin_api`` and the tests."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from admin_api.config import ApiSettings
from admin_api.keys import OPENAPI, SETTINGS, SHOP
from admin_api.middlewares import add_headers, cors_preflight, request_context
from admin_api.openapi import build_document
from admin_api.problems import problem_middleware
from admin_api.routes import add_routes, routes_for
from admin_api.server import listen
from admin_api.web.app import mount as mount_back_office
from core.config import ConfigError
from core.shop import Shop

log = logging.getLogger("admin_api")


async def run_api(shop: Shop, settings: ApiSettings) -> None:
    """Serve the API on ``API_HOST:API_PORT`` until cancelled."""
    runner = web.AppRunner(create_app(shop, settings), access_log=None)
    await runner.setup()
    try:
        try:
            server = await listen(runner, settings)
        except OSError as error:
            raise ConfigError(
                f"cannot serve the API on {settings.api_host}:{settings.api_port}: "
                f"{error.strerror} (set API_HOST or API_PORT)"
            ) from None
        try:
            log.info("listening", extra={"host": settings.api_host, "port": settings.api_port})
            await asyncio.Event().wait()
        finally:
            server.close()
    finally:
        await runner.cleanup()


def create_app(shop: Shop, settings: ApiSettings) -> web.Application:
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[request_context, problem_middleware, cors_preflight],
    )
    app[SHOP] = shop
    app[SETTINGS] = settings
    routes = routes_for(shop.delivery.required)
    app[OPENAPI] = build_document(
        routes,
        currency=shop.catalog.currency,
        delivery_methods=shop.delivery.methods,
        max_body_bytes=settings.max_body_bytes,
    )
    add_routes(app, routes)
    if settings.admin_web:
        mount_back_office(app, shop, settings)
    app.on_response_prepare.append(add_headers)
    return app
