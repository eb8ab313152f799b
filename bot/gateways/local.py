"""LocalGateway: the embedded default gateway, which keeps everything in the bot's own database."""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pydantic
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    UniqueConstraint,
    delete,
    func,
)
from sqlmodel import Field, Session, SQLModel, select

from bot.domain.categories import FSSAI_CATEGORIES
from bot.domain.orders import FINAL_STATES, holds_stock
from bot.gateways.base import (
    ORDER_STATES,
    AlreadyExists,
    CatalogueItem,
    FieldError,
    InvalidRequest,
    NotFound,
    Order,
    OrderChange,
    OrderChanges,
    OrderInput,
    OrderStateUpdate,
    OrderUpdateResult,
    Seller,
    SellerGateway,
    SellerInput,
    SellerUpdate,
    Serviceability,
    Storefront,
    StorefrontInput,
    StorefrontStatus,
    StorefrontUpdate,
    UploadResult,
)
from bot.storage.db import session_scope

# It mimics the Setu ONDC gateway as setu-ondc.md §11 recommends: integer ids handed out,
# AlreadyExists/NotFound where Setu answers 409/404, and InvalidRequest with a dotted field path for
# every [S] pattern and [G] rule. Section numbers (§n) in comments refer to that document.

# ---------------------------------------------------------------------------------------------
# Tables. sqlite_autoincrement stops SQLite from handing a deleted row's id to the next row: a bot
# that still holds the old setu_seller_id must get NotFound, not somebody else's seller.


def _owned_by(parent_key: str) -> Any:
    """A column pointing at the parent row; deleting the parent deletes this row too."""
    return Field(
        sa_column=Column(
            Integer, ForeignKey(parent_key, ondelete="CASCADE"), nullable=False, index=True
        )
    )


class LocalSeller(SQLModel, table=True):
    """A seller registered with the local gateway."""

    __tablename__ = "local_seller"
    __table_args__ = {"sqlite_autoincrement": True}

    setu_seller_id: int | None = Field(default=None, primary_key=True)
    seller_id: str = Field(unique=True, index=True)
    name: str
    legal_entity_name: str
    incorporation_type: str
    gst_number: str
    pan_number: str
    fssai_number: str | None = None
    categories: list[str] = Field(sa_type=JSON)
    bank_account: dict[str, Any] = Field(sa_type=JSON)


class LocalStorefront(SQLModel, table=True):
    """A storefront of a local seller; nested parts are kept as the JSON the models dump."""

    __tablename__ = "local_storefront"
    __table_args__ = {"sqlite_autoincrement": True}

    setu_storefront_id: int | None = Field(default=None, primary_key=True)
    storefront_id: str = Field(unique=True, index=True)
    setu_seller_id: int = _owned_by("local_seller.setu_seller_id")
    name: str
    categories: list[str] = Field(sa_type=JSON)
    pickup_details: dict[str, Any] = Field(sa_type=JSON)
    billing_details: dict[str, Any] = Field(sa_type=JSON)
    business_hours: dict[str, Any] = Field(sa_type=JSON)
    fulfilment: str
    serviceability: dict[str, Any] = Field(sa_type=JSON)
    policies: dict[str, Any] = Field(sa_type=JSON)
    status: str
    rating: float = 0.0


class LocalCatalogueItem(SQLModel, table=True):
    """One catalogue item; `quantity` is the live stock, which the inventory call replaces."""

    __tablename__ = "local_catalogue_item"
    __table_args__ = (
        UniqueConstraint("setu_storefront_id", "catalogue_item_id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    setu_storefront_id: int = _owned_by("local_storefront.setu_storefront_id")
    catalogue_item_id: str
    name: str  # a copy of the item's name, for operators reading the table
    quantity: int
    # The item as sent; its inventory.quantity is stale once `quantity` changes.
    payload: dict[str, Any] = Field(sa_type=JSON)


class LocalOrder(SQLModel, table=True):
    """A buyer's order on a local storefront."""

    __tablename__ = "local_order"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(unique=True, index=True)
    setu_storefront_id: int = _owned_by("local_storefront.setu_storefront_id")
    order_state: str
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    # The rest of the order (items, buyer, feedback, notes, total) as the model dumps it.
    payload: dict[str, Any] = Field(sa_type=JSON)
    # Every change gives the order the next number: "changed since" is one indexed query.
    version: int = Field(unique=True, index=True)
    changed_at: datetime = Field(sa_type=DateTime(timezone=True))
    cash_on_delivery: bool = False
    # Whether the order's packs are taken out of stock (from acceptance until a cancellation).
    reserved: bool = False


# ---------------------------------------------------------------------------------------------
# Rules. Each check returns the problems it finds; callers prefix paths and raise them together,
# so the seller hears about every bad field at once.

# [S] patterns (§5, §6). PAN and phone are unanchored in the spec (pydantic v1 only anchors the
# start); we match the whole value, which is stricter and never lets through what Setu rejects.
_GSTIN_RE = re.compile(r"[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z]{1}[1-9A-Z]{1}Z[0-9A-Z]{1}")
_PAN_RE = re.compile(r"[A-Z]{5}[0-9]{4}[A-Z]{1}")
_IFSC_RE = re.compile(r"[A-Z]{4}0[A-Z0-9]{6}")
_PHONE_RE = re.compile(r"(\+91)?(-)?\s*?(91)?\s*?(\d{3})-?\s*?(\d{3})-?\s*?(\d{4})")
# §5 gives no FSSAI format; every licence number is 14 digits (ondc-retail.md §5.3).
_FSSAI_RE = re.compile(r"[0-9]{14}")
_URI_MAX = 2083

# §7.1 rules 2–3: these sub-category names are qualifiers that need their statutory block, not
# storefront categories ([G]'s own example is ["F&B", "prepackaged_food"]). [inferred] F&B items
# need the food_beverages block (the veg/non-veg mark).
_QUALIFIER_BLOCKS = {
    "prepackaged_food": "prepackaged_food",
    "prepackaged_commodities": "prepackaged_commodities",
}
_CATEGORY_BLOCKS = {"F&B": "food_beverages"}

Problems = list[FieldError]
M = TypeVar("M", bound=pydantic.BaseModel)


def _join(prefix: str, field: str) -> str:
    return ".".join(part for part in (prefix, field) if part)


def _prefixed(prefix: str, problems: Problems) -> Problems:
    return [FieldError(_join(prefix, p.field), p.message) for p in problems]


def _raise_if_any(problems: Problems) -> None:
    if problems:
        # Setu answers 400 BAD_REQUEST / 2001 for rule violations (§4).
        raise InvalidRequest(problems, code="2001")


def _canonical_uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _lookup_id(value: str) -> str:
    # Ids are stored in canonical uuid form; anything else simply matches nothing.
    return _canonical_uuid(value) or value


def _blank(field: str, value: str | None) -> Problems:
    return [FieldError(field, "must not be empty")] if not (value or "").strip() else []


def _pattern(field: str, value: str, regex: re.Pattern[str], what: str) -> Problems:
    return [] if regex.fullmatch(value) else [FieldError(field, f"is not a valid {what}")]


def _email(field: str, value: str) -> Problems:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return [FieldError(field, "is not a valid e-mail address")]
    return []


def _uri(field: str, value: str) -> Problems:
    # [S] images are pydantic v1 HttpUrl: http(s), at most 2083 characters, and a host with a
    # top-level domain unless it is an IP address (so no localhost).
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:
        return [FieldError(field, "is not a valid http(s) URL")]
    if not 1 <= len(value) <= _URI_MAX or parts.scheme not in ("http", "https") or not host:
        return [FieldError(field, "is not a valid http(s) URL")]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if "." not in host.strip("."):
            return [FieldError(field, "needs a host with a top-level domain")]
    return []


def _seller_problems(seller: SellerInput) -> Problems:
    problems: Problems = []
    if _canonical_uuid(seller.seller_id) is None:
        problems.append(FieldError("seller_id", "is not a uuid"))
    problems += _blank("name", seller.name)
    problems += _blank("legal_entity_name", seller.legal_entity_name)
    problems += _pattern("gst_number", seller.gst_number, _GSTIN_RE, "GSTIN")
    problems += _pattern("pan_number", seller.pan_number, _PAN_RE, "PAN")
    if not seller.categories:
        problems.append(FieldError("categories", "needs at least one category"))
    # §5: FSSAI is optional, but required when the seller sells food.
    if seller.fssai_number:
        problems += _pattern("fssai_number", seller.fssai_number, _FSSAI_RE, "FSSAI number")
    elif not FSSAI_CATEGORIES.isdisjoint(seller.categories):
        problems.append(FieldError("fssai_number", "is required for F&B and Grocery"))
    problems += _blank("bank_account.account_number", seller.bank_account.account_number)
    problems += _pattern(
        "bank_account.ifsc_code", seller.bank_account.ifsc_code, _IFSC_RE, "IFSC code"
    )
    return problems


def _coordinates_problems(lat: str | None, long: str | None) -> Problems:
    problems: Problems = []
    for field, value, limit in (("pickup_lat", lat, 90), ("pickup_long", long, 180)):
        if value is None:
            continue
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not -limit <= number <= limit:
            problems.append(FieldError(field, "is not a valid coordinate"))
    return problems


def _serviceability_problems(
    area: Serviceability, *, has_coordinates: bool, required: bool
) -> Problems:
    """§6: a radius or pincodes, never both; a radius needs the pickup coordinates."""
    if area.radius is not None and area.pincodes:
        return [FieldError("", "give a radius or pincodes, not both")]
    if area.radius is None and not area.pincodes:
        # A storefront must say where it delivers; an item may leave it to its storefront.
        return [FieldError("", "give a radius or pincodes")] if required else []
    if area.radius is not None:
        if area.radius <= 0:
            return [FieldError("radius", "must be positive")]
        if not has_coordinates:
            return [FieldError("radius", "a radius needs pickup_lat and pickup_long")]
    return []


def _storefront_problems(storefront: StorefrontInput, seller_categories: Sequence[str]) -> Problems:
    problems: Problems = []
    if _canonical_uuid(storefront.storefront_id) is None:
        problems.append(FieldError("storefront_id", "is not a uuid"))
    problems += _blank("name", storefront.name)
    if not storefront.categories:
        problems.append(FieldError("categories", "needs at least one category"))
    # §6: a storefront sells only what its seller registered for.
    outside = [c for c in storefront.categories if c not in seller_categories]
    if outside:
        problems.append(FieldError("categories", f"not among the seller's: {', '.join(outside)}"))

    pickup = storefront.pickup_details
    for name in ("pickup_name", "pickup_pincode", "pickup_address", "pickup_city"):
        problems += _blank(f"pickup_details.{name}", getattr(pickup, name))
    problems += _email("pickup_details.email", pickup.email)
    problems += _pattern("pickup_details.pickup_phone", pickup.pickup_phone, _PHONE_RE, "phone")
    problems += _prefixed(
        "pickup_details", _coordinates_problems(pickup.pickup_lat, pickup.pickup_long)
    )

    billing = storefront.billing_details
    legal = billing.legal_details
    problems += _blank("billing_details.legal_details.incorporation_name", legal.incorporation_name)
    problems += _pattern("billing_details.legal_details.gstin", legal.gstin, _GSTIN_RE, "GSTIN")
    problems += _pattern("billing_details.legal_details.pan", legal.pan, _PAN_RE, "PAN")
    contact = billing.contact_detail
    problems += _pattern("billing_details.contact_detail.phone", contact.phone, _PHONE_RE, "phone")
    problems += _email("billing_details.contact_detail.email", contact.email)
    bank = billing.bank_account
    problems += _blank("billing_details.bank_account.account_number", bank.account_number)
    problems += _pattern("billing_details.bank_account.ifsc_code", bank.ifsc_code, _IFSC_RE, "IFSC")

    # §6: a day may have any number of slots, each opening before it closes.
    for day, slots in storefront.business_hours:
        for index, slot in enumerate(slots or []):
            if slot.opening >= slot.closing:
                problems.append(
                    FieldError(f"business_hours.{day}.{index}", "opening must be before closing")
                )

    has_coordinates = pickup.pickup_lat is not None and pickup.pickup_long is not None
    problems += _prefixed(
        "serviceability",
        _serviceability_problems(
            storefront.serviceability, has_coordinates=has_coordinates, required=True
        ),
    )
    return problems


def _tax_inclusive_price(selling_price: Decimal, tax_rate: Decimal, exclusive: bool) -> Decimal:
    # §7.1 rule 5: "exclusive" means GST comes on top of the selling price.
    return selling_price * (1 + tax_rate / 100) if exclusive else selling_price


def _item_problems(item: CatalogueItem, storefront: LocalStorefront) -> Problems:
    problems: Problems = []
    if _canonical_uuid(item.catalogue_item_id) is None:
        problems.append(FieldError("catalogue_item_id", "is not a uuid"))

    # §7.1 rule 1: sub_categories ⊆ the storefront's categories, qualifiers aside (rule 2).
    categories = [c for c in item.sub_categories if c not in _QUALIFIER_BLOCKS]
    if not categories:
        problems.append(FieldError("sub_categories", "needs one of the storefront's categories"))
    outside = [c for c in categories if c not in storefront.categories]
    if outside:
        problems.append(
            FieldError("sub_categories", f"not among the storefront's: {', '.join(outside)}")
        )

    details = item.catalogue_item_details
    for name in ("name", "symbol", "short_description", "long_description"):
        problems += _blank(f"catalogue_item_details.{name}", getattr(details, name))
    for index, image in enumerate(details.images):
        problems += _uri(f"catalogue_item_details.images.{index}", image)

    # §7.1 rule 3: the statutory block of every sub-category the item is in.
    requirements = details.subcategory_specific_requirements
    blocks = {**_QUALIFIER_BLOCKS, **_CATEGORY_BLOCKS}
    for sub_category in item.sub_categories:
        block = blocks.get(sub_category)
        if block and (requirements is None or getattr(requirements, block) is None):
            problems.append(
                FieldError(
                    f"catalogue_item_details.subcategory_specific_requirements.{block}",
                    f"is required for {sub_category} items",
                )
            )

    price = details.price
    at = "catalogue_item_details.price"
    if price.max_retail_price <= 0:
        problems.append(FieldError(f"{at}.max_retail_price", "must be positive"))
    if not 0 <= price.total_tax_rate <= 100:
        problems.append(FieldError(f"{at}.total_tax_rate", "must be a percentage"))
    # ONDC rejects a zero price and a price above MRP (ondc-retail.md §5.3, codes 91010/91001);
    # MRP includes every tax, so the comparison is with the price the buyer pays.
    if price.selling_price <= 0:
        problems.append(FieldError(f"{at}.selling_price", "must be positive"))
    elif (
        _tax_inclusive_price(
            price.selling_price, price.total_tax_rate, price.is_selling_price_exclusive_of_gst
        )
        > price.max_retail_price
    ):
        problems.append(
            FieldError(f"{at}.selling_price", "with GST it must not exceed max_retail_price")
        )
    # §7.1 rule 6: if any component is given, the components add up to the total.
    components = [price.sgst_tax_rate, price.cgst_tax_rate, price.igst_tax_rate]
    if any(c is not None for c in components) and (
        sum((c for c in components if c is not None), Decimal(0)) != price.total_tax_rate
    ):
        problems.append(
            FieldError(f"{at}.total_tax_rate", "must equal sgst + cgst + igst tax rates")
        )

    if item.inventory.unit_value <= 0:
        problems.append(FieldError("inventory.unit_value", "must be positive"))
    if item.inventory.quantity < 0:
        problems.append(FieldError("inventory.quantity", "must not be negative"))

    policies = item.item_policies
    shipping = policies.time_to_ship
    if min(shipping.days, shipping.hours, shipping.seconds) < 0:
        problems.append(FieldError("item_policies.time_to_ship", "must not be negative"))
    for name in ("return_window", "max_sale_quantity", "min_sale_quantity"):
        value = getattr(policies, name)
        if value is not None and value < 0:
            problems.append(FieldError(f"item_policies.{name}", "must not be negative"))

    pickup = storefront.pickup_details
    has_coordinates = pickup.get("pickup_lat") is not None and pickup.get("pickup_long") is not None
    problems += _prefixed(
        "serviceability",
        _serviceability_problems(
            item.serviceability, has_coordinates=has_coordinates, required=False
        ),
    )
    return problems


def _order_problems(order: OrderInput, stock: Mapping[str, int]) -> Problems:
    problems: Problems = []
    if order.order_state not in ORDER_STATES:
        problems.append(FieldError("order_state", "is not a known order state"))
    if not order.order_items:
        problems.append(FieldError("order_items", "needs at least one item"))
    # §3: each order item maps to one catalogue item of the storefront.
    for index, line in enumerate(order.order_items):
        at = f"order_items.{index}"
        item_id = _lookup_id(line.store_front_product_id)
        if item_id not in stock:
            problems.append(FieldError(f"{at}.store_front_product_id", "is not in the catalogue"))
        if line.quantity <= 0:
            problems.append(FieldError(f"{at}.quantity", "must be positive"))
        elif item_id in stock and line.quantity > stock[item_id]:
            problems.append(FieldError(f"{at}.quantity", "is more than the stock"))
        if line.unit_price * line.quantity != line.total_value:
            problems.append(FieldError(f"{at}.total_value", "must be unit_price × quantity"))
    # [inferred] the order total may add delivery or packing charges, so it is not checked.
    if order.total_value <= 0:
        problems.append(FieldError("total_value", "must be positive"))
    return problems


def _validation_problems(error: pydantic.ValidationError) -> Problems:
    """A merged partial update that no longer fits the model, as FieldErrors."""
    return [
        FieldError(".".join(str(part) for part in detail["loc"]), detail["msg"])
        for detail in error.errors()
    ]


# ---------------------------------------------------------------------------------------------
# Row <-> model


def _seller_from_row(row: LocalSeller) -> Seller:
    return Seller.model_validate(row.model_dump())


def _storefront_from_row(row: LocalStorefront) -> Storefront:
    return Storefront.model_validate(row.model_dump())


def _item_from_row(row: LocalCatalogueItem) -> CatalogueItem:
    payload = dict(row.payload)
    payload["inventory"] = {**payload["inventory"], "quantity": row.quantity}
    return CatalogueItem.model_validate(payload)


def _order_from_row(row: LocalOrder) -> Order:
    return Order.model_validate(
        {**row.payload, "order_id": row.order_id, "order_state": row.order_state}
    )


def _merged(model: type[M], current: Mapping[str, Any], changes: pydantic.BaseModel) -> M:
    """The current record with the set fields of a partial update on top, re-validated."""
    try:
        return model.model_validate(
            {**current, **changes.model_dump(mode="json", exclude_unset=True)}
        )
    except pydantic.ValidationError as error:
        raise InvalidRequest(_validation_problems(error), code="2001") from error


# ---------------------------------------------------------------------------------------------
# The gateway


class LocalGateway(SellerGateway):
    """Setu's seller API, played by the bot's own database; the default when no gateway is set."""

    def __init__(self, engine: Engine) -> None:
        # Synchronous sessions inside async methods are fine: SQLite answers in milliseconds.
        self._engine = engine

    # Seller ---------------------------------------------------------------------------------

    async def create_seller(self, seller: SellerInput) -> int:
        _raise_if_any(_seller_problems(seller))
        seller_id = _lookup_id(seller.seller_id)
        with session_scope(self._engine) as session:
            existing = session.exec(
                select(LocalSeller).where(LocalSeller.seller_id == seller_id)
            ).first()
            if (
                existing is not None
                and _seller_from_row(existing).model_dump(exclude={"setu_seller_id"})
                == seller.model_copy(update={"seller_id": seller_id}).model_dump()
            ):
                assert existing.setu_seller_id is not None
                return existing.setu_seller_id  # the same request again: idempotent
            self._ensure_seller_id_free(session, seller_id)
            row = LocalSeller.model_validate(
                {**seller.model_dump(mode="json"), "seller_id": seller_id}
            )
            session.add(row)
            session.flush()
            assert row.setu_seller_id is not None
            return row.setu_seller_id

    async def get_seller(self, setu_seller_id: int) -> Seller:
        with session_scope(self._engine) as session:
            return _seller_from_row(self._seller_row(session, setu_seller_id))

    async def update_seller(self, setu_seller_id: int, changes: SellerUpdate) -> None:
        with session_scope(self._engine) as session:
            row = self._seller_row(session, setu_seller_id)
            current = _seller_from_row(row).model_dump(mode="json", exclude={"setu_seller_id"})
            updated = _merged(SellerInput, current, changes)
            _raise_if_any(_seller_problems(updated))
            seller_id = _lookup_id(updated.seller_id)
            if seller_id != row.seller_id:
                self._ensure_seller_id_free(session, seller_id)
            for name, value in {**updated.model_dump(mode="json"), "seller_id": seller_id}.items():
                setattr(row, name, value)
            session.add(row)

    async def delete_seller(self, setu_seller_id: int) -> None:
        with session_scope(self._engine) as session:
            self._seller_row(session, setu_seller_id)
            # [inferred] deletion is permanent (§5), so the seller's storefronts, catalogue and
            # orders go with it (ON DELETE CASCADE).
            session.exec(delete(LocalSeller).where(LocalSeller.setu_seller_id == setu_seller_id))

    @staticmethod
    def _seller_row(session: Session, setu_seller_id: int) -> LocalSeller:
        row = session.get(LocalSeller, setu_seller_id)
        if row is None:
            raise NotFound(f"seller {setu_seller_id} does not exist", code="1002")
        return row

    @staticmethod
    def _ensure_seller_id_free(session: Session, seller_id: str) -> None:
        taken = session.exec(select(LocalSeller).where(LocalSeller.seller_id == seller_id)).first()
        if taken is not None:
            raise AlreadyExists(f"seller_id {seller_id} already exists", code="1001")

    # Storefront -----------------------------------------------------------------------------

    async def create_storefront(self, storefront: StorefrontInput) -> int:
        with session_scope(self._engine) as session:
            seller = self._seller_row(session, storefront.setu_seller_id)
            _raise_if_any(_storefront_problems(storefront, seller.categories))
            storefront_id = _lookup_id(storefront.storefront_id)
            taken = session.exec(
                select(LocalStorefront).where(LocalStorefront.storefront_id == storefront_id)
            ).first()
            if taken is not None:
                sent = storefront.model_copy(update={"storefront_id": storefront_id})
                stored = _storefront_from_row(taken).model_dump(
                    exclude={"setu_storefront_id", "status", "rating"}
                )
                if stored == sent.model_dump():
                    assert taken.setu_storefront_id is not None
                    return taken.setu_storefront_id  # the same request again: idempotent
                raise AlreadyExists(f"storefront_id {storefront_id} already exists", code="1003")
            row = LocalStorefront.model_validate(
                {
                    **storefront.model_dump(mode="json"),
                    "storefront_id": storefront_id,
                    "status": "LIVE",
                    "rating": 0.0,
                }
            )
            session.add(row)
            session.flush()
            assert row.setu_storefront_id is not None
            return row.setu_storefront_id

    async def get_storefront(self, setu_storefront_id: int) -> Storefront:
        with session_scope(self._engine) as session:
            return _storefront_from_row(self._storefront_row(session, setu_storefront_id))

    async def update_storefront(self, setu_storefront_id: int, changes: StorefrontUpdate) -> None:
        with session_scope(self._engine) as session:
            row = self._storefront_row(session, setu_storefront_id)
            seller = self._seller_row(session, row.setu_seller_id)
            current = _storefront_from_row(row).model_dump(
                mode="json", exclude={"setu_storefront_id", "status", "rating"}
            )
            updated = _merged(StorefrontInput, current, changes)
            _raise_if_any(_storefront_problems(updated, seller.categories))
            for name, value in updated.model_dump(mode="json").items():
                setattr(row, name, value)
            session.add(row)

    async def set_storefront_status(
        self, setu_storefront_id: int, status: StorefrontStatus
    ) -> None:
        with session_scope(self._engine) as session:
            row = self._storefront_row(session, setu_storefront_id)
            row.status = StorefrontStatus(status).value
            session.add(row)

    async def delete_storefront(self, setu_storefront_id: int) -> None:
        with session_scope(self._engine) as session:
            self._storefront_row(session, setu_storefront_id)
            session.exec(
                delete(LocalStorefront).where(
                    LocalStorefront.setu_storefront_id == setu_storefront_id
                )
            )

    @staticmethod
    def _storefront_row(session: Session, setu_storefront_id: int) -> LocalStorefront:
        row = session.get(LocalStorefront, setu_storefront_id)
        if row is None:
            # §4: code 1004 (whose message in the spec wrongly says "already exists").
            raise NotFound(f"storefront {setu_storefront_id} does not exist", code="1004")
        return row

    # Catalogue and inventory ------------------------------------------------------------------

    async def upsert_catalogue(
        self, setu_storefront_id: int, items: Sequence[CatalogueItem]
    ) -> UploadResult:
        with session_scope(self._engine) as session:
            storefront = self._storefront_row(session, setu_storefront_id)
            problems: Problems = []
            seen: set[str] = set()
            for index, item in enumerate(items):
                item_problems = _item_problems(item, storefront)
                if _lookup_id(item.catalogue_item_id) in seen:
                    item_problems.append(FieldError("catalogue_item_id", "appears twice"))
                seen.add(_lookup_id(item.catalogue_item_id))
                problems += _prefixed(str(index), item_problems)
            # Setu validates the whole body before storing any of it (a 422 names the index), so
            # a bad item leaves the catalogue as it was.
            _raise_if_any(problems)
            for item in items:
                self._put_item(session, setu_storefront_id, item)
        # The local gateway has no approval workflow (§7): every valid item is approved at once.
        return UploadResult(approved=len(items))

    @staticmethod
    def _put_item(session: Session, setu_storefront_id: int, item: CatalogueItem) -> None:
        """§7: an unseen id is created, a known one replaced in place."""
        item_id = _lookup_id(item.catalogue_item_id)
        payload = {**item.model_dump(mode="json"), "catalogue_item_id": item_id}
        row = session.exec(
            select(LocalCatalogueItem).where(
                LocalCatalogueItem.setu_storefront_id == setu_storefront_id,
                LocalCatalogueItem.catalogue_item_id == item_id,
            )
        ).first()
        if row is None:
            row = LocalCatalogueItem(
                setu_storefront_id=setu_storefront_id,
                catalogue_item_id=item_id,
                name=item.catalogue_item_details.name,
                quantity=item.inventory.quantity,
                payload=payload,
            )
        else:
            row.name = item.catalogue_item_details.name
            row.quantity = item.inventory.quantity
            row.payload = payload
        session.add(row)

    async def delete_catalogue_items(
        self, setu_storefront_id: int, catalogue_item_ids: Sequence[str]
    ) -> None:
        with session_scope(self._engine) as session:
            self._storefront_row(session, setu_storefront_id)
            # [inferred] unknown ids are ignored, as a 202 without a body suggests (§7).
            session.exec(
                delete(LocalCatalogueItem).where(
                    LocalCatalogueItem.setu_storefront_id == setu_storefront_id,
                    LocalCatalogueItem.catalogue_item_id.in_(  # type: ignore[attr-defined]
                        [_lookup_id(item_id) for item_id in catalogue_item_ids]
                    ),
                )
            )

    async def get_catalogue_item(
        self, setu_storefront_id: int, catalogue_item_id: str
    ) -> CatalogueItem:
        with session_scope(self._engine) as session:
            return _item_from_row(self._item_row(session, setu_storefront_id, catalogue_item_id))

    async def set_inventory(
        self, setu_storefront_id: int, catalogue_item_id: str, quantity: int
    ) -> None:
        if quantity < 0:
            _raise_if_any([FieldError("quantity", "must not be negative")])
        with session_scope(self._engine) as session:
            row = self._item_row(session, setu_storefront_id, catalogue_item_id)
            # §8: the value replaces the stock count ([inferred] from 2000 → 3000).
            row.quantity = quantity
            session.add(row)

    def _item_row(
        self, session: Session, setu_storefront_id: int, catalogue_item_id: str
    ) -> LocalCatalogueItem:
        self._storefront_row(session, setu_storefront_id)
        row = session.exec(
            select(LocalCatalogueItem).where(
                LocalCatalogueItem.setu_storefront_id == setu_storefront_id,
                LocalCatalogueItem.catalogue_item_id == _lookup_id(catalogue_item_id),
            )
        ).first()
        if row is None:
            raise NotFound(f"catalogue item {catalogue_item_id} does not exist", code="1005")
        return row

    # Orders -------------------------------------------------------------------------------------

    async def create_order(
        self, setu_storefront_id: int, order: OrderInput, *, cash_on_delivery: bool = False
    ) -> str:
        """Places a buyer's order (Setu's [S]-only POST hook, §9), for seeding and simulation;
        InvalidRequest for more packs than the stock holds."""
        with session_scope(self._engine) as session:
            self._storefront_row(session, setu_storefront_id)
            stock = dict(
                session.exec(
                    select(LocalCatalogueItem.catalogue_item_id, LocalCatalogueItem.quantity).where(
                        LocalCatalogueItem.setu_storefront_id == setu_storefront_id
                    )
                ).all()
            )
            _raise_if_any(_order_problems(order, stock))
            order_id = str(uuid.uuid4())
            payload = order.model_dump(mode="json", exclude={"order_state"})
            payload["order_items"] = [
                {**line, "store_front_product_id": _lookup_id(line["store_front_product_id"])}
                for line in payload["order_items"]
            ]
            now = datetime.now(UTC)
            session.add(
                LocalOrder(
                    order_id=order_id,
                    setu_storefront_id=setu_storefront_id,
                    order_state=order.order_state,
                    created_at=now,
                    payload=payload,
                    version=self._next_version(session),
                    changed_at=now,
                    cash_on_delivery=cash_on_delivery,
                )
            )
            return order_id

    @staticmethod
    def _next_version(session: Session) -> int:
        # One bot process writes at a time; the unique index turns a race into an error.
        latest = session.exec(select(func.max(LocalOrder.version))).one()
        return (latest or 0) + 1

    async def changed_orders(self, since: str | None, limit: int = 500) -> OrderChanges:
        after = int(since) if since else 0
        with session_scope(self._engine) as session:
            rows = session.exec(
                select(LocalOrder)
                .where(LocalOrder.version > after)
                .order_by(LocalOrder.version)  # type: ignore[arg-type]
                .limit(limit)
            ).all()
            changes = [
                OrderChange(
                    setu_storefront_id=row.setu_storefront_id,
                    order=_order_from_row(row),
                    placed_at=row.created_at,
                    changed_at=row.changed_at,
                    cash_on_delivery=row.cash_on_delivery,
                )
                for row in rows
            ]
            cursor = rows[-1].version if rows else after
            return OrderChanges(changes=changes, cursor=str(cursor))

    async def list_orders(self, setu_storefront_id: int) -> list[Order]:
        with session_scope(self._engine) as session:
            self._storefront_row(session, setu_storefront_id)
            rows = session.exec(
                select(LocalOrder)
                .where(LocalOrder.setu_storefront_id == setu_storefront_id)
                .order_by(LocalOrder.id)  # type: ignore[arg-type]
            ).all()
            return [_order_from_row(row) for row in rows]

    async def update_orders(
        self, setu_storefront_id: int, updates: Sequence[OrderStateUpdate]
    ) -> OrderUpdateResult:
        with session_scope(self._engine) as session:
            self._storefront_row(session, setu_storefront_id)
            result = OrderUpdateResult()
            # §9 / §11: per-order failures are counted, not raised. [inferred] any known state is
            # accepted; which transitions make sense is the bot's order state machine's business.
            for update in updates:
                row = session.exec(
                    select(LocalOrder).where(
                        LocalOrder.order_id == update.order_id,
                        LocalOrder.setu_storefront_id == setu_storefront_id,
                    )
                ).first()
                if (
                    row is None
                    or update.order_state not in ORDER_STATES
                    or row.order_state in FINAL_STATES  # finished: nothing moves it again
                    or not self._move_stock(session, row, update.order_state)
                ):
                    result.failed += 1
                    continue
                if row.order_state != update.order_state:
                    row.order_state = update.order_state
                    row.version = self._next_version(session)
                    row.changed_at = datetime.now(UTC)
                    session.add(row)
                    session.flush()
                result.approved += 1
            return result

    @staticmethod
    def _move_stock(session: Session, row: LocalOrder, new_state: str) -> bool:
        """Takes an order's packs out of stock when it is accepted (or moved on from new), puts
        them back when it is cancelled; False, changing nothing, if the stock has run out."""
        reserving = not row.reserved and holds_stock(new_state)
        releasing = row.reserved and not holds_stock(new_state)
        if not (reserving or releasing):
            return True
        lines = [
            (line["store_front_product_id"], line["quantity"])
            for line in row.payload["order_items"]
        ]
        items = {
            item.catalogue_item_id: item
            for item in session.exec(
                select(LocalCatalogueItem).where(
                    LocalCatalogueItem.setu_storefront_id == row.setu_storefront_id
                )
            )
        }
        sign = -1 if reserving else 1
        if reserving and any(
            item_id not in items or items[item_id].quantity < quantity
            for item_id, quantity in lines
        ):
            return False
        for item_id, quantity in lines:
            if item_id in items:
                items[item_id].quantity += sign * quantity
                session.add(items[item_id])
        row.reserved = reserving
        return True

    # Lifecycle ----------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Nothing to release: the engine belongs to the bot, which disposes of it."""
