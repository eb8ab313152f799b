"""Alembic environment: runs migrations on the URL bot.storage.migrate passes in."""

from alembic import context
from sqlmodel import SQLModel

import bot.storage.tables  # noqa: F401  (every table in SQLModel.metadata)
from bot.storage.db import make_engine

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
