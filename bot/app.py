"""The composition root: `build_application(settings)` wires storage, gateway, handlers and jobs."""

from __future__ import annotations

import contextlib
import html
import logging
import traceback
from collections import OrderedDict
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    ExtBot,
    TypeHandler,
)
from telegram.request import HTTPXRequest

from bot.commands import publish_command_menus
from bot.config import Settings
from bot.context import SERVICES, BotApplication, BotContext, Services
from bot.gateways import make_gateway
from bot.i18n import INDIA, I18n
from bot.jobs.heartbeat import start_heartbeat
from bot.jobs.orders import watch as watch_orders
from bot.jobs.outbox import watch as watch_outbox
from bot.jobs.silence import note_activity, watch_silence
from bot.outbox import Outbox
from bot.ratelimit import FloodLimiter
from bot.redact import redact
from bot.replay import ReplayGuard, UpdateQueue
from bot.storage.db import make_engine
from bot.storage.persistence import SQLModelPersistence
from bot.storage.store import Store
from bot.ui import ShownMessages
from conversations import (
    catalogue,
    language,
    menu,
    onboarding,
    orders,
    product,
    storefront,
    stores,
)

log = logging.getLogger(__name__)

# Telegram allows bursts; retrying a 429 after its retry_after keeps a message instead of
# dropping it (PTB's default of 0 retries would turn every 429 into an error).
RATE_LIMIT_RETRIES = 5
ANSWERED_REMEMBERED = 1000  # presses are answered within seconds; this is plenty


def build_application(settings: Settings) -> BotApplication:
    """The bot as `sellerbot run` and the tests start it. The database must be migrated first."""
    # The engine is made here, not in post_init: PTB loads persisted conversations in
    # initialize(), before post_init runs. It opens no connection until first used, and
    # post_shutdown disposes of it.
    engine = make_engine(settings.resolved_database_url)
    services = Services(
        settings=settings, store=Store(engine), i18n=I18n(settings.default_language)
    )

    async def post_init(application: Application) -> None:
        services.gateway = make_gateway(settings, engine, services.store)
        services.outbox = Outbox(engine, services.gateway, stock_of=services.store.stock_of)
        await publish_command_menus(application.bot, services.i18n)
        start_heartbeat(application, services.store, settings.heartbeat_seconds)
        watch_silence(application, settings.conversation_timeout_minutes)
        watch_orders(application, settings.order_poll_seconds)
        watch_outbox(application, settings.outbox_seconds)

    async def post_shutdown(application: Application) -> None:
        if services.gateway is not None:
            await services.gateway.aclose()
        engine.dispose()

    bot = SellerBot(
        settings.token(),
        base_url=settings.bot_api_base_url,
        base_file_url=settings.bot_api_file_url,
        # The pool sizes ApplicationBuilder would choose: one long poll, many sends.
        request=HTTPXRequest(connection_pool_size=256),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        defaults=Defaults(parse_mode=ParseMode.HTML, tzinfo=INDIA),
        rate_limiter=FloodLimiter(max_retries=RATE_LIMIT_RETRIES),
    )
    application = (
        ApplicationBuilder()
        .bot(bot)
        .update_queue(UpdateQueue())
        .context_types(ContextTypes(context=BotContext))
        .persistence(SQLModelPersistence(engine))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[SERVICES] = services
    application.add_handler(TypeHandler(Update, note_activity), group=-2)
    application.add_handler(TypeHandler(Update, ReplayGuard()), group=-1)
    application.add_handler(onboarding.handler())
    application.add_handler(storefront.handler())
    application.add_handler(product.handler())
    application.add_handler(catalogue.handler())
    application.add_handlers(stores.handlers())
    application.add_handlers(catalogue.handlers())
    application.add_handlers(orders.handlers())
    application.add_handlers(language.handlers())
    application.add_handlers(menu.handlers())
    application.add_handlers(menu.catch_alls())
    application.add_error_handler(report_error)
    return application  # type: ignore[return-value]


class SellerBot(ExtBot[Any]):
    """PTB's bot, remembering which button presses it has answered and what the messages it
    edited show (bot/ui.py edits a message only when that changes something).

    Telegram refuses a second answer to a press; the error handler must answer the ones a
    failing handler did not (or the button spins), so it has to know which those are.
    """

    __slots__ = ("_answered", "_shown")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._answered: OrderedDict[str, None] = OrderedDict()
        self._shown = ShownMessages()

    @property
    def shown(self) -> ShownMessages:
        return self._shown

    async def answer_callback_query(
        self, callback_query_id: str, *args: Any, **kwargs: Any
    ) -> bool:
        result = await super().answer_callback_query(callback_query_id, *args, **kwargs)
        self._answered[callback_query_id] = None
        while len(self._answered) > ANSWERED_REMEMBERED:
            self._answered.popitem(last=False)
        return result

    def has_answered(self, callback_query_id: str) -> bool:
        return callback_query_id in self._answered


async def report_error(update: object, context: BotContext) -> None:
    """Logs the failure with its context, tells the operator, and apologises to the seller.

    The conversation keeps its state: PTB does not move a conversation on when a step raises.
    """
    user_id = None
    if isinstance(update, Update) and update.effective_user:
        user_id = update.effective_user.id
    log.error("unhandled error (user %s)", user_id, exc_info=context.error)
    operator = context.settings.operator_chat_id
    if operator is not None and context.error is not None:
        trace = redact(
            "".join(traceback.format_exception(context.error)), [context.settings.token()]
        )
        report = f"⚠️ sellerbot error (user {user_id})\n<pre>{_tail_as_html(trace)}</pre>"
        try:
            await context.bot.send_message(operator, report)
        except TelegramError:
            log.exception("could not report the error to the operator chat")
    if isinstance(update, Update):
        try:
            await _apologise(update, context)
        except Exception:  # e.g. the database is what failed: the log above has it all
            log.exception("could not apologise to user %s", user_id)


REPORT_LIMIT = 3800  # characters of traceback in a report; a message holds 4096


def _tail_as_html(text: str) -> str:
    """The end of `text`, escaped for HTML, as long as fits in a report (escaping lengthens)."""
    tail = text[-REPORT_LIMIT:]
    while len(html.escape(tail)) > REPORT_LIMIT:
        tail = tail[len(tail) // 10 + 1 :]
    return html.escape(tail)


async def _apologise(update: Update, context: BotContext) -> None:
    # A button press must be answered even when its handler failed, or the button spins.
    query = update.callback_query
    if query and isinstance(context.bot, SellerBot) and not context.bot.has_answered(query.id):
        with contextlib.suppress(TelegramError):
            await query.answer()
    if update.effective_chat:
        await update.effective_chat.send_message(context.texts("error.internal"))
