"""Notifications to Telegram chats and their send state: the notification queue.

Order notices arrive through the order outbox (``core/sales/outbox.py``), broadcast messages
through the fan-out (``core/messaging/broadcasts.py``); both are queued here. A notifier
``claim``s a queued notification with a lease, sends it, and marks it ``sent``. A claim
whose lease expired while ``sending`` is claimed again: the only way to send twice is a
crash between Telegram accepting the message and ``mark_sent``.

Each kind is its own class (``Notification``, a union told apart by ``kind``). Documents
are stored flat, each kind's fields beside ``kind``, as before the kinds had classes, so
notifications queued by an earlier version are read as they are. The one kind that is
gone, ``star_refund`` (the notifier used to refund Stars itself), becomes a refund job at
startup (``StarRefunds.adopt_old_notices`` in ``core/sales/refunds.py``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from core.base import clock
from core.base.backoff import backoff
from core.messaging.models import (
    NOTIFICATION,
    ORDER_CARDS,
    BaseNotification,
    NoticeKind,
    Notification,
    SendState,
)
from core.store import Store, insert_new


class NotificationQueue:
    """Notifications waiting for, or done with, a notifier."""

    def __init__(self, store: Store, lease: timedelta) -> None:
        self._users = store.users
        self._notifications = store.notifications
        self._lease = lease

    async def enqueue(self, notifications: list[dict[str, Any]]) -> None:
        """Insert notifications; ones that already exist are left as they are."""
        await insert_new(self._notifications, notifications)

    async def claim(self, at: datetime | None = None) -> Notification | None:
        """Lease the next due notification to the caller; ``None`` when nothing is due.

        Order notices go before broadcast messages. A notice whose sender's lease ran out
        while ``sending`` is due again (at-least-once; see the module's docstring).
        """
        now = at or clock.now()
        owner = uuid.uuid4().hex
        due = [
            {"state": SendState.QUEUED.value, "dueAt": {"$lte": now}},
            {"state": SendState.SENDING.value, "leaseUntil": {"$lt": now}},
        ]
        lease = {
            "$set": {
                "state": SendState.SENDING.value,
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
        claimed = {**before, "state": SendState.SENDING, "owner": owner}
        claimed["attempts"] = before.get("attempts", 0) + 1
        return NOTIFICATION.validate_python(claimed)

    async def mark_sent(self, notification: BaseNotification, message_id: int) -> bool:
        return await self._finish(
            notification, SendState.SENT, {"messageId": message_id, "sentAt": clock.now()}
        )

    async def mark_blocked(self, notification: BaseNotification, error: str) -> bool:
        """The chat blocked the bot: stop trying, and remember the user is unreachable."""
        if notification.user_id is not None and notification.kind not in ORDER_CARDS:
            await self._users.update_one(
                {"_id": notification.user_id}, {"$set": {"telegramBlocked": True}}
            )
        return await self._finish(notification, SendState.BLOCKED, {"lastError": error})

    async def mark_failed(self, notification: BaseNotification, error: str) -> bool:
        return await self._finish(notification, SendState.FAILED, {"lastError": error})

    async def mark_cancelled(self, notification: BaseNotification, reason: str) -> bool:
        """Not to be sent after all (a cart reminder whose cart changed meanwhile, a restock
        alert for a product sold out again)."""
        return await self._finish(notification, SendState.CANCELLED, {"lastError": reason})

    async def retry_later(
        self, notification: BaseNotification, error: str, delay: timedelta | None = None
    ) -> bool:
        """Put it back in the queue: after ``delay`` (a 429's retry_after) or a backoff."""
        if delay is None:
            delay = backoff(notification.attempts)
        result = await self._notifications.update_one(
            {"_id": notification.id, "owner": notification.owner},
            {
                "$set": {
                    "state": SendState.QUEUED.value,
                    "dueAt": clock.now() + delay,
                    "lastError": error,
                },
                "$unset": {"owner": "", "leaseUntil": ""},
            },
        )
        return result.matched_count == 1

    async def _finish(
        self, notification: BaseNotification, state: SendState, fields: dict[str, Any]
    ) -> bool:
        result = await self._notifications.update_one(
            {"_id": notification.id, "owner": notification.owner},
            {"$set": {"state": state.value, **fields}, "$unset": {"leaseUntil": ""}},
        )
        return result.matched_count == 1

    async def is_reachable(self, notification: BaseNotification) -> bool:
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
        "state": SendState.QUEUED.value,
        "attempts": 0,
        "dueAt": now,
        "createdAt": now,
        **fields,
    }
