"""Small images made with Pillow, for tests of product photos."""

from __future__ import annotations

import io

import aiohttp
from PIL import Image


def image_bytes(
    kind: str = "PNG", size: tuple[int, int] = (16, 16), colour: str = "teal", mode: str = "RGB"
) -> bytes:
    """An image of ``size`` in ``kind`` (JPEG, PNG or WEBP), filled with ``colour``
    (``mode="1"``, one bit a pixel, keeps a huge one small in memory)."""
    buffer = io.BytesIO()
    Image.new(mode, size, colour if mode == "RGB" else 0).save(buffer, format=kind)
    return buffer.getvalue()


def noise_bytes(kind: str = "JPEG", size: tuple[int, int] = (200, 200)) -> bytes:
    """Grey noise in ``kind``: compresses badly, so even a small one is many kilobytes."""
    buffer = io.BytesIO()
    Image.effect_noise(size, 64).save(buffer, format=kind)
    return buffer.getvalue()


def photo_form(
    data: bytes, filename: str = "tea.png", content_type: str = "image/png"
) -> aiohttp.FormData:
    """A multipart form with ``data`` as its ``photo`` file, as an API client uploads it."""
    form = aiohttp.FormData()
    form.add_field("photo", data, filename=filename, content_type=content_type)
    return form
