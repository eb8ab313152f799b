"""India's states and union territories as data, and matching a typed state name to one."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from bot.i18n import Catalogue, catalogue_files


@dataclass(frozen=True)
class State:
    """A state or union territory: a short code for callback data and the name the gateway gets."""

    code: str  # ISO 3166-2:IN without the "IN-" prefix
    name: str  # official English name; Setu's pickup_state and registered_address.state
    hindi: str  # official Hindi name, in Devanagari
    union_territory: bool = False


# The 28 states, then the 8 union territories, each alphabetical: the order of the picker, and of
# the lists on Indian government forms. Codes follow ISO 3166-2:IN as revised in 2023 (CG, OD, TS,
# UK replaced CT, OR, TG, UT), which also made them the vehicle registration codes people know.
STATES: tuple[State, ...] = (
    State("AP", "Andhra Pradesh", "आंध्र प्रदेश"),
    State("AR", "Arunachal Pradesh", "अरुणाचल प्रदेश"),
    State("AS", "Assam", "असम"),
    State("BR", "Bihar", "बिहार"),
    State("CG", "Chhattisgarh", "छत्तीसगढ़"),
    State("GA", "Goa", "गोवा"),
    State("GJ", "Gujarat", "गुजरात"),
    State("HR", "Haryana", "हरियाणा"),
    State("HP", "Himachal Pradesh", "हिमाचल प्रदेश"),
    State("JH", "Jharkhand", "झारखंड"),
    State("KA", "Karnataka", "कर्नाटक"),
    State("KL", "Kerala", "केरल"),
    State("MP", "Madhya Pradesh", "मध्य प्रदेश"),
    State("MH", "Maharashtra", "महाराष्ट्र"),
    State("MN", "Manipur", "मणिपुर"),
    State("ML", "Meghalaya", "मेघालय"),
    State("MZ", "Mizoram", "मिज़ोरम"),
    State("NL", "Nagaland", "नागालैंड"),
    State("OD", "Odisha", "ओडिशा"),
    State("PB", "Punjab", "पंजाब"),
    State("RJ", "Rajasthan", "राजस्थान"),
    State("SK", "Sikkim", "सिक्किम"),
    State("TN", "Tamil Nadu", "तमिलनाडु"),
    State("TS", "Telangana", "तेलंगाना"),
    State("TR", "Tripura", "त्रिपुरा"),
    State("UP", "Uttar Pradesh", "उत्तर प्रदेश"),
    State("UK", "Uttarakhand", "उत्तराखंड"),
    State("WB", "West Bengal", "पश्चिम बंगाल"),
    State("AN", "Andaman and Nicobar Islands", "अंडमान और निकोबार द्वीपसमूह", True),
    State("CH", "Chandigarh", "चंडीगढ़", True),
    State(
        "DH",
        "Dadra and Nagar Haveli and Daman and Diu",
        "दादरा और नगर हवेली और दमन और दीव",
        True,
    ),
    State("DL", "Delhi", "दिल्ली", True),
    State("JK", "Jammu and Kashmir", "जम्मू और कश्मीर", True),
    State("LA", "Ladakh", "लद्दाख", True),
    State("LD", "Lakshadweep", "लक्षद्वीप", True),
    State("PY", "Puducherry", "पुदुचेरी", True),
)

# Other names people still type for a state: former names and codes, the short forms used in
# speech and on signboards, and other Hindi spellings (with or without nukta, ण्ड or ंड). Only
# names of a state itself: a city ("Bombay", "New Delhi") is not a state, and guessing one from a
# city is a lookup this table cannot do right for every city.
_ALIASES: dict[str, tuple[str, ...]] = {
    "AN": ("Andaman and Nicobar", "Andaman", "A&N", "अंडमान निकोबार", "अंडमान"),
    "AR": ("Arunachal", "अरुणाचल"),
    "CG": ("CT", "Chattisgarh", "Chhatisgarh", "छत्तीसगढ"),
    "DH": (
        "Dadra and Nagar Haveli",
        "Daman and Diu",
        "DNH",
        "DNHDD",
        "DD",
        "DN",
        "दादरा नगर हवेली",
        "दमन दीव",
    ),
    "DL": ("NCT of Delhi", "National Capital Territory of Delhi", "NCT"),
    "HP": ("Himachal", "हिमाचल"),
    "JH": ("झारखण्ड",),
    "JK": ("J&K", "Jammu Kashmir", "Jammu", "Kashmir", "कश्मीर"),
    "MZ": ("मिजोरम",),
    "NL": ("नगालैंड",),
    "OD": ("Orissa", "OR", "ओड़िशा", "उड़ीसा", "उडीसा"),
    "PY": ("Pondicherry", "Pondy", "पांडिचेरी", "पुडुचेरी"),
    "TN": ("तमिलनाडू",),
    "TS": ("TG", "तेलंगाणा"),
    "UK": ("Uttaranchal", "UA", "उत्तराखण्ड", "उत्तरांचल"),
    "WB": ("Bengal", "बंगाल"),
}

# difflib's ratio from which a misspelt name ("Maharastra", "Kerela", "Orrisa") still counts, tried
# on common misspellings and on city names (which must match nothing). Two names of different
# states can be closer than this ("Andhra"/"Madhya Pradesh", 0.85): match_state then picks neither.
_CLOSE_ENOUGH = 0.8
# Shorter inputs are codes or abbreviations, where one wrong letter is another state ("MP", "MH").
_FUZZY_MIN_LENGTH = 5

_BY_CODE = {state.code: state for state in STATES}


def _key(text: str) -> str:
    """What is compared: case, spaces, dots, hyphens and "&" versus "and" do not matter."""
    # "और" (and) goes, so "जम्मू कश्मीर" and "जम्मू और कश्मीर" are one name, as people write both.
    text = unicodedata.normalize("NFC", text).casefold().replace("&", "and").replace("और", "")
    # Letters, digits and combining marks (Devanagari vowel signs, nukta) stay; the rest goes.
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LMN")


def _build_index() -> dict[str, State]:
    index: dict[str, State] = {}
    for state in STATES:
        names = (state.code, state.name, state.hindi, *_ALIASES.get(state.code, ()))
        for name in names:
            key = _key(name)
            assert index.get(key, state) is state, f"{name!r} would name two states"
            index[key] = state
    # Each language's name for each state (the picker's buttons, locales/*.po), so a seller can
    # type what the buttons show; a name already taken keeps the state it names (none clash today).
    for language in catalogue_files().values():
        for key, name in Catalogue.read(language).messages.items():
            if key.startswith("state.") and key.removeprefix("state.") in _BY_CODE:
                index.setdefault(_key(name), _BY_CODE[key.removeprefix("state.")])
    return index


_INDEX = _build_index()
# Only full names are candidates for the fuzzy match, never the two-letter codes.
_FUZZY_KEYS = [key for key in _INDEX if len(key) >= _FUZZY_MIN_LENGTH]


def state_by_code(code: str) -> State:
    """The state or union territory with this code; KeyError if there is none."""
    return _BY_CODE[code]


def match_state(text: str) -> State | None:
    """The state or union territory a seller typed (in English, Hindi or any language we have a
    catalogue for), or None if unsure."""
    key = _key(text)
    if not key:
        return None
    exact = _INDEX.get(key)
    if exact is not None or len(key) < _FUZZY_MIN_LENGTH:
        return exact
    close = difflib.get_close_matches(key, _FUZZY_KEYS, n=3, cutoff=_CLOSE_ENOUGH)
    # Two different states about as close as each other: asking again beats a wrong guess.
    states = {_INDEX[candidate] for candidate in close}
    return states.pop() if len(states) == 1 else None
