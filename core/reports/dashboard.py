"""The dashboard: how the shop is doing today, this week and this month (see
``core/reports/models.py`` for what each figure counts).

Four reads, each served by an index on MongoDB (``core/store.py``):

1. one aggregation over the orders placed in the last 30 days (``placed, createdAt``),
   grouped by local day and status, plus the best sellers of each period in a ``$facet``:
   at most 120 rows and 30 products come back, whatever the number of orders;
2. the active products at or under their threshold;
3. one aggregation over the orders owing money back (``payment.state``,
   ``payment.extraCharges.state``);
4. the pending orders older than the payment window (``placed, status, createdAt``).

Days are cut by ``$dateToString`` in the shop's time zone, in the database.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.accounts.access import Actor
from core.accounts.models import STAFF
from core.base import clock
from core.config import DEFAULT_PAYMENT_MINUTES, CoreSettings
from core.reports.models import (
    BestSeller,
    Dashboard,
    DayFigures,
    LowStockProduct,
    OverdueOrder,
    OverduePending,
    Period,
    PeriodFigures,
    RefundsDue,
)
from core.reports.tallies import REFUNDED, SALE, when
from core.sales.models import OrderStatus, PaymentState
from core.store import Store

BEST_SELLERS = 10
LOW_STOCK_LIMIT = 100
OVERDUE_SHOWN = 10
DAY_FORMAT = "%Y-%m-%d"
SOLD = [OrderStatus.PAID.value, OrderStatus.SHIPPED.value]
"""The orders whose lines count as sold."""
DUE = PaymentState.REFUND_DUE.value


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """When ``day`` begins in ``zone``."""
    return datetime.combine(day, time(), tzinfo=zone)


class Reports:
    def __init__(self, store: Store, settings: CoreSettings) -> None:
        self._orders = store.orders
        self._products = store.products
        self._zone = settings.zone
        self._currency = settings.shop_currency
        self._threshold = settings.low_stock_threshold
        window = settings.payment_window or timedelta(minutes=DEFAULT_PAYMENT_MINUTES)
        self._overdue_after = window

    async def dashboard(self, actor: Actor) -> Dashboard:
        """The dashboard as of now, for staff."""
        actor.require(*STAFF)
        now = clock.now().astimezone(self._zone)
        today = now.date()
        until = local_midnight(today + timedelta(days=1), self._zone)
        starts = {p: local_midnight(today - timedelta(days=p.days - 1), self._zone) for p in Period}
        rows, best = await self._orders_placed(starts, until)
        days = [today - timedelta(days=back) for back in range(Period.MONTH.days - 1, -1, -1)]
        return Dashboard(
            at=now,
            time_zone=self._zone.key,
            currency=self._currency,
            periods=tuple(
                _period(p, starts[p], until, rows, best[p.value], days[-p.days :]) for p in Period
            ),
            days=tuple(_day(day, rows) for day in days),
            low_stock=await self._low_stock(),
            refunds_due=await self._refunds_due(),
            overdue_pending=await self._overdue(now),
        )

    async def _orders_placed(
        self, starts: dict[Period, datetime], until: datetime
    ) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
        """Per local day and status: orders, paid orders, sales and refunds; and each
        period's best sellers."""
        day = {
            "$dateToString": {
                "format": DAY_FORMAT,
                "date": "$createdAt",
                "timezone": self._zone.key,
            }
        }
        figures = [
            {
                "$group": {
                    "_id": {"day": day, "status": "$status"},
                    "orders": {"$sum": 1},
                    "paid": when(SALE, 1),
                    "sales": when(SALE, "$totalAmount"),
                    "refunds": when(REFUNDED, "$totalAmount"),
                }
            }
        ]
        facets: dict[str, list[dict[str, Any]]] = {"days": figures}
        for period, since in starts.items():
            facets[period.value] = [
                {"$match": {"createdAt": {"$gte": since}, "status": {"$in": SOLD}}},
                {"$unwind": "$products"},
                {
                    "$group": {
                        "_id": "$products.productId",
                        "name": {"$last": "$products.name"},
                        "units": {"$sum": "$products.quantity"},
                        "revenue": {"$sum": "$products.lineTotal"},
                    }
                },
                {"$sort": {"units": -1, "revenue": -1, "_id": 1}},
                {"$limit": BEST_SELLERS},
            ]
        pipeline: list[dict[str, Any]] = [
            {
                "$match": {
                    "placed": True,
                    "createdAt": {"$gte": starts[Period.MONTH], "$lt": until},
                }
            },
            {"$sort": {"createdAt": 1}},  # the index's order: "$last" is the latest name
            {"$facet": facets},
        ]
        [result] = await (await self._orders.aggregate(pipeline)).to_list()
        return result["days"], {p.value: result[p.value] for p in Period}

    async def _low_stock(self) -> tuple[LowStockProduct, ...]:
        threshold = {"$ifNull": ["$lowStockThreshold", self._threshold]}
        cursor = (
            self._products.find(
                {"active": True, "$expr": {"$lte": ["$stock", threshold]}},
                {"name": 1, "stock": 1, "lowStockThreshold": 1},
            )
            .sort([("stock", 1), ("name", 1), ("_id", 1)])
            .limit(LOW_STOCK_LIMIT)
        )
        found = [
            LowStockProduct(
                product_id=document["_id"],
                name=document["name"],
                stock=document["stock"],
                threshold=_own_or(document.get("lowStockThreshold"), self._threshold),
            )
            async for document in cursor
        ]
        return tuple(found)

    async def _refunds_due(self) -> RefundsDue:
        owed_extras = {
            "$filter": {
                "input": {"$ifNull": ["$payment.extraCharges", []]},
                "as": "charge",
                "cond": {"$eq": ["$$charge.state", DUE]},
            }
        }
        main_due = {"$eq": ["$payment.state", DUE]}
        main_amount = {"$ifNull": ["$payment.amount", "$totalAmount"]}
        pipeline: list[dict[str, Any]] = [
            {
                "$match": {
                    "placed": True,
                    "$or": [{"payment.state": DUE}, {"payment.extraCharges.state": DUE}],
                }
            },
            {"$project": {"mainDue": main_due, "mainAmount": main_amount, "extras": owed_extras}},
            {
                "$group": {
                    "_id": None,
                    "orders": {"$sum": 1},
                    "charges": {
                        "$sum": {"$add": [{"$cond": ["$mainDue", 1, 0]}, {"$size": "$extras"}]}
                    },
                    "main": when("$mainDue", "$mainAmount"),
                    "extras": {"$sum": {"$sum": "$extras.amount"}},
                }
            },
        ]
        found = await (await self._orders.aggregate(pipeline)).to_list()
        if not found:
            return RefundsDue(orders=0, charges=0, amount=0)
        [due] = found
        return RefundsDue(
            orders=due["orders"], charges=due["charges"], amount=due["main"] + due["extras"]
        )

    async def _overdue(self, now: datetime) -> OverduePending:
        query = {
            "placed": True,
            "status": OrderStatus.PENDING.value,
            "createdAt": {"$lte": now - self._overdue_after},
        }
        oldest = (
            self._orders.find(query, {"number": 1, "createdAt": 1, "totalAmount": 1})
            .sort([("createdAt", 1), ("_id", 1)])
            .limit(OVERDUE_SHOWN)
        )
        shown = [
            OverdueOrder(
                order_id=document["_id"],
                number=document["number"],
                created_at=document["createdAt"].astimezone(self._zone),
                total_amount=document["totalAmount"],
            )
            async for document in oldest
        ]
        return OverduePending(
            older_than_minutes=int(self._overdue_after.total_seconds() // 60),
            orders=await self._orders.count_documents(query),
            oldest=tuple(shown),
        )


def _own_or(own: int | None, shop: int) -> int:
    return shop if own is None else own


def _period(
    period: Period,
    since: datetime,
    until: datetime,
    rows: list[dict[str, Any]],
    best: list[dict[str, Any]],
    days: list[date],
) -> PeriodFigures:
    """``period``'s figures from the rows of its ``days``."""
    wanted = {day.isoformat() for day in days}
    mine = [row for row in rows if row["_id"]["day"] in wanted]
    by_status = {status: 0 for status in OrderStatus}
    for row in mine:
        by_status[OrderStatus(row["_id"]["status"])] += row["orders"]
    paid = sum(row["paid"] for row in mine)
    sales = sum(row["sales"] for row in mine)
    refunds = sum(row["refunds"] for row in mine)
    return PeriodFigures(
        period=period,
        since=since,
        until=until,
        orders=sum(by_status.values()),
        by_status=by_status,
        paid_orders=paid,
        sales=sales,
        refunds=refunds,
        revenue=sales - refunds,
        average_order=(2 * sales + paid) // (2 * paid) if paid else 0,  # half up
        best_sellers=tuple(
            BestSeller(
                product_id=row["_id"], name=row["name"], units=row["units"], revenue=row["revenue"]
            )
            for row in best
        ),
    )


def _day(day: date, rows: list[dict[str, Any]]) -> DayFigures:
    mine = [row for row in rows if row["_id"]["day"] == day.isoformat()]
    return DayFigures(
        day=day,
        orders=sum(row["orders"] for row in mine),
        revenue=sum(row["sales"] - row["refunds"] for row in mine),
    )
