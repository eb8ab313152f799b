"""Seller gateways: the interface (base.py), its implementations and the factory picking one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine

from bot.gateways.base import SellerGateway

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.gateways.setu.http import TokenStore


def make_gateway(settings: Settings, engine: Engine, tokens: TokenStore) -> SellerGateway:
    """The gateway `settings.gateway` names: "local" keeps everything in the bot's own
    database, "setu" drives Setu's ONDC seller API (its token kept in `tokens`)."""
    # Imported here: an implementation may use the domain rules, which use base.py's models.
    if settings.gateway == "local":
        from bot.gateways.local import LocalGateway

        return LocalGateway(engine)
    if settings.gateway == "setu":
        from bot.gateways.setu.gateway import SetuGateway
        from bot.gateways.setu.http import SetuHttp

        client_id, secret = settings.setu_credentials()
        return SetuGateway(SetuHttp(settings.setu_base_url, client_id, secret, tokens), engine)
    raise ValueError(f"unknown gateway {settings.gateway!r}; known: local, setu")
