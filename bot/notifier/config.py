"""The notifier's settings: Telegram's limits and how hard to try. ``DELIVERY_SENDERS``,
``DELIVERY_MAX_ATTEMPTS`` and ``DELIVERY_IDLE_SECONDS`` are the old names, read for one
more release."""

from __future__ import annotations

from pydantic import Field

from core.config import BaseConfig, formerly


class NotifierSettings(BaseConfig):
    """The notifier: order-status notifications and broadcasts (and Stars refunds beside it)."""

    notifier_senders: int = Field(
        default=4,
        ge=1,
        le=64,
        validation_alias=formerly("notifier_senders", "delivery_senders"),
        description="Notifications one notifier sends concurrently.",
    )
    telegram_messages_per_second: float = Field(
        default=30,
        gt=0,
        le=1000,
        description="The bot's overall send rate, shared by all notifiers.",
    )
    telegram_chat_messages_per_second: float = Field(
        default=1, gt=0, le=100, description="Send rate into any one chat."
    )
    notifier_max_attempts: int = Field(
        default=10,
        ge=1,
        le=100,
        validation_alias=formerly("notifier_max_attempts", "delivery_max_attempts"),
        description="Tries on 5xx and network errors before a notice (or a Stars refund) is "
        "marked failed.",
    )
    notifier_idle_seconds: float = Field(
        default=0.5,
        gt=0,
        le=60,
        validation_alias=formerly("notifier_idle_seconds", "delivery_idle_seconds"),
        description="How often an idle notifier looks for work.",
    )
