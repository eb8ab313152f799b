"""bot/outbox.py on Setu: catalogue writes made while Setu refuses connections (or does not
answer in time) wait in the outbox and are delivered afterwards, in order, nothing lost and
nothing doubled; a refusal is raised at once, or (for a write that waited) reported and dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, update

from bot.cards import fitted
from bot.gateways.base import CatalogueItem, InvalidRequest, NotFound
from bot.gateways.setu.gateway import SetuGateway
from bot.i18n import I18n
from bot.jobs.outbox import settled_text
from bot.outbox import Delivered, Kind, Outbox, PendingWrite
from bot.storage.store import Store
from bot.ui import MAX_MESSAGE_CHARS
from tests.contract import samples
from tests.fakes.setu_server import FakeSetu
from tests.fakes.test_setu_http import Clock, make_http

CHAT = 7401
WRITES = ("PUT", "PATCH", "DELETE")


@dataclass
class Shop:
    fake: FakeSetu
    outbox: Outbox
    storefront: int

    def item(self, item_id: str) -> int | None:
        """The stock Setu holds for the item, or None if Setu does not have it."""
        found = self.fake.catalogues[self.storefront].get(item_id.lower())
        return None if found is None else found.quantity

    def writes_sent(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.fake.requests if r.method in WRITES]


@pytest.fixture
async def shop(engine: Engine) -> AsyncIterator[Shop]:
    fake = FakeSetu()
    gateway = SetuGateway(make_http(fake, Store(engine), Clock()), engine)
    seller = await gateway.create_seller(samples.seller_input())
    storefront = await gateway.create_storefront(samples.storefront_input(seller))
    yield Shop(fake, Outbox(engine, gateway, try_seconds=0.3), storefront)
    await gateway.aclose()


def item(name: str, stock: int = 20) -> CatalogueItem:
    return samples.catalogue_item(
        catalogue_item_details={
            **samples.catalogue_item().catalogue_item_details.model_dump(mode="json"),
            "name": name,
        },
        inventory={"unit_denomination": "GM", "unit_value": 500, "quantity": stock},
    )


async def test_writes_while_setu_refuses_connections_are_delivered_in_order_once(
    shop: Shop,
) -> None:
    outbox, sid = shop.outbox, shop.storefront
    atta, dal, rice = item("Atta"), item("Dal", 3), item("Rice")
    for kept in (atta, rice):
        assert await outbox.upsert_item(sid, kept, chat_id=CHAT, label="x") is True
    shop.fake.down = True  # every connection refused from here
    sent_before = len(shop.writes_sent())
    made = [
        await outbox.set_stock(sid, atta.catalogue_item_id, 5, chat_id=CHAT, label="Atta"),
        await outbox.upsert_item(sid, dal, chat_id=CHAT, label="Dal"),
        await outbox.set_stock(sid, atta.catalogue_item_id, 7, chat_id=CHAT, label="Atta"),
        await outbox.set_stock(sid, dal.catalogue_item_id, 4, chat_id=CHAT, label="Dal"),
        await outbox.delete_item(sid, rice.catalogue_item_id, chat_id=CHAT, label="Rice"),
    ]
    assert made == [False] * 5  # all saved for later
    assert await outbox.deliver() == []  # still down: nothing settled, nothing lost
    waiting = outbox.waiting(sid)
    assert [w.kind for w in waiting] == ["stock", "item", "stock", "stock", "delete"]
    assert waiting[0].attempts == 1 and "ConnectError" in (waiting[0].last_error or "")
    assert shop.item(atta.catalogue_item_id) == 20 and shop.item(dal.catalogue_item_id) is None

    shop.fake.down = False
    tried_while_down = len(shop.writes_sent())
    settled = await outbox.deliver()
    assert [d.refused for d in settled] == [None] * 5
    assert [d.write.kind for d in settled] == ["stock", "item", "stock", "stock", "delete"]
    base = f"/api/storefronts/{sid}/catalogue"
    assert shop.writes_sent()[tried_while_down:] == [
        ("PATCH", f"{base}/{atta.catalogue_item_id}/inventory"),
        ("PUT", base),
        ("PATCH", f"{base}/{atta.catalogue_item_id}/inventory"),
        ("PATCH", f"{base}/{dal.catalogue_item_id}/inventory"),
        ("DELETE", base),
    ]  # each write once, in the order the seller made them
    assert tried_while_down > sent_before  # the writes were tried (and refused) while down
    assert shop.item(atta.catalogue_item_id) == 7
    assert shop.item(dal.catalogue_item_id) == 4
    assert shop.item(rice.catalogue_item_id) is None
    assert outbox.waiting() == []
    assert await outbox.deliver() == [] and len(shop.writes_sent()) == tried_while_down + 5


async def test_a_write_waits_behind_earlier_ones_even_once_setu_answers(shop: Shop) -> None:
    outbox, sid = shop.outbox, shop.storefront
    atta = item("Atta")
    await outbox.upsert_item(sid, atta, chat_id=CHAT, label="Atta")
    shop.fake.down = True
    assert await outbox.set_stock(sid, atta.catalogue_item_id, 5, chat_id=CHAT, label="A") is False
    shop.fake.down = False
    sent = len(shop.writes_sent())
    # Setu answers again, but an older count waits: this one must not overtake it.
    assert await outbox.set_stock(sid, atta.catalogue_item_id, 6, chat_id=CHAT, label="A") is False
    assert len(shop.writes_sent()) == sent  # not even tried
    await outbox.deliver()
    assert shop.item(atta.catalogue_item_id) == 6
    # Nothing waits any more: the next write goes at once.
    assert await outbox.set_stock(sid, atta.catalogue_item_id, 9, chat_id=CHAT, label="A") is True
    assert shop.item(atta.catalogue_item_id) == 9


async def test_a_write_setu_does_not_answer_in_time_is_kept(shop: Shop) -> None:
    outbox, sid = shop.outbox, shop.storefront
    atta = item("Atta")
    await outbox.upsert_item(sid, atta, chat_id=CHAT, label="Atta")
    shop.fake.delay_next(2.0, f"/api/storefronts/{sid}/catalogue/")  # longer than try_seconds
    assert await outbox.set_stock(sid, atta.catalogue_item_id, 5, chat_id=CHAT, label="A") is False
    [waiting] = outbox.waiting(sid)
    assert waiting.last_error == "no answer in time"
    [done] = await outbox.deliver()
    assert done.refused is None and shop.item(atta.catalogue_item_id) == 5


async def test_a_refusal_is_raised_at_once_and_nothing_is_kept(shop: Shop) -> None:
    outbox, sid = shop.outbox, shop.storefront
    bad = samples.catalogue_item(sub_categories=["Fashion"])  # not the storefront's category
    with pytest.raises(InvalidRequest):
        await outbox.upsert_item(sid, bad, chat_id=CHAT, label="Kurta")
    with pytest.raises(NotFound):
        await outbox.set_stock(sid, str(uuid.uuid4()), 3, chat_id=CHAT, label="?")
    assert outbox.waiting() == []


async def test_a_waiting_write_refused_on_delivery_is_reported_and_dropped(shop: Shop) -> None:
    outbox, sid = shop.outbox, shop.storefront
    atta = item("Atta")
    shop.fake.down = True
    await outbox.set_stock(sid, str(uuid.uuid4()), 3, chat_id=CHAT, label="Ghost")
    await outbox.upsert_item(sid, atta, chat_id=CHAT, label="Atta")
    shop.fake.down = False
    ghost, published = await outbox.deliver()
    assert isinstance(ghost.refused, NotFound) and ghost.write.label == "Ghost"
    assert published.refused is None and shop.item(atta.catalogue_item_id) == 20
    assert outbox.waiting() == []  # the refused write does not block the ones behind it


async def test_one_storefront_failing_does_not_hold_up_another(shop: Shop, engine: Engine) -> None:
    outbox, sid = shop.outbox, shop.storefront
    seller = next(iter(shop.fake.sellers))
    gateway = SetuGateway(make_http(shop.fake, Store(engine), Clock()), engine)
    other = await gateway.create_storefront(samples.storefront_input(seller))
    atta, dal = item("Atta"), item("Dal")
    shop.fake.down = True
    await outbox.upsert_item(sid, atta, chat_id=CHAT, label="Atta")
    await outbox.upsert_item(other, dal, chat_id=CHAT, label="Dal")
    shop.fake.down = False
    shop.fake.fail_next(f"/api/storefronts/{sid}/", status=503, count=50)
    [done] = await outbox.deliver()
    assert done.write.storefront_id == other
    assert [w.storefront_id for w in outbox.waiting()] == [sid]
    await gateway.aclose()


async def test_a_write_delivered_twice_changes_nothing_the_second_time(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash between Setu's answer and the row's removal delivers the write again."""
    outbox, sid = shop.outbox, shop.storefront
    atta, rice = item("Atta"), item("Rice")
    await outbox.upsert_item(sid, rice, chat_id=CHAT, label="Rice")
    shop.fake.down = True
    await outbox.upsert_item(sid, atta, chat_id=CHAT, label="Atta")
    await outbox.set_stock(sid, atta.catalogue_item_id, 4, chat_id=CHAT, label="Atta")
    await outbox.delete_item(sid, rice.catalogue_item_id, chat_id=CHAT, label="Rice")
    shop.fake.down = False
    with monkeypatch.context() as crash:
        crash.setattr(Outbox, "_remove", lambda self, write: None)
        assert len(await outbox.deliver()) == 3
    assert len(await outbox.deliver()) == 3  # after the restart, all three again
    assert shop.item(atta.catalogue_item_id) == 4 and shop.item(rice.catalogue_item_id) is None
    assert len(shop.fake.catalogues[sid]) == 1
    assert outbox.waiting() == []


def _write(kind: Kind, name: str, item_id: str, **body: int) -> PendingWrite:
    return PendingWrite(
        storefront_id=1, kind=kind, catalogue_item_id=item_id, body=body, chat_id=CHAT, label=name
    )


def test_the_seller_hears_what_became_of_each_item_once() -> None:
    texts = I18n("en").texts("en")
    settled = [
        Delivered(_write(Kind.ITEM, "Atta <500 g>", "a")),
        Delivered(_write(Kind.STOCK, "Atta <500 g>", "A", quantity=1500)),
        Delivered(_write(Kind.DELETE, "Rice", "r")),
        Delivered(_write(Kind.ITEM, "Dal & co", "d"), refused=NotFound("gone")),
        Delivered(_write(Kind.ITEM, "Ghee", "g"), refused=NotFound("gone")),
        Delivered(_write(Kind.ITEM, "Ghee", "g")),  # refused, then taken: taken
    ]
    assert settled_text(settled, texts) == "\n".join(
        [
            texts("outbox.refused"),
            "• <b>Dal &amp; co</b>",
            "",
            texts("outbox.published"),
            "• <b>Atta &lt;500 g&gt;</b>: stock 1,500",
            "• <b>Rice</b>: deleted",
            "• <b>Ghee</b>",
        ]
    )


def test_a_long_list_of_settled_writes_fits_one_message() -> None:
    texts = I18n("en").texts("en")
    settled = [Delivered(_write(Kind.ITEM, "N" * 300, str(n))) for n in range(500)]
    text = settled_text(settled, texts)
    assert len(text) <= MAX_MESSAGE_CHARS and text.endswith("…")
    assert fitted(["a"], ["b"], ["c"]) == "a\nb\nc"


async def test_a_deleted_storefront_s_waiting_writes_are_dropped(shop: Shop) -> None:
    outbox, sid = shop.outbox, shop.storefront
    shop.fake.down = True
    await outbox.upsert_item(sid, item("Atta"), chat_id=CHAT, label="Atta")
    outbox.forget_storefront(sid + 1)  # another storefront's: nothing of this one goes
    assert len(outbox.waiting(sid)) == 1
    outbox.forget_storefront(sid)
    assert outbox.waiting() == []


async def test_a_waiting_count_is_sent_as_the_bot_counts_it_at_delivery(
    shop: Shop, engine: Engine
) -> None:
    """The seller sets 10 while Setu is down; an order then takes 2 (the bot counts 8): Setu
    must get 8, not the 10 that waited (nor an item edit's old count)."""
    counted: dict[str, int] = {}
    outbox = Outbox(engine, shop.outbox._gateway, stock_of=counted.get, try_seconds=0.3)
    sid, atta, dal = shop.storefront, item("Atta"), item("Dal")
    await outbox.upsert_item(sid, atta, chat_id=CHAT, label="Atta")
    shop.fake.down = True
    await outbox.set_stock(sid, atta.catalogue_item_id, 10, chat_id=CHAT, label="Atta")
    await outbox.upsert_item(sid, dal, chat_id=CHAT, label="Dal")  # 20 in its body
    counted[atta.catalogue_item_id], counted[dal.catalogue_item_id] = 8, 17
    shop.fake.down = False
    await outbox.deliver()
    assert shop.item(atta.catalogue_item_id) == 8 and shop.item(dal.catalogue_item_id) == 17


async def test_failing_storefronts_do_not_starve_the_others(shop: Shop, engine: Engine) -> None:
    outbox = shop.outbox
    seller = next(iter(shop.fake.sellers))
    gateway = SetuGateway(make_http(shop.fake, Store(engine), Clock()), engine)
    others = [await gateway.create_storefront(samples.storefront_input(seller)) for _ in range(3)]
    failing = [shop.storefront, *others[:2]]
    healthy = others[2]
    shop.fake.down = True
    for storefront in [*failing, healthy]:
        await outbox.upsert_item(storefront, item("Atta"), chat_id=CHAT, label="Atta")
    shop.fake.down = False
    for storefront in failing:
        shop.fake.fail_next(f"/api/storefronts/{storefront}/", status=503, count=1000)
    assert await outbox.deliver() == []  # three failures in a row: the round ends
    [done] = await outbox.deliver()  # the untried storefront goes first in the next round
    assert done.write.storefront_id == healthy
    await gateway.aclose()


async def test_a_write_that_cannot_be_sent_or_waited_a_day_is_dropped_and_told(
    shop: Shop, engine: Engine
) -> None:
    outbox, sid = shop.outbox, shop.storefront
    atta = item("Atta")
    await outbox.upsert_item(sid, atta, chat_id=CHAT, label="Atta")
    shop.fake.down = True
    await outbox.upsert_item(sid, item("Broken"), chat_id=CHAT, label="Broken")
    await outbox.set_stock(sid, atta.catalogue_item_id, 3, chat_id=CHAT, label="Old")
    await outbox.set_stock(sid, atta.catalogue_item_id, 4, chat_id=CHAT, label="Atta")
    broken, old, _ = outbox.waiting(sid)
    with engine.begin() as connection:
        connection.execute(
            update(PendingWrite).where(PendingWrite.id == broken.id).values(body={"x": 1})
        )
        connection.execute(
            update(PendingWrite)
            .where(PendingWrite.id == old.id)
            .values(created_at=datetime.now(UTC) - timedelta(hours=25))
        )
    shop.fake.down = False
    settled = await outbox.deliver()
    assert [(d.write.label, d.refused is None) for d in settled] == [
        ("Broken", False),
        ("Old", False),
        ("Atta", True),
    ]
    assert shop.item(atta.catalogue_item_id) == 4 and outbox.waiting() == []


async def test_after_a_failure_writes_are_kept_at_once_for_a_while(
    shop: Shop, engine: Engine
) -> None:
    moment = [0.0]
    outbox = Outbox(engine, shop.outbox._gateway, try_seconds=0.3, clock=lambda: moment[0])
    seller = next(iter(shop.fake.sellers))
    gateway = SetuGateway(make_http(shop.fake, Store(engine), Clock()), engine)
    second, third = [
        await gateway.create_storefront(samples.storefront_input(seller)) for _ in range(2)
    ]
    shop.fake.down = True
    assert not await outbox.upsert_item(shop.storefront, item("A"), chat_id=CHAT, label="A")
    shop.fake.down = False
    sent = len(shop.fake.requests)
    assert not await outbox.upsert_item(second, item("B"), chat_id=CHAT, label="B")
    assert len(shop.fake.requests) == sent  # not tried: the marketplace failed moments ago
    moment[0] += 31
    assert await outbox.upsert_item(third, item("C"), chat_id=CHAT, label="C")
    await gateway.aclose()
