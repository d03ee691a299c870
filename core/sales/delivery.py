"""Delivery: the methods a shop offers, the details a customer gives, what an order keeps.

Methods come from ``DELIVERY_METHODS`` (JSON, see the README). With none configured the shop
does not deliver: checkout takes no details and orders have no ``delivery``, as before
delivery existed. With some, every order must say how it reaches the customer: a method, a
phone and, when the method needs one, an address (optionally a recipient's name, else the
account's, and a note for the shop). Checkout validates them before it writes anything and
stores a snapshot on the order (the method's title and fee at that moment, the recipient,
phone, address and note); the order's total includes the fee.

Phones are stored in E.164 (``+442079460958``): ``phonenumbers`` reads what people type
(spaces, dashes, brackets, a national number when ``DELIVERY_PHONE_REGION`` says whose) and
refuses numbers no country could have, and what a customer could not have meant: an
extension or letters (never dropped or turned into digits), premium-rate numbers.
Addresses and notes are display text (``core/base/text.py``) of bounded length; entrypoints
escape them wherever they are shown.

The details of a customer's last order are kept on their profile (``lastDelivery``), so the
bot can offer "Send to the same address?". Checkout's settle step writes them, guarded by
the order's time, so recovery settling an older order never overwrites newer details.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import phonenumbers
from bson import ObjectId
from pydantic.config import JsonValue
from pydantic_core import PydanticCustomError

from core.accounts.models import SavedDelivery
from core.base.errors import FieldError, InvalidInput, field_error
from core.sales.commands import DeliveryDetails
from core.sales.errors import NotDelivering
from core.sales.models import DeliveryMethod, DeliverySnapshot
from core.store import Store

MAX_METHODS = 8  # one button each in the bot
UNREACHABLE_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.PAGER,
        phonenumbers.PhoneNumberType.VOICEMAIL,
    }
)
"""Numbers a customer could not have meant as theirs for a delivery."""


def address_rules(methods: Sequence[DeliveryMethod]) -> list[JsonValue]:
    """JSON Schema, one choice per method: an address where it needs one, none elsewhere."""
    return [
        {
            "properties": {
                "method": {"const": method.code},
                "address": {"not": {"type": "null"}} if method.needs_address else {"type": "null"},
            },
            "required": ["address"] if method.needs_address else [],
        }
        for method in methods
    ]


def check_methods(methods: Sequence[DeliveryMethod]) -> None:
    """``ValueError`` unless the configured methods are few enough and their codes unique."""
    codes = [method.code for method in methods]
    if len(codes) > MAX_METHODS:
        raise ValueError(f"lists {len(codes)} methods; at most {MAX_METHODS} are allowed")
    if repeated := sorted({code for code in codes if codes.count(code) > 1}):
        raise ValueError(f"lists the code {repeated[0]!r} twice")


def check_region(region: str | None) -> str | None:
    """``region`` if ``phonenumbers`` knows its numbering plan, else ``ValueError``."""
    if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{region!r} is not a region with known phone numbers")
    return region


def normalise_phone(text: str, region: str | None = None) -> str:
    """``text`` as an E.164 number, or a ``ValueError`` (a ``PydanticCustomError`` whose
    type names the problem) saying why not. Without a leading
    ``+`` the number is read as a national one of ``region`` (refused without a region).
    Nothing typed is dropped or guessed: letters (an extension, a vanity number) are
    refused rather than read as digits or left out, and so are numbers nobody could be
    reached at for a delivery (premium rate, pagers, voicemail)."""
    if any(char.isalpha() for char in text):
        raise PydanticCustomError(
            "phone_letters", "is not a valid phone number: type digits only, without an extension"
        )
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise PydanticCustomError(
            "phone", "is not a valid phone number (with the country code: +44 20 7946 0958)"
        )
    if number.extension:
        raise PydanticCustomError(
            "phone_extension", "has an extension, which a courier cannot dial: give a direct number"
        )
    if phonenumbers.number_type(number) in UNREACHABLE_TYPES:
        raise PydanticCustomError(
            "phone_premium", "is a premium-rate, pager or voicemail number: give one to call"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def total_with_fee(items_total: int, delivery: DeliverySnapshot | None) -> int:
    """What the customer pays: the lines and, when delivered, the method's fee."""
    return items_total + (delivery.fee if delivery is not None else 0)


class Delivery:
    """The shop's delivery methods, and the rules for the details of an order."""

    def __init__(
        self, store: Store, methods: Sequence[DeliveryMethod], phone_region: str | None = None
    ) -> None:
        check_methods(methods)
        self._users = store.users
        self.methods = tuple(methods)
        self._choices = "choose one of " + ", ".join(method.code for method in methods)
        self._phone_region = check_region(phone_region)

    @property
    def required(self) -> bool:
        """Whether every order must carry delivery details (some method is configured)."""
        return bool(self.methods)

    def method(self, code: str) -> DeliveryMethod | None:
        return next((method for method in self.methods if method.code == code), None)

    def phone(self, text: str) -> str:
        """A typed or shared phone number in E.164, or ``InvalidInput`` on ``phone``."""
        try:
            return normalise_phone(text, self._phone_region)
        except ValueError as exc:
            error = field_error(("phone",), exc)
            raise InvalidInput("The phone number is not valid.", [error]) from None

    def snapshot(
        self, details: DeliveryDetails | None, account_name: str
    ) -> DeliverySnapshot | None:
        """What the order keeps of ``details``; ``InvalidInput`` (one error per field) when
        they do not fit this shop's methods. ``None`` for a shop that does not deliver."""
        if not self.methods:
            if details is None:
                return None
            raise NotDelivering()
        if details is None:
            error = FieldError(("method",), f"is required: {self._choices}", "missing")
            raise InvalidInput("Say how the order should reach you.", [error])
        errors: list[FieldError] = []
        method = self.method(details.method)
        if method is None:
            errors.append(
                FieldError(("method",), f"is not offered: {self._choices}", "not_offered")
            )
        elif method.needs_address and details.address is None:
            errors.append(FieldError(("address",), f"is required for {method.title}", "missing"))
        elif not method.needs_address and details.address is not None:
            errors.append(FieldError(("address",), f"is not taken by {method.title}", "not_taken"))
        try:
            phone = self.phone(details.phone)
        except InvalidInput as exc:
            errors += exc.errors
        if errors or method is None:
            raise InvalidInput("The delivery details are not valid.", errors)
        return DeliverySnapshot(
            method=method.code,
            title=method.title,
            fee=method.fee,
            info=method.info,
            recipient_name=details.recipient_name or account_name,
            phone=phone,
            address=details.address,
            note=details.note,
        )

    def reusable(self, saved: SavedDelivery | None) -> DeliveryDetails | None:
        """The saved details as new ones, if their method is still offered as it was used."""
        if saved is None or (method := self.method(saved.method)) is None:
            return None
        if method.needs_address != (saved.address is not None):
            return None
        return DeliveryDetails(
            method=saved.method,
            phone=saved.phone,
            address=saved.address,
            recipient_name=saved.recipient_name,
        )

    async def remember(self, user_id: ObjectId, delivery: DeliverySnapshot, at: datetime) -> None:
        """Keep ``delivery`` (of an order placed ``at``) on the profile, unless newer details
        are there already or the account is closed; safe to repeat."""
        saved = SavedDelivery(
            method=delivery.method,
            recipient_name=delivery.recipient_name,
            phone=delivery.phone,
            address=delivery.address,
            at=at,
        )
        await self._users.update_one(
            {
                "_id": user_id,
                "active": {"$ne": False},  # a closed account (its data erased) keeps none
                "$or": [{"lastDelivery": None}, {"lastDelivery.at": {"$lt": at}}],
            },
            {"$set": {"lastDelivery": saved.model_dump(by_alias=True)}},
        )
