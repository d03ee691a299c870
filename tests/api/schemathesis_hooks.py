"""Schemathesis hooks of the contract test (``hooks`` in ``schemathesis.toml``).

A photo upload's document says the file is ``image/jpeg``, ``image/png`` or ``image/webp``
(the multipart ``encoding``); these strategies make such files, real images of any size
Telegram accepts, so that the upload's valid requests are valid photos too.
"""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st

from tests.images import image_bytes

SIDES = st.tuples(st.integers(1, 48), st.integers(1, 48)).filter(
    lambda size: max(size) <= 20 * min(size)
)

for media_type, kind in (("image/jpeg", "JPEG"), ("image/png", "PNG"), ("image/webp", "WEBP")):
    schemathesis.openapi.media_type(
        media_type, st.builds(image_bytes, st.just(kind), SIDES, st.sampled_from(["teal", "red"]))
    )
