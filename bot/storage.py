"""FSM state in MongoDB: aiogram's ``PyMongoStorage`` on the shop's own client."""

from __future__ import annotations

from aiogram.fsm.storage.pymongo import PyMongoStorage

from core.shop import Shop


class ShopStorage(PyMongoStorage):
    """Keeps states in one collection of the shop's database; leaves the client open at
    shutdown, since the shop owns it (``PyMongoStorage.close`` would close it)."""

    def __init__(self, shop: Shop, collection: str) -> None:
        super().__init__(
            shop.client, db_name=shop.settings.mongodb_database, collection_name=collection
        )

    async def close(self) -> None:
        """The shop closes its client."""
