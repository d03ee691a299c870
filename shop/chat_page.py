"""The offline sandbox's chat page, wired to the API: its operator panel calls the API
from the sandbox's origin, so that origin is allowed (CORS) and the page is told the API."""

from __future__ import annotations

import logging

from admin_api.config import ApiSettings
from bot.config import BotSettings

log = logging.getLogger("shop")
_ANY_ADDRESS = {"0.0.0.0", "::", ""}  # noqa: S104 (a value compared, nothing is bound)


def with_chat_page(api: ApiSettings, telegram: BotSettings, running: BotSettings) -> ApiSettings:
    """``api`` allowing the chat page's origin when the bot runs on the offline sandbox
    (``telegram`` has no token; ``running`` points at the sandbox), after printing the
    page's URL; ``api`` unchanged otherwise."""
    sandbox_url = running.bot_api_base_url
    if telegram.bot_token is not None or sandbox_url is None:
        return api
    host = "127.0.0.1" if api.api_host in _ANY_ADDRESS else api.api_host
    api_url = f"http://{f'[{host}]' if ':' in host else host}:{api.api_port}"
    log.warning("chat with the shop in your browser: %s/?api=%s", sandbox_url, api_url)
    return api.model_copy(update={"cors_origins": (*api.cors_origins, sandbox_url)})
