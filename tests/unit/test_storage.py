"""Storage on a real database: migrations match the models, persistence and the store survive a
new process (a new engine on the same database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

from bot.jobs.heartbeat import is_fresh
from bot.storage.db import make_engine
from bot.storage.migrate import upgrade
from bot.storage.models import Seller
from bot.storage.persistence import SQLModelPersistence
from bot.storage.store import Store


def test_migrations_produce_exactly_the_models_schema(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_migrations_can_run_twice(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)


async def test_conversation_states_survive_a_restart(engine: Engine) -> None:
    persistence = SQLModelPersistence(engine)
    await persistence.update_conversation("onboarding", (42, 42), "gstin")
    await persistence.update_conversation("onboarding", (7, 7), "pan")
    await persistence.update_conversation("onboarding", (7, 7), None)
    await persistence.update_conversation("onboarding", (42, 42), "pan")
    await persistence.update_conversation("onboarding", (42, 42), "gstin")

    second_engine = make_engine(engine.url.render_as_string(hide_password=False))
    reopened = SQLModelPersistence(second_engine)
    assert await reopened.get_conversations("onboarding") == {(42, 42): "gstin"}
    assert await reopened.get_conversations("other") == {}
    second_engine.dispose()


def test_store_languages_drafts_and_sellers(engine: Engine) -> None:
    store = Store(engine)
    assert store.language_of(1) is None
    store.set_language(1, "hi")
    assert Store(engine).language_of(1) == "hi"  # a fresh store reads it from the database

    store.save_draft(1, "seller", {"answers": {"display_name": "Asha Stores"}})
    store.save_draft(1, "seller", {"answers": {"display_name": "Asha Stores", "pan": "X"}})
    assert Store(engine).draft(1, "seller") == {
        "answers": {"display_name": "Asha Stores", "pan": "X"}
    }
    store.delete_draft(1, "seller")
    assert store.draft(1, "seller") is None

    store.add_seller(
        Seller(
            id="s-1",
            telegram_id=1,
            gateway="local",
            gateway_seller_id=5,
            display_name="Asha",
            phone="+919812345678",
        )
    )
    seller = Store(engine).seller_of(1)
    assert seller is not None and seller.gateway_seller_id == 5
    assert store.seller_of(2) is None


def test_big_telegram_ids_fit(engine: Engine) -> None:
    store = Store(engine)
    store.set_language(7_000_000_000, "en")
    assert Store(engine).language_of(7_000_000_000) == "en"


def test_heartbeat_freshness(engine: Engine) -> None:
    store = Store(engine)
    assert not is_fresh(store, 30)
    store.beat()
    assert is_fresh(store, 30)
    assert not is_fresh(store, 30, now=datetime.now(UTC) + timedelta(seconds=91))


def test_cursor_skips_replays_but_not_a_restarted_stream(engine: Engine) -> None:
    store = Store(engine)
    day = timedelta(hours=24)
    assert store.advance_cursor("updates:1", 100, day)
    assert not store.advance_cursor("updates:1", 100, day)  # the same update again
    assert not store.advance_cursor("updates:1", 99, day)
    assert store.advance_cursor("updates:2", 50, day)  # another bot has its own cursor
    assert store.advance_cursor("updates:1", 101, day)
    # A week later Telegram may start from a random, lower id: it must be taken.
    assert store.advance_cursor("updates:1", 7, timedelta(0))
    assert not store.advance_cursor("updates:1", 7, day)


def test_a_cursor_can_claim_a_batch(engine: Engine) -> None:
    store = Store(engine)
    day = timedelta(hours=24)
    assert store.advance_cursor("updates:3", 10, day, upto=14)  # 10 and the four queued behind
    for replayed in (10, 12, 14):
        assert not store.advance_cursor("updates:3", replayed, day)
    assert store.advance_cursor("updates:3", 15, day)


def test_draft_is_compares_with_what_is_stored(engine: Engine) -> None:
    store = Store(engine)
    assert not store.draft_is(5, "seller", {"answers": {}})
    store.save_draft(5, "seller", {"answers": {"pan": "X"}})
    assert Store(engine).draft_is(5, "seller", {"answers": {"pan": "X"}})
    assert not store.draft_is(5, "seller", {"answers": {"pan": "Y"}})


def test_drafts_untouched_since(engine: Engine) -> None:
    store = Store(engine)
    store.save_draft(6, "seller", {"asking": "pan"})
    later = datetime.now(UTC) + timedelta(seconds=1)
    assert store.drafts_untouched_since(later) == [(6, "seller", {"asking": "pan"})]
    assert store.drafts_untouched_since(later - timedelta(minutes=5)) == []
