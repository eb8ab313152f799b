"""What the Setu gateway keeps in the bot's database because Setu cannot tell it back.

- `setu_records`: what we sent for each seller, storefront and catalogue item, with Setu's id.
  It makes creation idempotent by our own ids (Setu has no lookup by them), keeps an item's stock
  (Setu's catalogue GET has none), and holds a paused storefront's real hours (Setu has no pause).
- `setu_orders`: each order as last polled, numbered by change, so `changed_orders` can answer
  "what changed since" (Setu's order list has no such query).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Engine, delete, func
from sqlmodel import Field, SQLModel, select

from bot.storage.db import session_scope


def _now() -> datetime:
    return datetime.now(UTC)


class SetuRecord(SQLModel, table=True):
    """One thing we created at Setu: its kind, our key, Setu's id, and what we sent."""

    __tablename__ = "setu_records"

    # seller | storefront | item | unsent (an item whose count Setu has yet to take)
    kind: str = Field(primary_key=True, max_length=16)
    key: str = Field(primary_key=True, max_length=100)  # our id; items: "<storefront>/<item>"
    setu_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SetuOrder(SQLModel, table=True):
    """An order as the last poll saw it; `version` grows with every change seen."""

    __tablename__ = "setu_orders"

    order_id: str = Field(primary_key=True, max_length=100)
    setu_storefront_id: int = Field(sa_type=BigInteger, index=True)
    version: int = Field(sa_type=BigInteger, unique=True, index=True)
    order: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    placed_at: datetime = Field(default_factory=_now, sa_type=DateTime(timezone=True))
    changed_at: datetime = Field(default_factory=_now, sa_type=DateTime(timezone=True))


def item_key(setu_storefront_id: int, catalogue_item_id: str) -> str:
    return f"{setu_storefront_id}/{catalogue_item_id.lower()}"


class Records:
    """Reads and writes the two tables; every write is committed before it returns."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, kind: str, key: str) -> SetuRecord | None:
        with session_scope(self.engine) as session:
            return session.get(SetuRecord, (kind, key))

    def of_kind(self, kind: str) -> list[SetuRecord]:
        with session_scope(self.engine) as session:
            return list(session.exec(select(SetuRecord).where(SetuRecord.kind == kind)))

    def by_setu_id(self, kind: str, setu_id: int) -> SetuRecord | None:
        with session_scope(self.engine) as session:
            return session.exec(
                select(SetuRecord).where(SetuRecord.kind == kind, SetuRecord.setu_id == setu_id)
            ).first()

    def put(self, kind: str, key: str, setu_id: int | None, data: dict[str, Any]) -> None:
        with session_scope(self.engine) as session:
            row = session.get(SetuRecord, (kind, key)) or SetuRecord(kind=kind, key=key)
            row.setu_id, row.data = setu_id, data
            session.add(row)

    def forget(self, kind: str, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                delete(SetuRecord).where(SetuRecord.kind == kind, SetuRecord.key == key)  # type: ignore[arg-type]
            )

    def forget_items_of(self, setu_storefront_id: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                delete(SetuRecord).where(
                    SetuRecord.kind == "item",  # type: ignore[arg-type]
                    SetuRecord.key.startswith(f"{setu_storefront_id}/"),  # type: ignore[attr-defined]
                )
            )

    def items_of(self, setu_storefront_id: int) -> list[SetuRecord]:
        with session_scope(self.engine) as session:
            return list(
                session.exec(
                    select(SetuRecord).where(
                        SetuRecord.kind == "item",
                        SetuRecord.key.startswith(f"{setu_storefront_id}/"),  # type: ignore[attr-defined]
                    )
                )
            )

    def storefront_ids(self) -> list[int]:
        with session_scope(self.engine) as session:
            rows = session.exec(
                select(SetuRecord.setu_id).where(
                    SetuRecord.kind == "storefront",
                    SetuRecord.setu_id.is_not(None),  # type: ignore[union-attr]
                )
            )
            return sorted(int(setu_id) for setu_id in rows.all() if setu_id is not None)

    # Orders ---------------------------------------------------------------------------------

    def note_orders(self, setu_storefront_id: int, orders: list[dict[str, Any]]) -> None:
        """Records the orders of one storefront as just polled; a new or changed one gets the
        next version number."""
        with session_scope(self.engine) as session:
            known = {
                row.order_id: row
                for row in session.exec(
                    select(SetuOrder).where(SetuOrder.setu_storefront_id == setu_storefront_id)
                )
            }
            version = session.exec(select(func.max(SetuOrder.version))).one() or 0
            for order in orders:
                row = known.get(order["order_id"])
                if row is not None and row.order == order:
                    continue
                version += 1
                if row is None:
                    row = SetuOrder(
                        order_id=order["order_id"],
                        setu_storefront_id=setu_storefront_id,
                        version=version,
                        order=order,
                    )
                else:
                    row.version, row.order, row.changed_at = version, order, _now()
                session.add(row)
                session.flush()

    def orders_since(self, version: int, limit: int) -> list[SetuOrder]:
        with session_scope(self.engine) as session:
            return list(
                session.exec(
                    select(SetuOrder)
                    .where(SetuOrder.version > version)
                    .order_by(SetuOrder.version)  # type: ignore[arg-type]
                    .limit(limit)
                )
            )
