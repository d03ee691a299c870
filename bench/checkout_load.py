"""3. Checkout: 50 buyers over 20 products, then the books must balance.

Each buyer is one wrk thread with one connection looping "add a random product, order"
(``lua/buyers.lua``). Half the products have little stock, so they sell out mid-run and
buyers race for the last units. Afterwards, for every product, the stock taken must equal
the quantities in placed orders, and no stock may be negative.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bson import ObjectId

from bench import wrk
from bench.report import Table
from core.store import Store

if TYPE_CHECKING:
    from bench.sides import Side

BUYERS = 50
PRODUCTS = 20
PLENTY = 1_000_000
SETTLE_SECONDS = 0.5


def scarce_stock(seconds: float) -> int:
    """Stock of the scarce half: sold out part way through a run of ``seconds``."""
    return max(5, round(4 * seconds))


async def settled_audit(store: Store, initial: dict[ObjectId, int]) -> dict[str, int]:
    """``audit`` once the checkouts still running after the load stopped are done."""
    books = await audit(store, initial)
    while True:
        await asyncio.sleep(SETTLE_SECONDS)
        books, before = await audit(store, initial), books
        if books == before:
            return books


async def audit(store: Store, initial: dict[ObjectId, int]) -> dict[str, int]:
    """Placed orders, units sold, and the products whose stock does not add up."""
    sold: Counter[ObjectId] = Counter()
    placed = 0
    async for order in store.orders.find(
        {"placed": True, "products.productId": {"$in": list(initial)}}
    ):
        placed += 1
        for line in order["products"]:
            sold[line["productId"]] += line["quantity"]
    wrong = 0
    async for product in store.products.find({"_id": {"$in": list(initial)}}):
        taken = initial[product["_id"]] - product["stock"]
        if product["stock"] < 0 or taken != sold[product["_id"]]:
            wrong += 1
    unfinished = await store.orders.count_documents({"placed": False})
    discounted = await store.orders.count_documents(
        {"placed": True, "promo": {"$exists": True}, "products.productId": {"$in": list(initial)}}
    )
    return {
        "orders": placed,
        "discounted": discounted,
        "units": sum(sold.values()),
        "unbalanced": wrong,
        "unfinished": unfinished,
    }


async def measure(sides: Sequence[Side], seconds: float) -> tuple[Table, dict[str, Any]]:
    """``sides``: the shop, then the bare baseline, then (optionally) the shop again plain
    and with a promo code in every order, the latter also as a ratio to the former."""
    table = Table(
        f"Checkout, {BUYERS} buyers over {PRODUCTS} products, {seconds:.0f} s",
        ["server", "orders/s", "ratio", "requests/s", "units sold", "oversold products",
         "unfinished orders"],
    )  # fmt: skip
    data: dict[str, Any] = {}
    for side in sides:
        load = await wrk.run(
            side.url,
            "buyers",
            seconds=seconds,
            connections=BUYERS,
            threads=BUYERS,
            identities=str(side.buyers),
            products=str(side.products),
            promo=side.promo,
        )
        books = await settled_audit(side.store, side.stock)
        data[side.name] = {**books, "orders_per_second": books["orders"] / load.seconds,
                      "requests_per_second": load.per_second}  # fmt: skip
    for name, figures in data.items():
        ratio = figures["orders_per_second"] / data["bare"]["orders_per_second"]
        table.add(name, figures["orders_per_second"], ratio, figures["requests_per_second"],
                  figures["units"], figures["unbalanced"], figures["unfinished"])  # fmt: skip
    table.notes.append(
        f"Half the products start with {scarce_stock(seconds)} units, half with {PLENTY}; "
        "'oversold' counts products whose stock taken differs from the units in placed orders."
    )
    for side in sides:
        if side.compare_to:
            plain, coded = data[side.compare_to], data[side.name]
            coded["ratio_to_plain"] = coded["orders_per_second"] / plain["orders_per_second"]
            table.notes.append(
                f"With a promo code ({side.name}: each buyer adds {side.promo} before ordering, "
                f"{coded['discounted']} of {coded['orders']} orders discounted): "
                f"{coded['ratio_to_plain']:.2f} x the orders/s of '{side.compare_to}', the run "
                "just before it on the same server."
            )
    return table, data
