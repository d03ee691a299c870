"""Orders and revenue by campaign (``core/campaigns``) over a period, counted as the
dashboard counts them (``core/reports/tallies.py``): one aggregation over the orders placed
in the period (served by the index on ``placed, createdAt``), one row per campaign (and one
for the orders of no campaign) comes back."""

from __future__ import annotations

from typing import Any

from core.accounts.access import Actor
from core.accounts.models import STAFF
from core.campaigns.commands import CampaignQuery
from core.campaigns.models import CampaignFigures, CampaignReport
from core.config import CoreSettings
from core.reports.tallies import REFUNDED, SALE, when
from core.store import Store

TALLIED = ("orders", "paid", "sales", "refunds")


class CampaignReports:
    def __init__(self, store: Store, settings: CoreSettings) -> None:
        self._orders = store.orders
        self._currency = settings.shop_currency

    async def figures(self, actor: Actor, query: CampaignQuery) -> CampaignReport:
        """For staff: each campaign's orders, customers, sales, refunds and revenue over the
        period, most revenue first, and the same for orders of no campaign."""
        actor.require(*STAFF)
        created: dict[str, Any] = {}
        if query.created_from is not None:
            created["$gte"] = query.created_from
        if query.created_to is not None:
            created["$lt"] = query.created_to
        pipeline: list[dict[str, Any]] = [
            {"$match": {"placed": True, **({"createdAt": created} if created else {})}},
            {  # per campaign and customer first: no list of customers held per campaign
                "$group": {
                    "_id": {"campaign": "$campaign", "customer": "$userId"},
                    "orders": {"$sum": 1},
                    "paid": when(SALE, 1),
                    "sales": when(SALE, "$totalAmount"),
                    "refunds": when(REFUNDED, "$totalAmount"),
                }
            },
            {
                "$group": {
                    "_id": "$_id.campaign",
                    "customers": {"$sum": 1},
                    **{name: {"$sum": f"${name}"} for name in TALLIED},
                }
            },
        ]
        rows = [_figures(row) async for row in await self._orders.aggregate(pipeline)]
        none = next((row for row in rows if row.campaign is None), _figures({"_id": None}))
        ranked = sorted(
            (row for row in rows if row.campaign is not None),
            key=lambda row: (-row.revenue, -row.orders, row.campaign or ""),
        )
        return CampaignReport(
            since=query.created_from,
            until=query.created_to,
            currency=self._currency,
            campaigns=tuple(ranked[: query.limit]),
            more=max(0, len(ranked) - query.limit),
            without_campaign=none,
        )


def _figures(row: dict[str, Any]) -> CampaignFigures:
    sales, refunds = row.get("sales", 0), row.get("refunds", 0)
    return CampaignFigures(
        campaign=row["_id"],
        orders=row.get("orders", 0),
        customers=row.get("customers", 0),
        paid_orders=row.get("paid", 0),
        sales=sales,
        refunds=refunds,
        revenue=sales - refunds,
    )
