"""Each Telegram update is taken at most once, even across a crash (see ReplayGuard)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext

log = logging.getLogger(__name__)

CURSOR = "telegram_updates"
REPLAY_WINDOW = timedelta(hours=24)  # how long Telegram keeps an update nobody confirmed


class UpdateQueue(asyncio.Queue[Any]):
    """PTB's update queue, remembering the highest update id it was given.

    The queue also carries PTB's own stop signal, so its size says nothing about which ids
    arrived; this does.
    """

    def __init__(self) -> None:
        super().__init__()
        self.highest_update_id = 0

    def put_nowait(self, item: Any) -> None:  # asyncio.Queue.put() ends here too
        if isinstance(item, Update):
            self.highest_update_id = max(self.highest_update_id, item.update_id)
        super().put_nowait(item)


class ReplayGuard:
    """Skips an update Telegram delivers again after a crash.

    Telegram forgets an update only when the next getUpdates confirms it; a bot killed between
    replying and confirming gets the same update again after a restart, and would answer the
    next question with it. Claiming update ids in the database before handling them makes such
    a replay a no-op: at worst the seller's last answer is lost and asked again, never applied
    twice.

    One write claims the update and every one already received behind it (a batch), so under
    load it is one write per batch, not per update. A SIGKILL after the claim but before the
    getUpdates that confirms the batch loses the rest of that batch (each seller's last message
    at most) rather than risking doing it twice.

    Telegram keeps an unconfirmed update for at most 24 hours, so only a claim that recent
    blocks anything: after a week without updates Telegram may start ids again from a random
    number. The cursor is per bot, in case the token changes.
    """

    def __init__(self) -> None:
        self.claimed = range(0)  # the ids this process has claimed last, in one write

    async def __call__(self, update: Update, context: BotContext) -> None:
        if update.update_id in self.claimed:
            return
        queue = context.application.update_queue
        received = queue.highest_update_id if isinstance(queue, UpdateQueue) else 0
        upto = max(update.update_id, received)
        cursor = f"{CURSOR}:{context.bot.id}"
        if not context.store.advance_cursor(cursor, update.update_id, REPLAY_WINDOW, upto):
            log.info("skipping update %s: already taken before a restart", update.update_id)
            raise ApplicationHandlerStop
        self.claimed = range(update.update_id, upto + 1)
