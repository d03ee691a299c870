"""Campaigns: orders and revenue by the campaign of the start link each customer followed
last (``core/reports/campaigns.py``, the figures of ``GET /api/reports/campaigns``), over
the last 7, 30 or 90 days in the shop's time zone, or all time."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from admin_api.web.visit import Visit
from core.base import clock
from core.campaigns.commands import CampaignQuery
from core.reports.dashboard import local_midnight

PERIODS = {"7": "Last 7 days", "30": "Last 30 days", "90": "Last 90 days", "all": "All time"}
DEFAULT_PERIOD = "30"


async def campaign_list(visit: Visit) -> web.StreamResponse:
    asked = visit.request.query.get("days", DEFAULT_PERIOD)
    chosen = asked if asked in PERIODS else DEFAULT_PERIOD
    query = CampaignQuery(limit=200)
    if chosen != "all":
        zone = visit.shop.settings.zone
        first_day = clock.now().astimezone(zone).date() - timedelta(days=int(chosen) - 1)
        query = CampaignQuery(created_from=local_midnight(first_day, zone), limit=200)
    report = await visit.shop.campaign_reports.figures(visit.actor, query)
    return visit.render("campaigns.html", report=report, periods=PERIODS, chosen=chosen)
