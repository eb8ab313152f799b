"""The replay guard: an update is taken at most once across restarts, and only received ids
are claimed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import Engine
from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.replay import ReplayGuard, UpdateQueue
from bot.storage.store import Store


def context(store: Store, queue: UpdateQueue) -> SimpleNamespace:
    return SimpleNamespace(
        store=store, bot=SimpleNamespace(id=42), application=SimpleNamespace(update_queue=queue)
    )


async def test_a_replayed_update_is_skipped_after_a_restart(engine: Engine) -> None:
    store = Store(engine)
    queue = UpdateQueue()
    for update_id in (100, 101):
        queue.put_nowait(Update(update_id))
    queue.put_nowait(object())  # PTB's stop signal rides the same queue at SIGTERM
    await ReplayGuard()(Update(100), context(store, queue))  # claims 100 and 101 in one write

    restarted = ReplayGuard()  # a new process: nothing in memory
    fresh = context(Store(engine), UpdateQueue())
    for replayed in (100, 101):
        with pytest.raises(ApplicationHandlerStop):
            await restarted(Update(replayed), fresh)
    await restarted(Update(102), fresh)  # the stop signal claimed nothing: 102 is new


async def test_a_batch_costs_one_write(engine: Engine) -> None:
    store = Store(engine)
    queue = UpdateQueue()
    for update_id in range(10, 15):
        queue.put_nowait(Update(update_id))
    guard = ReplayGuard()
    await guard(Update(10), context(store, queue))
    writes = []
    store.advance_cursor = lambda *args: writes.append(args) or True  # type: ignore[method-assign]
    for update_id in range(11, 15):
        await guard(Update(update_id), context(store, queue))
    assert writes == []
    await guard(Update(15), context(store, queue))
    assert len(writes) == 1
