"""A customer's promo code on the cart: added once checked, shown with what it takes off
the lines now (or why checkout would refuse it), dropped on request or once an order
used it (``Carts.settle``)."""

from __future__ import annotations

from bson import ObjectId

from core.promotions.codes import Promotions
from core.promotions.commands import PromoEntry
from core.promotions.pricing import Line
from core.sales.carts import CartRead, Carts
from core.sales.models import CartView


class CartCodes:
    def __init__(self, promotions: Promotions, carts: Carts) -> None:
        self._promotions = promotions
        self._carts = carts

    async def add(self, user_id: ObjectId, entry: PromoEntry) -> CartView:
        """Keep the code on the cart, or ``PromoRefused`` when no cart could use it now
        (unknown, paused, not started, expired, used up, used by this customer already).
        What the cart holds (a minimum, products it covers) is judged on each view."""
        promo = await self._promotions.check_entry(user_id, entry.code)
        await self._carts.set_promo_code(user_id, promo.code)
        return await self.view(user_id)

    async def remove(self, user_id: ObjectId) -> CartView:
        await self._carts.set_promo_code(user_id, None)
        return await self.view(user_id)

    async def view(self, user_id: ObjectId, seen: CartRead | None = None) -> CartView:
        """``Carts.view`` with the code's discount."""
        return await self.quoted(await self._carts.view(user_id, seen))

    async def quoted(self, view: CartView, fee: int = 0) -> CartView:
        """``view`` with what its code takes off now (``fee``: the delivery fee chosen)."""
        if view.promo_code is None:
            return view
        lines = [Line(i.product_id, i.category_id, i.line_total) for i in view.items]
        quote = await self._promotions.quote(view.user_id, view.promo_code, lines, fee)
        return view.model_copy(update={"promo": quote})
