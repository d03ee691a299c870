"""Product photos, kept in MongoDB with GridFS (bucket ``photos``), so the shop has one store.

A product has up to ``MAX_PHOTOS`` photos, in the order staff give them; customers see the
first and flip through the others. An upload is checked before anything is written: at most
``PHOTO_MAX_BYTES``, a JPEG, PNG or WebP by its content (the name and declared type are not
trusted), within the sizes Telegram accepts for a photo, and one that Pillow decodes to the
last pixel (so a truncated file, which Telegram could not show either, is refused; the sizes
bound the work). Each file carries ``metadata.state``: ``pending`` with a lease while it is
being attached or removed, ``current`` once settled.

Every change of a product's list of photos is one update guarded by the product's
``version`` (read, change the list, write it only if nobody changed the product since; else
read again, a few times), so concurrent edits never lose a photo nor make an eleventh.
A product stored before products had several photos has one ``photo`` field instead of
``photos``; it reads as a list of that one (``stored_photos``), and its first photo change
writes ``photos`` and drops ``photo``: no migration is needed, none is left half done.

Adding or replacing, each step one write:

1. upload the file, ``pending``;
2. put it into the product's list (the guarded update; the list before names the photo it
   replaces);
3. delete the replaced file;
4. mark the new file ``current``.

Removing: mark the file ``pending`` (1), take it out of the list, guarded (2), delete the
file (3). Reordering changes the list only.

A variant may name one of its product's photos (``core/catalog/variants/photos.py``): the
variants naming a removed photo are cleared, those naming a replaced one follow it to the
new file, each after the list's write and before the old file is deleted; recovery clears
the variants naming a file it deletes.

Recovery, for each ``pending`` file whose lease expired: if its product lists it, the attach
got past step 2: delete the product's settled files it no longer lists and mark it
``current``; otherwise nothing refers to it: delete it. So a crash leaves neither a product
without its file nor a file nobody refers to (after the lease).

Telegram's ``file_id`` of a photo is remembered on that photo per bot, guarded by the GridFS
file it was made from, so that a replaced photo is never shown from a stale id (a list
written meanwhile may drop a remembered id: the next card uploads the file again).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from gridfs.errors import NoFile
from PIL import Image, UnidentifiedImageError

from core.accounts.access import Actor
from core.accounts.models import Role
from core.base import clock
from core.base.errors import Missing, NotFound, VersionConflict
from core.base.ids import parse_id
from core.catalog.commands import PhotoOrder
from core.catalog.errors import InvalidPhoto, PhotosChanged, TooManyPhotos
from core.catalog.models import MAX_PHOTOS, Album, Photo, Product, TelegramFile, stored_photos
from core.catalog.products import Catalog
from core.catalog.variants import photos as variant_photos
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


Photos = list[dict[str, Any]]
"""A product's photos as stored (``Photo`` documents, with their Telegram ids)."""
Edit = Callable[[Photos], Photos | None]
"""A change of a product's photos: the new list, or ``None`` for no change."""

ATTEMPTS = 5
"""Tries of a change whose product another change got to first (then ``VersionConflict``)."""


class ProductPhotos:
    def __init__(self, store: Store, catalog: Catalog, max_bytes: int, lease: timedelta) -> None:
        self._bucket = store.photos
        self._files = store.photo_files
        self._products = store.products
        self._variants = store.variants
        self._catalog = catalog
        self.max_bytes = max_bytes
        self._lease = lease

    async def add(self, actor: Actor, product_id: object, data: bytes) -> Product:
        """Put this photo after the product's others (``TooManyPhotos`` past ``MAX_PHOTOS``)."""

        def append(photos: Photos, new: dict[str, Any]) -> Photos:
            if len(photos) >= MAX_PHOTOS:
                raise TooManyPhotos()
            return [*photos, new]

        return await self._put(actor, product_id, data, append)

    async def replace(
        self, actor: Actor, product_id: object, photo_id: object, data: bytes
    ) -> Product:
        """Put this photo in the place of the product's photo ``photo_id``."""
        old = parse_id(photo_id, "photo")

        def swap(photos: Photos, new: dict[str, Any]) -> Photos:
            at = _position(photos, old)
            return [*photos[:at], new, *photos[at + 1 :]]

        return await self._put(actor, product_id, data, swap)

    async def attach(self, actor: Actor, product_id: object, data: bytes) -> Product:
        """Make this photo the product's first: it replaces the first one, if there is one."""
        return await self._put(actor, product_id, data, lambda photos, new: [new, *photos[1:]])

    async def remove(
        self, actor: Actor, product_id: object, photo_id: object | None = None
    ) -> Product:
        """Take the photo ``photo_id`` away, or without one the first (nothing to do when
        the product has none); the photos after it move up."""
        actor.require(Role.ADMIN)
        oid = parse_id(product_id)
        photos = stored_photos(await self._document(oid))
        if photo_id is None and not photos:
            return await self._catalog.get(oid, viewer=actor)
        target = photos[0]["fileId"] if photo_id is None else parse_id(photo_id, "photo")
        _position(photos, target)
        await self._files.update_one(
            {"_id": target},
            {"$set": {"metadata.state": PENDING, "metadata.leaseUntil": self._lease_end()}},
        )

        def drop(photos: Photos) -> Photos | None:
            kept = [photo for photo in photos if photo["fileId"] != target]
            return kept if len(kept) < len(photos) else None  # None: removed meanwhile

        if await self._change(oid, drop):
            await variant_photos.forget(self._variants, oid, [target])
            await self._delete(target)
        return await self._catalog.get(oid, viewer=actor)

    async def reorder(self, actor: Actor, product_id: object, order: PhotoOrder) -> Product:
        """Put the product's photos in this order, which must name every one of them."""
        actor.require(Role.ADMIN)
        oid = parse_id(product_id)

        def arrange(photos: Photos) -> Photos | None:
            by_id = {photo["fileId"]: photo for photo in photos}
            if set(order.ids) != set(by_id):
                raise PhotosChanged()
            arranged = [by_id[file_id] for file_id in order.ids]
            return None if arranged == photos else arranged

        await self._change(oid, arrange)
        return await self._catalog.get(oid, viewer=actor)

    async def album(self, product_id: object, *, viewer: Actor | None = None) -> Album:
        """The photos of a product the viewer may see, in order."""
        product = await self._catalog.get(product_id, viewer=viewer)
        return Album(product_id=product.id, version=product.version, photos=product.photos)

    async def photo_of(
        self, product_id: object, photo_id: object | None = None, *, viewer: Actor | None = None
    ) -> Photo:
        """A photo (without ``photo_id``, the first) of a product the viewer may see, or
        ``NotFound``."""
        product = await self._catalog.get(product_id, viewer=viewer)
        if photo_id is None:
            if product.photo is None:
                raise NotFound(Missing.PHOTO)
            return product.photo
        wanted = parse_id(photo_id, "photo")
        found = next((photo for photo in product.photos if photo.file_id == wanted), None)
        if found is None:
            raise NotFound(Missing.PRODUCT_PHOTO)
        return found

    async def content(self, photo: Photo) -> bytes:
        """The photo's bytes (``NotFound`` if it was replaced since it was read)."""
        try:
            stream = await self._bucket.open_download_stream(photo.file_id)
        except NoFile:
            raise NotFound(Missing.PHOTO) from None
        return await stream.read()

    async def remember_on_telegram(
        self, product_id: ObjectId, photo: Photo, bot_id: int, file: TelegramFile
    ) -> None:
        """Keep the bot's ``file_id`` for the product's photo, unless it was replaced."""
        known = file.model_dump(by_alias=True)
        kept = await self._products.update_one(
            {"_id": product_id, "photos.fileId": photo.file_id},
            {"$set": {f"photos.$.telegram.{bot_id}": known}},
        )
        if not kept.matched_count:  # a product stored with one photo, before ``photos``
            await self._products.update_one(
                {"_id": product_id, "photo.fileId": photo.file_id},
                {"$set": {f"photo.telegram.{bot_id}": known}},
            )

    async def recover(self, at: datetime | None = None) -> int:
        """Finish or undo attaches and removals whose lease expired; how many."""
        cutoff = at or clock.now()
        stalled = await self._files.find(
            {"metadata.state": PENDING, "metadata.leaseUntil": {"$lt": cutoff}}
        ).to_list()
        for file in stalled:
            product_id = file["metadata"]["productId"]
            product = await self._products.find_one(
                {"_id": product_id}, {"photos.fileId": 1, "photo.fileId": 1}
            )
            listed = {photo["fileId"] for photo in stored_photos(product or {})}
            if file["_id"] not in listed:
                await variant_photos.forget(self._variants, product_id, [file["_id"]])
                await self._delete(file["_id"])
                continue
            others = await self._files.find(
                {"metadata.productId": product_id, "metadata.state": CURRENT}, {"_id": 1}
            ).to_list()
            for other in others:
                if other["_id"] not in listed:
                    await variant_photos.forget(self._variants, product_id, [other["_id"]])
                    await self._delete(other["_id"])
            await self._settle(file["_id"])
        return len(stalled)

    async def _put(
        self,
        actor: Actor,
        product_id: object,
        data: bytes,
        place: Callable[[Photos, dict[str, Any]], Photos],
    ) -> Product:
        """Upload a checked photo and ``place`` it into the product's photos."""
        actor.require(Role.ADMIN)
        oid = parse_id(product_id)
        kind, width, height = await asyncio.to_thread(inspect, data, self.max_bytes)
        place(stored_photos(await self._document(oid)), {})  # refused before a write
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
        ).model_dump(by_alias=True)
        try:
            replaced = await self._change(oid, lambda photos: place(photos, photo))
        except Exception:
            await self._delete(file_id)
            raise
        for old in replaced or ():  # its variants follow it to the photo in its place
            await variant_photos.follow(self._variants, oid, old["fileId"], file_id)
            await self._delete(old["fileId"])
        await self._settle(file_id)
        return await self._catalog.get(oid, viewer=actor)

    async def _change(self, oid: ObjectId, edit: Edit) -> Photos | None:
        """Apply ``edit`` to the product's photos in one update guarded by its version;
        the photos it replaced, or ``None`` if it changed nothing."""
        for _ in range(ATTEMPTS):
            document = await self._document(oid)
            before = stored_photos(document)
            after = edit(before)
            if after is None:
                return None
            changed = await self._products.update_one(
                {"_id": oid, "version": document.get("version")},
                {
                    "$set": {"photos": after, "updatedAt": clock.now()},
                    "$unset": {"photo": ""},
                    "$inc": {"version": 1},
                },
            )
            if changed.modified_count:
                kept = {photo["fileId"] for photo in after}
                return [photo for photo in before if photo["fileId"] not in kept]
        raise VersionConflict("product")

    async def _document(self, oid: ObjectId) -> dict[str, Any]:
        document = await self._products.find_one({"_id": oid})
        if document is None:
            raise NotFound(Missing.PRODUCT)
        return document

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


def _position(photos: Photos, file_id: ObjectId) -> int:
    """Where the photo ``file_id`` is in ``photos``, or ``NotFound``."""
    for at, photo in enumerate(photos):
        if photo["fileId"] == file_id:
            return at
    raise NotFound(Missing.PRODUCT_PHOTO)
