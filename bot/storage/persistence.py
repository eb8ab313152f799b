"""PTB persistence in our own database: conversation states and user_data survive a restart."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, Column, Engine, Text, delete
from sqlmodel import Field, SQLModel, select
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.storage.db import session_scope, upsert


class ConversationState(SQLModel, table=True):
    """Where each user is in each conversation (PTB ConversationHandler state)."""

    __tablename__ = "ptb_conversations"

    name: str = Field(primary_key=True, max_length=64)
    key: str = Field(sa_type=Text, primary_key=True)  # JSON of the conversation key tuple
    state: Any = Field(default=None, sa_column=Column(JSON, nullable=True))


class SQLModelPersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """Conversation states in our database, written through: update_conversation commits before
    it returns, so a conversation can checkpoint its state before it asks the next question.

    Only conversations are kept. Business data lives in our own tables, never in PTB's
    user_data/chat_data, so persisting those would only cost a write per active user.
    """

    def __init__(self, engine: Engine, update_interval: float = 5) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=False, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.engine = engine
        # What the database holds, so a caller can skip writing a state that is already there.
        self._written: dict[tuple[str, str], object] = {}

    async def get_conversations(self, name: str) -> ConversationDict:
        with session_scope(self.engine) as session:
            rows = session.exec(select(ConversationState).where(ConversationState.name == name))
            states = {tuple(json.loads(row.key)): row.state for row in rows}
        self._written.update({(name, json.dumps(list(k))): v for k, v in states.items()})
        return states

    def written_state(self, name: str, key: ConversationKey) -> object | None:
        """The state of a conversation as last written to the database (None: none)."""
        return self._written.get((name, json.dumps(list(key))))

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        primary_key = {"name": name, "key": json.dumps(list(key))}
        table = ConversationState.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as connection:
            if new_state is None:
                connection.execute(
                    delete(table).where(*(table.c[k] == v for k, v in primary_key.items()))
                )
            else:
                upsert(connection, ConversationState, primary_key, {"state": new_state})
        self._written[(name, primary_key["key"])] = new_state

    # The rest is switched off in store_data; PTB still requires the methods.
    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        return {}

    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return {}

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        """Unused: user_data is not persisted."""

    async def drop_user_data(self, user_id: int) -> None:
        """Unused: user_data is not persisted."""

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """Unused: user_data is not persisted."""

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        """Unused: chat_data is not persisted."""

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        """Unused: bot_data holds live clients, which must not be persisted."""

    async def update_callback_data(self, data: Any) -> None:
        """Unused: callback data is plain strings, not PTB's arbitrary callback data."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Unused: chat_data is not persisted."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        """Unused: chat_data is not persisted."""

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        """Unused: bot_data is not persisted."""

    async def flush(self) -> None:
        """Nothing buffered: every update is committed as it is made."""
