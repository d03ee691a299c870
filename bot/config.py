"""The bot's settings, read from the environment and the env files like every entrypoint's."""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator

from core.accounts.models import Language
from core.config import SHOWN_DEFAULT, BaseConfig, ConfigError

SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
BOT_TOKEN = re.compile(r"^[0-9]+:\S+$")
"""What aiogram accepts as a token (``aiogram.utils.token.validate_token``)."""
WEBHOOK_PORTS = (443, 80, 88, 8443)
"""The only ports Telegram posts updates to (a local Bot API server posts to any)."""


class BotMode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class BotSettings(BaseConfig):
    """The Telegram bot."""

    bot_token: SecretStr | None = Field(
        default=None,
        description="Token from @BotFather; required by `python -m bot`. Unset under `./run`: "
        "the offline Bot API sandbox on `SANDBOX_PORT`.",
    )
    bot_api_base_url: str | None = Field(
        default=None,
        description="Another Bot API server instead of `https://api.telegram.org` (a local "
        "`telegram-bot-api`, or the sandbox).",
        json_schema_extra={SHOWN_DEFAULT: "Telegram's"},
    )
    bot_mode: BotMode = Field(
        default=BotMode.POLLING,
        description="`polling`, or `webhook`: then `WEBHOOK_URL`, and the other `WEBHOOK_` "
        'settings where the defaults do not fit (docs/bot.md, "Webhook").',
    )
    webhook_url: str | None = Field(
        default=None,
        validate_default=True,
        description="Public HTTPS URL Telegram posts updates to (on port 443, 80, 88 or 8443, "
        "the only ones it posts to); required when "
        "`BOT_MODE=webhook`. Several bot processes may share one behind a load balancer.",
        examples=["https://shop.example.com/telegram/webhook"],
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Secret token Telegram sends back with every update: 1-256 of "
        "`A-Z a-z 0-9 _ -`. Unset: derived from `BOT_TOKEN`, so every process of the bot agrees.",
        json_schema_extra={SHOWN_DEFAULT: "derived from the token"},
    )
    webhook_host: str = Field(
        default="127.0.0.1",
        description="Address the webhook server listens on (`0.0.0.0` in a container).",
    )
    webhook_port: int = Field(
        default=8081, ge=1, le=65535, description="Port the webhook server listens on."
    )
    webhook_path: str = Field(
        default="/telegram/webhook",
        pattern=r"^/\S*$",
        description="Path the webhook server serves.",
    )
    event_lease_seconds: int = Field(
        default=10,
        ge=1,
        le=300,
        description="Webhook mode: lease on a user while one bot process handles their update; "
        'a killed process holds that user up at most this long (see "Running past one machine").',
    )
    sandbox_port: int = Field(
        default=8082,
        ge=0,
        le=65535,
        description="Port of the offline sandbox when `BOT_TOKEN` is unset; `0`: any free port.",
    )
    payment_instructions: str | None = Field(
        default=None,
        max_length=1000,
        description="How to pay by hand (`manual`): shown with a placed order when `manual` is "
        'the only method, or when the customer picks "I will pay by hand"; a text set here is '
        "shown as written in every language.",
        json_schema_extra={SHOWN_DEFAULT: "the bot's own text, translated"},
    )
    default_language: Language = Field(
        default=Language.EN,
        description="Spoken to customers whose Telegram app is in a language the shop does not "
        'speak, and to the operators\' chat. See "Languages and money".',
    )
    catalog_page_size: int = Field(
        default=6, ge=1, le=20, description="Products per catalog page in the bot."
    )
    orders_page_size: int = Field(
        default=6, ge=1, le=20, description="Orders per history page in the bot."
    )
    broadcast_progress_seconds: float = Field(
        default=3,
        ge=0.5,
        le=600,
        description="How often broadcast progress messages in staff chats are brought up to date.",
    )
    payment_support: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Who helps with payments, as /paysupport tells customers (Telegram's rule "
        "for bots taking Stars): a handle, an email or a link, e.g. `@myshop_help`.",
        json_schema_extra={
            SHOWN_DEFAULT: "the shop's staff, unnamed (the doctor warns with Stars)"
        },
    )
    stars_reconcile_seconds: float = Field(
        default=60,
        ge=1,
        le=86400,
        description="With `stars` payments: how often (and at startup) the bot reads Telegram's "
        'ledger of Stars to record any payment the shop missed (see "Payments").',
    )

    @field_validator("bot_token")
    @classmethod
    def _looks_like_a_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not BOT_TOKEN.match(value.get_secret_value()):
            raise ValueError("must look like 123456789:AAH... (the token @BotFather gave)")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _required_for_webhooks(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("bot_mode") is BotMode.WEBHOOK and not value:
            raise ValueError("is required when BOT_MODE is webhook")
        webhook = info.data.get("bot_mode") is BotMode.WEBHOOK
        if webhook and value and info.data.get("bot_api_base_url") is None:
            _telegram_posts_to(value)
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_accepts(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not SECRET_TOKEN.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value


def _telegram_posts_to(url: str) -> None:
    """Refuse a webhook URL Telegram's own servers would refuse at ``setWebhook``."""
    parts = urlsplit(url)
    try:
        port = parts.port or 443
    except ValueError:  # not a number: Telegram's answer to setWebhook says so
        port = 443
    if parts.scheme != "https" or port not in WEBHOOK_PORTS:
        raise ValueError(
            "must be an https:// URL on port 443, 80, 88 or 8443: Telegram posts updates "
            "to no other (https://shop.example.com/telegram/webhook)"
        )


def require_token(settings: BotSettings, process: str) -> None:
    """Stop a production process that would otherwise have no Telegram to talk to."""
    if settings.bot_token is None:
        raise ConfigError(
            f"configuration error: BOT_TOKEN is required by {process} "
            "(./run serves an offline sandbox instead)"
        )
