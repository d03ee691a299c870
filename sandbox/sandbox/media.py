"""Photos and documents: sendPhoto, sendDocument, editMessageMedia and getFile, plus the
file download Telegram serves under ``/file/bot<token>/<file_path>``.

Files are kept in :class:`~sandbox.files.FileStore`: a later send by ``file_id`` uploads nothing.
As in Bot API 10, editMessageMedia may turn a bot's text message into a photo message as well as
replace one photo with another; the sandbox only knows photos (``InputMediaPhoto``).
"""

from typing import Any

from aiohttp import web

from sandbox.errors import ApiError, bad_request
from sandbox.files import StoredFile
from sandbox.markup import validate_markup
from sandbox.params import Params, Upload
from sandbox.registry import SANDBOX_KEY, api_method
from sandbox.sending import (
    NOT_MODIFIED,
    edited,
    message_to_edit,
    parse_param,
    parse_value,
    remember_revision,
    send,
    target_chat,
)
from sandbox.state import Sandbox

_MEDIA_TYPES = frozenset({"photo", "live_photo", "video", "animation", "audio", "document"})


@api_method("sendPhoto")
async def send_photo(sandbox: Sandbox, params: Params) -> dict[str, Any]:
    return _send_file(sandbox, params, "photo")


@api_method("sendDocument")
async def send_document(sandbox: Sandbox, params: Params) -> dict[str, Any]:
    return _send_file(sandbox, params, "document")


def _send_file(sandbox: Sandbox, params: Params, kind: str) -> dict[str, Any]:
    """A message of one uploaded (or known) file of ``kind``, with an optional caption."""
    chat = target_chat(sandbox, params)
    upload = params.get_file(kind)
    if upload is None:
        raise bad_request(f"there is no {kind} in the request")
    caption, entities = parse_param(params, "caption", required=False)
    markup = validate_markup(params.get_json("reply_markup"))
    stored = sandbox.files.store(upload)
    return send(
        sandbox,
        chat,
        entities=entities,
        source=params.get_str("caption"),
        parse_mode=params.get_str("parse_mode"),
        reply_markup=markup,
        file=stored,
        caption=caption,
        **{kind: _descriptor(upload)},
    )


@api_method("editMessageMedia")
async def edit_message_media(sandbox: Sandbox, params: Params) -> dict[str, Any]:
    message = message_to_edit(sandbox, params)
    markup = validate_markup(params.get_json("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    media = _input_media(params)
    if message.invoice is not None or message.contact is not None:
        raise bad_request("message media can't be edited")
    reference: str = media["media"]
    upload = params.attached(reference) if reference.startswith("attach://") else None
    if reference.startswith("attach://") and upload is None:
        raise bad_request("can't parse InputMedia: media not found")
    stored = sandbox.files.store(upload or reference)
    caption, entities = parse_value(
        media.get("caption"), media.get("parse_mode"), "caption", required=False
    )
    if media.get("caption_entities") and not media.get("parse_mode"):
        entities = list(media["caption_entities"])
    if (stored, caption, entities, markup) == (
        message.file,
        message.caption,
        message.entities,
        message.reply_markup,
    ):
        raise bad_request(NOT_MODIFIED)
    remember_revision(message)
    message.text = None
    message.photo, message.file = _descriptor(upload or reference), stored
    message.caption, message.entities, message.reply_markup = caption, entities, markup
    message.source, message.parse_mode = media.get("caption"), media.get("parse_mode")
    return edited(sandbox, message)


@api_method("getFile")
async def get_file(sandbox: Sandbox, params: Params) -> dict[str, Any]:
    file_id = params.get_str("file_id")
    if not file_id:
        raise bad_request("file_id not specified")
    stored = sandbox.files.by_id.get(file_id)
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.file_api()


async def download(request: web.Request) -> web.StreamResponse:
    """``GET /file/bot<token>/<file_path>``: the bytes of a file getFile described."""
    sandbox = request.app[SANDBOX_KEY]
    stored = sandbox.files.by_path(request.match_info["path"])
    if request.match_info["token"] != sandbox.token or stored is None:
        raise web.HTTPNotFound()
    return file_response(stored)


def file_response(stored: StoredFile) -> web.StreamResponse:
    """The stored bytes, or a redirect to the URL the bot sent the file by."""
    if stored.data is not None:
        return web.Response(body=stored.data, content_type=stored.content_type)
    if stored.url is not None:
        raise web.HTTPFound(stored.url)
    raise web.HTTPNotFound()


def _input_media(params: Params) -> dict[str, Any]:
    """The ``media`` parameter, a JSON ``InputMediaPhoto``, checked as the Bot API does."""
    if "media" not in params:
        raise bad_request('parameter "media" is required')
    try:
        media = params.get_json("media")
    except ApiError:
        raise bad_request("can't parse input media JSON object") from None
    if not isinstance(media, dict):
        raise bad_request("can't parse InputMedia: expected an Object")
    kind = media.get("type")
    if kind not in _MEDIA_TYPES:
        raise bad_request(f'can\'t parse InputMedia: type "{kind}" is unsupported')
    if kind != "photo":
        raise bad_request(f'the sandbox can only edit media to a photo, not "{kind}"')
    if not isinstance(media.get("media"), str) or not media["media"]:
        raise bad_request("can't parse InputMedia: media not found")
    return media


def _descriptor(value: str | Upload) -> str:
    """How :attr:`Message.photo` names the file: ``upload:<filename>``, a URL or a file id."""
    return f"upload:{value.filename}" if isinstance(value, Upload) else value
