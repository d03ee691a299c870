"""Settings read from the environment and optional env files, validated once at startup."""

from __future__ import annotations

import logging
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from core.accounts.tokens import MIN_SECRET_BYTES
from core.sales.delivery import check_methods, check_region
from core.sales.models import DeliveryMethod, PaymentMethod
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


log = logging.getLogger(__name__)


def formerly(name: str, old: str) -> AliasChoices:
    """A renamed setting: read as ``name``, or else by its ``old`` name for one release
    (``load`` warns when the old one is set)."""
    return AliasChoices(name, old)


SHOWN_DEFAULT = "x-shown-default"
"""``json_schema_extra`` key: the settings reference's default for a setting whose real one
is computed (shop/settings_reference.py)."""


class BaseConfig(BaseSettings):
    """Common base: every entrypoint's settings read the same env files."""

    # An empty value (`METRICS_TOKEN=` in .env, an example line uncommented) is no value.
    model_config = SettingsConfigDict(
        env_file=ENV_FILES, extra="ignore", frozen=True, env_ignore_empty=True
    )


class CoreSettings(BaseConfig):
    """Every process: the database, accounts and the shop's rules."""

    mongodb_uri: SecretStr | None = Field(
        default=None,
        description="MongoDB connection string. Unset: the embedded engine (mongo-java-server, "
        "needs Java 17+ and Maven), data in `DATA_DIR`. Production: MongoDB 4.2 or later "
        '(7 or 8 recommended); a replica set past one machine (see "Running past one machine").',
        examples=["mongodb://localhost:27017/"],
    )
    mongodb_database: str = Field(
        default="shop",
        pattern=r"^[A-Za-z0-9_-]{1,63}$",
        description="Database name: up to 63 of `A-Z a-z 0-9 _ -`.",
    )
    mongodb_write_concern: WriteConcernChoice = Field(
        default=WriteConcernChoice.JOURNALED,
        description="When MongoDB acknowledges a write: `journaled` (`w: 1, j: true`, in the "
        'journal on disk), `majority` (`w: "majority", j: true`, for a replica set) or '
        "`acknowledged` (`w: 1`, faster, may lose the last 100 ms of writes in a crash). "
        'See "Acknowledged means durable".',
    )
    mongodb_timeout_seconds: float = Field(
        default=10,
        gt=0,
        le=120,
        description="How long a request waits for an unreachable database before the API "
        "answers `503` (problem `unavailable`, with `Retry-After`).",
    )
    data_dir: Path = Field(
        default=DATA_DIR,
        description="Embedded database file (`mongo.mv`) and the engine's classpath cache.",
    )
    jwt_secret: SecretStr = Field(
        description="HS256 key for access tokens, at least 32 bytes. Unset: generated into "
        "`var/generated.env` on first use. Set your own in production (docker-compose needs "
        'it): `python3 -c "import secrets; print(secrets.token_urlsafe(48))"`.',
        json_schema_extra={SHOWN_DEFAULT: "generated"},
    )
    jwt_ttl_minutes: int = Field(
        default=60 * 24, ge=1, le=60 * 24 * 30, description="Access token lifetime."
    )
    bcrypt_rounds: int = Field(default=12, ge=4, le=16, description="bcrypt cost.")
    shop_currency: str = Field(
        default="USD",
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code; every price is in this currency, in its minor units (cents "
        "for USD, whole yen for JPY, whole Stars for `XTR`). Changed while products are priced "
        'in the old one: no process starts until they are converted (see "Command line").',
    )
    shop_timezone: str = Field(
        default="UTC",
        description="IANA time zone of the shop (`Europe/Moscow`, `America/New_York`): where "
        "the dashboard's days begin, and the offset of times in CSV exports.",
    )

    @field_validator("shop_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"is not an IANA time zone name such as Europe/Moscow: {value!r}"
            ) from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        """``SHOP_TIMEZONE`` as a time zone."""
        return ZoneInfo(self.shop_timezone)

    lease_seconds: int = Field(
        default=60,
        ge=5,
        le=3600,
        validation_alias=formerly("lease_seconds", "checkout_lease_seconds"),
        description="Every lease on interrupted work (a checkout, a cancellation, a notice "
        "being sent, a fan-out): how long such work waits before another process takes it "
        "over; every process also runs recovery once this period.",
    )
    operator_chat_id: int | None = Field(
        default=None,
        description="Telegram chat (a group, say) that gets a card for every new order, and "
        "low-stock alerts. Unset: every active operator's and admin's private chat with the "
        "bot gets them.",
    )
    low_stock_threshold: int = Field(
        default=5,
        ge=0,
        le=1_000_000,
        description="Operators hear once when orders take a product's stock to or below this "
        "(a product's `lowStockThreshold` wins), again after a restock above it.",
    )
    delivery_methods: tuple[DeliveryMethod, ...] = Field(
        default=(),
        description="JSON list (on one line) of the ways an order reaches the customer; see "
        '"Delivery details". Empty: the shop does not deliver. Set: every order needs '
        "delivery details.",
        examples=[
            '[{"code": "pickup", "title": "Pickup", "info": "12 Market St, 9:00-18:00"}, '
            '{"code": "courier", "title": "Courier", "fee": 500, "needsAddress": true}]'
        ],
    )
    delivery_phone_region: str | None = Field(
        default=None,
        description="ISO 3166 region (`GB`, `US`, ...) whose national phone numbers customers "
        "may type without `+` and the country code.",
    )
    login_failures_per_email: int = Field(
        default=5,
        ge=1,
        description="Wrong passwords for one email from one address (logins and password "
        "changes together) before each further try from there waits: 1 s, then 2 s, 4 s, ... "
        "up to `THROTTLE_MAX_DELAY_SECONDS`; a success clears them. Never a lockout: the "
        'owner at another address is not slowed (docs/api.md, "Guessing limits").',
    )
    login_failures_per_address: int = Field(
        default=30,
        ge=1,
        description="Failed logins from one address per window, after which each login from it "
        "waits `LOGIN_SLOWDOWN_SECONDS`: a **slowdown, not a lockout**, since behind a proxy "
        "every customer may share one address.",
    )
    login_slowdown_seconds: float = Field(
        default=2.0,
        ge=0,
        le=30,
        description="How long each login from a slowed-down address waits before its password "
        "is checked.",
    )
    registration_conflicts_per_address: int = Field(
        default=10,
        ge=1,
        description="Sign-ups with an already registered email from one address before each "
        "further sign-up from it (new email or not) waits, growing the same way, so nobody can "
        "probe which emails have accounts at full speed; sign-ups that make an account never "
        "count.",
    )
    throttle_max_delay_seconds: int = Field(
        default=300,
        ge=1,
        le=86_400,
        description="The longest of those waits: with the defaults one address gets at most 24 "
        "password tries at one account in the first hour and 12 in each hour after.",
    )
    login_window_seconds: int = Field(
        default=3600,
        ge=1,
        le=86_400,
        description="Failures are forgotten this long after the last one; failed logins per "
        'address are counted per window this long (docs/api.md, "Guessing limits").',
    )
    payment_provider_token: SecretStr | None = Field(
        default=None,
        description="Payment provider token from @BotFather (Payments); required by `provider`.",
    )
    payment_methods: Annotated[tuple[PaymentMethod, ...], NoDecode] = Field(
        default=(PaymentMethod.MANUAL,),
        min_length=1,
        description="The ways customers pay: `manual` (staff mark orders paid), `provider` "
        "(Telegram Payments, a card through a payment provider), `stars` (Telegram Stars, "
        'needs `SHOP_CURRENCY=XTR`). Several at once: the customer picks. See "Payments".',
    )
    order_payment_minutes: int | None = Field(
        default=None,
        ge=0,
        le=60 * 24 * 30,
        description="An order unpaid this long is cancelled and its stock put back; `0` is never.",
        json_schema_extra={
            SHOWN_DEFAULT: f"`{DEFAULT_PAYMENT_MINUTES}` with `provider` or `stars`, else never"
        },
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
        description="Largest product photo; a larger upload gets 413 and is not read further "
        "(Telegram takes photos up to 10 MiB).",
    )
    # customers' data (core/privacy): the API erases the bot's conversation state too
    fsm_collection: str = Field(
        default="bot_fsm",
        pattern=r"^[A-Za-z0-9_-]{1,63}$",
        description="Collection of the bot's conversation state in the shop's database (every "
        "process: erasing a customer's data deletes theirs).",
    )

    staff_session_minutes: int = Field(
        default=30,
        ge=1,
        le=60 * 24,
        description="A back-office session (`/admin/`) ends this long after the staff member's "
        "last request; signing out ends it at once.",
    )

    # cart reminders (core/sales/cart_reminders.py)
    cart_reminder_hours: int = Field(
        default=24,
        ge=0,
        le=24 * 30,
        description="A cart left untouched this many hours gets one reminder with its contents "
        "and a button back to it (once per contents; customers can turn it off in /profile); "
        '`0` turns reminders off. See "Cart reminders".',
    )
    cart_reminder_from_hour: int = Field(
        default=9,
        ge=0,
        le=23,
        description="Reminders go out from this hour of the day in `SHOP_TIMEZONE`; one due "
        "earlier waits until then.",
    )
    cart_reminder_until_hour: int = Field(
        default=21,
        ge=1,
        le=24,
        description="... and until this hour (exclusive; later than `CART_REMINDER_FROM_HOUR`): "
        "one due at night waits until the next morning. From `0` until `24`: any hour.",
    )

    @field_validator("cart_reminder_until_hour")
    @classmethod
    def _day_after_night(cls, value: int, info: ValidationInfo) -> int:
        start = info.data.get("cart_reminder_from_hour")
        if start is not None and value <= start:
            raise ValueError(f"must be later than CART_REMINDER_FROM_HOUR ({start})")
        return value

    digital_goods_secret: SecretStr | None = Field(
        default=None,
        description="Key that seals digital goods' keys in the database (AES-256-GCM, through "
        "HKDF), at least 32 bytes. Unset: derived from `JWT_SECRET`, so changing that makes "
        "stored keys unreadable; set your own before uploading keys and never change it.",
        json_schema_extra={SHOWN_DEFAULT: "from `JWT_SECRET`"},
    )

    def goods_secret(self) -> bytes:
        """What digital goods' keys are sealed with (``core/digital/sealing.py``)."""
        secret = self.digital_goods_secret or self.jwt_secret
        return secret.get_secret_value().encode()

    @field_validator("jwt_secret", "digital_goods_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"must be at least {MIN_SECRET_BYTES} bytes")
        return value


class ConfigError(SystemExit):
    """Startup stops with one line naming the variable."""


SettingsT = TypeVar("SettingsT", bound=BaseConfig)


def load(settings_class: type[SettingsT]) -> SettingsT:
    """Build ``settings_class`` from the environment or exit with one readable line."""
    try:
        settings = settings_class()
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
    _warn_old_names(settings_class)
    return settings


def _warn_old_names(settings_class: type[BaseConfig]) -> None:
    """One line per setting still set by the name it had before a rename."""
    files = [dotenv_values(env_file) for env_file in ENV_FILES]
    given = {name.upper() for name in os.environ} | {
        name.upper() for values in files for name in values
    }
    for name, field in settings_class.model_fields.items():
        alias = field.validation_alias
        if not isinstance(alias, AliasChoices):
            continue
        for old in alias.choices[1:]:
            if isinstance(old, str) and old.upper() in given:
                log.warning(
                    "%s is deprecated and will stop working in the next release; use %s",
                    old.upper(),
                    name.upper(),
                )


def ensure_generated_secret(path: Path = GENERATED_ENV) -> None:
    """Write a random JWT secret to a git-ignored file on first use, unless one is set."""
    if os.environ.get("JWT_SECRET"):
        return
    if any(dotenv_values(env_file).get("JWT_SECRET") for env_file in (path, ENV_FILES[-1])):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as env_file:
            env_file.write(f"JWT_SECRET={secrets.token_urlsafe(48)}\n")
        path.chmod(0o600)
    except OSError as error:  # a read-only install, such as the container image
        raise ConfigError(
            f"configuration error: JWT_SECRET is not set, and no secret can be generated into "
            f"{path} ({error.strerror}); set JWT_SECRET in .env"
        ) from None
