"""Product rules: pack sizes and stock, item policies, and the statutory facts of a label."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.domain import product
from bot.domain.product import (
    BOOLEAN_FACTS,
    LABEL_FACTS,
    ON_LABEL,
    ORDER_QUANTITY_MAX,
    STOCK_MAX,
    UNIT_BUTTONS,
    UNIT_VALUE_MAX,
    Policies,
    check_order_quantities,
    clean_country,
    clean_fact,
    clean_fssai_licence,
    clean_month_year,
    clean_order_quantity,
    clean_return_window,
    clean_ship_days,
    clean_stock,
    clean_unit_value,
    default_policies,
    label_facts,
    to_requirements,
    unit_key,
)
from bot.domain.seller import InvalidInput
from bot.gateways.base import ItemPolicies, SubcategoryRequirements, UnitDenomination
from bot.i18n import LOCALES_DIR, SOURCE_LANGUAGE, Catalogue

GM, KG = UnitDenomination.GM, UnitDenomination.KG
TODAY = date(2026, 11, 23)
ENGLISH = Catalogue.read(LOCALES_DIR / f"{SOURCE_LANGUAGE}.po").messages


def refused(
    reason: str, call: Callable[..., object], *args: object, **kwargs: object
) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    assert caught.value.reason == reason
    return caught.value


# --- every reason and unit has a text -------------------------------------------------------------


def test_every_reason_these_rules_give_has_an_english_text() -> None:
    source = Path(product.__file__).read_text(encoding="utf-8")
    reasons = set(re.findall(r'"(error\.[a-z_]+)"', source))
    assert len(reasons) >= 9
    assert reasons - set(ENGLISH) == set()


def test_every_unit_button_is_a_setu_unit_with_a_label() -> None:
    assert 10 <= len(UNIT_BUTTONS) <= 12
    assert len(set(UNIT_BUTTONS)) == len(UNIT_BUTTONS)
    assert UNIT_BUTTONS[:4] == (GM, KG, UnitDenomination.ML, UnitDenomination.LT)
    for unit in UNIT_BUTTONS:
        assert UnitDenomination(unit.value) is unit
        assert unit_key(unit) in ENGLISH


# --- pack size and stock --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("500", 500),
        ("500 g", 500),
        ("500g", 500),
        ("500 gm.", 500),
        ("500 Grams", 500),
        ("५००", 500),
        ("५०० ग्राम", 500),
        ("1,000", 1000),
        ("10,00,000", UNIT_VALUE_MAX),
        ("1", 1),
    ],
)
def test_pack_sizes(typed: str, value: int) -> None:
    assert clean_unit_value(typed, GM) == value


@pytest.mark.parametrize(
    "typed", ["0", "-1", "1.5", "1,5", "abc", "", "1000001", "500 xyz", "5 00", "½", "1e3"]
)
def test_bad_pack_sizes_are_refused(typed: str) -> None:
    error = refused("error.unit_value_invalid", clean_unit_value, typed, GM)
    assert error.params == {"max": "10,00,000"}


@pytest.mark.parametrize(("typed", "unit"), [("2 kg", GM), ("500 g", KG), ("6 pcs", GM)])
def test_a_pack_size_in_another_unit_is_refused(typed: str, unit: UnitDenomination) -> None:
    refused("error.unit_value_other_unit", clean_unit_value, typed, unit)


def test_a_pack_size_with_a_unit_word_is_accepted_when_no_unit_is_chosen_yet() -> None:
    assert clean_unit_value("2 kg") == 2


@pytest.mark.parametrize(
    ("typed", "stock"), [("0", 0), ("25", 25), ("1,200", 1200), ("१००", 100), ("40 pcs", 40)]
)
def test_stock(typed: str, stock: int) -> None:
    assert clean_stock(typed) == stock


@pytest.mark.parametrize("typed", ["-1", "1.5", "many", "", "1000001"])
def test_bad_stock_is_refused(typed: str) -> None:
    error = refused("error.stock_invalid", clean_stock, typed)
    assert error.params == {"max": "10,00,000"}
    assert STOCK_MAX == 1_000_000


# --- policies -------------------------------------------------------------------------------------


def test_packaged_goods_start_returnable_and_cancellable_without_cod() -> None:
    policies = default_policies(["Grocery", "prepackaged_food"])
    assert policies == Policies(
        returnable=True,
        return_window_days=7,
        seller_pickup_return=False,
        cancellable=True,
        cod=False,
        ship_days=1,
        min_qty=1,
        max_qty=10,
    )


def test_restaurant_food_is_made_to_order_so_neither_returnable_nor_cancellable() -> None:
    policies = default_policies(["F&B"])
    assert (policies.returnable, policies.cancellable, policies.cod) == (False, False, False)
    assert policies.return_window_days is None
    assert policies.ship_days == 0


@pytest.mark.parametrize(
    "sub_categories", [["Grocery"], ["F&B"], ["F&B", "prepackaged_food"], ["Fashion"]]
)
def test_policies_become_setu_item_policies(sub_categories: list[str]) -> None:
    policies = default_policies(sub_categories)
    sent = ItemPolicies.model_validate(policies.to_gateway())
    assert sent.returnable is policies.returnable
    assert sent.cancellable is policies.cancellable
    assert sent.cod_availability is policies.cod
    assert sent.time_to_ship.model_dump() == {"days": policies.ship_days, "hours": 0, "seconds": 0}
    assert (sent.min_sale_quantity, sent.max_sale_quantity) == (1, 10)
    assert sent.return_window == policies.return_window_days


def test_a_returnable_item_sends_its_window_and_pickup_choice() -> None:
    policies = Policies(
        returnable=True,
        return_window_days=14,
        seller_pickup_return=True,
        cancellable=False,
        cod=True,
        ship_days=3,
        min_qty=2,
        max_qty=50,
    )
    assert policies.to_gateway() == {
        "returnable": True,
        "cancellable": False,
        "cod_availability": True,
        "time_to_ship": {"days": 3, "hours": 0, "seconds": 0},
        "return_window": 14,
        "seller_pickup_return": True,
        "min_sale_quantity": 2,
        "max_sale_quantity": 50,
    }


def test_an_item_not_returnable_sends_no_return_window() -> None:
    sent = default_policies(["F&B"]).to_gateway()
    assert "return_window" not in sent
    assert "seller_pickup_return" not in sent


@pytest.mark.parametrize(
    ("typed", "days"), [("7", 7), ("1", 1), ("30", 30), ("7 days", 7), ("७ दिन", 7)]
)
def test_return_window(typed: str, days: int) -> None:
    assert clean_return_window(typed) == days


@pytest.mark.parametrize("typed", ["0", "31", "-1", "1.5", "a week", "7 weeks", ""])
def test_bad_return_windows_are_refused(typed: str) -> None:
    error = refused("error.return_window_invalid", clean_return_window, typed)
    assert error.params == {"min": 1, "max": 30}


@pytest.mark.parametrize(("typed", "days"), [("0", 0), ("1", 1), ("15", 15), ("2 din", 2)])
def test_ship_days(typed: str, days: int) -> None:
    assert clean_ship_days(typed) == days


@pytest.mark.parametrize("typed", ["16", "-1", "soon", "1.5", ""])
def test_bad_ship_days_are_refused(typed: str) -> None:
    error = refused("error.ship_days_invalid", clean_ship_days, typed)
    assert error.params == {"max": 15}


@pytest.mark.parametrize(("typed", "qty"), [("1", 1), ("10", 10), ("10,000", 10_000), ("५", 5)])
def test_order_quantities(typed: str, qty: int) -> None:
    assert clean_order_quantity(typed) == qty


@pytest.mark.parametrize("typed", ["0", "-1", "10001", "2.5", "few"])
def test_bad_order_quantities_are_refused(typed: str) -> None:
    error = refused("error.order_quantity_invalid", clean_order_quantity, typed)
    assert error.params == {"max": "10,000"}


@pytest.mark.parametrize(("least", "most"), [(1, 1), (1, 10), (5, 5), (1, ORDER_QUANTITY_MAX)])
def test_least_up_to_most_is_accepted(least: int, most: int) -> None:
    check_order_quantities(least, most)


def test_least_above_most_is_refused() -> None:
    error = refused("error.min_above_max", check_order_quantities, 12, 10)
    assert error.params == {"min": "12", "max": "10"}


@pytest.mark.parametrize(("least", "most"), [(0, 10), (1, 0), (1, 10_001), (-1, 5)])
def test_quantities_out_of_range_are_refused(least: int, most: int) -> None:
    refused("error.order_quantity_invalid", check_order_quantities, least, most)


# --- month and year of packing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "month_year"),
    [
        ("03/2025", "03/2025"),
        ("3/2025", "03/2025"),
        ("3/25", "03/2025"),
        ("3-2025", "03/2025"),
        ("03.2025", "03/2025"),
        ("2025-03", "03/2025"),
        ("15/03/2025", "03/2025"),
        ("March 2025", "03/2025"),
        ("mar 2025", "03/2025"),
        ("Mar '25", "03/2025"),
        ("Sept 2024", "09/2024"),
        ("०३/२०२५", "03/2025"),
        ("11/2026", "11/2026"),  # this month
        ("01/1990", "01/1990"),
        ("6/95", "06/1995"),  # a two-digit year in the future is last century's
    ],
)
def test_month_and_year(typed: str, month_year: str) -> None:
    assert clean_month_year(typed, today=TODAY) == month_year


@pytest.mark.parametrize(
    "typed",
    [
        "12/2026",  # next month
        "01/2027",
        "12/1989",
        "6/89",
        "13/2025",
        "0/2025",
        "32/03/2025",
        "2025",
        "March",
        "Marchember 2025",
        "03/20255",
        "yesterday",
        "",
    ],
)
def test_bad_month_and_year_is_refused(typed: str) -> None:
    refused("error.month_year_invalid", clean_month_year, typed, today=TODAY)


# --- label facts ----------------------------------------------------------------------------------

FOOD_FACTS = {
    "is_vegetarian": True,
    "ingredients_info": "Rice flour (60%), urad dal (30%), salt",
    "nutritional_info": "Energy 380 kcal; Protein 9 g per 100 g",
    "additives_info": "None",
    "brand_owner_name": "Amma Foods",
    "brand_owner_address": "12 MG Road, Madurai 625001",
    "brand_owner_FSSAI_license_no": "12345678901234",
    "imported": False,
}
COMMODITY_FACTS = {
    "manufacturer_or_packer_name": "Shree Packers",
    "manufacturer_or_packer_address": "Plot 4, MIDC, Pune 411019",
    "common_or_generic_name_of_commodity": "Basmati rice",
    "manufacture_or_packing_date": "03/2025",
    "imported": False,
}
IMPORTED_FOOD_FACTS = {
    **FOOD_FACTS,
    "imported": True,
    "importer_name": "Global Foods Pvt Ltd",
    "importer_address": "Andheri East, Mumbai 400069",
    "importer_FSSAI_license_no": "10012345000123",
    "imported_product_country_of_origin": "ITA",
}


def test_food_facts_in_order() -> None:
    assert label_facts(["Grocery", "prepackaged_food"]) == (
        "is_vegetarian",
        "ingredients_info",
        "nutritional_info",
        "additives_info",
        "brand_owner_name",
        "brand_owner_address",
        "brand_owner_FSSAI_license_no",
        "imported",
    )


def test_the_importer_is_asked_only_once_the_food_is_imported() -> None:
    asked = label_facts(["Grocery", "prepackaged_food"], {"imported": True})
    assert asked[-4:] == (
        "importer_name",
        "importer_address",
        "importer_FSSAI_license_no",
        "imported_product_country_of_origin",
    )
    assert label_facts(["prepackaged_food"], {"imported": False})[-1] == "imported"


def test_commodity_facts_in_order() -> None:
    assert label_facts(["Home & Kitchen", "prepackaged_commodities"]) == (
        "manufacturer_or_packer_name",
        "manufacturer_or_packer_address",
        "common_or_generic_name_of_commodity",
        "manufacture_or_packing_date",
        "imported",
    )
    assert label_facts(["prepackaged_commodities"], {"imported": True})[-1] == (
        "imported_product_country_of_origin"
    )


def test_restaurant_food_only_asks_veg_or_not() -> None:
    assert label_facts(["F&B"]) == ("is_vegetarian",)


def test_packaged_food_that_is_also_a_commodity_asks_each_fact_once() -> None:
    asked = label_facts(["F&B", "prepackaged_food", "prepackaged_commodities"], {"imported": True})
    assert len(asked) == len(set(asked))
    assert asked[0] == "is_vegetarian"
    assert asked.count("imported") == 1


@pytest.mark.parametrize("sub_categories", [[], ["Grocery"], ["Fashion", "Electronics"]])
def test_other_items_have_no_label_facts(sub_categories: list[str]) -> None:
    assert label_facts(sub_categories) == ()
    assert to_requirements(sub_categories, {}) == {}


def test_only_text_facts_may_be_on_the_label_photo() -> None:
    assert ON_LABEL == "As shown on the label image"
    everything = set(
        label_facts(["F&B", "prepackaged_food", "prepackaged_commodities"], {"imported": True})
    )
    assert everything >= LABEL_FACTS
    assert BOOLEAN_FACTS.isdisjoint(LABEL_FACTS)
    # Buyer apps check these as data: a licence number and an ISO country code.
    assert "brand_owner_FSSAI_license_no" not in LABEL_FACTS
    assert "imported_product_country_of_origin" not in LABEL_FACTS
    assert {"ingredients_info", "nutritional_info", "manufacture_or_packing_date"} <= LABEL_FACTS


def test_domestic_packaged_food_becomes_a_valid_setu_block() -> None:
    requirements = to_requirements(["Grocery", "prepackaged_food"], FOOD_FACTS)
    model = SubcategoryRequirements.model_validate(requirements)
    food = model.prepackaged_food
    assert food is not None
    assert food.is_vegetarian is True
    assert food.brand_owner_FSSAI_license_no == "12345678901234"
    assert food.importer_name == "NA"
    assert food.importer_FSSAI_license_no == "NA"
    assert food.other_importer_country_of_origin == "NA"
    assert food.imported_product_country_of_origin == "IND"
    assert model.prepackaged_commodities is None
    assert model.food_beverages is None


def test_imported_packaged_food_carries_its_importer() -> None:
    requirements = to_requirements(["prepackaged_food"], IMPORTED_FOOD_FACTS)
    food = SubcategoryRequirements.model_validate(requirements).prepackaged_food
    assert food is not None
    assert food.importer_name == "Global Foods Pvt Ltd"
    assert food.importer_FSSAI_license_no == "10012345000123"
    assert food.imported_product_country_of_origin == "ITA"
    assert food.importer_FSSAI_logo == ON_LABEL


def test_importer_answers_are_dropped_when_the_seller_says_it_is_not_imported_after_all() -> None:
    facts = {**IMPORTED_FOOD_FACTS, "imported": False}
    food = SubcategoryRequirements.model_validate(
        to_requirements(["prepackaged_food"], facts)
    ).prepackaged_food
    assert food is not None
    assert food.importer_name == "NA"
    assert food.imported_product_country_of_origin == "IND"


def test_facts_answered_with_the_label_photo_are_sent_as_such() -> None:
    facts = {**FOOD_FACTS, "ingredients_info": ON_LABEL, "nutritional_info": ON_LABEL}
    food = SubcategoryRequirements.model_validate(
        to_requirements(["prepackaged_food"], facts)
    ).prepackaged_food
    assert food is not None
    assert food.ingredients_info == ON_LABEL
    assert food.nutritional_info == ON_LABEL


def test_packaged_commodity_becomes_a_valid_setu_block() -> None:
    requirements = to_requirements(["Home & Kitchen", "prepackaged_commodities"], COMMODITY_FACTS)
    commodity = SubcategoryRequirements.model_validate(requirements).prepackaged_commodities
    assert commodity is not None
    assert commodity.manufacture_or_packing_date == "03/2025"
    assert commodity.common_or_generic_name_of_commodity == "Basmati rice"
    assert commodity.imported_product_country_of_origin == "IND"


@pytest.mark.parametrize("vegetarian", [True, False])
def test_restaurant_food_becomes_a_valid_setu_block(vegetarian: bool) -> None:
    requirements = to_requirements(["F&B"], {"is_vegetarian": vegetarian})
    assert requirements == {"food_beverages": {"is_vegetarian": vegetarian}}
    SubcategoryRequirements.model_validate(requirements)


def test_every_block_of_an_item_in_several_sub_categories_is_built() -> None:
    facts: dict[str, Any] = {**FOOD_FACTS, **COMMODITY_FACTS, "is_vegetarian": False}
    requirements = to_requirements(["F&B", "prepackaged_food", "prepackaged_commodities"], facts)
    model = SubcategoryRequirements.model_validate(requirements)
    assert model.food_beverages is not None and model.food_beverages.is_vegetarian is False
    assert model.prepackaged_food is not None and model.prepackaged_food.is_vegetarian is False
    assert model.prepackaged_commodities is not None


def test_building_requirements_without_every_answer_is_a_bug() -> None:
    facts = {key: value for key, value in FOOD_FACTS.items() if key != "additives_info"}
    with pytest.raises(ValueError, match="additives_info"):
        to_requirements(["prepackaged_food"], facts)
    with pytest.raises(ValueError, match="importer_name"):
        to_requirements(["prepackaged_food"], {**FOOD_FACTS, "imported": True})


# --- typed facts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("China", "CHN"),
        ("china", "CHN"),
        ("चीन", "CHN"),
        ("CN", "CHN"),
        ("CHN", "CHN"),
        ("Italy", "ITA"),
        ("USA", "USA"),
        ("United States", "USA"),
        ("UK", "GBR"),
        ("Germany", "DEU"),  # not the withdrawn DDR
        ("Myanmar (Burma)", "MMR"),
        ("Myanmar", "MMR"),
        ("Hong Kong", "HKG"),
        ("  sri   lanka ", "LKA"),
        ("Nepal.", "NPL"),
    ],
)
def test_countries_become_iso_alpha3(typed: str, code: str) -> None:
    assert clean_country(typed) == code


@pytest.mark.parametrize(
    "typed",
    ["চীন", "चीन", "சீனா", "చైనా", "ಚೀನಾ", "ચીન"],  # Bengali ... Gujarati, as Babel writes it
)
def test_a_country_typed_in_any_of_our_languages(typed: str) -> None:
    assert clean_country(typed) == "CHN"


@pytest.mark.parametrize("typed", ["Narnia", "", "Europe", "World", "ZZ", "made in china"])
def test_unknown_countries_are_refused(typed: str) -> None:
    refused("error.country_unknown", clean_country, typed)


def test_fssai_licences_on_labels() -> None:
    assert clean_fssai_licence("1234 5678 9012 34") == "12345678901234"
    refused("error.fssai_invalid", clean_fssai_licence, "12345")


@pytest.mark.parametrize(
    ("key", "typed", "cleaned"),
    [
        ("brand_owner_FSSAI_license_no", "१२३४५६७८९०१२३४", "12345678901234"),
        ("manufacture_or_packing_date", "3/2025", "03/2025"),
        ("imported_product_country_of_origin", "Japan", "JPN"),
        ("brand_owner_name", "  Amma   Foods ", "Amma Foods"),
        ("ingredients_info", "Rice,\nsalt", "Rice, salt"),
    ],
)
def test_typed_facts_are_cleaned_for_the_gateway(key: str, typed: str, cleaned: str) -> None:
    assert clean_fact(key, typed) == cleaned


@pytest.mark.parametrize(
    ("key", "typed", "reason"),
    [
        ("importer_FSSAI_license_no", "12", "error.fssai_invalid"),
        ("manufacture_or_packing_date", "next year", "error.month_year_invalid"),
        ("imported_product_country_of_origin", "Atlantis", "error.country_unknown"),
        ("brand_owner_address", "   ", "error.name_empty"),
        ("brand_owner_name", "x" * 251, "error.name_too_long"),
    ],
)
def test_bad_typed_facts_are_refused(key: str, typed: str, reason: str) -> None:
    refused(reason, clean_fact, key, typed)


def test_ingredient_lists_may_be_long() -> None:
    assert clean_fact("ingredients_info", "Rice, " * 150) == ("Rice, " * 150).strip()


@pytest.mark.parametrize("key", ["is_vegetarian", "imported", "no_such_fact"])
def test_only_text_facts_are_typed(key: str) -> None:
    with pytest.raises(KeyError):
        clean_fact(key, "yes")


@pytest.mark.parametrize(
    ("stock", "level", "was", "by_seller", "now"),
    [
        (5, 2, "ok", False, "ok"),
        (2, 2, "ok", False, "due"),  # orders brought it to the level: tell the seller
        (0, 2, "ok", False, "due"),
        (1, 2, "due", False, "due"),  # not told yet: still due
        (1, 2, "told", False, "told"),  # told once per dip
        (3, 2, "told", False, "ok"),  # back above: the next dip is told again
        (1, 2, "ok", True, "told"),  # the seller set it that low: the card shows it
        (1, 2, "due", True, "told"),
        (0, None, "due", False, "ok"),  # no alerts for this item
        (0, 0, "ok", False, "due"),
    ],
)
def test_low_stock_is_told_once_per_dip(
    stock: int, level: int | None, was: str, by_seller: bool, now: str
) -> None:
    from bot.domain.product import LowStock, low_stock_after

    assert low_stock_after(stock, level, LowStock(was), by_seller=by_seller) == LowStock(now)
