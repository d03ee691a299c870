"""The shop's public URL (the webhook's) answers over HTTPS."""

from __future__ import annotations

import aiohttp

from bot.config import BotMode, BotSettings
from bot.doctor.checks import Check, failed, ok, warning

TIMEOUT = aiohttp.ClientTimeout(total=10)


async def public_url(settings: BotSettings) -> Check:
    """A GET of WEBHOOK_URL: any answer but a server error shows that the name resolves, the
    certificate holds and something serves it (the webhook itself answers 405 to a GET)."""
    url = settings.webhook_url
    if settings.bot_mode is not BotMode.WEBHOOK or not url:
        return ok("public URL: none to check (polling needs none)")
    if not url.startswith("https://") and settings.bot_api_base_url is None:
        return failed(
            f"WEBHOOK_URL {url} is not HTTPS: Telegram sends updates to HTTPS URLs only",
            "serve the bot behind a proxy with a certificate and set an https:// WEBHOOK_URL",
        )
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as http,
            http.get(url, allow_redirects=False) as reply,
        ):
            status = reply.status
    except (aiohttp.ClientError, TimeoutError) as error:
        return failed(
            f"WEBHOOK_URL {url} does not answer ({type(error).__name__}: {error})",
            "check the domain's DNS, the proxy in front of the bot and its TLS certificate",
        )
    if status >= 500:
        return failed(
            f"WEBHOOK_URL {url} answers {status}: the proxy is up, the bot behind it is not",
            "start the bot, and check that the proxy forwards to WEBHOOK_HOST:WEBHOOK_PORT",
        )
    if status == 404:
        return warning(
            f"WEBHOOK_URL {url} answers 404: the path may not reach the bot",
            "check that the proxy forwards this path and WEBHOOK_PATH matches it",
        )
    return ok(f"WEBHOOK_URL {url} answers (HTTP {status} to a GET)")
