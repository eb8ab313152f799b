"""Storefront rules: what a seller may answer for a storefront, and what the gateway receives."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time
from pathlib import Path

import pytest

from bot.domain import storefront
from bot.domain.india import STATES, State, match_state, state_by_code
from bot.domain.seller import NAME_MAX, InvalidInput
from bot.domain.storefront import (
    ADDRESS_LINE_MAX,
    ADDRESS_LINE_MIN,
    CITY_MAX,
    END_OF_DAY,
    HOURS_PRESETS,
    MAX_SLOTS_PER_DAY,
    PINCODES_MAX,
    RADIUS_MAX_KM,
    RADIUS_MIN_KM,
    RADIUS_PRESETS,
    Day,
    DayRun,
    ServeBy,
    Slot,
    check_serviceability,
    check_slots,
    check_storefront_categories,
    check_week,
    clean_address_line,
    clean_city,
    clean_contact_name,
    clean_location,
    clean_pincode,
    clean_radius_km,
    describe_week,
    parse_pincodes,
    parse_slots,
    preset_of,
    preset_week,
    week_from_gateway,
    week_to_gateway,
)
from bot.gateways.base import BusinessHours, PickupDetails, Serviceability
from bot.i18n import LOCALES_DIR, SOURCE_LANGUAGE, Catalogue, catalogue_files


def refused(
    reason: str, call: Callable[..., object], *args: object, **kwargs: object
) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    assert caught.value.reason == reason
    return caught.value


def hm(text: str) -> time:
    return time.fromisoformat(text)


def slots(*pairs: tuple[str, str]) -> list[Slot]:
    return [Slot(hm(opening), hm(closing)) for opening, closing in pairs]


# --- every reason has a text ----------------------------------------------------------------------


def test_every_reason_these_rules_give_has_an_english_text() -> None:
    source = Path(storefront.__file__).read_text(encoding="utf-8")
    reasons = set(re.findall(r'"(error\.[a-z_]+)"', source))
    english = Catalogue.read(LOCALES_DIR / f"{SOURCE_LANGUAGE}.po").messages
    assert len(reasons) > 10
    assert reasons - set(english) == set()


# --- states and union territories -----------------------------------------------------------------


def test_all_28_states_and_8_union_territories_with_unique_codes() -> None:
    assert len(STATES) == 36
    assert sum(state.union_territory for state in STATES) == 8
    assert len({state.code for state in STATES}) == 36
    assert len({state.name for state in STATES}) == 36
    assert len({state.hindi for state in STATES}) == 36
    for state in STATES:
        assert re.fullmatch(r"[A-Z]{2}", state.code), state
        assert state_by_code(state.code) is state
        # Hindi names are in Devanagari, without Latin letters.
        assert re.fullmatch(r"[\u0900-\u097f ]+", state.hindi), state


def test_union_territories_are_listed_after_the_states() -> None:
    kinds = [state.union_territory for state in STATES]
    assert kinds == sorted(kinds)


def test_unknown_state_code_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        state_by_code("XX")


@pytest.mark.parametrize("state", STATES, ids=lambda state: state.code)
def test_every_state_matches_its_name_code_and_hindi_name(state: State) -> None:
    for typed in (state.name, state.name.upper(), f"  {state.name.lower()}  ", state.code):
        assert match_state(typed) is state, typed
    assert match_state(state.hindi) is state
    assert match_state(state.code.lower()) is state


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("maharashtra", "MH"),
        ("MAHA RASHTRA", "MH"),
        ("महाराष्ट्र", "MH"),
        ("tamilnadu", "TN"),
        ("Tamil  Nadu", "TN"),
        ("तमिल नाडु", "TN"),
        ("Orissa", "OD"),
        ("उड़ीसा", "OD"),
        ("Pondicherry", "PY"),
        ("Uttaranchal", "UK"),
        ("U.P.", "UP"),
        ("up", "UP"),
        ("MP", "MP"),
        ("TN", "TN"),
        ("WB", "WB"),
        ("J&K", "JK"),
        ("J & K", "JK"),
        ("Jammu & Kashmir", "JK"),
        ("जम्मू कश्मीर", "JK"),
        ("जम्मू और कश्मीर", "JK"),
        ("Andaman & Nicobar", "AN"),
        ("Daman and Diu", "DH"),
        ("NCT of Delhi", "DL"),
        ("दिल्ली", "DL"),
        ("TG", "TS"),
        ("CT", "CG"),
        # Common misspellings, close enough to one state only.
        ("Maharastra", "MH"),
        ("Karnatka", "KA"),
        ("Kerela", "KL"),
        ("Chattisgarh", "CG"),
        ("Telengana", "TS"),
        ("Gujrat", "GJ"),
        ("महारास्ट्र", "MH"),
    ],
)
def test_typed_state_names_match(typed: str, code: str) -> None:
    state = match_state(typed)
    assert state is not None
    assert state.code == code


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "Bombay", "Mumbai", "New York", "Bangalore", "Nagpur", "XX", "Pradesh", "India"],
)
def test_cities_and_nonsense_match_no_state(typed: str) -> None:
    assert match_state(typed) is None


# --- pickup address -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Shop 4, MG Road", "Shop 4, MG Road"),
        ("  12/3 Gandhi Nagar\nNear Bus Stand ", "12/3 Gandhi Nagar Near Bus Stand"),
        ("दुकान 4, गांधी चौक", "दुकान 4, गांधी चौक"),
        ("A-12 B", "A-12 B"),
    ],
)
def test_address_line_is_trimmed_and_kept(typed: str, stored: str) -> None:
    assert clean_address_line(typed) == stored


@pytest.mark.parametrize("typed", ["1", "ok", "-- --", "🏠🏠🏠🏠🏠", "A-1"])
def test_address_too_short_to_find_is_refused(typed: str) -> None:
    error = refused("error.address_too_short", clean_address_line, typed)
    assert error.params == {"min": ADDRESS_LINE_MIN}


def test_address_line_limit() -> None:
    assert clean_address_line("a" * ADDRESS_LINE_MAX) == "a" * ADDRESS_LINE_MAX
    error = refused("error.name_too_long", clean_address_line, "a" * (ADDRESS_LINE_MAX + 1))
    assert error.params == {"max": ADDRESS_LINE_MAX}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("Pune", "Pune"), ("  navi   mumbai ", "navi mumbai"), ("वाराणसी", "वाराणसी"), ("Ara", "Ara")],
)
def test_city_is_trimmed_and_kept(typed: str, stored: str) -> None:
    assert clean_city(typed) == stored


@pytest.mark.parametrize("typed", ["400001", "४००००१", "12 34"])
def test_city_made_of_digits_is_refused(typed: str) -> None:
    refused("error.name_needs_letters", clean_city, typed)


def test_city_limit_and_symbols() -> None:
    refused("error.name_too_long", clean_city, "a" * (CITY_MAX + 1))
    refused("error.name_no_letters", clean_city, "!!!")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("Ramesh Kumar", "Ramesh Kumar"), (" रमेश  कुमार ", "रमेश कुमार"), ("Manager 2", "Manager 2")],
)
def test_contact_name_is_trimmed_and_kept(typed: str, stored: str) -> None:
    assert clean_contact_name(typed) == stored


def test_contact_name_needs_a_letter_and_a_sane_length() -> None:
    refused("error.name_needs_letters", clean_contact_name, "9812345678")
    refused("error.name_too_long", clean_contact_name, "a" * (NAME_MAX + 1))
    refused("error.name_empty", clean_contact_name, " \u200b ")


# --- PIN codes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("400001", "400001"),
        (" 560 034 ", "560034"),
        ("110001\n", "110001"),
        ("४००००१", "400001"),
        ("९९९९९९", "999999"),
        ("100000", "100000"),
    ],
)
def test_pincode_is_six_digits_not_starting_with_zero(typed: str, stored: str) -> None:
    assert clean_pincode(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "12345",
        "000000",
        "012345",
        "1234567",
        "40000A",
        "400-001",
        "",
        "४००००",
        "400001.0",
        "-40000",
    ],
)
def test_bad_pincode_is_refused(typed: str) -> None:
    refused("error.pincode_invalid", clean_pincode, typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("400001", ["400001"]),
        ("400001, 400002,400003", ["400001", "400002", "400003"]),
        ("400001 400002  400003", ["400001", "400002", "400003"]),
        ("400001\n400002\n", ["400001", "400002"]),
        ("400 001, 400 002", ["400001", "400002"]),
        ("400002, 400001, 400002", ["400002", "400001"]),
        ("४००००१, ४००००२", ["400001", "400002"]),
        ("400001; 400002", ["400001", "400002"]),
    ],
)
def test_pincode_list_is_split_checked_and_deduplicated(typed: str, stored: list[str]) -> None:
    assert parse_pincodes(typed) == stored


def test_pincode_list_names_the_wrong_entries() -> None:
    error = refused("error.pincodes_invalid", parse_pincodes, "400001, 12345, 000000")
    assert error.params == {"bad": "12345, 000000"}


def test_pincode_list_quotes_at_most_three_short_entries() -> None:
    error = refused("error.pincodes_invalid", parse_pincodes, "1 2 3 4 5 400001")
    assert error.params == {"bad": "1, 2, 3"}
    error = refused("error.pincodes_invalid", parse_pincodes, "x" * 500)
    assert isinstance(error.params["bad"], str)
    assert len(error.params["bad"]) <= 12


@pytest.mark.parametrize("typed", ["", " ", ",,", " ; \n "])
def test_empty_pincode_list_is_refused(typed: str) -> None:
    refused("error.pincodes_empty", parse_pincodes, typed)


def test_pincode_list_limit_counts_distinct_codes() -> None:
    many = [str(400001 + n) for n in range(PINCODES_MAX)]
    assert parse_pincodes(" ".join(many + many)) == many
    error = refused("error.pincodes_too_many", parse_pincodes, " ".join([*many, "500001"]))
    assert error.params == {"max": PINCODES_MAX}


# --- radius and location --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "km"),
    [
        ("5", 5),
        (" 10 ", 10),
        ("2km", 2),
        ("20 KM", 20),
        ("7 kms", 7),
        ("५", 5),
        ("५ किमी", 5),
        ("50", 50),
        ("1", 1),
        ("03", 3),
        ("15 kilometres", 15),
    ],
)
def test_radius_is_whole_km(typed: str, km: int) -> None:
    assert clean_radius_km(typed) == km


@pytest.mark.parametrize("typed", ["0", "51", "100", "2.5", "-5", "five", "", "5 miles", "5²"])
def test_bad_radius_is_refused_with_the_limits(typed: str) -> None:
    error = refused("error.radius_invalid", clean_radius_km, typed)
    assert error.params == {"min": RADIUS_MIN_KM, "max": RADIUS_MAX_KM}


def test_radius_presets_are_all_allowed() -> None:
    assert all(clean_radius_km(str(km)) == km for km in RADIUS_PRESETS)


@pytest.mark.parametrize(
    ("latitude", "longitude", "stored"),
    [
        (19.0760901, 72.8774412, ("19.076090", "72.877441")),  # Mumbai
        (28.6139, 77.2090, ("28.613900", "77.209000")),  # Delhi
        (8.0883, 77.5385, ("8.088300", "77.538500")),  # Kanyakumari
        (34.1526, 77.5771, ("34.152600", "77.577100")),  # Leh
        (27.4728, 94.9120, ("27.472800", "94.912000")),  # Dibrugarh
    ],
)
def test_location_in_india_becomes_setu_strings(
    latitude: float, longitude: float, stored: tuple[str, str]
) -> None:
    assert clean_location(latitude, longitude) == stored
    lat, long = stored
    PickupDetails(
        pickup_name="Ramesh",
        email="a@example.com",
        pickup_phone="+919812345678",
        pickup_pincode="400001",
        pickup_address="Shop 4",
        pickup_city="Mumbai",
        pickup_state="Maharashtra",
        pickup_country="India",
        pickup_lat=lat,
        pickup_long=long,
    )


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        (51.5074, -0.1278),  # London
        (0.0, 0.0),  # a phone without a fix
        (25.2048, 55.2708),  # Dubai
        (40.0, 77.0),  # north of Ladakh
        (20.0, 100.0),  # Thailand, east of Arunachal
        (float("nan"), 77.0),
        (19.0, float("inf")),
    ],
)
def test_location_outside_india_is_refused(latitude: float, longitude: float) -> None:
    refused("error.location_outside_india", clean_location, latitude, longitude)


# --- serviceability -------------------------------------------------------------------------------


def test_serviceability_by_radius_or_by_pincodes_validates_as_the_gateway_model() -> None:
    by_radius = check_serviceability(5, None, has_location=True)
    assert by_radius == {"radius": 5}
    by_pincodes = check_serviceability(None, ["400001", "400002"], has_location=False)
    assert by_pincodes == {"pincodes": [400001, 400002]}
    for payload in (by_radius, by_pincodes):
        Serviceability.model_validate(payload)


def test_serviceability_choices_are_the_two_setu_keys() -> None:
    assert {choice.value for choice in ServeBy} == {"radius", "pincodes"}
    assert set(ServeBy) <= set(Serviceability.model_fields)


@pytest.mark.parametrize(
    ("radius", "pincodes", "has_location", "reason"),
    [
        (5, ["400001"], True, "error.serviceability_both"),
        (None, None, True, "error.serviceability_missing"),
        (None, [], True, "error.serviceability_missing"),
        (5, None, False, "error.radius_needs_location"),
        (0, None, True, "error.radius_invalid"),
        (51, None, True, "error.radius_invalid"),
        (None, ["12345"], False, "error.pincodes_invalid"),
    ],
)
def test_serviceability_rules(
    radius: int | None, pincodes: list[str] | None, has_location: bool, reason: str
) -> None:
    refused(reason, check_serviceability, radius, pincodes, has_location=has_location)


# --- categories -----------------------------------------------------------------------------------


def test_storefront_categories_are_a_subset_in_the_sellers_order() -> None:
    seller = ["Grocery", "F&B", "Home & Kitchen"]
    assert check_storefront_categories({"Home & Kitchen", "Grocery"}, seller) == [
        "Grocery",
        "Home & Kitchen",
    ]
    assert check_storefront_categories(["F&B", "F&B"], seller) == ["F&B"]


def test_a_category_the_seller_does_not_have_is_refused() -> None:
    refused("error.category_not_yours", check_storefront_categories, ["Fashion"], ["Grocery"])
    refused(
        "error.category_not_yours", check_storefront_categories, ["Grocery", "BPC"], ["Grocery"]
    )


def test_no_category_is_refused() -> None:
    refused("error.pick_a_category", check_storefront_categories, [], ["Grocery"])


# --- one day's hours as typed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # 24-hour
        ("09:00-13:00 17:00-21:00", [("09:00", "13:00"), ("17:00", "21:00")]),
        ("10:30-22", [("10:30", "22:00")]),
        ("0900-2100", [("09:00", "21:00")]),
        ("09:00:00-21:30:00", [("09:00", "21:30")]),
        ("0-24", [("00:00", "23:59:59")]),
        ("18:00-00:00", [("18:00", "23:59:59")]),
        ("14-22", [("14:00", "22:00")]),
        # 12-hour
        ("9am to 9pm", [("09:00", "21:00")]),
        ("9 AM - 9 PM", [("09:00", "21:00")]),
        ("9 a.m. - 9 p.m.", [("09:00", "21:00")]),
        ("9A.M.-1P.M.", [("09:00", "13:00")]),
        ("10.30 - 8.30 pm", [("10:30", "20:30")]),
        ("9am-1pm; 4pm-8pm", [("09:00", "13:00"), ("16:00", "20:00")]),
        ("12 noon to 9pm", [("12:00", "21:00")]),
        ("6pm - midnight", [("18:00", "23:59:59")]),
        ("6pm-12am", [("18:00", "23:59:59")]),
        ("from 9 to 5", [("09:00", "17:00")]),
        # a start without am/pm takes its end's half of the day when it can
        ("5-9pm", [("17:00", "21:00")]),
        ("9-5pm", [("09:00", "17:00")]),
        ("11-2pm", [("11:00", "14:00")]),
        ("10-11am", [("10:00", "11:00")]),
        # an end not after its start is PM
        ("9-1", [("09:00", "13:00")]),
        ("9-9", [("09:00", "21:00")]),
        ("8-8", [("08:00", "20:00")]),
        ("6pm-12", [("18:00", "23:59:59")]),
        ("9am-5", [("09:00", "17:00")]),
        ("8-12", [("08:00", "12:00")]),
        # later slots typed without am/pm are in the afternoon
        ("9-1, 5-9", [("09:00", "13:00"), ("17:00", "21:00")]),
        ("9-1, 5-9pm", [("09:00", "13:00"), ("17:00", "21:00")]),
        ("9-1 2-5 6-9", [("09:00", "13:00"), ("14:00", "17:00"), ("18:00", "21:00")]),
        ("9-1 and 4-8", [("09:00", "13:00"), ("16:00", "20:00")]),
        ("9-1 & 4-8", [("09:00", "13:00"), ("16:00", "20:00")]),
        ("9-1, 6-12", [("09:00", "13:00"), ("18:00", "23:59:59")]),
        ("5-9pm, 9-1", [("09:00", "13:00"), ("17:00", "21:00")]),
        # Hindi and Hinglish
        ("सुबह 9 से रात 9 बजे तक", [("09:00", "21:00")]),
        ("९ से ९", [("09:00", "21:00")]),
        ("सुबह ९ से दोपहर १, शाम ५ से रात ९", [("09:00", "13:00"), ("17:00", "21:00")]),
        ("१०:३० - २२:००", [("10:30", "22:00")]),
        ("subah 10 se sham 7", [("10:00", "19:00")]),
        ("10 se 8 tak", [("10:00", "20:00")]),
        ("रात 8 से रात 12", [("20:00", "23:59:59")]),
        # whole days
        ("24 hours", [("00:00", "23:59:59")]),
        ("24x7", [("00:00", "23:59:59")]),
        ("24 घंटे", [("00:00", "23:59:59")]),
        ("closed", []),
        ("Closed.", []),
        ("बंद", []),
        ("छुट्टी", []),
    ],
)
def test_hours_typed_by_a_shopkeeper(typed: str, expected: list[tuple[str, str]]) -> None:
    assert parse_slots(typed) == slots(*expected)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "hello",
        "9",
        "9-",
        "-9",
        "9 to",
        "9:75-10",
        "25-26",
        "13pm-2pm",
        "0am-5pm",
        "9-10-11",
        "24-6",
        "9 5",
        "morning",
        "सुबह से शाम",
        "9am-5pm extra",
        "noon",
    ],
)
def test_unreadable_hours_are_refused(typed: str) -> None:
    refused("error.hours_unreadable", parse_slots, typed)


@pytest.mark.parametrize(
    ("typed", "opening", "closing"),
    [
        ("21-9", "21:00", "09:00"),
        ("5pm-9am", "17:00", "09:00"),
        ("10pm-2", "22:00", "02:00"),
        ("13:00-12:00", "13:00", "12:00"),
        ("9-9am", "09:00", "09:00"),
    ],
)
def test_closing_before_opening_is_refused_quoting_both(
    typed: str, opening: str, closing: str
) -> None:
    error = refused("error.slot_closing_before_opening", parse_slots, typed)
    assert error.params == {"opening": opening, "closing": closing}


@pytest.mark.parametrize(
    ("typed", "first", "second"),
    [
        ("9-13, 12-15", "09:00-13:00", "12:00-15:00"),
        ("9am-5pm, 1pm-9pm", "09:00-17:00", "13:00-21:00"),
        ("10:00-20:00 10:00-20:00", "10:00-20:00", "10:00-20:00"),
        ("17-21, 9-18", "09:00-18:00", "17:00-21:00"),
    ],
)
def test_overlapping_slots_are_refused_quoting_both(typed: str, first: str, second: str) -> None:
    error = refused("error.slots_overlap", parse_slots, typed)
    assert error.params == {"first": first, "second": second}


def test_touching_slots_are_not_overlapping() -> None:
    assert parse_slots("9-13, 13-17") == slots(("09:00", "13:00"), ("13:00", "17:00"))


def test_more_slots_than_a_shop_keeps_are_refused() -> None:
    allowed = ", ".join(f"{hour:02d}:00-{hour:02d}:30" for hour in range(8, 8 + MAX_SLOTS_PER_DAY))
    assert len(parse_slots(allowed)) == MAX_SLOTS_PER_DAY
    error = refused("error.slots_too_many", parse_slots, allowed + ", 20:00-20:30")
    assert error.params == {"max": MAX_SLOTS_PER_DAY}


def test_check_slots_sorts_and_checks_slots_built_by_buttons() -> None:
    assert check_slots(slots(("17:00", "21:00"), ("09:00", "13:00"))) == slots(
        ("09:00", "13:00"), ("17:00", "21:00")
    )
    refused("error.slot_closing_before_opening", check_slots, slots(("10:00", "10:00")))
    assert check_slots([]) == []


# --- a week ---------------------------------------------------------------------------------------


def test_presets_are_the_three_the_issue_names() -> None:
    daily = HOURS_PRESETS["9-21-daily"]
    assert all(daily[day] == slots(("09:00", "21:00")) for day in Day)
    no_sunday = HOURS_PRESETS["10-20-no-sunday"]
    assert no_sunday[Day.SUNDAY] == []
    assert all(no_sunday[day] == slots(("10:00", "20:00")) for day in Day if day is not Day.SUNDAY)
    assert all(HOURS_PRESETS["24h"][day] == [Slot(time(0), END_OF_DAY)] for day in Day)
    # Callback data carries the keys.
    assert all(len(key.encode()) <= 20 for key in HOURS_PRESETS)


@pytest.mark.parametrize("key", list(HOURS_PRESETS))
def test_presets_round_trip_through_the_gateway_shape(key: str) -> None:
    week = preset_week(key)
    assert check_week(week) == week
    payload = week_to_gateway(week)
    assert list(payload) == [day.value for day in Day]
    hours = BusinessHours.model_validate(payload)
    assert week_from_gateway(hours.model_dump()) == week
    assert week_from_gateway(hours.model_dump(mode="json")) == week
    assert preset_of(week_from_gateway(payload)) == key


def test_gateway_shape_has_setu_times_and_closed_days_as_empty_lists() -> None:
    payload = week_to_gateway(HOURS_PRESETS["10-20-no-sunday"])
    assert payload["monday"] == [{"opening": "10:00:00", "closing": "20:00:00"}]
    assert payload["sunday"] == []
    assert week_to_gateway(HOURS_PRESETS["24h"])["friday"] == [
        {"opening": "00:00:00", "closing": "23:59:59"}
    ]


def test_custom_week_validates_as_the_gateway_model() -> None:
    week = {
        Day.MONDAY: parse_slots("9-1, 5-9"),
        Day.TUESDAY: parse_slots("सुबह 10 से शाम 7"),
        Day.SATURDAY: parse_slots("24 hours"),
    }
    checked = check_week(week)
    assert checked[Day.SUNDAY] == []
    payload = week_to_gateway(checked)
    hours = BusinessHours.model_validate(payload)
    assert hours.monday is not None
    assert [(slot.opening, slot.closing) for slot in hours.monday] == [
        (time(9), time(13)),
        (time(17), time(21)),
    ]
    assert hours.wednesday == []
    assert preset_of(checked) is None


def test_gateway_null_days_read_as_closed() -> None:
    week = week_from_gateway(
        {"monday": [{"opening": "09:00:00", "closing": "21:00:00"}], "sunday": None}
    )
    assert week[Day.MONDAY] == slots(("09:00", "21:00"))
    assert week[Day.SUNDAY] == []
    assert week[Day.TUESDAY] == []


def test_preset_weeks_are_copies() -> None:
    week = preset_week("9-21-daily")
    week[Day.MONDAY].append(Slot(time(22), time(23)))
    assert HOURS_PRESETS["9-21-daily"][Day.MONDAY] == slots(("09:00", "21:00"))
    assert HOURS_PRESETS["9-21-daily"][Day.TUESDAY] == slots(("09:00", "21:00"))


def test_a_week_closed_every_day_is_refused() -> None:
    refused("error.hours_all_closed", check_week, {})
    refused("error.hours_all_closed", check_week, {day: [] for day in Day})


def test_a_bad_day_is_refused_in_a_week() -> None:
    refused(
        "error.slots_overlap",
        check_week,
        {Day.MONDAY: slots(("09:00", "13:00"), ("12:00", "15:00"))},
    )


def test_describe_week_groups_consecutive_days_with_the_same_hours() -> None:
    assert describe_week(HOURS_PRESETS["10-20-no-sunday"]) == [
        DayRun(Day.MONDAY, Day.SATURDAY, tuple(slots(("10:00", "20:00")))),
        DayRun(Day.SUNDAY, Day.SUNDAY, ()),
    ]
    assert describe_week(HOURS_PRESETS["9-21-daily"]) == [
        DayRun(Day.MONDAY, Day.SUNDAY, tuple(slots(("09:00", "21:00")))),
    ]
    split = {day: slots(("09:00", "21:00")) for day in Day}
    split[Day.WEDNESDAY] = []
    assert [(run.first, run.last) for run in describe_week(split)] == [
        (Day.MONDAY, Day.TUESDAY),
        (Day.WEDNESDAY, Day.WEDNESDAY),
        (Day.THURSDAY, Day.SUNDAY),
    ]


def test_days_are_setu_keys_in_setu_order() -> None:
    assert [day.value for day in Day] == list(BusinessHours.model_fields)


@pytest.mark.parametrize("code", sorted(catalogue_files()))
def test_a_state_typed_as_any_language_names_it_is_found(code: str) -> None:
    names = Catalogue.read(catalogue_files()[code]).messages
    for state in STATES:
        assert match_state(names[f"state.{state.code}"]) is state, (code, state.code)
