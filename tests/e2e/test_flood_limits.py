"""The bot's flood limiter (bot/ratelimit.py) against the strict test server: a 429 is waited
out and retried, never dropped, and the sends that queued during the pause go on at the
steady pace, not in a burst that earns the next 429."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.ratelimit import FloodLimiter
from tests.e2e.bot_process import TOKEN
from tests.e2e.telegram_server import TelegramTestServer


def limited_bot(server: TelegramTestServer, limiter: FloodLimiter) -> ExtBot:
    return ExtBot(
        TOKEN,
        base_url=f"{server.url}/bot",
        base_file_url=f"{server.url}/file/bot",
        rate_limiter=limiter,
    )


async def test_a_429_is_waited_out_and_retried() -> None:
    server = TelegramTestServer(token=TOKEN)
    await server.start()
    try:
        user = server.user(3001, "Ravi")
        await user.send_text("/start")
        server.fail_next("sendMessage", 429, retry_after=1)
        async with limited_bot(server, FloodLimiter(max_retries=2)) as bot:
            loop = asyncio.get_running_loop()
            began = loop.time()
            await bot.send_message(3001, "hello")
            waited = loop.time() - began
        assert (await user.next_message()).text == "hello"
        assert server.stats["sendMessage"] == 2 and waited >= 1
        server.assert_no_errors()
    finally:
        await server.stop()


async def test_sends_queued_behind_a_429_keep_the_pace() -> None:
    # Telegram's buckets: 30 at once then 30 a second in all, one a second per chat.
    server = TelegramTestServer(token=TOKEN, rate_limit=True, chat_burst=1)
    await server.start()
    try:
        users = [server.user(4000 + n, f"Seller {n}") for n in range(70)]
        for user in users:
            user.known = True
        sent: list[float] = []  # when the server took each message
        refused: list[float] = []  # when it answered the injected 429
        send, pop_failure = server._send_message, server._pop_failure

        def timed_send(p):  # type: ignore[no-untyped-def]
            sent.append(time.monotonic())
            return send(p)

        def timed_failure(method):  # type: ignore[no-untyped-def]
            failure = pop_failure(method)
            if failure is not None:
                refused.append(time.monotonic())
            return failure

        server._methods["sendmessage"] = ("sendMessage", timed_send)
        server._pop_failure = timed_failure  # type: ignore[method-assign]
        server.fail_next("sendMessage", 429, retry_after=1)
        async with limited_bot(server, FloodLimiter(max_retries=2)) as bot:
            await asyncio.gather(*(bot.send_message(u.id, f"alert {u.id}") for u in users))
        # Nothing went out during the pause, not even the sends already queued for a turn
        # (those already on the wire when the 429 came back arrive within milliseconds).
        [paused_at] = refused
        assert [t for t in sent if paused_at + 0.05 < t < paused_at + 1] == []
        for user in users:
            assert (await user.next_message()).text == f"alert {user.id}"
        # Only the injected 429: none of the server's own flood limit.
        assert server.stats["sendMessage"] == len(users) + 1
        server.assert_no_errors()
    finally:
        await server.stop()


async def test_without_retries_the_429_reaches_the_caller() -> None:
    server = TelegramTestServer(token=TOKEN)
    await server.start()
    try:
        user = server.user(3002, "Ravi")
        await user.send_text("/start")
        server.fail_next("sendMessage", 429, retry_after=1)
        async with limited_bot(server, FloodLimiter(max_retries=0)) as bot:
            with pytest.raises(RetryAfter):
                await bot.send_message(3002, "hello")
    finally:
        await server.stop()
