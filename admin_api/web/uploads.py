"""A posted form with files (``Visit.parts``, after its CSRF token), read within limits.

Each file is kept up to one byte past its limit and no further (the rest of it is read
and dropped as it arrives), so core, which checks sizes itself, refuses it by its size and
the page shows why beside the field; memory stays bounded by the limits whatever is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError

CHUNK_BYTES = 64 * 1024
FIELD_BYTES = 4 * 1024
"""The most a text field of such a form carries."""
MAX_PARTS = 20


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    """Each chosen file's bytes, cut one byte past its limit."""

    def too_large(self, name: str, limit: int) -> bool:
        return len(self.files.get(name, b"")) > limit


async def read_upload(parts: MultipartReader | None, limits: Mapping[str, int]) -> Upload:
    """The form's text fields and its files (``limits``: each file field's most bytes); a
    file field left empty is absent. 400 if the body is not a readable multipart form."""
    if parts is None:
        raise web.HTTPBadRequest(reason="Send the form with its file")
    upload = Upload()
    try:
        for _ in range(MAX_PARTS):
            part = await parts.next()
            if part is None:
                return upload
            if not isinstance(part, BodyPartReader) or not part.name:
                raise web.HTTPBadRequest(reason="The form cannot be read")
            if part.name in limits:
                data = await _head(part, limits[part.name] + 1)
                if data or part.filename:
                    upload.files[part.name] = data
            else:
                upload.fields[part.name] = (await _head(part, FIELD_BYTES)).decode()
    except (ValueError, AssertionError, HttpProcessingError):  # UnicodeDecodeError included
        raise web.HTTPBadRequest(reason="The form cannot be read") from None
    raise web.HTTPBadRequest(reason="The form has too many fields")


async def _head(part: BodyPartReader, most: int) -> bytes:
    """The part's first ``most`` bytes; the rest is read and dropped."""
    data = bytearray()
    while chunk := await part.read_chunk(CHUNK_BYTES):
        data += chunk[: max(0, most - len(data))]
    return bytes(data)
