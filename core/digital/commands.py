"""What staff send about digital goods."""

from __future__ import annotations

from pydantic import Field

from core.base.commands import HistoryQuery
from core.base.fields import QueryFlag

MAX_KEYS_PER_UPLOAD = 10_000
MAX_KEY_LENGTH = 512
GOODS_FILE_MAX_BYTES = 50 * 1024 * 1024
"""Telegram's limit on a file a bot uploads (sendDocument): 50 MB."""


class KeyListQuery(HistoryQuery):
    secrets: QueryFlag = Field(default=False, description="Show the keys themselves.")
