"""Keeps the progress message of each broadcast started from a chat up to date.

``tick`` edits every progress message whose numbers changed since this process last showed
them, and marks a broadcast reported once its final progress is shown (or its message is
gone). ``run`` ticks every ``BROADCAST_PROGRESS_SECONDS``; tests call ``tick`` themselves.
Several bot processes may each run one: their edits repeat the same text, which Telegram
answers "message is not modified" and nothing changes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.utils.i18n import I18n

from bot import staff_keyboards, staff_texts
from bot.screens import NOT_MODIFIED
from core.accounts.access import SYSTEM
from core.messaging.broadcasts import Broadcasts
from core.messaging.models import ProgressReport

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]


class ProgressReporter:
    def __init__(self, broadcasts: Broadcasts, bot: Bot, i18n: I18n) -> None:
        self._broadcasts = broadcasts
        self._bot = bot
        self._i18n = i18n
        self._shown: dict[str, str] = {}
        """The text each progress message (by broadcast id) was last given here."""

    async def tick(self) -> int:
        """Bring every progress message up to date; how many were edited."""
        edited = 0
        for report in await self._broadcasts.reports_due():
            edited += await self._update(report)
        return edited

    async def run(self, interval: float, sleep: Sleep = asyncio.sleep) -> None:
        """Tick every ``interval`` seconds until cancelled."""
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("updating broadcast progress failed; will retry")
            await sleep(interval)

    async def _update(self, report: ProgressReport) -> int:
        progress = await self._broadcasts.progress(SYSTEM, report.broadcast_id)
        language = report.language.value if report.language else self._i18n.default_locale
        with self._i18n.context(), self._i18n.use_locale(language):  # the sender's
            text = staff_texts.progress(progress)
            markup = staff_keyboards.progress(progress)
        edited = 0
        if self._shown.get(str(report.broadcast_id)) != text:
            try:
                await self._bot.edit_message_text(
                    text,
                    chat_id=report.chat_id,
                    message_id=report.message_id,
                    reply_markup=markup,
                )
                edited = 1
            except TelegramForbiddenError:
                await self._done(report)  # the bot left the chat: nobody to show it to
                return 0
            except TelegramBadRequest as error:
                if NOT_MODIFIED not in error.message:
                    log.warning("progress message gone: %s", error.message)
                    await self._done(report)
                    return 0
            self._shown[str(report.broadcast_id)] = text
        if progress.finished:
            await self._done(report)
        return edited

    async def _done(self, report: ProgressReport) -> None:
        await self._broadcasts.reported(report.broadcast_id)
        self._shown.pop(str(report.broadcast_id), None)
