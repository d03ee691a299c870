"""Refusals about promo codes."""

from __future__ import annotations

from core.base.errors import Conflict, Reason


class PromoProblem(Reason):
    """Why a code does not apply: a ``PromoRefused``'s reason."""

    UNKNOWN = "promo-unknown", "There is no such promo code."
    INACTIVE = "promo-inactive", "This promo code is not active."
    NOT_STARTED = "promo-not-started", "This promo code is not valid yet."
    EXPIRED = "promo-expired", "This promo code has expired."
    USED_UP = "promo-used-up", "This promo code has been used up."
    CUSTOMER_LIMIT = "promo-customer-limit", "You have already used this promo code."
    FIRST_ORDER = "promo-first-order", "This promo code is for a first order only."
    MIN_TOTAL = "promo-min-total", "Your order is below this promo code's minimum."
    NOT_APPLICABLE = "promo-not-applicable", "This promo code applies to nothing in your cart."


class PromoRefused(Conflict):
    """The cart's code cannot be used; the customer may order without it."""

    code = "promo-refused"
    REASONS = tuple(PromoProblem)

    def __init__(self, why: PromoProblem) -> None:
        super().__init__(why.message, why.value)
        self.why = why


class PromoCodeTaken(Conflict):
    code = "promo-code-taken"

    def __init__(self, code: str) -> None:
        super().__init__(f"Another promo code is already called {code}.")


class PromoArchived(Conflict):
    code = "promo-archived"

    def __init__(self) -> None:
        super().__init__("An archived promo code cannot be changed.")


class PromoTermsRefused(Conflict):
    """Terms that each look right but not together (the schema cannot say so)."""

    code = "promo-terms"

    def __init__(self, problem: str) -> None:
        super().__init__(f"The promo code's terms do not fit together: {problem}.")
