"""The seller's order state machine: stages, the buttons each offers, where they lead, and why an
order may be rejected or cancelled; also which orders are still open."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.gateways.base import Order

# The gateway holds one free string per order (setu-ondc.md §9: Setu's PUT takes
# {order_id, order_state} and nothing else) and accepts the values in base.ORDER_STATES: Setu's two
# confirmation states plus ONDC's order and forward-fulfilment states (ondc-retail.md §3.1). A
# seller thinks in fewer steps than ONDC has, so the bot shows a Stage, reads every value the
# gateway may hold as one, and sends one ONDC value per button press.
#
# Two facts shape the machine:
# - Setu only knows SELF_SHIP (base.Fulfilment, OrderFulfilment.SELF): the seller is its own
#   logistics provider. The steps a rider's app would report one by one (Agent-assigned,
#   Order-picked-up, ...) happen at one moment for a shopkeeper handing a parcel to the boy, so one
#   press stands for them. Where that skips a step of the validator's table (ondc-retail.md §3.3),
#   the comment at the transition says so; it is the gateway's job to report ONDC's steps.
# - Setu does not say whether a buyer collects the order or has it delivered (fulfilment_type is
#   always SELF), so a packed order offers both "Out for delivery" and "Ready for pickup": the
#   seller knows.


class Stage(StrEnum):
    """Where an order is, as the seller sees it; the values name the locale keys (order.stage.*)."""

    NEW = "new"
    ACCEPTED = "accepted"
    PACKED = "packed"
    OUT_FOR_DELIVERY = "out_for_delivery"
    READY_FOR_PICKUP = "ready_for_pickup"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class Action(StrEnum):
    """A button on an order; the values are short for callback data and name order.action.*."""

    ACCEPT = "accept"
    REJECT = "reject"
    PACK = "pack"
    SHIP = "ship"  # out for delivery
    READY = "ready"  # ready for the buyer to collect
    DELIVER = "deliver"
    CANCEL = "cancel"


# The ONDC value that puts an order at each stage: what the bot sends. NEW is never sent (orders
# arrive Created); it is listed as the canonical value a NEW order holds.
STAGE_STATES: dict[Stage, str] = {
    Stage.NEW: "Created",
    # Order level (§3.2): /on_status "Accepted" while the fulfilment is still Pending.
    Stage.ACCEPTED: "Accepted",
    # Fulfilment level from here on (§3.2: the order is then In-progress, which alone would not
    # say how far the parcel has got).
    Stage.PACKED: "Packed",
    Stage.OUT_FOR_DELIVERY: "Out-for-delivery",
    # A self-pickup order waiting at the shop. ONDC has no "ready for pickup" state: for
    # Self-Pickup it expects Packed plus a pickup code (§3.3, "Other state-related rules"), but the
    # bot must tell a packed order from one waiting for its buyer. "At-pickup" ([val] v1.2.5, §3.1)
    # is the one state that follows Packed in the validator's table (Packed → At-pickup), comes
    # before the hand-over (At-pickup → Order-picked-up | Cancelled) and is no delivery state, so
    # reading it back cannot be confused with OUT_FOR_DELIVERY. Its other meaning, a rider waiting
    # at the shop (P2P routing), cannot arise for a self-shipping seller; P2H2P forbids it, but
    # routing belongs to Delivery fulfilments, which a self-pickup order does not have.
    Stage.READY_FOR_PICKUP: "At-pickup",
    # The fulfilment state, not the order's "Completed": §3.2 pairs Completed with Order-delivered,
    # and §3.3 asks for the delivery time stamp at Order-delivered.
    Stage.DELIVERED: "Order-delivered",
    # Both an order and a fulfilment state (§3.2, /on_cancel).
    Stage.CANCELLED: "Cancelled",
}

# Every value a gateway may hold (exactly base.ORDER_STATES; tests check) and the stage it shows.
STATE_STAGES: dict[str, Stage] = {
    # Setu's OrderState (setu-ondc.md §9) describes the buyer app's confirm step: nothing has
    # happened on the seller's side yet.
    "AWAITING BAP CONFIRMED": Stage.NEW,
    "BAP CONFIRMED": Stage.NEW,
    "Created": Stage.NEW,
    # /on_confirm's fulfilment state (§3.2). It also pairs with an Accepted order, but the gateway
    # keeps one string and the bot sends "Accepted" itself, so a stored Pending has not been
    # accepted through the bot; offering Accept again at worst repeats Created → Accepted.
    "Pending": Stage.NEW,
    "Accepted": Stage.ACCEPTED,
    "Packed": Stage.PACKED,
    # In-progress pairs with Packed and every later state before delivery (§3.2); Packed is the
    # earliest, so the seller gets the buttons of a packed order.
    "In-progress": Stage.PACKED,
    # A rider's states before the parcel leaves the shop (§3.3); a self-shipping seller never
    # produces them, but an order in one still waits to be dispatched.
    "Agent-assigned": Stage.PACKED,
    "Out-for-pickup": Stage.PACKED,
    "Pickup-failed": Stage.PACKED,
    "At-pickup": Stage.READY_FOR_PICKUP,
    # The parcel has left the shop; each may still end Order-delivered or Cancelled (§3.3), and
    # Delivery-failed is where after-dispatch reasons (011-015) are most likely.
    "Order-picked-up": Stage.OUT_FOR_DELIVERY,
    "In-transit": Stage.OUT_FOR_DELIVERY,
    "At-destination-hub": Stage.OUT_FOR_DELIVERY,
    "Out-for-delivery": Stage.OUT_FOR_DELIVERY,
    "At-delivery": Stage.OUT_FOR_DELIVERY,
    "Delivery-failed": Stage.OUT_FOR_DELIVERY,
    # Terminal (§3.3): Completed at order level, Order-delivered at fulfilment level.
    "Order-delivered": Stage.DELIVERED,
    "Completed": Stage.DELIVERED,
    "Cancelled": Stage.CANCELLED,
}
# ONDC's legacy 1.0.23 values (ondc-retail.md §3.4: "Shipped", "Delivered", ...) are not read: the
# gateway contract (base.ORDER_STATES) excludes them, so a client that meets them maps them itself.

TERMINAL_STAGES = frozenset({Stage.DELIVERED, Stage.CANCELLED})

# ONDC's end states (ondc-retail.md §3): an order in one of these needs nothing more from the
# seller. Every other state, Setu's two confirmation states included, is an open order.
FINAL_STATES = frozenset(state for state, stage in STATE_STAGES.items() if stage in TERMINAL_STAGES)


def is_open(state: str) -> bool:
    """Whether the order still needs the seller; a state the bot does not know counts as open,
    so nothing (deleting a storefront, say) treats an order it cannot read as finished."""
    return state not in FINAL_STATES


def open_orders(orders: Iterable[Order]) -> list[Order]:
    """The orders that still need the seller, in the order given."""
    return [order for order in orders if is_open(order.order_state)]


def stage_of(order_state: str) -> Stage:
    """The stage an order in this gateway state is at; ValueError for a state outside the gateway
    contract (base.ORDER_STATES), which is a gateway's bug rather than the seller's slip."""
    try:
        return STATE_STAGES[order_state]
    except KeyError:
        raise ValueError(f"unknown order state: {order_state!r}") from None


# How far along each stage is: an order never goes back to an earlier one.
_PROGRESS = {
    Stage.NEW: 0,
    Stage.ACCEPTED: 1,
    Stage.PACKED: 2,
    Stage.OUT_FOR_DELIVERY: 3,
    Stage.READY_FOR_PICKUP: 3,
    Stage.DELIVERED: 4,
    Stage.CANCELLED: 4,
}


def is_behind(current_state: str, reported_state: str) -> bool:
    """Whether a state read from the gateway is older than the one the bot holds: a finished
    order never moves again, and no order goes back a stage. (A page read just before the
    seller's press, recorded after it, must not undo the press.)"""
    if current_state in FINAL_STATES:
        return reported_state != current_state
    return _PROGRESS[stage_of(reported_state)] < _PROGRESS[stage_of(current_state)]


def holds_stock(order_state: str) -> bool:
    """Whether the order's packs are out of the shop's stock: from the seller's acceptance until
    a cancellation (a new order's packs are still on the shelf; a cancelled one's are back)."""
    return stage_of(order_state) not in {Stage.NEW, Stage.CANCELLED}


def quantities(order_items: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Packs ordered per item (catalogue item id, in lower case) over an order's lines, as the
    gateway gives them (a dict per line): an item on two lines counts once, summed."""
    total: dict[str, int] = {}
    for line in order_items:
        item = str(line["store_front_product_id"]).lower()
        total[item] = total.get(item, 0) + int(line["quantity"])
    return total


def stock_taken(old_state: str, new_state: str) -> int:
    """1 if moving an order between these states takes its packs out of stock, -1 if it puts
    them back, 0 if the stock is unchanged."""
    return int(holds_stock(new_state)) - int(holds_stock(old_state))


# ---------------------------------------------------------------------------------------------
# Buttons and transitions

# The buttons each stage offers, in the order they are shown. Order level (§3.3, [inferred] from
# §3.2): Created → Accepted | Cancelled, Accepted → In-progress | Cancelled, In-progress →
# Completed | Cancelled; every non-terminal fulfilment state may go to Cancelled ([val] table).
ACTIONS: dict[Stage, tuple[Action, ...]] = {
    Stage.NEW: (Action.ACCEPT, Action.REJECT),
    Stage.ACCEPTED: (Action.PACK, Action.CANCEL),
    Stage.PACKED: (Action.SHIP, Action.READY, Action.CANCEL),
    Stage.OUT_FOR_DELIVERY: (Action.DELIVER, Action.CANCEL),
    Stage.READY_FOR_PICKUP: (Action.DELIVER, Action.CANCEL),
    Stage.DELIVERED: (),
    Stage.CANCELLED: (),
}

# Where each button leads; it does not depend on the stage the order is at.
TARGETS: dict[Action, Stage] = {
    # Created → Accepted (order level).
    Action.ACCEPT: Stage.ACCEPTED,
    # Created → Cancelled: ONDC has no "rejected"; a seller's refusal is a cancellation with a
    # seller reason (§4: 005 "Merchant rejected the order" and friends).
    Action.REJECT: Stage.CANCELLED,
    # Pending → Packed (fulfilment), while the order becomes In-progress.
    Action.PACK: Stage.PACKED,
    # Packed → Out-for-delivery skips Order-picked-up (§3.3): the seller picks the parcel up from
    # itself. v1.2.5 forbids Out-for-delivery under P2P routing while v1.2.0 expects it even for
    # hyperlocal orders (§3.3 note); it is the state a buyer understands, and the one the issue
    # asks for.
    Action.SHIP: Stage.OUT_FOR_DELIVERY,
    # Packed → At-pickup (§3.3): see STAGE_STATES.
    Action.READY: Stage.READY_FOR_PICKUP,
    # Out-for-delivery → Order-delivered (§3.3). From At-pickup, ONDC's way is Order-picked-up
    # then Order-delivered; for self-pickup the hand-over is the delivery, so one press, one state,
    # and the order leaves the seller's list.
    Action.DELIVER: Stage.DELIVERED,
    # Any non-terminal state → Cancelled (§3.3).
    Action.CANCEL: Stage.CANCELLED,
}


class StaleTransition(Exception):
    """A button or reason that does not apply to the order as it is now (pressed twice, pressed
    on an old message, already cancelled ...); nothing may change. `reason` is a locale key and
    `params` its placeholders: a `stage` param is a Stage, shown with texts(stage_key(stage))."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason: str = reason
        self.params: dict[str, object] = params

    def __repr__(self) -> str:
        return f"StaleTransition({self.reason!r}, **{self.params!r})"


def _refuse_if_finished(stage: Stage) -> None:
    # A finished order gets its own answer: "already cancelled" says more than "not allowed".
    if stage is Stage.CANCELLED:
        raise StaleTransition("order.error.already_cancelled")
    if stage is Stage.DELIVERED:
        raise StaleTransition("order.error.already_delivered")


def next_state(current_order_state: str, action: Action) -> str:
    """The ONDC value to send for this button on an order in this gateway state.

    StaleTransition when the button is not offered at the order's stage: "order.error.
    already_cancelled" / "order.error.already_delivered" for a finished order, else
    "order.error.not_allowed" with stage=the order's stage (a second press, an old message).
    ValueError for a state outside the gateway contract (see stage_of).
    """
    stage = stage_of(current_order_state)
    if action not in ACTIONS[stage]:
        _refuse_if_finished(stage)
        raise StaleTransition("order.error.not_allowed", stage=stage)
    return STAGE_STATES[TARGETS[action]]


def needs_reason(action: Action) -> bool:
    """Whether the button opens the reason picker (ONDC cancellations carry a reason code, §4)."""
    return TARGETS[action] is Stage.CANCELLED


# ---------------------------------------------------------------------------------------------
# Cancellation reasons (ondc-retail.md §4)


@dataclass(frozen=True)
class CancelReason:
    """An ONDC cancellation reason a seller may give, and the stages it is offered at."""

    code: str
    stages: frozenset[Stage]
    # The buyer's other items may stay (§4.1 "part cancel"). The bot cancels whole orders, as
    # Setu's update carries no items (setu-ondc.md §9); kept for a gateway that can do better.
    part_cancel: bool = False

    @property
    def before_dispatch(self) -> bool:
        return bool(self.stages & _BEFORE_DISPATCH)

    @property
    def after_dispatch(self) -> bool:
        return bool(self.stages & _AFTER_DISPATCH)


_BEFORE_DISPATCH = frozenset({Stage.NEW, Stage.ACCEPTED, Stage.PACKED})
# READY_FOR_PICKUP sits with the after-dispatch stages: the parcel is ready and only the buyer can
# move it on, so what can still go wrong is the buyer's doing (not coming, refusing it), as after a
# delivery leaves; the shop-side reasons (out of stock, too busy) no longer fit.
_AFTER_DISPATCH = frozenset({Stage.OUT_FOR_DELIVERY, Stage.READY_FOR_PICKUP})
_REJECT = frozenset({Stage.NEW})
_CANCEL_BEFORE_DISPATCH = frozenset({Stage.ACCEPTED, Stage.PACKED})

# The seller's codes, from the practical subset of §4.2, in the order the picker shows them: the
# likeliest first. Reject is a cancellation of a NEW order; Cancel of an accepted or packed one
# offers what can still go wrong in the shop; after dispatch only the self-fulfilment codes
# (SNP as its own logistics, §4.1) apply, and they trigger RTO. Not offered:
# - 019 "Pickup pin code not serviceable": it speaks of a logistics provider serving the shop's
#   area, which a self-shipping seller does not use, and v1.2.5 comments it out; 018 covers "I
#   cannot deliver there".
# - 998 "Order confirmation failure": 99x codes are internal and not meant for /cancel or
#   /on_cancel (§4.1), and a shopkeeper could not tell it from the others.
# - 012 "Buyer does not want the product any more": the buyer cancels in the buyer app; 016, 020
#   and 021 describe a logistics provider's or a store's silence, not a seller's choice.
REASONS: tuple[CancelReason, ...] = (
    # Items not available: the commonest refusal, at any point before the parcel leaves.
    CancelReason("002", _REJECT | _CANCEL_BEFORE_DISPATCH, part_cancel=True),
    # v1.2.0 "Delivery pin code not serviceable", v1.2.5 "Order not serviceable": both read as
    # "I cannot deliver there", which a seller may notice only when packing.
    CancelReason("018", _REJECT | _CANCEL_BEFORE_DISPATCH),
    # v1.2.5 store reasons about the moment the order arrived, so only on Reject. 023 costs the
    # buyer app, not the seller (§4.2).
    CancelReason("024", _REJECT),
    CancelReason("023", _REJECT),
    # v1.2.0 "Payment failed", v1.2.5 "Technical issue in merchant device": the bot says the
    # latter. The buyer app collects the payment, so a seller never sees it fail, while a dead
    # phone or printer is something a seller can report; v1.2.5 is what ONDC's validator reads.
    CancelReason("022", _REJECT | _CANCEL_BEFORE_DISPATCH),
    # "Merchant rejected the order" (v1.2.0; gone from v1.2.5, which Setu's 2022-era gateway
    # predates): the catch-all, so last on Reject and nowhere else (an accepted order was not
    # rejected).
    CancelReason("005", _REJECT),
    # After dispatch, self-fulfilment only (§4.1 "SNP (self-fulfilment)"). A buyer who does not
    # come for a pickup is 011; one who refuses the parcel at the counter is 013. 014 and 015 are
    # about a delivery address, which a pickup does not have. 015 is v1.2.0 only, kept for the
    # same reason as 005.
    CancelReason("011", _AFTER_DISPATCH),
    CancelReason("013", _AFTER_DISPATCH),
    CancelReason("014", frozenset({Stage.OUT_FOR_DELIVERY})),
    CancelReason("015", frozenset({Stage.OUT_FOR_DELIVERY})),
)
_REASONS_BY_CODE = {reason.code: reason for reason in REASONS}


def reasons_for(stage: Stage) -> tuple[str, ...]:
    """The reason codes the picker offers at this stage, in display order; () if none."""
    return tuple(reason.code for reason in REASONS if stage in reason.stages)


def check_reason(stage: Stage, code: str) -> CancelReason:
    """The reason for this code if it is offered at this stage; else StaleTransition:
    "order.error.already_cancelled" / "order.error.already_delivered" for a finished order,
    "order.error.reason_not_allowed" otherwise (an old picker, forged callback data)."""
    reason = _REASONS_BY_CODE.get(code)
    if reason is None or stage not in reason.stages:
        _refuse_if_finished(stage)
        raise StaleTransition("order.error.reason_not_allowed")
    return reason


# ---------------------------------------------------------------------------------------------
# Locale keys (one place for their shape; tests check each exists in every catalogue)


def stage_key(stage: Stage) -> str:
    return f"order.stage.{stage.value}"


def action_key(action: Action) -> str:
    return f"order.action.{action.value}"


def reason_key(code: str) -> str:
    return f"order.reason.{code}"


ERROR_KEYS = (
    "order.error.already_cancelled",
    "order.error.already_delivered",
    "order.error.not_allowed",
    "order.error.reason_not_allowed",
)
