"""The store handlers use (`context.store`): languages, sellers, drafts, heartbeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from bot.storage.db import session_scope
from bot.storage.models import Cursor, Draft, Heartbeat, Seller, TelegramUser, utcnow


class Store:
    """Reads and writes the bot's own tables; every write is committed before it returns."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Every update needs its user's language; a write-through cache saves a query per update.
        self._languages: dict[int, str | None] = {}

    def language_of(self, telegram_id: int) -> str | None:
        if telegram_id not in self._languages:
            with session_scope(self.engine) as session:
                user = session.get(TelegramUser, telegram_id)
                self._languages[telegram_id] = user.language if user else None
        return self._languages[telegram_id]

    def set_language(self, telegram_id: int, language: str) -> None:
        with session_scope(self.engine) as session:
            user = session.get(TelegramUser, telegram_id) or TelegramUser(telegram_id=telegram_id)
            user.language = language
            session.add(user)
        self._languages[telegram_id] = language

    def seller_of(self, telegram_id: int) -> Seller | None:
        with session_scope(self.engine) as session:
            return session.exec(select(Seller).where(Seller.telegram_id == telegram_id)).first()

    def add_seller(self, seller: Seller) -> None:
        with session_scope(self.engine) as session:
            session.add(seller)

    def draft(self, telegram_id: int, kind: str) -> dict[str, Any] | None:
        with session_scope(self.engine) as session:
            row = session.get(Draft, (telegram_id, kind))
            return dict(row.data) if row else None

    def save_draft(self, telegram_id: int, kind: str, data: dict[str, Any]) -> None:
        with session_scope(self.engine) as session:
            row = session.get(Draft, (telegram_id, kind)) or Draft(
                telegram_id=telegram_id, kind=kind
            )
            row.data = dict(data)  # a new object, so SQLAlchemy sees the JSON column changed
            row.updated_at = utcnow()
            session.add(row)

    def delete_draft(self, telegram_id: int, kind: str) -> None:
        with session_scope(self.engine) as session:
            row = session.get(Draft, (telegram_id, kind))
            if row:
                session.delete(row)

    def advance_cursor(self, name: str, value: int, remember: timedelta) -> bool:
        """Moves a cursor to `value`; False (and no change) if it was already at or past it less
        than `remember` ago. An older cursor no longer counts: the stream may have restarted."""
        with session_scope(self.engine) as session:
            cursor = session.get(Cursor, name)
            now = utcnow()
            if cursor is not None and cursor.value >= value:
                moved_at = cursor.moved_at
                if moved_at.tzinfo is None:  # SQLite keeps no zone; we always write UTC
                    moved_at = moved_at.replace(tzinfo=UTC)
                if now - moved_at < remember:
                    return False
            cursor = cursor or Cursor(name=name, value=value)
            cursor.value, cursor.moved_at = value, now
            session.add(cursor)
            return True

    def beat(self, name: str = "bot") -> None:
        with session_scope(self.engine) as session:
            row = session.get(Heartbeat, name) or Heartbeat(name=name, beat_at=utcnow())
            row.beat_at = utcnow()
            session.add(row)

    def last_beat(self, name: str = "bot") -> datetime | None:
        with session_scope(self.engine) as session:
            row = session.get(Heartbeat, name)
            return row.beat_at if row else None
