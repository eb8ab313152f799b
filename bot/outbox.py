"""Catalogue and stock writes that wait for the marketplace when it does not answer.

A seller's item, stock count or deletion goes to the gateway at once when it can. When the
gateway is unreachable (`Unavailable`, or no answer within `TRY_SECONDS`) the write is kept in
the `outbox` table instead, and the seller is told it is saved and will be published;
jobs/outbox.py delivers what waits, oldest first, and tells the seller once it is published.

- Order holds per storefront: while a storefront has writes waiting, its new ones wait behind
  them, so an older stock count is never delivered after a newer one. Writes to one storefront
  are made one at a time (a lock per storefront), so none overtakes another in flight.
- Nothing doubles: every write is idempotent (an item upserted by its id, an absolute stock
  count, a deletion that ignores items already gone), so a write delivered twice (a crash
  between the gateway's answer and the row's removal) changes nothing the second time.
- A waiting write the gateway refuses when it is finally delivered (a rule broken, the item or
  storefront gone) is dropped, and the seller is told which item was not taken.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
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

# How long a seller waits for the marketplace before the write is kept for later. A button
# press is answered after it, well within the time Telegram gives a press to be answered.
TRY_SECONDS = 10.0
DELIVERED_AT_ONCE = 200  # waiting writes tried per delivery round
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
        self, engine: Engine, gateway: SellerGateway, *, try_seconds: float = TRY_SECONDS
    ) -> None:
        self._engine = engine
        self._gateway = gateway
        self._try_seconds = try_seconds
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
                label=label[:300],
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
                label=label[:300],
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
                label=label[:300],
            )
        )

    def waiting(self, storefront_id: int | None = None) -> list[PendingWrite]:
        """What waits, oldest first (of one storefront, or of all)."""
        query = select(PendingWrite).order_by(PendingWrite.id)  # type: ignore[arg-type]
        if storefront_id is not None:
            query = query.where(PendingWrite.storefront_id == storefront_id)
        with session_scope(self._engine) as session:
            return list(session.exec(query))

    def forget_storefront(self, storefront_id: int) -> None:
        """Drops what waits for a storefront that is deleted (it can never be delivered)."""
        with self._engine.begin() as connection:
            connection.execute(
                delete(PendingWrite).where(PendingWrite.storefront_id == storefront_id)  # type: ignore[arg-type]
            )

    async def deliver(self, limit: int = DELIVERED_AT_ONCE) -> list[Delivered]:
        """Tries what waits, oldest first, each storefront's in order; returns what is settled.

        A storefront whose oldest write the marketplace still cannot take keeps the rest of its
        writes for the next round; after `GIVE_UP_ROUND_AFTER` such storefronts in a row the
        marketplace is down and the round ends.
        """
        settled: list[Delivered] = []
        blocked: set[int] = set()
        failures_in_a_row = 0
        for write in self._oldest(limit):
            if write.storefront_id in blocked:
                continue
            async with self._locks[write.storefront_id]:
                try:
                    await self._apply(write)
                except (Unavailable, TimeoutError) as failure:
                    self._note_failure(write, failure)
                    blocked.add(write.storefront_id)
                    failures_in_a_row += 1
                    if failures_in_a_row >= GIVE_UP_ROUND_AFTER:
                        break
                    continue
                except GatewayError as refused:
                    log.warning(
                        "outbox: %s of item %s in storefront %s refused after waiting: %s",
                        write.kind,
                        write.catalogue_item_id,
                        write.storefront_id,
                        refused,
                    )
                    settled.append(Delivered(write, refused))
                else:
                    settled.append(Delivered(write))
                failures_in_a_row = 0
                self._remove(write)
        if settled:
            log.info("outbox: %d waiting writes settled", len(settled))
        return settled

    # Inside ---------------------------------------------------------------------------------------

    async def _write(self, write: PendingWrite) -> bool:
        async with self._locks[write.storefront_id]:
            if self.waiting(write.storefront_id):
                self._keep(write, "earlier writes of the storefront are waiting")
                return False
            try:
                await self._apply(write)
            except (Unavailable, TimeoutError) as failure:
                self._keep(write, _why(failure))
                return False
            return True

    async def _apply(self, write: PendingWrite) -> None:
        """Makes the write at the gateway, in at most `try_seconds`."""
        async with asyncio.timeout(self._try_seconds):
            if write.kind == Kind.ITEM:
                item = CatalogueItem.model_validate(write.body)
                result = await self._gateway.upsert_catalogue(write.storefront_id, [item])
                if result.failed:
                    raise InvalidRequest([FieldError("", "the marketplace did not take it")])
            elif write.kind == Kind.STOCK:
                await self._gateway.set_inventory(
                    write.storefront_id, write.catalogue_item_id, int(write.body["quantity"])
                )
            else:
                await self._gateway.delete_catalogue_items(
                    write.storefront_id, [write.catalogue_item_id]
                )

    def _oldest(self, limit: int) -> Sequence[PendingWrite]:
        with session_scope(self._engine) as session:
            return list(
                session.exec(
                    select(PendingWrite).order_by(PendingWrite.id).limit(limit)  # type: ignore[arg-type]
                )
            )

    def _keep(self, write: PendingWrite, why: str) -> None:
        write.last_error = why[:300]
        with session_scope(self._engine) as session:
            session.add(write)
            session.flush()
            session.refresh(write)
        log.warning(
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


def _why(failure: Exception) -> str:
    if isinstance(failure, TimeoutError):
        return "no answer in time"
    return str(failure) or type(failure).__name__
