"""The typed context every handler receives: `context.store`, `context.gateway`, `context.texts`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.i18n import I18n, Texts
from bot.storage.store import Store

if TYPE_CHECKING:
    from bot.gateways.base import SellerGateway
    from bot.outbox import Outbox

SERVICES = "services"


@dataclass
class Services:
    """What the composition root builds once and every handler shares."""

    settings: Settings
    store: Store
    i18n: I18n
    gateway: SellerGateway | None = None  # opened in post_init, closed in post_shutdown
    outbox: Outbox | None = None  # the gateway's catalogue writes, kept while it is down


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
    def outbox(self) -> Outbox:
        outbox = self.services.outbox
        if outbox is None:
            raise RuntimeError("the outbox is opened in post_init; no handler runs before it")
        return outbox

    app_language: str | None = None  # the Telegram app's language of the user, if the update says

    @classmethod
    def from_update(cls, update: object, application: Application) -> BotContext:  # type: ignore[override]
        context = super().from_update(update, application)
        if isinstance(update, Update) and update.effective_user:
            context.app_language = update.effective_user.language_code
        return context

    @property
    def language(self) -> str:
        """The language to speak to this update's user: their choice; before they choose, their
        Telegram app's language if we have it; else the configured default."""
        chosen = self.store.language_of(self._user_id) if self._user_id else None
        return chosen or self.i18n.supported(self.app_language) or self.i18n.default_language

    @property
    def texts(self) -> Texts:
        return self.i18n.texts(self.language)


BotApplication = Application[Any, BotContext, Any, Any, Any, Any]
