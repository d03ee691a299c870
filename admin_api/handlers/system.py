"""Health checks, the OpenAPI document and its offline docs page."""

from __future__ import annotations

from aiohttp import web

from admin_api.keys import OPENAPI, SHOP
from admin_api.payloads import respond
from admin_api.problems import Rejected
from admin_api.schemas import Health

ASSETS = "/api/docs/assets"
DOCS_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Telegram shop API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
"""
DOCS_SCRIPT = 'window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui"});\n'


async def alive(request: web.Request) -> web.Response:
    return respond(Health(status="ok"))


async def ready(request: web.Request) -> web.Response:
    if not await request.app[SHOP].is_ready():
        raise Rejected(503, "not-ready", "The database cannot be reached.")
    return respond(Health(status="ready"))


async def openapi_document(request: web.Request) -> web.Response:
    return web.json_response(request.app[OPENAPI])


async def docs_page(request: web.Request) -> web.Response:
    return web.Response(text=DOCS_PAGE, content_type="text/html")


async def docs_script(request: web.Request) -> web.Response:
    return web.Response(text=DOCS_SCRIPT, content_type="text/javascript")
