"""The bot's HTTP session to the Bot API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.metrics import count_request

if TYPE_CHECKING:
    from aiogram import Bot


class BotApiSession(AiohttpSession):
    """aiogram's session, counting every request by method and result (``bot/metrics.py``:
    each try of a retried one too), and closing at once when the Bot API is plain HTTP (the
    offline sandbox, a local ``telegram-bot-api``): aiogram waits 250 ms after every close
    for TLS connections to wind down, and over plain HTTP there are none."""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        try:
            return await super().make_request(bot, method, timeout)
        except TelegramNetworkError:
            count_request(method.__api_method__, None)
            raise

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        count_request(method.__api_method__, status_code)
        return super().check_response(bot, method, status_code, content)

    async def close(self) -> None:
        if self.api.base.startswith("https://"):
            await super().close()
        elif self._session is not None and not self._session.closed:
            await self._session.close()
