"""Settings read from the environment and optional env files, validated once at startup."""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Annotated, TypeVar

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from core.delivery import DeliveryMethod, check_methods, check_region
from core.models import PaymentMethod
from core.store import WriteConcernChoice

STARS = "XTR"
"""The currency of Telegram Stars."""
DEFAULT_PAYMENT_MINUTES = 60
"""How long an order waits for its payment when an online method is enabled."""

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "var"
GENERATED_ENV = DATA_DIR / "generated.env"
ENV_FILES = (
    GENERATED_ENV,
    PROJECT_ROOT / ".env",
)  # later files win; the environment wins over both


class BaseConfig(BaseSettings):
    """Common base: every entrypoint's settings read the same env files."""

    model_config = SettingsConfigDict(env_file=ENV_FILES, extra="ignore", frozen=True)


class CoreSettings(BaseConfig):
    mongodb_uri: SecretStr | None = Field(
        default=None, description="MongoDB connection string; unset starts the embedded engine."
    )
    mongodb_database: str = Field(default="shop", pattern=r"^[A-Za-z0-9_-]{1,63}$")
    mongodb_write_concern: WriteConcernChoice = Field(
        default=WriteConcernChoice.JOURNALED,
        description="journaled (w:1, j:true), majority (on a replica set) or acknowledged.",
    )
    mongodb_timeout_seconds: float = Field(
        default=10,
        gt=0,
        le=120,
        description="How long a request waits for an unreachable database before 503.",
    )
    data_dir: Path = Field(default=DATA_DIR, description="Embedded database files and caches.")
    jwt_secret: SecretStr = Field(description="HS256 key for access tokens, at least 32 bytes.")
    jwt_ttl_minutes: int = Field(default=60 * 24, ge=1, le=60 * 24 * 30)
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    shop_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    checkout_lease_seconds: int = Field(default=60, ge=5, le=3600)
    operator_chat_id: int | None = Field(
        default=None,
        description="Telegram chat that gets a card for every new order and low-stock alerts; "
        "unset: new-order cards go to every staff member's private chat.",
    )
    low_stock_threshold: int = Field(
        default=5,
        ge=0,
        le=1_000_000,
        description="Operators hear once when a product's stock falls to or below this.",
    )
    delivery_methods: tuple[DeliveryMethod, ...] = Field(
        default=(),
        description="JSON list of delivery methods; empty: the shop does not deliver.",
    )
    delivery_phone_region: str | None = Field(
        default=None,
        description="ISO 3166 region whose national phone numbers may be typed without +.",
    )
    login_failures_per_email: int = Field(
        default=5,
        ge=1,
        description="Wrong passwords for one email from one address before each further try "
        "from there waits, twice as long each time (1 s, 2 s, 4 s, ...).",
    )
    login_failures_per_address: int = Field(
        default=30, ge=1, description="Failed logins from one address before it is slowed down."
    )
    login_slowdown_seconds: float = Field(
        default=2.0, ge=0, le=30, description="Wait before each login from a slowed address."
    )
    registration_conflicts_per_address: int = Field(
        default=10,
        ge=1,
        description="Sign-ups with a taken email from one address before each further sign-up "
        "from there waits, twice as long each time.",
    )
    throttle_max_delay_seconds: int = Field(
        default=300,
        ge=1,
        le=86_400,
        description="Longest of those growing waits: with the defaults one address gets at "
        "most about 12 password tries an hour at one account.",
    )
    login_window_seconds: int = Field(
        default=3600,
        ge=1,
        le=86_400,
        description="Failures are forgotten this long after the last one (and failed logins "
        "per address are counted per window this long).",
    )
    payment_provider_token: SecretStr | None = Field(
        default=None, description="Payment provider token from @BotFather (method provider)."
    )
    payment_methods: Annotated[tuple[PaymentMethod, ...], NoDecode] = Field(
        default=(PaymentMethod.MANUAL,),
        min_length=1,
        description="Comma-separated: manual, provider (Telegram Payments), stars.",
    )
    order_payment_minutes: int | None = Field(
        default=None,
        ge=0,
        le=60 * 24 * 30,
        description="Unpaid orders are cancelled after this long; 0 is never. Unset: "
        f"{DEFAULT_PAYMENT_MINUTES} with an online method, never with manual payment alone.",
    )

    @field_validator("payment_methods", mode="before")
    @classmethod
    def _split_methods(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(dict.fromkeys(m.strip() for m in value.split(",") if m.strip()))
        return value

    @field_validator("payment_methods")
    @classmethod
    def _payable(
        cls, methods: tuple[PaymentMethod, ...], info: ValidationInfo
    ) -> tuple[PaymentMethod, ...]:
        """Each method enabled can take the shop's currency (see the README's "Payments")."""
        currency = info.data.get("shop_currency")
        if PaymentMethod.STARS in methods and currency != STARS:
            raise ValueError("stars needs SHOP_CURRENCY=XTR (prices in whole Stars)")
        if PaymentMethod.PROVIDER in methods:
            if currency == STARS:
                raise ValueError("provider cannot take Stars (XTR); use stars")
            if info.data.get("payment_provider_token") is None:
                raise ValueError("provider needs PAYMENT_PROVIDER_TOKEN")
        return methods

    @property
    def payment_window(self) -> timedelta | None:
        """How long an unpaid order keeps its stock; ``None``: for ever."""
        minutes = self.order_payment_minutes
        if minutes is None:
            online = set(self.payment_methods) - {PaymentMethod.MANUAL}
            minutes = DEFAULT_PAYMENT_MINUTES if online else 0
        return timedelta(minutes=minutes) if minutes else None

    @field_validator("delivery_methods")
    @classmethod
    def _distinct_methods(cls, value: tuple[DeliveryMethod, ...]) -> tuple[DeliveryMethod, ...]:
        check_methods(value)
        return value

    @field_validator("delivery_phone_region")
    @classmethod
    def _known_region(cls, value: str | None) -> str | None:
        return check_region(value)

    photo_max_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=1024,
        le=10 * 1024 * 1024,
        description="Largest product photo accepted (Telegram takes photos up to 10 MB).",
    )

    @field_validator("jwt_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value().encode()) < 32:
            raise ValueError("must be at least 32 bytes")
        return value


class ConfigError(SystemExit):
    """Startup stops with one line naming the variable."""


SettingsT = TypeVar("SettingsT", bound=BaseConfig)


def load(settings_class: type[SettingsT]) -> SettingsT:
    """Build ``settings_class`` from the environment or exit with one readable line."""
    try:
        return settings_class()
    except SettingsError as exc:  # a value that should be JSON (DELIVERY_METHODS) is not
        field = re.search(r'field "(\w+)"', str(exc))
        name = field.group(1).upper() if field else "a setting"
        raise ConfigError(f"configuration error: {name} is not valid JSON") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "configuration"
        detail = error["msg"].removeprefix("Value error, ")
        problem = "is required" if error["type"] == "missing" else detail[:1].lower() + detail[1:]
        raise ConfigError(f"configuration error: {name} {problem}") from None


def ensure_generated_secret(path: Path = GENERATED_ENV) -> None:
    """Write a random JWT secret to a git-ignored file on first use, unless one is set."""
    if os.environ.get("JWT_SECRET"):
        return
    if any(dotenv_values(env_file).get("JWT_SECRET") for env_file in (path, ENV_FILES[-1])):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as env_file:
        env_file.write(f"JWT_SECRET={secrets.token_urlsafe(48)}\n")
    path.chmod(0o600)
