"""The two servers measured side by side, each on its own identically seeded database."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from bson import ObjectId

from bench import seed
from bench.checkout_load import BUYERS, PLENTY, PRODUCTS
from bench.wrk import identities, write_lines
from core.accounts.access import SYSTEM
from core.promotions.commands import PromoDraft
from core.promotions.models import PromoKind
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
    promo: str = ""
    """A promo code the checkout benchmark's buyers add before each order, if any."""
    compare_to: str = ""
    """The side whose checkout this one is measured against too (``promo_pair``)."""


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


PROMO_CODE = "BENCH10"
FRESH_BUYERS_FIRST_TELEGRAM_ID = seed.FIRST_TELEGRAM_ID + 10_000_000


async def promo_pair(shop: Shop, side: Side, folder: Path, scarce: int) -> list[Side]:
    """Checkout once more on ``side``'s server, plain and then with every buyer adding a
    promo code (10 % off, no limits) before each order: each with buyers and products of
    its own, seeded as ``prepare`` seeds them, and both after the server and the engine
    warmed up on the runs before, so their ratio is the cost of the code alone."""
    await shop.promotions.create(
        SYSTEM, PromoDraft(code=PROMO_CODE, kind=PromoKind.PERCENT, value=10)
    )
    plain = await _fresh(shop, side, folder, scarce, "plain", FRESH_BUYERS_FIRST_TELEGRAM_ID)
    coded = await _fresh(
        shop, side, folder, scarce, "promo", FRESH_BUYERS_FIRST_TELEGRAM_ID + BUYERS
    )
    plain = replace(plain, name=f"{side.name}, plain again")
    coded = replace(coded, name=f"{side.name} + promo code", promo=PROMO_CODE)
    return [plain, replace(coded, compare_to=plain.name)]


async def _fresh(
    shop: Shop, side: Side, folder: Path, scarce: int, tag: str, first_telegram_id: int
) -> Side:
    people = await seed.customers(shop, BUYERS, first_telegram_id)
    scarce_ids = await seed.products(shop, PRODUCTS // 2, scarce)
    plenty_ids = await seed.products(shop, PRODUCTS - PRODUCTS // 2, PLENTY)
    stock = {**dict.fromkeys(scarce_ids, scarce), **dict.fromkeys(plenty_ids, PLENTY)}
    return replace(
        side,
        buyers=write_lines(folder / f"{tag}-buyers.txt", identities(people)),
        products=write_lines(folder / f"{tag}-products.txt", stock),
        stock=stock,
    )
