"""Refusals about digital goods."""

from __future__ import annotations

from core.base.errors import Conflict, InvalidInput


class StarsOnly(Conflict):
    """Telegram requires digital goods sold in a bot to be paid in Telegram Stars."""

    code = "stars-only"

    def __init__(self) -> None:
        super().__init__(
            "Digital goods are sold for Telegram Stars only: add stars to PAYMENT_METHODS "
            "(SHOP_CURRENCY=XTR) first."
        )


class OtherGoods(Conflict):
    """The product is digital of the other kind (keys vs a file)."""

    code = "other-goods-kind"

    def __init__(self, kind: str) -> None:
        super().__init__(f"This product delivers {kind}; it cannot take the other kind.")


class InvalidKeys(InvalidInput):
    REASONS = ("invalid-keys",)


class InvalidGoodsFile(InvalidInput):
    REASONS = ("invalid-goods-file",)


class KeyNotReturned(Conflict):
    code = "key-not-returned"

    def __init__(self) -> None:
        super().__init__("Only a returned key can be put back in the pool.")
