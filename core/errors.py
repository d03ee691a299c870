"""Domain exceptions. Each entrypoint maps them to its own kind of error in one place."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


class DomainError(Exception):
    """A rule of the shop said no. ``code`` is stable; ``message`` is for people."""

    code = "domain-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldError:
    """One invalid field: its path in the input and what is wrong with it."""

    loc: tuple[str | int, ...]
    message: str


class InvalidInput(DomainError):
    code = "invalid-input"

    def __init__(self, message: str, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)


class NotFound(DomainError):
    code = "not-found"


class Conflict(DomainError):
    code = "conflict"


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
    """Credentials or a token were wrong. Never says which part."""

    code = "unauthenticated"


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


class TooManyAttempts(DomainError):
    """Too many tries of something guessable; ``retry_after`` seconds until the next."""

    code = "too-many-attempts"

    def __init__(self, retry_after: int, what: str = "Too many attempts") -> None:
        count, unit = (
            (retry_after, "second") if retry_after < 60 else (math.ceil(retry_after / 60), "minute")
        )
        wait = f"{count} {unit}{'s' if count != 1 else ''}"
        super().__init__(f"{what}; try again in {wait}.")
        self.retry_after = retry_after
        self.what = what


class WrongPassword(Forbidden):
    code = "wrong-password"

    def __init__(self) -> None:
        super().__init__("The current password is wrong.")
