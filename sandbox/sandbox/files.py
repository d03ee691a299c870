"""Files the bot sent: kept with a ``file_id`` it can send again without uploading.

An upload is stored with its bytes; a photo sent by URL is remembered by its URL (the sandbox is
offline and never downloads it). A later send with the ``file_id`` reuses the stored file and
answers the same ``file_id``; an id the sandbox never gave out answers Telegram's "wrong file
identifier/HTTP URL specified". getFile gives a ``file_path`` served under
``/file/bot<token>/<file_path>``.
"""

import hashlib
import itertools
import mimetypes
from dataclasses import dataclass, field

from sandbox.errors import bad_request
from sandbox.params import Upload

PHOTO_SIDE = 320
"""Width and height reported for every photo (the sandbox does not decode images)."""


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes | None = field(default=None, repr=False)
    url: str | None = None
    filename: str | None = None

    @property
    def content_type(self) -> str:
        guessed = mimetypes.guess_type(self.filename or self.url or "")[0]
        return guessed or "application/octet-stream"

    def photo_size_api(self) -> dict[str, object]:
        """The file as the one ``PhotoSize`` of a message's ``photo``."""
        size: dict[str, object] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": PHOTO_SIDE,
            "height": PHOTO_SIDE,
        }
        if self.data is not None:
            size["file_size"] = len(self.data)
        return size

    def document_api(self) -> dict[str, object]:
        """The file as a message's ``Document``."""
        document: dict[str, object] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "mime_type": self.content_type,
        }
        if self.filename is not None:
            document["file_name"] = self.filename
        if self.data is not None:
            document["file_size"] = len(self.data)
        return document

    def file_api(self) -> dict[str, object]:
        """The Bot API ``File`` getFile answers."""
        info: dict[str, object] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_path": self.file_path,
        }
        if self.data is not None:
            info["file_size"] = len(self.data)
        return info


class FileStore:
    """Every file the bot sent, by ``file_id`` and by ``file_path``."""

    def __init__(self) -> None:
        self.by_id: dict[str, StoredFile] = {}
        self._numbers = itertools.count(1)

    def store(self, value: str | Upload) -> StoredFile:
        """The file a send names: a new upload, a URL, or a ``file_id`` given out before."""
        if isinstance(value, Upload):
            return self._add(data=value.data, filename=value.filename)
        if value.startswith(("http://", "https://")):
            return self._add(url=value)
        return self.get(value)

    def get(self, file_id: str) -> StoredFile:
        stored = self.by_id.get(file_id)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored

    def by_path(self, file_path: str) -> StoredFile | None:
        return next((f for f in self.by_id.values() if f.file_path == file_path), None)

    def _add(
        self, *, data: bytes | None = None, url: str | None = None, filename: str | None = None
    ) -> StoredFile:
        number = next(self._numbers)
        digest = hashlib.sha256(data if data is not None else (url or "").encode()).digest()
        unique = digest[:8].hex()
        extension = (
            mimetypes.guess_extension(
                mimetypes.guess_type(filename or url or "")[0] or "image/jpeg"
            )
            or ".jpg"
        )
        stored = StoredFile(
            file_id=f"AgACAgIAAxkBAAI{number:06d}{unique}",
            file_unique_id=f"AQAD{unique}",
            file_path=f"photos/file_{number}{extension}",
            data=data,
            url=url,
            filename=filename,
        )
        self.by_id[stored.file_id] = stored
        return stored
