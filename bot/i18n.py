"""Languages: loads the PO catalogues in locales/, picks a seller's language, formats numbers,
money and times for it. Every word the bot says passes through here."""

from __future__ import annotations

import gettext
import html
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
SOURCE_LANGUAGE = "en"  # the English catalogue is the source of truth for keys and placeholders
INDIA = ZoneInfo("Asia/Kolkata")
# The picker's order: Census 2011 speakers (English as India's link language after Hindi).
SPEAKERS_ORDER = ("hi", "en", "bn", "mr", "te", "ta", "gu", "ur", "kn", "or", "ml", "pa", "as")


class Html(str):
    """Text that is already valid Telegram HTML and must not be escaped again."""


def catalogue_files(directory: Path = LOCALES_DIR) -> dict[str, Path]:
    """Every language we have: its code (the file's name) and its PO file."""
    return {path.stem: path for path in sorted(directory.glob("*.po"))}


def placeholders(text: str) -> set[str]:
    """The named placeholders of a message, e.g. {"name"} for "Hello {name}"."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass
class Catalogue:
    """One language's messages as read from its PO file."""

    language: str
    messages: dict[str, str]
    plurals: dict[str, tuple[str, ...]] = field(default_factory=dict)
    plural_index: object = None  # callable n -> index, from the catalogue's Plural-Forms

    @classmethod
    def read(cls, path: Path) -> Catalogue:
        with path.open("rb") as fh:
            po = read_po(fh, locale=path.stem)
        messages: dict[str, str] = {}
        plurals: dict[str, tuple[str, ...]] = {}
        for message in po:
            if not message.id:
                continue
            if isinstance(message.id, tuple):
                plurals[message.id[0]] = tuple(message.string)
            else:
                messages[message.id] = message.string
        return cls(path.stem, messages, plurals, gettext.c2py(po.plural_expr))


class Texts:
    """What a handler uses to speak: `texts("key", name=...)` in one seller's language."""

    def __init__(self, catalogue: Catalogue, fallback: Catalogue) -> None:
        self.language = catalogue.language
        self._catalogue = catalogue
        self._fallback = fallback
        self.locale = Locale.parse(f"{catalogue.language}_IN")
        # Indian grouping (12,34,567) everywhere, even where CLDR's pattern for the language
        # groups by thousands (Kannada; Marathi money); native digits where they are the
        # language's default (CLDR: Bengali, Marathi). Babel always writes ASCII digits.
        self._number_format = _indian_grouping(self.locale.decimal_formats[None].pattern)
        self._money_format = _indian_grouping(self.locale.currency_formats["standard"].pattern)
        self._digits = _native_digits(self.locale)

    def __call__(self, key: str, /, **params: object) -> str:
        template = self._catalogue.messages.get(key) or self._fallback.messages.get(key)
        if template is None:
            raise KeyError(f"no text {key!r} in locales/{SOURCE_LANGUAGE}.po")
        return template.format(**self._digits_in(_escaped(params)))

    def label(self, key: str, /, **params: object) -> str:
        """A button label: Telegram shows it as plain text, so values are not HTML-escaped."""
        template = self._catalogue.messages.get(key) or self._fallback.messages.get(key)
        if template is None:
            raise KeyError(f"no text {key!r} in locales/{SOURCE_LANGUAGE}.po")
        return template.format(**self._digits_in(params))

    def plural(self, key: str, n: int, /, **params: object) -> str:
        """A message whose wording depends on the count n (given to the template as {n})."""
        forms = self._catalogue.plurals.get(key)
        index_of = self._catalogue.plural_index
        if not forms or not all(forms):
            forms, index_of = self._fallback.plurals[key], self._fallback.plural_index
        index = index_of(n)  # type: ignore[operator]
        template = forms[min(index, len(forms) - 1)]
        return template.format(n=self.number(n), **self._digits_in(_escaped(params)))

    def _digits_in(self, params: Mapping[str, object]) -> dict[str, object]:
        # A count passed as it is ("page {page}") is written in the language's digits too.
        if not self._digits:
            return dict(params)
        return {
            name: str(value).translate(self._digits) if isinstance(value, int | Decimal) else value
            for name, value in params.items()
        }

    def number(self, value: int | Decimal) -> str:
        """A number with Indian digit grouping, e.g. 1,23,456 (১,২৩,৪৫৬ in Bengali)."""
        return format_decimal(value, self._number_format, locale=self.locale).translate(
            self._digits
        )

    def money(self, amount: Decimal) -> str:
        """Rupees for this locale, e.g. ₹1,23,456.50."""
        text = format_currency(amount, "INR", self._money_format, locale=self.locale)
        return text.translate(self._digits)

    def time(self, moment: datetime) -> str:
        """A moment shown in India's time zone."""
        text = format_datetime(moment, "medium", tzinfo=INDIA, locale=self.locale)
        return text.translate(self._digits)


def _indian_grouping(pattern: str) -> str:
    """A CLDR number pattern with India's lakh/crore grouping (#,##,##0)."""
    return pattern if "#,##,##0" in pattern else pattern.replace("#,##0", "#,##,##0")


# CLDR numbering systems of India's scripts, by the Unicode name of their digits.
_DIGIT_SCRIPTS = {
    "beng": "BENGALI",
    "deva": "DEVANAGARI",
    "gujr": "GUJARATI",
    "guru": "GURMUKHI",
    "knda": "KANNADA",
    "mlym": "MALAYALAM",
    "orya": "ORIYA",
    "tamldec": "TAMIL",
    "telu": "TELUGU",
}


def _native_digits(locale: Locale) -> dict[int, str]:
    """A str.translate table from ASCII digits to the locale's default digits ({} for ASCII)."""
    script = _DIGIT_SCRIPTS.get(locale.default_numbering_system)
    if script is None:
        return {}
    zero = ord(unicodedata.lookup(f"{script} DIGIT ZERO"))
    return {ord("0") + n: chr(zero + n) for n in range(10)}


def _escaped(params: Mapping[str, object]) -> dict[str, object]:
    # Seller-typed values end up inside HTML messages; escaping here, in one place, means no
    # handler can forget it. Html values are trusted fragments built from our own catalogue.
    return {
        name: value if isinstance(value, Html | int | float | Decimal) else html.escape(str(value))
        for name, value in params.items()
    }


class I18n:
    """All catalogues, loaded once at start."""

    def __init__(self, default_language: str = SOURCE_LANGUAGE, directory: Path = LOCALES_DIR):
        self.catalogues = {
            code: Catalogue.read(path) for code, path in catalogue_files(directory).items()
        }
        if SOURCE_LANGUAGE not in self.catalogues:
            raise RuntimeError(f"locales/{SOURCE_LANGUAGE}.po is missing")
        if default_language not in self.catalogues:
            raise ValueError(
                f"SELLERBOT_DEFAULT_LANGUAGE={default_language!r} has no catalogue in locales/ "
                f"(have: {', '.join(self.catalogues)})"
            )
        self.default_language = default_language
        self._texts = {
            code: Texts(catalogue, self.catalogues[SOURCE_LANGUAGE])
            for code, catalogue in self.catalogues.items()
        }

    @property
    def languages(self) -> list[str]:
        return list(self.catalogues)

    def texts(self, language: str | None) -> Texts:
        return self._texts.get(language or "", self._texts[self.default_language])

    def supported(self, language_code: str | None) -> str | None:
        """Our language for a Telegram language_code such as "hi" or "en-US", if we have it."""
        if not language_code:
            return None
        base = language_code.split("-")[0].lower()
        return base if base in self.catalogues else None

    def picker_order(self, telegram_language: str | None) -> list[str]:
        """Languages as the picker offers them: the Telegram app's language first, if we have it,
        then by how many people in India speak them (a new catalogue comes after these)."""
        first = self.supported(telegram_language)
        known = [code for code in SPEAKERS_ORDER if code in self.catalogues]
        rest = known + sorted(set(self.languages) - set(known))
        return ([first] if first else []) + [code for code in rest if code != first]

    @staticmethod
    def native_name(code: str) -> str:
        """A language's name in its own script, e.g. हिन्दी."""
        name = Locale.parse(code).get_display_name(code) or code
        return name[:1].upper() + name[1:]


def keys_with_placeholders(catalogue: Catalogue) -> dict[str, set[str]]:
    """For the completeness test: every key and the placeholders its text uses."""
    result = {key: placeholders(text) for key, text in catalogue.messages.items()}
    for key, forms in catalogue.plurals.items():
        result[key] = set().union(*(placeholders(form) for form in forms)) if forms else set()
    return result
