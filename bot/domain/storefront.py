"""Rules for a storefront's answers: pickup address, serviceability, business hours, categories."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from itertools import pairwise
from typing import Any, NamedTuple

from bot.domain.seller import NAME_MAX, InvalidInput, ascii_digits, clean_name

# The storefront's name, pickup phone and e-mail follow the seller's rules: use
# seller.clean_display_name, seller.clean_phone and seller.clean_email for them.

# ---------------------------------------------------------------------------------------------
# Pickup address

# Long enough for house, street and locality in one line (Setu's pickup_address is one string),
# short enough for a review card and a delivery agent's screen.
ADDRESS_LINE_MAX = 150
# Fewer letters and digits than this is a slip ("1", "ok"), never an address a rider can find.
ADDRESS_LINE_MIN = 4
# The longest Indian town names ("Thiruvananthapuram") have under 20 letters; 50 leaves room for
# "Sri Ganganagar (Rajasthan)"-style additions.
CITY_MAX = 50

# Indian PIN codes: six digits; the first, the postal region (9: Army Postal Service), is never 0.
_PINCODE_RE = re.compile(r"[1-9][0-9]{5}")


def _letters_and_digits(text: str) -> int:
    # Marks count too: a Devanagari vowel sign is as much a part of the word as its letter.
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LMN")


def _require_a_letter(text: str) -> str:
    # A city or a person is never only digits: "400001" here is a PIN code typed one step early.
    if not any(unicodedata.category(ch)[0] == "L" for ch in text):
        raise InvalidInput("error.name_needs_letters")
    return text


def clean_address_line(text: str) -> str:
    """One line of an address, trimmed and single-spaced (newlines too); else InvalidInput."""
    if _letters_and_digits(unicodedata.normalize("NFC", text)) < ADDRESS_LINE_MIN:
        raise InvalidInput("error.address_too_short", min=ADDRESS_LINE_MIN)
    return clean_name(text, ADDRESS_LINE_MAX)


def clean_city(text: str) -> str:
    """A city or town name, trimmed and single-spaced, with a letter; else InvalidInput."""
    return _require_a_letter(clean_name(text, CITY_MAX))


def clean_contact_name(text: str) -> str:
    """The pickup contact's name, trimmed and single-spaced, with a letter; else InvalidInput."""
    return _require_a_letter(clean_name(text, NAME_MAX))


def clean_pincode(text: str) -> str:
    """An Indian PIN code as its 6 ASCII digits ("400 001" and "४००००१" too); else InvalidInput."""
    code = ascii_digits("".join(text.split()))
    if not _PINCODE_RE.fullmatch(code):
        raise InvalidInput("error.pincode_invalid")
    return code


# ---------------------------------------------------------------------------------------------
# Location


# India's extreme points (Indira Point 6.75° N, Siachen 37.1° N, Gujarat 68.1° E, Arunachal
# 97.4° E) with a margin; a point outside is a shared location from somewhere else, or a mistake.
LATITUDE_RANGE = (6.0, 38.0)
LONGITUDE_RANGE = (68.0, 98.0)


def clean_location(latitude: float, longitude: float) -> tuple[str, str]:
    """Setu's (pickup_lat, pickup_long): strings with 6 decimals (about 0.1 m); InvalidInput
    ("error.location_outside_india") unless the point lies within India's bounding box."""
    # Written so that NaN, which compares false with everything, is refused too.
    inside = (
        LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]
        and LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]
    )
    if not inside:
        raise InvalidInput("error.location_outside_india")
    return f"{latitude:.6f}", f"{longitude:.6f}"


# ---------------------------------------------------------------------------------------------
# Serviceability


class ServeBy(StrEnum):
    """How a storefront says where it delivers: Setu takes exactly one of the two."""

    RADIUS = "radius"  # hyperlocal: a distance around the pickup location
    PINCODES = "pincodes"  # intercity: a list of PIN codes


# Radius in whole km. The fulfilment is SELF_SHIP: the seller (or a local rider) delivers, so
# the radius is how far they travel for one order; beyond 50 km that is a trip to another town,
# which a list of PIN codes describes better (ONDC's intercity serviceability).
RADIUS_MIN_KM = 1
RADIUS_MAX_KM = 50
RADIUS_PRESETS: tuple[int, ...] = (2, 5, 10, 20)
# A district has up to ~100 PIN codes; more than that is a state-wide seller, and the list
# still has to fit a review card. Setu states no limit.
PINCODES_MAX = 100
# How many wrong entries an error quotes: enough to fix a list in one go, short enough to read.
_BAD_QUOTED = 3
_BAD_ENTRY_CHARS = 12

_RADIUS_UNIT_RE = re.compile(r"\s*(?:kms?|kilomet(?:er|re)s?|किमी|कि\.?\s*मी|किलोमीटर)\.?\s*$")
# Commas, semicolons, Hindi dandas and line breaks always end an entry; spaces only sometimes,
# since "400 001" is one PIN code written the way the post office prints it.
_PINCODE_LIST_SEPARATORS_RE = re.compile(r"[,;\n।|/]+")


def clean_radius_km(text: str) -> int:
    """A delivery radius typed as whole km ("5", "5 km", "५ किमी"); else InvalidInput."""
    digits = ascii_digits(_RADIUS_UNIT_RE.sub("", text.strip().casefold()))
    if not digits.isascii() or not digits.isdigit():
        raise InvalidInput("error.radius_invalid", min=RADIUS_MIN_KM, max=RADIUS_MAX_KM)
    return _check_radius(int(digits))


def _check_radius(radius: int) -> int:
    if not RADIUS_MIN_KM <= radius <= RADIUS_MAX_KM:
        raise InvalidInput("error.radius_invalid", min=RADIUS_MIN_KM, max=RADIUS_MAX_KM)
    return radius


def _pincode_entries(text: str) -> list[str]:
    entries: list[str] = []
    for piece in _PINCODE_LIST_SEPARATORS_RE.split(text):
        if _PINCODE_RE.fullmatch(ascii_digits("".join(piece.split()))):
            entries.append(piece)
        else:
            entries.extend(_joined_halves(piece.split()))
    return [entry.strip() for entry in entries if entry.strip()]


def _joined_halves(words: list[str]) -> list[str]:
    """Space-separated words with each "400 001" (two 3-digit halves of a code) made one."""
    joined: list[str] = []
    index = 0
    while index < len(words):
        pair = words[index : index + 2]
        halves = [ascii_digits(word) for word in pair]
        two_halves = len(pair) == 2 and all(len(h) == 3 and h.isdigit() for h in halves)
        if two_halves and _PINCODE_RE.fullmatch("".join(halves)):
            joined.append(" ".join(pair))
            index += 2
            continue
        joined.append(words[index])
        index += 1
    return joined


def _quoted(entry: str) -> str:
    return entry if len(entry) <= _BAD_ENTRY_CHARS else entry[: _BAD_ENTRY_CHARS - 1] + "…"


def _check_pincodes(entries: Iterable[str]) -> list[str]:
    codes: list[str] = []
    bad: list[str] = []
    for entry in entries:
        try:
            codes.append(clean_pincode(entry))
        except InvalidInput:
            bad.append(_quoted(entry))
    if bad:
        raise InvalidInput("error.pincodes_invalid", bad=", ".join(bad[:_BAD_QUOTED]))
    # A PIN code listed twice is a copy-paste slip, not an error worth re-asking for.
    unique = list(dict.fromkeys(codes))
    if not unique:
        raise InvalidInput("error.pincodes_empty")
    if len(unique) > PINCODES_MAX:
        raise InvalidInput("error.pincodes_too_many", max=PINCODES_MAX)
    return unique


def parse_pincodes(text: str) -> list[str]:
    """PIN codes typed as a list (commas, spaces or lines between), first occurrence order, no
    duplicates; InvalidInput names the first few wrong entries as `bad`."""
    return _check_pincodes(_pincode_entries(text))


def check_serviceability(
    radius: int | None, pincodes: Sequence[str] | None, *, has_location: bool
) -> dict[str, Any]:
    """Setu's serviceability object ({"radius": 5} or {"pincodes": [400001, ...]}) from the
    seller's choice; InvalidInput unless exactly one is given and a radius has a location."""
    if radius is not None and pincodes:
        raise InvalidInput("error.serviceability_both")
    if radius is not None:
        # Setu measures the radius from pickup_lat/pickup_long; without them it means nothing.
        if not has_location:
            raise InvalidInput("error.radius_needs_location")
        return {"radius": _check_radius(radius)}
    if pincodes:
        return {"pincodes": [int(code) for code in _check_pincodes(pincodes)]}
    raise InvalidInput("error.serviceability_missing")


# ---------------------------------------------------------------------------------------------
# Categories


def check_storefront_categories(
    chosen: Iterable[str], seller_categories: Sequence[str]
) -> list[str]:
    """The chosen categories (gateway values) in the seller's order; InvalidInput if none is
    chosen or one is not the seller's (Setu: a storefront's are a subset of its seller's)."""
    picked = set(chosen)
    if not picked:
        raise InvalidInput("error.pick_a_category")
    if not picked <= set(seller_categories):
        raise InvalidInput("error.category_not_yours")
    return [category for category in dict.fromkeys(seller_categories) if category in picked]


# ---------------------------------------------------------------------------------------------
# Business hours


class Day(StrEnum):
    """A weekday; the values are Setu's business_hours keys, in Setu's (and ONDC's) order."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"


@dataclass(frozen=True, order=True)
class Slot:
    """One opening period of a day in the store's local time; sorts by opening."""

    opening: time
    closing: time


# Closed days are empty lists. A week from check_week has all seven days.
Week = dict[Day, list[Slot]]


class DayRun(NamedTuple):
    """Consecutive days with the same slots, for a compact card: Mon–Sat 10–20, Sun closed."""

    first: Day
    last: Day
    slots: tuple[Slot, ...]  # empty: closed


# Setu wants opening strictly before closing and times of day, so a slot cannot close at 24:00.
# A day open until midnight, and "24 hours", therefore close at 23:59:59: the last second of the
# day, as ONDC's own timings end at 2359. A card shows END_OF_DAY as midnight.
END_OF_DAY = time(23, 59, 59)
# Shops keep two or three slots (a lunch break, an afternoon nap); six leaves room, more is a slip.
MAX_SLOTS_PER_DAY = 6

_DAY_SECONDS = 24 * 3600
_HALF_DAY = 12 * 3600


def _week(slots_by_day: Mapping[Day, Sequence[Slot]]) -> Week:
    return {day: list(slots_by_day.get(day, ())) for day in Day}


_ALL_DAY = Slot(time(0, 0), END_OF_DAY)

# Preset keys are short and stable: callback data carries them.
HOURS_PRESETS: dict[str, Week] = {
    "9-21-daily": _week({day: [Slot(time(9, 0), time(21, 0))] for day in Day}),
    "10-20-no-sunday": _week(
        {day: [Slot(time(10, 0), time(20, 0))] for day in Day if day is not Day.SUNDAY}
    ),
    "24h": _week({day: [_ALL_DAY] for day in Day}),
}


def preset_week(key: str) -> Week:
    """A fresh copy of a preset week (the seller may edit a day of it); KeyError if unknown."""
    return _week(HOURS_PRESETS[key])


def preset_of(week: Mapping[Day, Sequence[Slot]]) -> str | None:
    """The key of the preset this week equals, or None for custom hours."""
    own = _week(week)
    return next((key for key, preset in HOURS_PRESETS.items() if preset == own), None)


def _clock(moment: time) -> str:
    # Error placeholders show times as HH:MM, which reads the same in every language we have.
    return moment.strftime("%H:%M")


def check_slots(slots: Iterable[Slot]) -> list[Slot]:
    """One day's slots sorted by opening; InvalidInput if a slot closes before it opens, slots
    overlap (touching is fine: 9-13 and 13-17), or there are more than MAX_SLOTS_PER_DAY."""
    ordered = sorted(slots)
    for slot in ordered:
        if slot.closing <= slot.opening:
            raise InvalidInput(
                "error.slot_closing_before_opening",
                opening=_clock(slot.opening),
                closing=_clock(slot.closing),
            )
    if len(ordered) > MAX_SLOTS_PER_DAY:
        raise InvalidInput("error.slots_too_many", max=MAX_SLOTS_PER_DAY)
    for earlier, later in pairwise(ordered):
        if later.opening < earlier.closing:
            raise InvalidInput(
                "error.slots_overlap",
                first=f"{_clock(earlier.opening)}-{_clock(earlier.closing)}",
                second=f"{_clock(later.opening)}-{_clock(later.closing)}",
            )
    return ordered


def check_week(week: Mapping[Day, Sequence[Slot]]) -> Week:
    """All seven days with checked, sorted slots (a missing day is closed); InvalidInput if a day
    breaks check_slots or the store would be closed every day."""
    checked = {day: check_slots(week.get(day, ())) for day in Day}
    if not any(checked.values()):
        raise InvalidInput("error.hours_all_closed")
    return checked


def week_to_gateway(week: Mapping[Day, Sequence[Slot]]) -> dict[str, list[dict[str, str]]]:
    """Setu's business_hours: every day present, slots as "HH:MM:SS", a closed day as [].

    [S] types each day as an array and [G] sends null for a closed day; [] is valid for both
    (setu-ondc.md §6, §10) and keeps the shape the same for every day.
    """
    return {
        day.value: [
            {
                "opening": slot.opening.strftime("%H:%M:%S"),
                "closing": slot.closing.strftime("%H:%M:%S"),
            }
            for slot in sorted(week.get(day, ()))
        ]
        for day in Day
    }


def _as_time(value: time | str) -> time:
    return value if isinstance(value, time) else time.fromisoformat(value)


def week_from_gateway(hours: Mapping[str, Any]) -> Week:
    """The week a gateway's business_hours holds (model_dump() or JSON); null or [] is closed.

    Not checked: stored hours are shown as they are, and check_week runs when they are edited.
    """
    return {
        day: sorted(
            Slot(_as_time(slot["opening"]), _as_time(slot["closing"]))
            for slot in hours.get(day.value) or ()
        )
        for day in Day
    }


def describe_week(week: Mapping[Day, Sequence[Slot]]) -> list[DayRun]:
    """The week as runs of consecutive days with the same slots, Monday first, for the UI."""
    runs: list[DayRun] = []
    for day in Day:
        slots = tuple(sorted(week.get(day, ())))
        if runs and runs[-1].slots == slots:
            runs[-1] = runs[-1]._replace(last=day)
        else:
            runs.append(DayRun(day, day, slots))
    return runs


# --- Reading one day's hours as a shopkeeper types them -----------------------------------------
#
# Accepted: "9-1, 5-9pm", "09:00-13:00 17:00-21:00", "9am to 9pm", "10:30-22", "10.30 - 8.30 pm",
# "0900-2100", "सुबह 9 से रात 9 बजे तक", "subah 10 se sham 7", "closed", "24 hours".
# Rules, in the order they apply:
# 1. A time without am/pm is read as 24-hour ("9" is 09:00, "21" is 21:00, "24" is midnight).
# 2. am/pm follows the time; Hindi/Hinglish words precede it: सुबह/सवेरे (morning, am),
#    दोपहर/शाम (afternoon/evening, pm), रात (night: pm for 6-11, am for 12 and 1-5).
# 3. A start without am/pm takes its end's half of the day when that keeps start before end:
#    "5-9pm" is 17:00-21:00, "9-5pm" stays 09:00-17:00.
# 4. An end without am/pm that is not after its start is PM, when both are 12-hour clock values
#    (or the start has am/pm): "9-1" is 09:00-13:00, "9-9" is 09:00-21:00, "6pm-12" closes at
#    midnight; "13:00-12:00" is refused, since "13:00" shows a 24-hour clock.
# 5. A slot with no am/pm at all that starts before the previous typed slot closes is moved
#    12 hours later if it fits the day: shopkeepers type slots in the order of the day, so
#    "9-1, 5-9" is 09:00-13:00 and 17:00-21:00.
# 6. Midnight as a closing time ("12 am", "0:00", "24:00", "midnight") ends the day (END_OF_DAY).
# What is left ambiguous (a single "5-9" is 05:00-09:00) shows on the review card to correct.

_DAY_CLOSED_WORDS = frozenset(
    {"closed", "close", "off", "holiday", "band", "bandh", "बंद", "छुट्टी", "chutti", "chhutti"}
)
_ALL_DAY_RE = re.compile(
    r"(?:24\s*(?:x|/|\*)\s*7|24\s*(?:h|hrs?|hours?|घंटे|ghante)|(?:all|full|whole)\s*day"
    r"|पूरा\s*दिन|पूरे\s*दिन|दिन\s*भर|open\s*24\s*(?:h|hrs?|hours?))"
)

_AM, _PM, _NIGHT = "am", "pm", "night"
_SUFFIX_WORDS = {
    "am": _AM,
    "pm": _PM,
    "morning": _AM,
    "evening": _PM,
    "night": _NIGHT,
    "noon": _PM,
    "midnight": _AM,
}
# Alone, without a number before them, these two words are times themselves.
_TIME_WORDS = {"noon": (12, _PM), "midnight": (12, _AM)}
_PREFIX_WORDS = {
    "सुबह": _AM,
    "सवेरे": _AM,
    "प्रातः": _AM,
    "subah": _AM,
    "subha": _AM,
    "दोपहर": _PM,
    "dopahar": _PM,
    "dopehar": _PM,
    "शाम": _PM,
    "sham": _PM,
    "shaam": _PM,
    "रात": _NIGHT,
    "रात्रि": _NIGHT,
    "raat": _NIGHT,
    "rat": _NIGHT,
}
_RANGE_WORDS = frozenset({"to", "till", "until", "upto", "se", "से"})
_SLOT_WORDS = frozenset({"and", "aur", "और", "also", "then"})
# "from 9 to 9", "9 बजे से 9 बजे तक", "0900 hrs": words that carry no time of their own.
_FILLER_WORDS = frozenset({"from", "बजे", "baje", "बजा", "तक", "tak", "hrs", "hr", "h", "के", "ke"})

_TOKEN_RE = re.compile(
    # Dots outside a time ("9 - 5.") are punctuation, as are spaces.
    r"(?P<space>[\s.]+)"
    r"|(?P<clock>(?<!\d)\d{1,2}[:.]\d{2}(?::\d{2})?(?!\d))"
    r"|(?P<compact>(?<!\d)\d{3,4}(?!\d))"
    r"|(?P<hour>(?<!\d)\d{1,2}(?!\d))"
    r"|(?P<range>[-–—~]+)"
    r"|(?P<slot>[,;/|&।]+)"
    r"|(?P<word>[a-z\u0900-\u0963\u0970-\u097f]+)"
)
# "a.m."/"p.m." become "am"/"pm" before tokens are cut; "9a.m." has no word boundary before "a".
_DOTTED_MERIDIEM_RE = re.compile(r"(?<![a-z])([ap])\.\s*m\b\.?")


@dataclass(frozen=True)
class _Point:
    """A time as typed: the numbers and the half of the day, if one was said."""

    hour: int
    minute: int
    second: int
    meridiem: str | None


def _unreadable() -> InvalidInput:
    return InvalidInput("error.hours_unreadable")


def _tokens(text: str) -> list[tuple[str, str]]:
    text = unicodedata.normalize("NFC", ascii_digits(text)).casefold()
    text = _DOTTED_MERIDIEM_RE.sub(r"\1m", text)
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match is None or match.lastgroup is None:
            raise _unreadable()
        kind, value = match.lastgroup, match.group()
        position = match.end()
        if kind == "space":
            continue
        if kind == "word":
            if value in _FILLER_WORDS:
                continue
            if value in _RANGE_WORDS:
                kind = "range"
            elif value in _SLOT_WORDS:
                kind = "slot"
            elif value in _SUFFIX_WORDS:
                kind = "suffix"
            elif value in _PREFIX_WORDS:
                kind = "prefix"
            else:
                raise _unreadable()
        tokens.append((kind, value))
    return tokens


def _number(kind: str, value: str) -> tuple[int, int, int]:
    if kind == "compact":
        return int(value[:-2]), int(value[-2:]), 0
    if kind == "hour":
        return int(value), 0, 0
    hour, minute, *second = re.split(r"[:.]", value)
    return int(hour), int(minute), int(second[0]) if second else 0


class _Reader:
    """Walks the tokens of one day: [prefix] time [suffix] range [prefix] time [suffix] ..."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def point(self) -> _Point:
        prefix = _PREFIX_WORDS[self.take()[1]] if self.peek() == "prefix" else None
        if self.peek() == "suffix":
            # "noon" or "midnight" where a number was expected.
            word = self.take()[1]
            if word not in _TIME_WORDS or prefix is not None:
                raise _unreadable()
            hour, meridiem = _TIME_WORDS[word]
            return _Point(hour, 0, 0, meridiem)
        if self.peek() not in ("clock", "compact", "hour"):
            raise _unreadable()
        hour, minute, second = _number(*self.take())
        suffix = _SUFFIX_WORDS[self.take()[1]] if self.peek() == "suffix" else None
        if prefix is not None and suffix is not None and prefix != suffix:
            raise _unreadable()
        if minute > 59 or second > 59:
            raise _unreadable()
        return _Point(hour, minute, second, suffix or prefix)

    def ranges(self) -> list[tuple[_Point, _Point]]:
        found: list[tuple[_Point, _Point]] = []
        while self.peek() is not None:
            if self.peek() == "slot":
                self.take()
                continue
            start = self.point()
            if self.peek() != "range":
                raise _unreadable()
            self.take()
            found.append((start, self.point()))
        return found


def _seconds(point: _Point, meridiem: str | None, *, closing: bool) -> int | None:
    """Seconds since midnight, or None if the numbers are no time of day."""
    hour = point.hour
    if meridiem is None:
        if hour > 24 or (hour == 24 and (point.minute or point.second)):
            return None
    else:
        if not 1 <= hour <= 12:
            return None
        if meridiem == _NIGHT:
            meridiem = _PM if 6 <= hour <= 11 else _AM
        hour = hour % 12 + (12 if meridiem == _PM else 0)
    seconds = hour * 3600 + point.minute * 60 + point.second
    if closing and seconds == 0:
        return _DAY_SECONDS
    if not closing and seconds >= _DAY_SECONDS:
        return None
    return seconds


def _twelve_hour(point: _Point) -> bool:
    return 1 <= point.hour <= 12


def _resolve(start: _Point, end: _Point) -> tuple[int, int]:
    """One typed range as seconds since midnight (rules 1-4, 6 above)."""
    closing = _seconds(end, end.meridiem, closing=True)
    opening = _seconds(start, start.meridiem, closing=False)
    if closing is None or opening is None:
        raise _unreadable()
    if start.meridiem is None and end.meridiem is not None and _twelve_hour(start):
        half = _PM if closing > _HALF_DAY else _AM
        inherited = _seconds(start, half, closing=False)
        if inherited is not None and inherited < closing:
            opening = inherited
    # A start written the 24-hour way ("13:00") says the end is written that way too.
    start_in_twelve_hours = start.meridiem is not None or _twelve_hour(start)
    if end.meridiem is None and closing <= opening and _twelve_hour(end) and start_in_twelve_hours:
        afternoon = min(closing + _HALF_DAY, _DAY_SECONDS)
        # "21-9" stays as typed, so the error quotes what the seller wrote.
        if afternoon > opening:
            closing = afternoon
    return opening, closing


def _time_of(seconds: int) -> time:
    if seconds >= _DAY_SECONDS:
        return END_OF_DAY
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60)


def parse_slots(text: str) -> list[Slot]:
    """One day's opening hours as typed (see the rules above), sorted; [] for a closed day.

    InvalidInput: "error.hours_unreadable", or what check_slots refuses.
    """
    compact = text.strip().casefold()
    if compact.strip(".!") in _DAY_CLOSED_WORDS:
        return []
    if _ALL_DAY_RE.fullmatch(compact):
        return [_ALL_DAY]
    ranges = _Reader(_tokens(text)).ranges()
    if not ranges:
        raise _unreadable()
    slots: list[Slot] = []
    previous_closing: int | None = None
    for start, end in ranges:
        opening, closing = _resolve(start, end)
        bare = start.meridiem is None and end.meridiem is None
        if (
            bare
            and previous_closing is not None
            and opening < previous_closing
            and _twelve_hour(start)
            and closing + _HALF_DAY <= _DAY_SECONDS
        ):
            # Rule 5: a later slot typed without am/pm is in the afternoon or evening.
            opening, closing = opening + _HALF_DAY, closing + _HALF_DAY
        slots.append(Slot(_time_of(opening), _time_of(closing)))
        previous_closing = closing
    return check_slots(slots)
