"""The spreadsheets page: CSV exports streamed to a signed-in browser (the session cookie is
enough), the orders' filters applied; the product import checked, then applied only with
the files that were checked, and again with no change; admins only for the import."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from urllib.parse import quote

import aiohttp

from core.accounts.access import SYSTEM
from core.accounts.models import Role
from core.catalog.commands import ProductQuery
from core.sales.commands import CartChange
from core.shop import Shop
from tests.api.world import PASSWORD, NewAccount
from tests.factories import NewProduct
from tests.images import image_bytes
from tests.sheets import csv_file, zip_file
from tests.web.office import Office, Page

XSS = "<script>alert(1)</script>"
SHEET = csv_file(
    ["TEA-1", "Green tea", "Sencha", "6.50", 20, "", "", "TEA-1.png"],
    ["TEA-2", XSS, "", "5.50", 3, "", "yes", ""],
)
PHOTOS = zip_file({"TEA-1.png": image_bytes("PNG", (30, 20))})


def rows(body: bytes) -> list[dict[str, str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


async def download(office: Office, path: str) -> tuple[int, str, bytes]:
    async with office.client.get(path, allow_redirects=False) as reply:
        return reply.status, reply.headers.get("Content-Disposition", ""), await reply.read()


async def send(
    office: Office, path: str, csrf: str, sheet: bytes | None, photos: bytes | None = None,
    htmx: bool = False, **fields: str,
) -> Page:  # fmt: skip
    form = aiohttp.FormData(default_to_multipart=True)
    form.add_field("csrf_token", csrf)
    if sheet is not None:
        form.add_field("file", sheet, filename="products.csv", content_type="text/csv")
    if photos is not None:
        form.add_field("photos", photos, filename="photos.zip", content_type="application/zip")
    for name, value in fields.items():
        form.add_field(name, value)
    headers = {"HX-Request": "true"} if htmx else {}
    return await office.request("POST", path, data=form, headers=headers)


def fingerprint(page: Page) -> str:
    found = re.search(r'name="checked" value="([0-9a-f]{64})"', page.text)
    assert found, page.text[-2500:]
    return found.group(1)


async def test_exports_stream_to_the_signed_in_browser(
    office: Office, shop: Shop, new_account: NewAccount, new_product: NewProduct
) -> None:
    operator = await new_account(Role.OPERATOR)
    alice = await new_account(name=XSS)
    tea = await new_product("Tea", price=450, stock=5)
    await shop.carts.add(alice.user.id, CartChange(product_id=tea.id, quantity=2))
    order = await shop.checkout.place_order(alice.user.id)
    assert (await download(office, "/admin/exports/orders.csv"))[0] == 303  # sign in first
    await office.sign_in(operator.email, PASSWORD)
    page = await office.get("/admin/spreadsheets")
    assert page.status == 200 and page.shows("Download orders.csv")
    assert not page.shows("Import products")  # admins only

    status, disposition, body = await download(office, "/admin/exports/orders.csv")
    assert status == 200 and "attachment" in disposition
    [row] = rows(body)
    assert row["number"] == str(order.number) and row["total_minor"] == "900"
    status, _, body = await download(office, "/admin/exports/orders.csv?status=paid")
    assert rows(body) == []
    day = order.created_at.date()
    for since, found in ((day, 1), (day + timedelta(days=1), 0)):
        body = (await download(office, f"/admin/exports/orders.csv?from={since}&to={since}"))[2]
        assert len(rows(body)) == found
    for words, found in ((f"#{order.number}", 1), ("nobody", 0)):
        body = (await download(office, f"/admin/exports/orders.csv?q={quote(words)}"))[2]
        assert len(rows(body)) == found
    status, _, body = await download(office, "/admin/exports/orders.csv?from=nonsense")
    assert status == 422
    customers = rows((await download(office, "/admin/exports/customers.csv"))[2])
    assert XSS in [customer["name"] for customer in customers]  # data, not markup: as typed
    products = rows((await download(office, "/admin/exports/products.csv"))[2])
    assert [product["name"] for product in products] == ["Tea"]
    status, _, body = await download(office, "/admin/exports/variants.csv")
    assert status == 200 and rows(body) == []  # Tea is sold as itself


async def test_an_import_is_checked_then_applied_and_again_changes_nothing(
    office: Office, shop: Shop, new_account: NewAccount
) -> None:
    admin = await new_account(Role.ADMIN)
    await office.sign_in(admin.email, PASSWORD)
    page = await office.get("/admin/spreadsheets")
    path = "/admin/imports"

    checked = await send(office, f"{path}/check", page.csrf, SHEET, PHOTOS)
    assert checked.status == 200 and checked.shows("Dry run: nothing was written")
    assert re.search(r'data-count="created">2<', checked.text)
    assert XSS not in checked.text and "&lt;script&gt;" not in checked.text  # no names shown
    assert (await shop.catalog.list(ProductQuery(include_inactive=True), viewer=SYSTEM)).total == 0
    token = fingerprint(checked)

    other = csv_file(["TEA-1", "Green tea", "", "1.00", 1, "", "", ""])
    swapped = await send(office, f"{path}/apply", page.csrf, other, checked=token)
    assert swapped.status == 422 and swapped.shows("These are not the files that were checked")
    without_photos = await send(office, f"{path}/apply", page.csrf, SHEET, checked=token)
    assert without_photos.status == 422
    forged = await send(office, f"{path}/apply", "forged", SHEET, PHOTOS, checked=token)
    assert forged.status == 403
    assert (await shop.catalog.list(ProductQuery(include_inactive=True), viewer=SYSTEM)).total == 0

    applied = await send(
        office, f"{path}/apply", page.csrf, SHEET, PHOTOS, htmx=True, checked=token
    )
    assert applied.status == 200 and "<html" not in applied.text  # htmx: the fragment alone
    assert (
        re.search(r'data-count="created">2<', applied.text) and 'name="checked"' not in applied.text
    )
    found = await shop.catalog.list(ProductQuery(include_inactive=True), viewer=SYSTEM)
    by_name = {product.name: product for product in found.items}
    assert set(by_name) == {"Green tea", XSS} and by_name["Green tea"].photo is not None
    assert not by_name[XSS].active

    again = await send(office, f"{path}/check", page.csrf, SHEET, PHOTOS)
    again = await send(
        office, f"{path}/apply", page.csrf, SHEET, PHOTOS, checked=fingerprint(again)
    )
    assert re.search(r'data-count="unchanged">2<', again.text)
    assert re.search(r'data-count="created">0<', again.text)


async def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_written(
    office: Office, shop: Shop, new_account: NewAccount
) -> None:
    admin = await new_account(Role.ADMIN)
    await office.sign_in(admin.email, PASSWORD)
    page = await office.get("/admin/spreadsheets")
    bad = csv_file(
        ["TEA-1", "Tea", "", "-1", -2, "Nowhere", "", ""], ["TEA-2", "Tea", "", "1", 1, "", "", ""]
    )
    checked = await send(office, "/admin/imports/check", page.csrf, bad)
    assert checked.status == 200 and 'name="checked"' not in checked.text  # nothing to apply
    problems = re.findall(r'<tr><td class="number">(\d+)</td><td>(\w+)</td>', checked.text)
    assert {(row, column) for row, column in problems} >= {("2", "price"), ("2", "stock")}
    unreadable = await send(office, "/admin/imports/check", page.csrf, b"\xff\xfe not csv")
    assert unreadable.status == 422 and unreadable.shows("cannot be imported")
    missing = await send(office, "/admin/imports/check", page.csrf, None)
    assert missing.status == 422 and missing.shows("Choose the CSV file to import.")
    assert (await shop.catalog.list(ProductQuery(include_inactive=True), viewer=SYSTEM)).total == 0


async def test_operators_may_not_import(office: Office, new_account: NewAccount) -> None:
    operator = await new_account(Role.OPERATOR)
    await office.sign_in(operator.email, PASSWORD)
    page = await office.get("/admin/spreadsheets")
    refused = await send(office, "/admin/imports/check", page.csrf, SHEET)
    assert refused.status == 403
