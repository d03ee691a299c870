"""The FSM storage answers an update's reads of its own FSM document from the visit, which
read it with the account; writes go to the database, and so do the reads after them."""

from aiogram.fsm.storage.base import StorageKey

from bot.storage import ShopStorage
from core.shop import Shop

KEY = StorageKey(bot_id=1, chat_id=2, user_id=2)
OTHER = StorageKey(bot_id=1, chat_id=3, user_id=3)


async def test_reads_come_from_the_held_document_until_a_write(shop: Shop) -> None:
    storage = ShopStorage(shop, "bot_fsm")
    await storage.set_state(KEY, "Stored")
    await storage.set_data(KEY, {"step": "stored"})
    await storage.set_state(OTHER, "Other")
    held = {"_id": storage.document_id(KEY), "state": "Held", "data": {"step": "held"}}

    with storage.holding(KEY, held):
        assert await storage.get_state(KEY) == "Held"
        data = await storage.get_data(KEY)
        data["step"] = "changed by the handler"
        assert await storage.get_data(KEY) == {"step": "held"}  # handlers get a copy
        assert await storage.get_state(OTHER) == "Other"  # another conversation's: stored
        assert await storage.update_data(KEY, {"more": 1}) == {"step": "stored", "more": 1}
        assert await storage.get_state(KEY) == "Stored"  # written: read from the database

    with storage.holding(KEY, None):  # the visit found no document
        assert await storage.get_state(KEY) is None
        assert await storage.get_data(KEY) == {}
    assert await storage.get_state(KEY) == "Stored"
    assert await storage.get_data(KEY) == {"step": "stored", "more": 1}
