"""What the shop keeps about a customer, and what erasing it did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, Field

from core.accounts.models import User
from core.base.ids import Id
from core.base.models import Model
from core.messaging.models import NoticeKind
from core.sales.models import Cart, Order

ERASED = "deleted"
"""What stands in an anonymised order for each personal field it had."""


class Conversation(Model):
    """One chat's state in the bot: where a form is, and what was typed into it so far."""

    state: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class QueuedNotice(Model):
    """A message waiting to be sent to the customer."""

    id: str = Field(validation_alias=AliasChoices("_id", "id"), serialization_alias="id")
    kind: NoticeKind
    created_at: datetime


class CustomerData(Model):
    """Everything the shop keeps about one customer. The shop never stores a Telegram
    username or Telegram's first and last names: only the numeric Telegram id."""

    account: User = Field(
        description="Name, email, Telegram id, language, saved delivery details (`lastDelivery`), "
        "the last campaign link followed (`campaign`)."
    )
    cart: Cart | None
    conversations: tuple[Conversation, ...] = Field(
        description="The bot's state of the customer's chats (a form half filled in)."
    )
    orders: tuple[Order, ...] = Field(
        description="Every order, with its delivery details (recipient, phone, address, note)."
    )
    queued_notices: tuple[QueuedNotice, ...]
    restock_requests: tuple[Id, ...] = Field(
        description="The sold-out products the customer asked to hear about when they are "
        "back in stock (the bot's 🔔 Notify me)."
    )
    erased: bool = Field(description="The customer's data was erased: this is what is kept.")


class ErasureReport(Model):
    """What erasing a customer's data did."""

    user_id: Id
    erased: bool = Field(
        description="False: it had been erased before, and nothing was left to erase."
    )
    cancelled_orders: tuple[int, ...] = Field(
        description="Numbers of the unpaid orders cancelled first (their stock put back)."
    )
    kept_orders: tuple[int, ...] = Field(
        description="Numbers of the orders kept for the shop's accounts (lines, totals, "
        f"payments and charge ids), their personal fields now `{ERASED}`."
    )
