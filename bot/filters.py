"""Filters checked in the event loop. aiogram runs a filter that is not a coroutine (a magic
filter such as ``F.text``, a bare ``State``) in a worker thread (``asyncio.to_thread``)
for every update it is tried on, a thread hop per filter; so the routers wrap magic
filters in ``Magic`` and states in aiogram's ``StateFilter``
(``tests/bot/test_filters.py`` checks that no other kind is registered)."""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import Filter
from aiogram.types import TelegramObject
from aiogram.utils.magic_filter import MagicFilter


class Magic(Filter):
    """A magic filter (``F...``) resolved against the event, as aiogram would."""

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self.magic.resolve(event)


TEXT = Magic(F.text)
"""A text message."""
TYPED = Magic(F.text & ~F.text.startswith("/"))
"""A text message that is not a command."""
