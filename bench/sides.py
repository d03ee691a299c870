"""The two servers measured side by side, each on its own identically seeded database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bson import ObjectId

from bench import seed
from bench.checkout_load import BUYERS, PLENTY, PRODUCTS
from bench.wrk import identities, write_lines
from core.shop import Shop
from core.store import Store

CATALOG = 1_000
CART_READERS = 64
CART_LINES = 3
ORDER_LINES = 2


@dataclass(frozen=True)
class Side:
    name: str
    url: str
    store: Store
    readers: Path
    """Callers of GET /api/cart, each with a cart of ``CART_LINES`` lines."""
    orderers: Path
    """Callers of POST /api/orders, one per order, each with an ``ORDER_LINES``-line cart."""
    buyers: Path
    """The checkout benchmark's buyers, carts empty."""
    products: Path
    """The checkout benchmark's products, one id a line."""
    stock: dict[ObjectId, int]
    """Their stock before the run."""


async def prepare(shop: Shop, name: str, url: str, folder: Path, orders: int, scarce: int) -> Side:
    """Seed ``shop``'s database and write the files the wrk scripts read into ``folder``."""
    catalog = await seed.products(shop, CATALOG, PLENTY)
    people = await seed.customers(shop, CART_READERS + orders + BUYERS)
    readers, orderers = people[:CART_READERS], people[CART_READERS : CART_READERS + orders]
    await seed.carts(shop, readers, catalog[:CART_LINES])
    await seed.carts(shop, orderers, catalog[-ORDER_LINES:])
    scarce_ids = await seed.products(shop, PRODUCTS // 2, scarce)
    plenty_ids = await seed.products(shop, PRODUCTS - PRODUCTS // 2, PLENTY)
    stock = {**dict.fromkeys(scarce_ids, scarce), **dict.fromkeys(plenty_ids, PLENTY)}
    return Side(
        name=name,
        url=url,
        store=shop.store,
        readers=write_lines(folder / "readers.txt", identities(readers)),
        orderers=write_lines(folder / "orderers.txt", identities(orderers)),
        buyers=write_lines(folder / "buyers.txt", identities(people[-BUYERS:])),
        products=write_lines(folder / "products.txt", stock),
        stock=stock,
    )
