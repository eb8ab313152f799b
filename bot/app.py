"""The composition root: `build_application(settings)` wires storage, gateway, handlers and jobs."""

from __future__ import annotations

import html
import logging
import traceback

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    ContextTypes,
    Defaults,
    TypeHandler,
)

from bot.commands import publish_command_menus
from bot.config import Settings
from bot.context import SERVICES, BotApplication, BotContext, Services
from bot.gateways import make_gateway
from bot.i18n import INDIA, I18n
from bot.jobs.heartbeat import start_heartbeat
from bot.storage.db import make_engine
from bot.storage.persistence import SQLModelPersistence
from bot.storage.store import Store
from conversations import language, menu, onboarding

log = logging.getLogger(__name__)

# Telegram allows bursts; retrying a 429 after its retry_after keeps a message instead of
# dropping it (PTB's default of 0 retries would turn every 429 into an error).
RATE_LIMIT_RETRIES = 5
UPDATES_CURSOR = "telegram_updates"


def build_application(settings: Settings) -> BotApplication:
    """The bot as `sellerbot run` and the tests start it. The database must be migrated first."""
    engine = make_engine(settings.resolved_database_url)
    services = Services(
        settings=settings, store=Store(engine), i18n=I18n(settings.default_language)
    )

    async def post_init(application: Application) -> None:
        services.gateway = make_gateway(settings.gateway, engine)
        await publish_command_menus(application.bot, services.i18n)
        start_heartbeat(application, services.store, settings.heartbeat_seconds)

    async def post_shutdown(application: Application) -> None:
        if services.gateway is not None:
            await services.gateway.aclose()
        engine.dispose()

    application = (
        ApplicationBuilder()
        .token(settings.token())
        .base_url(settings.bot_api_base_url)
        .base_file_url(settings.bot_api_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=INDIA))
        .context_types(ContextTypes(context=BotContext))
        .persistence(SQLModelPersistence(engine))
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[SERVICES] = services
    application.add_handler(TypeHandler(Update, skip_replayed_update), group=-1)
    application.add_handler(onboarding.handler(settings.conversation_timeout_minutes))
    application.add_handlers(language.handlers())
    application.add_handlers(menu.handlers())
    application.add_handlers(menu.catch_alls())
    application.add_error_handler(report_error)
    return application  # type: ignore[return-value]


async def skip_replayed_update(update: Update, context: BotContext) -> None:
    """Takes each Telegram update at most once, even across a crash.

    Telegram forgets an update only when the next getUpdates confirms it; a bot killed between
    replying and confirming gets the same update again after a restart, and would answer the
    next question with it. Recording the update id before handling it makes that replay a no-op
    (at worst the seller's last answer is lost and asked again, never applied twice).
    """
    if not context.store.advance_cursor(UPDATES_CURSOR, update.update_id):
        log.info("skipping update %s: already taken before a restart", update.update_id)
        raise ApplicationHandlerStop


async def report_error(update: object, context: BotContext) -> None:
    """Logs the failure with its context, apologises to the seller, and tells the operator.

    The conversation keeps its state: PTB does not move a conversation on when a step raises.
    """
    user_id = (
        update.effective_user.id if isinstance(update, Update) and update.effective_user else None
    )
    log.error("unhandled error (user %s)", user_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat:
        try:
            await update.effective_chat.send_message(context.texts("error.internal"))
        except Exception:  # the apology itself failed (network?): the log above has it all
            log.exception("could not send the apology to user %s", user_id)
    operator = context.settings.operator_chat_id
    if operator is not None and context.error is not None:
        trace = "".join(traceback.format_exception(context.error))[-3000:]
        report = f"⚠️ sellerbot error (user {user_id})\n<pre>{html.escape(trace)}</pre>"
        try:
            await context.bot.send_message(operator, report)
        except Exception:
            log.exception("could not report the error to the operator chat")
