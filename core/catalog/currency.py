"""The shop's currency and the prices stored in another: money never changes meaning silently.

A product's price is an amount in its own ``currency``. If ``SHOP_CURRENCY`` changes, the
stored prices are still in the old one, and selling them in the new one (650 cents sold as
650 Stars) would be wrong. So every process refuses to start while any product is priced
in another currency than the shop's (``currency_mismatch``, checked by ``open_shop``),
naming the products and the command that converts them.

The conversion (``convert``, ``python -m runtime convert-currency``) is deliberate and
recorded. A run is a document in ``conversions`` (from, to, rate, rounding, when it started
and finished, how many prices it changed); each product is converted by one guarded write
(still priced in the old currency, at the price that was read) that also records, on the
product, the run, the old price and currency. Killed mid-way, it is run again with the
same arguments and converts what is left: an unfinished run with other arguments is
refused, so no catalog is half converted at one rate and half at another. A variant's own
price (``core/catalog/variants/``) is in its product's currency and is converted by the
same run, recorded on the variant the same way. Orders keep the currency they were placed
in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from bson import ObjectId

from core.base import clock
from core.base.errors import Conflict, InvalidInput
from core.base.money import exponent
from core.catalog.commands import Rounding
from core.store import Store

NAMES_SHOWN = 5
"""Products named in the startup refusal; the rest are counted."""


_MODES = {Rounding.UP: ROUND_CEILING, Rounding.DOWN: ROUND_FLOOR, Rounding.NEAREST: ROUND_HALF_UP}


@dataclass(frozen=True)
class Conversion:
    """What a finished conversion run did."""

    id: ObjectId
    source: str
    target: str
    rate: Decimal
    rounding: Rounding
    converted: int


def converted_price(
    amount: int, source: str, target: str, rate: Decimal, rounding: Rounding
) -> int:
    """``amount`` minor units of ``source`` in minor units of ``target``, where one major
    unit of ``source`` is worth ``rate`` major units of ``target``."""
    major = Decimal(amount).scaleb(-exponent(source)) * rate
    return int(major.scaleb(exponent(target)).quantize(Decimal(1), rounding=_MODES[rounding]))


async def currency_mismatch(store: Store, currency: str) -> str | None:
    """Why the shop cannot start while products are priced in another currency than
    ``currency`` (one line naming them and the command that converts them), or None."""
    others = store.products.find({"currency": {"$ne": currency}}, {"name": 1, "currency": 1})
    stale = await others.to_list()
    if not stale:
        return None
    sources = sorted({product["currency"] for product in stale})
    names = ", ".join(product["name"] for product in stale[:NAMES_SHOWN])
    more = f" and {len(stale) - NAMES_SHOWN} more" if len(stale) > NAMES_SHOWN else ""
    command = (
        f"python -m runtime convert-currency --from {sources[0]} --to {currency} "
        f"--rate <{currency} per {sources[0]}> --round up|down|nearest"
    )
    return (
        f"configuration error: SHOP_CURRENCY is {currency} but {len(stale)} products are "
        f"priced in {' and '.join(sources)} ({names}{more}); convert them deliberately: "
        f"{command}, or set SHOP_CURRENCY back"
    )


async def convert(
    store: Store, source: str, target: str, rate: Decimal, rounding: Rounding
) -> Conversion:
    """Reprice every product priced in ``source`` into ``target`` (see the module's
    docstring); the run, finished."""
    if source == target:
        raise InvalidInput("The currencies are the same.")
    if not rate.is_finite() or rate <= 0:
        raise InvalidInput("The rate must be a positive number.")
    products = await store.products.find({"currency": source}, {"price": 1, "name": 1}).to_list()
    names = {p["_id"]: p["name"] for p in products}
    priced = [(p["name"], p["price"]) for p in products]
    async for variant in store.variants.find(_OWN_PRICE | {"productId": {"$in": list(names)}}):
        priced.append((f"{names[variant['productId']]} ({variant['name']})", variant["price"]))
    too_cheap = [
        name for name, price in priced if converted_price(price, source, target, rate, rounding) < 1
    ]
    if too_cheap:
        raise InvalidInput(
            f"At this rate these would cost nothing: {', '.join(too_cheap[:NAMES_SHOWN])}."
        )
    run = await _run(store, source, target, rate, rounding)
    for product in products:
        price = converted_price(product["price"], source, target, rate, rounding)
        await store.products.update_one(
            {"_id": product["_id"], "currency": source, "price": product["price"]},
            {
                "$set": {"price": price, "currency": target, "updatedAt": clock.now()},
                "$inc": {"version": 1},
                "$push": {
                    "conversions": {"run": run, "currency": source, "price": product["price"]}
                },
            },
        )
    await _convert_variants(store, run, source, target, rate, rounding)
    converted = await store.products.count_documents({"conversions.run": run})
    await store.conversions.update_one(
        {"_id": run}, {"$set": {"finishedAt": clock.now(), "converted": converted}}
    )
    return Conversion(run, source, target, rate, rounding, converted)


_OWN_PRICE: dict[str, Any] = {"price": {"$ne": None}}
"""Variants with a price of their own (the others cost what their product costs)."""


async def _convert_variants(
    store: Store, run: ObjectId, source: str, target: str, rate: Decimal, rounding: Rounding
) -> None:
    """A variant's own price is in its product's currency: the variants of the products
    this run converted are converted by it too, each by one write guarded like a product's
    and recorded on the variant, so a run killed and resumed converts each once."""
    converted = [p["_id"] async for p in store.products.find({"conversions.run": run}, {"_id": 1})]
    pending = _OWN_PRICE | {"productId": {"$in": converted}, "conversions.run": {"$ne": run}}
    async for variant in store.variants.find(pending, {"price": 1}):
        await store.variants.update_one(
            {"_id": variant["_id"], "price": variant["price"], "conversions.run": {"$ne": run}},
            {
                "$set": {
                    "price": converted_price(variant["price"], source, target, rate, rounding),
                    "updatedAt": clock.now(),
                },
                "$inc": {"version": 1},
                "$push": {
                    "conversions": {"run": run, "currency": source, "price": variant["price"]}
                },
            },
        )


async def _run(
    store: Store, source: str, target: str, rate: Decimal, rounding: Rounding
) -> ObjectId:
    """The unfinished run with these arguments (resumed), or a new one."""
    wanted: dict[str, Any] = {
        "source": source,
        "target": target,
        "rate": str(rate),
        "rounding": rounding.value,
    }
    unfinished = await store.conversions.find_one({"finishedAt": {"$exists": False}})
    if unfinished is not None:
        if {key: unfinished[key] for key in wanted} != wanted:
            raise Conflict(
                "An earlier conversion did not finish: run it again with --from "
                f"{unfinished['source']} --to {unfinished['target']} --rate "
                f"{unfinished['rate']} --round {unfinished['rounding']}."
            )
        return ObjectId(unfinished["_id"])
    run = ObjectId()
    await store.conversions.insert_one({"_id": run, **wanted, "startedAt": clock.now()})
    return run
