"""Product photos, kept in MongoDB with GridFS (bucket ``photos``), so the shop has one store.

An upload is checked before anything is written: at most ``PHOTO_MAX_BYTES``, a JPEG, PNG or
WebP by its content (the name and declared type are not trusted), within the sizes Telegram
accepts for a photo, and one that Pillow decodes to the last pixel (so a truncated file,
which Telegram could not show either, is refused; the sizes bound the work). Each file
carries ``metadata.state``: ``pending`` with a lease while it is being attached or removed,
``current`` once settled.

Attaching, each step one write:

1. upload the file, ``pending``;
2. point the product at it (one guarded update; the pre-image names the photo it replaces);
3. delete the replaced file;
4. mark the new file ``current``.

Removing: mark the file ``pending`` (1), unset the product's photo guarded by that file (2),
delete the file (3).

Recovery, for each ``pending`` file whose lease expired: if its product points at it, the
attach got past step 2: delete the product's other settled files and mark it ``current``;
otherwise nothing refers to it: delete it. So a crash leaves neither a product without its
file nor a file nobody refers to (after the lease).

Telegram's ``file_id`` of a photo is remembered on the product per bot, guarded by the GridFS
file it was made from, so that a replaced photo is never shown from a stale id.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from gridfs.errors import NoFile
from PIL import Image, UnidentifiedImageError

from core.accounts.access import Actor
from core.accounts.models import Role
from core.base import clock
from core.base.errors import Missing, NotFound
from core.base.ids import parse_id
from core.catalog.errors import InvalidPhoto
from core.catalog.models import Photo, Product, TelegramFile
from core.catalog.products import Catalog
from core.store import Store

PENDING, CURRENT = "pending", "current"
SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_SIDES = 10_000  # Telegram: width + height at most 10000, sides at most 20 to 1
MAX_RATIO = 20


def sniff(data: bytes) -> str | None:
    """The format the bytes begin with: ``JPEG``, ``PNG``, ``WEBP`` or ``None``."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


def _check_sides(width: int, height: int) -> None:
    if width < 1 or height < 1 or width + height > MAX_SIDES:
        raise InvalidPhoto(f"width plus height must be at most {MAX_SIDES} pixels")
    if max(width, height) > MAX_RATIO * min(width, height):
        raise InvalidPhoto(f"one side may be at most {MAX_RATIO} times the other")


def inspect(data: bytes, max_bytes: int) -> tuple[str, int, int]:
    """The image's format, width and height, or ``InvalidPhoto`` saying why not."""
    if not data:
        raise InvalidPhoto("the file is empty")
    if len(data) > max_bytes:
        raise InvalidPhoto(f"it is larger than {max_bytes} bytes")
    kind = sniff(data)
    if kind is None:
        raise InvalidPhoto("send a JPEG, PNG or WebP image")
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            width, height = image.size
            _check_sides(width, height)
            image.verify()
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            image.load()  # decode every pixel: verify() reads no JPEG data (bounded above)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidPhoto(f"it is not a readable {kind} image") from None
    return kind, width, height


class ProductPhotos:
    def __init__(self, store: Store, catalog: Catalog, max_bytes: int, lease: timedelta) -> None:
        self._bucket = store.photos
        self._files = store.photo_files
        self._products = store.products
        self._catalog = catalog
        self.max_bytes = max_bytes
        self._lease = lease

    async def attach(self, actor: Actor, product_id: object, data: bytes) -> Product:
        """Give the product this photo, replacing the one it had."""
        actor.require(Role.ADMIN)
        oid = parse_id(product_id)
        kind, width, height = await asyncio.to_thread(inspect, data, self.max_bytes)
        await self._catalog.get(oid, viewer=actor)  # 404 before anything is written
        now = clock.now()
        file_id = await self._bucket.upload_from_stream(
            f"{oid}.{EXTENSIONS[kind]}",
            data,
            metadata={"productId": oid, "state": PENDING, "leaseUntil": now + self._lease},
        )
        photo = Photo(
            file_id=file_id,
            content_type=CONTENT_TYPES[kind],
            size=len(data),
            width=width,
            height=height,
            uploaded_at=now,
            sha256=hashlib.sha256(data).hexdigest(),
        )
        before = await self._products.find_one_and_update(
            {"_id": oid},
            {
                "$set": {"photo": photo.model_dump(by_alias=True), "updatedAt": now},
                "$inc": {"version": 1},
            },
        )
        if before is None:
            await self._delete(file_id)
            raise NotFound(Missing.PRODUCT)
        if replaced := before.get("photo"):
            await self._delete(replaced["fileId"])
        await self._settle(file_id)
        return await self._catalog.get(oid, viewer=actor)

    async def remove(self, actor: Actor, product_id: object) -> Product:
        """Take the product's photo away (nothing to do when it has none)."""
        actor.require(Role.ADMIN)
        product = await self._catalog.get(product_id, viewer=actor)
        if product.photo is None:
            return product
        file_id = product.photo.file_id
        await self._files.update_one(
            {"_id": file_id},
            {"$set": {"metadata.state": PENDING, "metadata.leaseUntil": self._lease_end()}},
        )
        removed = await self._products.update_one(
            {"_id": product.id, "photo.fileId": file_id},
            {"$unset": {"photo": ""}, "$set": {"updatedAt": clock.now()}, "$inc": {"version": 1}},
        )
        if removed.modified_count:
            await self._delete(file_id)
        return await self._catalog.get(product.id, viewer=actor)

    async def photo_of(self, product_id: object, *, viewer: Actor | None = None) -> Photo:
        """The photo of a product the viewer may see, or ``NotFound``."""
        product = await self._catalog.get(product_id, viewer=viewer)
        if product.photo is None:
            raise NotFound(Missing.PHOTO)
        return product.photo

    async def content(self, photo: Photo) -> bytes:
        """The photo's bytes (``NotFound`` if it was replaced since it was read)."""
        try:
            stream = await self._bucket.open_download_stream(photo.file_id)
        except NoFile:
            raise NotFound(Missing.PHOTO) from None
        return await stream.read()

    async def remember_on_telegram(self, product: Product, bot_id: int, file: TelegramFile) -> None:
        """Keep the bot's ``file_id`` for the product's photo, unless it was replaced."""
        if product.photo is None:
            return
        await self._products.update_one(
            {"_id": product.id, "photo.fileId": product.photo.file_id},
            {"$set": {f"photo.telegram.{bot_id}": file.model_dump(by_alias=True)}},
        )

    async def recover(self, at: datetime | None = None) -> int:
        """Finish or undo attaches and removals whose lease expired; how many."""
        cutoff = at or clock.now()
        stalled = await self._files.find(
            {"metadata.state": PENDING, "metadata.leaseUntil": {"$lt": cutoff}}
        ).to_list()
        for file in stalled:
            product_id = file["metadata"]["productId"]
            product = await self._products.find_one({"_id": product_id}, {"photo.fileId": 1})
            if product is None or product.get("photo", {}).get("fileId") != file["_id"]:
                await self._delete(file["_id"])
                continue
            others = await self._files.find(
                {"metadata.productId": product_id, "metadata.state": CURRENT}, {"_id": 1}
            ).to_list()
            for other in others:
                if other["_id"] != file["_id"]:
                    await self._delete(other["_id"])
            await self._settle(file["_id"])
        return len(stalled)

    def _lease_end(self) -> datetime:
        return clock.now() + self._lease

    async def _settle(self, file_id: ObjectId) -> None:
        await self._files.update_one(
            {"_id": file_id},
            {"$set": {"metadata.state": CURRENT}, "$unset": {"metadata.leaseUntil": ""}},
        )

    async def _delete(self, file_id: Any) -> None:
        with contextlib.suppress(NoFile):  # deleted already (a concurrent replace, recovery)
            await self._bucket.delete(file_id)
