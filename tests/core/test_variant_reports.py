"""A product sold by variant in the staff's stock figures: its own stock is not sold, so it
is never "low" (on the dashboard, in the products export), however low that stock is."""

from __future__ import annotations

import csv
import io

import pytest

from core.accounts.access import SYSTEM
from core.shop import Shop
from tests.core.variants import make_shirt
from tests.factories import NewProduct


@pytest.mark.parametrize("core_overrides", [{"low_stock_threshold": 3}])
async def test_a_product_sold_by_variant_is_never_low_on_its_own_stock(
    shop: Shop, new_product: NewProduct
) -> None:
    shirt = await make_shirt(shop, new_product)  # its own stock: 0
    await new_product("Tea", stock=2)

    dashboard = await shop.reports.dashboard(SYSTEM)

    assert [p.name for p in dashboard.low_stock] == ["Tea"]
    export = await shop.exports.products(SYSTEM)
    text = b"".join([chunk async for chunk in export.chunks]).decode()
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))}
    assert (rows["Tea"]["low_stock"], rows[shirt.product.name]["low_stock"]) == ("true", "false")
