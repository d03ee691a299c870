"""Uploads to a back-office page: the CSRF token is checked before the file is read (first
field or header), and the file is left to the handler to stream, past the API's body limit."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import BodyPartReader, web
from aiohttp.test_utils import TestClient, TestServer

from admin_api.app import create_app
from admin_api.web.app import mount
from admin_api.web.routes import PAGES
from admin_api.web.visit import PageRoute, Visit
from core.accounts.models import Role
from core.shop import Shop
from tests.api.client import api_settings
from tests.api.world import PASSWORD, NewAccount
from tests.web.office import Office

FILE = bytes(range(256)) * 800  # 200 kB, past MAX_BODY_BYTES (64 kB)


async def receive(visit: Visit) -> web.StreamResponse:
    """A page that streams an upload: the name and size of its next part."""
    assert visit.parts is not None
    part = await visit.parts.next()
    assert isinstance(part, BodyPartReader)
    size = 0
    while chunk := await part.read_chunk():
        size += len(chunk)
    return web.Response(text=f"{part.name}:{size}")


@pytest.fixture
async def office(shop: Shop) -> AsyncIterator[Office]:
    settings = api_settings(admin_web=False)
    app = create_app(shop, settings)
    mount(app, shop, settings, (*PAGES, PageRoute("POST", "/upload", receive)))
    async with TestClient(TestServer(app)) as client:
        yield Office(client)


def _form(*fields: tuple[str, bytes | str]) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for name, value in fields:
        if isinstance(value, bytes):
            form.add_field(name, value, filename="photo.png", content_type="image/png")
        else:
            form.add_field(name, value)
    return form


async def test_an_upload_carries_its_token_first_or_in_a_header(
    office: Office, new_account: NewAccount
) -> None:
    admin = await new_account(Role.ADMIN)
    await office.sign_in(admin.email, PASSWORD)
    token = (await office.get("/admin/")).csrf

    first = await office.request(
        "POST", "/admin/upload", data=_form(("csrf_token", token), ("photo", FILE))
    )
    assert (first.status, first.text) == (200, f"photo:{len(FILE)}")
    header = await office.request(
        "POST", "/admin/upload", data=_form(("photo", FILE)), headers={"X-CSRF-Token": token}
    )
    assert (header.status, header.text) == (200, f"photo:{len(FILE)}")
    for form in (
        _form(("photo", FILE), ("csrf_token", token)),
        _form(("csrf_token", "x"), ("photo", FILE)),
    ):
        refused = await office.request("POST", "/admin/upload", data=form)
        assert refused.status == 403 and refused.shows("nothing was changed")
