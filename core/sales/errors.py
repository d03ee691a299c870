"""Refusals about carts, checkout, orders and payments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from core.base.errors import Conflict, InvalidInput, Reason


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


class Unpayable(Reason):
    """Why an order cannot be paid: a ``PaymentRefused``'s reason and what the customer
    reads."""

    NOT_FOUND = "payment-order-not-found", "We could not find this order."
    CANCELLED = "order-cancelled", "This order was cancelled."
    ALREADY_PAID = "order-already-paid", "This order is already paid."
    EXPIRED = "order-expired", "This order was not paid in time. Please order again."
    PRICE_CHANGED = (
        "price-changed",
        "The price changed. Please open the order and pay again.",
    )
    OUT_OF_DATE = (
        "invoice-out-of-date",
        "This invoice is out of date. Please open the order and pay again.",
    )
    UNAVAILABLE = "method-unavailable", "This payment method is not available."
    CHANGED = "order-changed", "This order just changed. Please open it and try again."
    STARS_ONLY = "stars-only-order", "Digital goods are paid in Telegram Stars only."


class PaymentRefused(Conflict):
    """No to paying an order, with the reason for the customer (in English here)."""

    code = "payment-refused"
    REASONS = tuple(Unpayable)

    def __init__(self, why: Unpayable) -> None:
        super().__init__(why.message, why.value)
        self.why = why


class NotDelivering(InvalidInput):
    REASONS = ("not-delivering",)

    def __init__(self) -> None:
        super().__init__("This shop does not deliver: place the order without delivery details.")


class NoRefundDue(Conflict):
    REASONS = ("no-refund-due",)

    def __init__(self) -> None:
        super().__init__("No refund is due for this payment.")
