"""Variants: sold only by variant, stock guarded per variant, orders keep their snapshot."""

import asyncio
from datetime import timedelta

import pytest

from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role
from core.base.commands import parse
from core.base.errors import InvalidInput, NotFound, VersionConflict
from core.catalog.commands import ImportOptions, ProductDraft, ProductPatch
from core.catalog.errors import SkuTaken, StockOutOfRange
from core.catalog.variants.commands import (
    OptionsChange,
    VariantDraft,
    VariantPatch,
    VariantQuery,
)
from core.catalog.variants.errors import (
    ChooseVariant,
    OptionsInUse,
    OptionsMismatch,
    VariantTaken,
)
from core.sales.commands import CartChange, CartRemoval, StatusUpdate
from core.sales.errors import OutOfStock, ProductUnavailable
from core.sales.models import Order, OrderStatus, PaymentMethod
from core.shop import Shop, open_shop
from tests.core.paying import SHOPS, telegram_customer
from tests.core.variants import make_shirt, variant_stock
from tests.factories import NewProduct, NewUser, product_maker
from tests.settings import make_settings
from tests.sheets import csv_file

STAFF = Actor(None, Role.OPERATOR)


async def test_a_product_with_options_is_sold_only_by_variant(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product)
    user = await new_user()

    with pytest.raises(ChooseVariant):
        await shop.carts.add(user.id, CartChange(product_id=shirt.product.id))
    tea = await new_product("Tea")
    with pytest.raises(NotFound) as no_such:  # a variant of another product
        await shop.carts.add(user.id, CartChange(product_id=tea.id, variant_id=shirt.red_m.id))
    assert no_such.value.reason == "no-such-variant"
    assert (await shop.carts.get(user.id)).products == ()

    await shop.carts.add(user.id, shirt.change(shirt.red_m, 2))
    await shop.carts.add(user.id, shirt.change(shirt.blue_l, 1))
    view = await shop.carts.add(user.id, shirt.change(shirt.red_m, 1))

    assert [(i.name, i.unit_price, i.quantity, i.variant_name) for i in view.items] == [
        ("T-shirt (M, Red)", 1200, 3, "M, Red"),
        ("T-shirt (L, Blue)", 1500, 1, "L, Blue"),
    ]
    assert view.total_amount == 3 * 1200 + 1500


async def test_checkout_takes_each_variants_stock_and_names_it_in_the_order(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product)
    user = await new_user()
    await shop.carts.add(user.id, shirt.change(shirt.red_m, 2))
    await shop.carts.add(user.id, shirt.change(shirt.blue_l, 1))

    order = await shop.checkout.place_order(user.id)

    assert [(ln.name, ln.variant_id, ln.variant_name, ln.unit_price) for ln in order.products] == [
        ("T-shirt (M, Red)", shirt.red_m.id, "M, Red", 1200),
        ("T-shirt (L, Blue)", shirt.blue_l.id, "L, Blue", 1500),
    ]
    assert order.total_amount == 2 * 1200 + 1500
    assert (await variant_stock(shop, shirt.red_m), await variant_stock(shop, shirt.blue_l)) == (
        3,
        4,
    )
    stored = await shop.store.variants.find_one({"_id": shirt.red_m.id})
    assert stored is not None and stored["reservedBy"] == []
    assert (await shop.carts.view(user.id)).is_empty

    # Cancelling gives each variant its stock back, once.
    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="cancelled"))
    assert (await variant_stock(shop, shirt.red_m), await variant_stock(shop, shirt.blue_l)) == (
        5,
        5,
    )


async def test_forty_buyers_of_one_variant_never_oversell_it(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product, stock=10)
    buyers = [await new_user(name=f"Buyer {n}") for n in range(40)]
    for buyer in buyers:
        await shop.carts.add(buyer.id, shirt.change(shirt.red_m))
    # The other variant is untouched by the rush on this one.

    results = await asyncio.gather(
        *(shop.checkout.place_order(buyer.id) for buyer in buyers), return_exceptions=True
    )

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if not isinstance(r, Order)]
    assert len(placed) == 10
    assert len(refused) == 30 and all(isinstance(r, OutOfStock) for r in refused)
    assert all("T-shirt (M, Red)" in str(r) for r in refused)
    assert await variant_stock(shop, shirt.red_m) == 0
    assert await variant_stock(shop, shirt.blue_l) == 10
    assert await shop.store.orders.count_documents({}) == 10


async def test_cart_lines_of_two_variants_change_and_go_one_at_a_time(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product)
    user = await new_user()
    await shop.carts.add(user.id, shirt.change(shirt.red_m, 1))
    await shop.carts.add(user.id, shirt.change(shirt.blue_l, 1))

    view = await shop.carts.set_quantity(user.id, shirt.change(shirt.blue_l, 4))
    assert [i.quantity for i in view.items] == [1, 4]
    with pytest.raises(OutOfStock):
        await shop.carts.set_quantity(user.id, shirt.change(shirt.blue_l, 6))
    removal = CartRemoval(product_id=shirt.product.id, variant_id=shirt.red_m.id)
    view = await shop.carts.remove(user.id, removal)
    assert [i.variant_id for i in view.items] == [shirt.blue_l.id]
    with pytest.raises(NotFound):
        await shop.carts.remove(user.id, removal)


async def test_an_archived_variant_is_hidden_and_refused_but_orders_keep_it(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product)
    early, late = await new_user(), await new_user(name="Bob")
    await shop.carts.add(early.id, shirt.change(shirt.red_m))
    order = await shop.checkout.place_order(early.id)
    await shop.carts.add(late.id, shirt.change(shirt.red_m))

    archived = await shop.variants.archive(SYSTEM, shirt.red_m.id)

    assert archived.active is False
    assert [v.id for v in await shop.variants.offered(shirt.product)] == [shirt.blue_l.id]
    listed = await shop.variants.of_product(shirt.product.id, VariantQuery())
    assert [v.id for v in listed.items] == [shirt.blue_l.id]
    everything = VariantQuery(include_inactive=True)
    staff_list = await shop.variants.of_product(shirt.product.id, everything, viewer=SYSTEM)
    assert len(staff_list.items) == 2
    assert len((await shop.variants.of_product(shirt.product.id, everything)).items) == 1
    with pytest.raises(NotFound):
        await shop.variants.get(shirt.red_m.id)
    assert (await shop.variants.get(shirt.red_m.id, viewer=STAFF)).active is False
    new_buyer = await new_user(name="Carol")
    with pytest.raises(NotFound):
        await shop.carts.add(new_buyer.id, shirt.change(shirt.red_m))
    with pytest.raises(ProductUnavailable, match=r"T-shirt \(M, Red\)"):
        await shop.checkout.place_order(late.id)
    kept = await shop.orders.get(STAFF, order.id)
    assert kept.products == order.products


async def test_stock_is_set_and_adjusted_with_the_version_checked(
    shop: Shop, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product)
    red_m = shirt.red_m

    changed = await shop.variants.update(SYSTEM, red_m.id, VariantPatch(stock_delta=3))
    assert (changed.stock, changed.version) == (8, 1)
    with pytest.raises(VersionConflict):
        await shop.variants.update(
            SYSTEM, red_m.id, VariantPatch(stock=1, expected_version=red_m.version)
        )
    with pytest.raises(StockOutOfRange):
        await shop.variants.update(SYSTEM, red_m.id, VariantPatch(stock_delta=-9))
    priced = await shop.variants.update(
        SYSTEM, red_m.id, VariantPatch(stock=2, price=999, expected_version=1)
    )
    assert (priced.stock, priced.price, priced.unit_price(shirt.product)) == (2, 999, 999)
    cleared = await shop.variants.update(SYSTEM, red_m.id, VariantPatch(price=None))
    assert cleared.price is None and cleared.unit_price(shirt.product) == 1200
    with pytest.raises(Exception, match="role"):
        await shop.variants.update(STAFF, red_m.id, VariantPatch(stock=1))


async def test_skus_are_unique_across_products_and_variants(
    shop: Shop, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product)
    await new_product("Mug", sku="MUG-1")
    with pytest.raises(SkuTaken):
        await shop.variants.update(SYSTEM, shirt.red_m.id, VariantPatch(sku="mug-1"))
    red = await shop.variants.update(SYSTEM, shirt.red_m.id, VariantPatch(sku="tee-m-red"))
    assert red.sku == "TEE-M-RED"
    with pytest.raises(SkuTaken):
        await shop.catalog.create(SYSTEM, ProductDraft(name="X", price=1, sku="TEE-M-RED"))
    with pytest.raises(SkuTaken):
        await shop.catalog.update(SYSTEM, shirt.product.id, ProductPatch(sku="Tee-M-Red"))
    with pytest.raises(SkuTaken):
        await shop.variants.create(
            SYSTEM,
            shirt.product.id,
            VariantDraft(options={"Size": "S", "Colour": "Red"}, sku="TEE-M-RED"),
        )
    assert await shop.store.variants.count_documents({"productId": shirt.product.id}) == 2


async def test_variants_must_fit_the_options_and_options_their_variants(
    shop: Shop, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product)
    pid = shirt.product.id

    for options in ({"Size": "M"}, {"Size": "XL", "Colour": "Red"}, {"Size": "M", "Fit": "x"}):
        with pytest.raises(OptionsMismatch):
            await shop.variants.create(SYSTEM, pid, VariantDraft(options=options))
    with pytest.raises(VariantTaken):
        await shop.variants.create(
            SYSTEM, pid, VariantDraft(options={"Colour": "Red", "Size": "M"})
        )
    plain = await new_product("Mug")
    with pytest.raises(OptionsMismatch):
        await shop.variants.create(SYSTEM, plain.id, VariantDraft(options={}))
    with pytest.raises(InvalidInput):
        parse(OptionsChange, {"options": {"Size": ["S", "S"]}})
    merged = parse(OptionsChange, {"options": {"Size": ["S", " S", "M"]}})
    assert merged.options == {"Size": ["S", "M"]}

    fewer_sizes = OptionsChange(options={"Size": ["S", "L"], "Colour": ["Red", "Blue"]})
    with pytest.raises(OptionsInUse):
        await shop.variants.set_options(SYSTEM, pid, fewer_sizes)
    await shop.variants.archive(SYSTEM, shirt.red_m.id)
    product = await shop.variants.set_options(SYSTEM, pid, fewer_sizes)
    assert [o.values for o in product.options] == [("S", "L"), ("Red", "Blue")]
    with pytest.raises(VersionConflict):
        stale = fewer_sizes.model_copy(update={"expected_version": shirt.product.version})
        await shop.variants.set_options(SYSTEM, pid, stale)


async def test_a_product_with_options_counts_its_variants_stock(
    shop: Shop, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product, stock=4)
    tea = await new_product("Tea", stock=7)
    await shop.variants.update(SYSTEM, shirt.blue_l.id, VariantPatch(active=False))

    shown = await shop.variants.as_offered([shirt.product, tea])

    assert [p.stock for p in shown] == [4, 7]


async def test_a_product_with_options_is_listed_at_the_lowest_price_it_can_be_bought_at(
    shop: Shop, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product, stock=4)  # M/Red 12.00, L/Blue 15.00
    assert [p.price for p in await shop.variants.as_offered([shirt.product])] == [1200]
    await shop.variants.update(SYSTEM, shirt.red_m.id, VariantPatch(stock=0))
    assert [p.price for p in await shop.variants.as_offered([shirt.product])] == [1500]
    await shop.variants.update(SYSTEM, shirt.blue_l.id, VariantPatch(price=0))
    assert [p.price for p in await shop.variants.as_offered([shirt.product])] == [0]
    await shop.variants.update(SYSTEM, shirt.blue_l.id, VariantPatch(stock=0))
    assert [p.price for p in await shop.variants.as_offered([shirt.product])] == [1200]


async def test_a_line_that_no_longer_fits_the_products_options_cannot_be_ordered(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    """Options defined after the product was put in a cart: the plain line is unavailable;
    options dropped after a variant was: the variant's line is."""
    shirt = await make_shirt(shop, new_product)
    mug = await new_product("Mug", stock=3)
    early, late = await new_user(), await new_user(name="Bob")
    await shop.carts.add(early.id, CartChange(product_id=mug.id))
    await shop.variants.set_options(SYSTEM, mug.id, OptionsChange(options={"Colour": ["White"]}))
    with pytest.raises(ProductUnavailable, match="Mug"):
        await shop.checkout.place_order(early.id)

    await shop.carts.add(late.id, shirt.change(shirt.red_m))
    for variant in (shirt.red_m, shirt.blue_l):
        await shop.variants.archive(SYSTEM, variant.id)
    await shop.variants.set_options(SYSTEM, shirt.product.id, OptionsChange(options={}))
    with pytest.raises(OptionsMismatch):  # its values are no longer the product's
        await shop.variants.update(SYSTEM, shirt.red_m.id, VariantPatch(active=True))
    with pytest.raises(ProductUnavailable, match=r"T-shirt \(M, Red\)"):
        await shop.checkout.place_order(late.id)
    assert await variant_stock(shop, shirt.red_m) == 5
    assert (await shop.catalog.get(mug.id)).stock == 3


async def test_the_invoice_names_the_variant_and_charges_its_price(mongo_uri: str) -> None:
    settings = make_settings(**SHOPS["provider"])
    async with open_shop(settings, mongo_uri) as shop:
        alice = await telegram_customer(shop)
        shirt = await make_shirt(shop, product_maker(shop))
        await shop.carts.add(alice.id, shirt.change(shirt.blue_l, 2))
        order = await shop.checkout.place_order(alice.id)
        invoice = await shop.payments.invoice_for(alice.id, order.id, PaymentMethod.PROVIDER)
        await shop.client.drop_database(settings.mongodb_database)
    assert [(p.label, p.amount) for p in invoice.prices] == [("T-shirt (L, Blue) x 2", 3000)]
    assert "T-shirt (L, Blue) x 2" in invoice.description


async def test_an_order_left_unpaid_gives_its_variants_stock_back_once(mongo_uri: str) -> None:
    settings = make_settings(**SHOPS["provider"], order_payment_minutes=30)
    async with open_shop(settings, mongo_uri) as shop:
        alice = await telegram_customer(shop)
        shirt = await make_shirt(shop, product_maker(shop))
        await shop.carts.add(alice.id, shirt.change(shirt.red_m, 3))
        order = await shop.checkout.place_order(alice.id)
        taken = await variant_stock(shop, shirt.red_m)
        due = order.created_at + timedelta(minutes=30)
        expired = [await shop.payments.expire_unpaid(at=due) for _ in range(2)]
        returned = await variant_stock(shop, shirt.red_m)
        status = (await shop.orders.get(STAFF, order.id)).status
        await shop.client.drop_database(settings.mongodb_database)
    assert (taken, expired, returned, status) == (2, [1, 0], 5, OrderStatus.CANCELLED)


async def test_an_import_row_with_a_variants_sku_is_refused(
    shop: Shop, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product)
    await shop.variants.update(SYSTEM, shirt.red_m.id, VariantPatch(sku="TEE-M-RED"))
    sheet = csv_file(
        ["tee-m-red", "Red tee", "", "9", 1, "", "", ""], ["MUG-1", "Mug", "", "5", 2, "", "", ""]
    )

    report = await shop.imports.run(SYSTEM, sheet, ImportOptions(partial=True))

    assert [(p.row, p.column, p.reason) for p in report.problems] == [(2, "sku", "sku-taken")]
    assert (report.created, report.refused) == (1, 1)
    assert await shop.store.products.count_documents({"sku": "TEE-M-RED"}) == 0


async def test_a_product_and_a_variant_racing_for_one_sku_never_both_get_it(
    shop: Shop, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product)
    sizes = ("S", "L")
    for n, size in enumerate(sizes):
        sku = f"RACE-{n}"
        variant = VariantDraft(options={"Size": size, "Colour": "Red"}, sku=sku)
        results = await asyncio.gather(
            shop.catalog.create(SYSTEM, ProductDraft(name=f"Mug {n}", price=1, sku=sku)),
            shop.variants.create(SYSTEM, shirt.product.id, variant),
            return_exceptions=True,
        )
        assert all(not isinstance(r, Exception) or isinstance(r, SkuTaken) for r in results)
        holders = await shop.store.products.count_documents({"sku": sku})
        holders += await shop.store.variants.count_documents({"sku": sku})
        assert holders <= 1
        assert holders == sum(not isinstance(r, Exception) for r in results)
