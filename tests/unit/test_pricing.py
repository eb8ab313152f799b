"""Price rules: rupees as sellers type them, GST rates, the tax a buyer pays, and the MRP."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from bot.domain import pricing
from bot.domain.pricing import (
    GST_RATE_BUTTONS,
    GST_RATES,
    GstSplit,
    Tax,
    check_selling_price,
    check_tax_split,
    format_rupees,
    parse_gst_rate,
    parse_rupees,
    split_rates,
    tax_breakdown,
)
from bot.domain.seller import InvalidInput
from bot.gateways.base import Price
from bot.gateways.local import _tax_inclusive_price
from bot.i18n import LOCALES_DIR, SOURCE_LANGUAGE, Catalogue, I18n

D = Decimal


def as_decimal(value: str | None) -> Decimal | None:
    return None if value is None else D(value)


def refused(
    reason: str, call: Callable[..., object], *args: object, **kwargs: object
) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    assert caught.value.reason == reason
    return caught.value


# --- every reason has a text ----------------------------------------------------------------------


def test_every_reason_these_rules_give_has_an_english_text() -> None:
    source = Path(pricing.__file__).read_text(encoding="utf-8")
    reasons = set(re.findall(r'"(error\.[a-z_]+)"', source))
    english = Catalogue.read(LOCALES_DIR / f"{SOURCE_LANGUAGE}.po").messages
    assert len(reasons) >= 7
    assert reasons - set(english) == set()


def test_a_refusal_renders_in_every_language() -> None:
    error = refused(
        "error.price_above_mrp",
        check_selling_price,
        D(100),
        D(90),
        gst_included=False,
        gst_rate=D(18),
    )
    for language in ("en", "hi"):
        text = I18n().texts(language)(error.reason, **error.params)
        assert "₹106.20" in text
        assert "₹100.00" in text


# --- reading a price ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "rupees"),
    [
        ("120", "120.00"),
        ("120.50", "120.50"),
        ("120.5", "120.50"),
        ("₹ 1,200.50", "1200.50"),
        ("₹1200", "1200.00"),
        ("Rs. 1,20,000", "120000.00"),
        ("rs 99", "99.00"),
        ("RS.99", "99.00"),
        ("INR 500", "500.00"),
        ("500 rupees", "500.00"),
        ("रु 50", "50.00"),
        ("१२०", "120.00"),
        ("१,२००.५०", "1200.50"),
        ("１２０", "120.00"),  # full-width digits
        ("₹1,200/-", "1200.00"),
        ("1200/-", "1200.00"),
        ("120,000", "120000.00"),  # Western grouping
        ("1,00,000", "100000.00"),
        ("12,500", "12500.00"),  # three digits after a comma: thousands, as on Indian tags
        ("12,50", "12.50"),  # two digits after the only comma: a decimal comma
        ("0.50", "0.50"),
        (".50", "0.50"),
        ("  75  ", "75.00"),
        ("10,00,000", "1000000.00"),  # the cap itself is allowed
    ],
)
def test_prices_as_sellers_type_them(typed: str, rupees: str) -> None:
    price = parse_rupees(typed)
    assert price == D(rupees)
    assert price.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "₹",
        "abc",
        "free",
        "1e9",
        "1e3",
        "1E3",
        "NaN",
        "nan",
        "inf",
        "Infinity",
        "1.5k",
        "1_000",
        "0x10",
        "1 200",
        "12,0,00",
        "1,2",
        "12,5",
        "1,200,50",
        "1.200.50",
        "1,20,000,50",
        "12..5",
        "½",
        "₹ 100 - 200",
        "--5",
    ],
)
def test_unreadable_prices_are_refused(typed: str) -> None:
    refused("error.price_unreadable", parse_rupees, typed)


@pytest.mark.parametrize("typed", ["-5", "- 5", "−5", "-₹5", "₹-5", "0", "0.00", "₹0/-", "-0"])
def test_zero_and_negative_prices_are_refused(typed: str) -> None:
    refused("error.price_not_positive", parse_rupees, typed)


@pytest.mark.parametrize("typed", ["12.505", "12.500", "0.001", "1.999"])
def test_fractions_of_a_paisa_are_refused_not_rounded(typed: str) -> None:
    refused("error.price_paise", parse_rupees, typed)


@pytest.mark.parametrize("typed", ["10,00,000.01", "1000001", "₹ 99,99,999", "1" + "0" * 30])
def test_absurd_prices_are_refused_with_the_cap_in_indian_grouping(typed: str) -> None:
    error = refused("error.price_too_high", parse_rupees, typed)
    assert error.params == {"max": "10,00,000"}


@pytest.mark.parametrize(
    ("amount", "shown"),
    [("1200.5", "1,200.50"), ("100000", "1,00,000.00"), ("0.005", "0.01"), ("2.675", "2.68")],
)
def test_amounts_in_error_texts_use_indian_grouping_and_round_half_up(
    amount: str, shown: str
) -> None:
    assert format_rupees(D(amount)) == shown


# --- GST rates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "rate"),
    [
        ("18", "18"),
        ("18%", "18"),
        ("18 %", "18"),
        ("18.00", "18"),
        ("१८", "18"),
        ("0", "0"),
        ("0.25", "0.25"),
        (".25", "0.25"),
        ("3", "3"),
        ("7.5", "7.5"),
        ("28", "28"),
        ("40", "40"),
    ],
)
def test_known_gst_rates_are_read(typed: str, rate: str) -> None:
    assert parse_gst_rate(typed) == D(rate)


@pytest.mark.parametrize("typed", ["15", "8", "100", "-5", "18.5", "abc", "", "1e1", "eighteen"])
def test_other_gst_rates_are_refused_with_the_list(typed: str) -> None:
    error = refused("error.gst_rate_unknown", parse_gst_rate, typed)
    assert "0.25" in str(error.params["rates"])
    assert "18" in str(error.params["rates"])


def test_every_gst_button_is_a_known_rate() -> None:
    assert {D(rate) for rate in GST_RATE_BUTTONS} <= GST_RATES
    assert GST_RATE_BUTTONS == (0, 5, 12, 18, 28)


# --- tax on a price -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "rate", "included", "taxable", "tax", "total"),
    [
        ("118", "18", True, "100.00", "18.00", "118.00"),
        ("100", "18", False, "100.00", "18.00", "118.00"),
        ("99.99", "5", True, "95.23", "4.76", "99.99"),
        ("99.99", "5", False, "99.99", "5.00", "104.99"),
        ("10.01", "12", False, "10.01", "1.20", "11.21"),
        ("0.10", "18", False, "0.10", "0.02", "0.12"),  # 0.018 rounds half up to 0.02
        ("1", "3", True, "0.97", "0.03", "1.00"),
        ("250", "0", True, "250.00", "0.00", "250.00"),
        ("250", "0", False, "250.00", "0.00", "250.00"),
        ("1050", "0.25", True, "1047.38", "2.62", "1050.00"),
    ],
)
def test_tax_breakdown(
    price: str, rate: str, included: bool, taxable: str, tax: str, total: str
) -> None:
    result = tax_breakdown(D(price), D(rate), gst_included=included)
    assert result == Tax(taxable_value=D(taxable), tax=D(tax), total=D(total))


@pytest.mark.parametrize("rate", sorted(GST_RATES))
@pytest.mark.parametrize("included", [True, False])
@pytest.mark.parametrize("price", ["0.01", "0.99", "9.99", "99.99", "123.45", "999999.99"])
def test_taxable_value_and_tax_always_add_up_to_the_total(
    price: str, rate: Decimal, included: bool
) -> None:
    result = tax_breakdown(D(price), rate, gst_included=included)
    assert result.taxable_value + result.tax == result.total
    assert all(value.as_tuple().exponent == -2 for value in vars(result).values())
    assert (result.total if included else result.taxable_value) == D(price)
    assert result.tax >= 0


# --- selling price and MRP ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mrp", "price", "included", "rate", "pays"),
    [
        ("100", "100", True, "18", "100.00"),  # exactly the MRP, GST inside it
        ("118", "100", False, "18", "118.00"),  # exactly the MRP once GST is added
        ("120", "100", False, "18", "118.00"),
        ("100", "90", True, "18", "90.00"),
        ("100", "100", False, "0", "100.00"),
    ],
)
def test_a_price_up_to_the_mrp_is_accepted(
    mrp: str, price: str, included: bool, rate: str, pays: str
) -> None:
    assert check_selling_price(D(mrp), D(price), gst_included=included, gst_rate=D(rate)) == D(pays)


def test_a_price_above_the_mrp_is_refused() -> None:
    error = refused(
        "error.price_above_mrp",
        check_selling_price,
        D("1200.50"),
        D("1250"),
        gst_included=True,
        gst_rate=D(18),
    )
    assert error.params == {"price": "1,250.00", "mrp": "1,200.50"}


def test_gst_on_top_pushing_the_price_over_the_mrp_is_refused() -> None:
    error = refused(
        "error.price_above_mrp",
        check_selling_price,
        D(100),
        D(90),
        gst_included=False,
        gst_rate=D(18),
    )
    assert error.params == {"price": "106.20", "mrp": "100.00"}


def test_a_fraction_of_a_paisa_over_the_mrp_is_refused_as_the_gateway_would() -> None:
    # 84.75 + 18% = 100.005: over an MRP of 100, and shown rounded up, never as "100.00".
    error = refused(
        "error.price_above_mrp",
        check_selling_price,
        D(100),
        D("84.75"),
        gst_included=False,
        gst_rate=D(18),
    )
    assert error.params["price"] == "100.01"
    # 84.74 + 18% = 99.9932, which rounds to 99.99: fine.
    assert check_selling_price(D(100), D("84.74"), gst_included=False, gst_rate=D(18)) == D("99.99")


@pytest.mark.parametrize("rate", ["0", "5", "18", "28"])
@pytest.mark.parametrize("included", [True, False])
@pytest.mark.parametrize("price", ["84.74", "84.75", "95.24", "99.99", "100", "100.01"])
def test_the_bot_accepts_exactly_the_prices_the_gateway_accepts(
    price: str, included: bool, rate: str
) -> None:
    # The embedded gateway's MRP rule, as it checks a catalogue upload.
    gateway_accepts = _tax_inclusive_price(D(price), D(rate), not included) <= D(100)
    try:
        check_selling_price(D(100), D(price), gst_included=included, gst_rate=D(rate))
    except InvalidInput:
        accepted = False
    else:
        accepted = True
    assert accepted == gateway_accepts


# --- GST components -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "split", "sgst", "cgst", "igst"),
    [
        ("18", GstSplit.CGST_SGST, "9", "9", None),
        ("5", GstSplit.CGST_SGST, "2.5", "2.5", None),
        ("0.25", GstSplit.CGST_SGST, "0.125", "0.125", None),
        ("18", GstSplit.IGST, None, None, "18"),
        ("18", GstSplit.NONE, None, None, None),
    ],
)
def test_split_rates(
    total: str, split: GstSplit, sgst: str | None, cgst: str | None, igst: str | None
) -> None:
    rates = split_rates(D(total), split)

    assert rates == {
        "sgst_tax_rate": as_decimal(sgst),
        "cgst_tax_rate": as_decimal(cgst),
        "igst_tax_rate": as_decimal(igst),
    }
    # The keys are Setu's PriceDTO fields, and whatever the split, the components pass the sum
    # rule (Setu §7.1 rule 6).
    Price(
        is_selling_price_exclusive_of_gst=False,
        max_retail_price=D(100),
        selling_price=D(100),
        total_tax_rate=D(total),
        **rates,
    )
    check_tax_split(
        D(total), rates["cgst_tax_rate"], rates["sgst_tax_rate"], rates["igst_tax_rate"]
    )


@pytest.mark.parametrize(
    ("total", "cgst", "sgst", "igst"),
    [
        ("18", "9", "9", None),
        ("18", None, None, "18"),
        ("18", None, None, None),
        ("18", "9.00", "9.0", None),
        ("0", "0", "0", None),
    ],
)
def test_components_that_add_up_are_accepted(
    total: str, cgst: str | None, sgst: str | None, igst: str | None
) -> None:
    check_tax_split(D(total), as_decimal(cgst), as_decimal(sgst), as_decimal(igst))


@pytest.mark.parametrize(
    ("total", "cgst", "sgst", "igst", "added"),
    [
        ("18", "9", None, None, "9"),
        ("18", "9", "9", "18", "36"),
        ("18", "6", "6", None, "12"),
        ("12", None, None, "18", "18"),
        ("5", "2.5", "2", None, "4.5"),
    ],
)
def test_components_that_do_not_add_up_are_refused(
    total: str, cgst: str | None, sgst: str | None, igst: str | None, added: str
) -> None:
    error = refused(
        "error.gst_split_sum",
        check_tax_split,
        D(total),
        as_decimal(cgst),
        as_decimal(sgst),
        as_decimal(igst),
    )
    assert error.params == {"total": total, "sum": added}
