"""Hostile options and variants over HTTP: empty or blank names and values, too many options
or values, values named twice (spaces around them do not make two), names MongoDB cannot
keep as keys (``$…``, dotted) are refused (422) and
write nothing; markup in a value is kept as written (the bot escapes it)."""

from __future__ import annotations

from typing import Any

import pytest

from core.accounts.models import Role
from core.catalog.variants.commands import MAX_OPTIONS, MAX_VALUES
from tests.api.client import Api
from tests.api.world import NewAccount
from tests.factories import NewProduct

REFUSED: list[dict[str, Any]] = [
    {"Size": [""]},
    {"Size": ["  "]},
    {"": ["S"]},
    {" ": ["S"]},
    {"Size": []},
    {"Size": ["S", "S"]},
    {"Size": [f"V{n}" for n in range(MAX_VALUES + 1)]},
    {f"O{n}": ["x"] for n in range(MAX_OPTIONS + 1)},
    {"Size": ["S\u0000"]},
    {"Size": "S"},
    {"$where": ["S"]},  # MongoDB keys: each variant stores its values by option name
    {"Size.US": ["S"]},
]


@pytest.mark.parametrize("options", REFUSED)
async def test_bad_options_are_refused_and_write_nothing(
    api: Api, new_account: NewAccount, new_product: NewProduct, options: dict[str, Any]
) -> None:
    admin = await new_account(Role.ADMIN)
    tee = await new_product("T-shirt")
    reply = await api.request(
        "PUT", f"/api/products/{tee.id}/options", json={"options": options}, token=admin.token
    )
    assert (reply.status, reply.code) == (422, "invalid-input"), reply.body
    assert (await api.get(f"/api/products/{tee.id}")).body["options"] == []


async def test_values_differing_only_by_spaces_are_one_and_markup_is_kept(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN)
    tee = await new_product("T-shirt")
    body = {"options": {"Size": ["<b>XL</b> & *bold*", " <b>XL</b> & *bold* ", "M"]}}
    reply = await api.request(
        "PUT", f"/api/products/{tee.id}/options", json=body, token=admin.token
    )
    assert reply.status == 200, reply.body
    assert reply.body["options"] == [{"name": "Size", "values": ["<b>XL</b> & *bold*", "M"]}]
    made = await api.post(
        f"/api/products/{tee.id}/variants",
        json={"options": {"Size": " <b>XL</b> & *bold*"}},
        token=admin.token,
    )
    assert (made.status, made.body["name"]) == (201, "<b>XL</b> & *bold*"), made.body
    again = await api.post(
        f"/api/products/{tee.id}/variants",
        json={"options": {"Size": "<b>XL</b> & *bold*"}},
        token=admin.token,
    )
    assert (again.status, again.code) == (409, "variant-taken")
