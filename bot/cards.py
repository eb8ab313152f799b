"""How records are shown to a seller: the field lines of a seller's and a storefront's details."""

from __future__ import annotations

from datetime import time
from typing import Any

from bot.domain import orders, registration, storefront, storefront_form
from bot.domain.categories import category_by_value
from bot.gateways.base import OrderChange
from bot.i18n import Texts
from bot.ui import MAX_MESSAGE_CHARS


def shown(field: str, value: Any, texts: Texts) -> str:
    """One answer as the seller reads it."""
    if value is None:
        return texts("onboarding.not_given")
    if field == "incorporation_type":
        return texts(f"incorporation.{value}")
    if field == "categories":
        return ", ".join(texts(f"category.{category_by_value(v).code}") for v in value)
    return str(value)


def seller_lines(answers: dict[str, Any], texts: Texts) -> list[str]:
    """A line per registration field, in the order they are asked."""
    return [
        texts(
            "card.line",
            label=texts(f"field.{field}"),
            value=shown(field, answers.get(field), texts),
        )
        for field in registration.FIELDS
        if registration.is_required(field, answers)
    ]


# --- storefronts ------------------------------------------------------------------------------


def _clock(moment: time) -> str:
    # The last second of the day is how a day open until midnight is stored (END_OF_DAY).
    return "24:00" if moment == storefront.END_OF_DAY else moment.strftime("%H:%M")


def hours_text(hours: dict[str, Any], texts: Texts) -> str:
    """A week of business hours in a few words: a preset's name, or runs of days."""
    week = storefront.week_from_gateway(hours)
    preset = storefront.preset_of(week)
    if preset is not None:
        return texts(f"hours.preset.{preset}")
    parts = []
    for run in storefront.describe_week(week):
        days = texts(f"day.short.{run.first.value}")
        if run.last != run.first:
            days += "–" + texts(f"day.short.{run.last.value}")
        slots = ", ".join(f"{_clock(s.opening)}–{_clock(s.closing)}" for s in run.slots)
        parts.append(f"{days} {slots or texts('hours.closed')}")
    return "; ".join(parts)


def area_text(area: dict[str, Any], texts: Texts) -> str:
    if area.get("radius") is not None:
        return texts("area.radius", km=area["radius"])
    codes = [str(code) for code in area.get("pincodes") or []]
    return texts.plural("area.pincodes", len(codes), codes=", ".join(codes))


def storefront_value(field: str, answers: dict[str, Any], texts: Texts) -> str:
    """One storefront answer as the seller reads it."""
    value = answers.get(field)
    if field == "categories":
        return shown("categories", value, texts)
    if field in ("state", "registered_state"):
        return texts(f"state.{value}")
    if field == "location":
        return texts("location.shared") if value else texts("location.none")
    if field == "area":
        return area_text(value, texts)
    if field == "hours":
        return hours_text(value, texts)
    if field == "billing":
        return texts(f"billing.{value}")
    if field == "registered_address" and value is None:
        return texts("registered_address.same")
    if field == "billing_incorporation_type":
        return texts(f"incorporation.{value}")
    return shown(field, value, texts)


def storefront_lines(answers: dict[str, Any], texts: Texts) -> list[str]:
    """A line per storefront question, in the order they are asked."""
    return [
        texts(
            "card.line",
            label=texts(f"sf_field.{field}"),
            value=storefront_value(field, answers, texts),
        )
        for field in storefront_form.FIELDS
        if storefront_form.is_required(field, answers) and field in answers
    ]


# --- orders -----------------------------------------------------------------------------------


# A buyer's address as the alert shows it: enough for any real one (Setu sets no limit).
ADDRESS_SHOWN = 300


def order_text(
    alert_details: dict[str, Any],
    shop_name: str,
    item_names: dict[str, str],
    texts: Texts,
    state: str,
) -> str:
    """An order as the seller reads it: what, how much, how paid, where to, when, and its stage.
    It fits one message whatever the order: item lines that do not fit end in "…" (a seller with
    a 500-line order still sees its total, address and stage, and can accept it)."""
    change = OrderChange.model_validate(alert_details)
    order = change.order
    head = [texts("order.card.title", number=order.order_id[:8].upper(), shop=shop_name), ""]
    items = [
        texts(
            "order.card.line",
            quantity=line.quantity,
            name=item_names.get(line.store_front_product_id, texts("order.card.unknown_item")),
            total=texts.money(line.total_value),
        )
        for line in order.order_items
    ]
    payment = {True: "order.card.cod", False: "order.card.prepaid", None: "order.card.paid_unknown"}
    address = order.buyer_details.delivery_address
    foot = [
        "",
        texts(
            "order.card.total",
            total=texts.money(order.total_value),
            payment=texts(payment[change.cash_on_delivery]),
        ),
        texts(
            "order.card.deliver_to",
            pincode=address.pincode,
            address=_cut(address.address, ADDRESS_SHOWN),
        ),
    ]
    if change.placed_at is not None:
        foot.append(texts("order.card.placed", time=texts.time(change.placed_at)))
    foot.append(texts("order.card.stage", stage=texts(orders.stage_key(orders.stage_of(state)))))
    return fitted(head, items, foot)


def fitted(head: list[str], lines: list[str], foot: list[str]) -> str:
    """`head`, as many of `lines` as fit one message (the rest cut, "…" in their place), and
    `foot`: a long list still makes one message that Telegram takes."""
    room = MAX_MESSAGE_CHARS - len("\n".join(head + foot)) - len("\n…\n")
    shown: list[str] = []
    for line in lines:
        room -= len(line) + 1
        if room < 0:
            shown.append("…")
            break
        shown.append(line)
    return "\n".join(head + shown + foot)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
