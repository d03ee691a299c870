"""Prices stored in another currency than SHOP_CURRENCY stop startup; a deliberate,
recorded conversion reprices them, and survives being killed mid-way."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.base.errors import Conflict, InvalidInput
from core.catalog.commands import Rounding
from core.catalog.currency import convert, converted_price
from core.config import ConfigError
from core.shop import Shop, open_shop
from tests.core.crashes import Killed, dying_store
from tests.core.variants import make_shirt
from tests.factories import NewProduct
from tests.settings import make_settings

PRICES = (1000, 1010, 1100, 1300)


@pytest.mark.parametrize(
    ("amount", "source", "target", "rate", "rounding", "expected"),
    [
        (650, "USD", "XTR", "50", Rounding.UP, 325),
        (655, "USD", "XTR", "50", Rounding.UP, 328),  # 327.5
        (655, "USD", "XTR", "50", Rounding.DOWN, 327),
        (655, "USD", "XTR", "50", Rounding.NEAREST, 328),
        (333, "XTR", "USD", "0.013", Rounding.NEAREST, 433),  # 4.329 dollars
        (1500, "JPY", "EUR", "0.0061", Rounding.DOWN, 915),
    ],
)
def test_a_price_is_converted_in_major_units_with_the_rounding_asked(
    amount: int, source: str, target: str, rate: str, rounding: Rounding, expected: int
) -> None:
    assert converted_price(amount, source, target, Decimal(rate), rounding) == expected


async def test_a_shop_whose_prices_are_in_another_currency_refuses_to_start(
    shop: Shop, mongo_uri: str, new_product: NewProduct
) -> None:
    for name in ("Green tea", "Mug", "Honey", "Cake", "Jam", "Pot"):
        await new_product(name, price=650)
    stars = make_settings(
        mongodb_database=shop.settings.mongodb_database,
        shop_currency="XTR",
        payment_methods="stars",
    )
    with pytest.raises(ConfigError) as refused:
        async with open_shop(stars, mongo_uri):
            pass
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(
        "configuration error: SHOP_CURRENCY is XTR but 6 products are priced in USD "
        "(Green tea, Mug, Honey, Cake, Jam and 1 more); convert them deliberately: "
        "python -m runtime convert-currency --from USD --to XTR"
    )
    assert await shop.store.products.count_documents({"price": 650, "currency": "USD"}) == 6

    await convert(shop.store, "USD", "XTR", Decimal(50), Rounding.UP)
    async with open_shop(stars, mongo_uri, check_prices=True) as opened:
        prices = [(p["price"], p["currency"]) for p in await opened.store.products.find().to_list()]
    assert prices == [(325, "XTR")] * 6


async def test_a_conversion_killed_mid_way_finishes_when_run_again(
    shop: Shop, new_product: NewProduct
) -> None:
    products = [await new_product(f"Tea {n}", price=price) for n, price in enumerate(PRICES)]
    half_done = False
    for writes in range(20):  # each run is killed after one write more than the last
        store = dying_store(shop.store, writes)
        try:
            await convert(store, "USD", "XTR", Decimal("0.5"), Rounding.NEAREST)
        except Killed:
            currencies = {p["currency"] for p in await shop.store.products.find().to_list()}
            half_done |= currencies == {"USD", "XTR"}
            if await shop.store.conversions.count_documents({}):  # not at another rate now
                with pytest.raises(Conflict, match=r"again with --from USD --to XTR --rate 0\.5 "):
                    await convert(shop.store, "USD", "XTR", Decimal("0.6"), Rounding.NEAREST)
            continue
        break
    assert half_done, "no kill landed between two products"

    stored = {p["_id"]: p for p in await shop.store.products.find().to_list()}
    assert [(stored[p.id]["price"], stored[p.id]["currency"]) for p in products] == [
        (5, "XTR"),  # $10.00 at 0.5 Stars a dollar
        (5, "XTR"),  # 5.05
        (6, "XTR"),  # 5.5, half up
        (7, "XTR"),  # 6.5
    ]
    runs = await shop.store.conversions.find().to_list()
    assert len(runs) == 1 and "finishedAt" in runs[0]
    assert (runs[0]["source"], runs[0]["target"], runs[0]["rate"]) == ("USD", "XTR", "0.5")
    assert runs[0]["converted"] == len(products)
    for product in products:  # each converted once, with what it was before
        [record] = stored[product.id]["conversions"]
        assert (record["run"], record["currency"], record["price"]) == (
            runs[0]["_id"],
            "USD",
            product.price,
        )


async def test_a_rate_that_prices_something_at_nothing_is_refused(
    shop: Shop, new_product: NewProduct
) -> None:
    await new_product("Sweet", price=1)
    with pytest.raises(InvalidInput, match="would cost nothing: Sweet"):
        await convert(shop.store, "USD", "XTR", Decimal("0.5"), Rounding.DOWN)
    with pytest.raises(InvalidInput, match="positive"):
        await convert(shop.store, "USD", "XTR", Decimal(0), Rounding.UP)
    assert await shop.store.conversions.count_documents({}) == 0
    assert (await shop.store.products.find_one({}) or {})["currency"] == "USD"


async def test_a_variants_own_price_is_converted_once_with_its_product_even_when_killed(
    shop: Shop, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product)  # M/Red at the product's 1200, L/Blue 1500
    for writes in range(20):  # each run is killed after one write more than the last
        try:
            await convert(dying_store(shop.store, writes), "USD", "XTR", Decimal(50), Rounding.UP)
        except Killed:
            continue
        break
    await convert(shop.store, "USD", "XTR", Decimal(50), Rounding.UP)  # again: nothing left

    product = await shop.store.products.find_one({"_id": shirt.product.id})
    red_m = await shop.store.variants.find_one({"_id": shirt.red_m.id})
    blue_l = await shop.store.variants.find_one({"_id": shirt.blue_l.id})
    assert product is not None and red_m is not None and blue_l is not None
    assert (product["price"], product["currency"]) == (600, "XTR")
    assert red_m.get("price") is None  # still the product's, now 600 Stars
    assert blue_l["price"] == 750  # $15.00 at 50 Stars a dollar, converted once
    [record] = blue_l["conversions"]
    assert (record["currency"], record["price"]) == ("USD", 1500)


async def test_a_rate_that_prices_a_variant_at_nothing_is_refused(
    shop: Shop, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product)
    await shop.store.variants.update_one({"_id": shirt.blue_l.id}, {"$set": {"price": 1}})
    with pytest.raises(InvalidInput, match=r"would cost nothing: T-shirt \(L, Blue\)"):
        await convert(shop.store, "USD", "XTR", Decimal("0.5"), Rounding.DOWN)
    assert await shop.store.conversions.count_documents({}) == 0
