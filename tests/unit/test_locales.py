"""Every language has every English key, with the same placeholders and valid Telegram HTML
(and fits Telegram's limits: test_message_limits.py)."""

from __future__ import annotations

import re

import pytest

from bot.i18n import SOURCE_LANGUAGE, Catalogue, I18n, catalogue_files, keys_with_placeholders

CATALOGUES = {code: Catalogue.read(path) for code, path in catalogue_files().items()}
SOURCE = keys_with_placeholders(CATALOGUES[SOURCE_LANGUAGE])
OTHERS = [code for code in CATALOGUES if code != SOURCE_LANGUAGE]
TAG = re.compile(r"</?([a-z-]+)[^>]*>")


def test_english_and_hindi_are_present() -> None:
    assert {"en", "hi"} <= set(CATALOGUES)


@pytest.mark.parametrize("code", OTHERS)
def test_same_keys_as_english(code: str) -> None:
    keys = keys_with_placeholders(CATALOGUES[code])
    assert set(SOURCE) - set(keys) == set(), f"{code} lacks keys"
    assert set(keys) - set(SOURCE) == set(), f"{code} has keys English does not"


@pytest.mark.parametrize("code", OTHERS)
def test_same_placeholders_as_english(code: str) -> None:
    keys = keys_with_placeholders(CATALOGUES[code])
    wrong = {key: (SOURCE[key], keys[key]) for key in SOURCE if keys.get(key) != SOURCE[key]}
    assert wrong == {}


@pytest.mark.parametrize("code", list(CATALOGUES))
def test_no_empty_texts_and_balanced_html(code: str) -> None:
    catalogue = CATALOGUES[code]
    texts = list(catalogue.messages.items()) + [
        (key, form) for key, forms in catalogue.plurals.items() for form in forms
    ]
    for key, text in texts:
        assert text.strip(), f"{code}: {key} is empty"
        stripped = TAG.sub("", text)
        assert "<" not in stripped and "&" not in stripped.replace("&amp;", ""), (
            f"{code}: {key} has a bare < or & (the bot sends HTML)"
        )
        opened = [m.group(1) for m in TAG.finditer(text) if not m.group(0).startswith("</")]
        closed = [m.group(1) for m in TAG.finditer(text) if m.group(0).startswith("</")]
        assert sorted(opened) == sorted(closed), f"{code}: {key} has unbalanced tags"


def test_user_values_are_escaped_but_catalogue_html_is_kept() -> None:
    texts = I18n().texts("en")
    assert texts("card.line", label="Shop", value="A & B <Stores>") == (
        "Shop: <b>A &amp; B &lt;Stores&gt;</b>"
    )


def test_plural_forms_follow_the_count() -> None:
    texts = I18n().texts("en")
    assert "1 answer;" in texts.plural("onboarding.cancelled", 1)
    assert "5 answers;" in texts.plural("onboarding.cancelled", 5)


def test_eight_languages_each_in_its_own_script() -> None:
    i18n = I18n()
    assert set(i18n.languages) == {"en", "hi", "bn", "mr", "ta", "te", "kn", "gu"}
    names = {code: i18n.native_name(code) for code in i18n.languages}
    assert names == {
        "en": "English",
        "hi": "हिन्दी",
        "bn": "বাংলা",
        "mr": "मराठी",
        "ta": "தமிழ்",
        "te": "తెలుగు",
        "kn": "ಕನ್ನಡ",
        "gu": "ગુજરાતી",
    }


@pytest.mark.parametrize("code", list(CATALOGUES))
def test_plural_entries_have_the_forms_the_language_has(code: str) -> None:
    from babel.messages.pofile import read_po

    with catalogue_files()[code].open("rb") as fh:
        expected = read_po(fh, locale=code).num_plurals
    catalogue = CATALOGUES[code]
    assert catalogue.plurals, "the catalogue has plural entries"
    assert {key: len(forms) for key, forms in catalogue.plurals.items()} == dict.fromkeys(
        catalogue.plurals, expected
    )


@pytest.mark.parametrize(
    ("code", "number", "money"),
    [
        ("en", "12,34,567", "₹1,23,456.50"),
        ("hi", "12,34,567", "₹1,23,456.50"),
        ("ta", "12,34,567", "₹1,23,456.50"),
        ("te", "12,34,567", "₹1,23,456.50"),
        ("gu", "12,34,567", "₹1,23,456.50"),
        # CLDR groups Kannada numbers (and Marathi money) by thousands: Indian grouping here.
        ("kn", "12,34,567", "₹1,23,456.50"),
        # Bengali and Marathi write their own digits by default (CLDR).
        ("bn", "১২,৩৪,৫৬৭", "₹১,২৩,৪৫৬.৫০"),
        ("mr", "१२,३४,५६७", "₹१,२३,४५६.५०"),
    ],
)
def test_money_and_numbers_use_indian_grouping(code: str, number: str, money: str) -> None:
    from decimal import Decimal

    texts = I18n().texts(code)
    assert texts.number(1234567) == number
    assert texts.money(Decimal("123456.5")) == money


def test_times_are_shown_in_india() -> None:
    from datetime import UTC, datetime

    texts = I18n().texts("en")
    assert "5:30:00" in texts.time(datetime(2026, 1, 1, 0, 0, tzinfo=UTC))


def test_language_choice() -> None:
    i18n = I18n()
    assert i18n.supported("hi") == "hi"
    assert i18n.supported("en-US") == "en"
    assert i18n.supported("fr") is None
    assert i18n.picker_order("hi")[0] == "hi"
    # The app's language first, then by speakers in India.
    assert i18n.picker_order("ta") == ["ta", "hi", "en", "bn", "mr", "te", "gu", "kn"]
    assert i18n.picker_order("fr") == ["hi", "en", "bn", "mr", "te", "ta", "gu", "kn"]
    assert i18n.native_name("hi") == "हिन्दी"


def test_unknown_default_language_is_refused() -> None:
    with pytest.raises(ValueError, match="SELLERBOT_DEFAULT_LANGUAGE"):
        I18n("xx")
