"""SKUs are unique among products and variants together. Each collection's unique index
keeps its own; across the two, a write that gives a document a SKU checks the other
collection before it (the usual refusal) and again after it (``kept``): of two writers
racing for one SKU, the one that writes second sees the first and gives the SKU back, so
never both keep it (both may give it up)."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from core.catalog.errors import SkuTaken
from core.store import Collection


async def kept(
    own: Collection, other: Collection, document_id: ObjectId, sku: str, before: dict[str, Any]
) -> None:
    """After ``own``'s document was given ``sku`` (``before``: its pre-image, with its
    SKU): if ``other`` has it now, give the document its previous SKU back (or none) and
    refuse with ``SkuTaken``."""
    previous = before.get("sku")
    if previous == sku or not await other.find_one({"sku": sku}, {"_id": 1}):
        return
    mine = {"_id": document_id, "sku": sku}
    try:
        restored = {"$set": {"sku": previous}} if previous else {"$unset": {"sku": ""}}
        await own.update_one(mine, restored)
    except DuplicateKeyError:  # its previous SKU was taken meanwhile: none
        await own.update_one(mine, {"$unset": {"sku": ""}})
    raise SkuTaken(sku)
