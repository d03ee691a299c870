"""The bot's settings, read from the environment and the env files like every entrypoint's."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import Field, SecretStr, ValidationInfo, field_validator

from core.accounts.models import Language
from core.config import BaseConfig, ConfigError

SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class BotMode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class BotSettings(BaseConfig):
    bot_token: SecretStr | None = Field(
        default=None, description="BotFather token; unset: ./run serves the offline sandbox."
    )
    bot_api_base_url: str | None = Field(
        default=None, description="Bot API server to use instead of https://api.telegram.org."
    )
    bot_mode: BotMode = BotMode.POLLING
    webhook_url: str | None = Field(
        default=None,
        validate_default=True,
        description="Public HTTPS URL Telegram posts updates to; required in webhook mode.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None, description="Secret token Telegram sends back; unset: derived from the token."
    )
    webhook_host: str = Field(default="127.0.0.1", description="Address the webhook server binds.")
    webhook_port: int = Field(default=8081, ge=1, le=65535)
    webhook_path: str = Field(default="/telegram/webhook", pattern=r"^/\S*$")
    event_lease_seconds: int = Field(
        default=10,
        ge=1,
        le=300,
        description="Webhook mode: lease on a user while a process handles their update; "
        "a killed process holds that user up at most this long.",
    )
    sandbox_port: int = Field(
        default=8082, ge=0, le=65535, description="Port of the offline sandbox (no token)."
    )
    payment_instructions: str | None = Field(
        default=None,
        max_length=1000,
        description="Shown with every placed order; unset: the bot's own words, translated.",
    )
    default_language: Language = Field(
        default=Language.EN,
        description="Spoken to customers whose Telegram language the shop does not speak, "
        "and to the operators' chat.",
    )
    catalog_page_size: int = Field(default=6, ge=1, le=20)
    orders_page_size: int = Field(default=6, ge=1, le=20)
    broadcast_progress_seconds: float = Field(
        default=3,
        ge=0.5,
        le=600,
        description="How often broadcast progress messages in staff chats are brought up to date.",
    )
    fsm_collection: str = Field(default="bot_fsm", pattern=r"^[A-Za-z0-9_-]{1,63}$")

    @field_validator("webhook_url")
    @classmethod
    def _required_for_webhooks(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("bot_mode") is BotMode.WEBHOOK and not value:
            raise ValueError("is required when BOT_MODE is webhook")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_accepts(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not SECRET_TOKEN.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value


def require_token(settings: BotSettings, process: str) -> None:
    """Stop a production process that would otherwise have no Telegram to talk to."""
    if settings.bot_token is None:
        raise ConfigError(
            f"configuration error: BOT_TOKEN is required by {process} "
            "(./run serves an offline sandbox instead)"
        )
