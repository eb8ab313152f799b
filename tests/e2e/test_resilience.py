"""What a seller and an operator see when things go wrong: silence, a 429, the gateway down,
a bug; and the liveness check the Dockerfile uses."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from bot.context import SERVICES, BotApplication
from bot.gateways.base import FieldError, InvalidRequest, NotFound, Unavailable
from tests.e2e.bot_process import SELLERBOT, TOKEN, BotProcess
from tests.e2e.conftest import OPERATOR, BrokenGateway
from tests.e2e.seller import Answers, Seller
from tests.e2e.telegram_server import TelegramTestServer


async def test_silence_pauses_registration_and_keeps_answers(
    server: TelegramTestServer, tmp_path: Path
) -> None:
    bot = BotProcess(server, tmp_path / "data", SELLERBOT_CONVERSATION_TIMEOUT_MINUTES="0.02")
    await bot.start()
    quitter = server.user(2010, "Quit", language_code="en")
    await Seller(quitter, "en").pick_language(await Seller(quitter, "en").start_new())
    await quitter.send_text("/cancel")
    await quitter.next_message()
    user = server.user(2001, "Suman", language_code="en")
    seller = Seller(user, "en")
    await seller.pick_language(await seller.start_new())
    await seller.type("Suman Sweets", "onboarding.ask.legal_name")
    await seller.expect("onboarding.timed_out")  # about 1.2 s of silence
    assert quitter.pending() == []  # who cancelled is not waiting for anything
    await user.send_text("/start")
    await seller.expect_noted("onboarding.welcome_back", "onboarding.ask.legal_name")
    # Silence again, across a restart: the watcher reads the drafts, so it still tells.
    assert await bot.stop() == 0
    await bot.start()
    await seller.expect("onboarding.timed_out")
    # Told once; the next answer simply goes on from the question that was waiting.
    await seller.type("Suman Foods", "onboarding.ask.incorporation_type")
    assert await bot.stop() == 0
    server.assert_no_errors()
    assert user.pending() == []


async def test_a_429_is_waited_out_not_dropped(server: TelegramTestServer, bot: BotProcess) -> None:
    user = server.user(2002, "Raju", language_code="en")
    seller = Seller(user, "en")
    server.fail_next("sendMessage", 429, retry_after=1, count=2)
    await user.send_text("/help")
    await seller.expect("help.text")
    assert server.stats["sendMessage"] >= 3


async def test_health_follows_the_heartbeat(server: TelegramTestServer, tmp_path: Path) -> None:
    bot = BotProcess(server, tmp_path / "data")

    def health() -> int:
        return subprocess.run(
            [str(SELLERBOT), "health"], env=bot.env, cwd=tmp_path, capture_output=True, timeout=60
        ).returncode

    assert health() == 1  # never started: no heartbeat
    await bot.start()
    for _ in range(100):  # the first beat is written right after start
        if health() == 0:
            break
        await asyncio.sleep(0.1)
    assert health() == 0
    assert await bot.stop() == 0


# --- in-process: the real Application and polling loop, with a gateway we can break -----------
# (the `app` fixture and BrokenGateway are in conftest.py)


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        (Unavailable("connection refused"), "error.gateway_unavailable"),  # marketplace down
        (KeyError("surprise"), "error.internal"),  # a bug: the error handler apologises
    ],
)
async def test_a_failed_confirm_keeps_the_review_card(
    server: TelegramTestServer, app: BotApplication, failure: Exception, said: str
) -> None:
    gateway: BrokenGateway = app.bot_data[SERVICES].gateway
    gateway.failures["create_seller"] = failure
    user = server.user(2003, "Farah", language_code="en")
    seller = Seller(user, "en")
    review = await seller.register()
    await seller.press(review, "ob:ok")
    await seller.expect(said)
    assert app.bot_data[SERVICES].store.seller_of(2003) is None

    del gateway.failures["create_seller"]  # the marketplace is back, the bug is fixed
    await seller.confirm(review, Answers().display_name)  # the same card still works
    assert app.bot_data[SERVICES].store.seller_of(2003) is not None


async def test_a_lost_answer_from_the_gateway_is_retried_safely(
    server: TelegramTestServer, app: BotApplication
) -> None:
    """The gateway created the seller but its answer was lost: Confirm again links that seller,
    it does not fail on "already exists" nor register a second one."""
    gateway: BrokenGateway = app.bot_data[SERVICES].gateway
    gateway.answers_lost.add("create_seller")
    user = server.user(2009, "Hema", language_code="en")
    seller = Seller(user, "en")
    review = await seller.register()
    await seller.press(review, "ob:ok")
    await seller.expect("error.gateway_unavailable")
    gateway.answers_lost.clear()
    await seller.confirm(review, Answers().display_name)
    linked = app.bot_data[SERVICES].store.seller_of(2009)
    assert linked is not None
    assert (await gateway.get_seller(linked.gateway_seller_id)).name == Answers().display_name
    with pytest.raises(NotFound):  # ids are handed out in order: no second seller was made
        await gateway.get_seller(linked.gateway_seller_id + 1)


async def test_a_bug_gets_an_apology_and_an_operator_report(
    server: TelegramTestServer, app: BotApplication
) -> None:
    operator = server.users[OPERATOR]
    user = server.user(2004, "Nisha", language_code="en")
    seller = Seller(user, "en")
    await seller.confirm(await seller.register(), Answers().display_name)

    gateway: BrokenGateway = app.bot_data[SERVICES].gateway
    # An error whose text carries the token, as PTB's InvalidToken does: it must not travel.
    gateway.failures["get_seller"] = RuntimeError(f"boom <script> {TOKEN}")
    await user.send_text("/start")
    menu = await seller.expect("menu.title")
    await seller.press(menu, "menu:profile")
    await seller.expect("error.internal")
    report = await operator.next_message()
    assert "RuntimeError: boom <script> <redacted>" in report.text
    assert TOKEN not in report.text


async def test_a_field_the_gateway_refuses_is_asked_again(
    server: TelegramTestServer, app: BotApplication
) -> None:
    gateway: BrokenGateway = app.bot_data[SERVICES].gateway
    gateway.failures["create_seller"] = InvalidRequest(
        [FieldError("bank_account.ifsc_code", "IFSC not found")]
    )
    user = server.user(2005, "Omar", language_code="en")
    seller = Seller(user, "en")
    review = await seller.register()
    await seller.press(review, "ob:ok")
    await seller.expect_noted(
        "error.gateway_refused_field", "onboarding.ask.ifsc", {"label": seller.texts("field.ifsc")}
    )
    del gateway.failures["create_seller"]
    review = await seller.type("HDFC0001234", "onboarding.review.title")
    await seller.confirm(review, Answers().display_name)


async def test_two_presses_at_once_register_once(
    server: TelegramTestServer, app: BotApplication
) -> None:
    user = server.user(2006, "Zoya", language_code="en")
    seller = Seller(user, "en")
    review = await seller.register()
    first, second = await asyncio.gather(
        user.press(review, "ob:ok"), user.press_data(review.message_id, "ob:ok")
    )
    answers = [await user.callback_answer(first), await user.callback_answer(second)]
    assert sum(a.text == seller.texts("error.stale_button") for a in answers) == 1
    await seller.expect("onboarding.registered", name=Answers().display_name)
    await seller.expect("menu.title")
    await user.send_text("/help")
    await seller.expect("help.text")  # nothing else was sent in between
    sellers = app.bot_data[SERVICES].store
    assert sellers.seller_of(2006) is not None


async def test_a_refused_token_ends_with_one_line_and_never_shows(
    server: TelegramTestServer, tmp_path: Path
) -> None:
    wrong = "654321:TEST-a-well-formed-token-telegram-refuses"
    bot = BotProcess(server, tmp_path / "data", SELLERBOT_TELEGRAM_TOKEN=wrong)
    result = await asyncio.create_subprocess_exec(
        str(SELLERBOT),
        "run",
        env=bot.env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(result.communicate(), 60)
    assert result.returncode == 2
    assert err.decode().strip().splitlines()[-1].startswith("sellerbot: Telegram refused")
    assert wrong.split(":")[1] not in (out + err).decode()
    server.errors.clear()  # the 401s were the point of this test


async def test_the_token_never_reaches_the_log(server: TelegramTestServer, tmp_path: Path) -> None:
    # Padded as a copy-paste into an env file leaves it, and logged at the chattiest level.
    bot = BotProcess(
        server,
        tmp_path / "data",
        SELLERBOT_TELEGRAM_TOKEN=f"  {TOKEN}\n",
        SELLERBOT_LOG_LEVEL="DEBUG",
    )
    await bot.start()
    user = server.user(2008, "Veda", language_code="en")
    seller = Seller(user, "en")
    await seller.pick_language(await seller.start_new())
    await seller.type("Veda Stores", "onboarding.ask.legal_name")
    assert await bot.stop() == 0
    log = bot.log()
    assert "getUpdates" in log and "DEBUG" in log  # the log really is verbose
    assert TOKEN.split(":")[1] not in log


async def test_a_press_whose_handler_failed_is_still_answered(
    server: TelegramTestServer, app: BotApplication
) -> None:
    store = app.bot_data[SERVICES].store
    user = server.user(2011, "Lina", language_code="en")
    seller = Seller(user, "en")
    picker = await seller.start_new()

    def broken(*args: object) -> None:
        raise OSError("disk full")

    store.set_language = broken  # fails before the press is answered
    query = await user.press(picker, "lang:set:en")
    assert (await user.callback_answer(query)).text is None  # answered, not left spinning
    await seller.expect("error.internal")
    del store.set_language  # the disk has room again: the same picker works
    await seller.pick_language(picker)
