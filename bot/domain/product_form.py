"""A product's questions as data: which are asked, in which order, what an answer changes, and
the mapping from the answers to the gateway's catalogue item.

The rules for each answer live in bot/domain/pricing.py (money, GST), bot/domain/product.py
(units, stock, policies, label facts) and bot/domain/storefront_form.py (delivery area).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from bot.domain import pricing
from bot.domain import product as rules
from bot.domain.questions import Questions, question_at
from bot.domain.seller import InvalidInput, clean_name
from bot.domain.storefront_form import parse_area

Answers = dict[str, Any]

# The qualifiers a storefront category may be narrowed by; each brings its statutory facts.
QUALIFIERS = ("prepackaged_food", "prepackaged_commodities")
# Packaged food is offered where food is sold.
_FOOD_CATEGORIES = frozenset({"Grocery", "F&B"})

PHOTOS_MAX = 8  # a product and its label from a few sides; more is an album sent twice
NAME_MAX = 100
SHORT_DESCRIPTION_MAX = 200
LONG_DESCRIPTION_MAX = 1000

POLICY_DEFAULT, POLICY_CUSTOM = "default", "custom"
POLICY_FIELDS = (
    "returnable",
    "return_window",
    "seller_pickup_return",
    "cancellable",
    "cod",
    "ship_days",
    "min_qty",
    "max_qty",
)
_RETURN_FIELDS = frozenset({"return_window", "seller_pickup_return"})

# Every label fact there is, in the order label_facts asks them.
FACTS: tuple[str, ...] = rules.label_facts(
    ("prepackaged_food", "prepackaged_commodities"), {rules.IMPORTED: True}
)

FIELDS: tuple[str, ...] = (
    "sub_categories",
    "photos",
    "name",
    "short_description",
    "long_description",
    "mrp",
    "price",
    "gst_included",
    "gst_rate",
    "gst_split",
    "unit",
    "unit_value",
    "stock",
    "policies",
    *POLICY_FIELDS,
    "area",
    *FACTS,
)
# The Edit buttons: a policy or a label fact comes with the question that brings it.
EDITABLE: tuple[str, ...] = tuple(f for f in FIELDS if f not in POLICY_FIELDS and f not in FACTS)
YES_NO = frozenset({"gst_included", "returnable", "seller_pickup_return", "cancellable", "cod"})
YES_NO |= rules.BOOLEAN_FACTS


def sub_category_choices(storefront_categories: Iterable[str]) -> list[str]:
    """What an item of this storefront may be: its categories, then the qualifiers that apply."""
    categories = list(storefront_categories)
    qualifiers = [
        q for q in QUALIFIERS if q != "prepackaged_food" or _FOOD_CATEGORIES & set(categories)
    ]
    return [*categories, *qualifiers]


def check_sub_categories(chosen: Iterable[str], storefront_categories: Iterable[str]) -> list[str]:
    """The choice in the offered order; InvalidInput unless it names one of the storefront's
    categories and nothing outside the choices (Setu §7.1 rule 1)."""
    categories = list(storefront_categories)
    offered = sub_category_choices(categories)
    picked = set(chosen)
    if not picked & set(categories):
        raise InvalidInput("error.pick_a_category")
    if not picked <= set(offered):
        raise InvalidInput("error.category_not_yours")
    return [choice for choice in offered if choice in picked]


def _facts_of(answers: Answers) -> dict[str, Any]:
    return {fact: answers[fact] for fact in FACTS if fact in answers}


def is_required(field: str, answers: Answers) -> bool:
    if field == "gst_split":
        return Decimal(answers.get("gst_rate") or 0) > 0
    if field in POLICY_FIELDS:
        if answers.get("policies") != POLICY_CUSTOM:
            return False
        return field not in _RETURN_FIELDS or answers.get("returnable") is True
    if field in FACTS:
        return field in rules.label_facts(answers.get("sub_categories") or [], _facts_of(answers))
    return True


QUESTIONS = Questions(FIELDS, is_required)


def editable(answers: Answers) -> tuple[str, ...]:
    """The Edit buttons these answers call for (no GST billing to edit at 0% GST)."""
    return tuple(f for f in EDITABLE if is_required(f, answers))


next_field = QUESTIONS.next_field
previous_field = QUESTIONS.previous_field
answered_count = QUESTIONS.answered_count


def _text(maximum: int) -> Callable[[str, Answers], str]:
    return lambda text, _answers: clean_name(text, maximum)


def _money(text: str, _answers: Answers) -> str:
    return str(pricing.parse_rupees(text))


def _price(text: str, answers: Answers) -> str:
    price = pricing.parse_rupees(text)
    mrp = Decimal(answers["mrp"])
    if price > mrp:
        raise InvalidInput(
            "error.price_above_mrp",
            price=pricing.format_rupees(price),
            mrp=pricing.format_rupees(mrp),
        )
    return str(price)


def _gst_rate(text: str, answers: Answers) -> str:
    rate = pricing.parse_gst_rate(text)
    check_price(answers | {"gst_rate": str(rate)})
    return str(rate)


def _unit_value(text: str, answers: Answers) -> int:
    unit = answers.get("unit")
    return rules.clean_unit_value(text, rules.UnitDenomination(unit) if unit else None)


def _area(text: str, answers: Answers) -> dict[str, Any]:
    return parse_area(text, has_location=bool(answers.get("_has_location")))


_CLEANERS: dict[str, Callable[[str, Answers], Any]] = {
    "name": _text(NAME_MAX),
    "short_description": _text(SHORT_DESCRIPTION_MAX),
    "long_description": _text(LONG_DESCRIPTION_MAX),
    "mrp": _money,
    "price": _price,
    "gst_rate": _gst_rate,
    "unit_value": _unit_value,
    "stock": lambda text, _answers: rules.clean_stock(text),
    "return_window": lambda text, _answers: rules.clean_return_window(text),
    "ship_days": lambda text, _answers: rules.clean_ship_days(text),
    "min_qty": lambda text, _answers: rules.clean_order_quantity(text),
    "max_qty": lambda text, answers: _max_qty(text, answers),
    "area": _area,
    **{
        fact: (lambda text, _answers, fact=fact: rules.clean_fact(fact, text))
        for fact in FACTS
        if fact not in rules.BOOLEAN_FACTS
    },
}
TYPED_FIELDS = frozenset(_CLEANERS)


def _max_qty(text: str, answers: Answers) -> int:
    most = rules.clean_order_quantity(text)
    rules.check_order_quantities(int(answers.get("min_qty") or 1), most)
    return most


def clean_typed(field: str, text: str, answers: Answers) -> Any:
    """Checks and normalises a typed answer; InvalidInput with the reason ("error.use_buttons"
    for a question answered with buttons)."""
    if field not in _CLEANERS:
        raise InvalidInput("error.use_buttons")
    return _CLEANERS[field](text, answers)


def check_price(answers: Answers) -> None:
    """InvalidInput if what the buyer pays (GST on top, if it is) is above the MRP."""
    if not {"mrp", "price", "gst_rate"} <= answers.keys():
        return
    pricing.check_selling_price(
        Decimal(answers["mrp"]),
        Decimal(answers["price"]),
        gst_included=bool(answers.get("gst_included", True)),
        gst_rate=Decimal(answers["gst_rate"]),
    )


def answer(answers: Answers, field: str, value: Any) -> Answers:
    """The answers after one more: drops later answers this one invalidates, so they are asked
    again (a lower MRP than the price: the price; default policies: the custom ones)."""
    updated = {**answers, field: value}
    if field == "mrp" and "price" in updated and Decimal(updated["price"]) > Decimal(value):
        del updated["price"]
    if field == "policies" and value == POLICY_DEFAULT:
        for name in POLICY_FIELDS:
            updated.pop(name, None)
    if field == "returnable" and value is False:
        for name in _RETURN_FIELDS:
            updated.pop(name, None)
    if field == "gst_rate" and Decimal(value) == 0:
        updated.pop("gst_split", None)
    if field == "unit" and answers.get("unit") not in (None, value):
        updated.pop("unit_value", None)  # 500 grams is not 500 kg: the pack size is asked again
    return updated


def follow_ups(field: str, answers: Answers) -> tuple[str, ...]:
    """The answered questions an answer to `field` brings back, to be asked again with Keep:
    the label facts of the item's kind, or each of the seller's own rules."""
    if field == "sub_categories":
        return tuple(f for f in FACTS if f in answers and is_required(f, answers))
    if field == "policies" and answers.get("policies") == POLICY_CUSTOM:
        return tuple(f for f in POLICY_FIELDS if f in answers)
    return ()


def policies_complete(answers: Answers) -> bool:
    """Whether the seller's own rules are all answered (or the defaults apply)."""
    if answers.get("policies") != POLICY_CUSTOM:
        return True
    return all(f in answers for f in POLICY_FIELDS if is_required(f, answers))


def policies_of(answers: Answers) -> rules.Policies:
    """The default policies for the item's sub-categories, or the seller's own."""
    if answers.get("policies") != POLICY_CUSTOM:
        return rules.default_policies(answers.get("sub_categories") or [])
    returnable = bool(answers["returnable"])
    return rules.Policies(
        returnable=returnable,
        return_window_days=int(answers["return_window"]) if returnable else None,
        seller_pickup_return=bool(answers.get("seller_pickup_return")) if returnable else False,
        cancellable=bool(answers["cancellable"]),
        cod=bool(answers["cod"]),
        ship_days=int(answers["ship_days"]),
        min_qty=int(answers["min_qty"]),
        max_qty=int(answers["max_qty"]),
    )


def to_gateway(
    answers: Answers, catalogue_item_id: str, image_url: Callable[[str], str]
) -> dict[str, Any]:
    """The gateway's catalogue item (Setu's ProductItemDTO) from complete answers."""
    images = [image_url(photo["name"]) for photo in answers["photos"]]
    rate = Decimal(answers["gst_rate"])
    split = pricing.GstSplit(answers.get("gst_split") or pricing.GstSplit.NONE)
    requirements = rules.to_requirements(answers["sub_categories"], _facts_of(answers))
    return {
        "catalogue_item_id": catalogue_item_id,
        "sub_categories": list(answers["sub_categories"]),
        "catalogue_item_details": {
            "name": answers["name"],
            # ONDC's symbol is an image; the first photo is the one buyers see first.
            "symbol": images[0],
            "short_description": answers["short_description"],
            # Setu requires one; a seller who skipped it has said all in the short one.
            "long_description": answers.get("long_description") or answers["short_description"],
            "images": images,
            "price": {
                # Setu's flag has the opposite sense of the seller's question (§7.1 rule 5).
                "is_selling_price_exclusive_of_gst": not answers["gst_included"],
                "max_retail_price": answers["mrp"],
                "selling_price": answers["price"],
                "total_tax_rate": str(rate),
                **{
                    k: (str(v) if v is not None else None)
                    for k, v in pricing.split_rates(rate, split).items()
                },
            },
            "subcategory_specific_requirements": requirements or None,
        },
        "inventory": {
            "unit_denomination": answers["unit"],
            "unit_value": int(answers["unit_value"]),
            "quantity": int(answers["stock"]),
        },
        "item_policies": policies_of(answers).to_gateway(),
        "serviceability": answers.get("area") or {},
    }


def buyer_pays(answers: Answers) -> Decimal:
    """The price with GST, as the buyer pays it (and as the catalogue lists it)."""
    return pricing.tax_breakdown(
        Decimal(answers["price"]),
        Decimal(answers["gst_rate"]),
        gst_included=bool(answers["gst_included"]),
    ).total


def field_at(path: str) -> str | None:
    """The question whose answer the gateway refused at `path`, which starts with the item's
    index in the batch ("0.catalogue_item_details.price.selling_price")."""
    return question_at(path.partition(".")[2], _GATEWAY_FIELDS)


_GATEWAY_FIELDS: tuple[tuple[str, str], ...] = (
    ("sub_categories", "sub_categories"),
    ("catalogue_item_details.name", "name"),
    ("catalogue_item_details.short_description", "short_description"),
    ("catalogue_item_details.long_description", "long_description"),
    ("catalogue_item_details.images", "photos"),
    ("catalogue_item_details.symbol", "photos"),
    ("catalogue_item_details.price.max_retail_price", "mrp"),
    ("catalogue_item_details.price.selling_price", "price"),
    ("catalogue_item_details.price.total_tax_rate", "gst_rate"),
    ("catalogue_item_details.price", "gst_split"),
    ("catalogue_item_details.subcategory_specific_requirements", "sub_categories"),
    ("inventory.unit_denomination", "unit"),
    ("inventory.unit_value", "unit_value"),
    ("inventory.quantity", "stock"),
    ("item_policies", "policies"),
    ("serviceability", "area"),
)


def known(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers without the bot's own notes (keys starting with "_")."""
    return {k: v for k, v in answers.items() if not k.startswith("_")}
