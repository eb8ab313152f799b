"""Catalogue and stock writes that wait for the marketplace when it does not answer.

A seller's item, stock count or deletion goes to the gateway at once when it can. When the
gateway is unreachable (`Unavailable`, or no answer within `TRY_SECONDS`) the write is kept in
the `outbox` table instead, and the seller is told it is saved and will be published;
jobs/outbox.py delivers what waits, oldest first, and tells the seller once it is published.

- Order holds per storefront: while a storefront has writes waiting, its new ones wait behind
  them, so an older stock count is never delivered after a newer one. A seller's writes to one
  storefront are made one at a time (a lock per storefront), so none overtakes another in flight.
- Stock is sent as the bot counts it at delivery: orders accepted while a count waited have
  taken their packs out of it (Store.move_alert), and the count delivered keeps them out.
- Nothing doubles: every write is idempotent (an item upserted by its id, an absolute stock
  count, a deletion that ignores items already gone), so a write delivered twice (a crash
  between the gateway's answer and the row's removal) changes nothing the second time.
- Nothing blocks for ever: a waiting write the gateway refuses when it is finally delivered (a
  rule broken, the item or storefront gone), one this code cannot send, or one still waiting
  after a day, is dropped and the seller told which item was not taken. Storefronts whose
  writes were tried least go first in each round, so one failing storefront starves no other.
- After a failure, sellers' writes are kept at once for `QUIET_SECONDS` (a press does not wait
  for the retries to fail again); the first write delivered ends the quiet.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Engine, delete, update
from sqlmodel import Field, SQLModel, select

from bot.gateways.base import (
    CatalogueItem,
    FieldError,
    GatewayError,
    InvalidRequest,
    SellerGateway,
    Unavailable,
)
from bot.storage.db import session_scope
from bot.storage.models import utcnow

log = logging.getLogger(__name__)

# How long a seller waits for the marketplace before the write is kept for later: a button
# press is answered after it, within the time Telegram gives a press to be answered.
TRY_SECONDS = 10.0
# How long the job lets one waiting write take: the HTTP client's own bound (retries included)
# and some, so a marketplace that answers slowly still drains the outbox.
DELIVER_SECONDS = 60.0
# After the marketplace failed, sellers' writes are kept at once for this long (instead of each
# press waiting for the retries to fail again); a write the job delivers ends it early.
QUIET_SECONDS = 30.0
GIVE_UP_AFTER = timedelta(hours=24)  # a write still waiting then is dropped, and the seller told
PER_STOREFRONT = 100  # waiting writes of one storefront tried per round
GIVE_UP_ROUND_AFTER = 3  # storefronts in a row the marketplace failed: it is down, stop


class Kind(StrEnum):
    ITEM = "item"  # upsert one catalogue item; body: the CatalogueItem
    STOCK = "stock"  # set an item's stock; body: {"quantity": n}
    DELETE = "delete"  # delete an item; body: {}


class PendingWrite(SQLModel, table=True):
    """A write the marketplace has not taken yet, with whom to tell once it has."""

    __tablename__ = "outbox"
    __table_args__ = {"sqlite_autoincrement": True}  # ids keep growing: they are the order

    id: int | None = Field(default=None, primary_key=True)
    storefront_id: int = Field(sa_type=BigInteger, index=True)  # the gateway's storefront id
    kind: str = Field(max_length=8)
    catalogue_item_id: str = Field(max_length=100)
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    chat_id: int = Field(sa_type=BigInteger)  # the seller's chat, told once it is delivered
    label: str = Field(max_length=300)  # the item's name as the seller knows it
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


@dataclass(frozen=True)
class Delivered:
    """A waiting write that is settled: taken by the marketplace, or `refused` (and dropped)."""

    write: PendingWrite
    refused: GatewayError | None = None


class Outbox:
    """The catalogue writes of every storefront, through `gateway` now or kept for later.

    `upsert_item`, `set_stock` and `delete_item` return True when the marketplace took the write
    now and False when it waits here; a refusal (InvalidRequest, NotFound ...) is raised, and
    nothing is kept.
    """

    def __init__(
        self,
        engine: Engine,
        gateway: SellerGateway,
        *,
        stock_of: Callable[[str], int | None] = lambda _: None,
        try_seconds: float = TRY_SECONDS,
        deliver_seconds: float = DELIVER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._gateway = gateway
        # An item's stock as the bot counts it now (orders accepted while a count waited have
        # taken their packs): what a waiting stock count or item sends when it is delivered.
        self._stock_of = stock_of
        self._try_seconds = try_seconds
        self._deliver_seconds = deliver_seconds
        self._clock = clock
        self._quiet_until = 0.0
        # Sellers' writes to one storefront go one at a time: a write that fails and is kept
        # must not be overtaken by a later one that got through meanwhile. (The job needs no
        # lock: while it delivers a write, that write is still waiting, so new ones queue.)
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def upsert_item(
        self, storefront_id: int, item: CatalogueItem, *, chat_id: int, label: str
    ) -> bool:
        body = item.model_dump(mode="json", exclude_none=True)
        return await self._write(
            PendingWrite(
                storefront_id=storefront_id,
                kind=Kind.ITEM,
                catalogue_item_id=item.catalogue_item_id,
                body=body,
                chat_id=chat_id,
                label=label,
            )
        )

    async def set_stock(
        self, storefront_id: int, catalogue_item_id: str, quantity: int, *, chat_id: int, label: str
    ) -> bool:
        return await self._write(
            PendingWrite(
                storefront_id=storefront_id,
                kind=Kind.STOCK,
                catalogue_item_id=catalogue_item_id,
                body={"quantity": quantity},
                chat_id=chat_id,
                label=label,
            )
        )

    async def delete_item(
        self, storefront_id: int, catalogue_item_id: str, *, chat_id: int, label: str
    ) -> bool:
        return await self._write(
            PendingWrite(
                storefront_id=storefront_id,
                kind=Kind.DELETE,
                catalogue_item_id=catalogue_item_id,
                chat_id=chat_id,
                label=label,
            )
        )

    def waiting(self, storefront_id: int | None = None) -> list[PendingWrite]:
        """What waits, oldest first (of one storefront, or of all)."""
        query = select(PendingWrite).order_by(PendingWrite.id)  # type: ignore[arg-type]
        if storefront_id is not None:
            query = query.where(PendingWrite.storefront_id == storefront_id)
        with session_scope(self._engine) as session:
            return list(session.exec(query))

    def _has_waiting(self, storefront_id: int) -> bool:
        """Whether the storefront has writes waiting (asked on every seller's write: one row)."""
        with session_scope(self._engine) as session:
            found = session.exec(
                select(PendingWrite.id).where(PendingWrite.storefront_id == storefront_id).limit(1)
            )
            return found.first() is not None

    def forget_storefront(self, storefront_id: int) -> None:
        """Drops what waits for a storefront that is deleted (it can never be delivered)."""
        with self._engine.begin() as connection:
            connection.execute(
                delete(PendingWrite).where(PendingWrite.storefront_id == storefront_id)  # type: ignore[arg-type]
            )

    async def deliver(self) -> list[Delivered]:
        """Tries what waits, each storefront's oldest first; returns what is settled.

        A storefront whose oldest write the marketplace still cannot take keeps its writes for
        the next round; after `GIVE_UP_ROUND_AFTER` such storefronts in a row the marketplace is
        down and the round ends. Storefronts tried less often come first, so none is starved.
        """
        settled: list[Delivered] = []
        failures_in_a_row = 0
        for storefront_id in self._storefronts_in_turn():
            for write in self.waiting(storefront_id)[:PER_STOREFRONT]:
                outcome = await self._deliver_one(write)
                if outcome is None:
                    failures_in_a_row += 1
                    break
                failures_in_a_row = 0
                settled.append(outcome)
            if failures_in_a_row >= GIVE_UP_ROUND_AFTER:
                break
        if settled:
            log.info("outbox: %d waiting writes settled", len(settled))
        return settled

    # Inside ---------------------------------------------------------------------------------------

    async def _write(self, write: PendingWrite) -> bool:
        write.label = write.label[:300]  # the column's size; a name is at most 150
        async with self._locks[write.storefront_id]:
            if self._has_waiting(write.storefront_id):
                self._keep(write, "earlier writes of the storefront are waiting")
                return False
            if self._clock() < self._quiet_until:
                self._keep(write, "the marketplace failed moments ago")
                return False
            try:
                await self._apply(write, self._try_seconds)
            except (Unavailable, TimeoutError) as failure:
                self._quiet_until = self._clock() + QUIET_SECONDS
                self._keep(write, _why(failure), logging.WARNING)
                return False
            return True

    async def _deliver_one(self, write: PendingWrite) -> Delivered | None:
        """One waiting write delivered (or refused, or given up) and removed; None if the
        marketplace still cannot take it."""
        waited = utcnow() - _aware(write.created_at)
        if waited > GIVE_UP_AFTER:
            log.error("outbox: write %s dropped after waiting %s", write.id, waited)
            self._remove(write)
            return Delivered(write, Unavailable(f"waited {waited} for the marketplace"))
        try:
            await self._apply(write, self._deliver_seconds, now=True)
        except (Unavailable, TimeoutError) as failure:
            self._quiet_until = self._clock() + QUIET_SECONDS
            self._note_failure(write, failure)
            return None
        except GatewayError as refused:
            log.warning("outbox: write %s refused after waiting: %s", write.id, refused)
            outcome = Delivered(write, refused)
        except Exception as broken:  # a row this code can no longer send: not the others' fault
            log.exception("outbox: write %s cannot be sent; dropped", write.id)
            outcome = Delivered(write, GatewayError(f"not sent: {type(broken).__name__}"))
        else:
            self._quiet_until = 0.0
            outcome = Delivered(write)
        self._remove(write)
        return outcome

    async def _apply(self, write: PendingWrite, seconds: float, *, now: bool = False) -> None:
        """Makes the write at the gateway, in at most `seconds`; `now`: with the stock the bot
        counts now rather than when the write was made."""
        counted = self._stock_of(write.catalogue_item_id) if now else None
        async with asyncio.timeout(seconds):
            if write.kind == Kind.ITEM:
                item = CatalogueItem.model_validate(write.body)
                if counted is not None:
                    item.inventory.quantity = counted
                result = await self._gateway.upsert_catalogue(write.storefront_id, [item])
                if result.failed:
                    raise InvalidRequest([FieldError("", "the marketplace did not take it")])
            elif write.kind == Kind.STOCK:
                quantity = counted if counted is not None else int(write.body["quantity"])
                await self._gateway.set_inventory(
                    write.storefront_id, write.catalogue_item_id, quantity
                )
            else:
                await self._gateway.delete_catalogue_items(
                    write.storefront_id, [write.catalogue_item_id]
                )

    def _storefronts_in_turn(self) -> list[int]:
        """Storefronts with waiting writes, those whose oldest write was tried least first."""
        first: dict[int, tuple[int, int]] = {}
        with session_scope(self._engine) as session:
            rows = session.exec(
                select(PendingWrite.storefront_id, PendingWrite.attempts, PendingWrite.id).order_by(
                    PendingWrite.id  # type: ignore[arg-type]
                )
            )
            for storefront_id, attempts, write_id in rows:
                first.setdefault(storefront_id, (attempts, write_id or 0))
        return sorted(first, key=first.__getitem__)

    def _keep(self, write: PendingWrite, why: str, level: int = logging.INFO) -> None:
        """Stores the write for later; logged as a warning when the marketplace just failed it,
        quietly when it only queues behind others (an outage would flood the log otherwise)."""
        write.last_error = why[:300]
        with session_scope(self._engine) as session:
            session.add(write)
            session.flush()
            session.refresh(write)
        log.log(
            level,
            "outbox: %s of item %s in storefront %s kept for later (write %s): %s",
            write.kind,
            write.catalogue_item_id,
            write.storefront_id,
            write.id,
            why,
        )

    def _note_failure(self, write: PendingWrite, failure: Exception) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(PendingWrite)
                .where(PendingWrite.id == write.id)  # type: ignore[arg-type]
                .values(attempts=PendingWrite.attempts + 1, last_error=_why(failure)[:300])
            )
        log.warning(
            "outbox: write %s (storefront %s) still waits, attempt %d: %s",
            write.id,
            write.storefront_id,
            write.attempts + 1,
            _why(failure),
        )

    def _remove(self, write: PendingWrite) -> None:
        with self._engine.begin() as connection:
            connection.execute(delete(PendingWrite).where(PendingWrite.id == write.id))  # type: ignore[arg-type]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite: naive


def _why(failure: Exception) -> str:
    if isinstance(failure, TimeoutError):
        return "no answer in time"
    return str(failure) or type(failure).__name__
