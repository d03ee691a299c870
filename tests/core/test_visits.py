"""A visit: the account linked to a Telegram user, its cart and a companion document, read
together; a change that starts from a cart read earlier still counts every other change."""

from core.accounts.commands import TelegramSignup
from core.accounts.models import User
from core.sales.carts import CartRead
from core.sales.commands import CartChange
from core.shop import Shop
from core.store import LOOKUP_ANCHOR
from tests.factories import NewProduct

TELEGRAM_ID = 7001
COMPANION = ("bot_fsm", "fsm:7001")


async def signed_up(shop: Shop) -> User:
    return await shop.users.sign_up_telegram(
        TelegramSignup(telegram_id=TELEGRAM_ID, name="Alice", email="alice@example.com")
    )


async def test_a_visit_brings_the_account_its_cart_and_the_companion(
    shop: Shop, new_product: NewProduct
) -> None:
    account = await signed_up(shop)
    tea = await new_product()
    await shop.carts.add(account.id, CartChange(product_id=tea.id, quantity=2))
    fsm = shop.store.users.database[COMPANION[0]]
    await fsm.insert_one({"_id": COMPANION[1], "state": "Signup:name"})

    visit = await shop.visits.of_telegram(TELEGRAM_ID, COMPANION)

    assert visit.account is not None and visit.account.id == account.id
    assert visit.cart is not None and visit.cart.document is not None
    assert visit.cart.document["products"] == [{"productId": tea.id, "quantity": 2}]
    assert visit.companion == {"_id": COMPANION[1], "state": "Signup:name"}


async def test_a_stranger_or_a_deactivated_account_has_no_account_nor_cart(shop: Shop) -> None:
    stranger = await shop.visits.of_telegram(TELEGRAM_ID, COMPANION)
    assert (stranger.account, stranger.cart, stranger.companion) == (None, None, None)

    account = await signed_up(shop)
    visit = await shop.visits.of_telegram(TELEGRAM_ID, COMPANION)
    assert visit.account is not None and visit.cart == CartRead(None)  # no cart yet

    await shop.store.users.update_one({"_id": account.id}, {"$set": {"active": False}})
    gone = await shop.visits.of_telegram(TELEGRAM_ID, COMPANION)
    assert (gone.account, gone.cart) == (None, None)
    assert await shop.users.by_telegram(TELEGRAM_ID) is None


async def test_without_the_lookups_document_each_part_is_read_on_its_own(
    shop: Shop, new_product: NewProduct
) -> None:
    account = await signed_up(shop)
    tea = await new_product()
    await shop.carts.add(account.id, CartChange(product_id=tea.id, quantity=1))
    await shop.store.users.database[COMPANION[0]].insert_one({"_id": COMPANION[1], "data": {}})
    joined = await shop.visits.of_telegram(TELEGRAM_ID, COMPANION)
    await shop.store.lookups.delete_one({"_id": LOOKUP_ANCHOR})

    apart = await shop.visits.of_telegram(TELEGRAM_ID, COMPANION)

    assert apart == joined
    assert apart.account is not None and apart.companion is not None


async def test_a_change_from_an_outdated_cart_keeps_every_other_change(
    shop: Shop, new_product: NewProduct
) -> None:
    account = await signed_up(shop)
    tea, cake = await new_product(name="Tea"), await new_product(name="Cake")
    await shop.carts.add(account.id, CartChange(product_id=tea.id, quantity=1))
    visit = await shop.visits.of_telegram(TELEGRAM_ID, COMPANION)
    await shop.carts.add(account.id, CartChange(product_id=tea.id, quantity=2))  # since then

    added = await shop.carts.add_product(account.id, CartChange(product_id=cake.id), visit.cart)

    assert added.id == cake.id
    cart = await shop.carts.get(account.id)
    assert [(line.product_id, line.quantity) for line in cart.products] == [
        (tea.id, 3),
        (cake.id, 1),
    ]
    assert cart.version == 3
