"""Seller gateways: the interface (base.py), its implementations and the factory picking one."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.gateways.base import SellerGateway


def make_gateway(name: str, engine: Engine) -> SellerGateway:
    """The gateway configured by `name`; "local" keeps everything in the bot's own database."""
    # Imported here: an implementation may use the domain rules, which use base.py's models.
    from bot.gateways.local import LocalGateway

    if name == "local":
        return LocalGateway(engine)
    raise ValueError(f"unknown gateway {name!r}; known: local")
