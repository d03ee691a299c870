"""Refusals about products, stock, categories and photos."""

from __future__ import annotations

from core.base.errors import Conflict, FieldError, InvalidInput
from core.catalog.commands import MAX_CATEGORIES


class StockOutOfRange(Conflict):
    """A stock adjustment would take stock below zero or above the most a product may hold."""

    code = "stock-out-of-range"

    def __init__(self, stock: int, delta: int, most: int) -> None:
        bound = "below zero" if delta < 0 else f"above {most}"
        super().__init__(f"Stock is {stock}; a change of {delta:+d} would take it {bound}.")


class CategoriesChanged(Conflict):
    code = "categories-changed"

    def __init__(self) -> None:
        super().__init__("List every category exactly once, and nothing else.")


class TooManyCategories(Conflict):
    code = "too-many-categories"

    def __init__(self) -> None:
        super().__init__(f"A shop has at most {MAX_CATEGORIES} categories.")
        self.most = MAX_CATEGORIES


class WrongCurrency(InvalidInput):
    REASONS = ("wrong-currency",)

    def __init__(self, currency: str) -> None:
        super().__init__(f"This shop sells in {currency} only.")
        self.currency = currency


class InvalidPhoto(InvalidInput):
    code = "invalid-photo"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The photo cannot be used: {reason}.", [FieldError(("photo",), reason, "photo")]
        )
