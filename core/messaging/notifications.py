"""Notifications to Telegram chats and their delivery state.

Order notices arrive through the order outbox (``core/sales/outbox.py``), broadcast messages
through the fan-out (``core/messaging/broadcasts.py``); both are queued here. A delivery worker
``claim``s a queued notification with a lease, sends it, and marks it ``sent``. A claim
whose lease expired while ``sending`` is claimed again: the only way to send twice is a
crash between Telegram accepting the message and ``mark_sent``.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import AliasChoices, Field
from pymongo.errors import BulkWriteError

from core.accounts.models import Language
from core.base import clock
from core.base.ids import Id
from core.base.models import Model
from core.sales.models import OrderStatus
from core.store import Store

MAX_BACKOFF = timedelta(minutes=10)


class NoticeKind(StrEnum):
    ORDER_STATUS = "order_status"
    NEW_ORDER = "new_order"
    BROADCAST = "broadcast"
    ORDER_EXPIRED = "order_expired"
    """An unpaid order cancelled by the shop after ``ORDER_PAYMENT_MINUTES``."""
    LATE_PAYMENT = "late_payment"
    """A payment for an order cancelled or paid already: it is owed back."""
    STAR_REFUND = "star_refund"
    """Refund a Stars charge (refundStarPayment), then tell the customer."""
    LOW_STOCK = "low_stock"
    PAYMENT_RECEIVED = "payment_received"
    """Operators: Telegram took money for an order (to be refunded if not needed)."""


ORDER_CARDS = frozenset({NoticeKind.NEW_ORDER, NoticeKind.PAYMENT_RECEIVED})
"""Notices for the operators that show the order as a card with its status buttons."""


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
    """One message for one chat. ``text`` is set for broadcasts; order notices carry data.
    ``language`` is the customer's when it was queued (none: the bot's default)."""

    id: str = Field(validation_alias=AliasChoices("_id", "id"), serialization_alias="id")
    kind: NoticeKind
    chat_id: int
    state: DeliveryState
    attempts: int = 0
    user_id: Id | None = None
    language: Language | None = None
    order_id: Id | None = None
    order_number: int | None = None
    status: OrderStatus | None = None
    total_amount: int | None = None
    currency: str | None = None
    broadcast_id: Id | None = None
    telegram_payment_charge_id: str | None = None
    product_id: Id | None = None
    product_name: str | None = None
    stock: int | None = None
    threshold: int | None = None
    text: str | None = None
    formatted: bool = False
    owner: str | None = None
    created_at: datetime


class NotificationQueue:
    """Notifications waiting for, or done with, a delivery worker."""

    def __init__(self, store: Store, lease: timedelta) -> None:
        self._users = store.users
        self._notifications = store.notifications
        self._lease = lease

    async def enqueue(self, notifications: list[dict[str, Any]]) -> None:
        """Insert notifications; ones that already exist are left as they are."""
        if not notifications:
            return
        try:
            await self._notifications.insert_many(notifications, ordered=False)
        except BulkWriteError as error:
            if any(e["code"] != 11000 for e in error.details["writeErrors"]):
                raise

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
        if notification.user_id is not None and notification.kind not in ORDER_CARDS:
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
        if notification.user_id is None or notification.kind in ORDER_CARDS:
            return True
        user = await self._users.find_one({"_id": notification.user_id}, {"telegramBlocked": 1})
        return user is not None and not user.get("telegramBlocked", False)


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
