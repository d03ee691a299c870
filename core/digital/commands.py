"""What staff send about digital goods."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from core.base.commands import Command, HistoryQuery
from core.base.fields import QUERY_NUMBER, QueryFlag
from core.base.text import Printable

MAX_KEYS_PER_UPLOAD = 10_000
MAX_KEY_LENGTH = 200
MAX_KEYS_PER_REQUEST = 20
"""Keys in one JSON request (within the API's body limit whatever their characters); a
CSV file takes up to ``MAX_KEYS_PER_UPLOAD``."""
KEY_FILE_MAX_BYTES = 5 * 1024 * 1024
GOODS_FILE_MAX_BYTES = 50 * 1024 * 1024
"""Telegram's limit on a file a bot uploads (sendDocument): 50 MB."""


class KeyListQuery(HistoryQuery):
    secrets: QueryFlag = Field(default=False, description="Show the keys themselves.")


Key = Annotated[str, StringConstraints(max_length=MAX_KEY_LENGTH), Printable(required=True)]


class KeyUpload(Command):
    keys: tuple[Key, ...] = Field(
        min_length=1,
        max_length=MAX_KEYS_PER_REQUEST,
        description="The keys; one already in the pool (or twice here) is not added again.",
    )


class GoodsFileForm(Command):
    name: Annotated[str, StringConstraints(min_length=1, max_length=128)] = Field(
        description="The file's name as the buyer gets it, e.g. `guide.pdf`."
    )


class GoodsFileQuery(Command):
    line: Annotated[int, Field(ge=0, le=49), QUERY_NUMBER] = Field(
        default=0, description="The order line (from 0) whose file to download."
    )
