"""Orders and revenue by campaign, for staff (``core/reports/campaigns.py``)."""

from __future__ import annotations

from aiohttp import web

from admin_api.contract import Call
from admin_api.payloads import respond
from core.campaigns.commands import CampaignQuery


async def campaign_figures(call: Call[None, CampaignQuery]) -> web.Response:
    """Each campaign's orders placed in `[from, to)` (either end may be left out), the
    customers who placed them, sales, refunds and revenue (sales less refunds, counted as the
    dashboard counts), most revenue first; and the same for orders of no campaign. A
    customer's campaign is that of the last campaign link (`t.me/<bot>?start=c-<campaign>`)
    they followed before ordering. Amounts in minor units of `currency`."""
    return respond(await call.shop.campaign_reports.figures(call.actor, call.query))
