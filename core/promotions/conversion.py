"""Promo codes' money terms follow a currency conversion (``core/catalog/currency.py``):
a fixed amount off and a minimum order are minor units of the currency they were set in,
so once the prices are in another currency they are converted at the same rate, or a
"5.00 off" code would silently become 500 Stars off.

Each code records the currency its amounts are in (``currency``; a code made before this
field is in the shop's currency of the time, so the one converted from). Each code is
converted by one write guarded by that currency, so running the conversion again (a
killed run, a repeated command) converts only what is left.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.catalog.commands import Rounding
from core.catalog.currency import converted_price
from core.promotions.models import PromoKind
from core.store import Store


async def convert_codes(
    store: Store, source: str, target: str, rate: Decimal, rounding: Rounding
) -> int:
    """Convert the amounts of every code still in ``source``; how many were converted."""
    unconverted = {"currency": {"$in": [source, None]}}
    converted = 0
    async for code in store.promo_codes.find(unconverted):

        def to_target(amount: int) -> int:
            return max(1, converted_price(amount, source, target, rate, rounding))

        changes: dict[str, Any] = {"currency": target}
        if code["kind"] == PromoKind.FIXED.value:
            changes["value"] = to_target(code["value"])
        if code.get("minTotal") is not None:
            changes["minTotal"] = to_target(code["minTotal"])
        written = await store.promo_codes.update_one(
            {"_id": code["_id"], "currency": code.get("currency")},
            {"$set": changes, "$inc": {"version": 1}},
        )
        converted += written.modified_count
    return converted
