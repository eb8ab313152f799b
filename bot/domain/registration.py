"""Seller registration as data: which questions, in which order, and what an answer changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.domain import seller as rules
from bot.domain.questions import Questions

# The order the questions are asked in; the review card lists the answers in the same order.
FIELDS: tuple[str, ...] = (
    "display_name",
    "legal_name",
    "incorporation_type",
    "gstin",
    "pan",
    "categories",
    "fssai",
    "account_number",
    "ifsc",
    "phone",
    "email",
)
TYPED_FIELDS = frozenset(
    {"display_name", "legal_name", "gstin", "pan", "fssai", "account_number", "ifsc", "email"}
)

Answers = dict[str, Any]

# Where each answer goes in the gateway's seller payload (Setu's SellerInputDTO, setu-ondc.md
# §5); phone and email stay with us. The one mapping between the two shapes, both ways.
GATEWAY_PATHS: dict[str, str] = {
    "display_name": "name",
    "legal_name": "legal_entity_name",
    "incorporation_type": "incorporation_type",
    "gstin": "gst_number",
    "pan": "pan_number",
    "categories": "categories",
    "fssai": "fssai_number",
    "account_number": "bank_account.account_number",
    "ifsc": "bank_account.ifsc_code",
}


def is_required(field: str, answers: Answers) -> bool:
    """Every field is asked; FSSAI only when the categories need it (Setu rule)."""
    if field == "fssai":
        return rules.needs_fssai(answers.get("categories") or [])
    return True


QUESTIONS = Questions(FIELDS, is_required)
next_field = QUESTIONS.next_field
previous_field = QUESTIONS.previous_field
answered_count = QUESTIONS.answered_count


def clean_typed(field: str, text: str, answers: Answers) -> str:
    """Checks and normalises a typed answer; raises rules.InvalidInput with the reason."""
    cleaners: dict[str, Callable[[str], str]] = {
        "display_name": rules.clean_display_name,
        "legal_name": rules.clean_legal_name,
        "gstin": rules.clean_gstin,
        "pan": lambda value: rules.clean_pan(value, answers.get("gstin")),
        "fssai": rules.clean_fssai,
        "account_number": rules.clean_account_number,
        "ifsc": rules.clean_ifsc,
        "email": rules.clean_email,
    }
    return cleaners[field](text)


def answer(answers: Answers, field: str, value: Any) -> Answers:
    """The answers after one more: drops later answers this one invalidates, so they are asked
    again (a new GSTIN needs its own PAN; categories without F&B or Grocery need no FSSAI)."""
    updated = {**answers, field: value}
    if field == "gstin" and updated.get("pan") and updated["pan"] != value[2:12]:
        del updated["pan"]
    if field == "categories" and not rules.needs_fssai(value):
        updated.pop("fssai", None)
    return updated


def to_gateway(answers: Answers) -> dict[str, Any]:
    """The gateway's seller payload (nested as the gateway expects) from the answers."""
    payload: dict[str, Any] = {}
    for field, path in GATEWAY_PATHS.items():
        *parents, leaf = path.split(".")
        node = payload
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = answers.get(field)
    return payload


def from_gateway(payload: dict[str, Any]) -> Answers:
    """The answers a gateway's seller record holds (phone and email are not among them)."""
    answers: Answers = {}
    for field, path in GATEWAY_PATHS.items():
        node: Any = payload
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        answers[field] = node
    return answers


def field_at(path: str) -> str | None:
    """The question whose answer the gateway refused at `path` (e.g. "bank_account.ifsc_code")."""
    for field, own in GATEWAY_PATHS.items():
        if path == own or own.startswith(path + "."):
            return field
    return None
