"""Order states as the seller sees them: which orders still need something from the seller."""

from __future__ import annotations

import uuid

import pytest

from bot.domain.orders import FINAL_STATES, is_open, open_orders
from bot.gateways.base import ORDER_STATES, Order
from tests.contract.samples import order_input


def order(state: str) -> Order:
    placed = order_input(str(uuid.uuid4()), order_state=state)
    return Order.model_validate({**placed.model_dump(), "order_id": str(uuid.uuid4())})


@pytest.mark.parametrize(
    "state",
    [
        "AWAITING BAP CONFIRMED",
        "BAP CONFIRMED",
        "Created",
        "Accepted",
        "In-progress",
        "Pending",
        "Packed",
        "Out-for-delivery",
        "Delivery-failed",
    ],
)
def test_orders_on_their_way_are_open(state: str) -> None:
    assert is_open(state)


@pytest.mark.parametrize("state", ["Completed", "Cancelled", "Order-delivered"])
def test_finished_orders_are_not_open(state: str) -> None:
    assert not is_open(state)


def test_final_states_are_known_order_states() -> None:
    assert FINAL_STATES <= ORDER_STATES


def test_open_orders_keeps_the_open_ones_in_their_order() -> None:
    orders = [
        order("Created"),
        order("Completed"),
        order("BAP CONFIRMED"),
        order("Cancelled"),
        order("Packed"),
        order("Order-delivered"),
    ]
    kept = open_orders(orders)
    assert [o.order_state for o in kept] == ["Created", "BAP CONFIRMED", "Packed"]
    assert [o.order_id for o in kept] == [
        orders[0].order_id,
        orders[2].order_id,
        orders[4].order_id,
    ]


def test_open_orders_of_none_or_only_finished_ones_is_empty() -> None:
    assert open_orders([]) == []
    assert open_orders(iter([order("Completed"), order("Cancelled")])) == []
