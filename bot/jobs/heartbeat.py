"""Liveness: a repeating job records that the bot is alive; `sellerbot health` reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram.ext import Application

from bot.context import BotContext
from bot.storage.store import Store

JOB_NAME = "heartbeat"
STALE_AFTER_BEATS = 3  # a bot that missed three beats in a row is not healthy


async def beat(context: BotContext) -> None:
    context.store.beat()


def start_heartbeat(application: Application, store: Store, every_seconds: float) -> None:
    """Beats now, so a health check right after start passes, then every `every_seconds`."""
    assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
    store.beat()
    application.job_queue.run_repeating(beat, interval=every_seconds, name=JOB_NAME)


def is_fresh(store: Store, every_seconds: float, now: datetime | None = None) -> bool:
    last = store.last_beat()
    if last is None:
        return False
    if last.tzinfo is None:  # SQLite returns naive datetimes; we always store UTC
        last = last.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return now - last <= timedelta(seconds=every_seconds * STALE_AFTER_BEATS)
