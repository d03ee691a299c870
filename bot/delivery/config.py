"""The delivery worker's settings: Telegram's limits and how hard to try."""

from __future__ import annotations

from pydantic import Field

from core.config import BaseConfig


class DeliverySettings(BaseConfig):
    """The delivery worker: order-status notifications and broadcasts."""

    delivery_senders: int = Field(
        default=4, ge=1, le=64, description="Notifications one worker sends concurrently."
    )
    telegram_messages_per_second: float = Field(
        default=30, gt=0, le=1000, description="The bot's overall send rate, shared by all workers."
    )
    telegram_chat_messages_per_second: float = Field(
        default=1, gt=0, le=100, description="Send rate into any one chat."
    )
    delivery_max_attempts: int = Field(
        default=10,
        ge=1,
        le=100,
        description="Tries on 5xx and network errors before a notice is marked failed.",
    )
    delivery_idle_seconds: float = Field(
        default=0.5, gt=0, le=60, description="How often an idle worker looks for work."
    )
