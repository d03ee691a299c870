"""The payments adapter that gives Stars back: it executes core's refund jobs
(``core/sales/refund_jobs.py``) with refundStarPayment and reports each outcome to core, which
records the refund and queues the customer's notice. It decides nothing itself.

Telegram refunds a charge once: a retry after a lost answer or a crash is told
``CHARGE_ALREADY_REFUNDED``, which means done. A 429 or a 5xx or network error tries again
later; any other refusal fails the job, and the order stays ``refund_due`` for staff.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.jobs import keep_working
from bot.notifier.config import NotifierSettings
from core.sales.models import RefundJob
from core.sales.refund_jobs import StarRefunds
from core.shop import Shop

log = logging.getLogger(__name__)
ALREADY_REFUNDED = "CHARGE_ALREADY_REFUNDED"


class StarRefunder:
    def __init__(
        self, refunds: StarRefunds, bot: Bot, idle_seconds: float, max_attempts: int
    ) -> None:
        self._refunds = refunds
        self._bot = bot
        self._idle = idle_seconds
        self._max_attempts = max_attempts

    @classmethod
    def of(cls, shop: Shop, bot: Bot, settings: NotifierSettings) -> StarRefunder:
        """Beside the notifier, with its pace and patience."""
        idle, attempts = settings.notifier_idle_seconds, settings.notifier_max_attempts
        return cls(shop.refunds, bot, idle, attempts)

    async def run(self) -> None:
        """Execute due jobs until cancelled."""
        await keep_working(self._refunds.claim, self.refund, self._idle, "a Stars refund")

    async def refund(self, job: RefundJob) -> None:
        try:
            await self._bot.refund_star_payment(
                job.telegram_user_id, job.telegram_payment_charge_id
            )
        except TelegramRetryAfter as flood:
            pause = timedelta(seconds=flood.retry_after)
            await self._refunds.retry_later(job, flood.message, delay=pause)
        except (TelegramServerError, TelegramNetworkError) as failure:
            if job.attempts >= self._max_attempts:
                await self._refunds.failed(job, failure.message)
            else:
                await self._refunds.retry_later(job, failure.message)
        except TelegramBadRequest as refused:
            if ALREADY_REFUNDED in refused.message:
                await self._refunds.done(job)
            else:
                await self._refunds.failed(job, refused.message)
        except TelegramAPIError as refused:
            await self._refunds.failed(job, refused.message)
        else:
            await self._refunds.done(job)
