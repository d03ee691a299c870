"""What an update of a Telegram user starts from, read in one round trip: the account
linked to the user, its cart, and one more document the channel keeps per conversation
(the bot's FSM state, ``bot/storage.py``).

The read is one aggregate joining the three by their indexes, from the one-document
``lookups`` collection (``core/store.py`` says why). Each part is as fresh as a read of
its own at that moment; a change starting from the cart still guards its write on every
field it read (``core/sales/carts.py``), so an older cart only costs a retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.accounts.models import User
from core.accounts.users import linked_account
from core.sales.carts import CartRead
from core.store import Store

ACCOUNT = "account"
CART = "cart"
COMPANION = "companion"


@dataclass(frozen=True)
class Visit:
    account: User | None
    """The active account linked to the Telegram user, if any."""
    cart: CartRead | None
    """The account's cart as read (``None`` without an account)."""
    companion: dict[str, Any] | None
    """The companion document, if it exists."""


class Visits:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def of_telegram(self, telegram_id: int, companion: tuple[str, str]) -> Visit:
        """The visit of ``telegram_id``; ``companion``: the collection of the shop's
        database and the ``_id`` of the document to bring along."""
        collection, document_id = companion
        pipeline: list[dict[str, Any]] = [
            {"$limit": 1},
            {
                "$project": {
                    "_id": 0,
                    "t": {"$literal": telegram_id},
                    "c": {"$literal": document_id},
                }
            },
            _join(self._store.users.name, "t", "telegramId", ACCOUNT),
            _join(collection, "c", "_id", COMPANION),
            {"$addFields": {"u": {"$arrayElemAt": [f"${ACCOUNT}._id", 0]}}},
            _join(self._store.carts.name, "u", "userId", CART),
        ]
        found = await (await self._store.lookups.aggregate(pipeline)).to_list()
        if not found:  # the anchor is gone: read each on its own
            return await self._apart(telegram_id, collection, document_id)
        [joined] = found
        account = linked_account(_first(joined[ACCOUNT]))
        return Visit(
            account,
            None if account is None else CartRead(_first(joined[CART])),
            _first(joined[COMPANION]),
        )

    async def _apart(self, telegram_id: int, collection: str, document_id: str) -> Visit:
        store = self._store
        account = linked_account(await store.users.find_one({"telegramId": telegram_id}))
        cart = None
        if account is not None:
            cart = CartRead(await store.carts.find_one({"userId": account.id}))
        companion = await store.users.database[collection].find_one({"_id": document_id})
        return Visit(account, cart, companion)


def _join(collection: str, local: str, foreign: str, name: str) -> dict[str, Any]:
    return {
        "$lookup": {"from": collection, "localField": local, "foreignField": foreign, "as": name}
    }


def _first(documents: list[dict[str, Any]]) -> dict[str, Any] | None:
    return documents[0] if documents else None
