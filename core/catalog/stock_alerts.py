"""Low stock: operators hear once per crossing when orders take a product's stock to or
below its threshold (the product's ``lowStockThreshold``, else the shop's
``LOW_STOCK_THRESHOLD``), not on every order.

The product carries a ``lowStock`` flag and, like an order, an ``outbox``:

1. fire: when a placed order keeps its stock for good (``Stock.release``, part of
   checkout's settling, which recovery finishes after a crash), one guarded write per line
   drops the order's mark and, only where the stock is at or below the threshold and the
   flag is unset, sets the flag and appends the alert to the outbox. Orders crossing at
   the same moment: one write finds the flag unset, so one alert; a line already released
   (a settling run again) fires nothing;
2. relay: the outbox entry becomes a notification to the operators, the same chats as
   the order cards (``OPERATOR_CHAT_ID``, else each active staff member's private chat,
   ``Outbox.operator_chats``), whose id names the product and the order (queued once,
   however often the relay runs), then is pulled;
3. re-arm: once the stock is above the threshold again (a restock, a cancellation, a
   rolled-back checkout) a guarded write clears the flag, so the next crossing is heard.

Recovery relays outbox entries a crash left behind and re-arms flagged products whose
stock is above their threshold (a crash between a restock and its re-arm).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId

from core.base import clock
from core.messaging.models import NoticeKind
from core.messaging.notifications import NotificationQueue, new_notification
from core.sales.outbox import RELAY_GRACE, Outbox
from core.store import Store


class StockAlerts:
    def __init__(
        self,
        store: Store,
        queue: NotificationQueue,
        threshold: int,
        outbox: Outbox,
    ) -> None:
        self._products = store.products
        self._queue = queue
        self._threshold = threshold
        self._outbox = outbox

    def threshold_of(self, product: dict[str, Any]) -> int:
        own = product.get("lowStockThreshold")
        return self._threshold if own is None else int(own)

    async def release(self, order_id: ObjectId, product_id: ObjectId) -> None:
        """Keep the order's stock of this product for good, alerting if it crossed."""
        not_crossing = [
            {"lowStock": True},  # operators already know
            {"$expr": {"$gt": ["$stock", {"$ifNull": ["$lowStockThreshold", self._threshold]}]}},
        ]
        kept = await self._products.update_one(  # most lines: in one write
            {"_id": product_id, "reservedBy": order_id, "$or": not_crossing},
            {"$pull": {"reservedBy": order_id}},
        )
        if kept.matched_count:
            return
        product = await self._products.find_one({"_id": product_id, "reservedBy": order_id})
        if product is None:
            return  # released before
        alert = f"{NoticeKind.LOW_STOCK.value}:{product_id}:{order_id}"
        entries = [{"id": alert, "kind": NoticeKind.LOW_STOCK.value, "at": clock.now()}]
        fired = await self._products.update_one(
            {
                "_id": product_id,
                "reservedBy": order_id,
                "lowStock": {"$ne": True},
                "lowStockThreshold": product.get("lowStockThreshold"),
                "stock": {"$lte": self.threshold_of(product)},
            },
            {
                "$pull": {"reservedBy": order_id},
                "$set": {"lowStock": True},
                "$push": {"outbox": {"$each": entries}},
            },
        )
        if fired.modified_count == 0:  # not low, or operators already know
            unmark = {"$pull": {"reservedBy": order_id}}
            await self._products.update_one({"_id": product_id}, unmark)
        else:
            await self.relay(product_id)

    async def rearm(self, product_id: ObjectId) -> bool:
        """Clear the flag if the product's stock is above its threshold again."""
        product = await self._products.find_one({"_id": product_id, "lowStock": True})
        if product is None:
            return False
        rearmed = await self._products.update_one(
            {
                "_id": product_id,
                "lowStock": True,
                "lowStockThreshold": product.get("lowStockThreshold"),
                "stock": {"$gt": self.threshold_of(product)},
            },
            {"$set": {"lowStock": False}},
        )
        return rearmed.modified_count == 1

    async def relay(self, product_id: ObjectId) -> None:
        """Turn the product's outbox entries into notifications, each exactly once."""
        product = await self._products.find_one({"_id": product_id})
        entries = [] if product is None else product.get("outbox") or []
        if product is None or not entries:
            return
        await self._queue.enqueue(
            [
                new_notification(
                    notification_id,
                    NoticeKind.LOW_STOCK,
                    chat_id,
                    language=language,
                    productId=product_id,
                    productName=product["name"],
                    stock=product["stock"],
                    threshold=self.threshold_of(product),
                )
                for entry in entries
                for notification_id, chat_id, language in await self._outbox.operator_chats(
                    entry["id"]
                )
            ]
        )
        await self._products.update_one(
            {"_id": product_id},
            {"$pull": {"outbox": {"id": {"$in": [entry["id"] for entry in entries]}}}},
        )

    async def recover(self, at: datetime | None = None) -> int:
        """Relay alerts a crash left in an outbox, re-arm products restocked meanwhile;
        how many of both."""
        before = (at or clock.now()) - RELAY_GRACE
        recovered = 0
        stale = {"outbox": {"$elemMatch": {"at": {"$lt": before}}}}
        async for product in self._products.find(stale, {"_id": 1}):
            await self.relay(product["_id"])
            recovered += 1
        async for product in self._products.find({"lowStock": True}, {"_id": 1}):
            recovered += await self.rearm(product["_id"])
        return recovered
