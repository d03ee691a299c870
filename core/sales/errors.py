"""Refusals about carts, checkout, orders and payments."""

from __future__ import annotations

from collections.abc import Sequence

from core.base.errors import Conflict


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


class PaymentRefused(Conflict):
    """No to paying an order, with the reason for the customer."""

    code = "payment-refused"
