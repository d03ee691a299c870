"""Refusals about broadcasts."""

from __future__ import annotations

from core.base.errors import Conflict


class BroadcastClosed(Conflict):
    REASONS = ("broadcast-closed",)

    def __init__(self) -> None:
        super().__init__("This broadcast can no longer be cancelled.")
