"""What a process that talks to Telegram counts for Prometheus (``runtime/metrics.py`` serves
it): every Bot API request by method and result (``bot/session.py`` counts them, so the bot,
the notifier and the refunder alike), and in the bot every update by type and outcome, with
how long it took (``TimeUpdates``)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update
from prometheus_client import Counter, Histogram

NETWORK = "network"
"""The result of a request that got no answer (a timeout, a refused connection)."""

BOT_API_REQUESTS = Counter(
    "shop_bot_api_requests",
    "Bot API requests, by method and result: the HTTP status Telegram answered (5xx for "
    "any server error), or network when no answer came.",
    ["method", "result"],
)
UPDATES = Histogram(
    "shop_update_handling_seconds",
    "Updates the bot handled, by type (message, callback_query, ...) and outcome (handled; "
    "unhandled: no handler took it; error), and how long each took.",
    ["type", "outcome"],
)


def count_request(method: str, status: int | None) -> None:
    """One Bot API request answered with HTTP ``status`` (None: no answer)."""
    result = NETWORK if status is None else "5xx" if status >= 500 else str(status)
    BOT_API_REQUESTS.labels(method, result).inc()


class TimeUpdates(BaseMiddleware):
    """Outer middleware of ``dispatcher.update``, before every other: times each update."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await handler(event, data)
            outcome = "unhandled" if result is UNHANDLED else "handled"
            return result
        finally:
            kind = event.event_type if isinstance(event, Update) else type(event).__name__
            UPDATES.labels(kind, outcome).observe(time.perf_counter() - started)
