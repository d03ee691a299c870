"""A digital product's one file, kept in GridFS (bucket ``goods``), sent as a document.

Any document up to Telegram's 50 MB for a bot's upload. The product's stock is set to
``MAX_STOCK`` (unlimited for a shop's purposes) when it gets its first file. Attaching
follows the photos' journal (``core/catalog/photos.py``): the file is uploaded ``pending``
with a lease, the product points at it (one guarded write), the replaced file is deleted,
the new one marked ``current``; recovery finishes or deletes a ``pending`` file whose
lease expired, by whether its product points at it. Telegram's ``file_id`` is cached on
the product per bot, guarded by the GridFS file it was made from.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import re
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from gridfs.errors import NoFile

from core.accounts.access import Actor
from core.accounts.models import Role
from core.base import clock
from core.base.errors import Missing, NotFound
from core.catalog.commands import MAX_STOCK
from core.catalog.models import GoodsFile, GoodsKind, Product, TelegramFile
from core.catalog.products import Catalog
from core.digital.commands import GOODS_FILE_MAX_BYTES
from core.digital.errors import InvalidGoodsFile, OtherGoods, StarsOnly
from core.store import Store

PENDING, CURRENT = "pending", "current"
FILE_NAME = re.compile(r"^[^\x00-\x1f/\\]{1,128}$")


class GoodsFiles:
    def __init__(
        self, store: Store, catalog: Catalog, sells_for_stars: bool, lease: timedelta
    ) -> None:
        self._bucket = store.goods
        self._files = store.goods_files
        self._products = store.products
        self._catalog = catalog
        self._sells_for_stars = sells_for_stars
        self._lease = lease
        self.max_bytes = GOODS_FILE_MAX_BYTES

    async def attach(self, actor: Actor, product_id: object, name: str, data: bytes) -> Product:
        """Make the product deliver this file (replacing its file, if it had one)."""
        actor.require(Role.ADMIN)
        if not self._sells_for_stars:
            raise StarsOnly()
        name = name.strip()
        if not FILE_NAME.fullmatch(name):
            raise InvalidGoodsFile("Name the file: up to 128 characters, no slashes.")
        if not data:
            raise InvalidGoodsFile("The file is empty.")
        if len(data) > self.max_bytes:
            raise InvalidGoodsFile(f"The file is larger than {self.max_bytes} bytes.")
        product = await self._catalog.get(product_id, viewer=actor)
        if product.digital is not None and product.digital.kind is not GoodsKind.FILE:
            raise OtherGoods(product.digital.kind.value)
        now = clock.now()
        file_id = await self._bucket.upload_from_stream(
            name,
            data,
            metadata={"productId": product.id, "state": PENDING, "leaseUntil": now + self._lease},
        )
        goods = GoodsFile(
            file_id=file_id,
            name=name,
            content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_at=now,
        )
        sets: dict[str, Any] = {
            "digital": {"kind": GoodsKind.FILE.value, "file": goods.model_dump(by_alias=True)},
            "updatedAt": now,
        }
        if product.digital is None:
            sets["stock"] = MAX_STOCK
        before = await self._products.find_one_and_update(
            {"_id": product.id, "digital.kind": {"$ne": GoodsKind.KEYS.value}},
            {"$set": sets, "$inc": {"version": 1}},
        )
        if before is None:
            await self._delete(file_id)
            raise OtherGoods(GoodsKind.KEYS.value)
        if replaced := (before.get("digital") or {}).get("file"):
            await self._delete(replaced["fileId"])
        await self._settle(file_id)
        return await self._catalog.get(product.id, viewer=actor)

    async def content(self, goods: GoodsFile) -> bytes:
        try:
            stream = await self._bucket.open_download_stream(goods.file_id)
        except NoFile:
            raise NotFound(Missing.GOODS_FILE) from None
        return await stream.read()

    async def remember_on_telegram(
        self, product_id: ObjectId, goods: GoodsFile, bot_id: int, file: TelegramFile
    ) -> None:
        """Keep the bot's ``file_id`` for the product's file, unless it was replaced."""
        await self._products.update_one(
            {"_id": product_id, "digital.file.fileId": goods.file_id},
            {"$set": {f"digital.file.telegram.{bot_id}": file.model_dump(by_alias=True)}},
        )

    async def recover(self, at: datetime | None = None) -> int:
        """Finish or undo attaches whose lease expired; how many."""
        cutoff = at or clock.now()
        stalled = await self._files.find(
            {"metadata.state": PENDING, "metadata.leaseUntil": {"$lt": cutoff}}
        ).to_list()
        for file in stalled:
            product_id = file["metadata"]["productId"]
            product = await self._products.find_one({"_id": product_id}, {"digital.file": 1})
            current = ((product or {}).get("digital") or {}).get("file") or {}
            if current.get("fileId") != file["_id"]:
                await self._delete(file["_id"])
                continue
            others = self._files.find(
                {"metadata.productId": product_id, "_id": {"$ne": file["_id"]}}, {"_id": 1}
            )
            for other in await others.to_list():
                await self._delete(other["_id"])
            await self._settle(file["_id"])
        return len(stalled)

    async def _settle(self, file_id: ObjectId) -> None:
        await self._files.update_one(
            {"_id": file_id},
            {"$set": {"metadata.state": CURRENT}, "$unset": {"metadata.leaseUntil": ""}},
        )

    async def _delete(self, file_id: Any) -> None:
        with contextlib.suppress(NoFile):
            await self._bucket.delete(file_id)
