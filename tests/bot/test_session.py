"""The bot's session to the Bot API closes at once over plain HTTP, and waits for TLS
connections to wind down (as aiogram does) over HTTPS."""

from __future__ import annotations

import asyncio

import pytest

from bot.bootstrap import create_bot
from bot.config import BotSettings
from sandbox import DEFAULT_TOKEN


@pytest.mark.parametrize(
    ("base_url", "waits"),
    [("http://127.0.0.1:8082", []), ("https://api.example.org", [0.25]), (None, [0.25])],
)
async def test_closing_waits_only_for_tls(
    base_url: str | None, waits: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = BotSettings(_env_file=None, bot_token=DEFAULT_TOKEN, bot_api_base_url=base_url)
    bot = create_bot(settings)
    http = await bot.session.create_session()  # type: ignore[attr-defined]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    await bot.session.close()

    assert http.closed
    assert slept == waits
