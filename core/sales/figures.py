"""Orders, payments, refunds and the order outbox in figures, read from the database, so
every process reads the same whatever ran before (a metrics endpoint, say). Each figure
is one count or one read that an index of ``core/store.py`` serves."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from core.base import clock
from core.sales.models import JobState, OrderStatus, PaymentMethod, PaymentState, SalesCounts
from core.store import Store

EVER_PAID = [PaymentState.PAID.value, PaymentState.REFUND_DUE.value, PaymentState.REFUNDED.value]
"""An order in one of these payment states was paid, whatever happened since."""


def _in_state(state: PaymentState) -> dict[str, Any]:
    """Orders whose payment, or a payment beyond it, is in ``state``."""
    return {"$or": [{"payment.state": state.value}, {"payment.extraCharges.state": state.value}]}


def _seconds_since(moment: datetime | None, now: datetime) -> float:
    """0 for no moment; never below 0 (another process's clock may run ahead)."""
    return 0.0 if moment is None else max(0.0, (now - moment).total_seconds())


class SalesFigures:
    def __init__(self, store: Store) -> None:
        self._orders = store.orders
        self._refunds = store.refunds

    async def read(self, at: datetime | None = None) -> SalesCounts:
        now = at or clock.now()
        count = self._orders.count_documents
        statuses, methods, jobs = list(OrderStatus), list(PaymentMethod), list(JobState)
        paid = {"payment.state": {"$in": EVER_PAID}}
        orders, payments, refund_jobs, refunds, oldest = await asyncio.gather(
            asyncio.gather(*(count({"placed": True, "status": s.value}) for s in statuses)),
            asyncio.gather(*(count({**paid, "payment.method": m.value}) for m in methods)),
            asyncio.gather(*(self._refunds.count_documents({"state": j.value}) for j in jobs)),
            asyncio.gather(
                count({"placed": True, **_in_state(PaymentState.REFUND_DUE)}),
                count(_in_state(PaymentState.REFUNDED)),
            ),
            self._oldest_outbox_entry(),
        )
        refunds_due, refunded = refunds
        return SalesCounts(
            orders=dict(zip(statuses, orders, strict=True)),
            payments=dict(zip(methods, payments, strict=True)),
            refunds_due=refunds_due,
            refunded=refunded,
            refund_jobs=dict(zip(jobs, refund_jobs, strict=True)),
            outbox_oldest_seconds=_seconds_since(oldest, now),
        )

    async def _oldest_outbox_entry(self) -> datetime | None:
        """When the oldest outbox entry was written (the sparse ``outbox.at`` index sorts
        orders by their oldest entry)."""
        order = await self._orders.find_one(
            {"outbox.at": {"$exists": True}}, {"outbox.at": 1}, sort=[("outbox.at", 1)]
        )
        if order is None:
            return None
        oldest: datetime = min(entry["at"] for entry in order["outbox"])
        return oldest
