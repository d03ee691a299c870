"""Webhook mode: an aiohttp server Telegram posts updates to, checking the secret token.

An update is answered (200) only once it was handled, so Telegram sends it again if the
process dies meanwhile, or if handling fails (a 500); handlers are idempotent.

Several bot processes can serve one ``WEBHOOK_URL`` behind a load balancer: each sets the
same URL and secret at startup, and none deletes the webhook when it stops (that would cut
off the others; polling mode deletes it when it starts).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.config import BotSettings
from core.config import ConfigError

log = logging.getLogger(__name__)


def build_webhook_app(dispatcher: Dispatcher, bot: Bot, settings: BotSettings) -> web.Application:
    """The app serving ``WEBHOOK_PATH``; at startup it registers ``WEBHOOK_URL`` with Telegram
    together with the secret token (see ``webhook_secret``)."""
    if not settings.webhook_url:
        raise ValueError("WEBHOOK_URL is not set")
    url = settings.webhook_url
    secret = webhook_secret(settings)

    async def register_webhook(bot: Bot) -> None:
        try:
            await bot.set_webhook(
                url, secret_token=secret, allowed_updates=dispatcher.resolve_used_update_types()
            )
        except TelegramBadRequest as error:
            raise ConfigError(
                f"configuration error: Telegram refused WEBHOOK_URL {url} ({error.message}); "
                "correct WEBHOOK_URL"
            ) from None
        log.info(
            "webhook registered: Telegram posts updates there",
            extra={"url": url, "path": settings.webhook_path, "port": settings.webhook_port},
        )

    dispatcher.startup.register(register_webhook)
    app = web.Application()
    # Answered once handled: an update whose process dies first is sent again by Telegram.
    SimpleRequestHandler(dispatcher, bot, secret_token=secret, handle_in_background=False).register(
        app, path=settings.webhook_path
    )
    setup_application(app, dispatcher, bot=bot)
    return app


def webhook_secret(settings: BotSettings) -> str:
    """``WEBHOOK_SECRET``, or one derived from the bot token, so that every process of one
    bot registers the same secret (a random one per process would lock the others out)."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is not set")
    token = settings.bot_token.get_secret_value()
    return hashlib.sha256(f"webhook-secret:{token}".encode()).hexdigest()


async def serve_webhook(dispatcher: Dispatcher, bot: Bot, settings: BotSettings) -> None:
    """Serve on ``WEBHOOK_HOST:WEBHOOK_PORT`` until cancelled."""
    runner = web.AppRunner(build_webhook_app(dispatcher, bot, settings))
    await runner.setup()
    try:
        host, port = settings.webhook_host, settings.webhook_port
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as error:
            raise ConfigError(
                f"configuration error: cannot serve the webhook on {host}:{port}: "
                f"{os.strerror(error.errno) if error.errno else error} "
                "(set WEBHOOK_HOST or WEBHOOK_PORT)"
            ) from None
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
