"""Webhook mode: an aiohttp server Telegram posts updates to, checking the secret token."""

from __future__ import annotations

import asyncio
import secrets

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.config import BotSettings


def build_webhook_app(dispatcher: Dispatcher, bot: Bot, settings: BotSettings) -> web.Application:
    """The app serving ``WEBHOOK_PATH``; at startup it registers ``WEBHOOK_URL`` with Telegram
    together with the secret (``WEBHOOK_SECRET``, or a random one for this run)."""
    if not settings.webhook_url:
        raise ValueError("WEBHOOK_URL is not set")
    url = settings.webhook_url
    secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else secrets.token_urlsafe(32)
    )

    async def register_webhook(bot: Bot) -> None:
        await bot.set_webhook(
            url, secret_token=secret, allowed_updates=dispatcher.resolve_used_update_types()
        )

    async def remove_webhook(bot: Bot) -> None:
        await bot.delete_webhook()

    dispatcher.startup.register(register_webhook)
    dispatcher.shutdown.register(remove_webhook)
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, secret_token=secret).register(
        app, path=settings.webhook_path
    )
    setup_application(app, dispatcher, bot=bot)
    return app


async def serve_webhook(dispatcher: Dispatcher, bot: Bot, settings: BotSettings) -> None:
    """Serve on ``WEBHOOK_HOST:WEBHOOK_PORT`` until cancelled."""
    runner = web.AppRunner(build_webhook_app(dispatcher, bot, settings))
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
