"""The people and things of API tests: signed-in accounts, and a small shop with some of
everything (``World``), made through core once and copied after."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.accounts.access import SYSTEM
from core.accounts.commands import Credentials
from core.accounts.models import Role, User
from core.catalog.commands import CategoryDraft
from core.catalog.models import Product
from core.config import CoreSettings
from core.messaging.commands import BroadcastDraft
from core.promotions.commands import PromoDraft
from core.sales.commands import CartChange
from core.shop import Shop
from tests.databases import Snapshot, is_empty
from tests.factories import product_maker, user_maker
from tests.images import image_bytes
from tests.settings import ADDRESS

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Account:
    user: User
    token: str
    password: str = PASSWORD

    @property
    def id(self) -> str:
        return str(self.user.id)

    @property
    def email(self) -> str:
        return self.user.email


NewAccount = Callable[..., Awaitable[Account]]
"""``await new_account(role, name=...)``: a registered user with ``role``, signed in."""


def account_maker(shop: Shop) -> NewAccount:
    new_user = user_maker(shop)

    async def create(role: Role = Role.USER, name: str = "Alice") -> Account:
        user = await new_user(name=name, password=PASSWORD)
        if role is not Role.USER:
            user = await shop.accounts.set_role(SYSTEM, user.id, role)
        credentials = Credentials(email=user.email, password=PASSWORD)
        user, issued = await shop.users.log_in(credentials, address=ADDRESS)
        return Account(user, issued.token)

    return create


@dataclass(frozen=True)
class World:
    """Alice has a placed order and a cart with tea (in the category Herbal, with a photo);
    Bob has nothing; staff of each role."""

    alice: Account
    bob: Account
    operator: Account
    admin: Account
    tea: Product
    archived: Product
    order_id: str
    broadcast_id: str
    category_id: str
    promo_id: str
    """The promo code WELCOME: 10 % off."""


async def make_world(shop: Shop) -> World:
    """The ``World``, made through core in ``shop``."""
    new_account, new_product = account_maker(shop), product_maker(shop)
    alice = await new_account(name="Alice")
    herbal = await shop.categories.create(SYSTEM, CategoryDraft(name="Herbal"))
    tea = await new_product("Tea", price=450, stock=10, category_id=herbal.id)
    tea = await shop.photos.attach(SYSTEM, tea.id, image_bytes())
    archived = await new_product("Old tea", price=100, stock=5, active=False)
    await shop.carts.add(alice.user.id, CartChange(product_id=tea.id, quantity=2))
    order = await shop.checkout.place_order(alice.user.id)
    await shop.carts.add(alice.user.id, CartChange(product_id=tea.id, quantity=1))
    announcement = {"text": "Welcome!", "segment": {"kind": "all"}}
    broadcast = await shop.broadcasts.start(SYSTEM, BroadcastDraft.model_validate(announcement))
    welcome = {"code": "WELCOME", "kind": "percent", "value": 10}
    promo = await shop.promotions.create(SYSTEM, PromoDraft.model_validate(welcome))
    return World(
        alice=alice,
        bob=await new_account(name="Bob"),
        operator=await new_account(Role.OPERATOR, name="Olga"),
        admin=await new_account(Role.ADMIN, name="Ada"),
        tea=tea,
        archived=archived,
        order_id=str(order.id),
        broadcast_id=str(broadcast.id),
        category_id=str(herbal.id),
        promo_id=str(promo.id),
    )


class Worlds:
    """Each ``World`` made so far and the documents of its database, by the settings of the
    shop it was made in: a shop with the same settings gets a copy (same documents, ids and
    tokens) instead of a world made again."""

    def __init__(self) -> None:
        self._made: list[tuple[CoreSettings, World, Snapshot]] = []

    async def world_in(self, shop: Shop) -> World:
        database = shop.client[shop.settings.mongodb_database]
        if not await is_empty(database):  # the test's own data came first: make it there
            return await make_world(shop)
        shape = shop.settings.model_copy(update={"mongodb_database": ""})
        for settings, world, documents in self._made:
            if settings == shape:
                await documents.copy_into(database)
                return world
        world = await make_world(shop)
        self._made.append((shape, world, await Snapshot.of(database)))
        return world
