"""Validated input for erasing a customer's data."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.base.commands import Command


class ErasureRequest(Command):
    """Erasing cannot be undone, so the request says it means it."""

    confirm: Literal[True] = Field(
        description="Must be `true`: the data is erased for good (orders stay, anonymised)."
    )
