"""The storefront form as data: question order, follow-up questions only when needed, answers
that undo others, and the one mapping to and from the gateway's storefront payload."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.domain import storefront_form as form
from bot.domain.banks import bank_name_for
from bot.domain.seller import InvalidInput
from bot.domain.storefront import preset_week, week_to_gateway
from bot.gateways.base import InvalidRequest, StorefrontInput
from bot.gateways.local import LocalGateway
from bot.i18n import LOCALES_DIR, SOURCE_LANGUAGE, Catalogue
from tests.contract.samples import seller_input

GSTIN, PAN = "27AAPFU0939F1ZV", "AAPFU0939F"
# Another entity (a franchise in Tamil Nadu) and the same entity registered in Karnataka.
OTHER_GSTIN, OTHER_PAN = "33ABCPK1234M1ZX", "ABCPK1234M"
OTHER_GSTIN_SAME_PAN = "29ABCPK1234M1ZM"
HOURS = week_to_gateway(preset_week("9-21-daily"))
LOCATION = {"lat": "18.507400", "long": "73.807700"}

# What the seller registered with: the sample seller of the gateway contract tests.
SELLER: dict[str, Any] = {
    "display_name": "Sharma Kirana",
    "legal_name": "Sharma Traders LLP",
    "incorporation_type": "LLP",
    "gstin": GSTIN,
    "pan": PAN,
    "categories": ["Grocery", "Home & Kitchen"],
    "fssai": "10019022000123",
    "account_number": "50100123456789",
    "ifsc": "HDFC0001234",
    "phone": "+919812345678",
    "email": "owner@sharmakirana.in",
}

BILLED_BY_OTHER: dict[str, Any] = {
    "billing": "other",
    "billing_legal_name": "Kothrud Retail Pvt Ltd",
    "billing_incorporation_type": "PRLC",
    "billing_gstin": OTHER_GSTIN,
    "billing_pan": OTHER_PAN,
    "billing_account_number": "123456789012",
    "billing_ifsc": "SBIN0001234",
}
REGISTERED_ELSEWHERE: dict[str, Any] = {
    "registered_address": "4 Anna Salai, Mount Road",
    "registered_pincode": "600002",
    "registered_city": "Chennai",
    "registered_state": "TN",
}


def complete(**overrides: Any) -> dict[str, Any]:
    """Every answer of a hyperlocal storefront billed by its seller at its pickup address."""
    answers: dict[str, Any] = {
        "name": "Sharma Kirana, Kothrud",
        "categories": ["Grocery"],
        "contact_name": "Ramesh Sharma",
        "phone": "+919812345678",
        "email": "orders@sharmakirana.in",
        "address": "12 Paud Road, Kothrud",
        "pincode": "411038",
        "city": "Pune",
        "state": "MH",
        "location": dict(LOCATION),
        "area": {"radius": 5},
        "hours": HOURS,
        "billing": "same",
        "registered_address": None,
        "bank_name": "HDFC Bank",
    }
    answers.update(overrides)
    return answers


def elsewhere() -> dict[str, Any]:
    """Every answer of a storefront billed by another entity registered in another city,
    delivering to a list of PIN codes, without a shared location."""
    return complete(
        **BILLED_BY_OTHER,
        **REGISTERED_ELSEWHERE,
        location=None,
        area={"pincodes": [400001, 411038]},
        bank_name="State Bank of India",
    )


def refused(
    reason: str, call: Callable[..., object], *args: object, **kwargs: object
) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    assert caught.value.reason == reason
    return caught.value


def gateway_input(answers: dict[str, Any], setu_seller_id: int = 1) -> StorefrontInput:
    return StorefrontInput.model_validate(
        {
            "storefront_id": str(uuid.uuid4()),
            "setu_seller_id": setu_seller_id,
            **form.to_gateway(answers, SELLER),
        }
    )


# --- every reason has a text ----------------------------------------------------------------------


def test_every_reason_the_form_gives_has_an_english_text() -> None:
    source = Path(form.__file__).read_text(encoding="utf-8")
    reasons = set(re.findall(r'"(error\.[a-z_]+)"', source))
    english = Catalogue.read(LOCALES_DIR / f"{SOURCE_LANGUAGE}.po").messages
    assert {"error.use_buttons", "error.state_unknown"} <= reasons
    assert reasons - set(english) == set()


# --- which questions, in which order --------------------------------------------------------------


def test_questions_are_asked_in_the_order_of_the_card() -> None:
    assert form.FIELDS == (
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
    assert len(set(form.FIELDS)) == len(form.FIELDS)


def test_a_storefront_card_edits_parents_not_their_follow_up_questions() -> None:
    assert "billing" in form.EDITABLE
    assert "registered_address" in form.EDITABLE
    assert set(form.EDITABLE).isdisjoint(form.BILLING_FIELDS)
    assert set(form.EDITABLE).isdisjoint(form.REGISTERED_FIELDS)
    assert [f for f in form.FIELDS if f in form.EDITABLE] == list(form.EDITABLE)


def test_the_first_question_is_the_name() -> None:
    assert form.next_field({}) == "name"
    assert form.next_field({"name": "Sharma Kirana"}) == "categories"


def test_nothing_is_left_to_ask_once_everything_is_answered() -> None:
    assert form.next_field(complete()) is None
    assert form.next_field(elsewhere()) is None


def test_each_missing_answer_is_asked_for() -> None:
    for field in complete():
        answers = complete()
        del answers[field]
        assert form.next_field(answers) == field


def test_billing_questions_only_when_another_entity_bills() -> None:
    assert form.next_field(complete(billing="same")) is None
    assert form.next_field(complete(billing="other")) == "billing_legal_name"
    partly = complete(**BILLED_BY_OTHER)
    del partly["billing_pan"]
    assert form.next_field(partly) == "billing_pan"


def test_registered_address_questions_only_when_it_is_not_the_pickup_address() -> None:
    # The key present with None means "the same as the pickup address".
    assert form.next_field(complete(registered_address=None)) is None
    assert form.next_field(complete(registered_address="4 Anna Salai")) == "registered_pincode"
    partly = complete(**REGISTERED_ELSEWHERE)
    del partly["registered_state"]
    assert form.next_field(partly) == "registered_state"


def test_an_unanswered_registered_address_is_asked_before_its_follow_ups() -> None:
    answers = complete()
    del answers["registered_address"]
    assert form.next_field(answers) == "registered_address"


@pytest.mark.parametrize(
    ("field", "answers", "required"),
    [
        ("name", {}, True),
        ("bank_name", {}, True),
        ("billing", {}, True),
        ("registered_address", {}, True),
        ("billing_gstin", {}, False),
        ("billing_gstin", {"billing": "same"}, False),
        ("billing_gstin", {"billing": "other"}, True),
        ("billing_ifsc", {"billing": "other"}, True),
        ("registered_city", {}, False),
        ("registered_city", {"registered_address": None}, False),
        ("registered_city", {"registered_address": "4 Anna Salai"}, True),
        ("registered_pincode", {"registered_address": "4 Anna Salai"}, True),
    ],
)
def test_is_required(field: str, answers: dict[str, Any], required: bool) -> None:
    assert form.is_required(field, answers) is required


@pytest.mark.parametrize(
    ("full", "skipped"),
    [
        (complete(), form.BILLING_FIELDS + form.REGISTERED_FIELDS),
        (complete(**BILLED_BY_OTHER), form.REGISTERED_FIELDS),
        (complete(**REGISTERED_ELSEWHERE), form.BILLING_FIELDS),
        (elsewhere(), ()),
    ],
    ids=["same-same", "other-same", "same-elsewhere", "other-elsewhere"],
)
def test_answering_question_after_question_asks_each_needed_one_once_in_order(
    full: dict[str, Any], skipped: tuple[str, ...]
) -> None:
    answers: dict[str, Any] = {}
    asked: list[str] = []
    while (field := form.next_field(answers)) is not None:
        assert field not in asked
        asked.append(field)
        answers = form.answer(answers, field, full[field])
    assert asked == [f for f in form.FIELDS if f not in skipped]
    assert answers == full


@pytest.mark.parametrize(
    ("field", "answers", "previous"),
    [
        ("name", {}, None),
        ("categories", {}, "name"),
        ("area", {}, "location"),
        ("billing", {}, "hours"),
        ("billing_legal_name", {"billing": "other"}, "billing"),
        ("billing_pan", {"billing": "other"}, "billing_gstin"),
        ("registered_address", {"billing": "same"}, "billing"),
        ("registered_address", {}, "billing"),
        ("registered_address", {"billing": "other"}, "billing_ifsc"),
        ("registered_pincode", {"registered_address": "4 Anna Salai"}, "registered_address"),
        ("bank_name", {"registered_address": None}, "registered_address"),
        ("bank_name", {}, "registered_address"),
        ("bank_name", {"registered_address": "4 Anna Salai"}, "registered_state"),
        ("nonsense", {}, None),
    ],
)
def test_previous_question_skips_what_is_not_asked(
    field: str, answers: dict[str, Any], previous: str | None
) -> None:
    assert form.previous_field(field, answers) == previous


def test_answered_count_counts_questions_answered_even_with_none() -> None:
    assert form.answered_count({}) == 0
    assert form.answered_count({"name": "x", "registered_address": None}) == 2
    assert form.answered_count(complete()) == 15
    assert form.answered_count(elsewhere()) == len(form.FIELDS)
    # Keys that are not questions are not counted.
    assert form.answered_count(complete(outside_hours=True, junk=1)) == 15


# --- where it delivers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "radius"), [("5", 5), ("5 km", 5), ("५ किमी", 5), (" 10km ", 10), ("50", 50)]
)
def test_one_short_number_is_a_radius(typed: str, radius: int) -> None:
    assert form.parse_area(typed, has_location=True) == {"radius": radius}


@pytest.mark.parametrize("typed", ["5", "5 km", "५ किमी"])
def test_a_radius_needs_the_shared_location(typed: str) -> None:
    refused("error.radius_needs_location", form.parse_area, typed, has_location=False)


@pytest.mark.parametrize("typed", ["75", "0", "100 km"])
def test_a_radius_outside_the_limits_is_refused(typed: str) -> None:
    error = refused("error.radius_invalid", form.parse_area, typed, has_location=True)
    assert error.params == {"min": 1, "max": 50}


@pytest.mark.parametrize(
    ("typed", "pincodes"),
    [
        ("400001", [400001]),
        ("400001, 411038", [400001, 411038]),
        ("400001 411038", [400001, 411038]),
        ("400 001, 411 038", [400001, 411038]),
        ("400 001 411038", [400001, 411038]),
        ("४००००१\n४११०३८", [400001, 411038]),
    ],
)
@pytest.mark.parametrize("has_location", [True, False])
def test_anything_else_is_a_list_of_pincodes(
    typed: str, pincodes: list[int], has_location: bool
) -> None:
    assert form.parse_area(typed, has_location=has_location) == {"pincodes": pincodes}


@pytest.mark.parametrize("typed", ["12345", "000000", "400001, 12345", "1234 km"])
def test_bad_pincodes_are_refused(typed: str) -> None:
    refused("error.pincodes_invalid", form.parse_area, typed, has_location=True)


# --- states ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Maharashtra", "MH"),
        (" maharashtra ", "MH"),
        ("महाराष्ट्र", "MH"),
        ("Maharastra", "MH"),
        ("MH", "MH"),
        ("Tamil Nadu", "TN"),
        ("दिल्ली", "DL"),
    ],
)
def test_a_state_is_stored_as_its_code(typed: str, code: str) -> None:
    assert form.clean_state(typed) == code


@pytest.mark.parametrize("typed", ["Bombay", "Pune", "", "India"])
def test_a_city_or_nonsense_is_not_a_state(typed: str) -> None:
    refused("error.state_unknown", form.clean_state, typed)


# --- typed answers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "typed", "answers", "stored"),
    [
        ("name", "  Sharma   Kirana ", {}, "Sharma Kirana"),
        ("contact_name", " रमेश  शर्मा ", {}, "रमेश शर्मा"),
        ("phone", "98123 45678", {}, "+919812345678"),
        ("email", " Orders@SharmaKirana.IN ", {}, "Orders@sharmakirana.in"),
        ("address", "12 Paud Road,\nKothrud", {}, "12 Paud Road, Kothrud"),
        ("pincode", "411 038", {}, "411038"),
        ("city", "  navi   mumbai ", {}, "navi mumbai"),
        ("state", "maharashtra", {}, "MH"),
        ("area", "5 km", {"location": LOCATION}, {"radius": 5}),
        ("area", "411038, 411004", {}, {"pincodes": [411038, 411004]}),
        ("area", "411038", {"location": None}, {"pincodes": [411038]}),
        ("billing_legal_name", " Kothrud  Retail Pvt Ltd ", {}, "Kothrud Retail Pvt Ltd"),
        ("billing_gstin", "33abcpk1234m1zx", {}, OTHER_GSTIN),
        ("billing_gstin", "33 ABCPK 1234M 1ZX", {}, OTHER_GSTIN),
        ("billing_pan", "abcpk1234m", {"billing_gstin": OTHER_GSTIN}, OTHER_PAN),
        ("billing_pan", "ABCPK1234M", {}, OTHER_PAN),
        ("billing_account_number", "1234 5678 9012", {}, "123456789012"),
        ("billing_ifsc", "sbin0001234", {}, "SBIN0001234"),
        ("registered_address", "4 Anna Salai", {}, "4 Anna Salai"),
        ("registered_pincode", "६००००२", {}, "600002"),
        ("registered_city", "Chennai", {}, "Chennai"),
        ("registered_state", "तमिल नाडु", {}, "TN"),
        ("bank_name", " State  Bank of India ", {}, "State Bank of India"),
    ],
)
def test_typed_answers_are_checked_and_normalised(
    field: str, typed: str, answers: dict[str, Any], stored: object
) -> None:
    assert form.clean_typed(field, typed, answers) == stored


@pytest.mark.parametrize(
    ("field", "typed", "reason"),
    [
        ("name", "   ", "error.name_empty"),
        ("contact_name", "9812345678", "error.name_needs_letters"),
        ("phone", "12345", "error.phone_not_indian"),
        ("email", "orders at sharmakirana", "error.email_invalid"),
        ("address", "ok", "error.address_too_short"),
        ("pincode", "12345", "error.pincode_invalid"),
        ("city", "411038", "error.name_needs_letters"),
        ("state", "Bombay", "error.state_unknown"),
        ("area", "75", "error.radius_invalid"),
        ("area", "000000", "error.pincodes_invalid"),
        ("billing_legal_name", "!!!", "error.name_no_letters"),
        ("billing_gstin", "27AAPFU0939F1ZX", "error.gstin_invalid"),
        ("billing_pan", "AAPFU0939", "error.pan_invalid"),
        ("billing_account_number", "12", "error.account_invalid"),
        ("billing_ifsc", "SBIN1234", "error.ifsc_invalid"),
        ("registered_address", "A-1", "error.address_too_short"),
        ("registered_pincode", "000000", "error.pincode_invalid"),
        ("registered_city", "600002", "error.name_needs_letters"),
        ("registered_state", "Madras", "error.state_unknown"),
        ("bank_name", "1234", "error.name_needs_letters"),
    ],
)
def test_bad_typed_answers_are_refused(field: str, typed: str, reason: str) -> None:
    refused(reason, form.clean_typed, field, typed, {})


@pytest.mark.parametrize(
    "field",
    ["categories", "hours", "billing", "billing_incorporation_type", "location", "nonsense"],
)
def test_questions_answered_with_buttons_refuse_typed_text(field: str) -> None:
    refused("error.use_buttons", form.clean_typed, field, "Grocery", {})


def test_every_question_is_typed_or_answered_with_buttons() -> None:
    buttons = {"categories", "location", "hours", "billing", "billing_incorporation_type"}
    for field in form.FIELDS:
        with pytest.raises(InvalidInput) as caught:
            form.clean_typed(field, "", {})
        assert (caught.value.reason == "error.use_buttons") is (field in buttons), field


@pytest.mark.parametrize("answers", [{}, {"location": None}])
def test_a_typed_radius_without_a_location_is_refused(answers: dict[str, Any]) -> None:
    refused("error.radius_needs_location", form.clean_typed, "area", "5", answers)


def test_typed_billing_pan_is_checked_against_the_billing_gstin() -> None:
    error = refused(
        "error.pan_mismatch", form.clean_typed, "billing_pan", PAN, {"billing_gstin": OTHER_GSTIN}
    )
    assert error.params == {"expected": OTHER_PAN}
    # The seller's own GSTIN does not matter: the other entity bills.
    assert form.clean_typed("billing_pan", OTHER_PAN, {"gstin": GSTIN}) == OTHER_PAN


# --- answers that undo others ---------------------------------------------------------------------


def test_answer_adds_without_changing_the_answers_given() -> None:
    answers = {"name": "Sharma Kirana"}
    changed = form.answer(answers, "categories", ["Grocery"])
    assert changed == {"name": "Sharma Kirana", "categories": ["Grocery"]}
    assert answers == {"name": "Sharma Kirana"}


def test_no_location_drops_a_radius_which_is_then_asked_again() -> None:
    changed = form.answer(complete(area={"radius": 5}), "location", None)
    assert changed["location"] is None
    assert "area" not in changed
    assert form.next_field(changed) == "area"


def test_no_location_keeps_a_list_of_pincodes() -> None:
    changed = form.answer(complete(area={"pincodes": [411038]}), "location", None)
    assert changed["area"] == {"pincodes": [411038]}
    assert form.next_field(changed) is None


def test_a_new_location_keeps_the_radius() -> None:
    moved = {"lat": "18.520400", "long": "73.856700"}
    changed = form.answer(complete(area={"radius": 5}), "location", moved)
    assert changed["area"] == {"radius": 5}
    assert changed["location"] == moved


def test_no_location_before_the_area_is_answered() -> None:
    answers = complete()
    del answers["area"]
    changed = form.answer(answers, "location", None)
    assert "area" not in changed
    assert form.next_field(changed) == "area"


def test_billing_by_the_seller_drops_the_other_entitys_answers() -> None:
    changed = form.answer(elsewhere(), "billing", "same")
    assert changed["billing"] == "same"
    assert set(changed).isdisjoint(form.BILLING_FIELDS)
    assert changed["registered_address"] == REGISTERED_ELSEWHERE["registered_address"]
    assert form.next_field(changed) is None


def test_billing_by_another_entity_asks_its_questions() -> None:
    changed = form.answer(complete(), "billing", "other")
    assert form.next_field(changed) == "billing_legal_name"
    # Choosing "other" again keeps what was answered for it.
    assert form.answer(elsewhere(), "billing", "other") == elsewhere()


def test_registered_at_the_pickup_address_drops_the_registered_answers() -> None:
    changed = form.answer(elsewhere(), "registered_address", None)
    assert changed["registered_address"] is None
    assert set(changed).isdisjoint(form.REGISTERED_FIELDS)
    assert changed["billing_gstin"] == OTHER_GSTIN
    assert form.next_field(changed) is None


def test_a_new_registered_address_line_keeps_pincode_city_and_state() -> None:
    changed = form.answer(elsewhere(), "registered_address", "5 Anna Salai")
    assert changed["registered_address"] == "5 Anna Salai"
    assert changed["registered_city"] == "Chennai"


def test_a_new_billing_gstin_drops_a_pan_that_no_longer_matches() -> None:
    changed = form.answer(elsewhere(), "billing_gstin", GSTIN)
    assert changed["billing_gstin"] == GSTIN
    assert "billing_pan" not in changed
    assert form.next_field(changed) == "billing_pan"


@pytest.mark.parametrize("gstin", [OTHER_GSTIN, OTHER_GSTIN_SAME_PAN])
def test_a_billing_gstin_with_the_same_pan_keeps_it(gstin: str) -> None:
    changed = form.answer(elsewhere(), "billing_gstin", gstin)
    assert changed["billing_pan"] == OTHER_PAN
    assert form.next_field(changed) is None


def test_a_billing_gstin_before_the_pan_is_answered() -> None:
    changed = form.answer({"billing": "other"}, "billing_gstin", OTHER_GSTIN)
    assert changed == {"billing": "other", "billing_gstin": OTHER_GSTIN}


# --- the gateway payload --------------------------------------------------------------------------


def test_billed_by_the_seller_at_the_pickup_address() -> None:
    payload = form.to_gateway(complete(), SELLER)
    assert payload["name"] == "Sharma Kirana, Kothrud"
    assert payload["categories"] == ["Grocery"]
    assert payload["pickup_details"] == {
        "pickup_name": "Ramesh Sharma",
        "email": "orders@sharmakirana.in",
        "pickup_phone": "+919812345678",
        "pickup_pincode": "411038",
        "pickup_address": "12 Paud Road, Kothrud",
        "pickup_city": "Pune",
        "pickup_state": "Maharashtra",
        "pickup_country": "India",
        "pickup_lat": "18.507400",
        "pickup_long": "73.807700",
    }
    assert payload["billing_details"] == {
        "legal_details": {
            "incorporation_name": "Sharma Traders LLP",
            "incorporation_type": "LLP",
            "gstin": GSTIN,
            "pan": PAN,
        },
        "registered_address": {
            "address_line_1": "12 Paud Road, Kothrud",
            "address_line_2": "",
            "pincode": 411038,
            "city": "Pune",
            "state": "Maharashtra",
        },
        "contact_detail": {"phone": "+919812345678", "email": "orders@sharmakirana.in"},
        "bank_account": {
            "beneficiary_name": "Sharma Traders LLP",
            "account_number": "50100123456789",
            "ifsc_code": "HDFC0001234",
            "bank_name": "HDFC Bank",
        },
    }
    assert payload["business_hours"] == HOURS
    assert payload["serviceability"] == {"radius": 5}
    assert payload["policies"] == {"accept_orders_outside_business_hours": False}


def test_billed_by_another_entity_registered_elsewhere() -> None:
    payload = form.to_gateway(elsewhere(), SELLER)
    billing = payload["billing_details"]
    assert billing["legal_details"] == {
        "incorporation_name": "Kothrud Retail Pvt Ltd",
        "incorporation_type": "PRLC",
        "gstin": OTHER_GSTIN,
        "pan": OTHER_PAN,
    }
    assert billing["registered_address"] == {
        "address_line_1": "4 Anna Salai, Mount Road",
        "address_line_2": "",
        "pincode": 600002,
        "city": "Chennai",
        "state": "Tamil Nadu",
    }
    assert billing["bank_account"] == {
        "beneficiary_name": "Kothrud Retail Pvt Ltd",
        "account_number": "123456789012",
        "ifsc_code": "SBIN0001234",
        "bank_name": "State Bank of India",
    }
    assert payload["pickup_details"]["pickup_lat"] is None
    assert payload["pickup_details"]["pickup_long"] is None
    assert payload["serviceability"] == {"pincodes": [400001, 411038]}


def test_to_gateway_does_not_share_the_answers_categories_list() -> None:
    answers = complete()
    form.to_gateway(answers, SELLER)["categories"].append("Home & Kitchen")
    assert answers["categories"] == ["Grocery"]


def test_the_policy_not_asked_is_kept_when_editing() -> None:
    payload = form.to_gateway(complete(outside_hours=True), SELLER)
    assert payload["policies"] == {"accept_orders_outside_business_hours": True}
    assert form.from_gateway(payload, SELLER)["outside_hours"] is True


@pytest.mark.parametrize("answers", [complete(), elsewhere()], ids=["same", "other"])
def test_the_payload_validates_as_the_gateway_model(answers: dict[str, Any]) -> None:
    storefront = gateway_input(answers)
    assert storefront.name == answers["name"]
    assert storefront.serviceability.model_dump(exclude_none=True) == answers["area"]


@pytest.mark.parametrize("answers", [complete(), elsewhere()], ids=["same", "other"])
def test_answers_map_to_the_gateway_payload_and_back(answers: dict[str, Any]) -> None:
    # The policy the form does not ask comes back too, so an edit keeps it.
    expected = {**answers, "outside_hours": False}
    assert form.from_gateway(form.to_gateway(answers, SELLER), SELLER) == expected
    dumped = gateway_input(answers).model_dump(mode="json")
    back = form.from_gateway(dumped, SELLER)
    assert back == expected
    assert form.next_field(back) is None


def test_the_same_identity_as_the_sellers_reads_back_as_billed_by_the_seller() -> None:
    seller_as_other = complete(
        billing="other",
        billing_legal_name=SELLER["legal_name"],
        billing_incorporation_type=SELLER["incorporation_type"],
        billing_gstin=GSTIN,
        billing_pan=PAN,
        billing_account_number=SELLER["account_number"],
        billing_ifsc=SELLER["ifsc"],
    )
    back = form.from_gateway(form.to_gateway(seller_as_other, SELLER), SELLER)
    assert back["billing"] == "same"
    assert set(back).isdisjoint(form.BILLING_FIELDS)


def test_gateway_hours_written_another_way_read_back_in_the_forms_shape() -> None:
    payload = form.to_gateway(complete(), SELLER)
    payload["business_hours"] = {
        day: [{"opening": "09:00", "closing": "21:00"}] for day in payload["business_hours"]
    }
    assert form.from_gateway(payload, SELLER)["hours"] == HOURS


@pytest.mark.parametrize("answers", [complete(), elsewhere()], ids=["same", "other"])
async def test_the_local_gateway_accepts_the_storefront_and_gives_the_answers_back(
    engine: Engine, answers: dict[str, Any]
) -> None:
    gateway = LocalGateway(engine)
    seller = seller_input()
    assert set(answers["categories"]) <= set(seller.categories)
    setu_seller_id = await gateway.create_seller(seller)
    setu_storefront_id = await gateway.create_storefront(gateway_input(answers, setu_seller_id))
    stored = await gateway.get_storefront(setu_storefront_id)
    back = form.from_gateway(stored.model_dump(mode="json"), SELLER)
    assert back == {**answers, "outside_hours": False}
    await gateway.aclose()


async def test_a_gateway_refusal_names_the_question_to_ask_again(engine: Engine) -> None:
    gateway = LocalGateway(engine)
    setu_seller_id = await gateway.create_seller(seller_input())
    answers = complete(categories=["Fashion"])
    with pytest.raises(InvalidRequest) as refusal:
        await gateway.create_storefront(gateway_input(answers, setu_seller_id))
    assert {form.field_at(path, answers) for path in refusal.value.fields} == {"categories"}
    await gateway.aclose()


@pytest.mark.parametrize(
    ("path", "field"),
    [
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
        ("serviceability.radius", "area"),
        ("business_hours.monday.0", "hours"),
        ("billing_details.bank_account.bank_name", "bank_name"),
        ("billing_details.bank_account.ifsc_code", "billing"),
        ("billing_details.legal_details.gstin", "billing"),
        ("billing_details.registered_address.pincode", "registered_address"),
        ("billing_details.contact_detail.phone", "phone"),
        ("billing_details.contact_detail.email", "email"),
        ("nonsense", None),
        ("names", None),
        ("", None),
    ],
)
def test_gateway_field_paths_name_our_questions(path: str, field: str | None) -> None:
    as_registered = {"billing": form.BILLING_SAME, "registered_address": None}
    assert form.field_at(path, as_registered) == field


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("billing_details.bank_account.ifsc_code", "billing_ifsc"),
        ("billing_details.bank_account.account_number", "billing_account_number"),
        ("billing_details.legal_details.gstin", "billing_gstin"),
        ("billing_details.legal_details.pan", "billing_pan"),
        ("billing_details.legal_details.incorporation_name", "billing_legal_name"),
        ("billing_details.registered_address.pincode", "registered_pincode"),
        ("billing_details.registered_address.address_line_1", "registered_address"),
        ("billing_details.bank_account.bank_name", "bank_name"),
    ],
)
def test_refused_details_of_another_business_name_their_own_question(path: str, field: str) -> None:
    answers = {"billing": form.BILLING_OTHER, "registered_address": "Office 3, FC Road"}
    assert form.field_at(path, answers) == field


@pytest.mark.parametrize(
    ("field", "answers", "brought"),
    [
        ("billing", {"billing": "other"}, form.BILLING_FIELDS),
        ("billing", {"billing": "same"}, ()),
        ("registered_address", {"registered_address": "Office 3, FC Road"}, form.REGISTERED_FIELDS),
        ("registered_address", {"registered_address": None}, ()),
        ("name", {"name": "Asha Bakes"}, ()),
    ],
)
def test_an_answer_brings_its_follow_up_questions(
    field: str, answers: dict, brought: tuple[str, ...]
) -> None:
    assert form.follow_ups(field, answers) == brought


# --- banks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ifsc", "bank"),
    [
        ("SBIN0001234", "State Bank of India"),
        ("sbin0001234", "State Bank of India"),
        ("HDFC0001234", "HDFC Bank"),
        ("UTIB0000001", "Axis Bank"),
        ("ZZZZ0001234", None),
        ("", None),
    ],
)
def test_bank_name_for_an_ifsc(ifsc: str, bank: str | None) -> None:
    assert bank_name_for(ifsc) == bank


def test_the_suggested_bank_is_the_one_of_the_ifsc_that_bills() -> None:
    sbi_seller = {**SELLER, "ifsc": "SBIN0001234"}
    assert form.suggested_bank_name(complete(), sbi_seller) == "State Bank of India"
    assert form.suggested_bank_name(complete(), SELLER) == "HDFC Bank"
    assert form.suggested_bank_name(elsewhere(), SELLER) == "State Bank of India"


def test_no_bank_is_suggested_for_an_unknown_bank_code() -> None:
    unknown = {**SELLER, "ifsc": "ZZZZ0001234"}
    assert form.suggested_bank_name(complete(), unknown) is None
    other = complete(**{**BILLED_BY_OTHER, "billing_ifsc": "ZZZZ0001234"})
    assert form.suggested_bank_name(other, SELLER) is None


def test_the_copy_the_bot_keeps_of_a_storefront() -> None:
    sent = {
        "name": "Sharma Kirana",
        "categories": ["Grocery"],
        "pickup_details": {"pickup_lat": "18.5", "pickup_long": "73.8"},
    }
    assert form.kept_copy(sent) == {
        "name": "Sharma Kirana",
        "categories": ["Grocery"],
        "has_location": True,
    }
    assert form.kept_copy({**sent, "pickup_details": {}})["has_location"] is False
