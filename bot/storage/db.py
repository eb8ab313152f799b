"""Database engine creation and the session helper every store uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event, insert, update
from sqlmodel import Session, SQLModel, create_engine


def make_engine(url: str) -> Engine:
    """An engine for SQLite or PostgreSQL, tuned for a single bot process."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # WAL lets `sellerbot health` read while the bot writes; NORMAL in WAL mode survives a
            # process crash (what we test with SIGKILL) at a fraction of FULL's cost.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def upsert(
    connection: Connection, table: type[SQLModel], key: dict[str, Any], values: dict[str, Any]
) -> None:
    """Writes a row by primary key, inserting it if it is not there yet.

    One UPDATE for the usual case (the row exists) instead of the ORM's read-then-write; it is
    on the path of every update the bot handles. Safe for the single bot process we run.
    """
    sql_table = table.__table__  # type: ignore[attr-defined]
    where = [sql_table.c[name] == value for name, value in key.items()]
    if not connection.execute(update(sql_table).where(*where).values(**values)).rowcount:
        connection.execute(insert(sql_table).values(**key, **values))
