"""The seller-gateway interface, payload models and errors; tests/contract defines the behaviour."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, PlainSerializer, field_validator

# Every gateway (the embedded LocalGateway, a Setu HTTP client, ...) implements `SellerGateway` and
# passes the same suite in tests/contract. The models follow Setu's OpenAPI spec ([S] in
# setu-ondc.md; §n below are its sections) field for field, so an HTTP client can send
# `model.model_dump(mode="json", exclude_none=True)` as is.
#
# The models check types, enums and required fields only. Formats (GSTIN, IFSC, e-mail ...) and
# cross-field rules (FSSAI for food, categories within the seller's ...) are the gateway's job, as
# they are Setu's: a gateway reports them as `InvalidRequest` with a dotted path per field.

# ---------------------------------------------------------------------------------------------
# Errors


@dataclass(frozen=True)
class FieldError:
    """One rejected field; `field` is a dotted path into the payload: "bank_account.ifsc_code"."""

    field: str
    message: str


class GatewayError(Exception):
    """Base of every gateway failure; `code` is Setu's error code when there is one (§4)."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class AlreadyExists(GatewayError):
    """The caller's own id (seller_id, storefront_id) is taken: Setu's 409 (1001/1003)."""


class NotFound(GatewayError):
    """An unknown seller, storefront or catalogue item: Setu's 404 (1002/1004/1005)."""


class InvalidRequest(GatewayError):
    """The payload breaks a rule: Setu's 400/422. `errors` says which fields and why."""

    def __init__(self, errors: Sequence[FieldError], *, code: str | None = None) -> None:
        self.errors: list[FieldError] = list(errors)
        summary = "; ".join(f"{error.field}: {error.message}" for error in self.errors)
        super().__init__(f"invalid request: {summary}", code=code)

    @property
    def fields(self) -> list[str]:
        """The dotted paths of the rejected fields, in the order reported."""
        return [error.field for error in self.errors]


class Unavailable(GatewayError):
    """The gateway cannot be reached or failed (5xx); the seller should try again later."""


# ---------------------------------------------------------------------------------------------
# Shared types and enums


def _as_json_number(value: Decimal) -> int | float:
    # Setu's server reads JSON numbers, while pydantic v2 would write a Decimal as a string. Rupee
    # amounts and tax rates have few digits, so the float's shortest repr is the exact decimal.
    return int(value) if value == value.to_integral_value() else float(value)


# Money in rupees and percentages: Decimal in Python, a plain number on the wire.
Money = Annotated[Decimal, PlainSerializer(_as_json_number, when_used="json")]
Percent = Annotated[Decimal, PlainSerializer(_as_json_number, when_used="json")]


class IncorporationType(StrEnum):
    """Setu's seller incorporation types (§5); [inferred] meanings in the comments."""

    PRLC = "PRLC"  # private limited company
    PULC = "PULC"  # public limited company
    PAR = "PAR"  # partnership
    LLP = "LLP"  # limited liability partnership
    OPC = "OPC"  # one-person company
    SP = "SP"  # sole proprietor
    NP = "NP"  # non-profit


class Fulfilment(StrEnum):
    """How a storefront delivers; Setu only knows the seller shipping itself (§6)."""

    SELF_SHIP = "SELF_SHIP"


class StorefrontStatus(StrEnum):
    """Whether buyers see the storefront (§6)."""

    LIVE = "LIVE"
    OFFLINE = "OFFLINE"


class OrderFulfilment(StrEnum):
    """An order's fulfilment type; Setu's only value (§9)."""

    SELF = "SELF"


class UnitDenomination(StrEnum):
    """Setu's 71 pack-size units (§7.2), without the code-generation junk value."""

    BF = "BF"
    BG = "BG"  # bag
    BL = "BL"
    BT = "BT"  # bottle
    BX = "BX"  # box
    C = "C"
    CC = "CC"
    CF = "CF"
    CI = "CI"
    CL = "CL"
    CM = "CM"
    CN = "CN"  # can
    CS = "CS"
    CT = "CT"
    CW = "CW"
    CY = "CY"
    DI = "DI"
    DR = "DR"
    DW = "DW"
    DY = "DY"
    DZ = "DZ"  # dozen
    EA = "EA"  # each
    FT = "FT"
    GL = "GL"
    GM = "GM"  # gram
    GN = "GN"
    GR = "GR"
    HR = "HR"
    IN = "IN"
    JR = "JR"  # jar
    KG = "KG"  # kilogram
    KT = "KT"
    LB = "LB"
    LF = "LF"
    LG = "LG"
    LI = "LI"
    LT = "LT"  # litre
    LY = "LY"
    M = "M"
    MG = "MG"  # milligram
    ML = "ML"  # millilitre
    MM = "MM"
    MN = "MN"
    MO = "MO"
    MR = "MR"
    MT = "MT"
    OG = "OG"
    OZ = "OZ"
    PA = "PA"
    PC = "PC"  # piece
    PG = "PG"
    PK = "PK"  # pack
    PL = "PL"
    PR = "PR"
    PT = "PT"
    QR = "QR"
    QT = "QT"
    RD = "RD"
    RL = "RL"
    RM = "RM"
    SF = "SF"
    SH = "SH"
    ST = "ST"
    SY = "SY"
    TB = "TB"
    TR = "TR"
    UT = "UT"
    VL = "VL"
    WK = "WK"
    YD = "YD"
    YR = "YR"


# §9: Setu's OrderState enum has only these two values and says nothing about what a seller may
# send; the ONDC order and forward-fulfilment states (ondc-retail.md §3.1) are what the bot sends.
SETU_ORDER_STATES = frozenset({"AWAITING BAP CONFIRMED", "BAP CONFIRMED"})
ONDC_ORDER_STATES = frozenset({"Created", "Accepted", "In-progress", "Completed", "Cancelled"})
ONDC_FULFILMENT_STATES = frozenset(
    {
        "Pending",
        "Packed",
        "Agent-assigned",
        "At-pickup",
        "Out-for-pickup",
        "Pickup-failed",
        "Order-picked-up",
        "In-transit",
        "At-destination-hub",
        "Out-for-delivery",
        "At-delivery",
        "Delivery-failed",
        "Order-delivered",
        "Cancelled",
    }
)
ORDER_STATES = SETU_ORDER_STATES | ONDC_ORDER_STATES | ONDC_FULFILMENT_STATES


class _Payload(BaseModel):
    """Base of every payload model: unknown fields are an error, as in Setu's DTOs."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------------------------
# Seller (§5)


class BankAccount(_Payload):
    """The seller's payout account; Setu fills `bank_name`/`beneficiary_name` on verification."""

    account_number: str
    ifsc_code: str
    bank_name: str | None = None
    beneficiary_name: str | None = None


class SellerInput(_Payload):
    """SellerInputDTO: what creates a seller."""

    seller_id: str  # our own id (a uuid); unique per gateway
    name: str
    legal_entity_name: str
    incorporation_type: IncorporationType
    gst_number: str
    pan_number: str
    fssai_number: str | None = None  # required for F&B and Grocery
    categories: list[str]
    bank_account: BankAccount


class Seller(SellerInput):
    """SellerDTO: a stored seller, with the id the gateway gave it."""

    setu_seller_id: int


class SellerUpdate(_Payload):
    """A partial seller update: only the fields set (even to None) are changed ([G], §5)."""

    seller_id: str | None = None
    name: str | None = None
    legal_entity_name: str | None = None
    incorporation_type: IncorporationType | None = None
    gst_number: str | None = None
    pan_number: str | None = None
    fssai_number: str | None = None
    categories: list[str] | None = None
    bank_account: BankAccount | None = None


# ---------------------------------------------------------------------------------------------
# Storefront (§6)


class PickupDetails(_Payload):
    """Where orders are picked up; published to the whole ONDC network."""

    pickup_name: str
    email: str
    pickup_phone: str
    pickup_pincode: str
    pickup_address: str
    pickup_city: str
    pickup_state: str
    pickup_country: str
    pickup_lat: str | None = None  # needed when serviceability is a radius
    pickup_long: str | None = None


class LegalDetails(_Payload):
    """The billing entity's legal identity."""

    incorporation_name: str
    incorporation_type: str  # a free string here, unlike the seller's enum
    gstin: str
    pan: str


class RegisteredAddress(_Payload):
    """The billing entity's registered address."""

    address_line_1: str
    address_line_2: str = ""
    pincode: int
    city: str
    state: str

    @field_validator("address_line_2", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        # [S] requires the field, [G] sends null (§6); "" keeps a Setu client's body valid.
        return "" if value is None else value


class ContactDetail(_Payload):
    """The billing entity's phone and e-mail."""

    phone: str
    email: str


class BillingBankAccount(_Payload):
    """The billing entity's bank account; [S] requires all four fields (§6)."""

    beneficiary_name: str
    account_number: str
    ifsc_code: str
    bank_name: str


class BillingDetails(_Payload):
    """Who bills the buyer; may differ from the seller (e.g. a franchise)."""

    legal_details: LegalDetails
    registered_address: RegisteredAddress
    contact_detail: ContactDetail
    bank_account: BillingBankAccount


class TimeSlot(_Payload):
    """One opening period of a day, in the store's local time."""

    opening: time
    closing: time


class BusinessHours(_Payload):
    """Opening slots per weekday; None or [] means closed that day (§10)."""

    monday: list[TimeSlot] | None = None
    tuesday: list[TimeSlot] | None = None
    wednesday: list[TimeSlot] | None = None
    thursday: list[TimeSlot] | None = None
    friday: list[TimeSlot] | None = None
    saturday: list[TimeSlot] | None = None
    sunday: list[TimeSlot] | None = None


class Serviceability(_Payload):
    """Where buyers can order from: a radius in km ([inferred]) or a list of pincodes, not both."""

    radius: int | None = None
    pincodes: list[int] | None = None


class StorefrontPolicies(_Payload):
    """PolicyDTO: storefront-wide order policies."""

    accept_orders_outside_business_hours: bool


class StorefrontInput(_Payload):
    """StoreFrontInputDTO: what creates a storefront."""

    storefront_id: str  # our own id (a uuid); unique per gateway
    setu_seller_id: int
    name: str
    categories: list[str]  # a subset of the seller's
    pickup_details: PickupDetails
    billing_details: BillingDetails
    business_hours: BusinessHours
    fulfilment: Fulfilment = Fulfilment.SELF_SHIP
    serviceability: Serviceability
    policies: StorefrontPolicies


class Storefront(StorefrontInput):
    """StoreFrontOutputDTO: a stored storefront with its gateway id, status and rating."""

    setu_storefront_id: int
    status: StorefrontStatus = StorefrontStatus.LIVE
    rating: float = 0.0


class StorefrontUpdate(_Payload):
    """A partial storefront update: only the fields set are changed ([G], §6)."""

    name: str | None = None
    categories: list[str] | None = None
    pickup_details: PickupDetails | None = None
    billing_details: BillingDetails | None = None
    business_hours: BusinessHours | None = None
    fulfilment: Fulfilment | None = None
    serviceability: Serviceability | None = None
    policies: StorefrontPolicies | None = None


# ---------------------------------------------------------------------------------------------
# Catalogue and inventory (§7, §8)


class Price(_Payload):
    """PriceDTO; the GST flag's polarity is [S]'s (§7.1 rule 5)."""

    is_selling_price_exclusive_of_gst: bool
    max_retail_price: Money
    selling_price: Money
    total_tax_rate: Percent  # e.g. 18 for 18 %
    sgst_tax_rate: Percent | None = None
    cgst_tax_rate: Percent | None = None
    igst_tax_rate: Percent | None = None


class PrepackagedCommodities(_Payload):
    """Legal Metrology declarations for packaged goods (ondc-retail.md §5.1)."""

    manufacturer_or_packer_name: str
    manufacturer_or_packer_address: str
    common_or_generic_name_of_commodity: str
    manufacture_or_packing_date: str
    imported_product_country_of_origin: str


class PrepackagedFood(_Payload):
    """FSSAI declarations for pre-packaged food (ondc-retail.md §5.2)."""

    is_vegetarian: bool
    ingredients_info: str
    nutritional_info: str
    additives_info: str
    brand_owner_name: str
    brand_owner_address: str
    brand_owner_FSSAI_license_no: str
    other_FSSAI_license_no: str
    importer_name: str
    importer_address: str
    importer_FSSAI_logo: str
    importer_FSSAI_license_no: str
    imported_product_country_of_origin: str
    other_importer_name: str
    other_importer_address: str
    other_premises: str
    other_importer_country_of_origin: str


class FoodBeverages(_Payload):
    """FBDTO: the veg/non-veg mark for F&B."""

    is_vegetarian: bool


class SubcategoryRequirements(_Payload):
    """Statutory blocks; a block is mandatory when the item is in its sub-category (§7.1 rule 3)."""

    prepackaged_commodities: PrepackagedCommodities | None = None
    prepackaged_food: PrepackagedFood | None = None
    food_beverages: FoodBeverages | None = None


class ItemDetails(_Payload):
    """CatalogueItemDetailsDTO: what a buyer sees of an item."""

    name: str
    symbol: str
    short_description: str
    long_description: str
    images: list[str] = Field(default_factory=list)  # http(s) URIs, at most 2083 characters
    price: Price
    subcategory_specific_requirements: SubcategoryRequirements | None = None


class Inventory(_Payload):
    """InventoryDTO: `quantity` packs of `unit_value` `unit_denomination` each (300 GM × 2000)."""

    unit_denomination: UnitDenomination
    unit_value: int
    quantity: int


class TimeToShip(_Payload):
    """TimeToShipDTO: how long after an order the item ships."""

    days: int
    hours: int
    seconds: int


class ItemPolicies(_Payload):
    """ItemPoliciesDTO: returns, cancellation, cash on delivery, shipping time."""

    returnable: bool
    cancellable: bool
    cod_availability: bool
    time_to_ship: TimeToShip
    return_window: int | None = None  # [inferred] days
    seller_pickup_return: bool | None = None
    max_sale_quantity: int | None = None
    min_sale_quantity: int | None = None

    @field_validator("time_to_ship", mode="before")
    @classmethod
    def _bare_days(cls, value: Any) -> Any:
        # [G] sends a bare int (§7, §10); [inferred] it counts days.
        if isinstance(value, int) and not isinstance(value, bool):
            return {"days": value, "hours": 0, "seconds": 0}
        return value


class CatalogueItem(_Payload):
    """ProductItemDTO: one item as sent in the catalogue PUT (and returned by the local gateway)."""

    catalogue_item_id: str  # our own id (a uuid); unique within the storefront
    sub_categories: list[str]
    # [G] calls this `catalogue_item_description` (§10); accept both, send [S]'s name.
    catalogue_item_details: ItemDetails = Field(
        validation_alias=AliasChoices("catalogue_item_details", "catalogue_item_description")
    )
    inventory: Inventory
    item_policies: ItemPolicies
    # An empty object means "as the storefront"; otherwise it overrides it (§7.1 rule 7).
    serviceability: Serviceability = Field(default_factory=Serviceability)


class UploadResult(_Payload):
    """ProductsUploadOutputDTO, flattened to its counts (the report URIs are left out)."""

    approved: int = 0
    pending_approval: int = 0
    failed: int = 0


# ---------------------------------------------------------------------------------------------
# Orders (§9)


class OrderItem(_Payload):
    """OrderItemDTO: one line of an order; `store_front_product_id` is our catalogue_item_id."""

    store_front_product_id: str
    quantity: int
    unit_price: Money
    total_value: Money


class DeliveryAddress(_Payload):
    """BuyerDeliveryDetailDTO."""

    address: str
    pincode: int


class BuyerDetails(_Payload):
    """BuyerDetailDTO."""

    name: str
    mobile_number: str
    delivery_address: DeliveryAddress


class Feedback(_Payload):
    """OrderFeedbackDTO; [S] requires it, but a fresh order has none yet, so it may be None here."""

    rating: int
    review: str


class OrderInput(_Payload):
    """OrderBaseDTO: an order without its id, as POSTed to create one (a test hook, §9)."""

    order_state: str  # see ORDER_STATES
    order_items: list[OrderItem]
    total_value: Money
    fulfilment_type: OrderFulfilment = OrderFulfilment.SELF
    buyer_details: BuyerDetails
    feedback: Feedback | None = None
    notes: str = ""


class Order(OrderInput):
    """OrderOutputDTO: an order as listed for a storefront."""

    order_id: str


class OrderChange(_Payload):
    """[ours] An order as it is after a change, with what Setu's DTO leaves out when a gateway
    knows it: its storefront, when it was placed and last changed, and how it is paid."""

    setu_storefront_id: int
    order: Order
    placed_at: datetime | None = None
    changed_at: datetime | None = None
    cash_on_delivery: bool | None = None  # None: the gateway does not say


class OrderChanges(_Payload):
    """[ours] The orders changed since a cursor, oldest change first, and the cursor to pass
    next time (opaque: each gateway decides what it holds)."""

    changes: list[OrderChange]
    cursor: str


class OrderStateUpdate(_Payload):
    """OrderUpdateItemDTO: move one order to a new state."""

    order_id: str
    order_state: str


class OrderUpdateResult(_Payload):
    """OrdersUpdateOutputDTO, flattened to its counts."""

    approved: int = 0
    failed: int = 0


# ---------------------------------------------------------------------------------------------
# The interface


class SellerGateway(abc.ABC):
    """Everything the bot asks of an ONDC seller gateway, resource by resource (§3).

    Every method may raise `Unavailable`; the others are named per method.
    """

    # Seller ---------------------------------------------------------------------------------

    @abc.abstractmethod
    async def create_seller(self, seller: SellerInput) -> int:
        """Registers a seller and returns its setu_seller_id.

        Sending the very same seller again returns the same id (our seller_id makes the POST
        idempotent, so a retry after a lost answer is safe); AlreadyExists if seller_id is taken
        by a different seller; InvalidRequest if a field breaks a rule.
        """

    @abc.abstractmethod
    async def get_seller(self, setu_seller_id: int) -> Seller:
        """The stored seller; NotFound if there is none."""

    @abc.abstractmethod
    async def update_seller(self, setu_seller_id: int, changes: SellerUpdate) -> None:
        """Changes only the fields set in `changes`.

        NotFound, AlreadyExists (a seller_id taken by another seller), InvalidRequest.
        """

    @abc.abstractmethod
    async def delete_seller(self, setu_seller_id: int) -> None:
        """Deletes the seller for good; NotFound if there is none."""

    # Storefront -----------------------------------------------------------------------------

    @abc.abstractmethod
    async def create_storefront(self, storefront: StorefrontInput) -> int:
        """Opens a storefront for an existing seller and returns its setu_storefront_id.

        Sending the very same storefront again returns the same id (a retry after a lost answer
        is safe, as for sellers); AlreadyExists if storefront_id is taken by a different
        storefront; NotFound for an unknown seller; InvalidRequest.
        """

    @abc.abstractmethod
    async def get_storefront(self, setu_storefront_id: int) -> Storefront:
        """The stored storefront; NotFound if there is none."""

    @abc.abstractmethod
    async def update_storefront(self, setu_storefront_id: int, changes: StorefrontUpdate) -> None:
        """Changes only the fields set in `changes`; NotFound, InvalidRequest."""

    @abc.abstractmethod
    async def set_storefront_status(
        self, setu_storefront_id: int, status: StorefrontStatus
    ) -> None:
        """Takes the storefront off the network (OFFLINE: buyers cannot order) or back (LIVE);
        setting the status it already has is fine. NotFound.

        Setu reports `status` but documents no call that sets it (§6); its gateway must say
        how it pauses a storefront.
        """

    @abc.abstractmethod
    async def delete_storefront(self, setu_storefront_id: int) -> None:
        """Deletes the storefront for good; NotFound if there is none."""

    # Catalogue and inventory ------------------------------------------------------------------

    @abc.abstractmethod
    async def upsert_catalogue(
        self, setu_storefront_id: int, items: Sequence[CatalogueItem]
    ) -> UploadResult:
        """Adds items with new ids and replaces those with known ids; other items stay.

        NotFound for an unknown storefront; InvalidRequest (paths start with the item's index,
        e.g. "0.catalogue_item_details.price.selling_price").
        """

    @abc.abstractmethod
    async def delete_catalogue_items(
        self, setu_storefront_id: int, catalogue_item_ids: Sequence[str]
    ) -> None:
        """Removes these items; ids the storefront does not have are ignored. NotFound."""

    @abc.abstractmethod
    async def get_catalogue_item(
        self, setu_storefront_id: int, catalogue_item_id: str
    ) -> CatalogueItem:
        """One item of the storefront; NotFound for an unknown storefront or item."""

    @abc.abstractmethod
    async def set_inventory(
        self, setu_storefront_id: int, catalogue_item_id: str, quantity: int
    ) -> None:
        """Replaces the item's stock count (not a delta, §8); NotFound, InvalidRequest."""

    # Orders -------------------------------------------------------------------------------------

    @abc.abstractmethod
    async def list_orders(self, setu_storefront_id: int) -> list[Order]:
        """Every order of the storefront, oldest first; NotFound for an unknown storefront."""

    @abc.abstractmethod
    async def changed_orders(self, since: str | None, limit: int = 500) -> OrderChanges:
        """Every storefront's orders placed or changed after `since` (None: from the start),
        oldest change first, at most `limit`; an order changed twice appears once, as it is
        now. Pass the returned cursor next time: nothing is missed and nothing repeated."""

    @abc.abstractmethod
    async def update_orders(
        self, setu_storefront_id: int, updates: Sequence[OrderStateUpdate]
    ) -> OrderUpdateResult:
        """Moves orders to new states; an unknown order or state, an order already finished
        (cancelled, delivered, completed) or one whose stock ran out counts as failed, not
        raised. Accepting takes the packs out of stock, cancelling puts them back.

        NotFound for an unknown storefront.
        """

    # Lifecycle ----------------------------------------------------------------------------------

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Releases clients and connections; the gateway is not used afterwards."""
