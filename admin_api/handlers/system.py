"""Health checks, the OpenAPI document and its offline docs page."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.keys import OPENAPI
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


async def alive(call: Call[None, None]) -> web.Response:
    return respond(Health(status="ok"))


async def ready(call: Call[None, None]) -> web.Response:
    if not await call.shop.is_ready():
        raise Rejected(503, "not-ready", "The database cannot be reached.")
    return respond(Health(status="ready"))


async def openapi_document(call: Call[None, None]) -> web.Response:
    return web.json_response(call.request.app[OPENAPI])


async def docs_page(call: Call[None, None]) -> web.Response:
    return web.Response(text=DOCS_PAGE, content_type="text/html")


async def docs_script(call: Call[None, None]) -> web.Response:
    return web.Response(text=DOCS_SCRIPT, content_type="text/javascript")
