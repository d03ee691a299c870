"""A browser-like client of the back office over real HTTP: it keeps cookies, reads the
CSRF token from each page and sends it back with forms, as a browser would."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from html import unescape
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient
from multidict import CIMultiDictProxy

from core.accounts.models import Role
from tests.api.world import PASSWORD, NewAccount

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')
SESSION = "shop_admin_session"


@dataclass(frozen=True)
class Page:
    status: int
    headers: CIMultiDictProxy[str]
    text: str

    @property
    def csrf(self) -> str:
        found = CSRF_FIELD.search(self.text)
        assert found, "the page has no form with a CSRF token"
        return found.group(1)

    @property
    def location(self) -> str:
        return self.headers["Location"]

    def shows(self, text: str) -> bool:
        """Whether ``text`` is on the page, as a reader sees it (entities decoded)."""
        return text in unescape(re.sub(r"<[^>]+>", " ", self.text).replace("  ", " "))


class Office:
    def __init__(self, client: TestClient[Any, Any]) -> None:
        self.client = client
        self.last: Page | None = None

    async def request(self, method: str, path: str, **kwargs: Any) -> Page:
        async with self.client.request(method, path, allow_redirects=False, **kwargs) as response:
            page = Page(response.status, response.headers, await response.text())
        if CSRF_FIELD.search(page.text):  # the last page with forms, as a browser's tab
            self.last = page
        return page

    async def get(self, path: str, **kwargs: Any) -> Page:
        return await self.request("GET", path, **kwargs)

    async def follow(self, page: Page) -> Page:
        assert page.status == 303, (page.status, page.text[:300])
        return await self.get(page.location)

    async def post(
        self, path: str, data: Mapping[str, str] | None = None, *, csrf: str | None = None
    ) -> Page:
        """POST ``data`` as a form, with the CSRF token of the last page (or ``csrf``)."""
        token = csrf if csrf is not None else (self.last.csrf if self.last else "")
        return await self.request("POST", path, data={"csrf_token": token, **(data or {})})

    async def sign_in(self, email: str, password: str) -> Page:
        await self.get("/admin/sign-in")
        return await self.post("/admin/sign-in", {"email": email, "password": password})

    @property
    def session_cookie(self) -> str | None:
        for cookie in self.client.session.cookie_jar:
            if cookie.key == SESSION:
                return cookie.value
        return None

    def forget_cookies(self) -> None:
        self.client.session.cookie_jar.clear()


OpenOffice = Callable[..., Awaitable[Office]]
"""``await open_office(on=shop, **api_settings)``: a new browser on a served back office
(of the test's shop unless ``on`` names another)."""


async def signed_in_admin(office: Office, new_account: NewAccount) -> None:
    """Sign ``office`` in as a new admin."""
    admin = await new_account(Role.ADMIN, name="Ada")
    assert (await office.sign_in(admin.email, PASSWORD)).status == 303


async def upload(office: Office, path: str, data: bytes, csrf: str, name: str = "a.png") -> Page:
    """POST a multipart form with the file ``data`` in ``photo``, as a browser's picker does."""
    form = aiohttp.FormData()
    form.add_field("csrf_token", csrf)
    form.add_field("photo", data, filename=name, content_type="application/octet-stream")
    return await office.request("POST", path, data=form)
