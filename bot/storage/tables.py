"""Imports every module that defines tables, so SQLModel.metadata (and alembic) sees them all."""

from bot import outbox  # noqa: F401
from bot.gateways import local  # noqa: F401
from bot.gateways.setu import records  # noqa: F401
from bot.storage import models, persistence  # noqa: F401
