"""Tests of the local Telegram Bot API test server and its scripted users."""

from __future__ import annotations

import asyncio
import hashlib
import html
import io
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from PIL import Image
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.e2e.telegram_server import (
    EventTimeout,
    ScriptedUser,
    TelegramTestServer,
    parse_html,
    wait_until,
)

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"


def png(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
async def server() -> AsyncIterator[TelegramTestServer]:
    srv = TelegramTestServer(token=TOKEN)
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture
async def ptb_bot(server: TelegramTestServer) -> AsyncIterator[Bot]:
    b = Bot(TOKEN, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot")
    await b.initialize()
    yield b
    await b.shutdown()


def rejected(fragment: str) -> pytest.RaisesExc[BadRequest]:
    """PTB re-capitalises Telegram's description ("Chat not found"), so match ignoring case."""
    return pytest.raises(BadRequest, match=re.compile(re.escape(fragment), re.IGNORECASE))


async def known_user(server: TelegramTestServer, user_id: int = 1001) -> ScriptedUser:
    """A user who has written to the bot, so the bot may message them."""
    user = server.user(user_id, "Asha", language_code="hi")
    await user.send_text("/start")
    return user


async def raw_call(
    server: TelegramTestServer, method: str, token: str = TOKEN, **kwargs: object
) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(f"{server.url}/bot{token}/{method}", **kwargs)  # type: ignore[arg-type]


def build_app(
    server: TelegramTestServer, rate_limiter: AIORateLimiter | None = None
) -> Application:
    builder = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{server.url}/bot")
        .base_file_url(f"{server.url}/file/bot")
    )
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    return builder.build()


@asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=5)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


# --------------------------------------------------------------------------- PTB end to end


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message and update.effective_user
    name = html.escape(update.effective_user.first_name)
    await update.message.reply_text(f"<b>Welcome</b>, {name}", parse_mode=ParseMode.HTML)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message and update.message.text
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Tap", callback_data="tap:1")]])
    await update.message.reply_text(
        f"echo: {html.escape(update.message.text)}",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def on_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query
    await query.answer("Done")
    await query.edit_message_text(f"Tapped {query.data}")


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message
    photo_file = await update.message.photo[-1].get_file()
    data = bytes(await photo_file.download_as_bytearray())
    await update.message.reply_text(f"photo {len(data)} {hashlib.sha256(data).hexdigest()}")


async def test_ptb_application_round_trip(server: TelegramTestServer) -> None:
    app = build_app(server)
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    app.add_handler(CallbackQueryHandler(on_tap))
    user = server.user(1001, "Asha & Co", language_code="hi")

    async with polling(app):
        await user.send_text("/start")
        welcome = await user.next_message()
        assert welcome.text == "Welcome, Asha & Co"
        assert welcome.entities == [{"type": "bold", "offset": 0, "length": 7}]

        await user.send_text("hello <shop> & more")
        echo = await user.next_message()
        assert echo.text == "echo: hello <shop> & more"
        assert echo.buttons == [("Tap", "tap:1")]

        query_id = await user.press(echo, "Tap")
        answer = await user.callback_answer(query_id)
        assert answer.text == "Done"
        assert not answer.show_alert
        edit = await user.next_edit()
        assert edit.message_id == echo.message_id
        assert edit.text == "Tapped tap:1"
        # editMessageText without reply_markup drops the keyboard, as on Telegram.
        assert edit.buttons == []
        assert user.messages[echo.message_id].text == "Tapped tap:1"
        with pytest.raises(AssertionError, match="no inline button"):
            await user.press(echo, "Tap")

        image = png(640, 480)
        await user.send_photo(image)
        reply = await user.next_message()
        assert reply.text == f"photo {len(image)} {hashlib.sha256(image).hexdigest()}"

    assert server.unanswered_callback_queries() == []
    assert server.stats["getFile"] == 1
    assert server.stats["file download"] == 1
    server.assert_no_errors()


async def test_ptb_rate_limiter_retries_injected_429(server: TelegramTestServer) -> None:
    app = build_app(server, rate_limiter=AIORateLimiter(max_retries=3))
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    user = server.user(1002, "Ravi")
    server.fail_next("sendMessage", 429, retry_after=1)

    async with polling(app):
        await user.send_text("hi")
        message = await user.next_message(timeout=5)

    assert message.text == "echo: hi"
    assert server.stats["sendMessage"] == 2
    # An injected failure is the server's doing, not a protocol violation of the bot.
    server.assert_no_errors()


# --------------------------------------------------------------------------- polling


async def test_long_polling_returns_as_soon_as_an_update_arrives(
    server: TelegramTestServer,
) -> None:
    loop = asyncio.get_running_loop()
    poll = asyncio.create_task(raw_call(server, "getUpdates", json={"timeout": 5}))
    await wait_until(lambda: server.polls_waiting == 1, what="long poll held open")
    started = loop.time()
    user = server.user(1001, "Asha")
    await user.send_text("ping")
    updates = (await poll).json()["result"]
    assert loop.time() - started < 1
    assert [u["message"]["text"] for u in updates] == ["ping"]

    # Not confirmed yet: delivered again.
    again = (await raw_call(server, "getUpdates", data={"timeout": "0"})).json()["result"]
    assert again == updates

    update_id = updates[0]["update_id"]
    confirmed = await raw_call(server, "getUpdates", data={"offset": str(update_id + 1)})
    assert confirmed.json() == {"ok": True, "result": []}
    assert server.pending_updates == 0
    server.assert_no_errors()


async def test_second_poller_terminates_the_first_with_conflict(
    server: TelegramTestServer,
) -> None:
    first = asyncio.create_task(raw_call(server, "getUpdates", json={"timeout": 5}))
    await wait_until(lambda: server.polls_waiting == 1, what="long poll held open")
    second = await raw_call(server, "getUpdates", json={"timeout": 0})
    assert second.json()["ok"] is True
    response = await first
    assert response.status_code == 409
    assert response.json()["description"].startswith("Conflict: terminated by other getUpdates")
    assert [e.error_code for e in server.errors] == [409]


async def test_ptb_get_updates_sees_contacts_and_callbacks(
    server: TelegramTestServer, ptb_bot: Bot
) -> None:
    user = await known_user(server)
    await user.send_contact("+919812345678", own=True)
    await user.send_contact("+919800000000", first_name="Other", own=False)
    await user.send_location(12.97, 77.59)
    sent = await ptb_bot.send_message(
        user.id,
        "pick",
        reply_markup=InlineKeyboardMarkup.from_button(InlineKeyboardButton("A", callback_data="a")),
    )
    seen = await user.next_message()
    assert seen.message_id == sent.message_id
    query_id = await user.press(seen, "a")

    updates = await ptb_bot.get_updates(timeout=0)
    contacts = [u.message.contact for u in updates if u.message and u.message.contact]
    assert [c.user_id for c in contacts] == [user.id, user.id + 1_000_000_000]
    assert updates[0].message and updates[0].message.entities[0].type == "bot_command"
    assert updates[3].message and updates[3].message.location
    callback = updates[-1].callback_query
    assert callback and callback.id == query_id and callback.data == "a"
    assert callback.message and callback.message.message_id == sent.message_id
    assert [q.query_id for q in server.unanswered_callback_queries()] == [query_id]
    assert server.unanswered_callback_queries(older_than=60) == []


# --------------------------------------------------------------------------- transport


async def test_accepts_json_form_and_multipart_parameters(server: TelegramTestServer) -> None:
    user = await known_user(server)
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    as_json = await raw_call(
        server, "sendMessage", json={"chat_id": user.id, "text": "1", "reply_markup": markup}
    )
    as_form = await raw_call(
        server,
        "sendMessage",
        data={"chat_id": str(user.id), "text": "2", "reply_markup": json.dumps(markup)},
    )
    as_multipart = await raw_call(
        server,
        "sendPhoto",
        data={"chat_id": str(user.id), "caption": "3", "reply_markup": json.dumps(markup)},
        files={"photo": ("p.png", png(), "image/png")},
    )
    for response in (as_json, as_form, as_multipart):
        assert response.status_code == 200, response.text
        assert response.json()["result"]["reply_markup"] == markup
    texts = [(await user.next_message()).text for _ in range(3)]
    assert texts == ["1", "2", "3"]
    server.assert_no_errors()


async def test_unknown_method_and_wrong_token_are_recorded(server: TelegramTestServer) -> None:
    unknown = await raw_call(server, "sendTelepathy", json={})
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    wrong = await raw_call(server, "getMe", token="999:nope")
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert [(e.method, e.error_code) for e in server.errors] == [
        ("sendTelepathy", 404),
        ("getMe", 401),
    ]
    with pytest.raises(AssertionError, match="sendTelepathy"):
        server.assert_no_errors()


# --------------------------------------------------------------------------- strictness


async def test_chat_must_be_known(server: TelegramTestServer, ptb_bot: Bot) -> None:
    server.user(2002, "Silent")
    with rejected("chat not found"):
        await ptb_bot.send_message(2002, "hello")
    assert server.errors[0].chat_id == 2002
    assert server.errors[0].description == "Bad Request: chat not found"


async def test_text_and_caption_limits_count_visible_characters(
    server: TelegramTestServer, ptb_bot: Bot
) -> None:
    user = await known_user(server)
    with rejected("message text is empty"):
        await ptb_bot.send_message(user.id, "")
    with rejected("message text is empty"):
        await ptb_bot.send_message(user.id, "<b> </b>", parse_mode=ParseMode.HTML)
    with rejected("message is too long"):
        await ptb_bot.send_message(user.id, "a" * 4097)
    # 4096 visible characters, five times as many bytes of markup: fine.
    await ptb_bot.send_message(user.id, "&amp;" * 4096, parse_mode=ParseMode.HTML)
    assert (await user.next_message()).text == "&" * 4096
    with rejected("message caption is too long"):
        await ptb_bot.send_photo(user.id, png(), caption="x" * 1025)
    await ptb_bot.send_photo(user.id, png(), caption="<i>" + "x" * 1024 + "</i>", parse_mode="HTML")
    assert len((await user.next_message()).caption or "") == 1024
    assert [e.description for e in server.errors] == [
        "Bad Request: message text is empty",
        "Bad Request: message text is empty",
        "Bad Request: message is too long",
        "Bad Request: message caption is too long",
    ]


@pytest.mark.parametrize(
    ("source", "complaint"),
    [
        ("A & B <shop>", "Character '&'"),
        ("Price <shop>", 'Unsupported start tag "shop" at byte offset 6'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag"),
        ("a &nbsp; b", "Character '&'"),
        ("<br>", 'Unsupported start tag "br"'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("1 < 2", 'Unsupported start tag ""'),
        ('<a href="x', "Unclosed start tag"),
    ],
)
async def test_html_that_telegram_rejects(
    server: TelegramTestServer, ptb_bot: Bot, source: str, complaint: str
) -> None:
    user = await known_user(server)
    with rejected("can't parse entities") as error:
        await ptb_bot.send_message(user.id, source, parse_mode=ParseMode.HTML)
    assert complaint.lower() in error.value.message.lower()
    assert len(server.errors) == 1 and server.errors[0].params["text"] == source


async def test_escaped_html_passes_with_utf16_entities(
    server: TelegramTestServer, ptb_bot: Bot
) -> None:
    user = await known_user(server)
    source = (
        f"😀 <b>{html.escape('A & B <shop>')}</b> 1 > 0 "
        '<a href="https://e.x/?a=1&amp;b=2">link</a> '
        '<pre><code class="language-python">x</code></pre>'
        "<tg-spoiler>s</tg-spoiler><blockquote expandable>q</blockquote>&#8377;&#x20B9;"
    )
    await ptb_bot.send_message(user.id, source, parse_mode=ParseMode.HTML)
    message = await user.next_message()
    assert message.text == "😀 A & B <shop> 1 > 0 link xsq₹₹"
    assert message.source == source and message.parse_mode == "HTML"
    assert message.entities == [
        {"type": "bold", "offset": 3, "length": 12},
        {"type": "text_link", "offset": 22, "length": 4, "url": "https://e.x/?a=1&b=2"},
        {"type": "pre", "offset": 27, "length": 1, "language": "python"},
        {"type": "spoiler", "offset": 28, "length": 1},
        {"type": "expandable_blockquote", "offset": 29, "length": 1},
    ]
    server.assert_no_errors()


def test_parse_html_unit() -> None:
    assert parse_html("<B>x</B>") == ("x", [{"type": "bold", "offset": 0, "length": 1}])
    assert parse_html("&lt;&gt;&quot;&amp;") == ('<>"&', [])
    # Telegram trims surrounding whitespace and moves the entities with the text.
    assert parse_html("\n <b> x</b>\n\n") == ("x", [{"type": "bold", "offset": 0, "length": 1}])


async def test_markdown_is_refused(server: TelegramTestServer, ptb_bot: Bot) -> None:
    user = await known_user(server)
    with rejected("only HTML"):
        await ptb_bot.send_message(user.id, "*hi*", parse_mode=ParseMode.MARKDOWN_V2)


async def test_inline_keyboard_rules(server: TelegramTestServer, ptb_bot: Bot) -> None:
    user = await known_user(server)

    def one(button: InlineKeyboardButton) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[button]])

    with rejected("BUTTON_DATA_INVALID"):
        await ptb_bot.send_message(
            user.id, "x", reply_markup=one(InlineKeyboardButton("t", callback_data="é" * 33))
        )
    await ptb_bot.send_message(
        user.id, "x", reply_markup=one(InlineKeyboardButton("t", callback_data="é" * 32))
    )
    await ptb_bot.send_message(
        user.id, "x", reply_markup=one(InlineKeyboardButton("t", url="https://ondc.org"))
    )
    for button in (
        {"text": "no action"},
        {"text": "", "callback_data": "d"},
        {"text": "two", "callback_data": "d", "url": "https://a.b"},
    ):
        response = await raw_call(
            server,
            "sendMessage",
            json={"chat_id": user.id, "text": "x", "reply_markup": {"inline_keyboard": [[button]]}},
        )
        assert response.status_code == 400
        assert "inline keyboard button" in response.json()["description"]
    assert len(server.errors) == 4
    assert [m.buttons for m in await user.drain(idle=0.05)] == [
        [("t", "é" * 32)],
        [("t", None)],
    ]


async def test_reply_keyboard_is_visible_to_the_user(
    server: TelegramTestServer, ptb_bot: Bot
) -> None:
    user = await known_user(server)
    assert user.reply_keyboard is None
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("Share my number", request_contact=True)], ["Cancel"]],
        one_time_keyboard=True,
    )
    sent = await ptb_bot.send_message(user.id, "Your number?", reply_markup=keyboard)
    assert sent.reply_markup is None  # Telegram only echoes inline keyboards
    assert user.reply_keyboard is not None
    assert user.reply_keyboard.requests_contact and user.reply_keyboard.one_time
    assert user.reply_keyboard.texts == ["Share my number", "Cancel"]
    await ptb_bot.send_message(user.id, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert user.reply_keyboard is None
    response = await raw_call(
        server,
        "sendMessage",
        json={"chat_id": user.id, "text": "x", "reply_markup": {"keyboard": [[{"text": ""}]]}},
    )
    assert response.status_code == 400


async def test_edit_rules(server: TelegramTestServer, ptb_bot: Bot) -> None:
    user = await known_user(server)
    own = user.messages[1]
    markup = InlineKeyboardMarkup.from_button(InlineKeyboardButton("A", callback_data="a"))
    text = await ptb_bot.send_message(user.id, "<b>v1</b>", parse_mode="HTML", reply_markup=markup)
    photo = await ptb_bot.send_photo(user.id, png(), caption="c1")

    with rejected("message to edit not found"):
        await ptb_bot.edit_message_text("x", chat_id=user.id, message_id=999)
    with rejected("message can't be edited"):
        await ptb_bot.edit_message_text("x", chat_id=user.id, message_id=own.message_id)
    with rejected("message is not modified"):
        await ptb_bot.edit_message_text(
            "<b>v1</b>",
            chat_id=user.id,
            message_id=text.message_id,
            parse_mode="HTML",
            reply_markup=markup,
        )
    with rejected("there is no text in the message to edit"):
        await ptb_bot.edit_message_text("x", chat_id=user.id, message_id=photo.message_id)
    with rejected("there is no caption"):
        await ptb_bot.edit_message_caption(chat_id=user.id, message_id=text.message_id, caption="x")
    with rejected("message is not modified"):
        await ptb_bot.edit_message_reply_markup(user.id, text.message_id, reply_markup=markup)
    assert len(server.errors) == 6

    # Same visible text, different formatting: a real modification.
    await ptb_bot.edit_message_text(
        "<i>v1</i>",
        chat_id=user.id,
        message_id=text.message_id,
        parse_mode="HTML",
        reply_markup=markup,
    )
    await ptb_bot.edit_message_caption(chat_id=user.id, message_id=photo.message_id, caption="c2")
    await ptb_bot.edit_message_reply_markup(user.id, text.message_id, reply_markup=None)
    events = [await user.next_event() for _ in range(5)]
    assert [(e.event, e.message_id) for e in events] == [
        ("new", text.message_id),
        ("new", photo.message_id),
        ("edit", text.message_id),
        ("edit", photo.message_id),
        ("edit", text.message_id),
    ]
    assert events[2].entities[0]["type"] == "italic" and events[2].buttons == [("A", "a")]
    assert events[3].caption == "c2" and events[4].buttons == []
    assert user.messages[text.message_id].edit_date is not None


async def test_callback_query_rules(server: TelegramTestServer, ptb_bot: Bot) -> None:
    user = await known_user(server)
    await ptb_bot.send_message(
        user.id,
        "x",
        reply_markup=InlineKeyboardMarkup.from_button(InlineKeyboardButton("A", callback_data="a")),
    )
    message = await user.next_message()
    first = await user.press(message, ("A", "a"))
    forged = await user.press_data(message.message_id, "admin:delete-everything")
    assert {q.data for q in server.unanswered_callback_queries()} == {
        "a",
        "admin:delete-everything",
    }

    with rejected("MESSAGE_TOO_LONG"):
        await ptb_bot.answer_callback_query(first, text="x" * 201)
    await ptb_bot.answer_callback_query(first, text="ok", show_alert=True)
    answer = await user.callback_answer(first, timeout=1)
    assert (answer.text, answer.show_alert) == ("ok", True)
    with rejected("query is too old"):
        await ptb_bot.answer_callback_query(first)
    with rejected("query ID is invalid"):
        await ptb_bot.answer_callback_query("12345")
    assert [q.query_id for q in server.unanswered_callback_queries()] == [forged]
    assert len(server.errors) == 3
    with pytest.raises(EventTimeout, match="unanswered callback queries"):
        await user.callback_answer(forged, timeout=0.05)


async def test_delete_message(server: TelegramTestServer, ptb_bot: Bot) -> None:
    user = await known_user(server)
    sent = await ptb_bot.send_message(user.id, "bye")
    assert await ptb_bot.delete_message(user.id, sent.message_id)
    assert sent.message_id not in user.messages
    assert user.deleted_message_ids == [sent.message_id]
    with rejected("message to delete not found"):
        await ptb_bot.delete_message(user.id, sent.message_id)
    with pytest.raises(AssertionError, match="deleted"):
        await user.press(sent.message_id, "x")


async def test_commands(server: TelegramTestServer, ptb_bot: Bot) -> None:
    user = await known_user(server)
    english = [BotCommand("start", "Start"), BotCommand("new_product", "Add a product")]
    assert await ptb_bot.set_my_commands(english)
    assert await ptb_bot.set_my_commands([BotCommand("start", "शुरू करें")], language_code="hi")
    chat_scope = BotCommandScopeChat(user.id)
    assert await ptb_bot.set_my_commands([BotCommand("help", "Help")], scope=chat_scope)
    assert server.commands() == [c.to_dict() for c in english]
    assert server.commands("hi") == [{"command": "start", "description": "शुरू करें"}]
    assert server.commands(scope={"type": "chat", "chat_id": user.id}) == [
        {"command": "help", "description": "Help"}
    ]
    assert server.commands("ta") is None
    assert [c.command for c in await ptb_bot.get_my_commands(language_code="hi")] == ["start"]

    for bad, complaint in [
        ([BotCommand("Start", "x")], "BOT_COMMAND_INVALID"),
        ([BotCommand("a" * 33, "x")], "BOT_COMMAND_INVALID"),
        ([BotCommand("ok", "")], "BOT_COMMAND_DESCRIPTION_INVALID"),
        ([BotCommand("ok", "d" * 257)], "BOT_COMMAND_DESCRIPTION_INVALID"),
        ([BotCommand(f"c{i}", "d") for i in range(101)], "too many commands"),
    ]:
        with rejected(complaint):
            await ptb_bot.set_my_commands(bad)
    with rejected("language code"):
        await ptb_bot.set_my_commands(english, language_code="hin")
    assert len(server.errors) == 6

    assert await ptb_bot.delete_my_commands(language_code="hi")
    assert server.commands("hi") is None
    assert await ptb_bot.set_chat_menu_button()


async def test_files(server: TelegramTestServer, ptb_bot: Bot) -> None:
    user = await known_user(server)
    pdf = b"%PDF-1.4 fake catalogue"
    document = (await user.send_document(pdf, "catalogue.pdf", "application/pdf")).document
    assert document is not None
    downloaded = await (await ptb_bot.get_file(document["file_id"])).download_as_bytearray()
    assert bytes(downloaded) == pdf

    huge = await user.send_document(b"\0" * (20 * 1024 * 1024 + 1), "big.zip", "application/zip")
    assert huge.document is not None
    with rejected("file is too big"):
        await ptb_bot.get_file(huge.document["file_id"])
    with rejected("wrong file identifier"):
        await ptb_bot.get_file("AgACnonexistent")

    # Any bytes make a user "photo"; smaller sizes have their own ids.
    junk_photo = await user.send_photo(b"not an image at all", caption="junk")
    assert junk_photo.photo is not None
    assert len({p["file_unique_id"] for p in junk_photo.photo}) == len(junk_photo.photo) == 3

    sent = await ptb_bot.send_photo(user.id, png(800, 600), caption="<b>new</b>", parse_mode="HTML")
    sizes = [(p.width, p.height) for p in sent.photo]
    assert sizes == [(90, 68), (320, 240), (800, 600)]
    thumb = await (await ptb_bot.get_file(sent.photo[0].file_id)).download_as_bytearray()
    assert Image.open(io.BytesIO(thumb)).size == (90, 68)
    resent = await ptb_bot.send_photo(user.id, sent.photo[0].file_id)
    assert [p.file_id for p in resent.photo] == [p.file_id for p in sent.photo]
    assert server.file_bytes(sent.photo[-1].file_id) == png(800, 600)

    with rejected("IMAGE_PROCESS_FAILED"):
        await ptb_bot.send_photo(user.id, b"%PDF-1.4 not a photo")
    with rejected("can't use file of type Photo as Document"):
        await ptb_bot.send_document(user.id, sent.photo[-1].file_id)
    doc = await ptb_bot.send_document(user.id, b"a,b\n1,2\n", filename="orders.csv")
    assert doc.document and doc.document.file_name == "orders.csv"
    assert doc.document.mime_type == "text/csv"

    album = await ptb_bot.send_media_group(
        user.id, [InputMediaPhoto(png()), InputMediaPhoto(png())]
    )
    assert len({m.media_group_id for m in album}) == 1
    assert [e.description.removeprefix("Bad Request: ") for e in server.errors] == [
        "file is too big",
        "wrong file identifier/HTTP URL specified",
        "IMAGE_PROCESS_FAILED",
        "can't use file of type Photo as Document",
    ]


async def test_rate_limit_flag() -> None:
    async with TelegramTestServer(token=TOKEN, rate_limit=True) as server:
        ptb_bot = Bot(TOKEN, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot")
        async with ptb_bot:
            user = await known_user(server)
            for i in range(3):
                await ptb_bot.send_message(user.id, f"burst {i}")
            with pytest.raises(RetryAfter) as error:
                await ptb_bot.send_message(user.id, "one too many")
            assert "Retry in 1 seconds" in error.value.message
            other = await known_user(server, 1002)
            await ptb_bot.send_message(other.id, "another chat has its own budget")
        assert [e.error_code for e in server.errors] == [429]
        server.assert_no_errors(ignore_codes=[429])


async def test_blocked_user_is_forbidden_but_not_a_violation(
    server: TelegramTestServer, ptb_bot: Bot
) -> None:
    user = await known_user(server)
    user.block()
    with pytest.raises(Forbidden, match="blocked"):
        await ptb_bot.send_message(user.id, "hello?")
    server.assert_no_errors()


async def test_chat_helpers(server: TelegramTestServer, ptb_bot: Bot) -> None:
    user = await known_user(server)
    chat = await ptb_bot.get_chat(user.id)
    assert chat.first_name == "Asha" and chat.type == "private"
    assert await ptb_bot.send_chat_action(user.id, "typing")
    assert user.chat_actions == ["typing"]
    with pytest.raises(Conflict):
        server.fail_next("getMe", 409, description="Conflict: injected")
        await ptb_bot.get_me()
    server.assert_no_errors()


async def test_timeout_explains_what_the_bot_did(server: TelegramTestServer, ptb_bot: Bot) -> None:
    user = await known_user(server)
    with pytest.raises(BadRequest):
        await ptb_bot.send_message(user.id, "Tom & Jerry", parse_mode="HTML")
    with pytest.raises(EventTimeout) as error:
        await user.next_message(timeout=0.05)
    assert isinstance(error.value, asyncio.TimeoutError)
    assert "Character '&'" in str(error.value)
    assert "user 1001 (Asha)" in str(error.value)
