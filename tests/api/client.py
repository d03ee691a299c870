"""A client of the served API that checks every reply against the OpenAPI document: its
status must be documented for that operation and its body must match the schema."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator
from multidict import CIMultiDictProxy

from admin_api.config import ApiSettings
from core.base.ids import ID_PATTERN


def api_settings(**overrides: Any) -> ApiSettings:
    return ApiSettings(_env_file=None, **overrides)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: CIMultiDictProxy[str]
    body: Any  # decoded JSON, the bytes of an image, or the text of anything else

    @property
    def code(self) -> str | None:
        """The problem code of an error reply."""
        return self.body.get("code") if isinstance(self.body, dict) else None


class Api:
    """An HTTP client for the served app that checks replies against the document."""

    def __init__(self, client: TestClient[Any, Any], document: dict[str, Any]) -> None:
        self.client = client
        self.document = document
        self._templates = [
            (re.compile("^" + re.sub(r"{\w+}", ID_PATTERN, path) + "$"), path)
            for path in document["paths"]
        ]

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Reply:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        async with self.client.request(method, path, headers=sent, **kwargs) as response:
            raw = await response.read()
            if response.content_type.startswith("image/"):
                body: Any = raw
            else:
                is_json = response.content_type.endswith("json")
                body = response_json(raw.decode(response.charset or "utf-8"), is_json)
            reply = Reply(response.status, response.headers, body)
        self._check_documented(method, response.url.path, response.content_type, reply)
        return reply

    async def get(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("PUT", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("DELETE", path, **kwargs)

    def _check_documented(self, method: str, path: str, media_type: str, reply: Reply) -> None:
        template = next((t for pattern, t in self._templates if pattern.match(path)), None)
        operation = self.document["paths"].get(template, {}).get(method.lower())
        if operation is None:
            return  # not an API operation: an unknown path, a docs asset, a preflight
        documented = operation["responses"].get(str(reply.status))
        assert documented, f"{method} {template} answered {reply.status}, not documented"
        if "content" not in documented:  # 304
            assert not reply.body, f"{method} {template} {reply.status} has a body"
            return
        assert media_type in documented["content"], f"{method} {template}: {media_type}"
        if media_type.endswith("json"):
            schema = documented["content"][media_type]["schema"]
            validator = Draft202012Validator({**schema, "components": self.document["components"]})
            validator.validate(reply.body)


def response_json(text: str, is_json: bool) -> Any:
    return json.loads(text) if is_json and text else text


Serve = Callable[..., Awaitable[Api]]
"""``await serve(on=shop, **settings)``: the app served, and a client for it."""


Listen = Callable[..., Awaitable[int]]
"""``await listen(**settings)``: the API served as ``python -m admin_api`` serves it; its port."""
