"""Whether a checkout idempotency key was used: lets an entrypoint tell a replayed
confirmation (answer it with the same order) from a stale one (the cart changed since)."""

from __future__ import annotations

from bson import ObjectId

from core.store import Store


async def checkout_started(store: Store, user_id: ObjectId, key: str) -> bool:
    """True once an order attempt with ``key`` exists (placed or still being placed)."""
    found = await store.orders.find_one({"userId": user_id, "idempotencyKey": key}, {"_id": 1})
    return found is not None
