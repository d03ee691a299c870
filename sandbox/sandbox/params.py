"""Typed access to Bot API parameters, whatever body they arrived in.

aiogram posts ``application/x-www-form-urlencoded`` (or ``multipart/form-data`` when files are
attached) where every value is a string and complex values are JSON-encoded; other clients post
JSON where values keep their types. :class:`Params` reads both the same way.
"""

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import BodyPartReader, MultipartReader, web

from sandbox.errors import bad_request


class Upload:
    """A file sent in a multipart body."""

    def __init__(self, filename: str, data: bytes) -> None:
        self.filename = filename
        self.data = data


class Params:
    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value is None else str(value)

    def get_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def get_json(self, name: str) -> Any:
        """A complex value: decoded when it came JSON-encoded in a form field."""
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def get_file(self, name: str) -> str | Upload | None:
        """A file id, a URL, or the upload an ``attach://<part>`` value points at."""
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.attached(value)
            if value is None:
                raise bad_request(f"wrong file identifier/HTTP URL specified for {name}")
        if value is None or isinstance(value, Upload):
            return value
        return str(value)

    def attached(self, reference: str) -> Upload | None:
        """The upload ``attach://<part>`` names (inside InputMedia too), if the body has it."""
        value = self.values.get(reference.removeprefix("attach://"))
        return value if isinstance(value, Upload) else None


async def read_multipart(reader: MultipartReader) -> dict[str, Any]:
    values: dict[str, Any] = {}
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is not None:
            values[part.name] = Upload(part.filename, await part.read())
        else:
            values[part.name] = await part.text()
    return values


async def read_params(request: web.Request) -> Params:
    """Parameters from the query string and a JSON, url-encoded or multipart body."""
    values: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        if not isinstance(body, dict):
            raise bad_request("JSON object expected")
        values.update(body)
    elif request.content_type == "multipart/form-data":
        values.update(await read_multipart(await request.multipart()))
    elif request.can_read_body:
        values.update(await request.post())
    return Params(values)
