"""The shop's public address answers: WEBHOOK_URL's site, asked for the API's ``/readyz``
(docker-compose.yml serves the API and the webhook behind one domain)."""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp

from bot.config import BotMode, BotSettings
from bot.doctor.checks import Check, failed, ok, warning

TIMEOUT = aiohttp.ClientTimeout(total=10)
WEBHOOK_PORTS = (443, 80, 88, 8443)
"""The ports Telegram delivers webhooks to."""


async def public_url(settings: BotSettings) -> Check:
    """A GET of ``/readyz`` on WEBHOOK_URL's site. Not answering at all stops a webhook bot
    (Telegram cannot reach it either) and is a warning in polling mode; an answer other than
    200 says the API behind that site is down or elsewhere."""
    url = settings.webhook_url
    if not url:
        return ok("public URL: WEBHOOK_URL is not set, nothing to check (polling needs none)")
    webhook = settings.bot_mode is BotMode.WEBHOOK
    parts = urlsplit(url)
    if webhook and settings.bot_api_base_url is None:  # Telegram's own rules
        if parts.scheme != "https":
            return failed(
                f"WEBHOOK_URL {url} is not HTTPS: Telegram sends updates to HTTPS URLs only",
                "serve the bot behind a proxy with a certificate and set an https:// WEBHOOK_URL",
            )
        if (parts.port or 443) not in WEBHOOK_PORTS:
            return failed(
                f"WEBHOOK_URL {url} has port {parts.port}: Telegram sends updates to ports "
                "443, 80, 88 and 8443 only",
                "let the proxy listen on 443 and forward to WEBHOOK_PORT",
            )
    site = f"{parts.scheme}://{parts.netloc}"
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as http,
            http.get(f"{site}/readyz", allow_redirects=False) as reply,
        ):
            status = reply.status
    except (aiohttp.ClientError, TimeoutError) as error:
        return (failed if webhook else warning)(
            f"{site} (WEBHOOK_URL's site) does not answer ({type(error).__name__}: {error})",
            "check the domain's DNS, the proxy in front of the shop and its TLS certificate",
        )
    if status != 200:
        return warning(
            f"{site} answers, but its /readyz says {status}: the API behind it is down, or "
            "served elsewhere",
            "start the API (python -m admin_api), or check where the proxy sends /readyz",
        )
    return ok(f"{site} answers (/readyz: the API is ready)")
