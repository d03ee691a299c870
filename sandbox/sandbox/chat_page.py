"""The chat page: a Telegram-like browser client of the control API (files in ``web/``).

``/`` serves the page; ``/?user=1002`` opens that user's chat and ``/?api=<url>`` adds an
operator panel that calls the shop's HTTP API at ``<url>``. ``/favicon.ico`` is the page's
icon too, for clients that ask for it there.
"""

from pathlib import Path

from aiohttp import web

WEB_DIR = Path(__file__).with_name("web")


async def chat_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_DIR / "index.html")


async def favicon(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_DIR / "favicon.svg")


def add_chat_page(app: web.Application) -> None:
    app.router.add_get("/", chat_page)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_static("/web/", WEB_DIR)
