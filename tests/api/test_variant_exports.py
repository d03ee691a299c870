"""Variants in the exports: the variants export has a row per variant (archived ones too)
with its product, options, price and stock; the orders export names the variant ordered."""

from __future__ import annotations

import csv
import io

from core.accounts.models import Role
from core.reports.exports import VARIANT_COLUMNS
from tests.api.client import Api
from tests.api.variants import shirt
from tests.api.world import NewAccount
from tests.factories import NewProduct


async def test_the_variants_export_has_a_row_per_variant(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin, operator = await new_account(Role.ADMIN), await new_account(Role.OPERATOR)
    pid, red_m, blue_l = await shirt(api, admin, new_product, stock=3)
    await new_product("Tea")  # sold as itself: no row
    await api.post(f"/api/variants/{blue_l['id']}/archive", token=admin.token)

    reply = await api.get("/api/exports/variants.csv", token=operator.token)

    assert (reply.status, reply.headers["Content-Type"]) == (200, "text/csv; charset=utf-8")
    rows = list(csv.DictReader(io.StringIO(reply.body.removeprefix("\ufeff"), newline="")))
    assert tuple(rows[0]) == VARIANT_COLUMNS
    assert [
        (r["product_id"], r["product"], r["id"], r["sku"], r["name"], r["options"]) for r in rows
    ] == [
        (pid, "T-shirt", red_m["id"], "TEE-M-RED", "M, Red", "Size: M; Colour: Red"),
        (pid, "T-shirt", blue_l["id"], "", "L, Blue", "Size: L; Colour: Blue"),
    ]
    assert [(r["price_minor"], r["price"], r["own_price"]) for r in rows] == [
        ("1200", "12.00", "false"),
        ("1500", "15.00", "true"),
    ]
    assert [(r["stock"], r["active"]) for r in rows] == [("3", "true"), ("3", "false")]
