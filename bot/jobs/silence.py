"""Silence: a seller who stops answering mid-flow is told, once, that their answers are kept.

One repeating job looks at the drafts, instead of a timer per conversation: it costs nothing per
update and, reading the database, it still works after a restart. The conversation itself stays
where it is, so the seller's next answer simply goes on (and /start says where they were).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import ReplyKeyboardRemove, Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import BotContext
from bot.storage.models import utcnow

log = logging.getLogger(__name__)

JOB_NAME = "silence"
# What each kind of draft is told after a silence; a draft kind without a message is not watched.
PAUSED_MESSAGES = {
    "seller": "onboarding.timed_out",
    "storefront": "storefront.timed_out",
    "product": "product.timed_out",
    # An edit of a storefront changes nothing until it is saved: it just waits for its answer.
}


async def note_activity(update: Update, context: BotContext) -> None:
    """Remembers when each user last wrote (in memory; drafts' save times cover a restart)."""
    if update.effective_user:
        context.store.seen(update.effective_user.id, utcnow())


async def pause_silent_drafts(context: BotContext) -> None:
    store = context.store
    silence = timedelta(minutes=context.settings.conversation_timeout_minutes)
    now = utcnow()
    for telegram_id, kind, data in store.drafts_untouched_since(now - silence):
        key = PAUSED_MESSAGES.get(kind)
        # Someone who never picked a language has told us nothing worth keeping.
        if key is None or data.get("asking") in (None, "language") or data.get("paused"):
            continue
        seen = store.last_seen(telegram_id)
        if seen is not None and now - seen < silence:
            continue  # answering, just not changing the draft (e.g. a refused answer)
        # Mark it first, from the draft as it is now (an answer may have come in since the
        # query) and with no await in between: told at most once, and no answer overwritten.
        current = store.draft(telegram_id, kind)
        if current != data:
            continue
        store.save_draft(telegram_id, kind, {**current, "paused": True})
        texts = context.i18n.texts(store.language_of(telegram_id))
        try:
            await context.bot.send_message(
                telegram_id, texts(key), reply_markup=ReplyKeyboardRemove()
            )
        except TelegramError as failure:  # blocked, or Telegram unreachable: try the others
            log.warning(
                "could not tell user %s the %s draft is paused: %s", telegram_id, kind, failure
            )


def watch_silence(application: Application, silence_minutes: float) -> None:
    """Checks four times per silence period, at most once a minute: a seller hears within a
    quarter of the period after it ends."""
    assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
    every = min(60.0, silence_minutes * 60 / 4)
    application.job_queue.run_repeating(pause_silent_drafts, interval=every, name=JOB_NAME)
