"""Rules for an item's price: reading rupees as sellers type them, GST rates, tax and MRP."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum

from babel.numbers import format_decimal

from bot.domain.seller import InvalidInput, ascii_digits

PAISE = Decimal("0.01")
# A small seller's single item above ten lakh rupees is a typo (an extra zero or two), not a sale;
# the seller can still sell it by talking to us.
PRICE_MAX = Decimal("1000000")

# ---------------------------------------------------------------------------------------------
# Formatting for error placeholders


def format_rupees(value: Decimal) -> str:
    """An amount with Indian grouping and two decimals, e.g. "1,20,000.50" (no currency sign)."""
    # Rounded here, half up like the tax, so Babel's own rounding (half even) never decides.
    return format_decimal(
        value.quantize(PAISE, rounding=ROUND_HALF_UP), format="#,##,##0.00", locale="en_IN"
    )


def _whole_rupees(value: Decimal) -> str:
    return format_decimal(value, format="#,##,##0", locale="en_IN")


def _percent(value: Decimal) -> str:
    # "18", "2.5", "0.25": never "18.00" nor "1E+1".
    return f"{value.normalize():f}"


# ---------------------------------------------------------------------------------------------
# Reading a price
#
# Accepted: "120", "120.50", "₹ 1,200.50", "Rs. 1,20,000", "rs 99", "INR 500", "रु 50", "१२०",
# "₹1,200/-" (the "/-" Indian price tags end with), "12,50".
# Rules:
# 1. Commas group digits the Indian way (1,20,000) or the Western way (120,000); any other
#    placement ("12,0,00") is unreadable.
# 2. A comma is a decimal separator only when it is the one separator in the number and exactly
#    two digits follow it: "12,50" is ₹12.50 (phones with a European keyboard or locale). With three
#    digits it groups thousands: "12,500" is ₹12,500, as every Indian price tag writes it.
# 3. Scientific notation ("1e3"), shorthand ("1.5k"), words ("NaN", "inf") and spaces inside the
#    number ("1 200") are unreadable: sellers do not type prices that way, and guessing a price
#    is worse than asking again.
# 4. More than two decimals ("12.505", even "12.500") is refused rather than rounded: a price
#    is never in fractions of a paisa, and "1.500" may well mean fifteen hundred.

_CURRENCY = r"(?:₹|rs\.?|inr|rupees?|रु\.?|रुपये|रुपए|रुपया)"
_PREFIX_RE = re.compile(rf"{_CURRENCY}\s*")
_SUFFIX_RE = re.compile(rf"\s*{_CURRENCY}$")
_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})
_NUMBER_RE = re.compile(
    r"(?P<whole>"
    r"[0-9]{1,2}(?:,[0-9]{2})*,[0-9]{3}"  # Indian grouping: 1,20,000
    r"|[0-9]{1,3}(?:,[0-9]{3})+"  # Western grouping: 120,000
    r"|[0-9]*"
    r")(?:\.(?P<fraction>[0-9]*))?"
)
_COMMA_DECIMAL_RE = re.compile(r"(?P<whole>[0-9]+),(?P<fraction>[0-9]{2})")


def _unreadable() -> InvalidInput:
    return InvalidInput("error.price_unreadable")


def _strip_currency(text: str) -> tuple[str, bool]:
    """The bare number of a typed price, and whether it had a minus sign before or after ₹."""
    text = text.removesuffix("/-").strip()
    text = _SUFFIX_RE.sub("", text)
    negative = text.startswith("-")
    text = text.removeprefix("-").strip()
    match = _PREFIX_RE.match(text)
    if match:
        text = text[match.end() :]
    if text.startswith("-"):
        if negative:
            raise _unreadable()
        negative, text = True, text[1:].strip()
    return text, negative


def parse_rupees(text: str) -> Decimal:
    """A price typed by a seller (see the rules above), in rupees to the paisa.

    InvalidInput: "error.price_unreadable", "error.price_not_positive", "error.price_paise",
    "error.price_too_high" (max).
    """
    # NFKC folds full-width characters; ascii_digits turns Devanagari (or any) digits into ASCII.
    compact = ascii_digits(unicodedata.normalize("NFKC", text)).translate(_DASHES).strip()
    number, negative = _strip_currency(compact.casefold())
    match = _COMMA_DECIMAL_RE.fullmatch(number) or _NUMBER_RE.fullmatch(number)
    if match is None:
        raise _unreadable()
    whole = match["whole"].replace(",", "")
    fraction = match["fraction"] or ""
    if not whole and not fraction:
        raise _unreadable()
    value = Decimal(f"{whole or 0}.{fraction or 0}")
    if negative or value == 0:
        raise InvalidInput("error.price_not_positive")
    if len(fraction) > 2:
        raise InvalidInput("error.price_paise")
    if value > PRICE_MAX:
        raise InvalidInput("error.price_too_high", max=_whole_rupees(PRICE_MAX))
    return value.quantize(PAISE)


# ---------------------------------------------------------------------------------------------
# GST rates

# Only rates India's GST law actually charges are accepted, not any number from 0 to 28: a rate
# like 15 or 8 is always a slip (or VAT from before 2017), and a wrong rate misstates the tax on
# every invoice. The set: 0 (exempt/nil), 0.1 (supplies to merchant exporters), 0.25 (rough
# precious stones), 1.5 (cut and polished diamonds), 3 (gold, silver, jewellery), 5, 12, 18, 28
# (the main slabs), 6 and 7.5 (concessional rates for some goods and services), and 40 (the rate
# for luxury and sin goods added by the GST rate rationalisation of September 2025, which also
# moved most 12% and 28% goods to 5% and 18%; 12 and 28 stay for what still carries them).
GST_RATES: frozenset[Decimal] = frozenset(
    Decimal(rate)
    for rate in ("0", "0.1", "0.25", "1.5", "3", "5", "6", "7.5", "12", "18", "28", "40")
)
_KNOWN_RATE = {rate: rate for rate in GST_RATES}  # "18.00" finds the canonical Decimal("18")
# The rates offered as buttons; any other known rate can be typed.
GST_RATE_BUTTONS: tuple[int, ...] = (0, 5, 12, 18, 28)

_RATE_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*%?")


def parse_gst_rate(text: str) -> Decimal:
    """A GST rate in percent as typed ("18", "18%", "१८", "0.25"), one of GST_RATES.

    InvalidInput: "error.gst_rate_unknown" (rates: the accepted rates, listed).
    """
    compact = ascii_digits(unicodedata.normalize("NFKC", text)).strip()
    match = _RATE_RE.fullmatch(compact)
    known = _KNOWN_RATE.get(Decimal(match[1])) if match else None
    if known is not None:
        return known
    raise InvalidInput(
        "error.gst_rate_unknown", rates=", ".join(_percent(rate) for rate in sorted(GST_RATES))
    )


# ---------------------------------------------------------------------------------------------
# Tax on a price (Setu §7.1 rule 5)


@dataclass(frozen=True)
class Tax:
    """A price split into its taxable value and GST; `total` is what the buyer pays."""

    taxable_value: Decimal
    tax: Decimal
    total: Decimal


def _rate(gst_rate: Decimal) -> Decimal:
    return gst_rate / 100


def tax_breakdown(price: Decimal, gst_rate: Decimal, *, gst_included: bool) -> Tax:
    """The taxable value, GST and total of a selling price, each rounded half up to the paisa.

    GST included: the price is the total, taxable value = price / (1 + r), tax = the rest.
    GST on top: the price is the taxable value, tax = price × r. Either way taxable + tax == total.
    """
    price = price.quantize(PAISE, rounding=ROUND_HALF_UP)
    if gst_included:
        taxable = (price / (1 + _rate(gst_rate))).quantize(PAISE, rounding=ROUND_HALF_UP)
        return Tax(taxable_value=taxable, tax=price - taxable, total=price)
    tax = (price * _rate(gst_rate)).quantize(PAISE, rounding=ROUND_HALF_UP)
    return Tax(taxable_value=price, tax=tax, total=price + tax)


def check_selling_price(
    mrp: Decimal, price: Decimal, *, gst_included: bool, gst_rate: Decimal
) -> Decimal:
    """What the buyer pays for `price` (GST added if it comes on top); InvalidInput unless that
    is at most the MRP, which by law includes every tax.

    InvalidInput: "error.price_not_positive", "error.price_above_mrp" (price, mrp: "1,200.50").
    """
    if price <= 0 or mrp <= 0:
        raise InvalidInput("error.price_not_positive")
    # The gateway compares the unrounded amount (ONDC rejects price > MRP, code 91001), so this
    # does too: ₹84.75 + 18% is ₹100.005, over an MRP of ₹100 even though it rounds to ₹100.01.
    exact = price if gst_included else price * (1 + _rate(gst_rate))
    if exact > mrp:
        raise InvalidInput(
            "error.price_above_mrp",
            # Rounded up, so the text never claims "₹100.00 is more than the MRP ₹100.00".
            price=format_rupees(exact.quantize(PAISE, rounding=ROUND_CEILING)),
            mrp=format_rupees(mrp),
        )
    return tax_breakdown(price, gst_rate, gst_included=gst_included).total


# ---------------------------------------------------------------------------------------------
# GST components (Setu §7.1 rule 6)


class GstSplit(StrEnum):
    """How the total GST rate is reported: not split, half CGST + half SGST, or all IGST."""

    NONE = "none"
    CGST_SGST = "cgst_sgst"  # a sale within the seller's state
    IGST = "igst"  # a sale to another state


def split_rates(total_rate: Decimal, split: GstSplit) -> dict[str, Decimal | None]:
    """Setu's sgst_tax_rate, cgst_tax_rate and igst_tax_rate for a total rate; None when unsent."""
    if split is GstSplit.CGST_SGST:
        half = total_rate / 2
        return {"sgst_tax_rate": half, "cgst_tax_rate": half, "igst_tax_rate": None}
    if split is GstSplit.IGST:
        return {"sgst_tax_rate": None, "cgst_tax_rate": None, "igst_tax_rate": total_rate}
    return {"sgst_tax_rate": None, "cgst_tax_rate": None, "igst_tax_rate": None}


def check_tax_split(
    total: Decimal, cgst: Decimal | None, sgst: Decimal | None, igst: Decimal | None
) -> None:
    """InvalidInput "error.gst_split_sum" (total, sum) if any component is given and the given
    ones do not add up to the total rate; no components at all is fine."""
    given = [rate for rate in (cgst, sgst, igst) if rate is not None]
    added = sum(given, Decimal(0))
    if given and added != total:
        raise InvalidInput("error.gst_split_sum", total=_percent(total), sum=_percent(added))
