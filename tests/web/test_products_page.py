"""The products and categories pages: admins only, CSRF on every form, errors beside their
fields, photos through core's checks, stock, archiving, and names shown as text."""

from __future__ import annotations

import re

import pytest

from core.accounts.access import SYSTEM
from core.accounts.models import Role
from core.catalog.commands import CategoryDraft, ProductDraft, ProductPatch, ProductQuery
from core.catalog.models import Category
from core.shop import Shop
from tests.api.world import PASSWORD, NewAccount
from tests.images import image_bytes
from tests.web.office import Office, Page, upload
from tests.web.office import signed_in_admin as _admin

XSS = "<script>alert(1)</script>"


def _product_id(page: Page) -> str:
    found = re.search(r"/admin/products/([0-9a-f]{24})", page.location)
    assert found, page.location
    return found.group(1)


async def test_operators_and_strangers_are_refused(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    tea = await shop.catalog.create(SYSTEM, ProductDraft(name="Tea", price=450))
    anonymous = await office.get("/admin/products")
    assert anonymous.status == 303 and anonymous.location.startswith("/admin/sign-in")
    operator = await new_account(Role.OPERATOR)
    await office.sign_in(operator.email, PASSWORD)
    for path in ("/admin/products", f"/admin/products/{tea.id}", "/admin/categories"):
        refused = await office.get(path)
        assert refused.status == 403 and refused.shows("Not allowed"), path
    dashboard = await office.get("/admin/")
    refused = await office.post(f"/admin/products/{tea.id}/archive", csrf=dashboard.csrf)
    assert refused.status == 403
    assert not dashboard.shows("Products")  # no menu link for a page they may not open
    assert (await shop.catalog.get(tea.id, viewer=SYSTEM)).active


async def test_an_admin_creates_a_product_and_finds_it(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    await _admin(office, new_account)
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    form = await office.get("/admin/products/new")
    assert form.status == 200
    fields = {"name": "Green tea", "description": "Sencha", "price": "4.50", "stock": "12"}
    created = await office.post("/admin/products", fields | {"categoryId": str(teas.id)})
    assert created.status == 303
    product = await shop.catalog.get(_product_id(created), viewer=SYSTEM)
    assert (product.name, product.price, product.stock) == ("Green tea", 450, 12)
    assert product.category_id == teas.id
    edit = await office.follow(created)
    assert edit.shows("Green tea was created.")
    listed = await office.get(f"/admin/products?q=green&category={teas.id}")
    assert listed.shows("Green tea") and listed.shows("$4.50") and listed.shows("Teas")
    assert not (await office.get("/admin/products?q=coffee")).shows("Green tea")
    assert not (await office.get("/admin/products?category=none")).shows("Green tea")


async def test_errors_are_shown_beside_their_fields_and_nothing_is_written(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    await _admin(office, new_account)
    await office.get("/admin/products/new")
    refused = await office.post("/admin/products", {"name": "", "price": "4.505", "stock": "-1"})
    assert refused.status == 422
    errors = dict(re.findall(r'id="(\w+)-error">([^<]+)<', refused.text))
    assert set(errors) == {"name", "price", "stock"}, errors
    assert errors["price"] == "Enter an amount in USD, such as 12.50."
    assert "greater than or equal to 0" in errors["stock"]
    assert 'value="4.505"' in refused.text  # what was typed is kept
    unknown = await office.post(
        "/admin/products", {"name": "Tea", "price": "1", "stock": "1", "categoryId": "0" * 24}
    )
    assert unknown.status == 422 and unknown.shows("This category no longer exists"), unknown.text[
        -3000:-1500
    ]
    assert (await shop.catalog.list(ProductQuery(include_inactive=True), viewer=SYSTEM)).total == 0


async def test_a_sku_names_one_product(office: Office, new_account: NewAccount, shop: Shop) -> None:
    await _admin(office, new_account)
    await office.get("/admin/products/new")
    fields = {"name": "Tea", "price": "1", "stock": "0", "sku": " TEA-1 "}
    created = await office.post("/admin/products", fields)
    assert created.status == 303
    product = await shop.catalog.get(_product_id(created), viewer=SYSTEM)
    assert product.sku == "TEA-1"
    taken = await office.post("/admin/products", fields | {"name": "Other tea"})
    assert taken.status == 409
    assert re.search(r'id="sku-error">Another product has the SKU TEA-1\.<', taken.text)
    wrong = await office.post("/admin/products", fields | {"sku": "tea 1?"})
    assert wrong.status == 422 and 'id="sku-error"' in wrong.text
    page = await office.get(f"/admin/products/{product.id}")
    fields = {"name": "Tea", "price": "1", "sku": "", "expectedVersion": str(product.version)}
    cleared = await office.post(f"/admin/products/{product.id}", fields, csrf=page.csrf)
    assert cleared.status == 303
    assert (await shop.catalog.get(product.id, viewer=SYSTEM)).sku is None
    assert (await shop.catalog.list(ProductQuery(include_inactive=True), viewer=SYSTEM)).total == 1


async def test_a_stale_edit_changes_nothing_and_says_so(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    await _admin(office, new_account)
    tea = await shop.catalog.create(SYSTEM, ProductDraft(name="Tea", price=450))
    form = await office.get(f"/admin/products/{tea.id}")
    await shop.catalog.update(SYSTEM, tea.id, ProductPatch(price=500))  # someone else
    fields = {"name": "Tea", "price": "3", "expectedVersion": str(tea.version)}
    stale = await office.post(f"/admin/products/{tea.id}", fields, csrf=form.csrf)
    assert stale.status == 409 and stale.shows("changed by someone else")
    assert (await shop.catalog.get(tea.id, viewer=SYSTEM)).price == 500
    fresh = await office.get(f"/admin/products/{tea.id}")
    fields["expectedVersion"] = str(tea.version + 1)
    saved = await office.post(f"/admin/products/{tea.id}", fields, csrf=fresh.csrf)
    assert saved.status == 303
    assert (await shop.catalog.get(tea.id, viewer=SYSTEM)).price == 300


async def test_stock_is_set_and_adjusted_within_its_bounds(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    await _admin(office, new_account)
    tea = await shop.catalog.create(SYSTEM, ProductDraft(name="Tea", price=450, stock=5))
    path = f"/admin/products/{tea.id}"
    await office.get(path)
    fields = {"how": "set", "amount": "9", "expectedVersion": str(tea.version)}
    assert (await office.post(f"{path}/stock", fields)).status == 303
    await office.get(path)
    assert (await office.post(f"{path}/stock", {"how": "adjust", "amount": "-4"})).status == 303
    assert (await shop.catalog.get(tea.id, viewer=SYSTEM)).stock == 5
    await office.get(path)
    refused = await office.post(f"{path}/stock", {"how": "adjust", "amount": "-6"})
    assert refused.status == 409 and refused.shows("would take it below zero")
    await office.get(path)
    typo = await office.post(f"{path}/stock", {"how": "adjust", "amount": "lots"})
    assert typo.status == 422 and typo.shows("Enter a whole number")
    assert (await shop.catalog.get(tea.id, viewer=SYSTEM)).stock == 5


async def test_archive_and_restore(office: Office, new_account: NewAccount, shop: Shop) -> None:
    await _admin(office, new_account)
    tea = await shop.catalog.create(SYSTEM, ProductDraft(name="Tea", price=450))
    page = await office.get(f"/admin/products/{tea.id}")
    assert (await office.post(f"/admin/products/{tea.id}/archive", csrf=page.csrf)).status == 303
    assert not (await shop.catalog.get(tea.id, viewer=SYSTEM)).active
    assert (await office.get("/admin/products")).shows("No products match.")
    listed = await office.get("/admin/products?includeInactive=true")
    assert ">Tea</a>" in listed.text and listed.shows("archived")
    assert (await office.post(f"/admin/products/{tea.id}/restore", csrf=page.csrf)).status == 303
    assert (await shop.catalog.get(tea.id, viewer=SYSTEM)).active


async def test_a_photo_is_uploaded_checked_replaced_and_removed(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    await _admin(office, new_account)
    tea = await shop.catalog.create(SYSTEM, ProductDraft(name="Tea", price=450))
    path = f"/admin/products/{tea.id}"
    page = await office.get(path)
    assert 'enctype="multipart/form-data"' in page.text and "photo-upload.js" in page.text
    refused = await upload(office, f"{path}/photo", b"GIF89a not a photo", page.csrf)
    assert refused.status == 422 and refused.shows("send a JPEG, PNG or WebP image")
    forged = await upload(office, f"{path}/photo", image_bytes("PNG"), "forged")
    assert forged.status == 403
    assert (await shop.catalog.get(tea.id, viewer=SYSTEM)).photo is None
    big = image_bytes("PNG", (300, 200))
    assert len(big) < shop.photos.max_bytes
    assert (await upload(office, f"{path}/photo", big, page.csrf)).status == 303
    photo = (await shop.catalog.get(tea.id, viewer=SYSTEM)).photo
    assert photo is not None and (photo.width, photo.height) == (300, 200)
    shown = await office.get(path)
    assert f"/admin/products/{tea.id}/photos/{photo.file_id}" in shown.text
    async with office.client.get(f"{path}/photo") as served:
        assert served.status == 200 and served.content_type == "image/png"
        assert await served.read() == big
    replaced = await upload(office, f"{path}/photo", image_bytes("JPEG", (40, 30)), page.csrf)
    assert replaced.status == 303
    photo = (await shop.catalog.get(tea.id, viewer=SYSTEM)).photo
    assert photo is not None and photo.content_type == "image/jpeg"
    assert (await office.post(f"{path}/photo/remove", csrf=page.csrf)).status == 303
    assert (await shop.catalog.get(tea.id, viewer=SYSTEM)).photo is None


async def test_a_photo_over_the_limit_is_refused(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    await _admin(office, new_account)
    tea = await shop.catalog.create(SYSTEM, ProductDraft(name="Tea", price=450))
    page = await office.get(f"/admin/products/{tea.id}")
    path = f"/admin/products/{tea.id}/photo"
    for size in (shop.photos.max_bytes + 1, 3 * shop.photos.max_bytes):  # read no further
        over = b"\x89PNG\r\n\x1a\n" + bytes(size - 8)
        refused = await upload(office, path, over, page.csrf)
        assert refused.status == 422
        assert refused.shows(f"larger than {shop.photos.max_bytes} bytes")
    assert (await shop.catalog.get(tea.id, viewer=SYSTEM)).photo is None


async def test_names_are_shown_as_text(office: Office, new_account: NewAccount, shop: Shop) -> None:
    await _admin(office, new_account)
    category = await shop.categories.create(SYSTEM, CategoryDraft(name=XSS))
    draft = ProductDraft(name=XSS, price=450, description=XSS, category_id=category.id)
    product = await shop.catalog.create(SYSTEM, draft)
    for path in ("/admin/products", f"/admin/products/{product.id}", "/admin/categories"):
        page = await office.get(path)
        assert XSS not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, path


async def test_categories_are_created_renamed_reordered_and_archived(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    await _admin(office, new_account)
    await office.get("/admin/categories")
    for name in ("Teas", "Coffee", "Cups"):
        assert (await office.post("/admin/categories", {"name": name})).status == 303
    empty = await office.post("/admin/categories", {"name": " "})
    assert empty.status == 422 and 'id="name-error"' in empty.text

    async def names() -> list[str]:
        return [c.name for c in await shop.categories.all(include_inactive=True)]

    assert await names() == ["Teas", "Coffee", "Cups"]
    cups = (await shop.categories.all())[2]
    assert (await office.post(f"/admin/categories/{cups.id}/up")).status == 303
    assert await names() == ["Teas", "Cups", "Coffee"]
    assert (await office.post(f"/admin/categories/{cups.id}/up")).status == 303
    assert (await office.post(f"/admin/categories/{cups.id}/up")).status == 303  # first already
    assert await names() == ["Cups", "Teas", "Coffee"]
    assert (await office.post(f"/admin/categories/{cups.id}/down")).status == 303
    assert await names() == ["Teas", "Cups", "Coffee"]
    renamed = await office.post(f"/admin/categories/{cups.id}", {"name": "Mugs"})
    assert renamed.status == 303
    assert (await office.post(f"/admin/categories/{cups.id}/archive")).status == 303
    assert not (await shop.categories.get(cups.id, viewer=SYSTEM)).active
    page = await office.get("/admin/categories")
    assert page.shows("Mugs") and page.shows("archived")
    assert (await office.post(f"/admin/categories/{cups.id}/restore")).status == 303
    assert (await shop.categories.get(cups.id, viewer=SYSTEM)).active
    missing = await office.post(f"/admin/categories/{'0' * 24}/down")
    assert missing.status == 404 and missing.shows("no longer exists")
    forged = await office.post(f"/admin/categories/{cups.id}/up", csrf="forged")
    assert forged.status == 403 and await names() == ["Teas", "Mugs", "Coffee"]


async def test_a_move_over_a_category_added_meanwhile_changes_nothing_and_says_so(
    office: Office, new_account: NewAccount, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _admin(office, new_account)
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    cups = await shop.categories.create(SYSTEM, CategoryDraft(name="Cups"))
    read = shop.categories.all

    async def read_then_another_admin_adds_one(**kwargs: bool) -> tuple[Category, ...]:
        found = await read(**kwargs)
        await shop.categories.create(SYSTEM, CategoryDraft(name="Mugs"))
        return found

    await office.get("/admin/categories")
    monkeypatch.setattr(shop.categories, "all", read_then_another_admin_adds_one)
    moved = await office.post(f"/admin/categories/{cups.id}/up")
    monkeypatch.undo()
    page = await office.follow(moved)
    assert page.shows("Nothing was moved: someone added or removed a category meanwhile.")
    assert [c.id for c in await shop.categories.all()][:2] == [teas.id, cups.id]
