"""Subcategories in the back office: created under a parent, shown as a tree, moved among
their siblings only, and named with their parent in the product pages."""

from __future__ import annotations

from core.accounts.access import SYSTEM
from core.accounts.models import Role
from core.catalog.commands import CategoryDraft, ProductDraft
from core.shop import Shop
from tests.api.world import PASSWORD, NewAccount
from tests.web.office import Office


async def _admin(office: Office, new_account: NewAccount) -> None:
    admin = await new_account(Role.ADMIN, name="Ada")
    assert (await office.sign_in(admin.email, PASSWORD)).status == 303


async def test_subcategories_are_created_under_a_parent_and_moved_among_siblings(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    await _admin(office, new_account)
    tea = await shop.categories.create(SYSTEM, CategoryDraft(name="Tea"))
    await shop.categories.create(SYSTEM, CategoryDraft(name="Cups"))
    form = await office.get("/admin/categories")
    assert form.shows("None: a top-level category")
    for name in ("Green", "Black"):
        made = await office.post("/admin/categories", {"name": name, "parentId": str(tea.id)})
        assert made.status == 303

    async def tree() -> list[tuple[str, str | None]]:
        categories = await shop.categories.all(include_inactive=True)
        names = {c.id: c.name for c in categories}
        return [(c.name, names.get(c.parent_id) if c.parent_id else None) for c in categories]

    assert await tree() == [("Tea", None), ("Green", "Tea"), ("Black", "Tea"), ("Cups", None)]
    page = await office.get("/admin/categories")
    assert page.shows("2 subcategories") and 'class="subcategory"' in page.text
    black = (await shop.categories.all())[2]
    assert (await office.post(f"/admin/categories/{black.id}/up")).status == 303
    assert await tree() == [("Tea", None), ("Black", "Tea"), ("Green", "Tea"), ("Cups", None)]
    assert (await office.post(f"/admin/categories/{black.id}/up")).status == 303  # first of two
    assert await tree() == [("Tea", None), ("Black", "Tea"), ("Green", "Tea"), ("Cups", None)]
    cups = (await shop.categories.all())[3]
    assert (await office.post(f"/admin/categories/{cups.id}/up")).status == 303
    assert await tree() == [("Cups", None), ("Tea", None), ("Black", "Tea"), ("Green", "Tea")]

    green = (await shop.categories.all())[3]
    deep = await office.post("/admin/categories", {"name": "Deep", "parentId": str(green.id)})
    assert deep.status == 422 and deep.shows("cannot have subcategories")
    lost = await office.post("/admin/categories", {"name": "Lost", "parentId": "0" * 24})
    assert lost.status == 422 and lost.shows("This parent no longer exists")
    assert len(await shop.categories.all()) == 4


async def test_product_pages_name_a_subcategory_with_its_parent(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    await _admin(office, new_account)
    tea = await shop.categories.create(SYSTEM, CategoryDraft(name="Tea"))
    green = await shop.categories.create(SYSTEM, CategoryDraft(name="Green", parent_id=tea.id))
    sencha = await shop.catalog.create(
        SYSTEM, ProductDraft(name="Sencha", price=450, category_id=green.id)
    )
    await shop.catalog.create(SYSTEM, ProductDraft(name="Sampler", price=450, category_id=tea.id))
    listed = await office.get(f"/admin/products?category={tea.id}")
    assert listed.shows("Tea / Green") and listed.shows("Sencha") and listed.shows("Sampler")
    edit = await office.get(f"/admin/products/{sencha.id}")
    assert f'<option value="{green.id}" selected>Tea / Green</option>' in edit.text
