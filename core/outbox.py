"""The order outbox: how a status change reaches its notification exactly once.

1. The status write itself appends an entry to the order's ``outbox`` array, so no status
   change can exist without its notice (one single-document write).
2. ``relay`` turns each entry into a ``notifications`` document whose ``_id`` is derived
   from the order and its version, then pulls the entry. Inserting twice is a duplicate-key
   no-op, so a relay interrupted anywhere is simply run again (``relay_pending``).
3. Delivery workers take it from there (``core/notifications.py``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from core import clock
from core.notifications import NoticeKind, NotificationQueue, new_notification
from core.store import Store

RELAY_GRACE = timedelta(seconds=5)


def outbox_entry(kind: NoticeKind, order_id: ObjectId, version: int) -> dict[str, Any]:
    """What a status write appends to ``orders.outbox``; its id names the notification."""
    return {"id": f"{kind.value}:{order_id}:{version}", "kind": kind.value, "at": clock.now()}


class Outbox:
    def __init__(
        self, store: Store, queue: NotificationQueue, operator_chat_id: int | None
    ) -> None:
        self._orders = store.orders
        self._users = store.users
        self._queue = queue
        self.operator_chat_id = operator_chat_id

    def new_order_notices(self, order_id: ObjectId) -> list[dict[str, Any]]:
        """The outbox of a newly placed order: the operators' notice, if there is a chat."""
        if self.operator_chat_id is None:
            return []
        return [outbox_entry(NoticeKind.NEW_ORDER, order_id, 0)]

    async def relay(self, order: ObjectId | dict[str, Any]) -> None:
        """Turn the order's outbox entries into notifications, each exactly once.

        Pass the order document just written to save reading it again.
        """
        if isinstance(order, ObjectId):
            found = await self._orders.find_one({"_id": order})
            if found is None:
                return
            order = found
        entries = order.get("outbox") or []
        notifications = [
            notification
            for entry in entries
            if (notification := await self._notification_for(order, entry)) is not None
        ]
        await self._queue.enqueue(notifications)
        if entries:
            await self._orders.update_one(
                {"_id": order["_id"]},
                {"$pull": {"outbox": {"id": {"$in": [entry["id"] for entry in entries]}}}},
            )

    async def relay_pending(self, at: datetime | None = None) -> int:
        """Relay every outbox entry older than a few seconds (those a crash left behind)."""
        before = (at or clock.now()) - RELAY_GRACE
        relayed = 0
        async for order in self._orders.find({"outbox": {"$elemMatch": {"at": {"$lt": before}}}}):
            await self.relay(order)
            relayed += 1
        return relayed

    async def _notification_for(
        self, order: dict[str, Any], entry: dict[str, Any]
    ) -> dict[str, Any] | None:
        kind = NoticeKind(entry["kind"])
        language = None  # the operators' chat hears the bot's default language
        if kind is NoticeKind.NEW_ORDER:
            chat_id = self.operator_chat_id
        else:
            customer = await self._users.find_one(
                {"_id": order["userId"]}, {"telegramId": 1, "language": 1}
            )
            customer = customer or {}
            chat_id, language = customer.get("telegramId"), customer.get("language")
        if chat_id is None:
            return None  # nobody to tell on Telegram: a web-only customer, no operators' chat
        return new_notification(
            entry["id"],
            kind,
            chat_id,
            user_id=order["userId"],
            language=language,
            orderId=order["_id"],
            orderNumber=order["number"],
            status=order["status"],
            totalAmount=order["totalAmount"],
            currency=order["currency"],
            delivery=order.get("delivery") if kind is NoticeKind.NEW_ORDER else None,
        )
