"""What a product's page shows of its digital goods (admins; the page is theirs): the
pool's counts (free, sold, returned; never a key) or the file's name and size, and whether
the product may take keys or a file at all."""

from __future__ import annotations

from dataclasses import dataclass

from admin_api.web.visit import Visit
from core.catalog.models import GoodsFile, GoodsKind, Product
from core.digital.commands import GOODS_FILE_MAX_BYTES, KEY_FILE_MAX_BYTES
from core.digital.models import PoolCounts, PoolKey


@dataclass(frozen=True)
class GoodsPanel:
    sells_for_stars: bool
    """Digital goods are sold for Stars only: a shop without them offers no forms."""
    sold_by_variant: bool
    kind: GoodsKind | None
    counts: PoolCounts | None
    file: GoodsFile | None
    returned: tuple[PoolKey, ...] = ()
    """Returned keys an admin may put back (without the keys themselves)."""
    max_key_file_bytes: int = KEY_FILE_MAX_BYTES
    max_goods_file_bytes: int = GOODS_FILE_MAX_BYTES

    @property
    def takes_keys(self) -> bool:
        return self._open and self.kind in (None, GoodsKind.KEYS)

    @property
    def takes_file(self) -> bool:
        return self._open and self.kind in (None, GoodsKind.FILE)

    @property
    def _open(self) -> bool:
        return self.sells_for_stars and not self.sold_by_variant


async def goods_panel(visit: Visit, product: Product | None) -> GoodsPanel | None:
    """The panel of ``product`` (none on the new-product form)."""
    if product is None:
        return None
    digital = product.digital
    keys = digital is not None and digital.kind is GoodsKind.KEYS
    counts = await visit.shop.keys.counts(visit.actor, product.id) if keys else None
    returned: tuple[PoolKey, ...] = ()
    if counts is not None and counts.returned:
        returned = await visit.shop.keys.returned(visit.actor, product.id)
    return GoodsPanel(
        sells_for_stars=visit.shop.keys.sells_for_stars,
        sold_by_variant=bool(product.options),
        kind=None if digital is None else digital.kind,
        counts=counts,
        file=None if digital is None else digital.file,
        returned=returned,
    )
