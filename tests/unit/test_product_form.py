"""A product's questions as data: which are asked and in which order, how typed answers are
checked, answers that undo others, and the mapping to the gateway's catalogue item."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.domain import product as rules
from bot.domain import product_form as form
from bot.domain.seller import InvalidInput
from bot.gateways.base import CatalogueItem
from bot.gateways.local import LocalGateway
from bot.i18n import LOCALES_DIR, SOURCE_LANGUAGE, Catalogue
from tests.contract.samples import FSSAI, seller_input, storefront_input

PHOTOS = [
    {"name": "ab/abc.jpg", "file_id": "X"},
    {"name": "cd/cde.jpg", "file_id": "Y"},
]
FOOD = ["Grocery", "prepackaged_food"]
COMMODITY = ["Fashion", "prepackaged_commodities"]

FOOD_FACTS = (
    "ingredients_info",
    "nutritional_info",
    "additives_info",
    "brand_owner_name",
    "brand_owner_address",
    "brand_owner_FSSAI_license_no",
)
IMPORTER_FACTS = ("importer_name", "importer_address", "importer_FSSAI_license_no")
COMMODITY_FACTS = (
    "manufacturer_or_packer_name",
    "manufacturer_or_packer_address",
    "common_or_generic_name_of_commodity",
    "manufacture_or_packing_date",
)
# What every item asks, whatever it is, from the photos to the policies.
COMMON = (
    "photos",
    "name",
    "short_description",
    "long_description",
    "mrp",
    "price",
    "gst_included",
    "gst_rate",
)
CUSTOM_POLICIES: dict[str, Any] = {
    "policies": "custom",
    "returnable": True,
    "return_window": 10,
    "seller_pickup_return": True,
    "cancellable": False,
    "cod": True,
    "ship_days": 2,
    "min_qty": 2,
    "max_qty": 20,
}


def image_url(name: str) -> str:
    return f"https://img.sharmakirana.in/{name}"


def plain(**overrides: Any) -> dict[str, Any]:
    """Every answer for a kurta: no label facts, 5 % GST included, split CGST + SGST."""
    answers: dict[str, Any] = {
        "sub_categories": ["Fashion"],
        "photos": [dict(photo) for photo in PHOTOS],
        "name": "Cotton Kurta",
        "short_description": "Hand-block printed cotton kurta",
        "long_description": "Hand-block printed cotton kurta from Jaipur, machine washable.",
        "mrp": "999.00",
        "price": "899.00",
        "gst_included": True,
        "gst_rate": "5",
        "gst_split": "cgst_sgst",
        "unit": "PC",
        "unit_value": 1,
        "stock": 20,
        "policies": "default",
        "area": {"radius": 5},
    }
    answers.update(overrides)
    return answers


def food(**overrides: Any) -> dict[str, Any]:
    """Every answer for a packet of chivda made in India: 18 % GST on top, some facts on the
    label photo."""
    answers = plain(
        sub_categories=list(FOOD),
        name="Roasted Poha Chivda 200 g",
        short_description="Crunchy roasted poha chivda",
        long_description=None,
        mrp="118.00",
        price="100.00",
        gst_included=False,
        gst_rate="18",
        gst_split="cgst_sgst",
        unit="GM",
        unit_value=200,
        stock=40,
        area={"radius": 3},
        is_vegetarian=True,
        ingredients_info=rules.ON_LABEL,
        nutritional_info=rules.ON_LABEL,
        additives_info="INS 330",
        brand_owner_name="Sharma Foods",
        brand_owner_address="Plot 4, MIDC Bhosari, Pune 411026",
        brand_owner_FSSAI_license_no=FSSAI,
        imported=False,
    )
    answers.update(overrides)
    return answers


def refused(
    reason: str, call: Callable[..., object], *args: object, **kwargs: object
) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    assert caught.value.reason == reason
    return caught.value


def asked(values: dict[str, Any], answers: dict[str, Any] | None = None) -> list[str]:
    """The questions asked, in order, when each is answered from `values` ("x" if not there)."""
    answers = dict(answers or {})
    questions: list[str] = []
    while (field := form.next_field(answers)) is not None:
        assert field not in questions, f"{field} asked twice"
        questions.append(field)
        answers = form.answer(answers, field, values.get(field, "x"))
    return questions


def item(answers: dict[str, Any], catalogue_item_id: str | None = None) -> CatalogueItem:
    payload = form.to_gateway(
        form.known(answers), catalogue_item_id or str(uuid.uuid4()), image_url
    )
    return CatalogueItem.model_validate(payload)


# --- every reason has a text ----------------------------------------------------------------------


def test_every_reason_the_form_gives_has_an_english_text() -> None:
    source = Path(form.__file__).read_text(encoding="utf-8")
    reasons = set(re.findall(r'"(error\.[a-z_]+)"', source))
    english = Catalogue.read(LOCALES_DIR / f"{SOURCE_LANGUAGE}.po").messages
    assert {"error.use_buttons", "error.pick_a_category", "error.category_not_yours"} <= reasons
    assert reasons - set(english) == set()


# --- sub-categories -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("categories", "choices"),
    [
        (["Grocery"], ["Grocery", "prepackaged_food", "prepackaged_commodities"]),
        (["F&B"], ["F&B", "prepackaged_food", "prepackaged_commodities"]),
        # Packaged goods of any kind carry Legal Metrology facts; packaged food only where food is.
        (["Fashion"], ["Fashion", "prepackaged_commodities"]),
        (
            ["Fashion", "Grocery"],
            ["Fashion", "Grocery", "prepackaged_food", "prepackaged_commodities"],
        ),
    ],
)
def test_an_item_may_be_in_its_storefronts_categories_and_the_qualifiers_that_apply(
    categories: list[str], choices: list[str]
) -> None:
    assert form.sub_category_choices(categories) == choices


def test_the_chosen_sub_categories_come_back_in_the_offered_order() -> None:
    chosen = ["prepackaged_commodities", "prepackaged_food", "Grocery"]
    assert form.check_sub_categories(chosen, ["Grocery"]) == [
        "Grocery",
        "prepackaged_food",
        "prepackaged_commodities",
    ]
    assert form.check_sub_categories(["Grocery"], ["Grocery"]) == ["Grocery"]
    assert form.check_sub_categories(iter(COMMODITY), ("Fashion",)) == COMMODITY


def test_the_storefronts_categories_may_be_any_iterable() -> None:
    # Both arguments are typed Iterable[str]; a one-shot iterator must work like a list.
    chosen = (c for c in ["prepackaged_food", "Grocery"])
    categories = (c for c in ["Grocery"])
    assert form.check_sub_categories(chosen, categories) == ["Grocery", "prepackaged_food"]


@pytest.mark.parametrize(
    ("chosen", "categories"),
    [
        (["prepackaged_food"], ["Grocery"]),
        (["prepackaged_food", "prepackaged_commodities"], ["Grocery"]),
        (["prepackaged_commodities"], ["Fashion"]),
        ([], ["Grocery"]),
        (["Fashion"], ["Grocery"]),
    ],
)
def test_a_qualifier_alone_is_no_category(chosen: list[str], categories: list[str]) -> None:
    refused("error.pick_a_category", form.check_sub_categories, chosen, categories)


@pytest.mark.parametrize(
    ("chosen", "categories"),
    [
        (["Fashion", "prepackaged_food"], ["Fashion"]),
        (["Grocery", "Fashion"], ["Grocery"]),
        (["Grocery", "prepackaged_snacks"], ["Grocery"]),
    ],
)
def test_a_choice_outside_the_offered_ones_is_refused(
    chosen: list[str], categories: list[str]
) -> None:
    refused("error.category_not_yours", form.check_sub_categories, chosen, categories)


# --- which questions, in which order --------------------------------------------------------------


def test_fields_are_unique_and_the_card_edits_them_in_the_same_order() -> None:
    assert len(set(form.FIELDS)) == len(form.FIELDS)
    assert [f for f in form.FIELDS if f in form.EDITABLE] == list(form.EDITABLE)
    assert set(form.EDITABLE).isdisjoint(form.POLICY_FIELDS)
    assert set(form.EDITABLE).isdisjoint(form.FACTS)
    assert form.FIELDS[-len(form.FACTS) :] == form.FACTS


def test_every_label_fact_is_a_question() -> None:
    everything = rules.label_facts(
        ["F&B", "prepackaged_food", "prepackaged_commodities"], {rules.IMPORTED: True}
    )
    assert set(form.FACTS) == set(everything)
    assert set(form.FACTS) == rules.TEXT_FACTS | rules.BOOLEAN_FACTS


def test_the_first_question_is_the_sub_categories() -> None:
    assert form.next_field({}) == "sub_categories"
    assert form.next_field({"sub_categories": ["Fashion"]}) == "photos"


@pytest.mark.parametrize("answers", [plain(), food(), plain(**CUSTOM_POLICIES)])
def test_nothing_is_left_to_ask_once_everything_is_answered(answers: dict[str, Any]) -> None:
    assert form.next_field(answers) is None


@pytest.mark.parametrize("answers", [plain(), food(), plain(**CUSTOM_POLICIES)])
def test_each_missing_answer_is_asked_for(answers: dict[str, Any]) -> None:
    for field in answers:
        missing = dict(answers)
        del missing[field]
        assert form.next_field(missing) == field


def test_a_plain_item_without_gst_is_asked_no_split_and_no_facts() -> None:
    values = {"sub_categories": ["Fashion"], "gst_rate": "0", "policies": "default"}
    assert asked(values) == [
        "sub_categories",
        *COMMON,
        "unit",
        "unit_value",
        "stock",
        "policies",
        "area",
    ]


def test_gst_brings_the_split_question() -> None:
    values = {"sub_categories": ["Fashion"], "gst_rate": "5", "policies": "default"}
    questions = asked(values)
    assert questions[questions.index("gst_rate") + 1] == "gst_split"
    assert questions[questions.index("gst_split") + 1] == "unit"


@pytest.mark.parametrize(
    ("imported", "then"),
    [(False, ()), (True, (*IMPORTER_FACTS, "imported_product_country_of_origin"))],
)
def test_packaged_food_asks_its_facts_after_the_area(imported: bool, then: tuple[str, ...]) -> None:
    values = {"sub_categories": FOOD, "gst_rate": "5", "policies": "default", "imported": imported}
    questions = asked(values)
    assert questions[questions.index("area") :] == [
        "area",
        "is_vegetarian",
        *FOOD_FACTS,
        "imported",
        *then,
    ]


@pytest.mark.parametrize(
    ("imported", "then"),
    [(False, ()), (True, ("imported_product_country_of_origin",))],
)
def test_packaged_commodities_ask_the_legal_metrology_facts(
    imported: bool, then: tuple[str, ...]
) -> None:
    values = {"sub_categories": COMMODITY, "gst_rate": "0", "policies": "default"}
    questions = asked({**values, "imported": imported})
    assert questions[questions.index("area") :] == ["area", *COMMODITY_FACTS, "imported", *then]
    assert "is_vegetarian" not in questions


def test_packaged_food_and_commodities_ask_the_facts_of_both_once() -> None:
    values = {
        "sub_categories": ["Grocery", "prepackaged_food", "prepackaged_commodities"],
        "gst_rate": "0",
        "policies": "default",
        "imported": True,
    }
    questions = asked(values)
    assert questions[questions.index("area") :] == [
        "area",
        "is_vegetarian",
        *FOOD_FACTS,
        *COMMODITY_FACTS,
        "imported",
        *IMPORTER_FACTS,
        "imported_product_country_of_origin",
    ]


def test_restaurant_food_asks_only_whether_it_is_vegetarian() -> None:
    values = {"sub_categories": ["F&B"], "gst_rate": "5", "policies": "default"}
    questions = asked(values)
    assert questions[questions.index("area") :] == ["area", "is_vegetarian"]


def test_importer_facts_wait_for_the_imported_answer() -> None:
    answers = food()
    del answers["imported"]
    assert form.next_field(answers) == "imported"
    assert form.next_field(form.answer(answers, "imported", False)) is None
    assert form.next_field(form.answer(answers, "imported", True)) == "importer_name"


@pytest.mark.parametrize(
    ("returnable", "policy_questions"),
    [
        (True, list(form.POLICY_FIELDS)),
        (False, ["returnable", "cancellable", "cod", "ship_days", "min_qty", "max_qty"]),
    ],
)
def test_custom_policies_bring_their_questions(
    returnable: bool, policy_questions: list[str]
) -> None:
    values = {
        "sub_categories": ["Fashion"],
        "gst_rate": "0",
        "policies": "custom",
        "returnable": returnable,
    }
    questions = asked(values)
    start = questions.index("policies") + 1
    assert questions[start : start + len(policy_questions) + 1] == [*policy_questions, "area"]


def test_default_policies_ask_no_policy_question() -> None:
    questions = asked({"sub_categories": ["Fashion"], "gst_rate": "0", "policies": "default"})
    assert set(questions).isdisjoint(form.POLICY_FIELDS)


@pytest.mark.parametrize(
    ("field", "answers", "previous"),
    [
        ("sub_categories", {}, None),
        ("photos", {}, "sub_categories"),
        ("unit", {"gst_rate": "0"}, "gst_rate"),
        ("unit", {"gst_rate": "12"}, "gst_split"),
        ("area", {"policies": "default"}, "policies"),
        ("area", {"policies": "custom"}, "max_qty"),
        ("cancellable", {"policies": "custom", "returnable": False}, "returnable"),
        ("cancellable", {"policies": "custom", "returnable": True}, "seller_pickup_return"),
        ("is_vegetarian", {"sub_categories": ["F&B"]}, "area"),
        ("ingredients_info", {"sub_categories": FOOD}, "is_vegetarian"),
        ("imported", {"sub_categories": FOOD}, "brand_owner_FSSAI_license_no"),
        ("imported", {"sub_categories": COMMODITY}, "manufacture_or_packing_date"),
        (
            "imported_product_country_of_origin",
            {"sub_categories": COMMODITY, "imported": True},
            "imported",
        ),
        (
            "imported_product_country_of_origin",
            {"sub_categories": FOOD, "imported": True},
            "importer_FSSAI_license_no",
        ),
        ("nonsense", {}, None),
    ],
)
def test_the_previous_question_skips_those_not_asked(
    field: str, answers: dict[str, Any], previous: str | None
) -> None:
    assert form.previous_field(field, answers) == previous


def test_answered_count_counts_the_answers_given() -> None:
    assert form.answered_count({}) == 0
    assert form.answered_count({"sub_categories": ["Fashion"], "_photos": []}) == 1
    assert form.answered_count(plain()) == len(plain())


# --- typed answers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "rupees"),
    [
        ("₹ 1,200.50", "1200.50"),
        ("Rs. 1,20,000", "120000.00"),
        ("1200", "1200.00"),
        ("₹1,200/-", "1200.00"),
        ("१२००", "1200.00"),
        ("12,50", "12.50"),
    ],
)
@pytest.mark.parametrize("field", ["mrp", "price"])
def test_prices_typed_the_indian_way(field: str, typed: str, rupees: str) -> None:
    assert form.clean_typed(field, typed, {"mrp": "200000.00"}) == rupees


@pytest.mark.parametrize("typed", ["0", "abc", "12.505", "-5"])
@pytest.mark.parametrize("field", ["mrp", "price"])
def test_unreadable_prices_are_refused(field: str, typed: str) -> None:
    with pytest.raises(InvalidInput):
        form.clean_typed(field, typed, {"mrp": "200000.00"})


def test_a_price_above_the_mrp_is_refused() -> None:
    error = refused("error.price_above_mrp", form.clean_typed, "price", "1,250", {"mrp": "1200.00"})
    assert error.params == {"price": "1,250.00", "mrp": "1,200.00"}
    assert form.clean_typed("price", "₹1,200", {"mrp": "1200.00"}) == "1200.00"


@pytest.mark.parametrize("typed", ["18%", "18", "१८", " 18 % "])
def test_a_gst_rate_typed_with_or_without_percent(typed: str) -> None:
    answers = {"mrp": "118.00", "price": "100.00", "gst_included": False}
    assert form.clean_typed("gst_rate", typed, answers) == "18"


def test_a_gst_rate_before_the_price_is_known_is_not_checked_against_it() -> None:
    assert form.clean_typed("gst_rate", "28", {}) == "28"
    assert form.clean_typed("gst_rate", "0.25", {}) == "0.25"


def test_a_gst_rate_that_pushes_the_price_above_the_mrp_is_refused() -> None:
    answers = {"mrp": "118.00", "price": "100.00", "gst_included": False}
    error = refused("error.price_above_mrp", form.clean_typed, "gst_rate", "28", answers)
    assert error.params == {"price": "128.00", "mrp": "118.00"}
    # Included in the price, the rate changes nothing the buyer pays.
    assert form.clean_typed("gst_rate", "28", {**answers, "gst_included": True}) == "28"


def test_a_rate_gst_does_not_have_is_refused() -> None:
    refused("error.gst_rate_unknown", form.clean_typed, "gst_rate", "15", {})


@pytest.mark.parametrize(
    ("typed", "unit", "value"),
    [
        ("500 g", "GM", 500),
        ("500", "GM", 500),
        ("2 kg", "KG", 2),
        ("1,000", "ML", 1000),
        ("6 pcs", "PC", 6),
        ("५००", "GM", 500),
    ],
)
def test_a_pack_size_in_the_chosen_unit(typed: str, unit: str, value: int) -> None:
    assert form.clean_typed("unit_value", typed, {"unit": unit}) == value


@pytest.mark.parametrize(("typed", "unit"), [("2 kg", "GM"), ("500 g", "KG"), ("1 l", "ML")])
def test_a_pack_size_in_another_unit_is_refused(typed: str, unit: str) -> None:
    refused("error.unit_value_other_unit", form.clean_typed, "unit_value", typed, {"unit": unit})


def test_a_pack_size_of_nothing_is_refused() -> None:
    refused("error.unit_value_invalid", form.clean_typed, "unit_value", "0", {"unit": "GM"})


@pytest.mark.parametrize(("typed", "stock"), [("0", 0), ("20", 20), ("1,000", 1000)])
def test_stock_counts_packs(typed: str, stock: int) -> None:
    assert form.clean_typed("stock", typed, {}) == stock


@pytest.mark.parametrize("typed", ["-1", "lots", "10,00,001"])
def test_impossible_stock_is_refused(typed: str) -> None:
    refused("error.stock_invalid", form.clean_typed, "stock", typed, {})


def test_the_most_per_order_may_not_be_below_the_least() -> None:
    error = refused("error.min_above_max", form.clean_typed, "max_qty", "5", {"min_qty": 10})
    assert error.params == {"min": "10", "max": "5"}
    assert form.clean_typed("max_qty", "10", {"min_qty": 10}) == 10
    assert form.clean_typed("max_qty", "1", {}) == 1


@pytest.mark.parametrize(
    ("field", "typed", "value"),
    [
        ("min_qty", "2", 2),
        ("return_window", "7 days", 7),
        ("ship_days", "0", 0),
        ("ship_days", "2", 2),
    ],
)
def test_typed_policies(field: str, typed: str, value: int) -> None:
    assert form.clean_typed(field, typed, {"policies": "custom"}) == value


@pytest.mark.parametrize(
    ("field", "typed", "reason"),
    [
        ("min_qty", "0", "error.order_quantity_invalid"),
        ("return_window", "60", "error.return_window_invalid"),
        ("ship_days", "20", "error.ship_days_invalid"),
    ],
)
def test_impossible_policies_are_refused(field: str, typed: str, reason: str) -> None:
    refused(reason, form.clean_typed, field, typed, {"policies": "custom"})


def test_a_radius_needs_the_storefronts_location() -> None:
    assert form.clean_typed("area", "5", {"_has_location": True}) == {"radius": 5}
    refused("error.radius_needs_location", form.clean_typed, "area", "5", {})
    refused("error.radius_needs_location", form.clean_typed, "area", "5", {"_has_location": False})


def test_pincodes_need_no_location() -> None:
    assert form.clean_typed("area", "411038, 411001", {}) == {"pincodes": [411038, 411001]}


@pytest.mark.parametrize(
    ("field", "typed", "value"),
    [
        ("name", "  Cotton   Kurta ", "Cotton Kurta"),
        ("short_description", "Hand-block\nprinted", "Hand-block printed"),
        ("ingredients_info", " Wheat flour (62%),  salt ", "Wheat flour (62%), salt"),
        ("brand_owner_name", "Sharma  Foods", "Sharma Foods"),
        ("manufacturer_or_packer_address", "Plot 4, MIDC", "Plot 4, MIDC"),
        ("manufacture_or_packing_date", "03/2024", "03/2024"),
        ("imported_product_country_of_origin", "China", "CHN"),
        ("brand_owner_FSSAI_license_no", FSSAI, FSSAI),
        ("importer_FSSAI_license_no", "1001 9022 0001 23", FSSAI),
    ],
)
def test_typed_texts_and_label_facts_are_cleaned(field: str, typed: str, value: str) -> None:
    assert form.clean_typed(field, typed, {}) == value


@pytest.mark.parametrize("field", ["brand_owner_FSSAI_license_no", "importer_FSSAI_license_no"])
@pytest.mark.parametrize("typed", ["12345", "1001902200012", "100190220001234", rules.ON_LABEL])
def test_a_licence_number_must_be_fourteen_digits(field: str, typed: str) -> None:
    refused("error.fssai_invalid", form.clean_typed, field, typed, {})


@pytest.mark.parametrize(
    ("field", "maximum"),
    [("name", form.NAME_MAX), ("short_description", form.SHORT_DESCRIPTION_MAX)],
)
def test_texts_have_a_length_limit(field: str, maximum: int) -> None:
    assert form.clean_typed(field, "a" * maximum, {}) == "a" * maximum
    refused("error.name_too_long", form.clean_typed, field, "a" * (maximum + 1), {})


@pytest.mark.parametrize(
    "field",
    [
        "sub_categories",
        "photos",
        "gst_included",
        "gst_split",
        "unit",
        "policies",
        "returnable",
        "seller_pickup_return",
        "cancellable",
        "cod",
        "is_vegetarian",
        "imported",
        "nonsense",
    ],
)
def test_questions_answered_with_buttons_refuse_typed_text(field: str) -> None:
    refused("error.use_buttons", form.clean_typed, field, "yes", {})
    assert field not in form.TYPED_FIELDS


def test_every_question_is_typed_or_answered_with_buttons() -> None:
    buttons = {"sub_categories", "photos", "gst_split", "unit", "policies"} | form.YES_NO
    assert form.TYPED_FIELDS.isdisjoint(buttons)
    assert set(form.FIELDS) == form.TYPED_FIELDS | buttons


# --- the buyer never pays above the MRP -----------------------------------------------------------


@pytest.mark.parametrize(
    ("mrp", "price", "included", "rate"),
    [
        ("118.00", "100.00", False, "18"),  # exactly the MRP with GST on top
        ("118.00", "118.00", True, "18"),
        ("100.00", "100.00", False, "0"),
        ("60.00", "58.50", True, "5"),
    ],
)
def test_a_price_at_or_below_the_mrp_is_fine(
    mrp: str, price: str, included: bool, rate: str
) -> None:
    form.check_price({"mrp": mrp, "price": price, "gst_included": included, "gst_rate": rate})


@pytest.mark.parametrize(
    ("mrp", "price", "included", "rate", "shown"),
    [
        ("118.00", "100.01", False, "18", "118.02"),
        ("118.00", "118.01", True, "18", "118.01"),
        # ₹100.005 rounds to ₹100.01 and is over the MRP before rounding too.
        ("100.00", "84.75", False, "18", "100.01"),
    ],
)
def test_a_price_above_the_mrp_is_refused_with_gst_as_the_buyer_pays_it(
    mrp: str, price: str, included: bool, rate: str, shown: str
) -> None:
    answers = {"mrp": mrp, "price": price, "gst_included": included, "gst_rate": rate}
    error = refused("error.price_above_mrp", form.check_price, answers)
    assert error.params["price"] == shown


def test_gst_is_taken_as_included_until_asked() -> None:
    form.check_price({"mrp": "118.00", "price": "118.00", "gst_rate": "18"})


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"mrp": "100.00", "price": "100.00"},
        {"mrp": "100.00", "gst_rate": "18", "gst_included": False},
    ],
)
def test_an_incomplete_price_is_not_checked_yet(answers: dict[str, Any]) -> None:
    form.check_price(answers)


# --- answers that undo others ---------------------------------------------------------------------


def test_answer_adds_without_changing_the_answers_given() -> None:
    answers = {"sub_categories": ["Fashion"]}
    changed = form.answer(answers, "name", "Cotton Kurta")
    assert changed == {"sub_categories": ["Fashion"], "name": "Cotton Kurta"}
    assert answers == {"sub_categories": ["Fashion"]}


def test_a_lower_mrp_drops_a_higher_price_which_is_then_asked_again() -> None:
    answers = plain()
    changed = form.answer(answers, "mrp", "800.00")
    assert changed["mrp"] == "800.00"
    assert "price" not in changed
    assert form.next_field(changed) == "price"
    assert answers["price"] == "899.00"


@pytest.mark.parametrize("mrp", ["899.00", "1200.00"])
def test_an_mrp_at_or_above_the_price_keeps_it(mrp: str) -> None:
    changed = form.answer(plain(), "mrp", mrp)
    assert changed["price"] == "899.00"
    assert form.next_field(changed) is None


def test_an_mrp_before_the_price_is_answered() -> None:
    assert form.answer({"name": "Kurta"}, "mrp", "10.00") == {"name": "Kurta", "mrp": "10.00"}


def test_default_policies_drop_the_custom_answers() -> None:
    changed = form.answer(plain(**CUSTOM_POLICIES), "policies", "default")
    assert changed["policies"] == "default"
    assert set(changed).isdisjoint(form.POLICY_FIELDS)
    assert form.next_field(changed) is None
    assert form.policies_of(changed) == rules.default_policies(["Fashion"])


def test_custom_policies_again_keep_the_answers_given() -> None:
    answers = plain(**CUSTOM_POLICIES)
    assert form.answer(answers, "policies", "custom") == answers
    assert form.next_field(form.answer(plain(), "policies", "custom")) == "returnable"


def test_not_returnable_drops_the_return_answers() -> None:
    changed = form.answer(plain(**CUSTOM_POLICIES), "returnable", False)
    assert changed["returnable"] is False
    assert "return_window" not in changed
    assert "seller_pickup_return" not in changed
    assert changed["cancellable"] is False
    assert changed["max_qty"] == 20
    assert form.next_field(changed) is None


def test_returnable_again_asks_the_return_questions() -> None:
    answers = form.answer(plain(**CUSTOM_POLICIES), "returnable", False)
    changed = form.answer(answers, "returnable", True)
    assert form.next_field(changed) == "return_window"
    assert form.answer(plain(**CUSTOM_POLICIES), "returnable", True) == plain(**CUSTOM_POLICIES)


def test_no_gst_drops_the_split() -> None:
    changed = form.answer(plain(), "gst_rate", "0")
    assert "gst_split" not in changed
    assert form.next_field(changed) is None


def test_another_gst_rate_keeps_the_split() -> None:
    changed = form.answer(plain(), "gst_rate", "12")
    assert changed["gst_split"] == "cgst_sgst"
    after_none = form.answer(form.answer(plain(), "gst_rate", "0"), "gst_rate", "5")
    assert form.next_field(after_none) == "gst_split"


# --- policies -------------------------------------------------------------------------------------


def test_restaurant_food_is_neither_returnable_nor_cancellable_by_default() -> None:
    policies = form.policies_of(plain(sub_categories=["F&B"]))
    assert policies == rules.default_policies(["F&B"])
    assert policies.returnable is False
    assert policies.cancellable is False
    assert policies.ship_days == 0


@pytest.mark.parametrize("sub_categories", [["Grocery"], FOOD, ["Fashion"]])
def test_other_items_are_returnable_within_a_week_by_default(sub_categories: list[str]) -> None:
    policies = form.policies_of(plain(sub_categories=sub_categories))
    assert policies == rules.default_policies(sub_categories)
    assert policies.returnable is True
    assert policies.return_window_days == rules.RETURN_WINDOW_DEFAULT_DAYS
    assert policies.cancellable is True


def test_policies_not_yet_chosen_are_the_default_ones() -> None:
    assert form.policies_of({"sub_categories": ["Grocery"]}) == rules.default_policies(["Grocery"])


def test_custom_policies_are_the_sellers_answers() -> None:
    assert form.policies_of(plain(**CUSTOM_POLICIES)) == rules.Policies(
        returnable=True,
        return_window_days=10,
        seller_pickup_return=True,
        cancellable=False,
        cod=True,
        ship_days=2,
        min_qty=2,
        max_qty=20,
    )


def test_custom_policies_of_an_item_not_returnable() -> None:
    answers = form.answer(plain(**CUSTOM_POLICIES), "returnable", False)
    assert form.policies_of(answers) == rules.Policies(
        returnable=False,
        return_window_days=None,
        seller_pickup_return=False,
        cancellable=False,
        cod=True,
        ship_days=2,
        min_qty=2,
        max_qty=20,
    )


# --- the gateway payload --------------------------------------------------------------------------


def test_packaged_food_maps_to_the_gateways_catalogue_item() -> None:
    item_id = str(uuid.uuid4())
    payload = form.to_gateway(form.known(food()), item_id, image_url)
    validated = CatalogueItem.model_validate(payload)
    assert validated.catalogue_item_id == item_id
    assert payload["sub_categories"] == FOOD
    details = payload["catalogue_item_details"]
    urls = [
        "https://img.sharmakirana.in/ab/abc.jpg",
        "https://img.sharmakirana.in/cd/cde.jpg",
    ]
    assert details["images"] == urls
    assert details["symbol"] == urls[0]
    assert details["name"] == "Roasted Poha Chivda 200 g"
    # Skipped: the short description says it all.
    assert details["long_description"] == "Crunchy roasted poha chivda"
    assert details["price"] == {
        "is_selling_price_exclusive_of_gst": True,
        "max_retail_price": "118.00",
        "selling_price": "100.00",
        "total_tax_rate": "18",
        "sgst_tax_rate": "9",
        "cgst_tax_rate": "9",
        "igst_tax_rate": None,
    }
    block = details["subcategory_specific_requirements"]["prepackaged_food"]
    assert block["is_vegetarian"] is True
    assert block["ingredients_info"] == rules.ON_LABEL
    assert block["nutritional_info"] == rules.ON_LABEL
    assert block["additives_info"] == "INS 330"
    assert block["brand_owner_FSSAI_license_no"] == FSSAI
    assert block["importer_name"] == rules.NOT_APPLICABLE
    assert block["imported_product_country_of_origin"] == rules.INDIA
    assert payload["inventory"] == {"unit_denomination": "GM", "unit_value": 200, "quantity": 40}
    assert payload["item_policies"] == rules.default_policies(FOOD).to_gateway()
    assert payload["serviceability"] == {"radius": 3}
    requirements = validated.catalogue_item_details.subcategory_specific_requirements
    assert requirements is not None
    assert requirements.prepackaged_food is not None
    assert requirements.prepackaged_commodities is None


def test_an_imported_packaged_food_names_its_importer_and_country() -> None:
    answers = food(
        imported=True,
        importer_name="Global Snacks Imports",
        importer_address="Andheri East, Mumbai",
        importer_FSSAI_license_no=FSSAI,
        imported_product_country_of_origin="THA",
    )
    block = item(answers).catalogue_item_details.subcategory_specific_requirements
    assert block is not None and block.prepackaged_food is not None
    assert block.prepackaged_food.importer_name == "Global Snacks Imports"
    assert block.prepackaged_food.importer_FSSAI_logo == rules.ON_LABEL
    assert block.prepackaged_food.imported_product_country_of_origin == "THA"


def test_packaged_commodities_map_to_their_block() -> None:
    answers = plain(
        sub_categories=list(COMMODITY),
        manufacturer_or_packer_name=rules.ON_LABEL,
        manufacturer_or_packer_address="Sanganer, Jaipur",
        common_or_generic_name_of_commodity="Kurta",
        manufacture_or_packing_date="03/2024",
        imported=False,
    )
    requirements = item(answers).catalogue_item_details.subcategory_specific_requirements
    assert requirements is not None and requirements.prepackaged_commodities is not None
    assert requirements.prepackaged_commodities.model_dump() == {
        "manufacturer_or_packer_name": rules.ON_LABEL,
        "manufacturer_or_packer_address": "Sanganer, Jaipur",
        "common_or_generic_name_of_commodity": "Kurta",
        "manufacture_or_packing_date": "03/2024",
        "imported_product_country_of_origin": rules.INDIA,
    }
    assert requirements.prepackaged_food is None


def test_restaurant_food_sends_its_veg_mark() -> None:
    answers = plain(sub_categories=["F&B"], is_vegetarian=False)
    requirements = item(answers).catalogue_item_details.subcategory_specific_requirements
    assert requirements is not None
    assert requirements.model_dump(exclude_none=True) == {
        "food_beverages": {"is_vegetarian": False}
    }


def test_an_item_without_facts_sends_no_requirements() -> None:
    payload = form.to_gateway(plain(), str(uuid.uuid4()), image_url)
    assert payload["catalogue_item_details"]["subcategory_specific_requirements"] is None
    assert item(plain()).catalogue_item_details.subcategory_specific_requirements is None


def test_a_long_description_given_is_sent() -> None:
    details = item(plain()).catalogue_item_details
    assert details.long_description == plain()["long_description"]
    assert details.short_description == plain()["short_description"]


@pytest.mark.parametrize(("included", "exclusive"), [(True, False), (False, True)])
def test_the_gateways_gst_flag_is_the_opposite_of_the_sellers_answer(
    included: bool, exclusive: bool
) -> None:
    answers = food(gst_included=included)
    price = item(answers).catalogue_item_details.price
    assert price.is_selling_price_exclusive_of_gst is exclusive


@pytest.mark.parametrize(
    ("rate", "split", "cgst", "sgst", "igst"),
    [
        ("18", "cgst_sgst", "9", "9", None),
        ("5", "cgst_sgst", "2.5", "2.5", None),
        ("18", "igst", None, None, "18"),
        ("5", "igst", None, None, "5"),
        ("18", "none", None, None, None),
    ],
)
def test_the_gst_split_gives_the_component_rates(
    rate: str, split: str, cgst: str | None, sgst: str | None, igst: str | None
) -> None:
    answers = food(gst_included=True, gst_rate=rate, gst_split=split)
    price = form.to_gateway(answers, str(uuid.uuid4()), image_url)["catalogue_item_details"][
        "price"
    ]
    assert price["total_tax_rate"] == rate
    assert (price["cgst_tax_rate"], price["sgst_tax_rate"], price["igst_tax_rate"]) == (
        cgst,
        sgst,
        igst,
    )
    validated = item(answers).catalogue_item_details.price
    components = [validated.cgst_tax_rate, validated.sgst_tax_rate, validated.igst_tax_rate]
    given = [c for c in components if c is not None]
    assert not given or sum(given) == Decimal(rate)


def test_no_gst_sends_no_split() -> None:
    answers = form.answer(plain(), "gst_rate", "0")
    price = item(answers).catalogue_item_details.price
    assert price.total_tax_rate == 0
    assert (price.cgst_tax_rate, price.sgst_tax_rate, price.igst_tax_rate) == (None, None, None)


def test_custom_policies_are_sent_as_item_policies() -> None:
    policies = item(plain(**CUSTOM_POLICIES)).item_policies
    assert policies.model_dump() == {
        "returnable": True,
        "cancellable": False,
        "cod_availability": True,
        "time_to_ship": {"days": 2, "hours": 0, "seconds": 0},
        "return_window": 10,
        "seller_pickup_return": True,
        "max_sale_quantity": 20,
        "min_sale_quantity": 2,
    }


def test_the_bots_notes_are_never_sent() -> None:
    noted = food(_photos=[{"name": "zz/zzz.jpg"}], _has_location=True)
    assert form.known(noted) == food()
    assert form.known({"_a": 1, "b": 2}) == {"b": 2}
    item_id = str(uuid.uuid4())
    payload = form.to_gateway(form.known(noted), item_id, image_url)
    assert payload == form.to_gateway(food(), item_id, image_url)
    assert "_photos" not in repr(payload)
    assert "zzz" not in repr(payload)


def test_to_gateway_does_not_share_the_answers_sub_categories_list() -> None:
    answers = food()
    form.to_gateway(answers, str(uuid.uuid4()), image_url)["sub_categories"].append("Fashion")
    assert answers["sub_categories"] == FOOD


async def test_the_local_gateway_accepts_the_item_and_gives_it_back(engine: Engine) -> None:
    gateway = LocalGateway(engine)
    setu_seller_id = await gateway.create_seller(seller_input())
    setu_storefront_id = await gateway.create_storefront(storefront_input(setu_seller_id))
    item_id = str(uuid.uuid4())
    sent = item(food(), item_id)
    result = await gateway.upsert_catalogue(setu_storefront_id, [sent])
    assert result.approved == 1
    assert result.failed == 0
    stored = await gateway.get_catalogue_item(setu_storefront_id, item_id)
    assert stored.model_dump(mode="json") == sent.model_dump(mode="json")
    await gateway.aclose()


async def test_the_local_gateway_accepts_a_plain_item_with_custom_policies(
    engine: Engine,
) -> None:
    gateway = LocalGateway(engine)
    setu_seller_id = await gateway.create_seller(seller_input())
    setu_storefront_id = await gateway.create_storefront(storefront_input(setu_seller_id))
    answers = plain(**CUSTOM_POLICIES, sub_categories=["Grocery"], gst_split="igst")
    result = await gateway.upsert_catalogue(setu_storefront_id, [item(answers)])
    assert result.approved == 1
    await gateway.aclose()


# --- what the buyer pays, and refusals ------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "included", "rate", "total"),
    [
        ("118.00", True, "18", "118.00"),
        ("100.00", False, "18", "118.00"),
        ("84.75", False, "18", "100.01"),
        ("899.00", True, "5", "899.00"),
        ("100.00", False, "0", "100.00"),
    ],
)
def test_the_buyer_pays_the_price_with_gst(
    price: str, included: bool, rate: str, total: str
) -> None:
    answers = {"price": price, "gst_included": included, "gst_rate": rate}
    assert form.buyer_pays(answers) == Decimal(total)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("0.catalogue_item_details.price.selling_price", "price"),
        ("0.catalogue_item_details.price.max_retail_price", "mrp"),
        ("0.catalogue_item_details.price.total_tax_rate", "gst_rate"),
        ("0.catalogue_item_details.price.cgst_tax_rate", "gst_split"),
        ("0.catalogue_item_details.images", "photos"),
        ("0.catalogue_item_details.images.1", "photos"),
        ("0.catalogue_item_details.symbol", "photos"),
        ("0.catalogue_item_details.name", "name"),
        ("0.catalogue_item_details.long_description", "long_description"),
        (
            "0.catalogue_item_details.subcategory_specific_requirements.prepackaged_food",
            "sub_categories",
        ),
        ("0.sub_categories", "sub_categories"),
        ("0.inventory.quantity", "stock"),
        ("0.inventory.unit_value", "unit_value"),
        ("0.inventory.unit_denomination", "unit"),
        ("0.item_policies.return_window", "policies"),
        ("0.serviceability.radius", "area"),
        ("12.inventory.quantity", "stock"),
        ("0.catalogue_item_id", None),
        ("0.catalogue_item_details.names", None),
        ("0.nonsense", None),
        ("", None),
    ],
)
def test_gateway_field_paths_name_our_questions(path: str, field: str | None) -> None:
    assert form.field_at(path) == field


def test_a_new_kind_brings_back_its_answered_label_facts_and_own_rules_come_back() -> None:
    answers = {
        "sub_categories": ["Grocery", "prepackaged_food"],
        "is_vegetarian": True,
        "ingredients_info": "Milk fat",
        "policies": "custom",
        "returnable": False,
        "cod": True,
    }
    facts = form.follow_ups("sub_categories", answers)
    assert facts == ("is_vegetarian", "ingredients_info")
    assert form.follow_ups("sub_categories", {**answers, "sub_categories": ["Grocery"]}) == ()
    assert form.follow_ups("policies", answers) == ("returnable", "cod")
    assert form.follow_ups("policies", {**answers, "policies": "default"}) == ()
    assert form.follow_ups("name", answers) == ()


def test_a_new_unit_drops_the_pack_size() -> None:
    answers = {"unit": "GM", "unit_value": 500}
    assert "unit_value" not in form.answer(answers, "unit", "KG")
    assert form.answer(answers, "unit", "GM")["unit_value"] == 500
