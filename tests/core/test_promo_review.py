"""Promo codes against what was built beside them: subcategories, variants, refunds."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from bson import ObjectId

from core.accounts.access import SYSTEM
from core.campaigns.commands import CampaignQuery
from core.campaigns.links import read_start
from core.catalog.commands import CategoryDraft, Rounding
from core.promotions.commands import PromoPatch
from core.promotions.conversion import convert_codes
from core.promotions.errors import PromoProblem, PromoRefused, PromoTermsRefused
from core.promotions.models import PromoCode
from core.sales.commands import CartChange, OrderFilter, StatusUpdate
from core.shop import Shop
from tests.core.paying import SHOPS, payment_of, telegram_customer
from tests.core.promos import STAFF, cart_with_code, new_code, used
from tests.core.variants import make_shirt
from tests.factories import NewProduct, NewUser


async def test_a_code_for_a_category_covers_the_products_of_its_subcategories(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    green = await shop.categories.create(SYSTEM, CategoryDraft(name="Green", parent_id=teas.id))
    await new_code(shop, "TEAS", value=50, categoryIds=[str(teas.id)])
    user = await new_user()
    sencha = await new_product(name="Sencha", price=1000, category_id=green.id)
    cake = await new_product(name="Cake", price=600)
    await cart_with_code(shop, user, cake, code="teas")
    await cart_with_code(shop, user, sencha, code="teas")
    view = await shop.cart_codes.view(user.id)
    assert view.promo is not None and (view.promo.discount, view.promo.problem) == (500, None)
    order = await shop.checkout.place_order(user.id)
    assert order.promo is not None and (order.promo.discount, order.total_amount) == (500, 1100)


async def test_a_code_for_a_product_covers_its_variants_at_their_own_prices(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product)
    await new_code(shop, "SHIRT", value=10, productIds=[str(shirt.product.id)])
    user = await new_user()
    cake = await new_product(name="Cake", price=600)
    await shop.carts.add(user.id, shirt.change(shirt.red_m))  # 1200
    await shop.carts.add(user.id, shirt.change(shirt.blue_l, 2))  # 2 x 1500
    await cart_with_code(shop, user, cake, code="shirt")
    view = await shop.cart_codes.view(user.id)
    assert view.promo is not None and view.promo.discount == 420
    order = await shop.checkout.place_order(user.id)
    assert order.promo is not None and (order.promo.discount, order.total_amount) == (
        420,
        1200 + 3000 + 600 - 420,
    )


@pytest.mark.parametrize("core_overrides", [SHOPS["stars"]])
async def test_a_paid_discounted_order_cancelled_refunds_what_was_paid_and_frees_the_use(
    shop: Shop, new_product: NewProduct
) -> None:
    """The refund is the discounted total; the use comes back (the customer got nothing
    for it: the whole payment is refunded), and the figures leave the order out."""
    promo = await new_code(shop, value=10, usageLimit=1, perCustomer=1)
    alice = await telegram_customer(shop)
    await cart_with_code(shop, alice, await new_product(price=25))
    order = await shop.checkout.place_order(alice.id)
    assert order.promo is not None and (order.promo.discount, order.total_amount) == (2, 23)
    await shop.payments.record(alice.id, payment_of(order))
    figures = await shop.promotions.get(STAFF, promo.id)
    assert (figures.orders, figures.discount_given, figures.revenue, figures.promo.used) == (
        1,
        2,
        23,
        1,
    )

    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="cancelled"))
    await shop.outbox.relay(order.id)
    job = await shop.refunds.claim()
    assert job is not None and job.amount == 23
    assert await used(shop, promo) == 0
    figures = await shop.promotions.get(STAFF, promo.id)
    assert (figures.orders, figures.discount_given, figures.revenue) == (0, 0, 0)


async def test_a_code_naming_no_such_product_or_category_is_refused_and_not_written(
    shop: Shop, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product)
    for terms in (
        {"productIds": [str(shirt.red_m.id)]},  # a variant's id, not its product's
        {"productIds": [str(shirt.product.id), str(ObjectId())]},
        {"categoryIds": [str(ObjectId())]},
    ):
        with pytest.raises(PromoTermsRefused):
            await new_code(shop, "TYPO", **terms)
        assert await shop.store.promo_codes.count_documents({}) == 0
    promo = await new_code(shop, "SHIRT", productIds=[str(shirt.product.id)])
    with pytest.raises(PromoTermsRefused):
        patch = PromoPatch.model_validate({"productIds": [str(shirt.blue_l.id)]})
        await shop.promotions.update(STAFF, promo.id, patch)
    stored = await shop.store.promo_codes.find_one({"_id": promo.id})
    assert stored is not None and (stored["productIds"], stored["version"]) == (
        [shirt.product.id],
        0,
    )


async def test_a_currency_conversion_converts_the_codes_amounts_once(shop: Shop) -> None:
    fixed = await new_code(shop, "FIVE", kind="fixed", value=500, minTotal=2000)
    await new_code(shop, "TEN", value=10, minTotal=1001)
    bare = await new_code(shop, "BARE", value=10)
    older = await new_code(shop, "OLDER", kind="fixed", value=1)
    await shop.store.promo_codes.update_one({"_id": older.id}, {"$unset": {"currency": ""}})
    assert fixed.currency == "USD"

    rate = Decimal(50)  # XTR per USD
    assert await convert_codes(shop.store, "USD", "XTR", rate, Rounding.UP) == 4
    assert await convert_codes(shop.store, "USD", "XTR", rate, Rounding.UP) == 0  # once
    stored = {
        d["code"]: (d["value"], d.get("minTotal"), d["currency"])
        async for d in shop.store.promo_codes.find({})
    }
    assert stored == {
        "FIVE": (250, 1000, "XTR"),  # 5.00 off a 20.00 minimum: 250 off 1000 stars
        "TEN": (10, 501, "XTR"),  # a percentage stays; 500.5 stars rounded up
        "BARE": (10, None, "XTR"),
        "OLDER": (1, None, "XTR"),  # 0.5 star is still one star off
    }
    assert (await shop.promotions.get(STAFF, bare.id)).promo.version == 1


async def test_a_limit_is_never_edited_below_the_uses_held(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    promo = await new_code(shop, usageLimit=5)
    tea = await new_product()
    for _ in range(3):
        user = await new_user()
        await cart_with_code(shop, user, tea)
        await shop.checkout.place_order(user.id)
    with pytest.raises(PromoTermsRefused):
        await shop.promotions.update(STAFF, promo.id, PromoPatch(usage_limit=2))
    stored = await shop.store.promo_codes.find_one({"_id": promo.id})
    assert stored is not None and (stored["usageLimit"], stored["used"]) == (5, 3)
    edited = await shop.promotions.update(STAFF, promo.id, PromoPatch(usage_limit=3))
    assert (edited.usage_limit, edited.used) == (3, 3)
    with pytest.raises(PromoRefused) as refused:
        await cart_with_code(shop, await new_user(), tea)
    assert refused.value.why is PromoProblem.USED_UP


async def test_a_limit_edited_while_a_use_is_taken_stays_above_the_uses(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edit read 1 use; a checkout takes a second before the edit writes: a limit of 1
    is refused by the write's guard, not written under the 2 uses held."""
    promo = await new_code(shop, usageLimit=5)
    await shop.store.promo_codes.update_one({"_id": promo.id}, {"$set": {"used": 1}})
    read = shop.promotions._get

    async def read_then_a_use_is_taken(promo_id: object) -> PromoCode:
        found = await read(promo_id)
        await shop.store.promo_codes.update_one({"_id": promo.id}, {"$inc": {"used": 1}})
        return found

    monkeypatch.setattr(shop.promotions, "_get", read_then_a_use_is_taken)
    with pytest.raises(PromoTermsRefused):
        await shop.promotions.update(STAFF, promo.id, PromoPatch(usage_limit=1))
    stored = await shop.store.promo_codes.find_one({"_id": promo.id})
    assert stored is not None and stored["usageLimit"] == 5


async def test_the_orders_export_names_the_code_and_its_discount(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    await new_code(shop, value=10)
    tea = await new_product(price=1250)
    plain, saver = await new_user(), await new_user()
    await shop.carts.add(plain.id, CartChange(product_id=tea.id, quantity=1))
    await shop.checkout.place_order(plain.id)
    await cart_with_code(shop, saver, tea)
    await shop.checkout.place_order(saver.id)

    export = await shop.exports.orders(STAFF, OrderFilter())
    text = b"".join([chunk async for chunk in export.chunks]).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["total"], r["promo_code"], r["discount_minor"], r["discount"]) for r in rows] == [
        ("12.50", "", "", ""),
        ("11.25", "SAVE10", "125", "1.25"),
    ]


async def test_an_order_keeps_its_campaign_and_its_code_and_the_campaign_counts_what_was_paid(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    await new_code(shop, value=10)
    alice = await new_user()
    await shop.campaigns.follow(alice.id, read_start("c-spring"))
    await cart_with_code(shop, alice, await new_product(price=1250))
    order = await shop.checkout.place_order(alice.id)
    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="paid"))
    stored = await shop.store.orders.find_one({"_id": order.id})
    assert stored is not None and (stored["campaign"], stored["promo"]["code"]) == (
        "spring",
        "SAVE10",
    )
    report = await shop.campaign_reports.figures(STAFF, CampaignQuery())
    assert [(c.campaign, c.sales, c.revenue) for c in report.campaigns] == [("spring", 1125, 1125)]
