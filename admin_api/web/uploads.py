"""A posted form with files (``Visit.parts``, after its CSRF token), read within limits.

Each file is kept up to one byte past its limit and no further (the rest of it is read
and dropped as it arrives), so core, which checks sizes itself, refuses it by its size and
the page shows why beside the field; memory stays bounded by the limits whatever is sent.
A body far past what the form can hold (every file at ``OVERSIZE`` times its limit and
every field full) is refused with a 413 page: before any of it is read when its declared
length says so, else as soon as that much has arrived, so a huge upload is not read to its
end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from admin_api.payloads import within
from admin_api.web.visit import Visit

CHUNK_BYTES = 64 * 1024
FIELD_BYTES = 4 * 1024
"""The most a text field of such a form carries."""
MAX_PARTS = 20
PART_OVERHEAD_BYTES = 1024
"""Room for a part's boundary and headers."""
OVERSIZE = 4
"""A file up to this many times its limit is still read through, for the page to say
beside its field that it is too large; a body larger than that gets the 413 page."""


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    """Each chosen file's bytes, cut one byte past its limit."""
    names: dict[str, str] = field(default_factory=dict)
    """Each chosen file's name as the browser sent it."""

    def too_large(self, name: str, limit: int) -> bool:
        return len(self.files.get(name, b"")) > limit


async def read_upload(visit: Visit, limits: Mapping[str, int]) -> Upload:
    """The form's text fields and its files (``limits``: each file field's most bytes); a
    file field left empty is absent. 400 if the body is not a readable multipart form, 413
    if it is far too large to be one, 408 if it does not arrive in time."""
    return await within(visit.body_deadline, _read(visit.request, visit.parts, limits))


async def _read(
    request: web.Request, parts: MultipartReader | None, limits: Mapping[str, int]
) -> Upload:
    if parts is None:
        raise web.HTTPBadRequest(reason="Send the form with its file")
    room = OVERSIZE * sum(limits.values()) + MAX_PARTS * (FIELD_BYTES + PART_OVERHEAD_BYTES)
    if (request.content_length or 0) > room:
        raise _too_large(room, request.content_length or 0)
    upload = Upload()
    try:
        for _ in range(MAX_PARTS):
            part = await parts.next()
            if part is None:
                return upload
            if not isinstance(part, BodyPartReader) or not part.name:
                raise web.HTTPBadRequest(reason="The form cannot be read")
            if part.name in limits:
                data = await _head(part, limits[part.name] + 1, room)
                if data or part.filename:
                    upload.files[part.name] = data
                if part.filename:
                    upload.names[part.name] = part.filename
            else:
                upload.fields[part.name] = (await _head(part, FIELD_BYTES, room)).decode()
    except (ValueError, AssertionError, HttpProcessingError):  # UnicodeDecodeError included
        raise web.HTTPBadRequest(reason="The form cannot be read") from None
    raise web.HTTPBadRequest(reason="The form has too many fields")


async def _head(part: BodyPartReader, most: int, room: int) -> bytes:
    """The part's first ``most`` bytes; the rest is read and dropped, up to ``room``."""
    data = bytearray()
    size = 0
    while chunk := await part.read_chunk(CHUNK_BYTES):
        data += chunk[: max(0, most - len(data))]
        size += len(chunk)
        if size > room:
            raise _too_large(room, size)
    return bytes(data)


def _too_large(room: int, size: int) -> web.HTTPRequestEntityTooLarge:
    reason = f"The files are larger than this form takes ({room} bytes in all)"
    return web.HTTPRequestEntityTooLarge(room, size, reason=reason)
