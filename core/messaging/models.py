"""Broadcasts as stored and reported."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AliasChoices, Field

from core.accounts.models import Language
from core.base.ids import Id
from core.base.models import Model
from core.messaging.commands import Segment


class BroadcastState(StrEnum):
    PREPARING = "preparing"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class Broadcast(Model):
    id: Id = Field(validation_alias=AliasChoices("_id", "id"), serialization_alias="id")
    text: str
    formatted: bool = False
    segment: Segment
    state: BroadcastState
    created_by: Id | None
    created_at: datetime


class BroadcastProgress(Model):
    broadcast: Broadcast
    state: BroadcastState
    total: int
    sent: int
    failed: int
    blocked: int
    cancelled: int
    remaining: int

    @property
    def finished(self) -> bool:
        return self.state in (BroadcastState.DONE, BroadcastState.CANCELLED)


class ProgressReport(Model):
    """The chat message that shows a broadcast's progress."""

    broadcast_id: Id
    chat_id: int
    message_id: int
    language: Language | None = None
    """The language it is written in: the sender's."""
