"""Rules for an item's answers: pack size and stock, policies, and the statutory label facts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from babel.core import Locale, get_global
from babel.numbers import format_decimal

from bot.domain.seller import InvalidInput, ascii_digits, clean_fssai, clean_name
from bot.gateways.base import UnitDenomination
from bot.i18n import catalogue_files

# The price, MRP and GST of an item follow bot.domain.pricing.


def _grouped(value: int) -> str:
    # Limits in error texts read the Indian way: "10,00,000".
    return format_decimal(value, format="#,##,##0", locale="en_IN")


# ---------------------------------------------------------------------------------------------
# Pack size and stock (Setu's inventory: `quantity` packs of `unit_value` `unit_denomination`)

# The units a small shop sells in, as buttons, most common first: weight and volume, then counted
# things. EA ("each") is left out: to a buyer it is the same as PC, and two buttons that mean
# the same thing make the seller stop and wonder. Each code's label is the locale key unit.<CODE>.
UNIT_BUTTONS: tuple[UnitDenomination, ...] = (
    UnitDenomination.GM,
    UnitDenomination.KG,
    UnitDenomination.ML,
    UnitDenomination.LT,
    UnitDenomination.PC,
    UnitDenomination.DZ,
    UnitDenomination.PK,
    UnitDenomination.BX,
    UnitDenomination.BT,
    UnitDenomination.JR,
    UnitDenomination.BG,
    UnitDenomination.CN,
)

# Ten lakh grams is a tonne, ten lakh pieces a warehouse: any bigger pack size is a typo.
UNIT_VALUE_MAX = 1_000_000
# Stock counts packs; ten lakh of them is more than any small shop holds.
STOCK_MAX = 1_000_000

# Low stock (issue 5): the seller is told once when orders bring an item's stock down to this
# many packs or fewer; each item has its own level, from these choices or none.
LOW_STOCK_DEFAULT = 2
LOW_STOCK_CHOICES = (0, 1, 2, 3, 5, 10, 20)


class LowStock(StrEnum):
    """Whether the seller is to hear that an item runs low."""

    OK = "ok"  # above its level, or no level: nothing to say
    DUE = "due"  # orders brought it to its level: an alert is to be sent
    TOLD = "told"  # the seller knows: alerted, or set the stock that low themselves


def low_stock_after(stock: int, level: int | None, was: LowStock, *, by_seller: bool) -> LowStock:
    """An item's low-stock state once its stock is `stock`. A fall to the level through orders
    makes an alert due, once until the stock rises above the level again; a seller who sets the
    stock (or the level) sees the number on the card and needs no alert."""
    if level is None or stock > level:
        return LowStock.OK
    if was is not LowStock.OK:
        return LowStock.TOLD if by_seller else was
    return LowStock.TOLD if by_seller else LowStock.DUE


# What sellers add after a pack size by habit ("500 g", "2 kgs", "6 pcs"). A word naming another
# unit than the one chosen is refused: "500 g" for an item counted in kg would list 500 kg.
_UNIT_WORDS: dict[str, UnitDenomination] = {
    word: unit
    for unit, words in {
        UnitDenomination.GM: "g gm gms gr grm grms gram grams gramme grammes ग्राम ग्रा",
        UnitDenomination.KG: "kg kgs kilo kilos kilogram kilograms किलो किग्रा किलोग्राम",
        UnitDenomination.ML: "ml mls millilitre millilitres milliliter milliliters मिली मिलीलीटर",
        UnitDenomination.LT: "l lt ltr ltrs litre litres liter liters लीटर लिटर",
        UnitDenomination.PC: "pc pcs piece pieces nos no पीस नग",
        UnitDenomination.DZ: "dz doz dozen dozens दर्जन",
        UnitDenomination.PK: "pk pkt pkts pack packs packet packets पैकेट पैक",
        UnitDenomination.BX: "bx box boxes बॉक्स डिब्बा डिब्बे",
        UnitDenomination.BT: "bt btl bottle bottles बोतल",
        UnitDenomination.JR: "jr jar jars जार",
        UnitDenomination.BG: "bg bag bags बैग थैला थैले",
        UnitDenomination.CN: "cn can cans कैन",
    }.items()
    for word in words.split()
}
# A word in Latin or Devanagari letters; Devanagari vowel signs and the virama are marks, which
# \w does not match, so the block is spelled out (without its digits and dandas).
_WORD = r"[a-z\u0900-\u0963\u0970-\u097f]+"
_COUNT_RE = re.compile(
    r"(?P<number>[0-9]{1,2}(?:,[0-9]{2})*,[0-9]{3}|[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
    rf"\s*(?P<word>{_WORD})?\.?"
)


def unit_key(unit: UnitDenomination) -> str:
    """The locale key of a unit's label, e.g. "unit.GM"."""
    return f"unit.{unit.value}"


def _count(text: str, unit: UnitDenomination | None = None) -> int | None:
    """A whole number as typed ("1,000", "५००", "500 g"), or None; InvalidInput if its unit word
    names another unit than `unit` (never when `unit` is None)."""
    compact = unicodedata.normalize("NFC", ascii_digits(text)).strip().casefold()
    match = _COUNT_RE.fullmatch(compact)
    if match is None:
        return None
    word = match["word"]
    if word is not None:
        named = _UNIT_WORDS.get(word)
        if named is None:
            return None
        if unit is not None and named is not unit:
            raise InvalidInput("error.unit_value_other_unit")
    return int(match["number"].replace(",", ""))


def clean_unit_value(text: str, unit: UnitDenomination | None = None) -> int:
    """A pack size, 1 to UNIT_VALUE_MAX, in the chosen `unit` ("500", "500 g").

    InvalidInput: "error.unit_value_invalid" (max), "error.unit_value_other_unit".
    """
    value = _count(text, unit)
    if value is None or not 1 <= value <= UNIT_VALUE_MAX:
        raise InvalidInput("error.unit_value_invalid", max=_grouped(UNIT_VALUE_MAX))
    return value


def clean_stock(text: str) -> int:
    """How many packs are in stock, 0 to STOCK_MAX; InvalidInput "error.stock_invalid" (max)."""
    value = _count(text)
    if value is None or value > STOCK_MAX:
        raise InvalidInput("error.stock_invalid", max=_grouped(STOCK_MAX))
    return value


# ---------------------------------------------------------------------------------------------
# Item policies (Setu's item_policies; ondc-retail.md §5.3)

RETURN_WINDOW_MIN_DAYS = 1
# ONDC buyer apps show windows of a week or two; a month covers every seller we have heard of.
RETURN_WINDOW_MAX_DAYS = 30
RETURN_WINDOW_DEFAULT_DAYS = 7  # Setu's own sample
SHIP_DAYS_MAX = 15  # longer and a buyer has given up; a small shop ships in days
ORDER_QUANTITY_MAX = 10_000

# Restaurant food: cooked when ordered (ONDC's "make-to-order").
_MADE_TO_ORDER_CATEGORIES = frozenset({"F&B"})
_DAY_WORDS = frozenset({"d", "day", "days", "din", "दिन"})
_DAYS_RE = re.compile(rf"(?P<number>[0-9]{{1,3}})\s*(?P<word>{_WORD})?\.?")


@dataclass(frozen=True)
class Policies:
    """What a buyer may do with an item and how soon it ships; days are whole days."""

    returnable: bool
    return_window_days: int | None  # None when not returnable
    seller_pickup_return: bool
    cancellable: bool
    cod: bool
    ship_days: int
    min_qty: int
    max_qty: int

    def to_gateway(self) -> dict[str, Any]:
        """Setu's item_policies; the return fields only for a returnable item."""
        policies: dict[str, Any] = {
            "returnable": self.returnable,
            "cancellable": self.cancellable,
            "cod_availability": self.cod,
            "time_to_ship": {"days": self.ship_days, "hours": 0, "seconds": 0},
            "min_sale_quantity": self.min_qty,
            "max_sale_quantity": self.max_qty,
        }
        if self.returnable:
            # ONDC makes the return window mandatory for a returnable item (ondc-retail.md §5.3).
            policies["return_window"] = self.return_window_days or RETURN_WINDOW_DEFAULT_DAYS
            policies["seller_pickup_return"] = self.seller_pickup_return
        return policies


def default_policies(sub_categories: Iterable[str]) -> Policies:
    """The policies an item starts with, for the seller to change on the review card.

    ONDC's defaults (ondc-retail.md §5.3): returnable and cancellable, except make-to-order items,
    i.e. restaurant food (F&B), which is neither and leaves the kitchen the same day. Cash on
    delivery is off: a small seller who ships itself must opt in to carrying cash. Returns are
    brought back by the buyer unless the seller chooses to pick them up.
    """
    if _MADE_TO_ORDER_CATEGORIES.isdisjoint(sub_categories):
        return Policies(
            returnable=True,
            return_window_days=RETURN_WINDOW_DEFAULT_DAYS,
            seller_pickup_return=False,
            cancellable=True,
            cod=False,
            ship_days=1,
            min_qty=1,
            max_qty=10,
        )
    return Policies(
        returnable=False,
        return_window_days=None,
        seller_pickup_return=False,
        cancellable=False,
        cod=False,
        ship_days=0,
        min_qty=1,
        max_qty=10,
    )


def _days(text: str) -> int | None:
    compact = unicodedata.normalize("NFC", ascii_digits(text)).strip().casefold()
    match = _DAYS_RE.fullmatch(compact)
    if match is None or (match["word"] is not None and match["word"] not in _DAY_WORDS):
        return None
    return int(match["number"])


def clean_return_window(text: str) -> int:
    """Days a buyer has to return the item ("7", "7 days", "७ दिन"), 1 to 30.

    InvalidInput: "error.return_window_invalid" (min, max).
    """
    days = _days(text)
    if days is None or not RETURN_WINDOW_MIN_DAYS <= days <= RETURN_WINDOW_MAX_DAYS:
        raise InvalidInput(
            "error.return_window_invalid", min=RETURN_WINDOW_MIN_DAYS, max=RETURN_WINDOW_MAX_DAYS
        )
    return days


def clean_ship_days(text: str) -> int:
    """Days from order to dispatch, 0 (the same day) to 15.

    InvalidInput: "error.ship_days_invalid" (max).
    """
    days = _days(text)
    if days is None or days > SHIP_DAYS_MAX:
        raise InvalidInput("error.ship_days_invalid", max=SHIP_DAYS_MAX)
    return days


def clean_order_quantity(text: str) -> int:
    """A least or most number of packs per order, 1 to ORDER_QUANTITY_MAX.

    InvalidInput: "error.order_quantity_invalid" (max).
    """
    value = _count(text)
    if value is None or not 1 <= value <= ORDER_QUANTITY_MAX:
        raise InvalidInput("error.order_quantity_invalid", max=_grouped(ORDER_QUANTITY_MAX))
    return value


def check_order_quantities(min_qty: int, max_qty: int) -> None:
    """InvalidInput unless 1 ≤ min_qty ≤ max_qty ≤ ORDER_QUANTITY_MAX.

    InvalidInput: "error.order_quantity_invalid" (max), "error.min_above_max" (min, max).
    """
    if not (1 <= min_qty <= ORDER_QUANTITY_MAX and 1 <= max_qty <= ORDER_QUANTITY_MAX):
        raise InvalidInput("error.order_quantity_invalid", max=_grouped(ORDER_QUANTITY_MAX))
    if min_qty > max_qty:
        raise InvalidInput("error.min_above_max", min=_grouped(min_qty), max=_grouped(max_qty))


# ---------------------------------------------------------------------------------------------
# Statutory label facts (Setu's subcategory_specific_requirements; ondc-retail.md §5.1-§5.2)

# The sub-category (Setu qualifier or category) that makes a block mandatory (Setu §7.1 rule 3).
REQUIREMENT_BLOCKS: dict[str, str] = {
    "F&B": "food_beverages",
    "prepackaged_food": "prepackaged_food",
    "prepackaged_commodities": "prepackaged_commodities",
}

# ONDC lets statutory facts travel as label images (Setu §7.1 rule 4); this is the text the gateway
# gets for a fact the seller answers with "It is on the label photo".
ON_LABEL = "As shown on the label image"
# What a block's field holds when the fact does not apply (the importer of a product made here):
# Setu requires every field of a block, as a string.
NOT_APPLICABLE = "NA"
# ISO 3166-1 alpha-3, as ONDC's origin tag wants it: goods not imported are made in India.
INDIA = "IND"

IS_VEGETARIAN = "is_vegetarian"
IMPORTED = "imported"
COUNTRY_OF_ORIGIN = "imported_product_country_of_origin"
MANUFACTURE_DATE = "manufacture_or_packing_date"

# Yes/no facts, answered with buttons; every other fact is text.
BOOLEAN_FACTS = frozenset({IS_VEGETARIAN, IMPORTED})
_FOOD_FACTS = (
    "ingredients_info",
    "nutritional_info",
    "additives_info",
    "brand_owner_name",
    "brand_owner_address",
    "brand_owner_FSSAI_license_no",
)
_FOOD_IMPORT_FACTS = ("importer_name", "importer_address", "importer_FSSAI_license_no")
_COMMODITY_FACTS = (
    "manufacturer_or_packer_name",
    "manufacturer_or_packer_address",
    "common_or_generic_name_of_commodity",
    MANUFACTURE_DATE,
)
TEXT_FACTS = frozenset({*_FOOD_FACTS, *_FOOD_IMPORT_FACTS, *_COMMODITY_FACTS, COUNTRY_OF_ORIGIN})
LICENCE_FACTS = frozenset({"brand_owner_FSSAI_license_no", "importer_FSSAI_license_no"})
# Facts a seller may answer with ON_LABEL: every text fact except the FSSAI licence numbers and
# the country of origin, which buyer apps check as data (a 14-digit licence, ONDC rejection 90024;
# an ISO country code for the origin tag, 91012) and a sentence would fail.
LABEL_FACTS = TEXT_FACTS - LICENCE_FACTS - {COUNTRY_OF_ORIGIN}


def _blocks(sub_categories: Iterable[str]) -> list[str]:
    blocks = {REQUIREMENT_BLOCKS[c] for c in sub_categories if c in REQUIREMENT_BLOCKS}
    return [block for block in REQUIREMENT_BLOCKS.values() if block in blocks]


def label_facts(
    sub_categories: Iterable[str], answers: Mapping[str, object] | None = None
) -> tuple[str, ...]:
    """The facts to ask for an item in these sub-categories, in the order to ask them.

    Keys are Setu's field names, plus IMPORTED (a yes/no question). The importer's facts and the
    country of origin follow only once `answers` says the item is imported, so the conversation
    asks the first fact of this tuple it has no answer for, and calls again after each answer.
    """
    blocks = _blocks(sub_categories)
    food = "prepackaged_food" in blocks
    commodity = "prepackaged_commodities" in blocks
    facts: list[str] = []
    if food or "food_beverages" in blocks:
        facts.append(IS_VEGETARIAN)
    if food:
        facts += _FOOD_FACTS
    if commodity:
        facts += _COMMODITY_FACTS
    if food or commodity:
        facts.append(IMPORTED)
        if (answers or {}).get(IMPORTED) is True:
            if food:
                facts += _FOOD_IMPORT_FACTS
            facts.append(COUNTRY_OF_ORIGIN)
    return tuple(facts)


def to_requirements(sub_categories: Iterable[str], facts: Mapping[str, object]) -> dict[str, Any]:
    """Setu's subcategory_specific_requirements for these answers ({} if no block applies).

    Facts that do not apply (another importer's, a domestic product's importer) are "NA", and a
    product that is not imported has India ("IND") as its country of origin. ValueError if an
    answer label_facts asks for is missing: the conversation must not get this far without it.
    """
    sub_categories = list(sub_categories)
    missing = [fact for fact in label_facts(sub_categories, facts) if fact not in facts]
    if missing:
        raise ValueError(f"label facts not answered: {', '.join(missing)}")
    imported = facts.get(IMPORTED) is True
    country = str(facts[COUNTRY_OF_ORIGIN]) if imported else INDIA
    blocks = _blocks(sub_categories)
    requirements: dict[str, Any] = {}
    if "prepackaged_commodities" in blocks:
        requirements["prepackaged_commodities"] = {
            **{fact: str(facts[fact]) for fact in _COMMODITY_FACTS},
            COUNTRY_OF_ORIGIN: country,
        }
    if "prepackaged_food" in blocks:
        import_facts = _FOOD_IMPORT_FACTS if imported else ()
        requirements["prepackaged_food"] = {
            IS_VEGETARIAN: facts[IS_VEGETARIAN] is True,
            **{fact: str(facts[fact]) for fact in _FOOD_FACTS},
            # Asked for by no one: the manufacturer's licence when it is not the brand owner's,
            # goods imported by someone else and packed here. Both are on the label if they apply.
            "other_FSSAI_license_no": NOT_APPLICABLE,
            "importer_name": NOT_APPLICABLE,
            "importer_address": NOT_APPLICABLE,
            "importer_FSSAI_license_no": NOT_APPLICABLE,
            **{fact: str(facts[fact]) for fact in import_facts},
            # The importer's FSSAI logo is an image, shown on the label photo, never typed.
            "importer_FSSAI_logo": ON_LABEL if imported else NOT_APPLICABLE,
            COUNTRY_OF_ORIGIN: country,
            "other_importer_name": NOT_APPLICABLE,
            "other_importer_address": NOT_APPLICABLE,
            "other_premises": NOT_APPLICABLE,
            "other_importer_country_of_origin": NOT_APPLICABLE,
        }
    if "food_beverages" in blocks:
        requirements["food_beverages"] = {IS_VEGETARIAN: facts[IS_VEGETARIAN] is True}
    return requirements


# --- Cleaning a typed fact -----------------------------------------------------------------------

# Ingredient and nutrition lists run long ("Wheat flour (62%), palm oil, sugar, ..."); names and
# addresses are shorter. Telegram's own limit is 4096 characters.
_LONG_FACTS = frozenset({"ingredients_info", "nutritional_info", "additives_info"})
LONG_FACT_MAX = 1000
FACT_MAX = 250
# The label must carry a real month: packing dates before 1990 are typos, not stock.
EARLIEST_YEAR = 1990
_INDIA_TZ = ZoneInfo("Asia/Kolkata")

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_OF = {name: number for number, name in enumerate(_MONTHS, start=1)} | {
    name[:3]: number for number, name in enumerate(_MONTHS, start=1)
}
_MONTH_OF["sept"] = 9
_NUMERIC_MONTH_YEAR_RE = re.compile(r"(?P<month>[0-9]{1,2})\s*[/.\-]\s*(?P<year>[0-9]{2}|[0-9]{4})")
_YEAR_MONTH_RE = re.compile(r"(?P<year>[0-9]{4})\s*[/.\-]\s*(?P<month>[0-9]{1,2})")
# "15/03/2025" as printed on a label: the day is dropped.
_DAY_MONTH_YEAR_RE = re.compile(
    r"(?P<day>[0-9]{1,2})\s*([/.\-])\s*(?P<month>[0-9]{1,2})\s*\2\s*(?P<year>[0-9]{2}|[0-9]{4})"
)
_NAMED_MONTH_YEAR_RE = re.compile(
    r"(?P<month>[a-z]+)(?:\.?\s*[\s,/.\-']\s*(?P<year>[0-9]{2}|[0-9]{4})|(?P<year4>[0-9]{4}))"
)


def clean_fssai_licence(text: str) -> str:
    """An FSSAI licence number on a label, as its 14 digits; InvalidInput "error.fssai_invalid"."""
    return clean_fssai(text)


def clean_month_year(text: str, *, today: date | None = None) -> str:
    """A month of manufacture or packing as "MM/YYYY"; InvalidInput "error.month_year_invalid".

    Accepted: "03/2025", "3/25", "3-2025", "2025-03", "15/03/2025" (the day is dropped),
    "March 2025", "Mar '25", "sept 2024".
    Refused: any other shape, a month after this one in India (`today`), a year before 1990.
    A two-digit year is this century's unless that is in the future: "95" is 1995.
    """
    today = today or datetime.now(_INDIA_TZ).date()
    compact = ascii_digits(unicodedata.normalize("NFKC", text)).strip().casefold()
    month: int | None = None
    year_text = ""
    if match := _DAY_MONTH_YEAR_RE.fullmatch(compact):
        if not 1 <= int(match["day"]) <= 31:
            raise InvalidInput("error.month_year_invalid")
        month, year_text = int(match["month"]), match["year"]
    elif match := _NUMERIC_MONTH_YEAR_RE.fullmatch(compact) or _YEAR_MONTH_RE.fullmatch(compact):
        month, year_text = int(match["month"]), match["year"]
    elif match := _NAMED_MONTH_YEAR_RE.fullmatch(compact):
        month = _MONTH_OF.get(match["month"])
        year_text = match["year"] or match["year4"]
    if month is None or not 1 <= month <= 12:
        raise InvalidInput("error.month_year_invalid")
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000 if 2000 + year <= today.year else 1900
    if year < EARLIEST_YEAR or (year, month) > (today.year, today.month):
        raise InvalidInput("error.month_year_invalid")
    return f"{month:02d}/{year}"


def _alpha3_codes() -> dict[str, str]:
    """Alpha-2 country code → alpha-3, from CLDR's aliases (Babel ships them; no extra package)."""
    # CLDR keeps withdrawn alpha-3 codes as aliases too; these lose to the current ones.
    withdrawn = {"BUR", "DDR", "FXX", "TMP", "YMD", "ZAR"}
    codes: dict[str, str] = {}
    for alias, targets in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and len(targets) == 1 and alias not in withdrawn:
            codes[targets[0]] = alias
    # ISO's user-assigned ranges (CLDR's "unknown region" ZZZ, the EU's QUU, Kosovo's XKK) are no
    # country a buyer app knows.
    return {
        alpha2: alpha3
        for alpha2, alpha3 in codes.items()
        if not (alpha3.startswith(("AA", "X", "ZZ")) or "QMA" <= alpha3 <= "QZZ")
    }


_ALPHA3 = _alpha3_codes()
_QUALIFIER_RE = re.compile(r"\s*(?:\(.*\)|\bsar\b.*)$")
_COUNTRY_ALIASES = {"usa": "US", "america": "US", "uk": "GB", "britain": "GB", "uae": "AE"}


def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in catalogue_files():  # every language the bot speaks, as Babel names them
        for code, name in Locale.parse(language).territories.items():
            if code in _ALPHA3:
                name = unicodedata.normalize("NFC", name).casefold()
                names[name] = code
                # "Myanmar (Burma)", "Hong Kong SAR China": people type the first words.
                names.setdefault(_QUALIFIER_RE.sub("", name), code)
    for code, alpha3 in _ALPHA3.items():
        names[code.casefold()] = code
        names[alpha3.casefold()] = code
    return names | _COUNTRY_ALIASES


_COUNTRY_BY_NAME = _country_names()


def clean_country(text: str) -> str:
    """A country as its ISO 3166-1 alpha-3 code ("China", "चीन", "CN", "CHN" → "CHN").

    InvalidInput: "error.country_unknown".
    """
    name = " ".join(unicodedata.normalize("NFC", text).casefold().split()).strip(" .")
    code = _COUNTRY_BY_NAME.get(name)
    if code is None:
        raise InvalidInput("error.country_unknown")
    return _ALPHA3[code]


def clean_fact(key: str, text: str) -> str:
    """A typed answer to a text fact of label_facts, cleaned for the gateway.

    Licence numbers: clean_fssai_licence; the packing month: clean_month_year; the country of
    origin: clean_country; other facts: clean_name with FACT_MAX (LONG_FACT_MAX for the
    ingredient, nutrition and additive lists). KeyError for a yes/no or unknown fact.
    """
    if key not in TEXT_FACTS:
        raise KeyError(key)
    if key in LICENCE_FACTS:
        return clean_fssai_licence(text)
    if key == MANUFACTURE_DATE:
        return clean_month_year(text)
    if key == COUNTRY_OF_ORIGIN:
        return clean_country(text)
    return clean_name(text, LONG_FACT_MAX if key in _LONG_FACTS else FACT_MAX)
