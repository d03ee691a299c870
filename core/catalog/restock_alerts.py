"""Back in stock: a customer who asks on a sold-out product's card hears once when it has
stock again, through the notification queue and the notifier.

- **Subscribing** records ``(product, customer)`` in ``restock_subscriptions`` (unique) with
  the product's ``restockGeneration`` of that moment, only while the product is on sale and
  sold out. A subscription is a promise that its customer saw the product sold out.
  Subscribing fires too (below), so one recorded just as the product was restocked is
  heard of at once rather than at the next restock.
- **Firing** (``fire``) is the one guarded write on the product that records a restock:
  where the product is on sale, has stock, has subscribers and no fan-out is running, it
  bumps ``restockGeneration`` to ``g`` and opens the fan-out's journal
  (``restockFanOut: {generation, owner, leaseUntil}``). Every write that can give a
  product stock calls it after its own write: staff setting or adjusting stock (API, back
  office, import: ``Catalog.update``, also when a product comes back on sale), a cancelled
  or expired order's credit and a rolled-back checkout (``Stock``), a variant's stock
  (``Variants``), keys added to a key product's pool or put back (``KeyPool``).
  Concurrent callers: one finds no journal, so one fan-out per restock.
- **Fan-out**: the subscriptions older than ``g`` are the journal's to-do list. Batch by
  batch (``BATCH``, by ``_id``), it queues one notification per subscriber, id
  ``back_in_stock:<product>:<g>:<user>``, then deletes that batch's subscriptions: the
  alert ends them. A fan-out killed anywhere is taken over by recovery once its lease ran
  out and starts again from what is left; a batch queued twice is a duplicate-key no-op,
  so each subscriber is queued once per restock, and several processes never double it
  (a fan-out that lost its lease stops at its next batch). Customers who blocked the bot
  (or have no Telegram chat any more) are dropped: their subscription ends unsent.
  Closing the journal fires again: a product restocked, sold out and restocked during the
  fan-out, or a subscription that came in while it ran, is heard at once.
- **The race with orders** (``still_wanted``): just before sending, the notifier asks
  whether the product is still on sale with stock. If not (an order took the last unit
  again, staff archived it), the alert is dropped (state ``cancelled``) and the
  subscription is put back, at the product's current generation: the customer never hears
  "back in stock" about a product they cannot buy, and still hears at the next restock.
  What is left: an order between this check and Telegram accepting the message
  (milliseconds) still lets that one alert out.
- **Recovery** (``recover``) resumes fan-outs whose lease ran out and fires every product
  with subscribers that is available, or sold by variant (``fire`` looks at its variants):
  a process killed between a stock write and its ``fire``; a product whose category was
  shown again, which fires nothing by itself.

A product sold by variant (it has ``options``: ``core/catalog/variants/``) is in stock when
one of its variants on sale has stock; its own ``stock`` is not what customers buy. Its
variants' stock moves fire it too (``Stock`` for orders, ``Variants`` for staff's edits).

The customer's side of the subscription: ``watch``, ``unwatch``, ``is_watching``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from core.base import clock
from core.base.errors import Missing, NotFound
from core.base.ids import parse_id
from core.catalog.categories import ON_SALE
from core.messaging.models import BackInStockAlert, NoticeKind, SendState
from core.messaging.notifications import NotificationQueue, new_notification
from core.store import Store

BATCH = 500
"""Subscribers queued in one write."""
JOURNAL = "restockFanOut"
GENERATION = "restockGeneration"
SHELF = {"stock": 1, "options": 1}
"""What ``_in_stock`` reads of a product."""


class RestockAlerts:
    def __init__(self, store: Store, queue: NotificationQueue, lease: timedelta) -> None:
        self._products = store.products
        self._variants = store.variants
        self._subscriptions = store.restock_subscriptions
        self._users = store.users
        self._notifications = store.notifications
        self._queue = queue
        self._lease = lease

    async def watch(self, user_id: ObjectId, product_id: object) -> bool:
        """Ask to hear when the product is back: ``True`` once subscribed (again: no change),
        ``False`` if it is in stock now (nothing to wait for). A product customers cannot
        see is ``NotFound``."""
        oid = parse_id(product_id)
        product = await self._products.find_one({"_id": oid, **ON_SALE})
        if product is None:
            raise NotFound(Missing.PRODUCT)
        if await self._in_stock(product):
            return False
        await self._subscribe(user_id, oid, product.get(GENERATION, 0))
        return True

    async def unwatch(self, user_id: ObjectId, product_id: object) -> None:
        """No message after all: the subscription ends, and an alert already queued for
        it is dropped."""
        oid = parse_id(product_id)
        await self._subscriptions.delete_one({"productId": oid, "userId": user_id})
        product = await self._products.find_one({"_id": oid}, {GENERATION: 1})
        if product is not None and (generation := product.get(GENERATION)):
            await self._notifications.update_one(
                {"_id": _alert_id(oid, generation, user_id), "state": SendState.QUEUED.value},
                {"$set": {"state": SendState.CANCELLED.value, "lastError": "unsubscribed"}},
            )

    async def is_watching(self, user_id: ObjectId, product_id: ObjectId) -> bool:
        found = await self._subscriptions.find_one(
            {"productId": product_id, "userId": user_id}, {"_id": 1}
        )
        return found is not None

    async def fire(self, product_id: ObjectId) -> bool:
        """Record a restock and fan it out, if the product has stock and subscribers and
        no fan-out is running; whether this call fanned one out."""
        available = {"_id": product_id, **ON_SALE, JOURNAL: None}
        product = await self._products.find_one(available, {GENERATION: 1, **SHELF})
        if product is None or not await self._in_stock(product):
            return False
        if not product.get("options"):  # its own stock: the write checks it is still there
            available["stock"] = {"$gt": 0}
        if await self._subscriptions.find_one({"productId": product_id}, {"_id": 1}) is None:
            return False
        generation = product.get(GENERATION, 0) + 1
        owner = uuid.uuid4().hex
        journal = {"generation": generation, "owner": owner, "leaseUntil": self._lease_end()}
        opened = await self._products.update_one(
            {**available, GENERATION: product.get(GENERATION)},
            {"$set": {GENERATION: generation, JOURNAL: journal}},
        )
        if opened.modified_count == 0:
            return False  # another process fired first, or it sold out meanwhile
        await self._fan_out(product_id, generation, owner)
        return True

    async def still_wanted(self, alert: BackInStockAlert) -> bool:
        """Just before sending: is the product still on sale with stock? If not, the
        alert is dropped and the subscription put back (see the module's docstring)."""
        product = await self._products.find_one({"_id": alert.product_id, **ON_SALE}, SHELF)
        if product is not None and await self._in_stock(product):
            return True
        if alert.user_id is not None and (
            current := await self._products.find_one({"_id": alert.product_id}, {GENERATION: 1})
        ):
            await self._subscribe(alert.user_id, alert.product_id, current.get(GENERATION, 0))
        await self._queue.mark_cancelled(alert, "no longer in stock or on sale")
        return False

    async def recover(self, at: datetime | None = None) -> int:
        """Resume fan-outs whose lease ran out before ``at``, fire products with
        subscribers that have stock; how many fan-outs."""
        at = at or clock.now()
        recovered = 0
        while True:
            owner = uuid.uuid4().hex
            claimed = await self._products.find_one_and_update(
                {f"{JOURNAL}.leaseUntil": {"$lt": at}},
                {"$set": {f"{JOURNAL}.owner": owner, f"{JOURNAL}.leaseUntil": at + self._lease}},
                projection={JOURNAL: 1},
            )
            if claimed is None:
                break
            await self._fan_out(claimed["_id"], claimed[JOURNAL]["generation"], owner)
            recovered += 1
        waited_for = await self._subscriptions.distinct("productId")
        for start in range(0, len(waited_for), BATCH):  # ``$in`` by batches: core/store.py
            available = self._products.find(
                {
                    "_id": {"$in": waited_for[start : start + BATCH]},
                    **ON_SALE,
                    JOURNAL: None,
                    "$or": [{"stock": {"$gt": 0}}, {"options.0": {"$exists": True}}],
                },
                {"_id": 1},
            )
            for product in await available.to_list():
                recovered += await self.fire(product["_id"])
        return recovered

    async def _in_stock(self, product: dict[str, Any]) -> bool:
        """Whether customers can buy some of ``product`` (read with ``SHELF``) now: its own
        stock, or for one sold by variant, a variant's on sale."""
        if not product.get("options"):
            return bool(product["stock"] > 0)
        variant = {"productId": product["_id"], "active": True, "stock": {"$gt": 0}}
        return await self._variants.find_one(variant, {"_id": 1}) is not None

    async def _subscribe(self, user_id: ObjectId, product_id: ObjectId, generation: int) -> None:
        """Record the subscription (kept as it is if there is one), then fire: the product
        may have been restocked since it was read sold out."""
        await self._subscriptions.update_one(
            {"productId": product_id, "userId": user_id},
            {"$setOnInsert": {"generation": generation, "createdAt": clock.now()}},
            upsert=True,
        )
        await self.fire(product_id)

    async def _fan_out(self, product_id: ObjectId, generation: int, owner: str) -> None:
        product = await self._products.find_one({"_id": product_id}, {"name": 1})
        name = "" if product is None else product["name"]
        waiting = {"productId": product_id, "generation": {"$lt": generation}}
        while batch := await self._subscriptions.find(waiting).sort("_id", 1).to_list(BATCH):
            await self._queue.enqueue(await self._alerts(product_id, name, generation, batch))
            kept = await self._products.update_one(
                {"_id": product_id, f"{JOURNAL}.owner": owner},
                {"$set": {f"{JOURNAL}.leaseUntil": self._lease_end()}},
            )
            if kept.matched_count == 0:
                return  # recovery took it over: the new owner finishes
            done = [subscription["_id"] for subscription in batch]
            await self._subscriptions.delete_many({"_id": {"$in": done}})
        closed = await self._products.update_one(
            {"_id": product_id, f"{JOURNAL}.owner": owner}, {"$unset": {JOURNAL: ""}}
        )
        if closed.modified_count:
            await self.fire(product_id)  # restocked again, or subscribed, meanwhile

    async def _alerts(
        self, product_id: ObjectId, name: str, generation: int, batch: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """The batch's notifications, for the subscribers Telegram can reach. (Found by
        ``_id`` alone, which the embedded engine serves by its index; core/store.py.)"""
        users = self._users.find(
            {"_id": {"$in": [subscription["userId"] for subscription in batch]}},
            {"telegramId": 1, "language": 1, "active": 1, "telegramBlocked": 1},
        )
        return [
            new_notification(
                _alert_id(product_id, generation, user["_id"]),
                NoticeKind.BACK_IN_STOCK,
                user["telegramId"],
                user_id=user["_id"],
                language=user.get("language"),
                productId=product_id,
                productName=name,
                generation=generation,
            )
            async for user in users
            if "telegramId" in user
            and user.get("active", True)
            and not user.get("telegramBlocked", False)
        ]

    def _lease_end(self) -> datetime:
        return clock.now() + self._lease


def _alert_id(product_id: ObjectId, generation: int, user_id: ObjectId) -> str:
    """The notification of one subscriber for one restock: queued once, however often."""
    return f"{NoticeKind.BACK_IN_STOCK.value}:{product_id}:{generation}:{user_id}"
