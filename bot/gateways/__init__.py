"""Seller gateways: the interface (base.py), its implementations and the factory picking one."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.gateways.base import SellerGateway
from bot.gateways.local import LocalGateway


def make_gateway(name: str, engine: Engine) -> SellerGateway:
    """The gateway configured by `name`; "local" keeps everything in the bot's own database."""
    if name == "local":
        return LocalGateway(engine)
    raise ValueError(f"unknown gateway {name!r}; known: local")
