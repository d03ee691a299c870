"""The order outbox: how a status change reaches its notification exactly once.

1. The status write itself appends an entry to the order's ``outbox`` array, so no status
   change can exist without its notice (one single-document write).
2. ``relay`` turns each entry into a ``notifications`` document whose ``_id`` is derived
   from the order and its version, then pulls the entry. Inserting twice is a duplicate-key
   no-op, so a relay interrupted anywhere is simply run again (``relay_pending``).
3. Notifiers take it from there (``core/messaging/notifications.py``). A ``star_refund`` entry
   becomes a refund job instead (``core/sales/refund_jobs.py``), the same way.

A new order's entry, and a payment's, go to the operators as order cards: the
``OPERATOR_CHAT_ID`` chat (a group, say), or without one, the private chat of every active
staff member with a Telegram account, as they are when the entry is relayed. Each such
notification's id adds the chat to the entry's, so relaying again still queues each once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from core.accounts.models import STAFF
from core.base import clock
from core.messaging.models import ORDER_CARDS, NoticeKind
from core.messaging.notifications import NotificationQueue, new_notification
from core.sales.refund_jobs import STAR_REFUND, refund_job
from core.store import Store, insert_new

RELAY_GRACE = timedelta(seconds=5)
EntryHandler = Callable[[dict[str, Any], dict[str, Any]], Awaitable[list[dict[str, Any]]]]
"""Turns an outbox entry of its kind into notifications, doing its work first (the
digital goods' delivery, ``core/digital/delivery.py``); run again until it succeeds."""


def outbox_entry(
    kind: str, order_id: ObjectId, version: int | str, **fields: Any
) -> dict[str, Any]:
    """What a write appends to ``orders.outbox``: a notice, or a refund job (``kind``
    ``star_refund``); its id, unique by the order's ``version`` (or a charge id), names
    what it becomes.

    ``fields`` go into the notification or job as they are (a payment's charge id and amount).
    """
    entry = {"id": f"{kind}:{order_id}:{version}", "kind": str(kind), "at": clock.now()}
    return {**entry, "fields": fields} if fields else entry


class Outbox:
    def __init__(
        self, store: Store, queue: NotificationQueue, operator_chat_id: int | None
    ) -> None:
        self._orders = store.orders
        self._users = store.users
        self._refunds = store.refunds
        self._queue = queue
        self.operator_chat_id = operator_chat_id
        self.handlers: dict[str, EntryHandler] = {}
        """Entry kinds handled elsewhere, registered by ``Shop.build``."""

    def new_order_notices(self, order_id: ObjectId) -> list[dict[str, Any]]:
        """The outbox of a newly placed order: the operators' new-order card."""
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
        if pull := await self.queue(order):
            await self._orders.update_one({"_id": order["_id"]}, pull)

    async def queue(self, order: dict[str, Any]) -> dict[str, Any]:
        """The first half of ``relay``: queue the notifications of the order's outbox
        entries; the update that pulls the entries (empty without any), for the caller to
        send, or to merge into a write of its own."""
        entries = order.get("outbox") or []
        notifications, jobs = [], []
        for entry in entries:
            if entry["kind"] == STAR_REFUND:
                jobs += await self._refund_jobs(order, entry)
            elif handler := self.handlers.get(entry["kind"]):
                notifications += await handler(order, entry)
            else:
                notifications += await self._notices(order, entry)
        await insert_new(self._refunds, jobs)
        await self._queue.enqueue(notifications)
        if not entries:
            return {}
        return {"$pull": {"outbox": {"id": {"$in": [entry["id"] for entry in entries]}}}}

    async def relay_pending(self, at: datetime | None = None) -> int:
        """Relay every outbox entry older than a few seconds (those a crash left behind)."""
        before = (at or clock.now()) - RELAY_GRACE
        relayed = 0
        async for order in self._orders.find({"outbox": {"$elemMatch": {"at": {"$lt": before}}}}):
            await self.relay(order)
            relayed += 1
        return relayed

    async def _refund_jobs(
        self, order: dict[str, Any], entry: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The Stars refund the entry asks for, to the customer who paid (none for a
        customer without Telegram, who cannot have paid in Stars)."""
        chat_id, _ = await self._customer_chat(order)
        if chat_id is None:
            return []
        return [refund_job(entry["id"], order["_id"], chat_id, entry["fields"])]

    async def _customer_chat(self, order: dict[str, Any]) -> tuple[int | None, str | None]:
        """The customer's Telegram chat and language, if they have one."""
        customer = await self._users.find_one(
            {"_id": order["userId"]}, {"telegramId": 1, "language": 1}
        )
        customer = customer or {}
        return customer.get("telegramId"), customer.get("language")

    async def _notices(self, order: dict[str, Any], entry: dict[str, Any]) -> list[dict[str, Any]]:
        """The entry's notifications: the customer's, or the operators' (none when there is
        nobody to tell on Telegram: a web-only customer, no operators' chat or staff)."""
        kind = NoticeKind(entry["kind"])
        if kind in ORDER_CARDS:
            chats = await self.operator_chats(entry["id"])
        else:
            chat_id, language = await self._customer_chat(order)
            chats = [] if chat_id is None else [(entry["id"], chat_id, language)]
        return [
            new_notification(
                notification_id,
                kind,
                chat_id,
                user_id=order["userId"],
                language=language,
                orderId=order["_id"],
                orderNumber=order["number"],
                status=order["status"],
                **{
                    "totalAmount": order["totalAmount"],
                    "currency": order["currency"],
                    **entry.get("fields", {}),
                },
            )
            for notification_id, chat_id, language in chats
        ]

    async def operator_chats(self, entry_id: str) -> list[tuple[str, int, str | None]]:
        """``(notification id, chat, language)`` for the operators' chat (in the bot's
        default language), or each staff member's (in theirs)."""
        if self.operator_chat_id is not None:
            return [(entry_id, self.operator_chat_id, None)]
        staff = self._users.find(
            {
                "role": {"$in": [role.value for role in STAFF]},
                "active": {"$ne": False},
                "telegramId": {"$exists": True},
            },
            {"telegramId": 1, "language": 1},
        )
        return [
            (f"{entry_id}:{user['telegramId']}", user["telegramId"], user.get("language"))
            async for user in staff
        ]
