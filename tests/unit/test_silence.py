"""The silence job: who is told their registration is paused, once, and who is not."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine
from telegram.error import NetworkError

from bot.i18n import I18n
from bot.jobs.silence import pause_silent_drafts
from bot.storage.store import Store


class Bot:
    def __init__(self, failing: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        self.sent: list[int] = []
        self.failing = failing

    async def send_message(self, chat_id: int, text: str, **_: Any) -> None:
        if chat_id in self.failing:
            raise NetworkError("Telegram unreachable")
        self.sent.append(chat_id)


def job_context(store: Store, bot: Bot) -> SimpleNamespace:
    settings = SimpleNamespace(conversation_timeout_minutes=0)  # every draft is silent
    return SimpleNamespace(store=store, bot=bot, settings=settings, i18n=I18n())


async def test_told_once_and_only_when_a_question_waits(engine: Engine) -> None:
    store = Store(engine)
    store.save_draft(1, "seller", {"asking": "gstin", "answers": {"display_name": "A"}})
    store.save_draft(2, "seller", {"asking": None, "answers": {}})  # cancelled
    store.save_draft(3, "seller", {"asking": "language", "answers": {}})  # never chose
    store.save_draft(4, "browse", {"asking": "price"})  # a kind without a message
    bot = Bot()
    await pause_silent_drafts(job_context(store, bot))  # type: ignore[arg-type]
    await pause_silent_drafts(job_context(store, bot))  # type: ignore[arg-type]
    assert bot.sent == [1]
    assert Store(engine).draft(1, "seller") == {
        "asking": "gstin",
        "answers": {"display_name": "A"},
        "paused": True,
    }


async def test_an_answer_arriving_meanwhile_is_not_overwritten(engine: Engine) -> None:
    store = Store(engine)
    store.save_draft(1, "seller", {"asking": "gstin", "answers": {}})
    # The seller answers after the job listed the drafts, before it got to this one.
    store.save_draft(1, "seller", {"asking": "pan", "answers": {"gstin": "27AAPFU0939F1ZV"}})
    store.drafts_untouched_since = lambda moment: [
        (1, "seller", {"asking": "gstin", "answers": {}})
    ]  # type: ignore[method-assign]
    bot = Bot()
    await pause_silent_drafts(job_context(store, bot))  # type: ignore[arg-type]
    assert bot.sent == []
    assert store.draft(1, "seller") == {"asking": "pan", "answers": {"gstin": "27AAPFU0939F1ZV"}}


async def test_a_failed_message_does_not_stop_the_others_or_repeat(engine: Engine) -> None:
    store = Store(engine)
    for telegram_id in (1, 2):
        store.save_draft(telegram_id, "seller", {"asking": "pan", "answers": {}})
    bot = Bot(failing={1})
    await pause_silent_drafts(job_context(store, bot))  # type: ignore[arg-type]
    await pause_silent_drafts(job_context(store, bot))  # type: ignore[arg-type]
    assert bot.sent == [2]
