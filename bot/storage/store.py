"""The store handlers use (`context.store`): languages, sellers, shops, drafts, heartbeats."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, insert, or_, update
from sqlmodel import Session, select

from bot.domain import orders
from bot.domain.product import LowStock, low_stock_after
from bot.storage.db import session_scope, upsert
from bot.storage.models import (
    Cursor,
    Draft,
    GatewayToken,
    Heartbeat,
    OrderAlert,
    Product,
    Seller,
    Shop,
    TelegramUser,
    search_key,
    utcnow,
)


class Store:
    """Reads and writes the bot's own tables; every write is committed before it returns."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Every update needs its user's language and most need their draft: write-through caches
        # save a query each. One bot process owns its database, so the caches stay true.
        self._languages: dict[int, str | None] = {}
        self._drafts: dict[tuple[int, str], dict[str, Any] | None] = {}
        self._last_seen: dict[int, datetime] = {}  # in memory only: who wrote when, this run

    def language_of(self, telegram_id: int) -> str | None:
        if telegram_id not in self._languages:
            with session_scope(self.engine) as session:
                user = session.get(TelegramUser, telegram_id)
                self._languages[telegram_id] = user.language if user else None
        return self._languages[telegram_id]

    def set_language(self, telegram_id: int, language: str) -> None:
        with session_scope(self.engine) as session:
            user = session.get(TelegramUser, telegram_id) or TelegramUser(telegram_id=telegram_id)
            user.language = language
            session.add(user)
        self._languages[telegram_id] = language

    def seller_of(self, telegram_id: int) -> Seller | None:
        with session_scope(self.engine) as session:
            return session.exec(select(Seller).where(Seller.telegram_id == telegram_id)).first()

    def add_seller(self, seller: Seller) -> None:
        with session_scope(self.engine) as session:
            session.add(seller)

    def shops_of(self, seller_id: str) -> list[Shop]:
        """A seller's storefronts, oldest first."""
        with session_scope(self.engine) as session:
            return list(
                session.exec(select(Shop).where(Shop.seller_id == seller_id).order_by(Shop.id))  # type: ignore[arg-type]
            )

    def shop_of(self, telegram_id: int, shop_id: int) -> Shop | None:
        """The storefront `shop_id` if the seller of this Telegram user owns it, else None."""
        with session_scope(self.engine) as session:
            return session.exec(
                select(Shop)
                .join(Seller, Seller.id == Shop.seller_id)  # type: ignore[arg-type]
                .where(Shop.id == shop_id, Seller.telegram_id == telegram_id)
            ).first()

    def add_shop(self, shop: Shop) -> Shop:
        """Lists a storefront; the one already listed under its storefront_id if there is one
        (a Create whose confirmation was cut short is repeated safely)."""
        with session_scope(self.engine) as session:
            listed = session.exec(
                select(Shop).where(Shop.storefront_id == shop.storefront_id)
            ).first()
            if listed is not None:
                return listed
            session.add(shop)
            session.flush()
            session.refresh(shop)
            return shop

    def copy_storefront(
        self, shop_id: int, *, name: str, categories: list[str], has_location: bool
    ) -> None:
        """Keeps the bot's copy of a storefront's name, categories and location up to date."""
        with session_scope(self.engine) as session:
            shop = session.get(Shop, shop_id)
            if shop is not None:
                shop.name, shop.categories, shop.has_location = name, categories, has_location
                session.add(shop)

    def delete_shop(self, shop_id: int) -> None:
        """Forgets a storefront and the products listed under it (the gateway deleted them)."""
        with self.engine.begin() as connection:
            connection.execute(delete(Product).where(Product.shop_id == shop_id))  # type: ignore[arg-type]
            connection.execute(delete(Shop).where(Shop.id == shop_id))  # type: ignore[arg-type]

    # Products ---------------------------------------------------------------------------------

    def save_product(self, product: Product) -> Product:
        """Lists a published item, or updates the listing with the same catalogue_item_id (its
        low-stock level stays as the seller set it)."""
        values = product.model_dump(exclude={"id", "updated_at", "low_stock"})
        values["name_key"] = search_key(product.name)
        with session_scope(self.engine) as session:
            listed = session.exec(
                select(Product).where(Product.catalogue_item_id == product.catalogue_item_id)
            ).first()
            if listed is not None:
                values.pop("low_stock_at")
            row = listed or Product.model_validate(values)
            for name, value in values.items():
                setattr(row, name, value)
            _stock_set_by_seller(row, row.stock)
            row.updated_at = utcnow()
            session.add(row)
            session.flush()
            session.refresh(row)
            return row

    def products_page(
        self, shop_id: int, page: int, per_page: int, search: str | None = None
    ) -> tuple[list[Product], int]:
        """One page of a storefront's products by name (those whose name contains `search`),
        and how many there are in all."""
        where = [Product.shop_id == shop_id]
        if search:
            pattern = "%" + _escape_like(search_key(search)) + "%"
            where.append(Product.name_key.like(pattern, escape="\\"))  # type: ignore[attr-defined]
        with session_scope(self.engine) as session:
            total = session.exec(select(func.count()).select_from(Product).where(*where)).one()
            rows = session.exec(
                select(Product)
                .where(*where)
                .order_by(Product.name_key, Product.id)  # type: ignore[arg-type]
                .offset(page * per_page)
                .limit(per_page)
            )
            return list(rows), total

    def product_of(self, telegram_id: int, product_id: int) -> Product | None:
        """The product if the seller of this Telegram user owns its storefront, else None."""
        with session_scope(self.engine) as session:
            return session.exec(
                select(Product)
                .join(Shop, Shop.id == Product.shop_id)  # type: ignore[arg-type]
                .join(Seller, Seller.id == Shop.seller_id)  # type: ignore[arg-type]
                .where(Product.id == product_id, Seller.telegram_id == telegram_id)
            ).first()

    def set_product_stock(self, product_id: int, stock: int) -> None:
        """The stock the seller set (the card shows it, so no low-stock alert follows)."""
        with session_scope(self.engine) as session:
            row = session.get(Product, product_id)
            if row is not None:
                _stock_set_by_seller(row, stock)
                row.updated_at = utcnow()
                session.add(row)

    def set_low_stock_at(self, product_id: int, level: int | None) -> Product | None:
        """The item's low-stock level (None: no alerts); the item as it is now."""
        with session_scope(self.engine) as session:
            row = session.get(Product, product_id)
            if row is not None:
                row.low_stock_at = level
                _stock_set_by_seller(row, row.stock)
                session.add(row)
                session.flush()
                session.refresh(row)
            return row

    def low_stock_due(self, telegram_id: int | None = None) -> list[tuple[Product, int]]:
        """Items orders brought to their low-stock level, with their seller's chat (only this
        Telegram user's, if given), oldest change first."""
        query = (
            select(Product, Seller.telegram_id)
            .join(Shop, Shop.id == Product.shop_id)  # type: ignore[arg-type]
            .join(Seller, Seller.id == Shop.seller_id)  # type: ignore[arg-type]
            .where(Product.low_stock == LowStock.DUE.value)
        )
        if telegram_id is not None:
            query = query.where(Seller.telegram_id == telegram_id)
        with session_scope(self.engine) as session:
            rows = session.exec(query.order_by(Product.updated_at, Product.id))  # type: ignore[arg-type]
            return [(product, chat_id) for product, chat_id in rows.all()]

    def claim_low_stock(self, product_id: int) -> Product | None:
        """Marks a due low-stock alert as told and returns the item as it is now; None if it is
        no longer due (told by another path, or restocked). Whoever claims it sends it."""
        with self.engine.begin() as connection:
            claimed = connection.execute(
                update(Product)
                .where(Product.id == product_id, Product.low_stock == LowStock.DUE.value)  # type: ignore[arg-type]
                .values(low_stock=LowStock.TOLD.value)
            ).rowcount
        if not claimed:
            return None
        with session_scope(self.engine) as session:
            return session.get(Product, product_id)

    def unclaim_low_stock(self, product_id: int) -> None:
        """A claimed alert that could not be sent: due again, for the next tick."""
        with self.engine.begin() as connection:
            connection.execute(
                update(Product)
                .where(Product.id == product_id, Product.low_stock == LowStock.TOLD.value)  # type: ignore[arg-type]
                .values(low_stock=LowStock.DUE.value)
            )

    def set_product_photo(self, product_id: int, file_id: str) -> None:
        """Remembers Telegram's id of the photo the card shows, to send it again by id."""
        with self.engine.begin() as connection:
            connection.execute(
                update(Product).where(Product.id == product_id).values(photo_file_id=file_id)  # type: ignore[arg-type]
            )

    def delete_product(self, product_id: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(Product).where(Product.id == product_id))  # type: ignore[arg-type]

    def draft(self, telegram_id: int, kind: str) -> dict[str, Any] | None:
        key = (telegram_id, kind)
        if key not in self._drafts:
            with session_scope(self.engine) as session:
                row = session.get(Draft, key)
                self._drafts[key] = dict(row.data) if row else None
        return copy.deepcopy(self._drafts[key])  # callers may change theirs freely

    def draft_is(self, telegram_id: int, kind: str, data: dict[str, Any]) -> bool:
        """True if the stored draft already equals `data` (nothing to write)."""
        key = (telegram_id, kind)
        if key not in self._drafts:
            self.draft(telegram_id, kind)
        return self._drafts[key] == data

    def save_draft(self, telegram_id: int, kind: str, data: dict[str, Any]) -> None:
        with self.engine.begin() as connection:
            upsert(
                connection,
                Draft,
                {"telegram_id": telegram_id, "kind": kind},
                {"data": data, "updated_at": utcnow()},
            )
        self._drafts[(telegram_id, kind)] = copy.deepcopy(data)

    def delete_draft(self, telegram_id: int, kind: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                delete(Draft).where(Draft.telegram_id == telegram_id, Draft.kind == kind)  # type: ignore[arg-type]
            )
        self._drafts[(telegram_id, kind)] = None

    def seen(self, telegram_id: int, when: datetime) -> None:
        self._last_seen[telegram_id] = when

    def last_seen(self, telegram_id: int) -> datetime | None:
        return self._last_seen.get(telegram_id)

    def drafts_untouched_since(self, moment: datetime) -> list[tuple[int, str, dict[str, Any]]]:
        """(telegram id, kind, data) of every draft last saved before `moment`."""
        with session_scope(self.engine) as session:
            rows = session.exec(select(Draft).where(Draft.updated_at < moment))
            return [(row.telegram_id, row.kind, dict(row.data)) for row in rows]

    def advance_cursor(
        self, name: str, value: int, remember: timedelta, upto: int | None = None
    ) -> bool:
        """Moves a cursor past `value` (to `upto`, default `value`); False, and no change, if it
        was already at or past `value` less than `remember` ago. An older cursor no longer
        counts: the stream may have started again from a lower number."""
        now = utcnow()
        upto = value if upto is None else upto
        table = Cursor.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as connection:
            moved = connection.execute(
                update(table)
                .where(table.c.name == name)
                .where(or_(table.c.value < value, table.c.moved_at < now - remember))
                .values(value=upto, moved_at=now)
            ).rowcount
            if moved:
                return True
            if connection.execute(select(table.c.name).where(table.c.name == name)).first():
                return False
            connection.execute(insert(table).values(name=name, value=upto, moved_at=now))
            return True

    def cursor_token(self, name: str) -> str | None:
        with session_scope(self.engine) as session:
            row = session.get(Cursor, name)
            return row.token if row else None

    def set_cursor_token(self, name: str, token: str) -> None:
        with self.engine.begin() as connection:
            upsert(
                connection,
                Cursor,
                {"name": name},
                {"value": 0, "token": token, "moved_at": utcnow()},
            )

    # Order alerts -----------------------------------------------------------------------------

    def gateway_token(self, name: str) -> tuple[str, datetime] | None:
        """A gateway's stored access token and when it expires (a secret: never log it)."""
        with session_scope(self.engine) as session:
            row = session.get(GatewayToken, name)
            if row is None:
                return None
            expires_at = row.expires_at
            if expires_at.tzinfo is None:  # SQLite gives back naive UTC
                expires_at = expires_at.replace(tzinfo=UTC)
            return row.token, expires_at

    def save_gateway_token(self, name: str, token: str, expires_at: datetime) -> None:
        with self.engine.begin() as connection:
            upsert(
                connection, GatewayToken, {"name": name}, {"token": token, "expires_at": expires_at}
            )

    def shop_by_gateway_id(self, gateway_storefront_id: int) -> Shop | None:
        with session_scope(self.engine) as session:
            return session.exec(
                select(Shop).where(Shop.gateway_storefront_id == gateway_storefront_id)
            ).first()

    def shop_of_id(self, shop_id: int) -> Shop | None:
        with session_scope(self.engine) as session:
            return session.get(Shop, shop_id)

    def stock_of(self, catalogue_item_id: str) -> int | None:
        """The item's stock as the bot counts it (the seller's count, less what orders took)."""
        with session_scope(self.engine) as session:
            return session.exec(
                select(Product.stock).where(Product.catalogue_item_id == catalogue_item_id)
            ).first()

    def product_names(self, catalogue_item_ids: Iterable[str]) -> dict[str, str]:
        """Our products' names by catalogue item id (those we know)."""
        ids = list(catalogue_item_ids)
        with session_scope(self.engine) as session:
            rows = session.exec(
                select(Product.catalogue_item_id, Product.name).where(
                    Product.catalogue_item_id.in_(ids)  # type: ignore[attr-defined]
                )
            )
            return dict(rows.all())

    def owner_of(self, shop: Shop) -> Seller | None:
        with session_scope(self.engine) as session:
            return session.get(Seller, shop.seller_id)

    def alert_for_order(self, order_id: str) -> OrderAlert | None:
        with session_scope(self.engine) as session:
            return session.exec(select(OrderAlert).where(OrderAlert.order_id == order_id)).first()

    def add_alert(self, alert: OrderAlert) -> OrderAlert:
        """Records a new order's alert; an order that arrives already accepted has its packs
        taken out of the items' stock here, in the same transaction."""
        with session_scope(self.engine) as session:
            session.add(alert)
            session.flush()
            _follow_stock(session, alert, orders.STAGE_STATES[orders.Stage.NEW], alert.state)
            session.flush()
            session.refresh(alert)
            return alert

    def move_alert(self, alert: OrderAlert, state: str, **changes: Any) -> bool:
        """Moves an alert to its order's new state (and `changes`, e.g. the reason), taking the
        order's packs out of the items' stock or putting them back as the move requires, in one
        transaction. False, writing nothing, if the stored alert is at that state already: of a
        press and the watcher seeing the same move, only the first counts the stock. `alert`
        is refreshed to the stored row either way."""
        with session_scope(self.engine) as session:
            row = session.get(OrderAlert, alert.id)
            if row is None:
                return False
            moved = row.state != state
            if moved:
                _follow_stock(session, row, row.state, state)
                row.state = state
                for name, value in changes.items():
                    setattr(row, name, value)
                session.add(row)
                session.flush()
                session.refresh(row)
            for name, value in row.model_dump().items():  # the caller's copy, as stored
                setattr(alert, name, value)
            return moved

    def alert_shown(self, alert_id: int, message_id: int) -> None:
        """The message that now shows the alert; nothing left to tell. Only these two columns
        are written: a press may have moved the order while the message was on its way."""
        with self.engine.begin() as connection:
            connection.execute(
                update(OrderAlert)
                .where(OrderAlert.id == alert_id)  # type: ignore[arg-type]
                .values(message_id=message_id, changed_outside=False)
            )

    def alerts_to_deliver(self) -> list[OrderAlert]:
        """Alerts not sent yet, and sent ones whose order changed from outside; oldest first."""
        with session_scope(self.engine) as session:
            return list(
                session.exec(
                    select(OrderAlert)
                    .where(
                        or_(OrderAlert.message_id.is_(None), OrderAlert.changed_outside)  # type: ignore[union-attr]
                    )
                    .order_by(OrderAlert.id)  # type: ignore[arg-type]
                )
            )

    def alert_of(self, telegram_id: int, alert_id: int) -> OrderAlert | None:
        """The alert if its order is in one of this Telegram user's seller's storefronts."""
        with session_scope(self.engine) as session:
            return session.exec(
                select(OrderAlert)
                .join(Shop, Shop.id == OrderAlert.shop_id)  # type: ignore[arg-type]
                .join(Seller, Seller.id == Shop.seller_id)  # type: ignore[arg-type]
                .where(OrderAlert.id == alert_id, Seller.telegram_id == telegram_id)
            ).first()

    def alerts_of(self, telegram_id: int, number: str | None = None) -> list[OrderAlert]:
        """Every order alert of this Telegram user's seller, newest first (those whose order id
        starts with `number`, in any case, if given)."""
        with session_scope(self.engine) as session:
            query = (
                select(OrderAlert)
                .join(Shop, Shop.id == OrderAlert.shop_id)  # type: ignore[arg-type]
                .join(Seller, Seller.id == Shop.seller_id)  # type: ignore[arg-type]
                .where(Seller.telegram_id == telegram_id)
            )
            if number:
                pattern = _escape_like(number.strip().lower()) + "%"
                query = query.where(
                    func.lower(OrderAlert.order_id).like(pattern, escape="\\")  # type: ignore[arg-type]
                )
            return list(session.exec(query.order_by(OrderAlert.id.desc())))  # type: ignore[union-attr]

    def beat(self, name: str = "bot") -> None:
        with session_scope(self.engine) as session:
            row = session.get(Heartbeat, name) or Heartbeat(name=name, beat_at=utcnow())
            row.beat_at = utcnow()
            session.add(row)

    def last_beat(self, name: str = "bot") -> datetime | None:
        with session_scope(self.engine) as session:
            row = session.get(Heartbeat, name)
            return row.beat_at if row else None


def _stock_set_by_seller(row: Product, stock: int) -> None:
    row.stock = stock
    row.low_stock = low_stock_after(
        stock, row.low_stock_at, LowStock(row.low_stock), by_seller=True
    ).value


def _follow_stock(session: Session, alert: OrderAlert, old_state: str, new_state: str) -> None:
    """The items' stock as the gateway keeps it when an order moves (domain.orders.stock_taken):
    Setu cannot tell stock, so the index counts it too. Taking never goes below 0 and is
    recorded on the alert; giving back returns exactly what was taken. A fall to an item's level
    makes a low-stock alert due."""
    taken = orders.stock_taken(old_state, new_state)
    if not taken:
        return
    quantities = orders.quantities(alert.details["order"]["order_items"])
    products = session.exec(
        select(Product).where(
            Product.shop_id == alert.shop_id,
            # Our ids are uuid4 strings, lower case, as domain.orders.quantities gives them.
            Product.catalogue_item_id.in_(list(quantities)),  # type: ignore[attr-defined]
        )
    )
    held = dict(alert.stock_taken)
    for product in products:
        item = product.catalogue_item_id.lower()
        if taken > 0:
            held[item] = min(product.stock, quantities[item])
            product.stock -= held[item]
        else:
            product.stock += held.pop(item, 0)
        product.low_stock = low_stock_after(
            product.stock, product.low_stock_at, LowStock(product.low_stock), by_seller=False
        ).value
        product.updated_at = utcnow()
        session.add(product)
    alert.stock_taken = held if taken > 0 else {}
    session.add(alert)


def _escape_like(text: str) -> str:
    """A search term as a LIKE pattern's literal part: % and _ are letters a seller typed."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
