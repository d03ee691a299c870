"""Carts: one per user, changed only by version-guarded single-document updates.

A checkout holds the cart it is ordering with a claim (``checkout``: the order's id and a
lease) that only one checkout at a time can set; the lines stay editable meanwhile, and
settling the order takes its lines out and lets go of the claim in one write.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from core.accounts.access import SYSTEM
from core.base import clock
from core.base.errors import Missing, NotFound, VersionConflict
from core.catalog.models import Product
from core.catalog.products import Catalog
from core.catalog.variants.models import label, sells
from core.catalog.variants.service import Variants
from core.sales.commands import MAX_LINE_QUANTITY, CartChange, CartRemoval
from core.sales.errors import LineLimit, LinesLimit, OutOfStock
from core.sales.models import Cart, CartItem, CartLine, CartView, CheckoutClaim, OrderLine
from core.store import Store

MAX_LINES = 50
MAX_ATTEMPTS = 20
SETTLED_ORDERS_KEPT = 20

Lines = tuple[CartLine, ...]


@dataclass(frozen=True)
class CartRead:
    """A cart as an earlier read in the same request found it (``core/sales/visits.py``), to
    start from instead of reading it again; ``document`` is ``None`` if there was none."""

    document: dict[str, Any] | None


class Carts:
    def __init__(self, store: Store, catalog: Catalog) -> None:
        self._carts = store.carts
        self._catalog = catalog
        self._variants = Variants(store, catalog)

    async def get(self, user_id: ObjectId) -> Cart:
        return _cart(user_id, await self._carts.find_one({"userId": user_id}))

    async def view(self, user_id: ObjectId, seen: CartRead | None = None) -> CartView:
        """The cart joined with each product's current name, price and stock; ``seen``:
        the cart as just read, if it was."""
        cart = await self.get(user_id) if seen is None else _cart(user_id, seen.document)
        return await self.view_of(cart)

    async def view_of(self, cart: Cart) -> CartView:
        products = await self._catalog.many(line.product_id for line in cart.products)
        variants = await self._variants.many(line.variant_id for line in cart.products)
        items = []
        for line in cart.products:
            product = products.get(line.product_id)
            variant = variants.get(line.variant_id) if line.variant_id else None
            if product is None or (line.variant_id and variant is None):
                continue
            price = product.price if variant is None else variant.unit_price(product)
            items.append(
                CartItem(
                    product_id=product.id,
                    name=label(product, variant),
                    unit_price=price,
                    currency=product.currency,
                    quantity=line.quantity,
                    line_total=price * line.quantity,
                    stock=product.stock if variant is None else variant.stock,
                    active=sells(product, variant),
                    variant_id=line.variant_id,
                    variant_name=None if variant is None else variant.name,
                    digital=product.digital and product.digital.kind,
                    category_id=product.category_id,
                )
            )
        return CartView(
            user_id=cart.user_id,
            items=tuple(items),
            total_amount=sum(item.line_total for item in items),
            currency=self._catalog.currency,
            version=cart.version,
            promo_code=cart.promo_code,
        )

    async def add(self, user_id: ObjectId, change: CartChange) -> CartView:
        """Add ``change.quantity`` of a product; an existing line grows. The cart as it is
        now."""
        _, cart = await self._add(user_id, change, None)
        return await self.view_of(cart)

    async def add_product(
        self, user_id: ObjectId, change: CartChange, seen: CartRead | None = None
    ) -> Product:
        """``add``, answered with the product added (one read less than the whole cart);
        ``seen``: the cart as just read, if it was."""
        product, _ = await self._add(user_id, change, seen)
        return product

    async def _add(
        self, user_id: ObjectId, change: CartChange, seen: CartRead | None
    ) -> tuple[Product, Cart]:
        product = await self._catalog.get(change.product_id)
        variant = await self._variants.chosen(product, change.variant_id)
        stock = product.stock if variant is None else variant.stock

        def grow(lines: Lines) -> Lines:
            current = _quantity(lines, product.id, change.variant_id)
            wanted = current + change.quantity
            if wanted > MAX_LINE_QUANTITY:
                raise LineLimit(MAX_LINE_QUANTITY)
            if wanted > stock:
                raise OutOfStock([label(product, variant)])
            if not current and len(lines) >= MAX_LINES:
                raise LinesLimit(MAX_LINES)
            return _with_quantity(lines, product.id, wanted, change.variant_id)

        return product, await self._mutate(user_id, grow, seen=seen)

    async def set_quantity(
        self, user_id: ObjectId, change: CartChange, seen: CartRead | None = None
    ) -> CartView:
        """Set a line that is already in the cart to exactly ``change.quantity``."""
        product = await self._catalog.get(change.product_id, viewer=SYSTEM)
        variant = await self._variants.one(change.variant_id)
        stock = product.stock if variant is None else variant.stock

        def replace(lines: Lines) -> Lines:
            if not _quantity(lines, product.id, change.variant_id):
                raise NotFound(Missing.CART_LINE)
            if change.quantity > stock:
                raise OutOfStock([label(product, variant)])
            return _with_quantity(lines, product.id, change.quantity, change.variant_id)

        return await self.view_of(await self._mutate(user_id, replace, seen=seen))

    async def remove(
        self, user_id: ObjectId, removal: CartRemoval, seen: CartRead | None = None
    ) -> CartView:
        def drop(lines: Lines) -> Lines:
            if not _quantity(lines, removal.product_id, removal.variant_id):
                raise NotFound(Missing.CART_LINE)
            return _with_quantity(lines, removal.product_id, 0, removal.variant_id)

        return await self.view_of(await self._mutate(user_id, drop, seen=seen))

    async def clear(self, user_id: ObjectId, seen: CartRead | None = None) -> CartView:
        return await self.view_of(await self._mutate(user_id, lambda lines: (), seen=seen))

    async def set_promo_code(self, user_id: ObjectId, code: str | None) -> None:
        """Keep ``code`` (checked by ``core/promotions``) on the cart, or drop it; a new
        version, so a summary shown before asks to be reviewed again."""
        now = clock.now()
        change: dict[str, Any] = {"$inc": {"version": 1}, "$set": {"updatedAt": now}}
        if code is None:
            change["$unset"] = {"promoCode": ""}
        else:
            change["$set"]["promoCode"] = code
        for _ in range(2):  # a concurrent first write of the cart: then it exists
            with contextlib.suppress(DuplicateKeyError):
                await self._carts.update_one(
                    {"userId": user_id},
                    {**change, "$setOnInsert": {"products": [], "createdAt": now}},
                    upsert=True,
                )
                return

    async def claim(self, user_id: ObjectId, claim: CheckoutClaim) -> tuple[Cart, CartRead] | None:
        """Hold the cart for the checkout of ``claim.order_id``, in one atomic write.

        Returns the cart as it was at that instant (a consistent copy, on every engine) and
        as the claim left it (for ``settle`` to start from), or ``None`` when another
        checkout holds it or there is no cart.
        """
        held = claim.model_dump(by_alias=True)
        before = await self._carts.find_one_and_update(
            {"userId": user_id, "checkout": None}, {"$set": {"checkout": held}}
        )
        if before is None:
            return None
        return Cart.model_validate(before), CartRead({**before, "checkout": held})

    async def release(self, user_id: ObjectId, order_id: ObjectId) -> None:
        """Let go of the cart if the checkout of ``order_id`` still holds it."""
        document = await self._carts.find_one({"userId": user_id}, {"checkout": 1})
        claim = None if document is None else document.get("checkout")
        if claim is not None and claim["orderId"] == order_id:
            # The whole claim in the filter: the same fields as the claim's index.
            await self._carts.update_one(
                {"userId": user_id, "checkout": claim}, {"$unset": {"checkout": ""}}
            )

    async def expired_claims(self, at: datetime) -> list[tuple[ObjectId, CheckoutClaim]]:
        """The claims whose lease ran out before ``at``, with their carts' users."""
        held = await self._carts.find({"checkout.leaseUntil": {"$lt": at}}).to_list()
        return [(d["userId"], CheckoutClaim.model_validate(d["checkout"])) for d in held]

    async def settle(
        self,
        user_id: ObjectId,
        order_id: ObjectId,
        ordered: Sequence[OrderLine],
        seen: CartRead | None = None,
        promo_code: str | None = None,
    ) -> None:
        """Take an order's lines out of the cart and let go of its claim, in one write, once
        per order even if called again; ``seen``: the cart as the claim left it, if known;
        ``promo_code``: the code the order used, dropped from the cart too."""

        def subtract(lines: Lines) -> Lines:
            for line in ordered:
                left = max(0, _quantity(lines, line.product_id, line.variant_id) - line.quantity)
                lines = _with_quantity(lines, line.product_id, left, line.variant_id)
            return lines

        await self._mutate(user_id, subtract, once_for=order_id, seen=seen, used_code=promo_code)

    async def _mutate(
        self,
        user_id: ObjectId,
        change: Callable[[Lines], Lines],
        *,
        once_for: ObjectId | None = None,
        seen: CartRead | None = None,
        used_code: str | None = None,
    ) -> Cart:
        """Apply ``change`` to the lines with optimistic concurrency (compare and set); the
        cart as written. The first attempt starts from ``seen``, if given."""
        for attempt in range(MAX_ATTEMPTS):
            if attempt:  # lost a race: let the winner finish before reading again
                await asyncio.sleep(random.uniform(0, 0.002 * attempt))  # noqa: S311 - jitter
            document = (
                seen.document
                if attempt == 0 and seen is not None
                else await self._carts.find_one({"userId": user_id})
            )
            if document is None:
                await self._create(user_id)
                continue
            settled: list[ObjectId] = document.get("settledOrders", [])
            cart = Cart.model_validate(document)
            if once_for is not None and once_for in settled:
                return cart
            lines = change(cart.products)
            update: dict[str, Any] = {
                "products": [line.model_dump(by_alias=True, exclude_none=True) for line in lines],
                "updatedAt": clock.now(),
            }
            write: dict[str, Any] = {"$set": update, "$inc": {"version": 1}}
            checkout = cart.checkout
            if once_for is not None:
                update["settledOrders"] = [*settled, once_for][-SETTLED_ORDERS_KEPT:]
                if checkout is not None and checkout.order_id == once_for:
                    write["$unset"], checkout = {"checkout": ""}, None
                if used_code is not None and cart.promo_code == used_code:
                    write.setdefault("$unset", {})["promoCode"] = ""
            # Guard on every field the change was computed from, not just the version:
            # the embedded engine's reads are not isolated from a concurrent write.
            guard = {
                "_id": document["_id"],
                "version": cart.version,
                "products": document["products"],
                "settledOrders": document.get("settledOrders"),
                "checkout": document.get("checkout"),
                "promoCode": document.get("promoCode"),
            }
            result = await self._carts.update_one(guard, write)
            if result.matched_count:
                changed = {"products": lines, "version": cart.version + 1, "checkout": checkout}
                if "promoCode" in write.get("$unset", {}):
                    changed["promo_code"] = None
                return cart.model_copy(update=changed)
        raise VersionConflict("cart")

    async def _create(self, user_id: ObjectId) -> None:
        now = clock.now()
        with contextlib.suppress(DuplicateKeyError):  # created concurrently: just as good
            await self._carts.insert_one(
                {
                    "userId": user_id,
                    "products": [],
                    "version": 0,
                    "createdAt": now,
                    "updatedAt": now,
                }
            )


def _cart(user_id: ObjectId, document: dict[str, Any] | None) -> Cart:
    return Cart(user_id=user_id) if document is None else Cart.model_validate(document)


def _quantity(lines: Lines, product_id: ObjectId, variant_id: ObjectId | None = None) -> int:
    return sum(
        line.quantity
        for line in lines
        if line.product_id == product_id and line.variant_id == variant_id
    )


def _with_quantity(
    lines: Lines, product_id: ObjectId, quantity: int, variant_id: ObjectId | None = None
) -> Lines:
    """``lines`` with the line of the product (and variant) set to ``quantity`` (appended,
    or dropped at 0)."""

    def ours(line: CartLine) -> bool:
        return line.product_id == product_id and line.variant_id == variant_id

    kept = [line for line in lines if not ours(line)]
    if quantity <= 0:
        return tuple(kept)
    new = CartLine(product_id=product_id, quantity=quantity, variant_id=variant_id)
    if len(kept) == len(lines):
        return (*lines, new)
    return tuple(new if ours(line) else line for line in lines)
