"""A product's digital goods on its back-office page: keys typed or uploaded as a file
(counted free, sold, returned; never shown), the file uploaded and replaced (its name and
size shown), a key product's stock not set by hand; refusals beside their form with nothing
written; no forms in a shop without Stars or for a product sold by variant; operators kept
out."""

from __future__ import annotations

import aiohttp
import pytest

from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role
from core.catalog.commands import ProductDraft
from core.catalog.models import Product
from core.catalog.variants.commands import OptionsChange
from core.sales.commands import CartChange, StatusUpdate
from core.sales.models import OrderStatus
from core.shop import Shop
from tests.api.world import PASSWORD, NewAccount
from tests.core.paying import STAFF, payment_of
from tests.web.office import Office, Page
from tests.web.office import signed_in_admin as _admin

STARS = {"shop_currency": "XTR", "payment_methods": "stars"}
ADMIN = Actor(None, Role.ADMIN)


async def _send_file(
    office: Office, path: str, field: str, data: bytes, filename: str, **fields: str
) -> Page:
    form = aiohttp.FormData()
    form.add_field("csrf_token", office.last.csrf if office.last else "")
    for key, value in fields.items():
        form.add_field(key, value)
    form.add_field(field, data, filename=filename, content_type="application/octet-stream")
    return await office.request("POST", path, data=form)


async def _admin_on(
    office: Office, new_account: NewAccount, shop: Shop, name: str, stock: int = 0
) -> tuple[Product, str, Page]:
    """An admin signed in on a new product's page: the product, the page's path and itself."""
    await _admin(office, new_account)
    product = await shop.catalog.create(SYSTEM, ProductDraft(name=name, price=50, stock=stock))
    path = f"/admin/products/{product.id}"
    return product, path, await office.get(path)


def _counts(page: Page) -> tuple[str, str, str]:
    def one(name: str) -> str:
        tail = page.text.split(f"data-keys-{name}>", 1)[1]
        return tail.split("<", 1)[0]

    return one("free"), one("sold"), one("returned")


@pytest.mark.parametrize("core_overrides", [STARS])
async def test_keys_are_added_typed_and_from_a_file_and_never_shown(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    game, path, page = await _admin_on(office, new_account, shop, "Game")
    assert page.shows("Not digital.") and page.shows("Add keys, one a line")
    assert page.shows("Upload the file") and page.shows("Set to")

    typed = await office.post(f"{path}/keys", {"keys": "<b>K-1</b>\nK-2\nK-2\n"})
    assert typed.status == 303 and typed.location == path
    page = await office.follow(typed)
    assert page.shows("2 keys added, 1 already in the pool (or repeated) skipped; 2 free.")
    assert _counts(page) == ("2", "0", "0")
    assert page.shows("In stock: 2 (its free keys)") and not page.shows("Set to")
    assert not page.shows("Upload the file")  # a key product takes no file
    csv = b"\xef\xbb\xbfkey,note\nK-2,again\nK-3,new\n"
    uploaded = await _send_file(office, f"{path}/keys/file", "keysFile", csv, "keys.csv")
    page = await office.follow(uploaded)
    assert page.shows("1 keys added, 1 already in the pool") and _counts(page) == ("3", "0", "0")

    alice = await new_account(name="Alice")
    await shop.carts.add(alice.user.id, CartChange(product_id=game.id, quantity=1))
    order = await shop.checkout.place_order(alice.user.id)
    await shop.payments.record(alice.user.id, payment_of(order))
    [taken] = await shop.keys.of_order(order.id)
    page = await office.get(path)
    assert _counts(page) == ("2", "1", "0")
    for key in ("K-1", "K-2", "K-3"):
        assert key not in page.text  # counts only, never a key
    assert shop.keys.open(taken) in ("<b>K-1</b>", "K-2", "K-3")

    cancel = StatusUpdate(status=OrderStatus.CANCELLED)  # refunded: its key is returned
    await shop.orders.change_status(STAFF, order.id, cancel)
    page = await office.get(path)
    assert _counts(page) == ("2", "0", "1") and page.shows("A key returned")
    assert f'href="/admin/orders/{order.id}"' in page.text
    back = f"{path}/keys/{taken['_id']}/put-back"
    put = await office.post(back)
    page = await office.follow(put)
    assert page.shows("The key is for sale again; 3 free.") and _counts(page) == ("3", "0", "0")
    again = await office.follow(await office.post(back))
    assert again.shows("Nothing was put back: Only a returned key can be put back in the pool.")
    assert (await shop.keys.counts(ADMIN, game.id)).free == 3


@pytest.mark.parametrize("core_overrides", [STARS])
async def test_bad_keys_are_refused_beside_their_form_and_add_nothing(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    game, path, _ = await _admin_on(office, new_account, shop, "Game", stock=4)
    for keys, said in [
        ("", "The upload has no keys"),
        ("   \n", "The upload has no keys"),
        ("OK-1\nbad\tkey", "line 2: at most 200 printable characters"),
        ("x" * 201, "line 1: at most 200 printable characters"),
    ]:
        refused = await office.post(f"{path}/keys", {"keys": keys})
        assert refused.status == 422 and refused.shows(said), keys
    latin1 = await _send_file(office, f"{path}/keys/file", "keysFile", b"caf\xe9", "k.txt")
    assert latin1.status == 422 and latin1.shows("not UTF-8 text")
    big = b"K\n" * (5 * 1024 * 1024 // 2 + 1)
    large = await _send_file(office, f"{path}/keys/file", "keysFile", big, "k.txt")
    assert large.status == 413 and large.shows("split it")
    stored = await shop.catalog.get(game.id)
    assert (stored.digital, stored.stock) == (None, 4)
    assert await shop.store.goods_keys.count_documents({}) == 0


@pytest.mark.parametrize("core_overrides", [STARS])
async def test_the_file_is_uploaded_and_replaced_and_an_empty_one_refused(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    book, path, _ = await _admin_on(office, new_account, shop, "Book")
    empty = await _send_file(office, f"{path}/goods-file", "goodsFile", b"", "book.pdf")
    assert empty.status == 422 and empty.shows("The file is empty.")
    assert (await shop.catalog.get(book.id)).digital is None

    sent = await _send_file(office, f"{path}/goods-file", "goodsFile", b"%PDF-1", "book.pdf")
    page = await office.follow(sent)
    assert page.shows("Buyers now get book.pdf (6 bytes).")
    assert page.shows("File: book.pdf , 6 bytes") and page.shows("In stock: unlimited (a file)")
    assert page.shows("Replace the file") and not page.shows("Add keys, one a line")
    renamed = await _send_file(
        office, f"{path}/goods-file", "goodsFile", b"%PDF-22", "x.bin", name="Guide.pdf"
    )
    page = await office.follow(renamed)
    assert page.shows("File: Guide.pdf , 7 bytes")
    stored = await shop.catalog.get(book.id)
    assert stored.digital is not None and stored.digital.file is not None
    assert await shop.goods_files.content(stored.digital.file) == b"%PDF-22"
    assert await shop.store.goods_files.count_documents({}) == 1  # the first one deleted


@pytest.mark.parametrize("core_overrides", [STARS])
async def test_no_goods_forms_for_a_product_sold_by_variant(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    shirt, path, _ = await _admin_on(office, new_account, shop, "Shirt")
    await shop.variants.set_options(ADMIN, shirt.id, OptionsChange(options={"Size": ["S"]}))
    page = await office.get(path)
    assert page.shows("Sold by variant: a product with options cannot be digital goods.")
    assert not page.shows("Add keys, one a line") and not page.shows("Upload the file")
    forged = await office.post(f"{path}/keys", {"keys": "K-1"})
    assert forged.status == 409 and forged.shows("cannot be digital goods")
    assert await shop.store.goods_keys.count_documents({}) == 0


async def test_a_shop_without_stars_offers_no_goods_forms(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    _, path, page = await _admin_on(office, new_account, shop, "Tea")
    assert page.shows("which this shop does not take")
    assert not page.shows("Add keys, one a line") and not page.shows("Upload the file")
    refused = await office.post(f"{path}/keys", {"keys": "K-1"})
    assert refused.status == 409 and refused.shows("Telegram Stars only")


@pytest.mark.parametrize("core_overrides", [STARS])
async def test_operators_cannot_see_or_add_goods(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    game = await shop.catalog.create(SYSTEM, ProductDraft(name="Game", price=50))
    await shop.keys.add_text(ADMIN, game.id, "SECRET-KEY")
    operator = await new_account(Role.OPERATOR)
    await office.sign_in(operator.email, PASSWORD)
    path = f"/admin/products/{game.id}"
    page = await office.get(path)
    assert page.status == 403 and "SECRET-KEY" not in page.text
    await office.get("/admin/")
    refused = await office.post(f"{path}/keys", {"keys": "K-2"})
    assert refused.status == 403
    assert (await shop.keys.counts(ADMIN, game.id)).free == 1

    # the order's page says whether the goods were sent, never what they were
    alice = await new_account(name="Alice")
    await shop.carts.add(alice.user.id, CartChange(product_id=game.id, quantity=1))
    order = await shop.checkout.place_order(alice.user.id)
    card = await office.get(f"/admin/orders/{order.id}")
    assert card.shows("Nothing to ship: digital goods only.")
    assert card.shows("Digital goods: sent to the customer's chat once paid")
    await shop.payments.record(alice.user.id, payment_of(order))
    card = await office.get(f"/admin/orders/{order.id}")
    assert card.shows("Digital goods: sent to the customer's chat ")
    assert "SECRET-KEY" not in card.text
