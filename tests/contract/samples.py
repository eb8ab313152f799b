"""Valid gateway payloads for tests: each function returns a fresh model with new uuids."""

from __future__ import annotations

import uuid
from typing import Any

from stdnum import luhn

from bot.gateways.base import CatalogueItem, OrderInput, SellerInput, StorefrontInput

PAN = "AAPFU0939F"
# A GSTIN is state code + PAN + entity number + "Z" + a Luhn mod 36 check character.
GSTIN = f"27{PAN}1Z" + luhn.calc_check_digit(f"27{PAN}1Z", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
IFSC = "HDFC0001234"
FSSAI = "10019022000123"


def seller_input(**changes: Any) -> SellerInput:
    """A Grocery seller (so with an FSSAI number); `changes` replace top-level fields."""
    payload: dict[str, Any] = {
        "seller_id": str(uuid.uuid4()),
        "name": "Sharma Kirana",
        "legal_entity_name": "Sharma Traders LLP",
        "incorporation_type": "LLP",
        "gst_number": GSTIN,
        "pan_number": PAN,
        "fssai_number": FSSAI,
        "categories": ["Grocery", "Home & Kitchen"],
        "bank_account": {"account_number": "50100123456789", "ifsc_code": IFSC},
    }
    return SellerInput.model_validate({**payload, **changes})


def storefront_input(setu_seller_id: int, **changes: Any) -> StorefrontInput:
    """A hyperlocal Grocery storefront (5 km radius) open twice a day, closed on Sundays."""
    slots = [
        {"opening": "09:00:00", "closing": "13:00:00"},
        {"opening": "16:00", "closing": "21:30"},
    ]
    payload: dict[str, Any] = {
        "storefront_id": str(uuid.uuid4()),
        "setu_seller_id": setu_seller_id,
        "name": "Sharma Kirana, Kothrud",
        "categories": ["Grocery"],
        "pickup_details": {
            "pickup_name": "Sharma Kirana",
            "email": "orders@sharmakirana.in",
            "pickup_phone": "+919812345678",
            "pickup_pincode": "411038",
            "pickup_address": "12 Paud Road, Kothrud",
            "pickup_city": "Pune",
            "pickup_state": "Maharashtra",
            "pickup_country": "India",
            "pickup_lat": "18.5074",
            "pickup_long": "73.8077",
        },
        "billing_details": {
            "legal_details": {
                "incorporation_name": "Sharma Traders LLP",
                "incorporation_type": "LLP",
                "gstin": GSTIN,
                "pan": PAN,
            },
            "registered_address": {
                "address_line_1": "12 Paud Road",
                "address_line_2": "Kothrud",
                "pincode": 411038,
                "city": "Pune",
                "state": "Maharashtra",
            },
            "contact_detail": {"phone": "9812345678", "email": "accounts@sharmakirana.in"},
            "bank_account": {
                "beneficiary_name": "Sharma Traders LLP",
                "account_number": "50100123456789",
                "ifsc_code": IFSC,
                "bank_name": "HDFC Bank",
            },
        },
        "business_hours": {
            day: slots for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
        }
        | {"saturday": [{"opening": "08:00", "closing": "22:00"}], "sunday": None},
        "fulfilment": "SELF_SHIP",
        "serviceability": {"radius": 5},
        "policies": {"accept_orders_outside_business_hours": False},
    }
    return StorefrontInput.model_validate({**payload, **changes})


def catalogue_item(**changes: Any) -> CatalogueItem:
    """A Grocery item: 500 g of atta at ₹58 (MRP ₹60, 5 % GST included), 20 packs in stock."""
    payload: dict[str, Any] = {
        "catalogue_item_id": str(uuid.uuid4()),
        "sub_categories": ["Grocery"],
        "catalogue_item_details": {
            "name": "Chakki Atta 500 g",
            "symbol": "https://cdn.sharmakirana.in/atta-symbol.png",
            "short_description": "Whole wheat flour",
            "long_description": "Stone-ground whole wheat flour from Madhya Pradesh.",
            "images": ["https://cdn.sharmakirana.in/atta.jpg"],
            "price": {
                "is_selling_price_exclusive_of_gst": False,
                "max_retail_price": "60.00",
                "selling_price": "58.50",
                "total_tax_rate": 5,
                "cgst_tax_rate": "2.5",
                "sgst_tax_rate": "2.5",
            },
        },
        "inventory": {"unit_denomination": "GM", "unit_value": 500, "quantity": 20},
        "item_policies": {
            "returnable": True,
            "return_window": 7,
            "seller_pickup_return": True,
            "cancellable": True,
            "cod_availability": True,
            "time_to_ship": {"days": 0, "hours": 2, "seconds": 0},
            "max_sale_quantity": 10,
            "min_sale_quantity": 1,
        },
        "serviceability": {},
    }
    return CatalogueItem.model_validate({**payload, **changes})


def prepackaged_food_item(**changes: Any) -> CatalogueItem:
    """A Grocery item in the prepackaged_food sub-category, with its FSSAI block."""
    item = catalogue_item(sub_categories=["Grocery", "prepackaged_food"])
    details = item.catalogue_item_details.model_dump(mode="json")
    details["name"] = "Roasted Poha Chivda 200 g"
    details["subcategory_specific_requirements"] = {
        "prepackaged_food": {
            "is_vegetarian": True,
            "ingredients_info": "Flattened rice (60%); Groundnut (20%); Edible oil; Salt",
            "nutritional_info": "Energy 480 kcal; Protein 9 g; Fat 22 g per 100 g",
            "additives_info": "INS 330",
            "brand_owner_name": "Sharma Foods",
            "brand_owner_address": "Plot 4, MIDC Bhosari, Pune 411026",
            "brand_owner_FSSAI_license_no": FSSAI,
            "other_FSSAI_license_no": "NA",
            "importer_name": "NA",
            "importer_address": "NA",
            "importer_FSSAI_logo": "NA",
            "importer_FSSAI_license_no": "NA",
            "imported_product_country_of_origin": "IND",
            "other_importer_name": "NA",
            "other_importer_address": "NA",
            "other_premises": "NA",
            "other_importer_country_of_origin": "NA",
        }
    }
    payload = {**item.model_dump(mode="json"), "catalogue_item_details": details}
    return CatalogueItem.model_validate({**payload, **changes})


def order_input(catalogue_item_id: str, **changes: Any) -> OrderInput:
    """A buyer's order for 2 packs of one item at ₹58.50, awaiting the buyer app's confirmation."""
    payload: dict[str, Any] = {
        "order_state": "AWAITING BAP CONFIRMED",
        "order_items": [
            {
                "store_front_product_id": catalogue_item_id,
                "quantity": 2,
                "unit_price": "58.50",
                "total_value": "117.00",
            }
        ],
        "total_value": "117.00",
        "fulfilment_type": "SELF",
        "buyer_details": {
            "name": "Anita Kulkarni",
            "mobile_number": "9822012345",
            "delivery_address": {"address": "Flat 3, Shanti Kunj, Karve Road", "pincode": 411038},
        },
        "feedback": None,
        "notes": "Please ring the bell twice",
    }
    return OrderInput.model_validate({**payload, **changes})
