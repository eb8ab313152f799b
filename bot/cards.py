"""How records are shown to a seller: the field lines of a seller's details."""

from __future__ import annotations

from typing import Any

from bot.domain import registration
from bot.domain.categories import category_by_value
from bot.i18n import Texts


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
