"""A process killed at a write, for tests of crash recovery: the store's collections are
wrapped so that the N-th write raises instead of running, as if the process died right
there. A write can also be held back (a process stalled past its lease)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from core.catalog.restock_alerts import RestockAlerts
from core.catalog.stock import Stock
from core.catalog.stock_alerts import StockAlerts
from core.messaging.notifications import NotificationQueue
from core.sales.carts import Carts
from core.sales.checkout import Checkout
from core.sales.outbox import Outbox
from core.shop import Shop
from core.store import Store

WRITES = {"insert_one", "insert_many", "update_one", "find_one_and_update", "delete_one"}
BULK_WRITES = {"update_many", "delete_many"}
"""Writes that only ``dying_store(..., bulk=True)`` counts (older tests number the rest)."""
LEASE = timedelta(seconds=60)


class Killed(Exception):
    """The process 'died' before this write."""


class WriteBudget:
    """``writes`` writes, then death; the write numbered ``stall_at`` (from 0) first waits
    for ``resume`` (``stalled`` is set meanwhile)."""

    def __init__(self, writes: int, stall_at: int | None = None) -> None:
        self.left = writes
        self.done = 0
        self.stall_at = stall_at
        self.stalled = asyncio.Event()
        self.resume = asyncio.Event()

    async def spend(self) -> None:
        if self.done == self.stall_at:
            self.stalled.set()
            await self.resume.wait()
        if self.left == 0:
            raise Killed()
        self.left -= 1
        self.done += 1


class DyingCollection:
    def __init__(self, inner: Any, budget: WriteBudget, writes: set[str] = WRITES) -> None:
        self._inner = inner
        self._budget = budget
        self._writes = writes
        self.before_first_write: Callable[[], Awaitable[object]] | None = None

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name not in self._writes:
            return attribute

        async def write(*args: Any, **kwargs: Any) -> Any:
            await self._budget.spend()
            if meddle := self.before_first_write:
                self.before_first_write = None
                await meddle()
            return await attribute(*args, **kwargs)

        return write


def dying_store(store: Store, writes: int | WriteBudget, *, bulk: bool = False) -> Store:
    """``store`` dying after ``writes``; ``bulk``: ``update_many`` and ``delete_many`` count."""
    budget = writes if isinstance(writes, WriteBudget) else WriteBudget(writes)
    counted = WRITES | BULK_WRITES if bulk else WRITES
    return Store(*(DyingCollection(c, budget, counted) for c in vars(store).values()))  # type: ignore[arg-type]


def stock_on(store: Store) -> Stock:
    queue = NotificationQueue(store, LEASE)
    alerts = StockAlerts(store, queue, 5, Outbox(store, queue, None))
    return Stock(store, alerts, RestockAlerts(store, queue, LEASE))


def checkout_on(shop: Shop, store: Store) -> Checkout:
    carts = Carts(store, shop.catalog)
    outbox = Outbox(store, NotificationQueue(store, LEASE), None)
    return Checkout(store, shop.catalog, carts, shop.delivery, outbox, stock_on(store), LEASE)


async def run_until_killed(action: Callable[[], Awaitable[object]]) -> bool:
    try:
        await action()
    except Killed:
        return True
    return False
