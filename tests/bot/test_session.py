"""Bots close their session to the Bot API at once over plain HTTP (the sandbox), and wait
for TLS connections to wind down (as aiogram does) over HTTPS."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from aiogram import Bot

from bot.bootstrap import create_bot
from bot.config import BotSettings
from sandbox import DEFAULT_TOKEN, SandboxServer
from sandbox.testing import make_bot


def shop_bot(base_url: str | None) -> Bot:
    return create_bot(
        BotSettings(_env_file=None, bot_token=DEFAULT_TOKEN, bot_api_base_url=base_url)
    )


@pytest.mark.parametrize(
    ("bot_of", "waits"),
    [
        (lambda server: shop_bot("http://127.0.0.1:8082"), []),
        (lambda server: shop_bot("https://api.example.org"), [0.25]),
        (lambda server: shop_bot(None), [0.25]),  # Telegram's own
        (make_bot, []),  # the sandbox's, for bots tested against it
    ],
    ids=["shop over http", "shop over https", "shop on telegram", "sandbox.testing.make_bot"],
)
async def test_closing_waits_only_for_tls(
    bot_of: Callable[[SandboxServer], Bot],
    waits: list[float],
    sandbox_server: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bot = bot_of(sandbox_server)
    http = await bot.session.create_session()  # type: ignore[attr-defined]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    await bot.session.close()

    assert http.closed
    assert slept == waits
