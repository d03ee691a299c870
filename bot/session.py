"""The bot's HTTP session to the Bot API."""

from __future__ import annotations

from aiogram.client.session.aiohttp import AiohttpSession


class BotApiSession(AiohttpSession):
    """aiogram's session, closing at once when the Bot API is plain HTTP (the offline
    sandbox, a local ``telegram-bot-api``): aiogram waits 250 ms after every close for TLS
    connections to wind down, and over plain HTTP there are none."""

    async def close(self) -> None:
        if self.api.base.startswith("https://"):
            await super().close()
        elif self._session is not None and not self._session.closed:
            await self._session.close()
