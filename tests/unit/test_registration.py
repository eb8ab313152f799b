"""Registration as data: question order, FSSAI only when needed, answers that undo others."""

from __future__ import annotations

import pytest

from bot.domain import registration
from bot.domain.seller import InvalidInput

GSTIN, PAN = "27AAPFU0939F1ZV", "AAPFU0939F"


def complete(**overrides: object) -> dict[str, object]:
    answers: dict[str, object] = {
        "display_name": "Sharma Kirana",
        "legal_name": "Sharma Traders",
        "incorporation_type": "SP",
        "gstin": GSTIN,
        "pan": PAN,
        "categories": ["Fashion"],
        "account_number": "123456789012",
        "ifsc": "SBIN0001234",
        "phone": "+919812345678",
        "email": None,
    }
    answers.update(overrides)
    return answers


def test_questions_come_in_order() -> None:
    assert registration.next_field({}) == "display_name"
    assert registration.next_field({"display_name": "x"}) == "legal_name"


def test_fssai_is_asked_only_for_food_and_grocery() -> None:
    assert registration.next_field(complete()) is None
    assert registration.next_field(complete(categories=["Grocery"])) == "fssai"
    assert registration.next_field(complete(categories=["F&B"], fssai="12345678901234")) is None


def test_a_new_gstin_drops_a_pan_that_no_longer_matches() -> None:
    changed = registration.answer(complete(), "gstin", "33ABCPK1234M1ZX")
    assert "pan" not in changed
    assert registration.next_field(changed) == "pan"


def test_the_same_gstin_keeps_the_pan() -> None:
    assert registration.answer(complete(), "gstin", GSTIN)["pan"] == PAN


def test_dropping_food_categories_drops_the_fssai() -> None:
    answers = complete(categories=["Grocery"], fssai="12345678901234")
    assert "fssai" not in registration.answer(answers, "categories", ["Fashion"])


def test_typed_pan_is_checked_against_the_gstin() -> None:
    with pytest.raises(InvalidInput) as problem:
        registration.clean_typed("pan", "ABCPK1234M", {"gstin": GSTIN})
    assert problem.value.reason == "error.pan_mismatch"
    assert registration.clean_typed("pan", "aapfu0939f", {"gstin": GSTIN}) == PAN


def test_answered_count() -> None:
    assert registration.answered_count({}) == 0
    assert registration.answered_count(complete()) == 10


def test_answers_map_to_the_gateway_payload_and_back() -> None:
    answers = complete(categories=["Grocery"], fssai="12345678901234")
    payload = registration.to_gateway(answers)
    assert payload["gst_number"] == GSTIN
    assert payload["bank_account"] == {"account_number": "123456789012", "ifsc_code": "SBIN0001234"}
    back = registration.from_gateway(payload)
    assert back == {k: v for k, v in answers.items() if k not in ("phone", "email")}


def test_gateway_field_paths_name_our_questions() -> None:
    assert registration.field_at("bank_account.ifsc_code") == "ifsc"
    assert registration.field_at("gst_number") == "gstin"
    assert registration.field_at("bank_account") == "account_number"
    assert registration.field_at("consent_object") is None


def test_previous_question_skips_what_is_not_asked() -> None:
    assert registration.previous_field("display_name", {}) is None
    assert registration.previous_field("legal_name", {}) == "display_name"
    assert (
        registration.previous_field("account_number", {"categories": ["Fashion"]}) == "categories"
    )
    assert registration.previous_field("account_number", {"categories": ["Grocery"]}) == "fssai"
