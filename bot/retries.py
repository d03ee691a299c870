"""Replies survive Telegram's hiccups: the one place where a Bot API request goes again.

- 429 (flood control): wait ``retry_after``, then go again, so a throttled reply (an order
  confirmation, say) is late rather than lost;
- 5xx and network errors: go again after a short backoff (0.2 s, 0.4 s, 0.8 s, 1.6 s, each
  with jitter), so a brief outage is invisible to the customer.

After ``attempts`` tries the last error is raised. A request whose answer was lost after
Telegram carried it out (a timeout) is sent again, so a message can rarely repeat: better
than a lost reply (see docs/bot.md). The notifier does not use this: it reschedules
through the notification queue instead (``bot/notifier/worker.py``).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[object]]
ATTEMPTS = 5
FIRST_BACKOFF_SECONDS = 0.2


def backoff(retry: int, first: float = FIRST_BACKOFF_SECONDS) -> float:
    """Seconds to wait before retry number ``retry`` (from 1): doubling, with jitter."""
    return float(first * 2 ** (retry - 1) * random.uniform(0.75, 1.0))  # noqa: S311 - jitter


class RetryRequests(BaseRequestMiddleware):
    """Session middleware; ``sleep`` is injectable so that tests need not wait."""

    def __init__(self, attempts: int = ATTEMPTS, sleep: Sleep = asyncio.sleep) -> None:
        self._attempts = attempts
        self._sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        for retry in range(1, self._attempts):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as flood:
                log.warning("flood control: waiting %ss", flood.retry_after)
                await self._sleep(flood.retry_after)
            except (TelegramServerError, TelegramNetworkError) as failure:
                delay = backoff(retry)
                log.warning(
                    "%s failed (%s); retrying in %.2fs", method.__api_method__, failure, delay
                )
                await self._sleep(delay)
        return await make_request(bot, method)
