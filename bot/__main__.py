"""The `sellerbot` command (also `python -m bot`): run, db upgrade, health."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.config import ConfigError, Settings
from bot.redact import RedactingFormatter


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    token = settings.telegram_token.get_secret_value().strip() if settings.telegram_token else ""
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", [token])
    )
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for chatty in ("apscheduler", "alembic"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


def run(settings: Settings) -> int:
    settings.token()  # fail on a missing token or credentials before touching anything else
    if settings.gateway == "setu":
        settings.setu_credentials()
    from telegram import Update
    from telegram.error import InvalidToken

    from bot.app import build_application

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings)
    application = build_application(settings)
    logging.getLogger(__name__).info(
        "sellerbot starting: gateway=%s, api=%s", settings.gateway, settings.telegram_api_url
    )
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        raise ConfigError(
            "Telegram refused SELLERBOT_TELEGRAM_TOKEN: check it with @BotFather "
            f"(or SELLERBOT_TELEGRAM_API_URL={settings.telegram_api_url})."
        ) from None
    return 0


def migrate(settings: Settings) -> None:
    """Applies the migrations; a database that cannot be opened is a one-line ConfigError."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, OperationalError

    from bot.storage.migrate import upgrade

    url = settings.resolved_database_url
    try:
        upgrade(url)
    except (OperationalError, ArgumentError) as problem:
        try:
            shown = make_url(url).render_as_string(hide_password=True)
        except ArgumentError:
            shown = "(not a database URL)"
        reason = str(problem.orig if isinstance(problem, OperationalError) else problem)
        raise ConfigError(
            f"cannot open the database {shown}: {reason.strip().splitlines()[0]}"
        ) from None


def db_upgrade(settings: Settings) -> int:
    migrate(settings)
    print("database is up to date")
    return 0


def health(settings: Settings) -> int:
    from bot.jobs.heartbeat import is_fresh
    from bot.storage.db import make_engine
    from bot.storage.store import Store

    url = settings.resolved_database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        print("unhealthy: no database yet (the bot has not started)")
        return 1
    try:
        fresh = is_fresh(Store(make_engine(url)), settings.heartbeat_seconds)
    except Exception as problem:  # no database yet, or unreachable: not healthy either way
        print(f"unhealthy: {problem.__class__.__name__}: {problem}".splitlines()[0])
        return 1
    print("healthy" if fresh else "unhealthy: no recent heartbeat")
    return 0 if fresh else 1


def simulate(settings: Settings, args: argparse.Namespace) -> int:
    import asyncio

    from bot.gateways.base import GatewayError
    from bot.gateways.local import LocalGateway
    from bot.simulate import SimulationError, parse_items, simulate_order
    from bot.storage.db import make_engine
    from bot.storage.store import Store

    if settings.gateway != "local":
        raise ConfigError("simulate-order places orders on the local gateway only")
    migrate(settings)
    engine = make_engine(settings.resolved_database_url)
    try:
        order_id = asyncio.run(
            simulate_order(
                Store(engine),
                LocalGateway(engine),
                args.seller_telegram_id,
                args.storefront,
                parse_items(args.items or []),
                cash_on_delivery=args.cod,
            )
        )
    except (SimulationError, GatewayError) as problem:
        print(f"sellerbot: {problem}".splitlines()[0], file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(order_id)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sellerbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the bot (long polling)")
    db = commands.add_parser("db", help="database commands")
    db.add_argument("action", choices=["upgrade"], help="apply schema migrations")
    commands.add_parser("health", help="exit 0 if the running bot's heartbeat is fresh")
    order = commands.add_parser(
        "simulate-order", help="place an order on a seller's storefront, as a buyer app would"
    )
    order.add_argument("--seller-telegram-id", type=int, required=True)
    order.add_argument("--storefront", type=int, help="our storefront number (default: the first)")
    order.add_argument(
        "--items", nargs="+", metavar="ITEM_ID:QTY", help="default: one or two items in stock"
    )
    order.add_argument("--cod", action="store_true", help="cash on delivery (default: prepaid)")
    args = parser.parse_args(argv)
    try:
        settings = Settings()
        configure_logging(settings)
        if args.command == "run":
            return run(settings)
        if args.command == "db":
            return db_upgrade(settings)
        if args.command == "simulate-order":
            return simulate(settings, args)
        return health(settings)
    except ConfigError as problem:
        print(f"sellerbot: {problem}", file=sys.stderr)
        return 2
    except ValidationError as problem:
        first = problem.errors()[0]
        where = "SELLERBOT_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        print(f"sellerbot: {where}: {first['msg']}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
