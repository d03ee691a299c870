"""The back office as an aiohttp sub-application mounted under ``/admin/`` of the API's
application: its pages (``admin_api/web/routes.py``), templates, static files, HTML error
pages and its own headers."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from admin_api.config import ApiSettings
from admin_api.keys import SETTINGS, SHOP
from admin_api.routes import router_path
from admin_api.web.errors import error_pages
from admin_api.web.filters import FILTERS
from admin_api.web.routes import PAGES
from admin_api.web.visit import PageRoute, bind
from core.shop import Shop

PREFIX = "/admin"
HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_PATH = "/static"

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


async def page_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Signal handler, after the API's ``add_headers``: the pages' own policy. Pages keep
    the API's ``Cache-Control: no-store`` (they show personal data); static files are
    revalidated instead."""
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    if request.path.startswith(PREFIX + STATIC_PATH + "/"):
        response.headers["Cache-Control"] = "no-cache"


def add_pages(office: web.Application, pages: tuple[PageRoute, ...]) -> None:
    names = [page.name for page in pages]
    if len(set(names)) != len(names):
        raise ValueError("two pages' handlers have the same name")
    for page in pages:
        office.router.add_route(
            page.method, router_path(page.path), bind(page, pages), name=page.name
        )
    office.router.add_static(STATIC_PATH, STATIC, name="static")


def back_office(
    shop: Shop, settings: ApiSettings, pages: tuple[PageRoute, ...] = PAGES
) -> web.Application:
    office = web.Application(middlewares=[error_pages])
    office[SHOP] = shop
    office[SETTINGS] = settings
    aiohttp_jinja2.setup(
        office,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        filters=FILTERS,
    )
    add_pages(office, pages)
    office.on_response_prepare.append(page_headers)
    return office


async def _to_dashboard(request: web.Request) -> web.StreamResponse:
    return web.Response(status=308, headers={"Location": PREFIX + "/"})


def mount(
    app: web.Application, shop: Shop, settings: ApiSettings, pages: tuple[PageRoute, ...] = PAGES
) -> None:
    """Serve the back office's ``pages`` under ``/admin/`` of ``app`` (``/admin`` leads
    there)."""
    app.router.add_get(PREFIX, _to_dashboard)
    app.add_subapp(PREFIX + "/", back_office(shop, settings, pages))
