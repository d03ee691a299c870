"""The shop's public address answers: WEBHOOK_URL's site, asked for the API's ``/readyz``
(docker-compose.yml serves the API and the webhook behind one domain)."""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp

from bot.config import BotMode, BotSettings
from bot.doctor.checks import Check, failed, ok, warning

TIMEOUT = aiohttp.ClientTimeout(total=10)


async def public_url(settings: BotSettings) -> Check:
    """A GET of ``/readyz`` on WEBHOOK_URL's site (one Telegram would refuse is a
    configuration error already: ``BotSettings``). Not answering at all stops a webhook bot
    (Telegram cannot reach it either) and is a warning in polling mode; an answer other than
    200 says the API behind that site is down or elsewhere."""
    url = settings.webhook_url
    if not url:
        return ok("public URL: WEBHOOK_URL is not set, nothing to check (polling needs none)")
    webhook = settings.bot_mode is BotMode.WEBHOOK
    parts = urlsplit(url)
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
