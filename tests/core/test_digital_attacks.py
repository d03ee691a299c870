"""Digital goods against the rest of the shop: a cart of digital goods only takes no
delivery details (nor fee) in a shop that delivers; a product sold by variant cannot be
digital, nor a digital product get options."""

from __future__ import annotations

from typing import Any

import pytest

from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role
from core.base.errors import InvalidInput
from core.catalog.commands import ProductDraft, ProductPatch
from core.catalog.errors import DigitalByVariant
from core.catalog.models import Product
from core.catalog.variants.commands import OptionsChange
from core.digital.errors import InvalidGoodsFile
from core.digital.pool import parse_keys
from core.sales.commands import CartChange, DeliveryDetails
from core.sales.errors import DigitalNotShipped, FreeDigitalGoods
from core.sales.models import PaymentMethod, PaymentOutcome
from core.shop import Shop
from tests.core.paying import SHOPS, payment_of, telegram_customer
from tests.core.promos import cart_with_code, new_code
from tests.settings import DELIVERY_METHODS

ADMIN = Actor(None, Role.ADMIN)
COURIER = DeliveryDetails(method="courier", phone="+44 20 7946 0958", address="1 High St")


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    return {**SHOPS["stars"], "delivery_methods": DELIVERY_METHODS}


async def _product(shop: Shop, name: str, price: int, keys: str | None = None) -> Product:
    product = await shop.catalog.create(SYSTEM, ProductDraft(name=name, price=price, stock=5))
    if keys is not None:
        await shop.keys.add_text(ADMIN, product.id, keys)
    return await shop.catalog.get(product.id)


async def test_a_cart_of_digital_goods_only_is_ordered_without_delivery(shop: Shop) -> None:
    game = await _product(shop, "Game", 30, keys="K-1\nK-2")
    alice = await telegram_customer(shop)
    await shop.carts.add(alice.id, CartChange(product_id=game.id, quantity=1))
    with pytest.raises(DigitalNotShipped):  # nothing to ship: no address, no courier fee
        await shop.checkout.place_order(alice.id, "with-details", delivery=COURIER)
    assert await shop.store.orders.count_documents({}) == 0

    order = await shop.checkout.place_order(alice.id, "without")
    assert order.delivery is None and order.total_amount == 30


async def test_a_cart_with_shipped_goods_still_needs_delivery(shop: Shop) -> None:
    game = await _product(shop, "Game", 30, keys="K-1")
    mug = await _product(shop, "Mug", 100)
    alice = await telegram_customer(shop)
    for product in (game, mug):
        await shop.carts.add(alice.id, CartChange(product_id=product.id, quantity=1))
    with pytest.raises(InvalidInput) as refused:
        await shop.checkout.place_order(alice.id, "without")
    assert [error.loc for error in refused.value.errors] == [("method",)]

    order = await shop.checkout.place_order(alice.id, "with", delivery=COURIER)
    assert order.delivery is not None and order.total_amount == 30 + 100 + 500


async def test_a_product_sold_by_variant_is_never_digital(shop: Shop) -> None:
    shirt = await _product(shop, "Shirt", 40)
    sizes = OptionsChange(options={"Size": ["S", "M"]})
    await shop.variants.set_options(ADMIN, shirt.id, sizes)
    with pytest.raises(DigitalByVariant):
        await shop.keys.add_text(ADMIN, shirt.id, "K-1")
    with pytest.raises(DigitalByVariant):
        await shop.goods_files.attach(ADMIN, shirt.id, "book.pdf", b"%PDF")
    stored = await shop.catalog.get(shirt.id)
    assert (stored.digital, stored.stock) == (None, 5)
    assert await shop.store.goods_keys.count_documents({}) == 0
    assert await shop.store.goods_files.count_documents({}) == 0

    game = await _product(shop, "Game", 30, keys="K-1")
    with pytest.raises(DigitalByVariant):
        await shop.variants.set_options(ADMIN, game.id, sizes)
    assert (await shop.catalog.get(game.id)).options == ()
    await shop.variants.set_options(ADMIN, game.id, OptionsChange(options={}))  # none: fine


async def test_options_set_while_keys_are_counted_in_keep_the_product_not_digital(
    shop: Shop,
) -> None:
    """The guarded write refuses a product that got options after it was read."""
    shirt = await _product(shop, "Shirt", 40)
    read = await shop.catalog.get(shirt.id)
    await shop.variants.set_options(ADMIN, shirt.id, OptionsChange(options={"Size": ["S"]}))
    with pytest.raises(DigitalByVariant):
        await shop.keys._count_in(read, "batch-1", 1)
    assert (await shop.catalog.get(shirt.id)).digital is None


async def test_a_promo_code_on_a_stars_only_order_takes_whole_stars(shop: Shop) -> None:
    game = await _product(shop, "Game", 7, keys="K-1\nK-2")
    await new_code(shop, "SAVE15", value=15)
    alice = await telegram_customer(shop)
    await cart_with_code(shop, alice, game, "SAVE15", quantity=2)
    order = await shop.checkout.place_order(alice.id)
    assert order.promo is not None and order.promo.discount == 2  # 15% of 14 is 2.1 stars
    assert order.total_amount == 12
    invoice = await shop.payments.invoice_for(alice.id, order.id, PaymentMethod.STARS)
    assert [(p.amount, p.label) for p in invoice.prices] == [(12, f"Order #{order.number}")]
    outcome = await shop.payments.record(alice.id, payment_of(order))
    assert outcome is PaymentOutcome.PAID
    assert len(await shop.keys.of_order(order.id)) == 2  # both units get their key


async def test_an_order_of_a_product_archived_since_still_gets_its_goods(shop: Shop) -> None:
    game = await _product(shop, "Game", 30, keys="K-1\nK-2")
    book = await _product(shop, "Book", 20)
    await shop.goods_files.attach(ADMIN, book.id, "book.pdf", b"%PDF")
    alice = await telegram_customer(shop)
    for product in (game, book):
        await shop.carts.add(alice.id, CartChange(product_id=product.id, quantity=1))
    order = await shop.checkout.place_order(alice.id)
    for product in (game, book):
        await shop.catalog.archive(ADMIN, product.id)
    assert await shop.payments.record(alice.id, payment_of(order)) is PaymentOutcome.PAID
    goods = await shop.deliveries.resend(alice.id, order.id)
    [key] = goods.lines[0].keys
    assert key in ("K-1", "K-2") and goods.lines[1].keys == ()
    assert goods.lines[1].file is not None and goods.lines[1].file.name == "book.pdf"
    [free] = await shop.store.goods_keys.find({"state": "free"}).to_list()
    assert shop.keys.open(free) != key  # the other key stays in the pool


def test_a_quoted_csv_key_is_read_whole() -> None:
    text = 'key,note\n"GIFT,2024-A",first\n  C-1 , note\n"D""E"\nplain-key\n"unclosed\n'
    assert parse_keys(text) == ["GIFT,2024-A", "C-1", 'D"E', "plain-key", "unclosed"]


async def test_free_digital_goods_cannot_be_ordered_unpayable(shop: Shop) -> None:
    """Telegram takes no invoice of 0 Stars, and digital goods take no other payment."""
    gift = await _product(shop, "Gift", 0, keys="K-1")
    alice = await telegram_customer(shop)
    await shop.carts.add(alice.id, CartChange(product_id=gift.id, quantity=1))
    with pytest.raises(FreeDigitalGoods):
        await shop.checkout.place_order(alice.id)
    assert await shop.store.orders.count_documents({}) == 0
    assert (await shop.catalog.get(gift.id)).stock == 1
    mug = await _product(shop, "Mug", 100)
    await shop.carts.add(alice.id, CartChange(product_id=mug.id, quantity=1))
    order = await shop.checkout.place_order(alice.id, delivery=COURIER)  # a mug to pay for
    assert order.total_amount == 100 + 500


async def test_a_goods_file_name_that_disguises_its_type_is_refused(shop: Shop) -> None:
    """U+202E shows "invoice\u202efdp.exe" as "invoiceexe.pdf" in the buyer's chat."""
    book = await _product(shop, "Book", 20)
    for name in ("invoice\u202efdp.exe", "a/b.pdf", "x" * 129, " "):
        with pytest.raises(InvalidGoodsFile):
            await shop.goods_files.attach(ADMIN, book.id, name, b"%PDF")
    assert (await shop.catalog.get(book.id)).digital is None
    assert await shop.store.goods_files.count_documents({}) == 0


async def test_new_keys_or_a_file_tell_those_waiting_and_rearm_the_low_stock_alert(
    shop: Shop,
) -> None:
    """At once, as any restock does: not a lease later, when recovery finds it."""
    game = await _product(shop, "Game", 30, keys="K-1")
    book = await _product(shop, "Book", 20)
    await shop.catalog.update(ADMIN, book.id, ProductPatch(stock=0))
    alice = await telegram_customer(shop)
    await shop.carts.add(alice.id, CartChange(product_id=game.id, quantity=1))
    order = await shop.checkout.place_order(alice.id)  # the last key: sold out, low stock
    assert (await shop.store.products.find_one({"_id": game.id}) or {}).get("lowStock")
    for product in (game, book):
        assert await shop.restock_alerts.watch(alice.id, product.id)
    await shop.payments.record(alice.id, payment_of(order))

    await shop.keys.add_text(ADMIN, game.id, "\n".join(f"K-{n}" for n in range(2, 20)))
    await shop.goods_files.attach(ADMIN, book.id, "book.pdf", b"%PDF")

    alerts = await shop.store.notifications.find({"kind": "back_in_stock"}).to_list()
    assert sorted(a["productId"] for a in alerts) == sorted([game.id, book.id])
    assert not (await shop.store.products.find_one({"_id": game.id}) or {}).get("lowStock")
