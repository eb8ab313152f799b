"""Local Telegram Bot API test server (aiohttp) plus the scripted users that talk to the bot."""

from __future__ import annotations

import asyncio
import contextlib
import html
import inspect
import io
import json
import math
import mimetypes
import re
import secrets
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

from aiohttp import web
from PIL import Image

__all__ = [
    "ApiError",
    "CallbackAnswer",
    "CallbackQueryRecord",
    "ChatMessage",
    "EventTimeout",
    "ProtocolViolation",
    "ReplyKeyboard",
    "ScriptedUser",
    "TelegramTestServer",
    "parse_html",
    "trim",
    "wait_until",
]

T = TypeVar("T")
JSON = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_DOWNLOAD = 20 * 1024 * 1024
# Big enough for the 50 MB bot upload limit plus multipart overhead.
MAX_REQUEST_BODY = 60 * 1024 * 1024
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
# Telegram's default when allowed_updates was never given.
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
INLINE_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)
REPLY_BUTTON_KEYS = (
    "text",
    "request_contact",
    "request_location",
    "request_poll",
    "request_users",
    "request_chat",
    "web_app",
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_LANG_RE = re.compile(r"[a-z]{2}")


# --------------------------------------------------------------------------- errors


class ApiError(Exception):
    """An error answer of the Bot API; `record` says whether it is the bot's fault."""

    def __init__(
        self,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        record: bool = True,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.record = record


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


class EventTimeout(AssertionError, TimeoutError):
    """The bot did not do what a scripted user waited for; the message says what did arrive."""


@dataclass(frozen=True, slots=True)
class ProtocolViolation:
    """A 4xx the server answered because the bot broke a Bot API rule."""

    method: str
    params: Mapping[str, Any]
    error_code: int
    description: str
    chat_id: int | None = None

    def __str__(self) -> str:
        shown = ", ".join(f"{k}={_short(v)}" for k, v in self.params.items())
        return f"{self.method}({shown}) -> {self.error_code} {self.description}"


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------- HTML


_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPECIAL = re.compile(r"[<&]")
_ATTR_NAME = re.compile(r"[A-Za-z0-9_-]+")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(slots=True)
class _OpenTag:
    name: str
    offset: int
    attrs: dict[str, str]
    language: str | None = None


def _parse_error(source: str, index: int, template: str) -> ApiError:
    # Telegram reports positions as UTF-8 byte offsets into the original string.
    offset = len(source[:index].encode())
    return bad_request(f"can't parse entities: {template.format(offset=offset)}")


def _decode_entity(source: str, i: int) -> tuple[str, int]:
    """Decode the HTML entity at source[i] == '&'; return (character, index after it)."""
    end = source.find(";", i + 1, i + 12)
    name = source[i + 1 : end] if end != -1 else ""
    code: int | None = None
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name], end + 1
    with contextlib.suppress(ValueError):
        if name[:2] in ("#x", "#X"):
            code = int(name[2:], 16)
        elif name[:1] == "#" and name[1:].isdigit():
            code = int(name[1:])
    if code is not None and 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
        return chr(code), end + 1
    # Real Telegram silently keeps a bare '&'; we refuse it on purpose so that a bot which
    # forgets to escape user text ("A & B") is caught before a user types "&lt;".
    raise _parse_error(
        source,
        i,
        "Character '&' at byte offset {offset} must be escaped as &amp; "
        "(only &lt; &gt; &amp; &quot; and numeric entities are recognised)",
    )


def _parse_start_tag(source: str, i: int) -> tuple[str, dict[str, str], int]:
    """Parse `<name attr="v">` starting at source[i] == '<'; return (name, attrs, next index)."""
    n = len(source)
    j = i + 1
    while j < n and source[j] not in " \t\r\n>":
        j += 1
    name = source[i + 1 : j].lower()
    if name not in _ENTITY_TYPES:
        raise _parse_error(source, i, f'Unsupported start tag "{name}" at byte offset {{offset}}')
    attrs: dict[str, str] = {}
    while True:
        while j < n and source[j] in " \t\r\n":
            j += 1
        if j >= n:
            raise _parse_error(source, i, "Unclosed start tag at byte offset {offset}")
        if source[j] == ">":
            return name, attrs, j + 1
        match = _ATTR_NAME.match(source, j)
        if not match:
            raise _parse_error(
                source, j, f'Empty attribute name in the tag "{name}" at byte offset {{offset}}'
            )
        attr = match.group().lower()
        j = match.end()
        while j < n and source[j] in " \t\r\n":
            j += 1
        if j >= n or source[j] != "=":
            if name == "blockquote" and attr == "expandable":
                attrs[attr] = ""
                continue
            raise _parse_error(
                source,
                j,
                f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                "at byte offset {offset}",
            )
        j += 1
        while j < n and source[j] in " \t\r\n":
            j += 1
        if j < n and source[j] in "\"'":
            quote = source[j]
            end = source.find(quote, j + 1)
            if end == -1:
                raise _parse_error(source, i, "Unclosed start tag at byte offset {offset}")
            value = source[j + 1 : end]
            j = end + 1
        else:
            start = j
            while j < n and source[j] not in " \t\r\n>":
                j += 1
            value = source[start:j]
        # Telegram is lenient inside attribute values (a bare & in an href is fine).
        attrs[attr] = html.unescape(value)


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Parse Telegram-flavoured HTML into (visible text, entities with UTF-16 offsets).

    Raises ApiError (400 "can't parse entities: ...") on anything Telegram would reject,
    and additionally on an unescaped '&'.
    """
    out: list[str] = []
    utf16 = 0
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char == "&":
            decoded, i = _decode_entity(source, i)
            out.append(decoded)
            utf16 += _utf16_len(decoded)
        elif char == "<":
            if i + 1 < n and source[i + 1] == "/":
                end = source.find(">", i + 2)
                if end == -1:
                    raise _parse_error(source, i, "Unclosed end tag at byte offset {offset}")
                name = source[i + 2 : end].strip().lower()
                if not stack:
                    raise _parse_error(source, i, "Unexpected end tag at byte offset {offset}")
                top = stack.pop()
                if top.name != name:
                    raise _parse_error(
                        source,
                        i,
                        f'Unmatched end tag at byte offset {{offset}}, expected "</{top.name}>", '
                        f'found "</{name}>"',
                    )
                _close_tag(top, utf16, stack, entities)
                i = end + 1
            else:
                name, attrs, after = _parse_start_tag(source, i)
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise _parse_error(
                        source, i, 'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
                    )
                if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
                    raise _parse_error(
                        source,
                        i,
                        'Tag "tg-emoji" must have a numeric "emoji-id" at byte offset {offset}',
                    )
                stack.append(_OpenTag(name, utf16, attrs))
                i = after
        else:
            match = _SPECIAL.search(source, i)
            end = match.start() if match else n
            chunk = source[i:end]
            out.append(chunk)
            utf16 += _utf16_len(chunk)
            i = end
    if stack:
        raise bad_request(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1].name}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return trim("".join(out), entities)


_WHITESPACE = " \t\r\n\f\v"


def trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading/trailing whitespace the way Telegram does, moving entities along."""
    stripped = text.strip(_WHITESPACE)
    if stripped == text:
        return text, entities
    lead = _utf16_len(text[: len(text) - len(text.lstrip(_WHITESPACE))])
    size = _utf16_len(stripped)
    kept: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def _close_tag(tag: _OpenTag, utf16: int, stack: list[_OpenTag], entities: list[JSON]) -> None:
    length = utf16 - tag.offset
    css = tag.attrs.get("class", "")
    if tag.name == "code" and stack and stack[-1].name == "pre" and css.startswith("language-"):
        # <pre><code class="language-x"> is one pre entity with a language, not two entities.
        stack[-1].language = css.removeprefix("language-")
        return
    if length <= 0:
        return
    entity: JSON = {"type": _ENTITY_TYPES[tag.name], "offset": tag.offset, "length": length}
    if tag.name == "a":
        entity["url"] = tag.attrs.get("href", "")
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    entities.append(entity)


# --------------------------------------------------------------------------- messages


def _inline_rows(markup: JSON | None) -> list[list[JSON]]:
    if not markup:
        return []
    return markup.get("inline_keyboard", [])


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """An immutable snapshot of one message in a private chat, as Telegram would show it.

    `raw` is the Bot API Message dict; `source` is the text/caption exactly as the bot sent it
    (HTML markup included), while `text` is the visible text after entity parsing.
    """

    raw: JSON
    from_bot: bool
    source: str | None = None
    parse_mode: str | None = None
    event: str = "new"  # "new" or "edit": which event produced this snapshot

    @property
    def message_id(self) -> int:
        return self.raw["message_id"]

    @property
    def chat_id(self) -> int:
        return self.raw["chat"]["id"]

    @property
    def date(self) -> int:
        return self.raw["date"]

    @property
    def edit_date(self) -> int | None:
        return self.raw.get("edit_date")

    @property
    def text(self) -> str | None:
        """Visible text, or the caption for media messages."""
        return self.raw.get("text", self.raw.get("caption"))

    @property
    def caption(self) -> str | None:
        return self.raw.get("caption")

    @property
    def entities(self) -> list[JSON]:
        return self.raw.get("entities") or self.raw.get("caption_entities") or []

    @property
    def reply_markup(self) -> JSON | None:
        """The inline keyboard (Telegram never echoes reply keyboards inside a message)."""
        return self.raw.get("reply_markup")

    @property
    def photo(self) -> list[JSON] | None:
        return self.raw.get("photo")

    @property
    def document(self) -> JSON | None:
        return self.raw.get("document")

    @property
    def contact(self) -> JSON | None:
        return self.raw.get("contact")

    @property
    def location(self) -> JSON | None:
        return self.raw.get("location")

    @property
    def media_group_id(self) -> str | None:
        return self.raw.get("media_group_id")

    @property
    def inline_buttons(self) -> list[JSON]:
        return [button for row in _inline_rows(self.reply_markup) for button in row]

    @property
    def button_rows(self) -> list[list[tuple[str, str | None]]]:
        return [
            [(b["text"], b.get("callback_data")) for b in row]
            for row in _inline_rows(self.reply_markup)
        ]

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Flat (text, callback_data) list; callback_data is None for url/other buttons."""
        return [(b["text"], b.get("callback_data")) for b in self.inline_buttons]

    @property
    def button_texts(self) -> list[str]:
        return [b["text"] for b in self.inline_buttons]

    @property
    def button_data(self) -> list[str]:
        return [b["callback_data"] for b in self.inline_buttons if "callback_data" in b]

    def button(self, text_or_data: str) -> JSON | None:
        """The inline button whose text (preferred) or callback_data equals the argument."""
        buttons = self.inline_buttons
        for b in buttons:
            if b["text"] == text_or_data:
                return b
        for b in buttons:
            if b.get("callback_data") == text_or_data:
                return b
        return None

    def __repr__(self) -> str:
        who = "bot" if self.from_bot else "user"
        kind = next(
            (k for k in ("photo", "document", "contact", "location") if k in self.raw), "text"
        )
        parts = [f"#{self.message_id} {who} {self.event} {kind}"]
        if self.text is not None:
            parts.append(_short(self.text, 80))
        if self.buttons:
            parts.append(f"buttons={self.buttons}")
        return f"ChatMessage({' '.join(parts)})"


@dataclass(frozen=True, slots=True)
class ReplyKeyboard:
    """The reply keyboard a user currently sees (from the last ReplyKeyboardMarkup)."""

    raw: JSON

    @property
    def rows(self) -> list[list[JSON]]:
        return self.raw["keyboard"]

    @property
    def buttons(self) -> list[JSON]:
        return [b for row in self.rows for b in row]

    @property
    def texts(self) -> list[str]:
        return [b["text"] for b in self.buttons]

    @property
    def requests_contact(self) -> bool:
        return any(b.get("request_contact") for b in self.buttons)

    @property
    def requests_location(self) -> bool:
        return any(b.get("request_location") for b in self.buttons)

    @property
    def one_time(self) -> bool:
        return bool(self.raw.get("one_time_keyboard"))

    @property
    def placeholder(self) -> str | None:
        return self.raw.get("input_field_placeholder")

    def button(self, text: str) -> JSON | None:
        return next((b for b in self.buttons if b["text"] == text), None)


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """What the bot passed to answerCallbackQuery."""

    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    answered_at: float  # loop.time()


@dataclass(slots=True)
class CallbackQueryRecord:
    query_id: str
    user_id: int
    message_id: int | None
    data: str
    created_at: float  # loop.time()
    answer: CallbackAnswer | None = None

    @property
    def answered(self) -> bool:
        return self.answer is not None


# --------------------------------------------------------------------------- files


@dataclass(slots=True, eq=False)
class _StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # "photo" or "document"
    file_path: str
    blob: bytes | None
    mime_type: str | None = None
    file_name: str | None = None
    # A thumbnail is rendered from `source` only when someone downloads it.
    source: _StoredFile | None = None
    box: int = 0
    # All PhotoSize dicts of the photo this file belongs to, so a file_id of any size resends
    # the whole photo the way Telegram does.
    photo_sizes: list[JSON] | None = None

    @property
    def data(self) -> bytes:
        if self.blob is None:
            self.blob = _render_thumbnail(self.source.data if self.source else b"", self.box)
        return self.blob


def _render_thumbnail(data: bytes, box: int) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((box, box))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
            return out.getvalue()
    except Exception:
        # Tests may send arbitrary bytes as a "photo"; then every size is the original.
        return data


def _image_size(data: bytes) -> tuple[int, int] | None:
    try:
        # Image.open only reads the header, so this stays cheap for big files.
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:
        return None


# --------------------------------------------------------------------------- parameters


class _Params:
    """Bot API parameters from a query string, form, multipart or JSON body."""

    __slots__ = ("values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def file(self, name: str) -> web.FileField | None:
        value = self.values.get(name)
        return value if isinstance(value, web.FileField) else None

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, web.FileField):
            raise bad_request(f"unexpected file in parameter {name}")
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value)

    def get_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        try:
            return int(str(value))
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def get_json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def shown(self) -> dict[str, Any]:
        """A copy fit for error reports: files replaced by a short description."""
        out: dict[str, Any] = {}
        for key, value in self.values.items():
            if isinstance(value, web.FileField):
                out[key] = f"<file {value.filename!r}>"
            else:
                out[key] = value
        return out


async def _read_params(request: web.Request) -> _Params:
    values: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("invalid JSON in request body") from None
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            values.update(body)
        elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.post()
            for key in form:
                values[key] = form.getone(key)
    return _Params(values)


# --------------------------------------------------------------------------- rate limiting


@dataclass(slots=True)
class _Bucket:
    capacity: float
    rate: float  # tokens per second
    tokens: float
    stamp: float

    def wait_time(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass(slots=True)
class _Failure:
    error_code: int
    retry_after: int | None
    description: str | None


# --------------------------------------------------------------------------- scripted user


class ScriptedUser:
    """One Telegram user in a private chat with the bot (chat.id == user.id)."""

    def __init__(
        self,
        server: TelegramTestServer,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> None:
        self.server = server
        self.id = user_id
        self.first_name = first_name
        self.user_json: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        self.chat_json: JSON = {"id": user_id, "type": "private", "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value:
                self.user_json[key] = value
                self.chat_json[key] = value
        if language_code:
            self.user_json["language_code"] = language_code
        self.chat_instance = str(-(7_000_000_000_000_000_000 + user_id))
        # Telegram only lets a bot message a user who has written to it.
        self.known = False
        self.blocked = False
        self._messages: dict[int, ChatMessage] = {}
        self._next_message_id = 1
        self._pending: deque[ChatMessage] = deque()
        self._history: deque[ChatMessage] = deque(maxlen=20)
        self._changed = asyncio.Event()
        self.reply_keyboard: ReplyKeyboard | None = None
        self.chat_actions: list[str] = []
        self.deleted_message_ids: list[int] = []
        self.callback_query_ids: list[str] = []

    # ---- state

    @property
    def messages(self) -> Mapping[int, ChatMessage]:
        """Current state of every (not deleted) message in the chat, by message_id."""
        return MappingProxyType(self._messages)

    def block(self) -> None:
        """The user blocks the bot: further sends answer 403 (not a protocol violation)."""
        self.blocked = True

    def unblock(self) -> None:
        self.blocked = False

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _new_message_id(self) -> int:
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def _bot_event(self, message: ChatMessage) -> None:
        """A new message or an edit by the bot: new current state, and an event to await."""
        self._messages[message.message_id] = message
        self._pending.append(message)
        self._history.append(message)
        self._notify()

    # ---- user actions

    async def _post(self, content: JSON) -> ChatMessage:
        raw: JSON = {
            "message_id": self._new_message_id(),
            "from": self.user_json,
            "chat": self.chat_json,
            "date": int(time.time()),
            **content,
        }
        message = ChatMessage(raw=raw, from_bot=False)
        self._messages[message.message_id] = message
        self._history.append(message)
        self.known = True
        self.server._push_update("message", raw)
        return message

    async def send_text(
        self, text: str, *, reply_to: ChatMessage | int | None = None
    ) -> ChatMessage:
        """A text message; a leading /command gets the bot_command entity PTB needs."""
        content: JSON = {"text": text}
        if reply_to is not None:
            target = self._current(reply_to)
            content["reply_to_message"] = {
                k: v for k, v in target.raw.items() if k != "reply_to_message"
            }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        return await self._post(content)

    async def send_contact(
        self,
        phone_number: str,
        first_name: str | None = None,
        *,
        own: bool = True,
        last_name: str | None = None,
    ) -> ChatMessage:
        """own=True is the "share my phone number" button; own=False a contact from the book."""
        contact: JSON = {
            "phone_number": phone_number,
            "first_name": first_name or self.first_name,
            "user_id": self.id if own else self.id + 1_000_000_000,
        }
        if last_name:
            contact["last_name"] = last_name
        return await self._post({"contact": contact})

    async def send_photo(
        self, image: bytes, caption: str | None = None, media_group_id: str | None = None
    ) -> ChatMessage:
        content: JSON = {"photo": self.server._store_photo(image)}
        if caption is not None:
            content["caption"] = caption
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        return await self._post(content)

    async def send_document(
        self, data: bytes, file_name: str, mime_type: str, caption: str | None = None
    ) -> ChatMessage:
        stored = self.server._store_document(data, file_name, mime_type)
        content: JSON = {"document": self.server._document_json(stored)}
        if caption is not None:
            content["caption"] = caption
        return await self._post(content)

    async def send_location(self, latitude: float, longitude: float) -> ChatMessage:
        return await self._post({"location": {"latitude": latitude, "longitude": longitude}})

    def _current(self, message: ChatMessage | JSON | int) -> ChatMessage:
        if isinstance(message, ChatMessage):
            message_id = message.message_id
        elif isinstance(message, dict):
            message_id = message["message_id"]
        else:
            message_id = message
        current = self._messages.get(message_id)
        if current is None:
            deleted = message_id in self.deleted_message_ids
            raise AssertionError(
                f"user {self.id}: message {message_id} "
                f"{'was deleted by the bot' if deleted else 'is not in this chat'}"
            )
        return current

    async def press(
        self, message: ChatMessage | JSON | int, button: str | tuple[str, str | None]
    ) -> str:
        """Press an inline button of the message as it is NOW; return the callback query id.

        `button` is the exact button text, its callback_data, or a (text, data) pair from
        ChatMessage.buttons.
        """
        current = self._current(message)
        if isinstance(button, tuple):
            pairs = zip(current.buttons, current.inline_buttons, strict=True)
            found = next((b for pair, b in pairs if pair == button), None)
        else:
            found = current.button(button)
        if found is None:
            raise AssertionError(
                f"user {self.id}: no inline button {button!r} on message "
                f"{current.message_id}; its current buttons are {current.buttons}"
            )
        if "callback_data" not in found:
            raise AssertionError(f"user {self.id}: button {found} is not a callback button")
        return self._callback(current.message_id, found["callback_data"])

    async def press_data(self, message_id: int, data: str) -> str:
        """A hand-crafted callback query (no check that such a button exists)."""
        return self._callback(message_id, data)

    def _callback(self, message_id: int, data: str) -> str:
        server = self.server
        query_id = server._new_query_id()
        current = self._messages.get(message_id)
        message = (
            current.raw
            if current is not None
            else {"chat": self.chat_json, "message_id": message_id, "date": 0}
        )
        server._queries[query_id] = server._unanswered[query_id] = CallbackQueryRecord(
            query_id=query_id,
            user_id=self.id,
            message_id=message_id,
            data=data,
            created_at=asyncio.get_running_loop().time(),
        )
        self.callback_query_ids.append(query_id)
        server._push_update(
            "callback_query",
            {
                "id": query_id,
                "from": self.user_json,
                "message": message,
                "chat_instance": self.chat_instance,
                "data": data,
            },
        )
        return query_id

    # ---- waiting for the bot

    async def _wait(self, take: Callable[[], T | None], timeout: float, what: str) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = take()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise EventTimeout(self._describe(what, timeout))
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def _take(self, event: str | None) -> ChatMessage | None:
        for index, message in enumerate(self._pending):
            if event is None or message.event == event:
                del self._pending[index]
                return message
        return None

    async def next_message(self, timeout: float = 10) -> ChatMessage:
        """The next new message the bot sent to this chat (each is returned once)."""
        return await self._wait(lambda: self._take("new"), timeout, "a new bot message")

    async def next_edit(self, timeout: float = 10) -> ChatMessage:
        """The next edit of any message in this chat, as it looked right after that edit."""
        return await self._wait(lambda: self._take("edit"), timeout, "an edit")

    async def next_event(self, timeout: float = 10) -> ChatMessage:
        """The next new message or edit, in order; `.event` says which."""
        return await self._wait(lambda: self._take(None), timeout, "a message or an edit")

    async def callback_answer(self, query_id: str, timeout: float = 10) -> CallbackAnswer:
        record = self.server._queries.get(query_id)
        if record is None:
            raise AssertionError(f"unknown callback query id {query_id!r}")
        return await self._wait(
            lambda: record.answer, timeout, f"answerCallbackQuery for {query_id}"
        )

    def pending(self) -> list[ChatMessage]:
        """Bot messages and edits not yet returned by next_*."""
        return list(self._pending)

    async def drain(self, idle: float = 0.3) -> list[ChatMessage]:
        """Wait until the bot has been quiet for `idle` seconds; return and consume the rest."""
        while True:
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), idle)
            except TimeoutError:
                break
        events = list(self._pending)
        self._pending.clear()
        return events

    def _describe(self, what: str, timeout: float) -> str:
        lines = [f"user {self.id} ({self.first_name}): no {what} from the bot within {timeout}s."]
        lines.append(f"  unconsumed events: {list(self._pending) or 'none'}")
        lines.append("  recent chat history (oldest first):")
        lines.extend(f"    {m!r}" for m in self._history)
        errors = [e for e in self.server.errors if e.chat_id in (self.id, None)]
        if errors:
            lines.append("  server errors (bot protocol violations):")
            lines.extend(f"    {e}" for e in errors[-10:])
        unanswered = [q for q in self.server._unanswered.values() if q.user_id == self.id]
        if unanswered:
            lines.append(f"  unanswered callback queries: {[q.data for q in unanswered]}")
        if self.server.dropped_updates:
            lines.append(
                f"  updates dropped by allowed_updates: {len(self.server.dropped_updates)}"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"ScriptedUser(id={self.id}, first_name={self.first_name!r})"


# --------------------------------------------------------------------------- server


Handler = Callable[[_Params], Any]


class TelegramTestServer:
    """A strict in-process Telegram Bot API for one bot token."""

    def __init__(
        self,
        token: str = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz",
        *,
        bot_username: str = "sellerbot_test_bot",
        bot_first_name: str = "SellerBot Test",
        rate_limit: bool = False,
        chat_burst: float = 3,
        callback_query_timeout: float | None = None,
    ) -> None:
        self.token = token
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        # Messages carry only the short form of the bot user, as on Telegram.
        self._bot_from: JSON = dict(self.bot_user)
        self.bot_user |= {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.rate_limit = rate_limit
        self.chat_burst = chat_burst  # messages a private chat may get at once (1: none)
        self.callback_query_timeout = callback_query_timeout
        self.errors: list[ProtocolViolation] = []
        self.stats: Counter[str] = Counter()
        self.dropped_updates: list[JSON] = []
        self._users: dict[int, ScriptedUser] = {}
        self._updates: deque[JSON] = deque()
        self._confirmed: deque[JSON] = deque(maxlen=100)  # for redeliver_confirmed()
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._wake = asyncio.Event()
        self._poll_generation = 0
        self._polls_waiting = 0
        self._closing = False
        self._queries: dict[str, CallbackQueryRecord] = {}
        self._unanswered: dict[str, CallbackQueryRecord] = {}
        self._next_query = 0
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_counter = 0
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._failures: dict[str, deque[_Failure]] = {}
        self._chat_buckets: dict[int, _Bucket] = {}
        self._global_bucket: _Bucket | None = None
        self._next_media_group = 1
        self._runner: web.AppRunner | None = None
        self.url = ""
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": lambda p: self.bot_user,
                "logOut": lambda p: True,
                "close": lambda p: True,
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._set_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "getUpdates": self._get_updates,
                "sendMessage": self._send_message,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "sendMediaGroup": self._send_media_group,
                "sendLocation": self._send_location,
                "sendChatAction": self._send_chat_action,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "deleteMessages": self._delete_messages,
                "answerCallbackQuery": self._answer_callback_query,
                "getFile": self._get_file,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setChatMenuButton": self._set_chat_menu_button,
                "getChatMenuButton": lambda p: {"type": "commands"},
                "setMyDescription": lambda p: True,
                "setMyShortDescription": lambda p: True,
                "setMyName": lambda p: True,
                "getChat": self._get_chat,
            }.items()
        }

    # ---- lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_REQUEST_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        # Cancel a handler when its client goes away, so a long poll abandoned by a stopped
        # bot does not linger and later answer 409 to the next bot instance.
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        self._closing = True
        self._wake_pollers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> TelegramTestServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- test-facing API

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> ScriptedUser:
        user = self._users.get(user_id)
        if user is None:
            user = ScriptedUser(self, user_id, first_name, last_name, username, language_code)
            self._users[user_id] = user
        return user

    @property
    def users(self) -> Mapping[int, ScriptedUser]:
        return MappingProxyType(self._users)

    def assert_no_errors(self, ignore_codes: Iterable[int] = ()) -> None:
        ignored = set(ignore_codes)
        errors = [e for e in self.errors if e.error_code not in ignored]
        if errors:
            listing = "\n".join(f"  {e}" for e in errors)
            raise AssertionError(f"the bot broke {len(errors)} Bot API rule(s):\n{listing}")

    def commands(
        self, language_code: str | None = None, scope: JSON | None = None
    ) -> list[JSON] | None:
        """What setMyCommands stored for exactly this (scope, language_code); None if unset."""
        key = (self._scope_key(scope or {"type": "default"}), language_code or "")
        stored = self._commands.get(key)
        return [dict(c) for c in stored] if stored is not None else None

    def unanswered_callback_queries(self, older_than: float = 0) -> list[CallbackQueryRecord]:
        now = asyncio.get_running_loop().time()
        return [q for q in self._unanswered.values() if now - q.created_at >= older_than]

    def redeliver_confirmed(self, count: int = 1) -> None:
        """Offer the last `count` confirmed updates again, as Telegram does when a bot died
        before its confirming getUpdates reached Telegram."""
        for _ in range(count):
            self._updates.appendleft(self._confirmed.pop())

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        retry_after: int | None = 1,
        description: str | None = None,
        count: int = 1,
    ) -> None:
        """Make the next `count` calls of `method` fail before they have any effect."""
        queue = self._failures.setdefault(method.lower(), deque())
        queue.extend(_Failure(error_code, retry_after, description) for _ in range(count))

    def file_bytes(self, file_id: str) -> bytes:
        """The content behind a file_id (user uploads and bot uploads alike)."""
        return self._files[file_id].data

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    @property
    def polls_waiting(self) -> int:
        """getUpdates requests currently held open (long polling)."""
        return self._polls_waiting

    # ---- HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        entry = self._methods.get(method.lower())
        name = entry[0] if entry else method
        self.stats[name] += 1
        params = _Params({})
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            params = await _read_params(request)
            failure = self._pop_failure(name)
            if failure is not None:
                raise failure
            if entry is None:
                raise ApiError(404, "Not Found")
            result = entry[1](params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as error:
            return self._error_response(request, name, params, error)
        return web.json_response({"ok": True, "result": result})

    def _error_response(
        self, request: web.Request, method: str, params: _Params, error: ApiError
    ) -> web.Response:
        transport = request.transport
        # Only a poll whose client still listens can be the victim of a second bot instance.
        abandoned = error.code == 409 and (transport is None or transport.is_closing())
        if error.record and 400 <= error.code < 500 and not abandoned:
            chat_id: int | None = None
            with contextlib.suppress(ApiError):
                chat_id = params.get_int("chat_id")
            self.errors.append(
                ProtocolViolation(method, params.shown(), error.code, error.description, chat_id)
            )
        body: JSON = {"ok": False, "error_code": error.code, "description": error.description}
        if error.retry_after is not None:
            body["parameters"] = {"retry_after": error.retry_after}
        return web.json_response(body, status=error.code)

    def _pop_failure(self, method: str) -> ApiError | None:
        queue = self._failures.get(method.lower())
        if not queue:
            return None
        failure = queue.popleft()
        description = failure.description
        if description is None:
            if failure.error_code == 429:
                description = f"Too Many Requests: retry after {failure.retry_after or 1}"
            elif failure.error_code >= 500:
                description = "Internal Server Error"
            else:
                description = "Bad Request: injected failure"
        retry_after = failure.retry_after if failure.error_code == 429 else None
        return ApiError(failure.error_code, description, retry_after=retry_after, record=False)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            self.errors.append(
                ProtocolViolation("file download", {"path": request.path}, 401, "Unauthorized")
            )
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            self.errors.append(
                ProtocolViolation("file download", {"path": request.path}, 404, "Not Found")
            )
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        self.stats["file download"] += 1
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    # ---- updates

    def _push_update(self, kind: str, payload: JSON) -> None:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        if kind not in self._allowed_updates:
            self.dropped_updates.append(update)
            return
        self._updates.append(update)
        self._wake_pollers()

    def _wake_pollers(self) -> None:
        self._wake.set()
        self._wake = asyncio.Event()

    def _delete_webhook(self, p: _Params) -> bool:
        if p.get_bool("drop_pending_updates"):
            self._updates.clear()
        return True

    def _set_webhook(self, p: _Params) -> bool:
        raise bad_request("this test server only supports getUpdates, not webhooks")

    def _get_webhook_info(self, p: _Params) -> JSON:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    async def _get_updates(self, p: _Params) -> list[JSON]:
        offset = p.get_int("offset") or 0
        limit = min(max(p.get_int("limit") or 100, 1), 100)
        timeout = max(p.get_float("timeout") or 0.0, 0.0)
        allowed = p.get_json("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
        updates = self._updates
        if offset > 0:
            while updates and updates[0]["update_id"] < offset:
                self._confirmed.append(updates.popleft())
        elif offset < 0:
            while len(updates) > -offset:
                self._confirmed.append(updates.popleft())
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # an older poll still waiting must now end with 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._polls_waiting += 1
        try:
            while not updates and not self._closing:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                wake = self._wake
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), remaining)
                if generation != self._poll_generation:
                    raise ApiError(409, CONFLICT)
        finally:
            self._polls_waiting -= 1
        return [updates[i] for i in range(min(limit, len(updates)))]

    # ---- helpers shared by send/edit methods

    def _chat(self, p: _Params) -> ScriptedUser:
        raw = p.values.get("chat_id")
        if raw in (None, ""):
            raise bad_request("chat_id is empty")
        try:
            chat_id = p.get_int("chat_id")
        except ApiError:
            raise bad_request("chat not found") from None
        user = self._users.get(chat_id) if chat_id is not None else None
        if user is None or not user.known:
            raise bad_request("chat not found")
        return user

    def _check_reachable(self, user: ScriptedUser) -> None:
        if user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user", record=False)

    def _formatted(
        self, p: _Params, field_name: str, entities_field: str, limit: int, *, caption: bool
    ) -> tuple[str | None, list[JSON], str | None, str | None]:
        """Parse text or caption; return (visible, entities, source, parse_mode)."""
        source = p.get_str(field_name)
        if source is None or source == "":
            if caption:
                return None, [], None, None
            raise bad_request("message text is empty")
        parse_mode = p.get_str("parse_mode") or None
        if parse_mode is not None:
            mode = parse_mode.lower()
            if mode == "html":
                visible, entities = parse_html(source)
            elif mode in ("markdown", "markdownv2"):
                raise bad_request(
                    f"can't parse entities: parse_mode {parse_mode} is not supported by this "
                    "test server, only HTML"
                )
            else:
                raise bad_request(f"unsupported parse_mode {parse_mode!r}")
        else:
            visible, entities = trim(
                source, self._explicit_entities(p.get_json(entities_field), source)
            )
        if not visible:
            if caption:
                return None, [], source, parse_mode
            raise bad_request("message text is empty")
        if len(visible) > limit:
            raise bad_request("message caption is too long" if caption else "message is too long")
        return visible, entities, source, parse_mode

    @staticmethod
    def _explicit_entities(value: Any, text: str) -> list[JSON]:
        if value in (None, []):
            return []
        if not isinstance(value, list):
            raise bad_request("can't parse entities JSON object")
        total = _utf16_len(text)
        for entity in value:
            if not isinstance(entity, dict) or not isinstance(entity.get("type"), str):
                raise bad_request("can't parse MessageEntity JSON object")
            offset, length = entity.get("offset"), entity.get("length")
            if not isinstance(offset, int) or not isinstance(length, int) or offset < 0:
                raise bad_request("can't parse MessageEntity JSON object")
            if length <= 0 or offset + length > total:
                raise bad_request("can't parse entities: entity is out of the text bounds")
        return value

    def _markup(self, p: _Params, *, inline_only: bool = False) -> tuple[JSON | None, JSON | None]:
        """Validate reply_markup; return (inline markup for the message, other markup)."""
        markup = p.get_json("reply_markup")
        if markup is None:
            return None, None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            return self._inline_markup(markup["inline_keyboard"]), None
        if inline_only:
            raise bad_request("inline keyboard expected")
        if "keyboard" in markup:
            return None, self._reply_markup(markup)
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return None, markup
        raise bad_request("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _inline_markup(rows: Any) -> JSON | None:
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request("can't parse inline keyboard markup JSON object")
        normalized: list[list[JSON]] = []
        total = 0
        for row in rows:
            out_row: list[JSON] = []
            for button in row:
                if not isinstance(button, dict):
                    raise bad_request("can't parse inline keyboard button: object expected")
                text = button.get("text")
                if not isinstance(text, str) or not text.strip():
                    raise bad_request("can't parse inline keyboard button: Text must be non-empty")
                actions = [k for k in INLINE_ACTIONS if button.get(k) is not None]
                if not actions:
                    raise bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard"
                    )
                if len(actions) > 1:
                    raise bad_request(
                        "can't parse inline keyboard button: exactly one of the optional fields "
                        f"must be used, got {actions}"
                    )
                action = actions[0]
                value = button[action]
                if action == "callback_data" and (
                    not isinstance(value, str) or not 1 <= len(value.encode()) <= 64
                ):
                    raise bad_request("BUTTON_DATA_INVALID")
                if action == "url" and (
                    not isinstance(value, str)
                    or not re.match(r"(https?://[^\s/]+|tg://\S+)", value)
                ):
                    raise bad_request(f"inline keyboard button URL '{value}' is invalid")
                out_row.append({"text": text, action: value})
                total += 1
            normalized.append(out_row)
        if total > 100:
            raise bad_request("reply markup is too long")
        if not total:
            return None
        return {"inline_keyboard": normalized}

    @staticmethod
    def _reply_markup(markup: JSON) -> JSON:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request("can't parse reply keyboard markup JSON object")
        normalized: list[list[JSON]] = []
        for row in rows:
            out_row: list[JSON] = []
            for button in row:
                if isinstance(button, str):
                    button = {"text": button}
                if not isinstance(button, dict):
                    raise bad_request("can't parse keyboard button: object expected")
                text = button.get("text")
                if not isinstance(text, str) or not text.strip():
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
                requests = [k for k in REPLY_BUTTON_KEYS[1:] if button.get(k)]
                if len(requests) > 1:
                    raise bad_request(
                        f"can't parse keyboard button: only one of {requests} may be used"
                    )
                for flag in ("request_contact", "request_location"):
                    if flag in button and not isinstance(button[flag], bool):
                        raise bad_request(f"can't parse keyboard button: {flag} must be Boolean")
                out_row.append({k: button[k] for k in REPLY_BUTTON_KEYS if button.get(k)})
            if out_row:
                normalized.append(out_row)
        if not normalized:
            raise bad_request("keyboard must be non-empty")
        if sum(len(r) for r in normalized) > 300:
            raise bad_request("reply markup is too long")
        result = {k: v for k, v in markup.items() if k != "keyboard"}
        result["keyboard"] = normalized
        return result

    def _reply_to(self, user: ScriptedUser, p: _Params) -> JSON | None:
        params = p.get_json("reply_parameters")
        if not isinstance(params, dict):
            message_id = p.get_int("reply_to_message_id")
            if message_id is None:
                return None
            params = {"message_id": message_id}
        target = user._messages.get(params.get("message_id"))  # type: ignore[arg-type]
        if target is None:
            allowed = params.get("allow_sending_without_reply")
            if allowed or p.get_bool("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return {k: v for k, v in target.raw.items() if k != "reply_to_message"}

    def _flood_check(self, user: ScriptedUser) -> None:
        if not self.rate_limit:
            return
        now = time.monotonic()
        chat = self._chat_buckets.get(user.id)
        if chat is None:
            # Telegram tolerates short bursts in a private chat but ~1 message/s on average.
            burst = self.chat_burst
            chat = self._chat_buckets[user.id] = _Bucket(burst, 1.0, burst, now)
        if self._global_bucket is None:
            self._global_bucket = _Bucket(30, 30.0, 30, now)
        wait = max(chat.wait_time(now), self._global_bucket.wait_time(now))
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )
        chat.tokens -= 1
        self._global_bucket.tokens -= 1

    def _post_bot_message(
        self,
        user: ScriptedUser,
        content: JSON,
        *,
        source: str | None,
        parse_mode: str | None,
        inline: JSON | None,
        other_markup: JSON | None,
        reply_to: JSON | None,
    ) -> JSON:
        raw: JSON = {
            "message_id": user._new_message_id(),
            "from": self._bot_from,
            "chat": user.chat_json,
            "date": int(time.time()),
        }
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        raw.update(content)
        if inline is not None:
            raw["reply_markup"] = inline
        if other_markup is not None:
            if "keyboard" in other_markup:
                user.reply_keyboard = ReplyKeyboard(other_markup)
            elif other_markup.get("remove_keyboard"):
                user.reply_keyboard = None
        user._bot_event(ChatMessage(raw=raw, from_bot=True, source=source, parse_mode=parse_mode))
        return raw

    # ---- send methods

    def _send_message(self, p: _Params) -> JSON:
        user = self._chat(p)
        text, entities, source, parse_mode = self._formatted(
            p, "text", "entities", MAX_TEXT, caption=False
        )
        inline, other = self._markup(p)
        reply_to = self._reply_to(user, p)
        self._check_reachable(user)
        self._flood_check(user)
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        return self._post_bot_message(
            user,
            content,
            source=source,
            parse_mode=parse_mode,
            inline=inline,
            other_markup=other,
            reply_to=reply_to,
        )

    def _caption_content(self, p: _Params) -> tuple[JSON, str | None, str | None]:
        caption, entities, source, parse_mode = self._formatted(
            p, "caption", "caption_entities", MAX_CAPTION, caption=True
        )
        content: JSON = {}
        if caption is not None:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        return content, source, parse_mode

    def _resolve_file(self, p: _Params, name: str) -> tuple[web.FileField | None, str | None]:
        """Return (uploaded part, None) or (None, file_id/URL string)."""
        upload = p.file(name)
        if upload is not None:
            return upload, None
        value = p.get_str(name)
        if not value:
            raise bad_request(f"there is no {name} in the request")
        if value.startswith("attach://"):
            upload = p.file(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(f"file {value} not found in the request")
            return upload, None
        return None, value

    def _known_file(self, reference: str, kind: str) -> _StoredFile:
        stored = self._files.get(reference)
        if stored is None:
            if reference.startswith(("http://", "https://")):
                raise bad_request("failed to get HTTP URL content (the test server is offline)")
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(
                f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}"
            )
        return stored

    def _photo_sizes(self, p: _Params, name: str) -> list[JSON]:
        upload, reference = self._resolve_file(p, name)
        if upload is None:
            stored = self._known_file(reference or "", "photo")
            assert stored.photo_sizes is not None
            return stored.photo_sizes
        data = upload.file.read()
        size = _image_size(data)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        width, height = size
        if width + height > 10000 or max(width, height) > 20 * min(width, height):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        if len(data) > 10 * 1024 * 1024:
            raise ApiError(413, "Request Entity Too Large")
        return self._store_photo(data, size)

    def _send_photo(self, p: _Params) -> JSON:
        user = self._chat(p)
        caption, source, parse_mode = self._caption_content(p)
        inline, other = self._markup(p)
        reply_to = self._reply_to(user, p)
        photo = self._photo_sizes(p, "photo")
        self._check_reachable(user)
        self._flood_check(user)
        return self._post_bot_message(
            user,
            {"photo": photo, **caption},
            source=source,
            parse_mode=parse_mode,
            inline=inline,
            other_markup=other,
            reply_to=reply_to,
        )

    def _document(self, p: _Params, name: str) -> JSON:
        upload, reference = self._resolve_file(p, name)
        if upload is None:
            return self._document_json(self._known_file(reference or "", "document"))
        data = upload.file.read()
        if len(data) > 50 * 1024 * 1024:
            raise ApiError(413, "Request Entity Too Large")
        file_name = upload.filename or "file"
        mime = (
            upload.content_type
            if upload.content_type and upload.content_type != "application/octet-stream"
            else mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        )
        return self._document_json(self._store_document(data, file_name, mime))

    def _send_document(self, p: _Params) -> JSON:
        user = self._chat(p)
        caption, source, parse_mode = self._caption_content(p)
        inline, other = self._markup(p)
        reply_to = self._reply_to(user, p)
        document = self._document(p, "document")
        self._check_reachable(user)
        self._flood_check(user)
        return self._post_bot_message(
            user,
            {"document": document, **caption},
            source=source,
            parse_mode=parse_mode,
            inline=inline,
            other_markup=other,
            reply_to=reply_to,
        )

    def _send_media_group(self, p: _Params) -> list[JSON]:
        user = self._chat(p)
        media = p.get_json("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("media must contain 2-10 items")
        kinds = {m.get("type") for m in media if isinstance(m, dict)}
        if (
            not kinds <= {"photo", "document"}
            or len(kinds) != 1
            or len(media) != sum(isinstance(m, dict) for m in media)
        ):
            raise bad_request(
                "this test server supports media groups of only photos or only documents"
            )
        reply_to = self._reply_to(user, p)
        contents: list[tuple[JSON, str | None, str | None]] = []
        for item in media:
            item_params = _Params({**p.values, **item})
            caption, source, parse_mode = self._caption_content(item_params)
            if item["type"] == "photo":
                content = {"photo": self._photo_sizes(item_params, "media"), **caption}
            else:
                content = {"document": self._document(item_params, "media"), **caption}
            contents.append((content, source, parse_mode))
        self._check_reachable(user)
        self._flood_check(user)
        group_id = str(13_000_000_000_000_000 + self._next_media_group)
        self._next_media_group += 1
        return [
            self._post_bot_message(
                user,
                {**content, "media_group_id": group_id},
                source=source,
                parse_mode=parse_mode,
                inline=None,
                other_markup=None,
                reply_to=reply_to,
            )
            for content, source, parse_mode in contents
        ]

    def _send_location(self, p: _Params) -> JSON:
        user = self._chat(p)
        latitude, longitude = p.get_float("latitude"), p.get_float("longitude")
        if latitude is None or longitude is None or abs(latitude) > 90 or abs(longitude) > 180:
            raise bad_request("wrong latitude or longitude")
        inline, other = self._markup(p)
        reply_to = self._reply_to(user, p)
        self._check_reachable(user)
        self._flood_check(user)
        return self._post_bot_message(
            user,
            {"location": {"latitude": latitude, "longitude": longitude}},
            source=None,
            parse_mode=None,
            inline=inline,
            other_markup=other,
            reply_to=reply_to,
        )

    def _send_chat_action(self, p: _Params) -> bool:
        user = self._chat(p)
        action = p.get_str("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._check_reachable(user)
        user.chat_actions.append(action)
        return True

    # ---- edits and deletes

    def _editable(self, p: _Params) -> tuple[ScriptedUser, ChatMessage]:
        if p.has("inline_message_id"):
            raise bad_request("this test server does not support inline messages")
        user = self._chat(p)
        message_id = p.get_int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = user._messages.get(message_id)
        if message is None:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return user, message

    def _apply_edit(
        self,
        user: ScriptedUser,
        old: ChatMessage,
        content: JSON,
        drop: tuple[str, ...],
        inline: JSON | None,
        *,
        source: str | None,
        parse_mode: str | None,
    ) -> JSON:
        raw = {k: v for k, v in old.raw.items() if k not in drop and k != "reply_markup"}
        raw.update(content)
        if inline is not None:
            raw["reply_markup"] = inline
        compared = ("text", "entities", "caption", "caption_entities", "reply_markup")
        if all(raw.get(k) == old.raw.get(k) for k in compared):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        raw["edit_date"] = int(time.time())
        self._check_reachable(user)
        user._bot_event(
            ChatMessage(raw=raw, from_bot=True, source=source, parse_mode=parse_mode, event="edit")
        )
        return raw

    def _edit_message_text(self, p: _Params) -> JSON:
        user, old = self._editable(p)
        if "text" not in old.raw:
            raise bad_request("there is no text in the message to edit")
        text, entities, source, parse_mode = self._formatted(
            p, "text", "entities", MAX_TEXT, caption=False
        )
        inline, _ = self._markup(p, inline_only=True)
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        return self._apply_edit(
            user, old, content, ("entities",), inline, source=source, parse_mode=parse_mode
        )

    def _edit_message_caption(self, p: _Params) -> JSON:
        user, old = self._editable(p)
        if not any(k in old.raw for k in ("photo", "document")):
            raise bad_request("there is no caption in the message to edit")
        content, source, parse_mode = self._caption_content(p)
        inline, _ = self._markup(p, inline_only=True)
        return self._apply_edit(
            user,
            old,
            content,
            ("caption", "caption_entities"),
            inline,
            source=source,
            parse_mode=parse_mode,
        )

    def _edit_message_reply_markup(self, p: _Params) -> JSON:
        user, old = self._editable(p)
        inline, _ = self._markup(p, inline_only=True)
        return self._apply_edit(
            user, old, {}, (), inline, source=old.source, parse_mode=old.parse_mode
        )

    def _delete_one(self, user: ScriptedUser, message_id: int) -> bool:
        if user._messages.pop(message_id, None) is None:
            return False
        user.deleted_message_ids.append(message_id)
        user._notify()
        return True

    def _delete_message(self, p: _Params) -> bool:
        user = self._chat(p)
        message_id = p.get_int("message_id")
        if message_id is None or not self._delete_one(user, message_id):
            raise bad_request("message to delete not found")
        return True

    def _delete_messages(self, p: _Params) -> bool:
        user = self._chat(p)
        ids = p.get_json("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must contain 1-100 identifiers")
        for message_id in ids:
            self._delete_one(user, int(message_id))
        return True

    # ---- callback queries

    def _new_query_id(self) -> str:
        self._next_query += 1
        return str(4_000_000_000_000_000_000 + self._next_query)

    def _answer_callback_query(self, p: _Params) -> bool:
        query_id = p.get_str("callback_query_id") or ""
        record = self._unanswered.get(query_id)
        now = asyncio.get_running_loop().time()
        too_old = (
            record is not None
            and self.callback_query_timeout is not None
            and now - record.created_at > self.callback_query_timeout
        )
        if record is None or too_old:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = p.get_str("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        record.answer = CallbackAnswer(
            text=text,
            show_alert=p.get_bool("show_alert"),
            url=p.get_str("url"),
            cache_time=p.get_int("cache_time") or 0,
            answered_at=now,
        )
        del self._unanswered[query_id]
        self._users[record.user_id]._notify()
        return True

    # ---- files

    def _new_file(
        self,
        kind: str,
        blob: bytes | None,
        extension: str,
        **extra: Any,
    ) -> _StoredFile:
        self._file_counter += 1
        prefix = "AgAC" if kind == "photo" else "BQAC"
        stored = _StoredFile(
            file_id=f"{prefix}{self._file_counter:06d}{secrets.token_urlsafe(24)}",
            file_unique_id=f"AQAD{self._file_counter:06d}{secrets.token_urlsafe(6)}",
            kind=kind,
            file_path=f"{kind}s/file_{self._file_counter}.{extension}",
            blob=blob,
            **extra,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _store_photo(self, data: bytes, size: tuple[int, int] | None = None) -> list[JSON]:
        size = size or _image_size(data)
        # Arbitrary bytes still make a "photo", so tests can exercise size checks cheaply.
        width, height = size or (1280, 960)
        original = self._new_file("photo", data, "jpg", mime_type="image/jpeg")
        sizes: list[JSON] = []
        siblings: list[_StoredFile] = []
        for box in (90, 320):
            if max(width, height) <= box:
                continue
            scale = box / max(width, height)
            thumb = self._new_file(
                "photo", None, "jpg", mime_type="image/jpeg", source=original, box=box
            )
            siblings.append(thumb)
            sizes.append(
                {
                    "file_id": thumb.file_id,
                    "file_unique_id": thumb.file_unique_id,
                    "width": max(1, round(width * scale)),
                    "height": max(1, round(height * scale)),
                }
            )
        sizes.append(
            {
                "file_id": original.file_id,
                "file_unique_id": original.file_unique_id,
                "file_size": len(data),
                "width": width,
                "height": height,
            }
        )
        for stored in (original, *siblings):
            stored.photo_sizes = sizes
        return sizes

    def _store_document(self, data: bytes, file_name: str, mime_type: str) -> _StoredFile:
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        return self._new_file("document", data, extension, mime_type=mime_type, file_name=file_name)

    @staticmethod
    def _document_json(stored: _StoredFile) -> JSON:
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": len(stored.data),
        }
        return {k: v for k, v in document.items() if v is not None}

    def _get_file(self, p: _Params) -> JSON:
        file_id = p.get_str("file_id") or ""
        stored = self._files.get(file_id)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        size = len(stored.data)
        if size > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": size,
            "file_path": stored.file_path,
        }

    # ---- commands, menu, chat

    def _scope_key(self, scope: Any) -> str:
        if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        scope = dict(scope)
        if "chat_id" in scope:
            with contextlib.suppress(TypeError, ValueError):
                scope["chat_id"] = int(scope["chat_id"])
        return json.dumps(scope, sort_keys=True)

    def _commands_key(self, p: _Params) -> tuple[str, str]:
        scope = p.get_json("scope") or {"type": "default"}
        key = self._scope_key(scope)
        if "chat_id" in scope:
            user = self._users.get(json.loads(key)["chat_id"])
            if user is None or not user.known:
                raise bad_request("chat not found")
        language = p.get_str("language_code") or ""
        if language and not _LANG_RE.fullmatch(language):
            raise bad_request("invalid language code specified")
        return key, language

    def _set_my_commands(self, p: _Params) -> bool:
        commands = p.get_json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON array")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        stored: list[JSON] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            stored.append({"command": name, "description": description})
        key = self._commands_key(p)
        if stored:
            self._commands[key] = stored
        else:
            self._commands.pop(key, None)
        return True

    def _get_my_commands(self, p: _Params) -> list[JSON]:
        return list(self._commands.get(self._commands_key(p), []))

    def _delete_my_commands(self, p: _Params) -> bool:
        self._commands.pop(self._commands_key(p), None)
        return True

    def _set_chat_menu_button(self, p: _Params) -> bool:
        if p.has("chat_id"):
            self._chat(p)
        button = p.get_json("menu_button")
        if button is not None and (
            not isinstance(button, dict)
            or button.get("type") not in ("commands", "web_app", "default")
        ):
            raise bad_request("can't parse MenuButton JSON object")
        return True

    def _get_chat(self, p: _Params) -> JSON:
        user = self._chat(p)
        return {
            **user.chat_json,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }


async def wait_until(
    predicate: Callable[[], bool | Awaitable[bool]], timeout: float = 5, what: str = "condition"
) -> None:
    """Poll a cheap predicate until true (for server-side state with no event to await)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise EventTimeout(f"{what} did not become true within {timeout}s")
        await asyncio.sleep(0.01)
