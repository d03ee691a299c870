"""What the shop keeps about an account."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from core.base.models import Document, Model


class Role(StrEnum):
    USER = "user"
    OPERATOR = "operator"
    ADMIN = "admin"


STAFF = frozenset({Role.OPERATOR, Role.ADMIN})


class Language(StrEnum):
    """The languages the shop speaks to customers (the bot has a catalog for each)."""

    EN = "en"
    RU = "ru"

    @classmethod
    def of(cls, code: str | None) -> Language | None:
        """The shop's language for a client's language tag ("ru", "ru-RU", "en_GB"), if any."""
        primary = (code or "").replace("_", "-").split("-")[0].lower()
        return next((language for language in cls if language.value == primary), None)


class SavedDelivery(Model):
    """The delivery details of a customer's latest order, offered again at the next."""

    method: str
    recipient_name: str
    phone: str
    address: str | None = None
    at: datetime


class CampaignTouch(Model):
    """The campaign link a customer followed last (``core/campaigns/attribution.py``)."""

    name: str
    at: datetime


class User(Document):
    name: str
    email: str
    role: Role = Role.USER
    active: bool = Field(default=True, description="A deactivated account cannot sign in.")
    telegram_id: int | None = None
    telegram_blocked: bool = Field(
        default=False, description="The bot was blocked by this customer when last tried."
    )
    language: Language | None = Field(
        default=None, description="What the bot and notifications speak to this customer."
    )
    last_delivery: SavedDelivery | None = None
    campaign: CampaignTouch | None = Field(
        default=None, description="The campaign of the last campaign link the customer followed."
    )
    cart_reminders: bool = Field(
        default=True, description="Whether a cart left untouched earns this customer a reminder."
    )
    password_hash: str | None = Field(default=None, exclude=True)
    session_version: int = Field(default=0, exclude=True)

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def is_active_admin(self) -> bool:
        return self.active and self.role is Role.ADMIN
