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

When stopped (cancelled), the batch in hand may finish (``STOP_SECONDS``), and what was
handled is confirmed with one last short getUpdates, so a restart does not handle it again.

The price: the next batch waits for the slowest update of this one.
"""

from __future__ import annotations

import asyncio
import contextlib
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
STOP_SECONDS = 10
"""When stopping: how long the batch in hand may take to finish, and the confirmation."""
BACKOFF = BackoffConfig(min_delay=1.0, max_delay=5.0, factor=1.3, jitter=0.1)
"""Waits between failed getUpdates calls (aiogram's defaults)."""


async def poll(dispatcher: Dispatcher, bot: Bot) -> None:
    """Handle ``bot``'s updates until cancelled, between the dispatcher's startup and
    shutdown hooks (as ``Dispatcher.start_polling`` does)."""
    workflow: dict[str, Any] = {"dispatcher": dispatcher, "bots": [bot], **dispatcher.workflow_data}
    await dispatcher.emit_startup(bot=bot, **workflow)
    log.info("polling Telegram for updates")
    try:
        await _Poller(dispatcher, bot, workflow).run()
    finally:
        await dispatcher.emit_shutdown(bot=bot, **workflow)


class _Poller:
    def __init__(self, dispatcher: Dispatcher, bot: Bot, workflow: dict[str, Any]) -> None:
        self._dispatcher = dispatcher
        self._bot = bot
        self._workflow = workflow
        self._request = GetUpdates(
            timeout=POLL_SECONDS, allowed_updates=dispatcher.resolve_used_update_types()
        )
        self._handled: set[int] = set()
        """Updates handled but not yet confirmed (a retried one of their batch holds them)."""

    async def run(self) -> None:
        try:
            await self._loop()
        finally:  # stopping: tell Telegram what was handled, or a restart handles it again
            await self._confirm()

    async def _loop(self) -> None:
        backoff = Backoff(BACKOFF)
        request_timeout = int(self._bot.session.timeout + POLL_SECONDS)
        while True:
            try:
                updates = await self._bot(self._request, request_timeout=request_timeout)
            except Exception as error:  # Telegram unreachable, say: try again later
                log.warning("getUpdates failed; retrying", extra={"error": repr(error)})
                await backoff.asleep()
                continue
            batch = asyncio.ensure_future(self._handle_batch(updates))
            try:
                failed = await asyncio.shield(batch)
            except asyncio.CancelledError:  # stopping: let the batch finish, for a while
                if not (await asyncio.wait([batch], timeout=STOP_SECONDS))[0]:
                    batch.cancel()
                raise
            if failed:
                await backoff.asleep()
            else:
                backoff.reset()

    async def _handle_batch(self, updates: list[Update]) -> bool:
        """Handle the updates not handled yet; whether any must be handled again."""
        fresh = [update for update in updates if update.update_id not in self._handled]
        outcomes = await asyncio.gather(
            *(_handle(self._dispatcher, self._bot, u, self._workflow) for u in fresh)
        )
        self._handled.update(u.update_id for u, done in zip(fresh, outcomes, strict=True) if done)
        failed = [u.update_id for u, done in zip(fresh, outcomes, strict=True) if not done]
        if updates:  # the next call confirms all before the first failed one
            self._request.offset = min(failed, default=updates[-1].update_id + 1)
            self._handled = {i for i in self._handled if i >= self._request.offset}
        return bool(failed)

    async def _confirm(self) -> None:
        """Confirm the handled updates with one short getUpdates (what it returns stays
        unconfirmed); a failure only means they are handled again after a restart."""
        if self._request.offset is None:
            return
        confirm = GetUpdates(offset=self._request.offset, limit=1, timeout=0)
        with contextlib.suppress(Exception):
            async with asyncio.timeout(STOP_SECONDS):
                await self._bot(confirm, request_timeout=STOP_SECONDS)


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
