"""The dashboard: the back office's home page (its figures come with core's reports)."""

from __future__ import annotations

from aiohttp import web

from admin_api.web.visit import Visit


async def dashboard(visit: Visit) -> web.StreamResponse:
    return visit.render("dashboard.html")
