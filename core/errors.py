"""Domain exceptions. Each entrypoint maps them to its own kind of error in one place."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar

from pydantic_core import PydanticCustomError


class DomainError(Exception):
    """A rule of the shop said no.

    ``code`` is stable: the API's problem type. ``reason`` is as stable, and finer where one
    code covers several refusals (``no-such-order`` is a ``not-found``): an entrypoint that
    words refusals itself (the bot, in its readers' languages) keys its texts by it, never
    by ``message``, which is core's English for the API's problem details and the logs.
    ``REASONS`` lists every reason this very class is raised with: its code unless it says
    otherwise, none for a class only raised through its subclasses.
    """

    code = "domain-error"
    REASONS: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if "REASONS" not in cls.__dict__:
            cls.REASONS = (cls.code,)

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or (self.REASONS[0] if self.REASONS else self.code)


def every_reason() -> set[str]:
    """The reason of every refusal core can raise (of its classes imported so far)."""

    def family(cls: type[DomainError]) -> Iterator[type[DomainError]]:
        yield cls
        for sub in cls.__subclasses__():
            yield from family(sub)

    core = [cls for cls in family(DomainError) if cls.__module__.startswith("core.")]
    return {reason for cls in core for reason in cls.REASONS}


@dataclass(frozen=True)
class FieldError:
    """One invalid field: its path in the input, what is wrong with it in English, and the
    same as a stable ``kind`` (pydantic's error type, such as ``string_too_short``, or
    core's own, such as ``phone``) with the values it names (``{"max_length": 72}``)."""

    loc: tuple[str | int, ...]
    message: str
    kind: str = "invalid"
    context: Mapping[str, object] = field(default_factory=dict)


def field_error(loc: tuple[str | int, ...], exc: ValueError) -> FieldError:
    """``exc`` as the problem of the field at ``loc``: its kind is the type of a
    ``PydanticCustomError`` (core's validators raise those), else ``invalid``."""
    kind = exc.type if isinstance(exc, PydanticCustomError) else "invalid"
    return FieldError(loc, str(exc), kind)


class InvalidInput(DomainError):
    """Some fields are wrong (``errors``, one per field), or the input as a whole."""

    code = "invalid-input"

    def __init__(self, message: str, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)


class NotDelivering(InvalidInput):
    REASONS = ("not-delivering",)

    def __init__(self) -> None:
        super().__init__("This shop does not deliver: place the order without delivery details.")


class WrongCurrency(InvalidInput):
    REASONS = ("wrong-currency",)

    def __init__(self, currency: str) -> None:
        super().__init__(f"This shop sells in {currency} only.")
        self.currency = currency


class Missing(StrEnum):
    """What a ``NotFound`` did not find; each value is its reason."""

    PRODUCT = "no-such-product"
    ORDER = "no-such-order"
    USER = "no-such-user"
    CATEGORY = "no-such-category"
    BROADCAST = "no-such-broadcast"
    CART_LINE = "not-in-cart"
    PHOTO = "no-photo"


MISSING = {
    Missing.PRODUCT: "No such product.",
    Missing.ORDER: "No such order.",
    Missing.USER: "No such user.",
    Missing.CATEGORY: "No such category.",
    Missing.BROADCAST: "No such broadcast.",
    Missing.CART_LINE: "This product is not in your cart.",
    Missing.PHOTO: "This product has no photo.",
}


class NotFound(DomainError):
    code = "not-found"
    REASONS = tuple(Missing)

    def __init__(self, what: Missing) -> None:
        super().__init__(MISSING[what], what.value)
        self.what = what


class Conflict(DomainError):
    code = "conflict"
    REASONS: ClassVar[tuple[str, ...]] = ()


class EmailTaken(Conflict):
    code = "email-taken"

    def __init__(self) -> None:
        super().__init__("An account with this email already exists.")


class TelegramAccountTaken(Conflict):
    code = "telegram-account-taken"

    def __init__(self) -> None:
        super().__init__("This Telegram account is already linked to a shop account.")


class VersionConflict(Conflict):
    code = "version-conflict"

    def __init__(self, what: str) -> None:
        super().__init__(f"The {what} was changed by someone else; reload it and try again.")


class StockOutOfRange(Conflict):
    """A stock adjustment would take stock below zero or above the most a product may hold."""

    code = "stock-out-of-range"

    def __init__(self, stock: int, delta: int, most: int) -> None:
        bound = "below zero" if delta < 0 else f"above {most}"
        super().__init__(f"Stock is {stock}; a change of {delta:+d} would take it {bound}.")


class CartLimit(Conflict):
    """The cart cannot grow this way: a line past its most, or one product too many. A
    valid request that the cart's contents refuse, so a conflict, not a bad field."""

    code = "cart-limit"
    REASONS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, message: str, most: int) -> None:
        super().__init__(message)
        self.most = most


class LineLimit(CartLimit):
    REASONS = ("line-limit",)

    def __init__(self, most: int) -> None:
        super().__init__(f"At most {most} of one product per order.", most)


class LinesLimit(CartLimit):
    REASONS = ("lines-limit",)

    def __init__(self, most: int) -> None:
        super().__init__(f"A cart holds at most {most} different products.", most)


class EmptyCart(Conflict):
    code = "empty-cart"

    def __init__(self) -> None:
        super().__init__("Your cart is empty.")


class OutOfStock(Conflict):
    code = "out-of-stock"

    def __init__(self, product_names: Sequence[str]) -> None:
        names = ", ".join(product_names)
        super().__init__(f"Not enough stock for: {names}.")
        self.product_names = tuple(product_names)


class ProductUnavailable(Conflict):
    code = "product-unavailable"

    def __init__(self, product_names: Sequence[str]) -> None:
        names = ", ".join(product_names) or "a product"
        super().__init__(f"No longer available: {names}. Remove it from your cart to continue.")
        self.product_names = tuple(product_names)


class CartChanged(Conflict):
    code = "cart-changed"

    def __init__(self) -> None:
        super().__init__("Your cart changed since you reviewed it; please review it again.")


class CheckoutInProgress(Conflict):
    code = "checkout-in-progress"

    def __init__(self) -> None:
        super().__init__("This order is still being placed; try again in a moment.")


class IllegalTransition(Conflict):
    code = "illegal-transition"

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"An order that is {current} cannot become {target}.")
        self.current = current
        self.target = target


class AuthenticationFailed(DomainError):
    """Credentials or a token were wrong, or missing. Never says which part."""

    code = "unauthenticated"
    REASONS: ClassVar[tuple[str, ...]] = ()


class BadCredentials(AuthenticationFailed):
    REASONS = ("bad-credentials",)

    def __init__(self) -> None:
        super().__init__("The email or password is wrong.")


class BadToken(AuthenticationFailed):
    REASONS = ("bad-token",)

    def __init__(self) -> None:
        super().__init__("The token is invalid or has expired.")


class AccountDeactivated(AuthenticationFailed):
    """The right password, for an account an admin has switched off."""

    code = "account-deactivated"

    def __init__(self) -> None:
        super().__init__("This account has been deactivated; ask the shop's admins.")


class LastAdmin(Conflict):
    code = "last-admin"

    def __init__(self) -> None:
        super().__init__("The shop needs an active admin: make another admin first.")


class AccountBusy(Conflict):
    code = "account-busy"

    def __init__(self) -> None:
        super().__init__("This account is being changed by someone else; try again.")


class Forbidden(DomainError):
    code = "forbidden"

    def __init__(self, message: str = "Your role may not do this.") -> None:
        super().__init__(message)


class Throttled(StrEnum):
    """What a ``TooManyAttempts`` counted; each value is its reason."""

    ATTEMPTS = "too-many-attempts"
    WRONG_PASSWORDS = "too-many-wrong-passwords"
    SIGN_UPS = "too-many-sign-ups"


THROTTLED = {
    Throttled.ATTEMPTS: "Too many attempts",
    Throttled.WRONG_PASSWORDS: "Too many wrong passwords",
    Throttled.SIGN_UPS: "Too many sign-ups with emails that already have an account",
}


class TooManyAttempts(DomainError):
    """Too many tries of something guessable; ``retry_after`` seconds until the next."""

    code = "too-many-attempts"
    REASONS = tuple(Throttled)

    def __init__(self, retry_after: int, what: Throttled = Throttled.ATTEMPTS) -> None:
        minutes = math.ceil(retry_after / 60)
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
        super().__init__(f"{THROTTLED[what]}; try again in {wait}.", what.value)
        self.retry_after = retry_after
        self.what = what


class WrongPassword(Forbidden):
    code = "wrong-password"

    def __init__(self) -> None:
        super().__init__("The current password is wrong.")


class BroadcastClosed(Conflict):
    REASONS = ("broadcast-closed",)

    def __init__(self) -> None:
        super().__init__("This broadcast can no longer be cancelled.")


class NoRefundDue(Conflict):
    REASONS = ("no-refund-due",)

    def __init__(self) -> None:
        super().__init__("No refund is due for this payment.")
