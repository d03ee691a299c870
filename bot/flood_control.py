"""Telegram's flood control: a request answered 429 waits ``retry_after`` and goes again,
so a throttled reply (an order confirmation, say) is late rather than lost."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)
ATTEMPTS = 3


class WaitOutFloodControl(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        for _ in range(ATTEMPTS - 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as flood:
                log.warning("flood control: waiting %ss", flood.retry_after)
                await asyncio.sleep(flood.retry_after)
        return await make_request(bot, method)
