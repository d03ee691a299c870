"""Long polling that confirms an update to Telegram only once it was handled.

Telegram forgets an update once getUpdates is called with an offset past it. aiogram's
own polling asks for the next batch while the last one is still being handled, so a
process killed mid-update loses it (a payment among them). Here each batch is handled
(its updates concurrently, one user's in order: the dispatcher's event isolation) before
the next getUpdates confirms it, so a process killed mid-batch gets the same batch again
once restarted. Handlers are idempotent: an update handled twice changes nothing twice.

An update whose handling failed because the database was unreachable is not confirmed
either: it is handled again after a pause (the others of its batch are not). Any other
failure is logged and the update confirmed (it would fail again).

The price: the next batch waits for the slowest update of this one.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig
from pymongo.errors import ConnectionFailure

log = logging.getLogger(__name__)

POLL_SECONDS = 10
"""How long one getUpdates waits for updates (aiogram's default)."""
BACKOFF = BackoffConfig(min_delay=1.0, max_delay=5.0, factor=1.3, jitter=0.1)
"""Waits between failed getUpdates calls (aiogram's defaults)."""


async def poll(dispatcher: Dispatcher, bot: Bot) -> None:
    """Handle ``bot``'s updates until cancelled, between the dispatcher's startup and
    shutdown hooks (as ``Dispatcher.start_polling`` does)."""
    workflow: dict[str, Any] = {"dispatcher": dispatcher, "bots": [bot], **dispatcher.workflow_data}
    await dispatcher.emit_startup(bot=bot, **workflow)
    try:
        await _poll(dispatcher, bot, workflow)
    finally:
        await dispatcher.emit_shutdown(bot=bot, **workflow)


async def _poll(dispatcher: Dispatcher, bot: Bot, workflow: dict[str, Any]) -> None:
    request = GetUpdates(
        timeout=POLL_SECONDS, allowed_updates=dispatcher.resolve_used_update_types()
    )
    request_timeout = int(bot.session.timeout + POLL_SECONDS)
    backoff = Backoff(BACKOFF)
    handled: set[int] = set()
    """Updates handled but not yet confirmed (a retried one of their batch holds them)."""
    while True:
        try:
            updates = await bot(request, request_timeout=request_timeout)
        except Exception as error:  # Telegram unreachable, say: try again later
            log.warning("getUpdates failed; retrying", extra={"error": repr(error)})
            await backoff.asleep()
            continue
        fresh = [update for update in updates if update.update_id not in handled]
        outcomes = await asyncio.gather(*(_handle(dispatcher, bot, u, workflow) for u in fresh))
        handled.update(u.update_id for u, done in zip(fresh, outcomes, strict=True) if done)
        failed = [u.update_id for u, done in zip(fresh, outcomes, strict=True) if not done]
        if updates:  # the next call confirms all before the first failed one
            request.offset = min(failed, default=updates[-1].update_id + 1)
            handled = {update_id for update_id in handled if update_id >= request.offset}
        if failed:
            await backoff.asleep()
        else:
            backoff.reset()


async def _handle(
    dispatcher: Dispatcher, bot: Bot, update: Update, workflow: dict[str, Any]
) -> bool:
    """Handle one update; False to handle it again (the database was unreachable)."""
    try:
        response = await dispatcher.feed_update(bot, update, **workflow)
        if isinstance(response, TelegramMethod):
            await dispatcher.silent_call_request(bot, response)
    except ConnectionFailure:
        log.warning("database unreachable; update kept", extra={"update_id": update.update_id})
        return False
    except Exception:  # the handlers have answered the user
        log.exception("update failed", extra={"update_id": update.update_id})
    return True
