"""The seller's order state machine: the buttons each order shows, what a press sends to the
gateway, what is refused (twice pressed, old message, finished order), and the reasons offered."""

from __future__ import annotations

import pytest

from bot.domain.orders import (
    ACTIONS,
    ERROR_KEYS,
    FINAL_STATES,
    REASONS,
    STAGE_STATES,
    STATE_STAGES,
    Action,
    Stage,
    StaleTransition,
    action_key,
    check_reason,
    is_open,
    needs_reason,
    next_state,
    reason_key,
    reasons_for,
    stage_key,
    stage_of,
)
from bot.gateways.base import ORDER_STATES, SETU_ORDER_STATES
from bot.i18n import Catalogue, catalogue_files

# --- reading what the gateway holds ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("order_state", "stage"),
    [
        ("AWAITING BAP CONFIRMED", Stage.NEW),
        ("BAP CONFIRMED", Stage.NEW),
        ("Created", Stage.NEW),
        ("Pending", Stage.NEW),
        ("Accepted", Stage.ACCEPTED),
        ("Packed", Stage.PACKED),
        ("In-progress", Stage.PACKED),
        ("Agent-assigned", Stage.PACKED),
        ("Out-for-pickup", Stage.PACKED),
        ("Pickup-failed", Stage.PACKED),
        ("At-pickup", Stage.READY_FOR_PICKUP),
        ("Order-picked-up", Stage.OUT_FOR_DELIVERY),
        ("In-transit", Stage.OUT_FOR_DELIVERY),
        ("At-destination-hub", Stage.OUT_FOR_DELIVERY),
        ("Out-for-delivery", Stage.OUT_FOR_DELIVERY),
        ("At-delivery", Stage.OUT_FOR_DELIVERY),
        ("Delivery-failed", Stage.OUT_FOR_DELIVERY),
        ("Order-delivered", Stage.DELIVERED),
        ("Completed", Stage.DELIVERED),
        ("Cancelled", Stage.CANCELLED),
    ],
)
def test_every_gateway_state_reads_as_a_stage(order_state: str, stage: Stage) -> None:
    assert stage_of(order_state) is stage


def test_the_machine_reads_exactly_the_gateway_contract() -> None:
    assert set(STATE_STAGES) == ORDER_STATES


def test_what_the_bot_sends_is_a_state_the_gateway_accepts_and_reads_back() -> None:
    assert set(STAGE_STATES) == set(Stage)
    for stage, order_state in STAGE_STATES.items():
        assert order_state in ORDER_STATES
        assert stage_of(order_state) is stage


@pytest.mark.parametrize(
    "junk",
    ["", "created", "CANCELLED", "Delivered", "Shipped", "Out for Delivery", "Rejected", " Packed"],
)
def test_a_state_outside_the_contract_is_refused(junk: str) -> None:
    with pytest.raises(ValueError, match="unknown order state"):
        stage_of(junk)
    with pytest.raises(ValueError):
        next_state(junk, Action.ACCEPT)


# --- which orders are open ------------------------------------------------------------------------


def test_only_delivered_and_cancelled_orders_are_finished() -> None:
    assert {"Completed", "Cancelled", "Order-delivered"} == FINAL_STATES
    for order_state, stage in STATE_STAGES.items():
        assert is_open(order_state) == (stage not in {Stage.DELIVERED, Stage.CANCELLED})
    assert all(is_open(state) for state in SETU_ORDER_STATES)


def test_an_open_order_always_offers_a_button_and_a_finished_one_none() -> None:
    for order_state in ORDER_STATES:
        assert bool(ACTIONS[stage_of(order_state)]) == is_open(order_state), order_state


# --- the buttons each stage shows -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "buttons"),
    [
        (Stage.NEW, (Action.ACCEPT, Action.REJECT)),
        (Stage.ACCEPTED, (Action.PACK, Action.CANCEL)),
        (Stage.PACKED, (Action.SHIP, Action.READY, Action.CANCEL)),
        (Stage.OUT_FOR_DELIVERY, (Action.DELIVER, Action.CANCEL)),
        (Stage.READY_FOR_PICKUP, (Action.DELIVER, Action.CANCEL)),
        (Stage.DELIVERED, ()),
        (Stage.CANCELLED, ()),
    ],
)
def test_each_stage_offers_its_buttons_in_order(stage: Stage, buttons: tuple[Action, ...]) -> None:
    assert ACTIONS[stage] == buttons


def test_every_stage_has_a_button_list() -> None:
    assert set(ACTIONS) == set(Stage)


# --- allowed transitions --------------------------------------------------------------------------

ALLOWED = [
    ("Created", Action.ACCEPT, "Accepted"),
    ("AWAITING BAP CONFIRMED", Action.ACCEPT, "Accepted"),
    ("BAP CONFIRMED", Action.ACCEPT, "Accepted"),
    ("Pending", Action.ACCEPT, "Accepted"),
    ("Created", Action.REJECT, "Cancelled"),
    ("BAP CONFIRMED", Action.REJECT, "Cancelled"),
    ("Accepted", Action.PACK, "Packed"),
    ("Accepted", Action.CANCEL, "Cancelled"),
    ("Packed", Action.SHIP, "Out-for-delivery"),
    ("Packed", Action.READY, "At-pickup"),
    ("Packed", Action.CANCEL, "Cancelled"),
    ("In-progress", Action.SHIP, "Out-for-delivery"),
    ("Agent-assigned", Action.READY, "At-pickup"),
    ("Out-for-delivery", Action.DELIVER, "Order-delivered"),
    ("Out-for-delivery", Action.CANCEL, "Cancelled"),
    ("Delivery-failed", Action.DELIVER, "Order-delivered"),
    ("Delivery-failed", Action.CANCEL, "Cancelled"),
    ("Order-picked-up", Action.DELIVER, "Order-delivered"),
    ("At-pickup", Action.DELIVER, "Order-delivered"),
    ("At-pickup", Action.CANCEL, "Cancelled"),
]


@pytest.mark.parametrize(("current", "action", "sent"), ALLOWED)
def test_a_button_moves_the_order_to_the_next_ondc_state(
    current: str, action: Action, sent: str
) -> None:
    assert next_state(current, action) == sent


def test_every_offered_button_of_every_gateway_state_leads_somewhere_known() -> None:
    for order_state in ORDER_STATES:
        for action in ACTIONS[stage_of(order_state)]:
            assert next_state(order_state, action) in ORDER_STATES


def test_a_whole_delivery_and_a_whole_pickup_walk_through() -> None:
    for path, last in (
        ((Action.ACCEPT, Action.PACK, Action.SHIP, Action.DELIVER), "Order-delivered"),
        ((Action.ACCEPT, Action.PACK, Action.READY, Action.DELIVER), "Order-delivered"),
    ):
        state = "AWAITING BAP CONFIRMED"
        for action in path:
            state = next_state(state, action)
        assert state == last
        assert not is_open(state)


# --- refused transitions --------------------------------------------------------------------------


def refusal(current: str, action: Action) -> StaleTransition:
    with pytest.raises(StaleTransition) as caught:
        next_state(current, action)
    return caught.value


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("current", ["Cancelled"])
def test_anything_on_a_cancelled_order_is_refused(current: str, action: Action) -> None:
    error = refusal(current, action)
    assert error.reason == "order.error.already_cancelled"
    assert error.params == {}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("current", ["Order-delivered", "Completed"])
def test_anything_on_a_delivered_order_is_refused(current: str, action: Action) -> None:
    assert refusal(current, action).reason == "order.error.already_delivered"


@pytest.mark.parametrize(
    ("current", "action", "stage"),
    [
        # Pressed twice: the first press already moved the order.
        ("Accepted", Action.ACCEPT, Stage.ACCEPTED),
        ("Packed", Action.PACK, Stage.PACKED),
        ("Out-for-delivery", Action.SHIP, Stage.OUT_FOR_DELIVERY),
        ("At-pickup", Action.READY, Stage.READY_FOR_PICKUP),
        # An old message's button, or a step skipped.
        ("Created", Action.DELIVER, Stage.NEW),
        ("Created", Action.PACK, Stage.NEW),
        ("BAP CONFIRMED", Action.CANCEL, Stage.NEW),
        ("Accepted", Action.REJECT, Stage.ACCEPTED),
        ("Accepted", Action.SHIP, Stage.ACCEPTED),
        ("Packed", Action.ACCEPT, Stage.PACKED),
        ("Packed", Action.DELIVER, Stage.PACKED),
        ("Out-for-delivery", Action.READY, Stage.OUT_FOR_DELIVERY),
        ("At-pickup", Action.SHIP, Stage.READY_FOR_PICKUP),
    ],
)
def test_a_button_the_stage_does_not_offer_is_refused_with_the_stage(
    current: str, action: Action, stage: Stage
) -> None:
    error = refusal(current, action)
    assert error.reason == "order.error.not_allowed"
    assert error.params == {"stage": stage}


def test_every_button_not_offered_is_refused_and_every_offered_one_is_not() -> None:
    for order_state in ORDER_STATES:
        offered = ACTIONS[stage_of(order_state)]
        for action in Action:
            if action in offered:
                next_state(order_state, action)
            else:
                with pytest.raises(StaleTransition):
                    next_state(order_state, action)


def test_only_reject_and_cancel_ask_for_a_reason() -> None:
    assert {action for action in Action if needs_reason(action)} == {Action.REJECT, Action.CANCEL}


# --- cancellation reasons -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "codes"),
    [
        (Stage.NEW, ("002", "018", "024", "023", "022", "005")),
        (Stage.ACCEPTED, ("002", "018", "022")),
        (Stage.PACKED, ("002", "018", "022")),
        (Stage.OUT_FOR_DELIVERY, ("011", "013", "014", "015")),
        (Stage.READY_FOR_PICKUP, ("011", "013")),
        (Stage.DELIVERED, ()),
        (Stage.CANCELLED, ()),
    ],
)
def test_each_stage_offers_its_reasons_in_order(stage: Stage, codes: tuple[str, ...]) -> None:
    assert reasons_for(stage) == codes


def test_a_stage_with_a_cancel_button_has_reasons_and_no_other_does() -> None:
    for stage in Stage:
        asks = any(needs_reason(action) for action in ACTIONS[stage])
        assert bool(reasons_for(stage)) == asks, stage


def test_reasons_are_the_sellers_ondc_codes_before_or_after_dispatch() -> None:
    assert len({reason.code for reason in REASONS}) == len(REASONS)
    before = {reason.code for reason in REASONS if reason.before_dispatch}
    after = {reason.code for reason in REASONS if reason.after_dispatch}
    assert before == {"002", "005", "018", "022", "023", "024"}
    assert after == {"011", "013", "014", "015"}
    # Only "items not available" may leave the rest of the order standing (ONDC §4).
    assert {reason.code for reason in REASONS if reason.part_cancel} == {"002"}


@pytest.mark.parametrize("stage", [stage for stage in Stage if reasons_for(stage)])
def test_an_offered_reason_is_accepted(stage: Stage) -> None:
    for code in reasons_for(stage):
        assert check_reason(stage, code).code == code


@pytest.mark.parametrize(
    ("stage", "code"),
    [
        (Stage.ACCEPTED, "005"),  # an accepted order is not rejected
        (Stage.PACKED, "024"),
        (Stage.NEW, "011"),  # nobody to contact before dispatch
        (Stage.OUT_FOR_DELIVERY, "002"),  # too late for "out of stock"
        (Stage.READY_FOR_PICKUP, "014"),  # a pickup has no address
        (Stage.NEW, "019"),  # not offered at all
        (Stage.NEW, "998"),  # internal
        (Stage.NEW, "junk"),
    ],
)
def test_a_reason_the_stage_does_not_offer_is_refused(stage: Stage, code: str) -> None:
    with pytest.raises(StaleTransition) as caught:
        check_reason(stage, code)
    assert caught.value.reason == "order.error.reason_not_allowed"


@pytest.mark.parametrize(
    ("stage", "key"),
    [
        (Stage.CANCELLED, "order.error.already_cancelled"),
        (Stage.DELIVERED, "order.error.already_delivered"),
    ],
)
def test_a_reason_for_a_finished_order_says_it_is_finished(stage: Stage, key: str) -> None:
    for code in ("002", "011"):
        with pytest.raises(StaleTransition) as caught:
            check_reason(stage, code)
        assert caught.value.reason == key


# --- every key has a text in every language -------------------------------------------------------

CATALOGUES = {code: Catalogue.read(path) for code, path in catalogue_files().items()}
LABEL_KEYS = (
    [stage_key(stage) for stage in Stage]
    + [action_key(action) for action in Action]
    + [reason_key(reason.code) for reason in REASONS]
)


@pytest.mark.parametrize("language", ["en", "hi"])
def test_every_key_the_machine_uses_has_a_text(language: str) -> None:
    messages = CATALOGUES[language].messages
    assert set(LABEL_KEYS + list(ERROR_KEYS)) - set(messages) == set()


@pytest.mark.parametrize("language", ["en", "hi"])
def test_stage_action_and_reason_labels_fit_a_button(language: str) -> None:
    messages = CATALOGUES[language].messages
    long = {key: messages[key] for key in LABEL_KEYS if len(messages[key]) > 30}
    assert long == {}


def test_every_refusal_key_is_listed_and_only_not_allowed_names_the_stage() -> None:
    english = CATALOGUES["en"].messages
    assert "{stage}" in english["order.error.not_allowed"]
    for key in ERROR_KEYS:
        if key != "order.error.not_allowed":
            assert "{" not in english[key], key
    seen = {refusal("Cancelled", Action.ACCEPT).reason, refusal("Completed", Action.ACCEPT).reason}
    seen.add(refusal("Accepted", Action.ACCEPT).reason)
    with pytest.raises(StaleTransition) as caught:
        check_reason(Stage.NEW, "011")
    seen.add(caught.value.reason)
    assert seen == set(ERROR_KEYS)


@pytest.mark.parametrize(
    ("old", "new", "taken"),
    [
        ("Created", "Accepted", 1),  # accepted: the packs leave the shelf
        ("BAP CONFIRMED", "Accepted", 1),
        ("Accepted", "Packed", 0),
        ("Packed", "Out-for-delivery", 0),
        ("Out-for-delivery", "Order-delivered", 0),
        ("Accepted", "Cancelled", -1),  # cancelled after acceptance: back on the shelf
        ("Out-for-delivery", "Cancelled", -1),
        ("Created", "Cancelled", 0),  # rejected: they never left
        ("Created", "Pending", 0),
        ("Cancelled", "Cancelled", 0),
    ],
)
def test_stock_follows_acceptance_and_cancellation(old: str, new: str, taken: int) -> None:
    from bot.domain.orders import holds_stock, stock_taken

    assert stock_taken(old, new) == taken
    assert holds_stock("Order-delivered") and not holds_stock("Created")


@pytest.mark.parametrize(
    ("current", "reported", "behind"),
    [
        ("Accepted", "Created", True),  # a page read before the seller's Accept
        ("Cancelled", "Accepted", True),  # finished: nothing moves it again
        ("Order-delivered", "Out-for-delivery", True),
        ("Created", "Accepted", False),
        ("Packed", "In-progress", False),  # the same stage: not behind
        ("Accepted", "Cancelled", False),
        ("Cancelled", "Cancelled", False),
    ],
)
def test_a_state_read_from_the_gateway_never_goes_back(
    current: str, reported: str, behind: bool
) -> None:
    from bot.domain.orders import is_behind

    assert is_behind(current, reported) is behind
