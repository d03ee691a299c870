"""No ``BOT_TOKEN``: the bot talks to an offline Bot API sandbox served in this process,
so the shop can be tried without Telegram (see docs/bot.md). An ``OPERATOR_CHAT_ID``
group is made in the sandbox, for the chat page's users to join.

The sandbox keeps its users and chats in memory only, while the shop's accounts stay linked
to Telegram ids: new users of a restarted sandbox get ids above every one the shop knows,
so that none is taken for an old account."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from pydantic import SecretStr

from bot.config import BotMode, BotSettings
from core.config import ConfigError
from sandbox import DEFAULT_TOKEN, Sandbox, SandboxServer

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def telegram_for(
    settings: BotSettings, operator_chat_id: int | None = None, known_user_id: int | None = None
) -> AsyncIterator[BotSettings]:
    """``settings`` unchanged when a token is set; else settings for a sandbox served on
    ``SANDBOX_PORT`` for the duration of the block, with the operators' group in it when
    ``operator_chat_id`` names one (a negative id), whose new users get ids above
    ``known_user_id`` (the highest Telegram id the shop knows)."""
    if settings.bot_token is not None:
        yield settings
        return
    sandbox = Sandbox(first_user_id=max(1000, known_user_id or 0) + 1)
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
            "%s -m sandbox.chat --url %s",
            server.url,
            _python(),
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


def _python() -> str:
    """This interpreter as one types it in the current directory: ``.venv/bin/python`` under
    ``./run``, where a bare ``python`` is the system's, without the shop's packages."""
    executable = Path(sys.executable)
    with contextlib.suppress(ValueError):
        return str(executable.relative_to(Path.cwd()))
    return str(executable)
