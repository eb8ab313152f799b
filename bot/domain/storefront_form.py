"""A storefront's questions as data: which are asked, in which order, what an answer changes,
and the one mapping between the answers and the gateway's storefront payload, both ways.

The rules for each answer live in bot/domain/storefront.py (address, serviceability, hours),
bot/domain/seller.py (names, phone, e-mail, GSTIN, PAN, bank) and bot/domain/india.py (states).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from bot.domain import seller as rules
from bot.domain import storefront as store_rules
from bot.domain.banks import bank_name_for
from bot.domain.india import match_state, state_by_code
from bot.domain.questions import Questions, question_at
from bot.domain.seller import InvalidInput

# The order the questions are asked in; the review card and the storefront card follow it.
FIELDS: tuple[str, ...] = (
    "name",
    "categories",
    "contact_name",
    "phone",
    "email",
    "address",
    "pincode",
    "city",
    "state",
    "location",
    "area",
    "hours",
    "billing",
    "billing_legal_name",
    "billing_incorporation_type",
    "billing_gstin",
    "billing_pan",
    "billing_account_number",
    "billing_ifsc",
    "registered_address",
    "registered_pincode",
    "registered_city",
    "registered_state",
    "bank_name",
)
# Asked only when billing is "other": a franchise or another company bills the buyer.
BILLING_FIELDS = (
    "billing_legal_name",
    "billing_incorporation_type",
    "billing_gstin",
    "billing_pan",
    "billing_account_number",
    "billing_ifsc",
)
# Asked only when the registered address is not the pickup address.
REGISTERED_FIELDS = ("registered_pincode", "registered_city", "registered_state")
# What a storefront card offers to edit: the follow-up questions come with their parent.
EDITABLE: tuple[str, ...] = tuple(
    f for f in FIELDS if f not in BILLING_FIELDS and f not in REGISTERED_FIELDS
)

BILLING_SAME, BILLING_OTHER = "same", "other"
COUNTRY = "India"

Answers = dict[str, Any]
# What the seller registered with (registration.from_gateway + our phone and e-mail): the
# categories a storefront may choose from, and the defaults for phone, e-mail and billing.
SellerFacts = Mapping[str, Any]

# A number of up to three digits (perhaps signed or with decimals: refused as a radius, with the
# radius's reason), then perhaps a unit: never a PIN code ("400 001" is two such numbers).
_RADIUS_TYPED_RE = re.compile(r"\s*-?\d{1,3}(?:[.,]\d+)?\s*[^\d,;]*")


def is_required(field: str, answers: Answers) -> bool:
    if field in BILLING_FIELDS:
        return answers.get("billing") == BILLING_OTHER
    if field in REGISTERED_FIELDS:
        return answers.get("registered_address") is not None
    return True


QUESTIONS = Questions(FIELDS, is_required)
next_field = QUESTIONS.next_field
previous_field = QUESTIONS.previous_field
answered_count = QUESTIONS.answered_count


def parse_area(text: str, *, has_location: bool) -> dict[str, Any]:
    """Serviceability as typed: one short number ("7", "7 km") is a radius, anything else a list
    of PIN codes; Setu's {"radius": 7} or {"pincodes": [400001, ...]}, else InvalidInput."""
    if _RADIUS_TYPED_RE.fullmatch(rules.ascii_digits(text)):
        radius = store_rules.clean_radius_km(text)
        return store_rules.check_serviceability(radius, None, has_location=has_location)
    return store_rules.check_serviceability(
        None, store_rules.parse_pincodes(text), has_location=has_location
    )


def clean_state(text: str) -> str:
    """A state or union territory typed in English or Hindi, as its code; else InvalidInput."""
    state = match_state(text)
    if state is None:
        raise InvalidInput("error.state_unknown")
    return state.code


def clean_bank_name(text: str) -> str:
    """A bank's name: trimmed, single-spaced, with a letter."""
    return store_rules.clean_contact_name(text)


def _plain(clean: Callable[[str], Any]) -> Callable[[str, Answers], Any]:
    return lambda text, _answers: clean(text)


# How each typed answer is checked; the other questions are answered with buttons (or, for the
# location, Telegram's location button).
_CLEANERS: dict[str, Callable[[str, Answers], Any]] = {
    "name": _plain(rules.clean_display_name),
    "contact_name": _plain(store_rules.clean_contact_name),
    "phone": _plain(rules.clean_phone),
    "email": _plain(rules.clean_email),
    "address": _plain(store_rules.clean_address_line),
    "pincode": _plain(store_rules.clean_pincode),
    "city": _plain(store_rules.clean_city),
    "state": _plain(clean_state),
    "area": lambda text, answers: parse_area(
        text, has_location=answers.get("location") is not None
    ),
    "billing_legal_name": _plain(rules.clean_legal_name),
    "billing_gstin": _plain(rules.clean_gstin),
    "billing_pan": lambda text, answers: rules.clean_pan(text, answers.get("billing_gstin")),
    "billing_account_number": _plain(rules.clean_account_number),
    "billing_ifsc": _plain(rules.clean_ifsc),
    "registered_address": _plain(store_rules.clean_address_line),
    "registered_pincode": _plain(store_rules.clean_pincode),
    "registered_city": _plain(store_rules.clean_city),
    "registered_state": _plain(clean_state),
    "bank_name": _plain(clean_bank_name),
}
TYPED_FIELDS = frozenset(_CLEANERS)


def clean_typed(field: str, text: str, answers: Answers) -> Any:
    """Checks and normalises a typed answer; InvalidInput with the reason ("error.use_buttons"
    for a question answered with buttons)."""
    if field not in _CLEANERS:
        raise InvalidInput("error.use_buttons")
    return _CLEANERS[field](text, answers)


def answer(answers: Answers, field: str, value: Any) -> Answers:
    """The answers after one more: drops later answers this one invalidates, so they are asked
    again (no location: a radius means nothing; a new billing GSTIN needs its own PAN)."""
    updated = {**answers, field: value}
    if field == "location" and value is None and "radius" in (updated.get("area") or {}):
        del updated["area"]
    if field == "billing" and value == BILLING_SAME:
        for name in BILLING_FIELDS:
            updated.pop(name, None)
    if field == "registered_address" and value is None:
        for name in REGISTERED_FIELDS:
            updated.pop(name, None)
    if (
        field == "billing_gstin"
        and updated.get("billing_pan")
        and updated["billing_pan"] != value[2:12]
    ):
        del updated["billing_pan"]
    return updated


def follow_ups(field: str, answers: Answers) -> tuple[str, ...]:
    """The questions an answer to `field` brings with it: another business's details, or the
    PIN code, city and state of a registered address that is not the pickup address."""
    if field == "billing" and answers.get("billing") == BILLING_OTHER:
        return BILLING_FIELDS
    if field == "registered_address" and answers.get("registered_address") is not None:
        return REGISTERED_FIELDS
    return ()


def billing_identity(answers: Answers, seller: SellerFacts) -> dict[str, str]:
    """Who bills the buyer: the seller's registration, or the other entity's answers."""
    if answers.get("billing") == BILLING_OTHER:
        return {name: answers[f"billing_{name}"] for name in _IDENTITY}
    return {name: seller[name] for name in _IDENTITY}


_IDENTITY = ("legal_name", "incorporation_type", "gstin", "pan", "account_number", "ifsc")


def suggested_bank_name(answers: Answers, seller: SellerFacts) -> str | None:
    """The bank the billing IFSC belongs to, if it is one we know, for a one-tap answer."""
    return bank_name_for(billing_identity(answers, seller)["ifsc"])


def kept_copy(sent: dict[str, Any]) -> dict[str, Any]:
    """What the bot keeps of a storefront sent to (or read from) the gateway, as
    `Store.copy_storefront` takes it: the name, the categories, and whether it has a pickup
    location (a product's delivery radius needs one)."""
    return {
        "name": sent["name"],
        "categories": list(sent["categories"]),
        "has_location": (sent.get("pickup_details") or {}).get("pickup_lat") is not None,
    }


def to_gateway(answers: Answers, seller: SellerFacts) -> dict[str, Any]:
    """The gateway's storefront fields (all but the ids) from complete answers."""
    identity = billing_identity(answers, seller)
    location = answers.get("location") or {}
    if answers.get("registered_address") is None:
        registered = {
            "address_line_1": answers["address"],
            "pincode": int(answers["pincode"]),
            "city": answers["city"],
            "state": state_by_code(answers["state"]).name,
        }
    else:
        registered = {
            "address_line_1": answers["registered_address"],
            "pincode": int(answers["registered_pincode"]),
            "city": answers["registered_city"],
            "state": state_by_code(answers["registered_state"]).name,
        }
    return {
        "name": answers["name"],
        "categories": list(answers["categories"]),
        "pickup_details": {
            "pickup_name": answers["contact_name"],
            "email": answers["email"],
            "pickup_phone": answers["phone"],
            "pickup_pincode": answers["pincode"],
            "pickup_address": answers["address"],
            "pickup_city": answers["city"],
            "pickup_state": state_by_code(answers["state"]).name,
            "pickup_country": COUNTRY,
            "pickup_lat": location.get("lat"),
            "pickup_long": location.get("long"),
        },
        "billing_details": {
            "legal_details": {
                "incorporation_name": identity["legal_name"],
                "incorporation_type": identity["incorporation_type"],
                "gstin": identity["gstin"],
                "pan": identity["pan"],
            },
            "registered_address": {"address_line_2": "", **registered},
            # The buyer's questions about a bill go where the storefront answers its phone.
            "contact_detail": {"phone": answers["phone"], "email": answers["email"]},
            "bank_account": {
                "beneficiary_name": identity["legal_name"],
                "account_number": identity["account_number"],
                "ifsc_code": identity["ifsc"],
                "bank_name": answers["bank_name"],
            },
        },
        "business_hours": answers["hours"],
        "serviceability": answers["area"],
        # Not asked: a shop takes orders when it is open. Kept as it is when editing.
        "policies": {
            "accept_orders_outside_business_hours": bool(answers.get("outside_hours", False))
        },
    }


def _state_code(name: str) -> str:
    state = match_state(name)
    return state.code if state is not None else name


def from_gateway(storefront: Mapping[str, Any], seller: SellerFacts) -> Answers:
    """The answers a gateway's storefront holds (model_dump(mode="json")), for editing."""
    pickup = storefront["pickup_details"]
    billing = storefront["billing_details"]
    legal, bank = billing["legal_details"], billing["bank_account"]
    registered = billing["registered_address"]
    answers: Answers = {
        "name": storefront["name"],
        "categories": list(storefront["categories"]),
        "contact_name": pickup["pickup_name"],
        "phone": pickup["pickup_phone"],
        "email": pickup["email"],
        "address": pickup["pickup_address"],
        "pincode": pickup["pickup_pincode"],
        "city": pickup["pickup_city"],
        "state": _state_code(pickup["pickup_state"]),
        "location": (
            {"lat": pickup["pickup_lat"], "long": pickup["pickup_long"]}
            if pickup.get("pickup_lat") is not None and pickup.get("pickup_long") is not None
            else None
        ),
        "area": {k: v for k, v in storefront["serviceability"].items() if v is not None},
        "hours": store_rules.week_to_gateway(
            store_rules.week_from_gateway(storefront["business_hours"])
        ),
        "bank_name": bank["bank_name"],
        "outside_hours": storefront["policies"]["accept_orders_outside_business_hours"],
    }
    identity = {
        "legal_name": legal["incorporation_name"],
        "incorporation_type": legal["incorporation_type"],
        "gstin": legal["gstin"],
        "pan": legal["pan"],
        "account_number": bank["account_number"],
        "ifsc": bank["ifsc_code"],
    }
    if all(identity[name] == seller.get(name) for name in _IDENTITY):
        answers["billing"] = BILLING_SAME
    else:
        answers["billing"] = BILLING_OTHER
        answers.update({f"billing_{name}": value for name, value in identity.items()})
    same_place = (
        registered["address_line_1"] == answers["address"]
        and str(registered["pincode"]) == answers["pincode"]
        and registered["city"] == answers["city"]
        and _state_code(registered["state"]) == answers["state"]
    )
    if same_place:
        answers["registered_address"] = None
    else:
        answers.update(
            {
                "registered_address": registered["address_line_1"],
                "registered_pincode": str(registered["pincode"]),
                "registered_city": registered["city"],
                "registered_state": _state_code(registered["state"]),
            }
        )
    return answers


def field_at(path: str, answers: Answers) -> str | None:
    """The question whose answer the gateway refused at `path` ("pickup_details.pickup_pincode");
    for a detail not typed here (billing as registered), the question that chose it."""
    field = question_at(path, _GATEWAY_FIELDS)
    if field in BILLING_FIELDS and not is_required(field, answers):
        return "billing"
    if field in REGISTERED_FIELDS and not is_required(field, answers):
        return "registered_address"
    return field


# Most specific first: the first prefix a refused path starts with names the question.
_GATEWAY_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "name"),
    ("categories", "categories"),
    ("pickup_details.pickup_name", "contact_name"),
    ("pickup_details.pickup_phone", "phone"),
    ("pickup_details.email", "email"),
    ("pickup_details.pickup_address", "address"),
    ("pickup_details.pickup_pincode", "pincode"),
    ("pickup_details.pickup_city", "city"),
    ("pickup_details.pickup_state", "state"),
    ("pickup_details.pickup_lat", "location"),
    ("pickup_details.pickup_long", "location"),
    ("serviceability", "area"),
    ("business_hours", "hours"),
    ("billing_details.bank_account.bank_name", "bank_name"),
    ("billing_details.bank_account.account_number", "billing_account_number"),
    ("billing_details.bank_account.ifsc_code", "billing_ifsc"),
    ("billing_details.bank_account.beneficiary_name", "billing_legal_name"),
    ("billing_details.legal_details.incorporation_name", "billing_legal_name"),
    ("billing_details.legal_details.incorporation_type", "billing_incorporation_type"),
    ("billing_details.legal_details.gstin", "billing_gstin"),
    ("billing_details.legal_details.pan", "billing_pan"),
    ("billing_details.registered_address.pincode", "registered_pincode"),
    ("billing_details.registered_address.city", "registered_city"),
    ("billing_details.registered_address.state", "registered_state"),
    ("billing_details.registered_address", "registered_address"),
    ("billing_details.contact_detail.phone", "phone"),
    ("billing_details.contact_detail.email", "email"),
    ("billing_details", "billing"),
)
