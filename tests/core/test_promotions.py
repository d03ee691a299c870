"""Promo codes: what they take off, who may use them, and never more uses than allowed."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from bson import ObjectId

from core.accounts.access import SYSTEM
from core.base import clock
from core.catalog.commands import CategoryDraft
from core.promotions.commands import PromoDraft, PromoEntry, PromoPatch, PromoQuery
from core.promotions.errors import (
    PromoArchived,
    PromoCodeTaken,
    PromoProblem,
    PromoRefused,
    PromoTermsRefused,
)
from core.promotions.models import PromoCode, PromoKind
from core.promotions.pricing import Line, discount
from core.promotions.uses import PromoUses
from core.sales.commands import CartChange, StatusUpdate
from core.shop import Shop
from tests.core.promos import STAFF, cart_with_code, new_code, used
from tests.factories import NewProduct, NewUser


def _code(**terms: object) -> PromoCode:
    now = clock.now()
    fields = {"_id": ObjectId(), "code": "X", "kind": "percent", "value": 10}
    return PromoCode.model_validate({**fields, **terms, "createdAt": now, "updatedAt": now})


def test_a_percentage_rounds_down_to_a_whole_minor_unit() -> None:
    lines = [Line(ObjectId(), None, 999)]
    assert discount(_code(value=15), lines, 0) == 149  # 149.85
    assert discount(_code(value=33), [Line(ObjectId(), None, 1)], 0) is PromoProblem.NOT_APPLICABLE
    # Stars: the minor unit is one star, so 10 % of 25 stars is 2 stars.
    assert discount(_code(value=10), [Line(ObjectId(), None, 25)], 0) == 2


def test_the_delivery_fee_is_discounted_only_when_the_code_says_so() -> None:
    lines = [Line(ObjectId(), None, 1000)]
    assert discount(_code(value=50), lines, 400) == 500
    assert discount(_code(value=50, includesDelivery=True), lines, 400) == 700
    fixed = _code(kind="fixed", value=5000)
    assert discount(fixed, lines, 400) == 1000  # all the lines: the fee is still paid
    assert discount(fixed, lines, 0) == 999  # a payable total remains
    assert discount(_code(kind="fixed", value=300, minTotal=1001), lines, 0) is (
        PromoProblem.MIN_TOTAL
    )


def test_a_code_limited_to_products_or_categories_covers_only_their_lines() -> None:
    tea, cake, shelf = ObjectId(), ObjectId(), ObjectId()
    lines = [Line(tea, None, 1000), Line(cake, shelf, 600)]
    assert discount(_code(value=50, productIds=[tea]), lines, 0) == 500
    assert discount(_code(value=50, categoryIds=[shelf]), lines, 0) == 300
    assert discount(_code(productIds=[ObjectId()]), lines, 0) is PromoProblem.NOT_APPLICABLE


async def test_an_order_keeps_the_code_and_its_discount_and_the_cart_lets_it_go(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    promo = await new_code(shop, "summer15", value=15)
    user, tea = await new_user(), await new_product(price=333)
    await cart_with_code(shop, user, tea, code="Summer15", quantity=3)
    view = await shop.cart_codes.view(user.id)
    assert view.promo is not None and (view.promo.code, view.promo.discount) == ("SUMMER15", 149)

    order = await shop.checkout.place_order(user.id)
    assert order.total_amount == 999 - 149
    assert order.promo is not None
    assert (order.promo.code, order.promo.discount, order.promo.code_id) == (
        "SUMMER15",
        149,
        promo.id,
    )
    assert (await shop.carts.get(user.id)).promo_code is None
    assert await used(shop, promo) == 1
    figures = await shop.promotions.get(STAFF, promo.id)
    assert (figures.orders, figures.discount_given, figures.revenue) == (1, 149, 850)


@pytest.mark.parametrize(
    ("terms", "problem"),
    [
        ({"code": "NOPE"}, PromoProblem.UNKNOWN),
        ({"endsAt": "2001-01-01T00:00:00Z"}, PromoProblem.EXPIRED),
        ({"startsAt": "2999-01-01T00:00:00Z"}, PromoProblem.NOT_STARTED),
    ],
)
async def test_a_wrong_or_expired_code_is_refused_with_its_reason_and_not_kept(
    shop: Shop,
    new_user: NewUser,
    new_product: NewProduct,
    terms: dict[str, str],
    problem: PromoProblem,
) -> None:
    await new_code(shop, **{k: v for k, v in terms.items() if k != "code"})
    user, tea = await new_user(), await new_product()
    with pytest.raises(PromoRefused) as refused:
        await cart_with_code(shop, user, tea, code=terms.get("code", "SAVE10"))
    assert refused.value.why is problem
    assert (await shop.carts.get(user.id)).promo_code is None


async def test_a_code_that_stopped_applying_is_refused_at_checkout_and_the_order_goes_without(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    promo = await new_code(shop)
    user, tea = await new_user(), await new_product()
    await cart_with_code(shop, user, tea)
    await shop.promotions.update(STAFF, promo.id, PromoPatch(state="paused"))
    view = await shop.cart_codes.view(user.id)
    assert view.promo is not None and view.promo.problem == "promo-inactive"

    with pytest.raises(PromoRefused) as refused:
        await shop.checkout.place_order(user.id)
    assert refused.value.why is PromoProblem.INACTIVE
    assert await shop.store.orders.count_documents({}) == 0
    await shop.cart_codes.remove(user.id)
    order = await shop.checkout.place_order(user.id)
    assert (order.promo, order.total_amount) == (None, tea.price)


async def test_fifty_customers_at_once_with_ten_uses_make_exactly_ten_discounted_orders(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    promo = await new_code(shop, usageLimit=10)
    tea = await new_product(stock=100)
    users = [await new_user() for _ in range(50)]
    for user in users:
        await cart_with_code(shop, user, tea)

    results = await asyncio.gather(
        *(shop.checkout.place_order(user.id) for user in users), return_exceptions=True
    )
    placed = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(placed) == 10 and all(o.promo is not None for o in placed)
    assert all(isinstance(r, PromoRefused) and r.why is PromoProblem.USED_UP for r in refused)
    assert await used(shop, promo) == 10
    # The others order without it.
    for user in users:
        if (await shop.carts.get(user.id)).products:
            await shop.cart_codes.remove(user.id)
            assert (await shop.checkout.place_order(user.id)).promo is None
    assert await shop.store.orders.count_documents({"placed": True}) == 50
    assert (await shop.catalog.get(tea.id)).stock == 50


async def test_a_customer_limit_holds_for_concurrent_takes_of_one_customer(
    shop: Shop, new_user: NewUser
) -> None:
    """Two processes taking a use for two orders of one customer at once: one wins."""
    promo = await new_code(shop, perCustomer=1)
    user = await new_user()
    uses = shop.checkout._uses
    now = clock.now()
    outcomes = await asyncio.gather(*(uses.take(ObjectId(), user.id, promo, now) for _ in range(8)))
    assert outcomes.count(None) == 1
    assert set(outcomes) - {None} == {PromoProblem.CUSTOMER_LIMIT}
    stored = await shop.store.promo_codes.find_one({"_id": promo.id})
    assert stored is not None and (stored["used"], len(stored["takenBy"])) == (1, 1)


async def test_a_customer_limit_and_first_order_only_hold_across_orders(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    await new_code(shop, "ONCE", perCustomer=1)
    await new_code(shop, "FIRST", firstOrderOnly=True)
    user, tea = await new_user(), await new_product()
    await cart_with_code(shop, user, tea, code="ONCE")
    await shop.checkout.place_order(user.id)
    for code, problem in (
        ("ONCE", PromoProblem.CUSTOMER_LIMIT),
        ("FIRST", PromoProblem.FIRST_ORDER),
    ):
        with pytest.raises(PromoRefused) as refused:
            await cart_with_code(shop, user, tea, code=code)
        assert refused.value.why is problem


async def test_a_cancelled_order_gives_its_use_back_once(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    promo = await new_code(shop, usageLimit=1, perCustomer=1)
    user, tea = await new_user(), await new_product()
    await cart_with_code(shop, user, tea)
    order = await shop.checkout.place_order(user.id)
    assert await used(shop, promo) == 1

    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="cancelled"))
    assert await used(shop, promo) == 0
    assert await shop.recover(at=clock.now() + timedelta(days=1)) == 0
    assert await used(shop, promo) == 0
    stored = await shop.store.orders.find_one({"_id": order.id})
    assert stored is not None and stored["promo"]["returned"] is True
    figures = await shop.promotions.get(STAFF, promo.id)
    assert (figures.orders, figures.discount_given, figures.promo.used) == (0, 0, 0)
    # The customer's use came back too: they may use it again.
    await cart_with_code(shop, user, tea)
    assert (await shop.checkout.place_order(user.id)).promo is not None


async def test_staff_create_edit_pause_archive_and_list_codes_with_figures(
    shop: Shop,
) -> None:
    shelf = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    promo = await new_code(shop, "Welcome5", kind="fixed", value=500, categoryIds=[str(shelf.id)])
    assert (promo.code, promo.kind, promo.category_ids) == (
        "WELCOME5",
        PromoKind.FIXED,
        (shelf.id,),
    )
    with pytest.raises(PromoCodeTaken):
        await new_code(shop, "welcome5")
    with pytest.raises(PromoTermsRefused):
        await shop.promotions.update(STAFF, promo.id, PromoPatch(kind="percent"))  # 500 %
    late = {"code": "LATE", "kind": "fixed", "value": 1, "startsAt": "2030-01-02T00:00:00Z",
            "endsAt": "2030-01-01T00:00:00Z"}  # fmt: skip
    with pytest.raises(PromoTermsRefused):
        await shop.promotions.create(STAFF, PromoDraft.model_validate(late))
    edited = await shop.promotions.update(
        STAFF, promo.id, PromoPatch.model_validate({"value": 700, "usageLimit": 3})
    )
    assert (edited.value, edited.usage_limit, edited.version) == (700, 3, 1)
    cleared = await shop.promotions.update(
        STAFF, promo.id, PromoPatch.model_validate({"usageLimit": None})
    )
    assert (cleared.usage_limit, cleared.value) == (None, 700)
    await shop.promotions.update(STAFF, promo.id, PromoPatch(state="archived"))
    with pytest.raises(PromoArchived):
        await shop.promotions.update(STAFF, promo.id, PromoPatch(state="active"))
    assert (await shop.promotions.search(STAFF, PromoQuery())).total == 0
    listed = await shop.promotions.search(STAFF, PromoQuery(include_archived=True))
    assert [(f.promo.code, f.orders) for f in listed.items] == [("WELCOME5", 0)]


def test_a_draft_refuses_what_makes_no_sense() -> None:
    for terms in (
        {"code": "bad code!", "kind": "fixed", "value": 1},
        {"code": "OK", "kind": "percent", "value": 101},
        {"code": "OK", "kind": "fixed", "value": 0},
        {"code": "OK", "kind": "fixed", "value": 1, "endsAt": 0},
    ):  # fmt: skip
        with pytest.raises(ValueError):
            PromoDraft.model_validate(terms)
    assert PromoEntry(code=" save10 ").code == "SAVE10"


async def test_adding_products_after_the_code_is_judged_on_the_cart(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    await new_code(shop, minTotal=1000)
    user, tea = await new_user(), await new_product(price=400)
    await cart_with_code(shop, user, tea)  # kept: the minimum is about the cart
    view = await shop.cart_codes.view(user.id)
    assert view.promo is not None and view.promo.problem == "promo-min-total"
    with pytest.raises(PromoRefused):
        await shop.checkout.place_order(user.id)
    await shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=2))
    assert (await shop.checkout.place_order(user.id)).total_amount == 1200 - 120


async def test_a_code_for_one_category_discounts_only_its_lines_at_checkout(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    await new_code(shop, "TEAS", value=50, categoryIds=[str(teas.id)])
    user = await new_user()
    tea = await new_product(price=1000, category_id=teas.id)
    cake = await new_product(name="Cake", price=600)
    await shop.carts.add(user.id, CartChange(product_id=cake.id, quantity=1))
    await cart_with_code(shop, user, tea, code="teas")
    view = await shop.cart_codes.view(user.id)
    assert view.promo is not None and view.promo.discount == 500
    order = await shop.checkout.place_order(user.id)
    assert order.promo is not None and (order.promo.discount, order.total_amount) == (500, 1100)


async def test_a_use_given_back_again_and_again_frees_one(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    promo = await new_code(shop, usageLimit=5, perCustomer=1)
    user = await new_user()
    await cart_with_code(shop, user, await new_product())
    order = await shop.checkout.place_order(user.id)
    assert order.promo is not None
    uses = PromoUses(shop.store)
    for _ in range(3):  # recoveries repeating the step, two processes at once ...
        await uses.give_back(order.id, user.id, order.promo)  # placed: nothing to undo
        await uses.credit(order.id, user.id, order.promo)
    stored = await shop.store.promo_codes.find_one({"_id": promo.id})
    assert stored is not None and stored["used"] == 0
    tally = await shop.store.promo_customers.find_one({})
    assert tally is not None and (tally["used"], tally["orders"]) == (0, [])
