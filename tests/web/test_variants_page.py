"""A product sold by variant on its back-office page: its options and a read-only table of
its variants (archived ones too), each with its SKU, price, stock and own photo; markup in a
variant's name is shown as written. A product without options has no such table."""

from __future__ import annotations

import re
from html import unescape

from core.accounts.access import SYSTEM
from core.catalog.variants.commands import VariantDraft, VariantPatch
from core.shop import Shop
from tests.api.world import NewAccount
from tests.core.variants import make_shirt
from tests.factories import NewProduct
from tests.images import image_bytes
from tests.web.office import Office
from tests.web.office import signed_in_admin as _admin


def table(html: str) -> list[list[str]]:
    """The cells of the page's table body, as a reader sees them."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            " ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


async def test_the_product_page_lists_its_variants(
    office: Office, new_account: NewAccount, shop: Shop, new_product: NewProduct
) -> None:
    await _admin(office, new_account)
    shirt = await make_shirt(shop, new_product, stock=4)
    for size in (3, 4):
        product = await shop.photos.add(SYSTEM, shirt.product.id, image_bytes("PNG", (size, size)))
    second = product.photos[1].file_id
    await shop.variants.update(SYSTEM, shirt.blue_l.id, VariantPatch(photo_id=second, sku="tee-l"))
    marked = VariantDraft(options={"Size": "S", "Colour": "Red"}, name="<b>S</b> & Co")
    small = await shop.variants.create(SYSTEM, product.id, marked)
    await shop.variants.archive(SYSTEM, small.id)
    tea = await new_product("Tea")

    page = await office.get(f"/admin/products/{product.id}")
    assert page.status == 200
    assert page.shows("Variants 3") and page.shows("Size (S, M, L); Colour (Red, Blue)")
    assert table(page.text) == [
        ["M, Red", "", "$12.00", "4", "the product's", "on sale"],
        ["L, Blue", "TEE-L", "$15.00", "4", "Photo 2", "on sale"],
        ["<b>S</b> & Co", "", "$12.00", "0", "the product's", "archived"],
    ]
    assert f'src="/admin/products/{product.id}/photos/{second}"' in page.text
    assert "<b>S</b> & Co" not in page.text  # escaped
    assert page.shows("Sold by variant: customers buy each variant's stock")
    plain = await office.get(f"/admin/products/{tea.id}")
    assert plain.status == 200 and not plain.shows("Variants")
    assert not plain.shows("Sold by variant")
