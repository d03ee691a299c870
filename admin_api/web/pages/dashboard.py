"""The dashboard: the back office's home page, with core's reports (``core/reports/``):
today, the last 7 and 30 days in the shop's time zone, revenue by day drawn as SVG, the
best sellers, low stock, refunds due and orders pending past the payment window."""

from __future__ import annotations

from aiohttp import web

from admin_api.web.chart import revenue_chart
from admin_api.web.filters import money
from admin_api.web.visit import Visit
from core.accounts.models import Role
from core.reports.models import Period

PERIOD_NAMES = {Period.TODAY: "Today", Period.WEEK: "Last 7 days", Period.MONTH: "Last 30 days"}


async def dashboard(visit: Visit) -> web.StreamResponse:
    figures = await visit.shop.reports.dashboard(visit.actor)
    asked = visit.request.query.get("period", Period.WEEK.value)
    chosen = Period(asked) if asked in {p.value for p in Period} else Period.WEEK
    chart = revenue_chart(
        [(day.day, day.revenue, day.orders) for day in figures.days],
        lambda amount: money(amount, figures.currency),
    )
    return visit.render(
        "dashboard.html",
        figures=figures,
        chart=chart,
        chosen=figures.period(chosen),
        period_names=PERIOD_NAMES,
        sees_products=visit.actor.role is Role.ADMIN,
    )
