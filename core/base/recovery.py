"""What recovery did, for whoever watches the process (its metrics): core tells a
``RecoveryWatcher`` of each piece of interrupted work it finished or undid, and keeps no
count of its own."""

from __future__ import annotations

from typing import Protocol


class RecoveryWatcher(Protocol):
    def recovered(self, work: str, action: str, count: int = 1) -> None:
        """``count`` pieces of ``work`` (``checkout``, ``outbox``, ...) were recovered by
        ``action`` (``rolled_back``, ``rolled_forward``, ...)."""


class Unwatched:
    """Nobody watches: the default."""

    def recovered(self, work: str, action: str, count: int = 1) -> None:
        pass


UNWATCHED = Unwatched()
