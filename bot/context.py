"""The typed context every handler receives: `context.store`, `context.gateway`, `context.texts`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.i18n import I18n, Texts
from bot.storage.store import Store

if TYPE_CHECKING:
    from bot.gateways.base import SellerGateway

SERVICES = "services"


@dataclass
class Services:
    """What the composition root builds once and every handler shares."""

    settings: Settings
    store: Store
    i18n: I18n
    gateway: SellerGateway | None = None  # opened in post_init, closed in post_shutdown


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed accessors, so no handler looks anything up by string."""

    @property
    def services(self) -> Services:
        return self.application.bot_data[SERVICES]

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def i18n(self) -> I18n:
        return self.services.i18n

    @property
    def gateway(self) -> SellerGateway:
        gateway = self.services.gateway
        if gateway is None:
            raise RuntimeError("the gateway is opened in post_init; no handler runs before it")
        return gateway

    @property
    def language(self) -> str:
        """The language of the user this update or job is about (the default if none chosen)."""
        chosen = self.store.language_of(self._user_id) if self._user_id else None
        return chosen or self.i18n.default_language

    @property
    def texts(self) -> Texts:
        return self.i18n.texts(self.language)


BotApplication = Application[Any, BotContext, Any, Any, Any, Any]
