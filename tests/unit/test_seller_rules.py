"""Seller registration rules: what a seller may type for each answer, and what is stored."""

from __future__ import annotations

import pytest
from stdnum import luhn

from bot.domain.categories import (
    CATEGORIES,
    FSSAI_CATEGORIES,
    INCORPORATION_TYPES,
    category_by_code,
    category_by_value,
)
from bot.domain.seller import (
    LEGAL_NAME_MAX,
    NAME_MAX,
    InvalidInput,
    clean_account_number,
    clean_display_name,
    clean_email,
    clean_fssai,
    clean_gstin,
    clean_ifsc,
    clean_legal_name,
    clean_pan,
    clean_phone,
    needs_fssai,
)

# Checksums computed with stdnum's Luhn mod 36 (see test_fixture_gstins_carry_their_checksum).
VALID_PAN = "AAPFU0939F"
VALID_GSTIN = "27AAPFU0939F1ZV"
OTHER_VALID_PAIRS = [
    ("33ABCPK1234M1ZX", "ABCPK1234M"),  # Tamil Nadu, an individual (sole proprietor)
    ("29AAGCS1234Q1ZV", "AAGCS1234Q"),  # Karnataka, a company
]
GSTIN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def with_check_digit(first_14: str) -> str:
    return first_14 + luhn.calc_check_digit(first_14, GSTIN_ALPHABET)


def assert_refused(reason: str, call: object, *args: object) -> InvalidInput:
    assert callable(call)
    with pytest.raises(InvalidInput) as caught:
        call(*args)
    assert caught.value.reason == reason
    return caught.value


# --- InvalidInput ---------------------------------------------------------------------------------


def test_invalid_input_carries_reason_and_params() -> None:
    error = InvalidInput("error.name_too_long", max=100)
    assert isinstance(error, ValueError)
    assert error.reason == "error.name_too_long"
    assert error.params == {"max": 100}
    assert InvalidInput("error.email_invalid").params == {}


# --- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Sharma Kirana", "Sharma Kirana"),
        ("  Sharma   Kirana \n", "Sharma Kirana"),
        ("Sharma\tKirana\nStore", "Sharma Kirana Store"),
        ("शर्मा किराना", "शर्मा किराना"),
        ("முருகன் ஸ்டோர்ஸ்", "முருகன் ஸ்டோர்ஸ்"),
        ("ಶ್ರೀ ಗಣೇಶ ಸ್ಟೋರ್", "ಶ್ರೀ ಗಣೇಶ ಸ್ಟೋರ್"),
        ("শ্রী দুর্গা ভাণ্ডার", "শ্রী দুর্গা ভাণ্ডার"),
        ("7 Eleven", "7 Eleven"),
        ("24x7", "24x7"),
        ("A", "A"),
        ("Raju's Chai & Snacks 🍵", "Raju's Chai & Snacks 🍵"),
        ("Sharma\u200b Kirana\u202e", "Sharma Kirana"),  # zero-width space, bidi override
        ("Sharma\x00\x07Kirana", "SharmaKirana"),
    ],
)
def test_display_name_is_trimmed_and_kept(typed: str, stored: str) -> None:
    assert clean_display_name(typed) == stored


def test_zero_width_joiner_survives_for_indic_half_forms() -> None:
    # Malayalam chillu and Devanagari half forms are spelt with ZWJ/ZWNJ.
    name = "ക്\u200dഷേത്ര സ്റ്റോർ"
    assert clean_display_name(name) == name


def test_decomposed_name_is_stored_composed() -> None:
    assert clean_display_name("Cafe\u0301 Mumbai") == "Café Mumbai"


@pytest.mark.parametrize("typed", ["", "   ", "\n\t ", "\u200b", "\x00\x1b"])
def test_empty_name_is_refused(typed: str) -> None:
    assert_refused("error.name_empty", clean_display_name, typed)
    assert_refused("error.name_empty", clean_legal_name, typed)


@pytest.mark.parametrize(
    "typed", ["🛒🛒", "🛒 🛒", "!!!", "...", "- * -", "👨\u200d👩\u200d👧", "\u093e"]
)
def test_name_without_letter_or_digit_is_refused(typed: str) -> None:
    assert_refused("error.name_no_letters", clean_display_name, typed)
    assert_refused("error.name_no_letters", clean_legal_name, typed)


def test_five_thousand_character_name_is_refused_with_the_limit() -> None:
    error = assert_refused("error.name_too_long", clean_display_name, "a" * 5000)
    assert error.params == {"max": NAME_MAX}
    error = assert_refused("error.name_too_long", clean_legal_name, "a" * 5000)
    assert error.params == {"max": LEGAL_NAME_MAX}


def test_name_limits_are_inclusive_and_counted_after_trimming() -> None:
    assert clean_display_name("a" * NAME_MAX) == "a" * NAME_MAX
    assert clean_display_name("  " + "a" * NAME_MAX + "  ") == "a" * NAME_MAX
    assert_refused("error.name_too_long", clean_display_name, "a" * (NAME_MAX + 1))
    assert clean_legal_name("b" * LEGAL_NAME_MAX) == "b" * LEGAL_NAME_MAX
    assert_refused("error.name_too_long", clean_legal_name, "b" * (LEGAL_NAME_MAX + 1))


def test_legal_name_may_be_longer_than_a_display_name() -> None:
    name = "Sharma General Stores and Provisions " * 3
    assert NAME_MAX < len(name.strip()) <= LEGAL_NAME_MAX
    assert clean_legal_name(name) == name.strip()
    assert_refused("error.name_too_long", clean_display_name, name)


# --- GSTIN ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("gstin", [VALID_GSTIN, *(gstin for gstin, _ in OTHER_VALID_PAIRS)])
def test_fixture_gstins_carry_their_checksum(gstin: str) -> None:
    assert with_check_digit(gstin[:14]) == gstin


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (VALID_GSTIN, VALID_GSTIN),
        ("27aapfu0939f1zv", VALID_GSTIN),
        (" 27 AAPFU 0939F 1ZV ", VALID_GSTIN),
        ("27-AAPFU0939F-1ZV", VALID_GSTIN),
        *((gstin.lower(), gstin) for gstin, _ in OTHER_VALID_PAIRS),
        (with_check_digit("27AAPFU0939F2Z"), with_check_digit("27AAPFU0939F2Z")),
    ],
)
def test_valid_gstin_is_accepted_compact_and_upper_case(typed: str, stored: str) -> None:
    assert clean_gstin(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "27AAPFU0939F1ZO",  # wrong check digit
        "27AAPFU0939F1ZW",  # wrong check digit
        "27AAPFU0939F1Z",  # 14 characters
        "27AAPFU0939F1ZVV",  # 16 characters
        "",
        "ADJKNEMDI1234S",  # Setu's own update sample
        with_check_digit("27AAPFU0939F0Z"),  # registration number 0 does not exist
        with_check_digit("27AAPFU0939F1A"),  # 14th character must be Z
        with_check_digit("99AAPFU0939F1Z"),  # no such state
        with_check_digit("27AAPXU0939F1Z"),  # PAN with an unknown holder type
        with_check_digit("27AAPFU0000F1Z"),  # PAN serial 0000
        "369296450896540",
        "27ΑAPFU0939F1ZV",  # first A is a Greek capital alpha
    ],
)
def test_invalid_gstin_is_refused(typed: str) -> None:
    assert_refused("error.gstin_invalid", clean_gstin, typed)


# --- PAN ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [(VALID_PAN, VALID_PAN), (" aapfu0939f ", VALID_PAN), ("AAPFU 0939 F", VALID_PAN)],
)
def test_valid_pan_is_accepted_upper_case(typed: str, stored: str) -> None:
    assert clean_pan(typed, None) == stored
    assert clean_pan(typed, VALID_GSTIN) == stored


@pytest.mark.parametrize(("gstin", "pan"), OTHER_VALID_PAIRS)
def test_pan_inside_its_gstin_is_accepted(gstin: str, pan: str) -> None:
    assert clean_pan(pan.lower(), gstin) == pan


@pytest.mark.parametrize(
    "typed",
    ["", "AAPFU0939", "AAPFU0939FF", "AAPFU09391", "12345678901", "AAPXU0939F", "AAPFU0000F"],
)
def test_invalid_pan_is_refused(typed: str) -> None:
    assert_refused("error.pan_invalid", clean_pan, typed, None)
    assert_refused("error.pan_invalid", clean_pan, typed, VALID_GSTIN)


def test_pan_of_another_entity_than_the_gstin_is_refused_with_the_expected_pan() -> None:
    error = assert_refused("error.pan_mismatch", clean_pan, "ABCPK1234M", VALID_GSTIN)
    assert error.params == {"expected": VALID_PAN}


def test_pan_is_checked_against_a_gstin_typed_loosely() -> None:
    assert clean_pan(VALID_PAN, "27aapfu0939f1zv") == VALID_PAN


# --- FSSAI ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("10020042007183", "10020042007183"),
        (" 1002 0042 0071 83 ", "10020042007183"),
        ("१००२००४२००७१८३", "10020042007183"),  # Devanagari digits
    ],
)
def test_fourteen_digit_fssai_is_accepted(typed: str, stored: str) -> None:
    assert clean_fssai(typed) == stored


@pytest.mark.parametrize(
    "typed", ["1002004200718", "100200420071834", "", "1002004200718A", "FSSAI", "1002004200718.5"]
)
def test_fssai_of_other_length_or_with_letters_is_refused(typed: str) -> None:
    assert_refused("error.fssai_invalid", clean_fssai, typed)


# --- bank account ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("123456789", "123456789"),
        ("123456789012345678", "123456789012345678"),
        ("50100 12345 6789", "50100123456789"),
        ("0011-2233-4455", "001122334455"),  # leading zeros are part of the number
        ("-12345678901", "12345678901"),  # a stray hyphen is only a separator
    ],
)
def test_account_number_of_9_to_18_digits_is_accepted(typed: str, stored: str) -> None:
    assert clean_account_number(typed) == stored


@pytest.mark.parametrize(
    "typed", ["12345678", "1234567890123456789", "", "12345ABC6789", "000000000000", "1234.5678e3"]
)
def test_bad_account_number_is_refused(typed: str) -> None:
    assert_refused("error.account_invalid", clean_account_number, typed)


# --- IFSC -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("HDFC0001234", "HDFC0001234"),
        (" sbin0000691 ", "SBIN0000691"),
        ("ICIC0ABC123", "ICIC0ABC123"),
        ("HDFC0001234\n", "HDFC0001234"),  # pasted with a trailing newline
    ],
)
def test_valid_ifsc_is_accepted_upper_case(typed: str, stored: str) -> None:
    assert clean_ifsc(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "HDFC00109202",  # Setu's own sample: 12 characters
        "HDFC000123",  # 10 characters
        "HDFC1001234",  # fifth character must be 0
        "HDF00001234",  # bank code has a digit
        "",
        "HDFC0001234X",
    ],
)
def test_invalid_ifsc_is_refused(typed: str) -> None:
    assert_refused("error.ifsc_invalid", clean_ifsc, typed)


# --- e-mail ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ravi@sharmakirana.in", "ravi@sharmakirana.in"),
        ("  Ravi.Kumar@Example.COM ", "Ravi.Kumar@example.com"),
        ("shop+ondc@gmail.com", "shop+ondc@gmail.com"),
    ],
)
def test_valid_email_is_normalised(typed: str, stored: str) -> None:
    assert clean_email(typed) == stored


@pytest.mark.parametrize("typed", ["a@b", "", "ravi", "ravi@", "@example.com", "a b@example.com"])
def test_invalid_email_is_refused(typed: str) -> None:
    assert_refused("error.email_invalid", clean_email, typed)


# --- phone ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "919812345678",  # how Telegram shares a contact
        "+919812345678",
        "+91 98123 45678",
        "+91-98123-45678",
        "09812345678",
        "9812345678",
        "0091 9812345678",
        "(+91) 98123-45678",
        "९८१२३४५६७८",
    ],
)
def test_indian_mobile_number_is_normalised(typed: str) -> None:
    assert clean_phone(typed) == "+919812345678"


@pytest.mark.parametrize("typed", ["6000000000", "7012345678", "8123456789"])
def test_every_indian_mobile_series_is_accepted(typed: str) -> None:
    assert clean_phone(typed) == f"+91{typed}"


@pytest.mark.parametrize(
    "typed",
    [
        "14155552671",  # US, as Telegram shares it
        "+1 415 555 2671",
        "+16505551234",  # US, but its 10 digits would look Indian without the country code
        "+447911123456",  # UK
        "+9198123456",  # too short
        "+9198123456789",  # too long
        "+915812345678",  # Indian, but 5 does not start a mobile number
        "01123456789",  # Delhi landline
        "",
        "98123abcde",
    ],
)
def test_number_that_is_not_an_indian_mobile_is_refused(typed: str) -> None:
    assert_refused("error.phone_not_indian", clean_phone, typed)


# --- categories -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("categories", "needed"),
    [
        (["Grocery"], True),
        (["F&B"], True),
        (["Fashion", "F&B"], True),
        (("Electronics", "Grocery"), True),
        (iter(["Grocery"]), True),
        (["Fashion", "Electronics"], False),
        ([], False),
        (["grocery"], False),  # gateway values are exact
    ],
)
def test_fssai_is_needed_only_for_food_and_grocery(categories: list[str], needed: bool) -> None:
    assert needs_fssai(categories) is needed


def test_categories_are_the_fourteen_ondc_retail_domains() -> None:
    assert [c.code for c in CATEGORIES] == [
        "RET10", "RET11", "RET12", "RET13", "RET14", "RET15", "RET16",
        "RET17", "RET18", "RET19", "RET1A", "RET1B", "RET1C", "RET1D",
    ]  # fmt: skip
    assert len({c.value for c in CATEGORIES}) == len(CATEGORIES)
    assert {c.value for c in CATEGORIES} >= FSSAI_CATEGORIES


@pytest.mark.parametrize(
    ("code", "value"),
    [("RET10", "Grocery"), ("RET11", "F&B"), ("RET13", "BPC"), ("RET1D", "Chemicals")],
)
def test_category_lookup_both_ways(code: str, value: str) -> None:
    assert category_by_code(code).value == value
    assert category_by_value(value).code == code
    assert category_by_code(code).domain == f"ONDC:{code}"


def test_category_codes_fit_in_callback_data() -> None:
    assert all(len(c.code.encode()) <= 8 for c in CATEGORIES)


@pytest.mark.parametrize("unknown", ["RET20", "ret10", "", "Grocery"])
def test_unknown_category_code_raises_key_error(unknown: str) -> None:
    with pytest.raises(KeyError):
        category_by_code(unknown)


@pytest.mark.parametrize("unknown", ["grocery", "Food & Beverages", "RET10", ""])
def test_unknown_category_value_raises_key_error(unknown: str) -> None:
    with pytest.raises(KeyError):
        category_by_value(unknown)


def test_incorporation_types_are_setus_enum() -> None:
    assert INCORPORATION_TYPES == ("PRLC", "PULC", "PAR", "LLP", "OPC", "SP", "NP")
