"""No ``BOT_TOKEN``: the bot talks to an offline Bot API sandbox served in this process,
so the shop can be tried without Telegram (see docs/bot.md). An ``OPERATOR_CHAT_ID``
group is made in the sandbox, for the chat page's users to join."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from pydantic import SecretStr

from bot.config import BotMode, BotSettings
from core.config import ConfigError
from sandbox import DEFAULT_TOKEN, Sandbox, SandboxServer

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def telegram_for(
    settings: BotSettings, operator_chat_id: int | None = None
) -> AsyncIterator[BotSettings]:
    """``settings`` unchanged when a token is set; else settings for a sandbox served on
    ``SANDBOX_PORT`` for the duration of the block, with the operators' group in it when
    ``operator_chat_id`` names one (a negative id)."""
    if settings.bot_token is not None:
        yield settings
        return
    sandbox = Sandbox()
    if operator_chat_id is not None and operator_chat_id < 0:
        sandbox.add_group("Operators", [], chat_id=operator_chat_id)
    server = SandboxServer(sandbox, port=settings.sandbox_port)
    try:
        await server.start()
    except OSError as error:
        raise ConfigError(
            f"cannot serve the offline sandbox on port {settings.sandbox_port}: "
            f"{error.strerror} (set SANDBOX_PORT, or BOT_TOKEN for the real Telegram)"
        ) from None
    try:
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # every long poll
        log.warning(
            "BOT_TOKEN is not set: the bot runs on the offline sandbox at %s; chat with it: "
            "python -m sandbox.chat --url %s --user-id 1001",
            server.url,
            server.url,
        )
        yield settings.model_copy(
            update={
                "bot_token": SecretStr(DEFAULT_TOKEN),
                "bot_api_base_url": server.url,
                "bot_mode": BotMode.POLLING,
            }
        )
    finally:
        await server.stop()
