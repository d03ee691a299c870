"""Delivery details: configured methods, validation, the order's snapshot and its fee,
the details kept for next time; nothing written when they are refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.accounts.models import User
from core.base import clock
from core.base.commands import parse
from core.base.errors import InvalidInput
from core.catalog.models import Product
from core.config import CoreSettings
from core.sales.commands import CartChange, DeliveryDetails
from core.sales.delivery import normalise_phone
from core.sales.models import Order
from core.shop import Shop
from tests.core.crashes import LEASE, Killed, checkout_on, dying_store
from tests.factories import NewProduct, NewUser
from tests.settings import DELIVERY_METHODS, TEST_SECRET

COURIER = {"method": "courier", "phone": "+44 20 7946 0958", "address": "1 High St, London"}


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    return {"delivery_methods": DELIVERY_METHODS}


def details(**fields: Any) -> DeliveryDetails:
    return parse(DeliveryDetails, {**COURIER, **fields})


async def _cart_with_tea(shop: Shop, new_user: NewUser, new_product: NewProduct) -> User:
    user = await new_user(name="Alice")
    tea = await new_product(price=450, stock=10)
    await shop.carts.add(user.id, CartChange(product_id=tea.id, quantity=2))
    return user


def _fields(error: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {".".join(map(str, e.loc)): e.message for e in error.value.errors}


@pytest.mark.parametrize(
    ("typed", "region", "stored"),
    [
        ("+44 20 7946 0958", None, "+442079460958"),
        ("+1 (202) 555-0143", None, "+12025550143"),
        ("(202) 555-0143", "US", "+12025550143"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("447400123456", None, None),  # a shared contact without "+" is the bot's to fix
        ("(202) 555-0143", None, None),  # national, but whose?
        ("+1 000 000 0000", None, None),
        ("+44 12", None, None),
        ("call me", None, None),
    ],
)
def test_phones_are_stored_in_e164(typed: str, region: str | None, stored: str | None) -> None:
    if stored is None:
        with pytest.raises(ValueError, match="not a valid phone number"):
            normalise_phone(typed, region)
    else:
        assert normalise_phone(typed, region) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("+44 20 7946 0958 ext. 123", "digits only"),  # was stored without the extension
        ("+44 20 7946 0958;ext=123", "digits only"),
        ("+44 20 7946 0958 #123", "extension"),
        ("+1 800 FLOWERS", "digits only"),  # was stored as +18003569377
        ("+44 909 879 0000", "premium-rate"),
        ("+1 900 555 0100", "premium-rate"),
    ],
)
def test_what_nobody_means_as_their_phone_is_refused(typed: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalise_phone(typed)


def test_what_people_type_for_a_real_phone_is_kept() -> None:
    assert normalise_phone("+7 800 555-35-35") == "+78005553535"  # toll-free: callable
    assert normalise_phone("+44 (0)20 7946.0958") == "+442079460958"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("address", "1 High St\u202e, London"),  # a bidi override would reorder it for staff
        ("address", "1 High St\x00"),
        ("address", "   "),
        ("address", "x" * 301),
        ("note", "ring twice\u200b"),
        ("note", "x" * 501),
        ("phone", "+44 20 7946 0958" + " " * 20),
        ("method", "Courier"),
        ("recipientName", "\u2066Eve"),
    ],
)
def test_display_text_of_odd_or_excessive_shape_is_refused(field: str, value: str) -> None:
    with pytest.raises(InvalidInput) as error:
        details(**{field: value})
    assert field in _fields(error)


def test_text_is_trimmed_and_may_hold_line_breaks() -> None:
    given = details(address="  1 High St\nLondon \n", note="\nGate code 42\n")
    assert (given.address, given.note) == ("1 High St\nLondon", "Gate code 42")


def test_markup_is_kept_as_text_for_entrypoints_to_escape() -> None:
    assert details(note="<b>hi</b> & <a href='x'>").note == "<b>hi</b> & <a href='x'>"


def test_each_wrong_detail_is_named(shop: Shop) -> None:
    with pytest.raises(InvalidInput) as error:
        shop.delivery.snapshot(details(address=None, phone="12"), "Alice")
    assert set(_fields(error)) == {"address", "phone"}
    with pytest.raises(InvalidInput) as error:
        shop.delivery.snapshot(details(method="drone"), "Alice")
    assert _fields(error) == {"method": "is not offered: choose one of pickup, courier"}
    with pytest.raises(InvalidInput) as error:
        shop.delivery.snapshot(details(method="pickup"), "Alice")
    assert _fields(error) == {"address": "is not taken by Pickup"}
    with pytest.raises(InvalidInput) as error:
        shop.delivery.snapshot(None, "Alice")
    assert _fields(error) == {"method": "is required: choose one of pickup, courier"}


async def test_an_order_keeps_a_snapshot_and_its_total_includes_the_fee(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await _cart_with_tea(shop, new_user, new_product)

    order = await shop.checkout.place_order(user.id, delivery=details(note="Gate 4"))

    assert order.total_amount == 2 * 450 + 500
    assert order.delivery is not None
    assert order.delivery.model_dump() == {
        "method": "courier",
        "title": "Courier",
        "fee": 500,
        "info": "",
        "recipient_name": "Alice",
        "phone": "+442079460958",
        "address": "1 High St, London",
        "note": "Gate 4",
    }
    saved = (await shop.users.get(user.id)).last_delivery
    assert saved is not None and saved.at == order.created_at
    assert shop.delivery.reusable(saved) == details(recipient_name="Alice", phone="+442079460958")


async def test_pickup_has_no_fee_and_names_the_recipient(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    user = await _cart_with_tea(shop, new_user, new_product)
    pickup = details(method="pickup", address=None, recipient_name="Bob")

    order = await shop.checkout.place_order(user.id, delivery=pickup)

    assert order.total_amount == 900
    assert order.delivery is not None
    assert (order.delivery.recipient_name, order.delivery.info) == ("Bob", "12 Market St, 9 to 6")


@pytest.mark.parametrize(
    "given",
    [None, {"method": "courier", "phone": "+44 20 7946 0958"}, {**COURIER, "phone": "555"}],
)
async def test_refused_details_write_nothing(
    shop: Shop, new_user: NewUser, new_product: NewProduct, given: dict[str, Any] | None
) -> None:
    user = await _cart_with_tea(shop, new_user, new_product)
    cart = await shop.store.carts.find_one({"userId": user.id})

    with pytest.raises(InvalidInput):
        await shop.checkout.place_order(
            user.id, "key", delivery=None if given is None else parse(DeliveryDetails, given)
        )

    assert await shop.store.orders.count_documents({}) == 0
    assert await shop.store.counters.count_documents({}) == 0
    assert await shop.store.carts.find_one({"userId": user.id}) == cart
    products = [Product.model_validate(p) async for p in shop.store.products.find()]
    assert [p.stock for p in products] == [10]
    assert (await shop.users.get(user.id)).last_delivery is None


async def test_a_shop_without_methods_orders_as_before_and_refuses_details(
    new_user: NewUser, new_product: NewProduct, shop: Shop
) -> None:
    plain = Shop.build(shop.settings.model_copy(update={"delivery_methods": ()}), shop.client)
    user = await _cart_with_tea(plain, new_user, new_product)

    with pytest.raises(InvalidInput, match="does not deliver"):
        await plain.checkout.place_order(user.id, delivery=details())
    order = await plain.checkout.place_order(user.id)

    assert (order.total_amount, order.delivery) == (900, None)
    stored = await plain.store.orders.find_one({"_id": order.id})
    assert stored is not None and "delivery" not in stored


async def test_older_details_never_replace_newer_ones(shop: Shop, new_user: NewUser) -> None:
    user = await new_user()
    now = (await shop.users.get(user.id)).created_at
    newer = shop.delivery.snapshot(details(address="2 New Rd"), "Alice")
    older = shop.delivery.snapshot(details(address="1 Old Rd"), "Alice")
    assert newer is not None and older is not None

    await shop.delivery.remember(user.id, newer, now)
    await shop.delivery.remember(user.id, older, now - timedelta(minutes=1))  # e.g. by recovery

    saved = (await shop.users.get(user.id)).last_delivery
    assert saved is not None and saved.address == "2 New Rd"


async def test_saved_details_are_offered_only_while_their_method_fits(
    shop: Shop, new_user: NewUser
) -> None:
    user = await new_user()
    snapshot = shop.delivery.snapshot(details(), "Alice")
    assert snapshot is not None
    await shop.delivery.remember(user.id, snapshot, user.created_at)
    saved = (await shop.users.get(user.id)).last_delivery

    pickup_only = [DELIVERY_METHODS[0], {**DELIVERY_METHODS[1], "needsAddress": False}]
    changed = Shop.build(shop.settings.model_copy(update={"delivery_methods": ()}), shop.client)
    assert changed.delivery.reusable(saved) is None
    reconfigured = CoreSettings(
        _env_file=None,
        jwt_secret=TEST_SECRET,
        delivery_methods=pickup_only,
    )
    assert Shop.build(reconfigured, shop.client).delivery.reusable(saved) is None


@pytest.mark.parametrize(
    ("methods", "problem"),
    [
        ([DELIVERY_METHODS[0], DELIVERY_METHODS[0]], "twice"),
        ([{"code": "Pickup", "title": "Pickup"}], "pattern"),
        ([{"code": "x", "title": "X", "fee": -1}], "greater than or equal"),
        ([{"code": "x", "title": "X", "needs_adress": True}], "Extra inputs"),
        ([{"code": f"m{n}", "title": "M"} for n in range(9)], "at most 8"),
    ],
)
def test_misconfigured_methods_stop_startup(methods: list[dict[str, Any]], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        CoreSettings(_env_file=None, jwt_secret=TEST_SECRET, delivery_methods=methods)


async def test_a_checkout_killed_at_any_write_keeps_the_details_with_its_order(
    shop: Shop, new_user: NewUser, new_product: NewProduct
) -> None:
    for writes in range(40):
        user = await _cart_with_tea(shop, new_user, new_product)
        checkout = checkout_on(shop, dying_store(shop.store, writes))
        try:
            await checkout.place_order(user.id, "key", delivery=details())
        except Killed:
            killed = True
        else:
            killed = False
        await shop.recover(at=clock.now() + LEASE + timedelta(seconds=1))

        orders = [
            Order.model_validate(o) async for o in shop.store.orders.find({"userId": user.id})
        ]
        saved = (await shop.users.get(user.id)).last_delivery
        if orders:  # rolled forward: the snapshot, the fee in the total, the details kept
            [order] = orders
            assert order.delivery is not None and order.total_amount == 900 + 500
            assert saved is not None and saved.at == order.created_at
        else:
            assert saved is None
        if not killed:
            break
    else:
        pytest.fail("the checkout never completed within the write budget")
