"""The dashboard: how the shop is doing today, this week and this month (see
``core/reports/models.py`` for what each figure counts).

Four reads, each served by an index on MongoDB (``core/store.py``):

1. one aggregation over the orders placed in the last 30 days (``placed, createdAt``): a
   ``$bucket`` per local day, cut at the midnights ``zoneinfo`` gives for the shop's time
   zone (a day of 23 or 25 hours is cut right), and the units and revenue of each product
   sold, per period, in a ``$facet``: at most 30 rows and 3 per product sold come back,
   whatever the number of orders; the 10 best sellers' names are then read by ``_id``;
2. the active products at or under their threshold;
3. one aggregation over the orders owing money back (``payment.state``,
   ``payment.extraCharges.state``);
4. the pending orders older than the payment window (``placed, status, createdAt``).
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
        days = [today - timedelta(days=back) for back in range(Period.MONTH.days - 1, -1, -1)]
        midnights = [local_midnight(day, self._zone) for day in [*days, today + timedelta(1)]]
        starts = {p: midnights[-1 - p.days] for p in Period}
        by_day, sold = await self._orders_placed(midnights, starts)
        best = await self._best_sellers(sold)
        return Dashboard(
            at=now,
            time_zone=self._zone.key,
            currency=self._currency,
            periods=tuple(
                _period(
                    p,
                    starts[p],
                    midnights[-1],
                    [by_day.get(d, {}) for d in days[-p.days :]],
                    best[p],
                )
                for p in Period
            ),
            days=tuple(
                DayFigures(
                    day=day,
                    orders=by_day.get(day, {}).get("orders", 0),
                    revenue=_revenue(by_day.get(day, {})),
                )
                for day in days
            ),
            low_stock=await self._low_stock(),
            refunds_due=await self._refunds_due(),
            overdue_pending=await self._overdue(now),
        )

    async def _orders_placed(
        self, midnights: list[datetime], starts: dict[Period, datetime]
    ) -> tuple[dict[date, dict[str, int]], list[dict[str, Any]]]:
        """In one aggregation over the orders of the last 30 days: per local day (cut at
        the midnights ``zoneinfo`` gives, so a day of 23 or 25 hours is cut right), orders
        in each status, paid orders, sales and refunds; and per product and period (today,
        the rest of the week, the rest of the month) the units and revenue sold."""
        figures = {
            "orders": {"$sum": 1},
            "paid": when(SALE, 1),
            "sales": when(SALE, "$totalAmount"),
            "refunds": when(REFUNDED, "$totalAmount"),
            **{_in(s): when({"$eq": ["$status", s.value]}, 1) for s in OrderStatus},
        }
        days = {"$bucket": {"groupBy": "$createdAt", "boundaries": midnights, "output": figures}}
        period = {
            "$cond": [
                {"$gte": ["$createdAt", starts[Period.TODAY]]},
                Period.TODAY.value,
                {
                    "$cond": [
                        {"$gte": ["$createdAt", starts[Period.WEEK]]},
                        Period.WEEK.value,
                        Period.MONTH.value,
                    ]
                },
            ]
        }
        products = [
            {"$match": {"status": {"$in": SOLD}}},
            {"$unwind": "$products"},
            {
                "$group": {
                    "_id": {"product": "$products.productId", "period": period},
                    "name": {"$max": "$products.name"},
                    "units": {"$sum": "$products.quantity"},
                    "revenue": {"$sum": "$products.lineTotal"},
                }
            },
        ]
        pipeline: list[dict[str, Any]] = [
            {"$match": {"placed": True, "createdAt": {"$gte": midnights[0], "$lt": midnights[-1]}}},
            {"$facet": {"days": [days], "products": products}},
        ]
        [result] = await (await self._orders.aggregate(pipeline)).to_list()
        by_day = {row["_id"].astimezone(self._zone).date(): row for row in result["days"]}
        return by_day, result["products"]

    async def _best_sellers(
        self, sold: list[dict[str, Any]]
    ) -> dict[Period, tuple[BestSeller, ...]]:
        """Each period's 10 products with the most units (then revenue) from ``sold``, named
        as the catalog names them now."""
        totals: dict[Period, dict[Any, list[int]]] = {p: {} for p in Period}
        lines: dict[Any, str] = {}
        for row in sold:
            product, reach = row["_id"]["product"], Period(row["_id"]["period"])
            lines[product] = row["name"]
            for period in Period:
                if period.days >= reach.days:
                    units, revenue = totals[period].setdefault(product, [0, 0])
                    totals[period][product] = [units + row["units"], revenue + row["revenue"]]
        top = {
            p: sorted(found.items(), key=lambda item: (-item[1][0], -item[1][1], str(item[0])))[
                :BEST_SELLERS
            ]
            for p, found in totals.items()
        }
        shown = {product for ranked in top.values() for product, _ in ranked}
        cursor = self._products.find({"_id": {"$in": list(shown)}}, {"name": 1})
        names = {**lines, **{document["_id"]: document["name"] async for document in cursor}}
        return {
            p: tuple(
                BestSeller(product_id=product, name=names[product], units=units, revenue=revenue)
                for product, (units, revenue) in ranked
            )
            for p, ranked in top.items()
        }

    async def _low_stock(self) -> tuple[LowStockProduct, ...]:
        threshold = {"$ifNull": ["$lowStockThreshold", self._threshold]}
        cursor = (
            self._products.find(
                # a product sold by variant does not sell its own stock (none is low)
                {
                    "active": True,
                    "options.0": {"$exists": False},
                    "$expr": {"$lte": ["$stock", threshold]},
                },
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


def _in(status: OrderStatus) -> str:
    """The name of a day's count of orders in ``status``."""
    return f"in_{status.value}"


def _revenue(day: dict[str, int]) -> int:
    return day.get("sales", 0) - day.get("refunds", 0)


def _period(
    period: Period,
    since: datetime,
    until: datetime,
    days: list[dict[str, int]],
    best: tuple[BestSeller, ...],
) -> PeriodFigures:
    """``period``'s figures from the figures of its ``days``."""

    def total(name: str) -> int:
        return sum(day.get(name, 0) for day in days)

    paid, sales, refunds = total("paid"), total("sales"), total("refunds")
    return PeriodFigures(
        period=period,
        since=since,
        until=until,
        orders=total("orders"),
        by_status={status: total(_in(status)) for status in OrderStatus},
        paid_orders=paid,
        sales=sales,
        refunds=refunds,
        revenue=sales - refunds,
        average_order=(2 * sales + paid) // (2 * paid) if paid else 0,  # half up
        best_sellers=best,
    )
