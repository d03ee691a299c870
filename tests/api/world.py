"""The people and things of API tests: signed-in accounts, and a small shop with some of
everything (``World``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.models import Product, User

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
