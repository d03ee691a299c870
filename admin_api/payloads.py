"""JSON in and out: request bodies and query strings into core commands, models into JSON;
and core's CSV exports streamed out."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Mapping
from typing import NoReturn, TypeVar

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError
from pydantic import BaseModel

from admin_api.problems import Rejected
from core.base.commands import CommandT, parse
from core.base.errors import FieldError, InvalidInput
from core.reports.models import CsvExport

T = TypeVar("T")
log = logging.getLogger(__name__)

JSON_TYPES = ("application/json",)
MULTIPART = "multipart/form-data"
CSV = "text/csv"
MULTIPART_OVERHEAD = 16 * 1024  # boundaries and part headers around the file
CHUNK_BYTES = 64 * 1024
FORM_FIELD_BYTES = 1024  # a text field of a form: a flag, a short value


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


async def read_body(request: web.Request, command: type[CommandT]) -> CommandT:
    """The JSON body validated into ``command``; 400, 413, 415 or 422 otherwise."""
    if request.content_type not in JSON_TYPES and not request.content_type.endswith("+json"):
        raise Rejected(415, "unsupported-media-type", "Send the body as application/json.")
    _refuse_declared_size(request)
    raw = await request.read()
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise Rejected(400, "malformed-json", "The body is not valid JSON.") from None
    return parse(command, data)


async def refuse_body(request: web.Request) -> None:
    """An operation without a request body refuses one: 413 past the size limit, else 415."""
    if request.body_exists:
        _refuse_declared_size(request)
        await request.read()  # past ``client_max_size`` this raises the 413
        raise Rejected(415, "unexpected-body", "This operation takes no request body.")


async def read_upload(request: web.Request, field: str, limit: int) -> bytes:
    """The file in the multipart body's one part, named ``field``: 415 for another media
    type, 400 when it cannot be read or has other parts, 413 past ``limit`` bytes (the rest
    is not read)."""
    if request.content_type != MULTIPART:
        raise Rejected(
            415, "unsupported-media-type", f"Send {MULTIPART} with the file in '{field}'."
        )
    if (request.content_length or 0) > limit + MULTIPART_OVERHEAD:
        raise _file_too_large(limit)
    only_the_file = Rejected(400, "missing-file", f"Send one multipart field, '{field}'.")
    try:
        reader = await request.multipart()
        part = await reader.next()
        if not isinstance(part, BodyPartReader) or part.name != field:
            raise only_the_file
        data = await _read_part(part, limit)
        if await reader.next() is not None:
            raise only_the_file
    except (ValueError, AssertionError, HttpProcessingError):
        raise Rejected(400, "malformed-multipart", "The multipart body cannot be read.") from None
    return data


async def read_form(
    request: web.Request,
    files: Mapping[str, int],
    required: frozenset[str],
    fields: type[CommandT],
) -> tuple[dict[str, bytes], CommandT]:
    """A multipart body's files (``files``: each part's name and the most bytes it may
    have; ``required`` must be there) and its text fields validated into ``fields``: 415
    for another media type, 400 when it cannot be read, names a part twice or lacks a
    required file, 413 past a file's limit (the rest is not read), 422 for bad fields."""
    if request.content_type != MULTIPART:
        names = ", ".join(f"'{name}'" for name in files)
        raise Rejected(415, "unsupported-media-type", f"Send {MULTIPART} with {names}.")
    if (request.content_length or 0) > sum(files.values()) + MULTIPART_OVERHEAD:
        raise Rejected(413, "body-too-large", "The files are larger than this operation takes.")
    found: dict[str, bytes] = {}
    texts: dict[str, str] = {}
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or not part.name:
                raise Rejected(400, "malformed-multipart", "Name every part of the form.")
            if part.name in found or part.name in texts:
                raise Rejected(400, "repeated-field", f"The form has '{part.name}' twice.")
            if part.name in files:
                found[part.name] = await _read_part(part, files[part.name])
            else:
                text = await _read_part(part, FORM_FIELD_BYTES)
                texts[part.name] = text.decode()
    except (ValueError, AssertionError, HttpProcessingError):  # UnicodeDecodeError included
        raise Rejected(400, "malformed-multipart", "The multipart body cannot be read.") from None
    if missing := sorted(required - found.keys()):
        raise Rejected(400, "missing-file", f"Send the file '{missing[0]}'.")
    return found, parse(fields, texts)


async def _read_part(part: BodyPartReader, limit: int) -> bytes:
    """A part's bytes: 413 past ``limit`` (the rest is not read)."""
    data = bytearray()
    while chunk := await part.read_chunk(CHUNK_BYTES):
        data += chunk
        if len(data) > limit:
            raise _file_too_large(limit)
    return bytes(data)


def _refuse_declared_size(request: web.Request) -> None:
    """413 for a body declared larger than the limit, before any of it is read."""
    if (request.content_length or 0) > request.client_max_size:
        raise web.HTTPRequestEntityTooLarge(request.client_max_size, request.content_length or 0)


async def within(deadline: float, reading: Awaitable[T]) -> T:
    """``reading``, unless the body is still arriving at ``deadline`` (loop time): 408."""
    try:
        async with asyncio.timeout_at(deadline):
            return await reading
    except TimeoutError:
        raise Rejected(408, "body-timeout", "The request body did not arrive in time.") from None


def _file_too_large(limit: int) -> Rejected:
    return Rejected(413, "body-too-large", f"The file is larger than {limit} bytes.")


def read_query(request: web.Request, command: type[CommandT]) -> CommandT:
    """The query string validated into ``command``; a parameter given twice is refused."""
    names = [name for name, _ in request.query.items()]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        errors = [
            FieldError((name,), "must be given at most once", "repeated") for name in repeated
        ]
        raise InvalidInput("The request has invalid fields.", errors)
    return parse(command, dict(request.query))


def respond(model: BaseModel, status: int = 200, **headers: str) -> web.Response:
    """``model`` as JSON, serialised by pydantic in one step (no dict in between)."""
    return web.Response(
        body=model.model_dump_json(by_alias=True),
        status=status,
        headers=headers or None,
        content_type="application/json",
        charset="utf-8",
    )


async def stream_csv(request: web.Request, export: CsvExport) -> web.StreamResponse:
    """Send ``export`` as a download, each chunk as core reads it (chunked encoding). A
    failure after the first chunk aborts the connection before the last chunk, so the
    client sees the file cut short, never a shorter file that looks whole."""
    response = web.StreamResponse(
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'}
    )
    response.content_type = CSV
    response.charset = "utf-8"
    response.enable_chunked_encoding()
    await response.prepare(request)
    try:
        async with contextlib.aclosing(export.chunks) as chunks:
            async for chunk in chunks:
                await response.write(chunk)
    except Exception:
        log.exception("export cut short", extra={"path": request.path})
        if request.transport is not None:
            request.transport.abort()
        return response
    await response.write_eof()
    return response
