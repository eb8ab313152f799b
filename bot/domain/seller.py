"""Validation and normalisation of a seller's registration answers (names, GSTIN, PAN, bank...)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from stdnum.exceptions import ValidationError
from stdnum.in_ import gstin as stdnum_gstin
from stdnum.in_ import pan as stdnum_pan

from bot.domain.categories import FSSAI_CATEGORIES


class InvalidInput(ValueError):
    """A seller's answer that breaks a rule; `reason` is a locale key, `params` its placeholders."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason: str = reason
        self.params: dict[str, object] = params

    def __repr__(self) -> str:
        return f"InvalidInput({self.reason!r}, **{self.params!r})"


# Long enough for any real shop or registered company name, short enough to fit a review card
# and ONDC descriptors without truncation.
NAME_MAX = 100
LEGAL_NAME_MAX = 150

# Setu spec (SellerInputDTO.gst_number). The gateway enforces it, and stdnum is not guaranteed to be
# as strict about the registration-type characters, so both checks run.
_SETU_GSTIN_RE = re.compile(r"[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]")
# Setu spec (BankAccountDTO.ifsc_code); python-stdnum has no IFSC module.
_SETU_IFSC_RE = re.compile(r"[A-Z]{4}0[A-Z0-9]{6}")
_FSSAI_RE = re.compile(r"[0-9]{14}")
_ACCOUNT_RE = re.compile(r"[0-9]{9,18}")
# An Indian mobile number: 10 digits, the first of them 6-9 (TRAI numbering plan).
_INDIAN_MOBILE_RE = re.compile(r"[6-9][0-9]{9}")
# What people type between groups of digits or letters in ids and numbers. Dots are not among them:
# "1002004200718.5" is a mistake to show the seller, not a 14-digit number.
_SEPARATORS_RE = re.compile(r"[\s\-]+")
# Phone numbers are also written "(+91) 98123-45678".
_PHONE_SEPARATORS_RE = re.compile(r"[\s\-()]+")

# ZWJ and ZWNJ are format characters, but Indic scripts need them to pick conjunct and half forms,
# so they survive the clean-up; every other invisible format character (bidi overrides,
# zero-width spaces, soft hyphens) is a way to spoof or pad a name and is dropped.
_KEPT_FORMAT_CHARS = frozenset({"\u200c", "\u200d"})


def ascii_digits(text: str) -> str:
    """Replace any Unicode decimal digit (Devanagari, Tamil, full-width...) with its ASCII digit."""
    # Sellers typing on an Indic keyboard send "९८१२..." for their phone or account number.
    return "".join(
        str(unicodedata.digit(ch)) if unicodedata.category(ch) == "Nd" else ch for ch in text
    )


def _compact(text: str) -> str:
    """Upper-cased id without the spaces and hyphens people add to read it."""
    return _SEPARATORS_RE.sub("", text).upper()


def _is_visible(ch: str) -> bool:
    category = unicodedata.category(ch)
    if category == "Cf":
        return ch in _KEPT_FORMAT_CHARS
    # Cc control, Cs surrogate, Co private use, Cn unassigned: nothing a name should contain.
    return not category.startswith("C")


def clean_name(text: str, maximum: int) -> str:
    """A name-like answer, trimmed and single-spaced, at most `maximum` long; else InvalidInput."""
    # NFC so the same name typed on two keyboards is stored (and compared) the same way.
    text = unicodedata.normalize("NFC", text)
    # Splitting first turns tabs and newlines (control characters) into single spaces.
    words = ("".join(ch for ch in word if _is_visible(ch)) for word in text.split())
    name = " ".join(word for word in words if word)
    if not name:
        raise InvalidInput("error.name_empty")
    if len(name) > maximum:
        raise InvalidInput("error.name_too_long", max=maximum)
    # Marks (M*) never count alone: Indic vowel signs always ride on a letter, which counts.
    if not any(unicodedata.category(ch)[0] in "LN" for ch in name):
        raise InvalidInput("error.name_no_letters")
    return name


def clean_display_name(text: str) -> str:
    """The shop name buyers see, trimmed and single-spaced; InvalidInput if it is unusable."""
    return clean_name(text, NAME_MAX)


def clean_legal_name(text: str) -> str:
    """The legal entity name as registered, trimmed and single-spaced; InvalidInput if unusable."""
    return clean_name(text, LEGAL_NAME_MAX)


def clean_gstin(text: str) -> str:
    """A GSTIN, compact and upper-case; InvalidInput unless its checksum and Setu's pattern hold."""
    number = _compact(text)
    try:
        number = stdnum_gstin.validate(number)
    except ValidationError:
        raise InvalidInput("error.gstin_invalid") from None
    if not _SETU_GSTIN_RE.fullmatch(number):
        raise InvalidInput("error.gstin_invalid")
    return number


def clean_pan(text: str, gstin: str | None) -> str:
    """A PAN in upper case; InvalidInput if malformed or if it is not the PAN inside `gstin`."""
    number = _compact(text)
    try:
        number = stdnum_pan.validate(number)
    except ValidationError:
        raise InvalidInput("error.pan_invalid") from None
    if gstin is not None:
        # Characters 3-12 of a GSTIN are the holder's PAN; Setu verifies both against one entity.
        expected = _compact(gstin)[2:12]
        if number != expected:
            raise InvalidInput("error.pan_mismatch", expected=expected)
    return number


def clean_fssai(text: str) -> str:
    """An FSSAI licence number as its 14 digits; InvalidInput otherwise."""
    number = ascii_digits(_SEPARATORS_RE.sub("", text))
    if not _FSSAI_RE.fullmatch(number):
        raise InvalidInput("error.fssai_invalid")
    return number


def clean_account_number(text: str) -> str:
    """An Indian bank account number as 9-18 digits, leading zeros kept; InvalidInput otherwise."""
    number = ascii_digits(_SEPARATORS_RE.sub("", text))
    # All zeros passes the length rule but is always a placeholder, never an account.
    if not _ACCOUNT_RE.fullmatch(number) or not number.strip("0"):
        raise InvalidInput("error.account_invalid")
    return number


def clean_ifsc(text: str) -> str:
    """An IFSC in upper case; InvalidInput unless it matches the Setu spec's pattern."""
    code = _compact(text)
    if not _SETU_IFSC_RE.fullmatch(code):
        raise InvalidInput("error.ifsc_invalid")
    return code


def clean_email(text: str) -> str:
    """An e-mail address, normalised (domain lower-cased); InvalidInput if its syntax is wrong."""
    try:
        # No DNS lookup: domain rules stay pure, and a seller's mail server being down is no reason
        # to block registration.
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidInput("error.email_invalid") from None


def clean_phone(phone_number: str) -> str:
    """An Indian mobile number as "+91" and 10 digits; InvalidInput for any other number."""
    # Telegram contacts arrive as "919812345678" or "+919812345678"; typed ones add spaces,
    # a trunk "0" or the "00" international prefix.
    number = ascii_digits(_PHONE_SEPARATORS_RE.sub("", phone_number))
    if number.startswith("+"):
        national = number.removeprefix("+91") if number.startswith("+91") else ""
    elif number.startswith("0091") and len(number) == 14:
        national = number[4:]
    elif number.startswith("91") and len(number) == 12:
        national = number[2:]
    elif number.startswith("0") and len(number) == 11:
        national = number[1:]
    else:
        national = number
    if not _INDIAN_MOBILE_RE.fullmatch(national):
        raise InvalidInput("error.phone_not_indian")
    return f"+91{national}"


def needs_fssai(categories: Iterable[str]) -> bool:
    """Whether Setu requires an FSSAI number for a seller in these categories (gateway values)."""
    return not FSSAI_CATEGORIES.isdisjoint(categories)
