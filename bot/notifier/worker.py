"""Claims notifications from the queue and sends them within Telegram's limits.

Each send waits for two slots handed out by the database: one for the chat (1 per second)
and one for the whole bot (30 per second), so any number of workers together keep both
limits on average; a window over this worker's own sends absorbs timing jitter.
Telegram's answer decides what happens next:

- ok: marked sent (the only step after the send; see ``core/messaging/notifications.py`` for the
  window in which a crash right here can repeat a message);
- 429: every sender of every worker holds off for ``retry_after``, then it is retried;
- 403 (blocked, deactivated): marked blocked, the customer is marked unreachable;
- other 4xx (chat not found, bad text): marked failed, never retried;
- 5xx and network errors: retried with exponential backoff and jitter, up to a limit.

A back-in-stock alert is checked just before its send: a product sold out again (or taken
off sale) by then is not announced (``core/catalog/restock_alerts.py``).

Each blocked or failed notice is logged at warning level with its reason, its id, kind and
chat id (nothing else about the customer).

The notifier only sends: Stars refunds are jobs of their own (``bot/refunder.py``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.utils.i18n import I18n

from bot.goods import send_goods
from bot.i18n import load_catalogs
from bot.jobs import keep_working
from bot.notifier.config import NotifierSettings
from bot.notifier.messages import Now, render
from core.accounts.access import SYSTEM
from core.accounts.models import Language
from core.base import clock
from core.base.errors import Missing, NotFound
from core.catalog.restock_alerts import RestockAlerts
from core.digital.delivery import Deliveries
from core.digital.models import LineGoods
from core.messaging.models import (
    BackInStockAlert,
    BaseNotification,
    CartReminder,
    GoodsNotice,
    OrderCard,
)
from core.messaging.notifications import NotificationQueue
from core.messaging.pacing import SendPacing
from core.sales.cart_reminders import CartReminders
from core.sales.desk import StaffDesk
from core.shop import Shop

log = logging.getLogger(__name__)
BOT_RATE_KEY = "bot"


class SendWindow:
    """At most ``limit`` sends in any ``window`` (plus a margin), by this process's clock.

    The database's slots space sends evenly across workers; arrival times still jitter
    (a late wake-up here, a slow answer there), and two sends that land closer than their
    slots would trip Telegram's own window. This guard waits such a send out instead.
    """

    def __init__(self, limit: int, window: float = 1.0, margin: float = 0.025) -> None:
        self._limit = max(1, limit)
        self._span = window + margin
        self._sent: deque[float] = deque()
        self._resume_at = 0.0
        self._lock = asyncio.Lock()

    def hold(self, seconds: float) -> None:
        """Let no send through for ``seconds`` (Telegram answered 429: retry after)."""
        self._resume_at = max(self._resume_at, time.monotonic() + seconds)

    async def turn(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                if now < self._resume_at:
                    await asyncio.sleep(self._resume_at - now)
                    continue
                while self._sent and self._sent[0] <= now - self._span:
                    self._sent.popleft()
                if len(self._sent) < self._limit:
                    self._sent.append(now)
                    return
                await asyncio.sleep(self._sent[0] + self._span - now)


def slot_interval(per_second: float) -> timedelta:
    """Slot spacing for a rate, rounded up to whole milliseconds so it never exceeds it."""
    return timedelta(milliseconds=math.ceil(1000 / per_second))


async def _sleep_until(moment: datetime) -> None:
    await asyncio.sleep(max(0.0, (moment - clock.now()).total_seconds()))


class Notifier:
    def __init__(
        self,
        queue: NotificationQueue,
        pacing: SendPacing,
        staff: StaffDesk,
        bot: Bot,
        settings: NotifierSettings,
        lease: timedelta,
        i18n: I18n,
        reminders: CartReminders,
        restock: RestockAlerts,
        deliveries: Deliveries | None = None,
    ) -> None:
        """``deliveries``: where a goods notice's keys and file are read (none: such
        notices fail)."""
        self._deliveries = deliveries
        self._queue = queue
        self._reminders = reminders
        self._restock = restock
        self._i18n = i18n
        self._pacing = pacing
        self._staff = staff
        self._bot = bot
        self._settings = settings
        self._lease = lease
        self._bot_interval = slot_interval(settings.telegram_messages_per_second)
        self._chat_interval = slot_interval(settings.telegram_chat_messages_per_second)
        self._window = SendWindow(math.floor(settings.telegram_messages_per_second))

    @classmethod
    def of(
        cls, shop: Shop, bot: Bot, settings: NotifierSettings, default_language: Language
    ) -> Notifier:
        """A worker for ``shop``; notices with no language go out in ``default_language``."""
        lease = timedelta(seconds=shop.settings.lease_seconds)
        i18n = load_catalogs(default_language)
        return cls(
            shop.notifications,
            shop.pacing,
            shop.staff,
            bot,
            settings,
            lease,
            i18n,
            shop.cart_reminders,
            shop.restock_alerts,
            shop.deliveries,
        )

    async def run(self) -> None:
        """Send until cancelled, with ``NOTIFIER_SENDERS`` concurrent senders."""
        await asyncio.gather(*(self._sender() for _ in range(self._settings.notifier_senders)))

    async def _sender(self) -> None:
        idle = self._settings.notifier_idle_seconds
        await keep_working(self._queue.claim, self.deliver, idle, "sending a notice")

    async def deliver(self, notice: BaseNotification) -> None:
        if not await self._queue.is_reachable(notice):
            await self._blocked(notice, "the customer blocked the bot earlier")
            return
        if isinstance(notice, CartReminder) and not await self._still_due(notice):
            return
        chat_slot = await self._pacing.reserve_slot(f"chat:{notice.chat_id}", self._chat_interval)
        if chat_slot - clock.now() > self._lease / 2:  # a busy chat: wait in the queue instead
            await self._queue.retry_later(notice, "chat rate", delay=chat_slot - clock.now())
            return
        await _sleep_until(chat_slot)
        await _sleep_until(await self._pacing.reserve_slot(BOT_RATE_KEY, self._bot_interval))
        await self._window.turn()
        card: Now = None
        try:
            if isinstance(notice, OrderCard):  # the order as it is now, not as it was then
                card = await self._staff.view(SYSTEM, notice.order_id)
            elif isinstance(notice, GoodsNotice):  # its keys, read (and unsealed) only now
                if self._deliveries is None:
                    raise NotFound(Missing.GOODS)
                card = await self._deliveries.line_goods(notice)
        except NotFound as missing:
            gone = "the order no longer exists" if isinstance(notice, OrderCard) else None
            await self._failed(notice, gone or missing.message)
            return
        if isinstance(notice, BackInStockAlert) and not await self._restock.still_wanted(notice):
            return  # sold out again (or off sale) by now: dropped, the customer still waits
        text, markup = render(notice, self._i18n, card)
        try:
            if isinstance(card, LineGoods) and self._deliveries is not None:
                files = self._deliveries.files
                sent = await send_goods(self._bot, files, notice.chat_id, card, text)
            else:
                sent = await self._bot.send_message(notice.chat_id, text, reply_markup=markup)
        except TelegramRetryAfter as flood:
            pause = timedelta(seconds=flood.retry_after)
            self._window.hold(flood.retry_after)
            await self._pacing.hold(BOT_RATE_KEY, clock.now() + pause)
            await self._queue.retry_later(notice, flood.message, delay=pause)
        except TelegramForbiddenError as refused:
            await self._blocked(notice, refused.message)
        except (TelegramServerError, TelegramNetworkError) as failure:
            if notice.attempts >= self._settings.notifier_max_attempts:
                await self._failed(notice, failure.message)
            else:
                await self._queue.retry_later(notice, failure.message)
        except (TelegramBadRequest, TelegramAPIError) as rejected:
            await self._failed(notice, rejected.message)
        else:
            await self._queue.mark_sent(notice, sent.message_id)

    async def _still_due(self, notice: CartReminder) -> bool:
        """A cart reminder goes out only for the cart as it was queued, and not at night."""
        verdict = await self._reminders.recheck(notice)
        if verdict.drop is not None:
            await self._queue.mark_cancelled(notice, verdict.drop)
            log.info("cart reminder dropped: %s", verdict.drop, extra=_about(notice))
            return False
        if verdict.hold_until is not None:
            delay = verdict.hold_until - clock.now()
            await self._queue.retry_later(notice, "night in the shop's time zone", delay=delay)
            return False
        return True

    async def _blocked(self, notice: BaseNotification, reason: str) -> None:
        await self._queue.mark_blocked(notice, reason)
        log.warning("notice blocked: %s", reason, extra=_about(notice))

    async def _failed(self, notice: BaseNotification, reason: str) -> None:
        await self._queue.mark_failed(notice, reason)
        log.warning("notice failed: %s", reason, extra=_about(notice))


def _about(notice: BaseNotification) -> dict[str, object]:
    """What a log line says about a notice: no text, no name, only the chat's id."""
    return {"notice_id": notice.id, "kind": notice.kind.value, "chat_id": notice.chat_id}
