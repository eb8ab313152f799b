"""Telegram's flood limits for every request the bot makes: about 30 messages a second in all,
20 a minute in a group, and a 429 waited out for its retry_after, then retried.

PTB's AIORateLimiter does the same with one difference that matters under load: a request takes
its place in the bucket before it waits out a 429, so when the pause ends every request that
queued during it goes at once, a burst Telegram answers with the next 429 (bench/alerts.py saw
one 429 a second that way). Here a request waits out the pause first and then takes its place,
a place taken while a new pause began is given up and taken again after it, and places come
evenly spaced (a bucket of three), so nothing is sent during a pause and the pace after it is
the pace before.
One message a second per private chat is kept by the senders that send many (jobs/orders.py):
a seller's own replies should not wait.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

# Just under Telegram's 30: the two clocks never agree exactly, and a 429 stops every send
# (bench/alerts.py: 29/s held, 3 429s in 3,000 messages; 29.5/s gave 6).
MESSAGES_PER_SECOND = 29
# A bucket of a few places, not one: a waiter woken a little late (the loop is busy) finds the
# places it missed, so the pace holds; a burst after a pause is a few messages, not hundreds.
BURST = 3
GROUP_MESSAGES_PER_MINUTE = 20
PAUSE_MARGIN_SECONDS = 0.1


class FloodLimiter(BaseRateLimiter[int]):
    """Evenly spaced requests to chats, a shared pause after a 429, `max_retries` retries."""

    def __init__(self, per_second: float = MESSAGES_PER_SECOND, max_retries: int = 5) -> None:
        self._per_second = per_second
        self._max_retries = max_retries
        self._overall: AsyncLimiter | None = None
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._resume_at = 0.0  # loop time before which no request to a chat is sent

    async def initialize(self) -> None:
        # Made here, on the loop that runs the bot.
        self._overall = AsyncLimiter(BURST, BURST / self._per_second)

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            if chat_id is not None:
                await self._take_turn(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as flood:
                if attempt == retries:
                    log.error("%s still refused after %d retries: %s", endpoint, retries, flood)
                    raise
                wait = _seconds(flood) + PAUSE_MARGIN_SECONDS
                loop = asyncio.get_running_loop()
                self._resume_at = max(self._resume_at, loop.time() + wait)
                log.info("%s: flood limit, every send waits %.1f s", endpoint, wait)
                if chat_id is None:
                    await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _take_turn(self, chat_id: int | str) -> None:
        loop = asyncio.get_running_loop()
        if _is_group(chat_id):
            group = self._groups.setdefault(chat_id, AsyncLimiter(GROUP_MESSAGES_PER_MINUTE, 60))
            await group.acquire()
        assert self._overall is not None, "initialize() first"
        while True:
            while (pause := self._resume_at - loop.time()) > 0:
                await asyncio.sleep(pause)
            await self._overall.acquire()
            if loop.time() >= self._resume_at:
                return
            # A 429 arrived while this request queued: its turn is void, it queues again after
            # the pause (going now would earn another 429; going when the pause ends, with all
            # the others, would be the burst this class exists to avoid).


def _is_group(chat_id: int | str) -> bool:
    try:
        return int(chat_id) < 0
    except (TypeError, ValueError):
        return True  # "@channelusername"


def _seconds(flood: RetryAfter) -> float:
    # An int in PTB 22 (with a warning that it becomes a timedelta), a timedelta in PTB 23.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        retry_after = flood.retry_after
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after
