"""4. Growth: how latency grows with the data, one caller at a time, in this process.

Catalog page (20 newest) and product lookup at each catalog size, next to the same
PyMongo queries made bare; checkout with few and with many orders in the collection.
Every latency is the median of ``samples`` calls; ratios are against the smallest size.
"""

from __future__ import annotations

import math
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bson import ObjectId

from bench import seed
from bench.report import Table
from bench.stage import shop_on
from core.catalog.commands import ProductQuery, ProductSort
from core.catalog.products import SORTS
from core.sales.commands import CartChange
from core.shop import Shop

PLENTY = 1_000_000
PAGE = 20
ORDER_LINES = 2


async def median_ms(samples: int, call: Callable[[], Awaitable[object]]) -> float:
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        await call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def slope(sizes: Sequence[int], timings: Sequence[float]) -> float:
    """Log-log slope between the smallest and largest size: 0 flat, 1 linear."""
    return math.log(timings[-1] / timings[0]) / math.log(sizes[-1] / sizes[0])


async def catalog_at(shop: Shop, size: int, samples: int) -> dict[str, float]:
    ids = await seed.products(shop, size, PLENTY)
    products = shop.store.products
    query = ProductQuery(limit=PAGE)
    rng = random.Random(size)  # noqa: S311 - picks products, not secrets

    async def bare_page() -> object:
        await products.count_documents({"active": True})
        cursor = products.find({"active": True}).sort(SORTS[ProductSort.NEWEST]).limit(PAGE)
        return await cursor.to_list()

    return {
        "page_ms": await median_ms(samples, lambda: shop.catalog.list(query)),
        "bare_page_ms": await median_ms(samples, bare_page),
        "lookup_ms": await median_ms(samples, lambda: shop.catalog.get(rng.choice(ids))),
        "bare_lookup_ms": await median_ms(
            samples, lambda: products.find_one({"_id": rng.choice(ids)})
        ),
    }


async def checkout_with(shop: Shop, orders: int, samples: int) -> float:
    """Median checkout latency with ``orders`` orders (of other customers) stored."""
    products = await seed.products(shop, ORDER_LINES, PLENTY)
    (buyer,) = await seed.customers(shop, 1)

    async def fill_cart() -> None:
        for product_id in products:
            await shop.carts.add(buyer.user_id, CartChange(product_id=product_id, quantity=1))

    await fill_cart()
    first = await shop.checkout.place_order(buyer.user_id)
    template = await shop.store.orders.find_one({"_id": first.id})
    assert template is not None
    others = [ObjectId() for _ in range(1_000)]
    await seed.clone(
        shop.store.orders,
        template,
        [
            {"number": 1_000_000 + n, "userId": others[n % len(others)],
             "idempotencyKey": uuid.uuid4().hex}
            for n in range(orders - 1)
        ],
    )  # fmt: skip
    timings = []
    for _ in range(samples):
        await fill_cart()
        timings.append(await median_ms(1, lambda: shop.checkout.place_order(buyer.user_id)))
    return statistics.median(timings)


async def measure(
    uri: str, catalog_sizes: Sequence[int], order_counts: Sequence[int], samples: int
) -> tuple[list[Table], dict[str, Any]]:
    catalog: dict[int, dict[str, float]] = {}
    for size in catalog_sizes:
        async with shop_on(uri, f"bench_growth_{size}") as shop:
            catalog[size] = await catalog_at(shop, size, samples)
    checkout: dict[int, float] = {}
    for count in order_counts:
        async with shop_on(uri, f"bench_orders_{count}") as shop:
            checkout[count] = await checkout_with(shop, count, samples)
    smallest = catalog[catalog_sizes[0]]
    pages = Table(
        f"Growth: catalog (median of {samples} calls, one caller)",
        ["products", "page ms", "page vs smallest", "bare page ms", "lookup ms",
         "lookup vs smallest", "bare lookup ms"],
    )  # fmt: skip
    for size, figures in catalog.items():
        pages.add(
            size,
            figures["page_ms"],
            figures["page_ms"] / smallest["page_ms"],
            figures["bare_page_ms"],
            figures["lookup_ms"],
            figures["lookup_ms"] / smallest["lookup_ms"],
            figures["bare_lookup_ms"],
        )
    slopes = {
        name: slope(catalog_sizes, [catalog[size][name] for size in catalog_sizes])
        for name in ("page_ms", "bare_page_ms", "lookup_ms", "bare_lookup_ms")
    }
    pages.notes.append(
        "Log-log slope smallest to largest (0 flat, 1 linear): "
        + ", ".join(f"{name.removesuffix('_ms')} {value:.2f}" for name, value in slopes.items())
    )
    orders = Table(
        f"Growth: checkout of a {ORDER_LINES}-line cart (median of {samples}, one caller)",
        ["orders stored", "checkout ms", "vs fewest"],
    )
    for count, latency in checkout.items():
        orders.add(count, latency, latency / checkout[order_counts[0]])
    data = {"catalog": catalog, "catalog_slopes": slopes, "checkout_ms": checkout}
    return [pages, orders], data
