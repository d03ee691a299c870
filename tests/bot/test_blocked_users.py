"""A user who blocked the bot gets no apology: Telegram would refuse it like the reply."""

from __future__ import annotations

import logging

import pytest

from bot.config import BotSettings
from core.shop import Shop
from sandbox import Sandbox, SandboxServer
from tests.bot.chat import Customer, handle_update


def _refused(sandbox: Sandbox) -> list[tuple[str, int, str | None]]:
    return [(c.method, c.status, c.description) for c in sandbox.calls if c.status >= 400]


async def test_a_user_who_blocked_the_bot_gets_no_apology(
    shop: Shop,
    bot_settings: BotSettings,
    sandbox_server: SandboxServer,
    customer: Customer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sandbox = sandbox_server.sandbox
    player, _ = await customer("Erin")
    sandbox.block(player.id)

    with caplog.at_level(logging.INFO):
        await handle_update(shop, bot_settings, sandbox, sandbox.user_sends(player.id, "/cart"))

    assert _refused(sandbox) == [("sendMessage", 403, "Forbidden: bot was blocked by the user")]
    assert [r.levelname for r in caplog.records if r.levelno >= logging.WARNING] == []
    [line] = [r for r in caplog.records if r.name == "bot.errors"]
    assert line.getMessage() == "no reply: Forbidden: bot was blocked by the user"
    assert vars(line)["chat_id"] == player.id
