"""Every message the bot builds fits Telegram's limits in every language: texts <= 4096
characters, captions <= 1024, button labels short enough to read on a phone (30 characters),
each filled with the longest values the bot lets through."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import bot
import conversations
from bot.cards import order_text
from bot.domain import orders, product_form
from bot.domain.product import LOW_STOCK_CHOICES, STOCK_MAX
from bot.gateways.base import OrderChange
from bot.i18n import I18n, Texts, placeholders
from bot.storage.models import Product
from bot.ui import MAX_CALLBACK_BYTES, MAX_MESSAGE_CHARS
from conversations import catalogue, product
from tests.contract import samples

I18N = I18n()
LANGUAGES = I18N.languages
CAPTION_MAX = 1024
LABEL_MAX = 30
LONGEST_VALUE = 300  # names are at most 150 characters, addresses are cut at 300

# Keys whose text is a button label, alone or with a value filled in.
LABEL_PREFIXES = (
    "button.",
    "menu.profile",
    "menu.language",
    "menu.help",
    "menu.new_storefront",
    "menu.storefronts",
    "hours.preset.",
    "state.",
    "category.",
    "incorporation.",
    "order.action.",
    "order.reason.",
    "order.confirm.",
    "unit.",
    "pd_field.",
    "sf_field.",
    "field.",
)


def texts_of(code: str) -> Texts:
    return I18N.texts(code)


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_text_fits_a_message_with_the_longest_values(code: str) -> None:
    catalogue_ = I18N.catalogues[code]
    texts = texts_of(code)
    long = "Ш" * LONGEST_VALUE
    too_long = {}
    for key, template in catalogue_.messages.items():
        text = texts(key, **dict.fromkeys(placeholders(template), long))
        if len(text) > MAX_MESSAGE_CHARS:
            too_long[key] = len(text)
    for key in catalogue_.plurals:
        forms = catalogue_.plurals[key]
        names = set().union(*(placeholders(form) for form in forms)) - {"n"}
        text = texts.plural(key, 10**6, **dict.fromkeys(names, long))
        if len(text) > MAX_MESSAGE_CHARS:
            too_long[key] = len(text)
    assert too_long == {}


@pytest.mark.parametrize("code", LANGUAGES)
def test_button_labels_fit_a_phone(code: str) -> None:
    texts = texts_of(code)
    messages = I18N.catalogues[code].messages
    long = {
        key: texts.label(key)
        for key, template in messages.items()
        if key.startswith(LABEL_PREFIXES) and not placeholders(template)
        if len(texts.label(key)) > LABEL_MAX
    }
    # Labels with a value: an Edit button names the longest field label.
    fields = [key for key in messages if key.startswith(("pd_field.", "sf_field.", "field."))]
    for field in fields:
        label = texts.label("button.edit", label=texts.label(field))
        if len(label) > LABEL_MAX:
            long[f"button.edit+{field}"] = label
    for code_ in (c for c in I18N.languages):
        if len(I18N.native_name(code_)) > LABEL_MAX:
            long[f"language {code_}"] = I18N.native_name(code_)
    assert long == {}


def worst_order(items: int) -> dict:
    """An order with `items` lines, each the longest name, and a long address."""
    lines = [
        {
            "store_front_product_id": str(uuid.uuid4()),
            "quantity": 10_000,
            "unit_price": "99999999.99",
            "total_value": "99999999.99",
        }
        for _ in range(items)
    ]
    order = samples.order_input(lines[0]["store_front_product_id"]).model_dump(mode="json")
    order["order_items"] = lines
    order["total_value"] = "99999999.99"
    order["buyer_details"]["delivery_address"]["address"] = "Ш" * 2000
    change = {
        "setu_storefront_id": 1,
        "order": {**order, "order_id": str(uuid.uuid4())},
        "placed_at": datetime(2026, 11, 23, tzinfo=UTC).isoformat(),
        "changed_at": datetime(2026, 11, 23, tzinfo=UTC).isoformat(),
        "cash_on_delivery": True,
    }
    return OrderChange.model_validate(change).model_dump(mode="json")


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("items", [1, 40, 500])
def test_an_order_alert_fits_one_message_and_keeps_its_stage(code: str, items: int) -> None:
    texts = texts_of(code)
    details = worst_order(items)
    names = {line["store_front_product_id"]: "Ш" * 100 for line in details["order"]["order_items"]}
    for state in ("Created", "Out-for-delivery", "Cancelled"):
        text = order_text(details, "Ш" * 100, names, texts, state)
        assert len(text) <= MAX_MESSAGE_CHARS
        stage = texts(orders.stage_key(orders.stage_of(state)))
        assert text.endswith(texts("order.card.stage", stage=stage))
        assert texts.money(Decimal("99999999.99")) in text


@pytest.mark.parametrize("code", LANGUAGES)
def test_item_card_and_review_captions_fit(code: str) -> None:
    texts = texts_of(code)
    item = Product(
        catalogue_item_id=str(uuid.uuid4()),
        shop_id=1,
        name="Ш" * product_form.NAME_MAX,
        name_key="",
        price=Decimal("99999999.99"),
        stock=STOCK_MAX,
        low_stock_at=max(LOW_STOCK_CHOICES),
    )
    assert len(catalogue.card_caption(item, texts)) <= CAPTION_MAX
    answers = {
        "name": "Ш" * product_form.NAME_MAX,
        "price": "99999999.99",
        "mrp": "99999999.99",
        "gst_rate": "28",
        "gst_included": False,
        "unit": "KG",
        "unit_value": "1000000",
        "stock": str(STOCK_MAX),
    }
    review = product.caption(answers, texts)
    assert len(review) <= CAPTION_MAX and not review.endswith("…")


@pytest.mark.parametrize("code", LANGUAGES)
def test_reason_and_confirm_buttons_fit_and_their_data_too(code: str) -> None:
    texts = texts_of(code)
    for stage in orders.Stage:
        for action in orders.ACTIONS[stage]:
            assert len(texts.label(orders.action_key(action))) <= LABEL_MAX
            for reason in orders.reasons_for(stage):
                assert len(texts.label(orders.reason_key(reason))) <= LABEL_MAX
                data = f"ord:yes:{10**12}:{action.value}:{reason}"
                assert len(data.encode()) <= MAX_CALLBACK_BYTES


CALLBACK_ANSWER_MAX = 200  # Telegram's limit for answerCallbackQuery's text
# Answers whose key is passed around rather than written in the answer(...) call.
ANSWERS_BY_NAME = ("item.not_found", "item.not_changed", "order.not_found", "stores.not_found")
NUMBERS = {"stock", "max"}  # counts, at most STOCK_MAX written out


def _answered_keys() -> set[str]:
    """Every key the bot's code passes to a press's answer(texts("..."))."""
    pattern = re.compile(r'\.answer\(\s*(?:context\.)?texts\(\s*"([\w.]+)"')
    roots = [Path(conversations.__file__).parent, Path(bot.__file__).parent]
    found = {
        key
        for root in roots
        for source in root.rglob("*.py")
        for key in pattern.findall(source.read_text(encoding="utf-8"))
    }
    return found | set(ANSWERS_BY_NAME)


def test_the_answer_keys_are_found() -> None:
    keys = _answered_keys()
    assert {"outbox.saved", "product.publishing", "error.stale_button"} <= keys


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_press_answer_fits_a_pop_up(code: str) -> None:
    texts = texts_of(code)
    long = "Ш" * LONGEST_VALUE
    too_long = {}
    for key in sorted(_answered_keys()):
        params = {
            name: "10,00,000" if name in NUMBERS else long
            for name in placeholders(I18N.catalogues["en"].messages[key])
        }
        text = texts(key, **params)
        if len(text) > CALLBACK_ANSWER_MAX:
            too_long[key] = len(text)
    assert too_long == {}
