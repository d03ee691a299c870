"""Buttons of the "choose an option" step (``bot/handlers/variants.py``). Untrusted like
every callback: core checks the variant against its product and whether it is on sale."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from bot.callbacks import ALL_PRODUCTS


class VariantCard(CallbackData, prefix="v"):
    """Show a variant with ``quantity`` picked; ``page``, ``search`` and ``category`` name the
    list its product was opened from."""

    variant_id: str
    quantity: int = 1
    page: int = 1
    search: bool = False
    category: str = ALL_PRODUCTS


class AddVariant(CallbackData, prefix="av"):
    """Add ``quantity`` of the product's variant to the cart."""

    product_id: str
    variant_id: str
    quantity: int
