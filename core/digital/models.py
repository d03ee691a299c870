"""Keys of a product's pool and what staff and buyers see of digital goods."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from core.base.ids import Id
from core.base.models import Model
from core.catalog.models import GoodsFile, GoodsKind


class KeyState(StrEnum):
    ADDING = "adding"
    """Uploaded or put back, not yet counted in the product's stock (a journal step)."""
    FREE = "free"
    TAKEN = "taken"
    RETURNED = "returned"
    """Its order was cancelled (and refunded): never sold again unless staff put it back."""


class PoolCounts(Model):
    """How many keys a product's pool holds, by state (never the keys themselves)."""

    product_id: Id
    free: int
    taken: int
    returned: int
    stock: int = Field(description="The product's stock, which follows the free keys.")


class KeyUploadReport(Model):
    added: int = Field(description="New keys now in the pool.")
    duplicates: int = Field(description="Keys already in the pool (or twice in the upload).")
    pool: PoolCounts


class PoolKey(Model):
    """One key as admins see it (``secret`` only when asked for)."""

    id: Id
    state: KeyState
    order_id: Id | None = None
    secret: str | None = Field(default=None, description="The key itself: admins only.")
    added_at: datetime
    taken_at: datetime | None = None
    returned_at: datetime | None = None


class LineGoods(Model):
    """What one order line delivered: its keys (one per unit), or its file."""

    line: int = Field(description="The line's position in the order's `products`, from 0.")
    product_id: Id
    name: str
    kind: GoodsKind
    keys: tuple[str, ...] = Field(default=(), description="The keys, for `keys` lines.")
    file: GoodsFile | None = Field(default=None, description="For `file` lines.")


class OrderGoods(Model):
    """The digital goods of an order, for its buyer (and admins)."""

    order_id: Id
    sent_at: datetime | None
    lines: tuple[LineGoods, ...]
