"""Runtime configuration: webhook mode with its secret token, settings validation, and
replies that survive Telegram's flood control, 5xx and network errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import aiohttp
import pytest
from aiohttp import web

from bot.bootstrap import create_bot, create_dispatcher
from bot.config import BotSettings
from bot.webhook import build_webhook_app
from core.config import ConfigError, load
from core.shop import Shop
from sandbox import FakeUser, SandboxServer
from sandbox.testing import polling
from tests.bot.chat import Customer, RunBot, make_bot_settings
from tests.factories import NewProduct
from tests.processes import free_port

SECRET = "s3cret_token-for-tests"


async def test_webhook_mode_answers_and_checks_the_secret(
    shop: Shop,
    sandbox_server: SandboxServer,
    make_user: Callable[..., FakeUser],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    settings = make_bot_settings(
        sandbox_server,
        bot_mode="webhook",
        webhook_url=url,
        webhook_secret=SECRET,
        webhook_port=port,
    )
    bot = create_bot(settings)
    runner = web.AppRunner(build_webhook_app(create_dispatcher(shop, settings), bot, settings))
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.webhook_host, port).start()
        assert sandbox_server.sandbox.webhook.url == url
        [registered] = [r for r in caplog.records if r.name == "bot.webhook"]
        assert registered.getMessage() == "webhook registered: Telegram posts updates there"
        assert registered.__dict__["url"] == url
        reply = await make_user("Alice").send("/start")
        assert reply is not None and "What name" in (reply.text or "")

        calls = len(sandbox_server.sandbox.calls)
        mallory = {"id": 5, "is_bot": False, "first_name": "Mallory"}
        message = {"message_id": 1, "date": 0, "text": "/start", "from": mallory}
        start = {"update_id": 10**6, "message": {**message, "chat": {"id": 5, "type": "private"}}}
        async with aiohttp.ClientSession() as client:
            forged = await client.post(
                url, json=start, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            )
            unsigned = await client.post(url, json=start)
        assert (forged.status, unsigned.status) == (401, 401)
        assert len(sandbox_server.sandbox.calls) == calls  # neither was handled: no reply
    finally:
        await runner.cleanup()
    # Other processes may serve the same URL: stopping one must not cut them off.
    assert sandbox_server.sandbox.webhook.url == url


def test_webhook_mode_needs_a_public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_MODE", "webhook")
    monkeypatch.delenv("WEBHOOK_URL", raising=False)
    with pytest.raises(ConfigError, match="WEBHOOK_URL is required when BOT_MODE is webhook"):
        load(BotSettings)


@pytest.mark.parametrize(
    "url", ["http://shop.example.com/telegram/webhook", "https://shop.example.com:8080/hook"]
)
def test_a_webhook_url_telegram_would_refuse_is_a_configuration_error(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_MODE", "webhook")
    monkeypatch.setenv("WEBHOOK_URL", url)
    monkeypatch.delenv("BOT_API_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="WEBHOOK_URL must be an https:// URL on port 443, 80"):
        load(BotSettings)
    for accepted in ("https://shop.example.com/telegram/webhook", "https://shop.example:8443/h"):
        monkeypatch.setenv("WEBHOOK_URL", accepted)
        assert load(BotSettings).webhook_url == accepted
    # Polling does not use it; a local Bot API server (or the sandbox) posts to any URL.
    monkeypatch.setenv("WEBHOOK_URL", url)
    monkeypatch.setenv("BOT_MODE", "polling")
    assert load(BotSettings).webhook_url == url
    monkeypatch.setenv("BOT_MODE", "webhook")
    monkeypatch.setenv("BOT_API_BASE_URL", "http://127.0.0.1:8081")
    assert load(BotSettings).webhook_url == url


def test_defaults_poll_telegram_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BOT_TOKEN", "BOT_MODE", "BOT_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = BotSettings(_env_file=None)
    assert (settings.bot_token, settings.bot_mode, settings.bot_api_base_url) == (
        None,
        "polling",
        None,
    )


async def test_polling_says_so_when_it_starts(
    run_bot: RunBot, make_user: Callable[..., FakeUser], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with run_bot():
        reply = await make_user("Alice").send("/start")
    assert reply is not None
    started = [r.getMessage() for r in caplog.records if r.name == "bot.polling"]
    assert started == ["polling Telegram for updates"]


async def test_replies_wait_out_flood_control(
    customer: Customer, sandbox_server: SandboxServer, running_bot: None
) -> None:
    alice, _ = await customer("Alice")
    await alice.send("/help")
    sandbox_server.sandbox.faults.fail(1, status=429, retry_after=1, methods=["sendMessage"])
    late = await alice.send("/start")

    assert late is not None and late.text == "Hello, Alice! What would you like to do?"
    throttled = [call for call in sandbox_server.sandbox.calls if call.status == 429]
    assert len(throttled) == 1


class InstantSleep:
    """Records the waits the bot asks for and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


async def test_replies_survive_telegram_5xx_and_network_errors(
    shop: Shop,
    bot_settings: BotSettings,
    sandbox_server: SandboxServer,
    customer: Customer,
    new_product: NewProduct,
) -> None:
    sandbox = sandbox_server.sandbox
    await new_product("Tea")
    alice, _ = await customer("Alice")
    sleep = InstantSleep()
    bot = create_bot(bot_settings, sleep=sleep)

    async with polling(create_dispatcher(shop, bot_settings), bot, sandbox):
        sandbox.faults.fail(3, status=500)
        catalog = await alice.send("/catalog")
        sandbox.faults.fail(2, drop=True)  # the connection closes without an answer
        cart = await alice.send("/cart")

    assert catalog is not None and catalog.button("Tea · $4.50 · in stock") is not None
    assert cart is not None and "Your cart is empty" in (cart.text or "")
    assert "went wrong" not in alice.transcript()
    assert [c.status for c in sandbox.calls if c.status != 200] == [500] * 5
    # Five short waits, each longer than the one before: about 0.2, 0.4, 0.8 s, then the
    # drops at 0.2 and 0.4 s again.
    assert len(sleep.waits) == 5 and all(0 < wait < 1 for wait in sleep.waits)
    assert sleep.waits[0] < sleep.waits[1] < sleep.waits[2] and sleep.waits[3] < sleep.waits[4]
