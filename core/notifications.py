"""Notifications to Telegram chats: an outbox relayed from orders, and delivery state.

How a status change reaches the customer exactly once:

1. The status write itself appends an entry to the order's ``outbox`` array, so no status
   change can exist without its notice (one single-document write).
2. ``relay`` turns each entry into a ``notifications`` document whose ``_id`` is derived
   from the order and its version, then pulls the entry. Inserting twice is a duplicate-key
   no-op, so a relay interrupted anywhere is simply run again (``relay_pending``).
3. A delivery worker ``claim``s a queued notification with a lease, sends it, and marks it
   ``sent``. A claim whose lease expired while ``sending`` is claimed again: the only way
   to send twice is a crash between Telegram accepting the message and ``mark_sent``.

Broadcast fan-out (``core/broadcasts.py``) writes into the same collection.
"""

from __future__ import annotations

import contextlib
import random
import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from bson import ObjectId
from pydantic import AliasChoices, Field
from pymongo.errors import BulkWriteError, DuplicateKeyError

from core import clock
from core.ids import Id
from core.models import Model, OrderStatus
from core.store import Store

RELAY_GRACE = timedelta(seconds=5)
MAX_BACKOFF = timedelta(minutes=10)


class NoticeKind(StrEnum):
    ORDER_STATUS = "order_status"
    NEW_ORDER = "new_order"
    BROADCAST = "broadcast"


class DeliveryState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


FINAL_STATES = frozenset(
    {DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.BLOCKED, DeliveryState.CANCELLED}
)


class Notification(Model):
    """One message for one chat. ``text`` is set for broadcasts; order notices carry data."""

    id: str = Field(validation_alias=AliasChoices("_id", "id"), serialization_alias="id")
    kind: NoticeKind
    chat_id: int
    state: DeliveryState
    attempts: int = 0
    user_id: Id | None = None
    order_id: Id | None = None
    order_number: int | None = None
    status: OrderStatus | None = None
    total_amount: int | None = None
    currency: str | None = None
    broadcast_id: Id | None = None
    text: str | None = None
    owner: str | None = None
    created_at: datetime


def outbox_entry(kind: NoticeKind, order_id: ObjectId, version: int) -> dict[str, Any]:
    """What a status write appends to ``orders.outbox``; its id names the notification."""
    return {"id": f"{kind.value}:{order_id}:{version}", "kind": kind.value, "at": clock.now()}


class Outbox:
    def __init__(self, store: Store, operator_chat_id: int | None, lease: timedelta) -> None:
        self._orders = store.orders
        self._users = store.users
        self._notifications = store.notifications
        self._pacing = store.pacing
        self.operator_chat_id = operator_chat_id
        self._lease = lease

    # -- recording -------------------------------------------------------------------------

    async def relay(self, order_id: ObjectId) -> None:
        """Turn the order's outbox entries into notifications, each exactly once."""
        order = await self._orders.find_one({"_id": order_id})
        if order is None or not order.get("outbox"):
            return
        for entry in order["outbox"]:
            notification = await self._notification_for(order, entry)
            if notification is not None:
                await self.enqueue([notification])
            await self._orders.update_one(
                {"_id": order_id}, {"$pull": {"outbox": {"id": entry["id"]}}}
            )

    async def relay_pending(self, at: datetime | None = None) -> int:
        """Relay every outbox entry older than a few seconds (those a crash left behind)."""
        before = (at or clock.now()) - RELAY_GRACE
        relayed = 0
        async for order in self._orders.find(
            {"outbox": {"$elemMatch": {"at": {"$lt": before}}}}, {"_id": 1}
        ):
            await self.relay(order["_id"])
            relayed += 1
        return relayed

    async def _notification_for(
        self, order: dict[str, Any], entry: dict[str, Any]
    ) -> dict[str, Any] | None:
        kind = NoticeKind(entry["kind"])
        if kind is NoticeKind.NEW_ORDER:
            chat_id = self.operator_chat_id
        else:
            customer = await self._users.find_one({"_id": order["userId"]}, {"telegramId": 1})
            chat_id = None if customer is None else customer.get("telegramId")
        if chat_id is None:
            return None  # nobody to tell on Telegram: a web-only customer, no operators' chat
        return new_notification(
            entry["id"],
            kind,
            chat_id,
            user_id=order["userId"],
            orderId=order["_id"],
            orderNumber=order["number"],
            status=order["status"],
            totalAmount=order["totalAmount"],
            currency=order["currency"],
        )

    async def enqueue(self, notifications: list[dict[str, Any]]) -> None:
        """Insert notifications; ones that already exist are left as they are."""
        if not notifications:
            return
        try:
            await self._notifications.insert_many(notifications, ordered=False)
        except BulkWriteError as error:
            if any(e["code"] != 11000 for e in error.details["writeErrors"]):
                raise

    # -- delivery --------------------------------------------------------------------------

    async def claim(self, at: datetime | None = None) -> Notification | None:
        """Lease the next due notification to the caller; ``None`` when nothing is due.

        Order notices go before broadcast messages. A notice whose sender's lease ran out
        while ``sending`` is due again (at-least-once; see the module's docstring).
        """
        now = at or clock.now()
        owner = uuid.uuid4().hex
        due = [
            {"state": DeliveryState.QUEUED.value, "dueAt": {"$lte": now}},
            {"state": DeliveryState.SENDING.value, "leaseUntil": {"$lt": now}},
        ]
        lease = {
            "$set": {
                "state": DeliveryState.SENDING.value,
                "owner": owner,
                "leaseUntil": now + self._lease,
            },
            "$inc": {"attempts": 1},
        }
        before = None
        for kinds in ({"$ne": NoticeKind.BROADCAST.value}, NoticeKind.BROADCAST.value):
            before = await self._notifications.find_one_and_update(
                {"kind": kinds, "$or": due}, lease
            )
            if before is not None:
                break
        if before is None:
            return None
        claimed = {**before, "state": DeliveryState.SENDING, "owner": owner}
        claimed["attempts"] = before.get("attempts", 0) + 1
        return Notification.model_validate(claimed)

    async def mark_sent(self, notification: Notification, message_id: int) -> bool:
        return await self._finish(
            notification, DeliveryState.SENT, {"messageId": message_id, "sentAt": clock.now()}
        )

    async def mark_blocked(self, notification: Notification, error: str) -> bool:
        """The chat blocked the bot: stop trying, and remember the user is unreachable."""
        if notification.user_id is not None and notification.kind is not NoticeKind.NEW_ORDER:
            await self._users.update_one(
                {"_id": notification.user_id}, {"$set": {"telegramBlocked": True}}
            )
        return await self._finish(notification, DeliveryState.BLOCKED, {"lastError": error})

    async def mark_failed(self, notification: Notification, error: str) -> bool:
        return await self._finish(notification, DeliveryState.FAILED, {"lastError": error})

    async def retry_later(
        self, notification: Notification, error: str, delay: timedelta | None = None
    ) -> bool:
        """Put it back in the queue: after ``delay`` (a 429's retry_after) or a backoff."""
        if delay is None:
            base = min(MAX_BACKOFF.total_seconds(), 2 ** min(notification.attempts, 10))
            delay = timedelta(seconds=base * random.uniform(0.5, 1.0))  # noqa: S311 - jitter
        result = await self._notifications.update_one(
            {"_id": notification.id, "owner": notification.owner},
            {
                "$set": {
                    "state": DeliveryState.QUEUED.value,
                    "dueAt": clock.now() + delay,
                    "lastError": error,
                },
                "$unset": {"owner": "", "leaseUntil": ""},
            },
        )
        return result.matched_count == 1

    async def _finish(
        self, notification: Notification, state: DeliveryState, fields: dict[str, Any]
    ) -> bool:
        result = await self._notifications.update_one(
            {"_id": notification.id, "owner": notification.owner},
            {"$set": {"state": state.value, **fields}, "$unset": {"leaseUntil": ""}},
        )
        return result.matched_count == 1

    async def is_reachable(self, notification: Notification) -> bool:
        if notification.user_id is None or notification.kind is NoticeKind.NEW_ORDER:
            return True
        user = await self._users.find_one({"_id": notification.user_id}, {"telegramBlocked": 1})
        return user is not None and not user.get("telegramBlocked", False)

    # -- pacing ----------------------------------------------------------------------------

    async def reserve_slot(self, key: str, interval: timedelta) -> datetime:
        """The moment at which the caller may send under ``key``'s rate (shared by workers).

        Slots are consecutive values of a counter moved with ``$inc`` (pre-image read), so
        any two are at least ``interval`` apart; an idle counter is first caught up to now.
        """
        now_ms = int(clock.now().timestamp() * 1000)
        step = max(1, round(interval.total_seconds() * 1000))
        with contextlib.suppress(DuplicateKeyError):  # made concurrently: just as good
            await self._pacing.update_one(
                {"_id": key}, {"$setOnInsert": {"next": now_ms}}, upsert=True
            )
        await self._pacing.update_one(
            {"_id": key, "next": {"$lt": now_ms}}, {"$set": {"next": now_ms}}
        )
        before = await self._pacing.find_one_and_update({"_id": key}, {"$inc": {"next": step}})
        assert before is not None
        return datetime.fromtimestamp(int(before["next"]) / 1000, tz=UTC)

    async def hold(self, key: str, until: datetime) -> None:
        """Give out no slot under ``key`` before ``until`` (Telegram said: retry after)."""
        until_ms = int(until.timestamp() * 1000)
        await self._pacing.update_one(
            {"_id": key, "next": {"$lt": until_ms}}, {"$set": {"next": until_ms}}, upsert=False
        )


def new_notification(
    notification_id: str, kind: NoticeKind, chat_id: int, *, user_id: Any = None, **fields: Any
) -> dict[str, Any]:
    """A queued notification document, due now."""
    now = clock.now()
    return {
        "_id": notification_id,
        "kind": kind.value,
        "chatId": chat_id,
        "userId": user_id,
        "state": DeliveryState.QUEUED.value,
        "attempts": 0,
        "dueAt": now,
        "createdAt": now,
        **fields,
    }
