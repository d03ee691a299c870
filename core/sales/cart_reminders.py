"""Cart reminders: a cart left untouched for ``CART_REMINDER_HOURS`` earns its customer one
reminder of what is in it, with a button back to it.

The cart's ``version`` (raised by every change of its lines, checkout's included) names its
contents. A scan (``queue_due``, run by every process's recovery loop, once a lease period)
finds carts that are not empty, not being checked out, untouched since the configured hours
and not yet examined at their current version (``remindedVersion``), and for each:

1. queues a ``cart_reminder`` notification whose id names the cart and its version, so
   however many processes scan at once, and however often a scan runs again after a
   crash, one reminder exists per contents (``insert_new`` leaves an existing one as it is);
2. records the version as examined (``remindedVersion``), guarded by the version, so the
   cart is not looked at again until it changes. A crash between 1 and 2 only means the
   next scan queues the same id again, which does nothing.

A customer who is deactivated, blocked the bot, has no Telegram account or turned reminders
off in /profile (``cartReminders: false``) gets none: their cart is recorded as examined
without one. Nothing is queued at night in the shop's time zone (outside
``CART_REMINDER_FROM_HOUR`` to ``CART_REMINDER_UNTIL_HOUR``): the first scan after the
morning queues what became due meanwhile.

The notifier asks ``recheck`` just before sending: a cart checked out, emptied or changed
since (a new version), a customer who opted out or was deactivated since, or reminders
turned off for the whole shop since (``CART_REMINDER_HOURS=0``), drops the
reminder (cancelled, never sent); one that reached a notifier after dark waits until the
morning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bson import ObjectId

from core.accounts.models import User
from core.base import clock
from core.config import CoreSettings
from core.messaging.models import CartReminder, NoticeKind
from core.messaging.notifications import NotificationQueue, new_notification
from core.promotions.cart_codes import CartCodes
from core.sales.carts import Carts
from core.sales.models import Cart
from core.store import Store


@dataclass(frozen=True)
class DayHours:
    """The hours of the day, in the shop's time zone, when reminders may go out."""

    zone: ZoneInfo
    start: int
    end: int

    def next_opening(self, at: datetime) -> datetime | None:
        """``None`` while ``at`` is within the hours; else when they next begin (UTC)."""
        local = at.astimezone(self.zone)
        if self.start <= local.hour < self.end:
            return None
        day = local.date() if local.hour < self.start else local.date() + timedelta(days=1)
        return datetime.combine(day, time(self.start), tzinfo=self.zone).astimezone(UTC)


@dataclass(frozen=True)
class Recheck:
    """What to do with a queued reminder now: send it (neither field set), drop it
    (``drop`` says why) or hold it until ``hold_until``."""

    drop: str | None = None
    hold_until: datetime | None = None


SEND = Recheck()


def reminder_id(cart_id: ObjectId, version: int) -> str:
    """The one notification id of a reminder of this cart's contents."""
    return f"{NoticeKind.CART_REMINDER.value}:{cart_id}:{version}"


class CartReminders:
    def __init__(
        self,
        store: Store,
        carts: Carts,
        codes: CartCodes,
        queue: NotificationQueue,
        settings: CoreSettings,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self._carts = store.carts
        self._users = store.users
        self._contents = carts
        self._codes = codes
        self._queue = queue
        hours = settings.cart_reminder_hours
        self._idle = timedelta(hours=hours) if hours else None
        self._hours = DayHours(
            settings.zone, settings.cart_reminder_from_hour, settings.cart_reminder_until_hour
        )
        self._now = now

    async def queue_due(self, at: datetime | None = None) -> int:
        """Queue a reminder for every cart due one at ``at`` (default: the clock's now);
        how many were queued (by this call or, concurrently, another)."""
        now = at or self._now()
        if self._idle is None or self._hours.next_opening(now) is not None:
            return 0
        due = {
            "updatedAt": {"$lte": now - self._idle},
            "products": {"$ne": []},
            "checkout": None,
            "$expr": {"$ne": [{"$ifNull": ["$remindedVersion", -1]}, "$version"]},
        }
        carts = await self._carts.find(due).to_list()
        if not carts:
            return 0
        ids = [cart["userId"] for cart in carts]
        users = {u["_id"]: u async for u in self._users.find({"_id": {"$in": ids}})}
        queued = 0
        for document in carts:
            user = users.get(document["userId"])
            if user is not None and _may_remind(user):
                queued += await self._queue_one(document, User.model_validate(user))
            await self._carts.update_one(
                {"_id": document["_id"], "version": document["version"]},
                {"$set": {"remindedVersion": document["version"]}},
            )
        return queued

    async def _queue_one(self, document: dict[str, Any], user: User) -> bool:
        cart = Cart.model_validate(document)
        view = await self._codes.quoted(await self._contents.view_of(cart))
        if view.is_empty or user.telegram_id is None:  # every product in it was deleted
            return False
        promo = view.promo if view.promo is not None and view.promo.problem is None else None
        lines = [
            {"name": item.name, "quantity": item.quantity, "lineTotal": item.line_total}
            for item in view.items
        ]
        notice = new_notification(
            reminder_id(document["_id"], cart.version),
            NoticeKind.CART_REMINDER,
            user.telegram_id,
            user_id=user.id,
            language=None if user.language is None else user.language.value,
            cartId=document["_id"],
            cartVersion=cart.version,
            lines=lines,
            totalAmount=view.total_amount,
            currency=view.currency,
            promoCode=None if promo is None else promo.code,
            discount=0 if promo is None else promo.discount,
        )
        await self._queue.enqueue([notice])
        return True

    async def recheck(self, notice: CartReminder, at: datetime | None = None) -> Recheck:
        """Whether ``notice`` may go out at ``at`` (default: the clock's now)."""
        if self._idle is None:  # queued before the shop set CART_REMINDER_HOURS=0
            return Recheck(drop="cart reminders are turned off")
        cart = await self._carts.find_one({"_id": notice.cart_id})
        if cart is None or not cart.get("products"):
            return Recheck(drop="the cart was emptied or checked out")
        if cart.get("version") != notice.cart_version or cart.get("checkout") is not None:
            return Recheck(drop="the cart changed or is being checked out")
        user = await self._users.find_one({"_id": notice.user_id})
        if user is None or not _may_remind(user):
            return Recheck(drop="the customer is gone, unreachable or turned reminders off")
        opening = self._hours.next_opening(at or self._now())
        return SEND if opening is None else Recheck(hold_until=opening)


def _may_remind(user: dict[str, Any]) -> bool:
    """Active, reachable in Telegram and not opted out."""
    return (
        user.get("active", True) is not False
        and user.get("telegramId") is not None
        and not user.get("telegramBlocked", False)
        and user.get("cartReminders", True) is not False
    )
