"""Order states as the seller's side sees them: which orders are still open."""

from __future__ import annotations

from collections.abc import Iterable

from bot.gateways.base import Order

# ONDC's end states (ondc-retail.md §3): an order in one of these needs nothing more from the
# seller. Every other state, Setu's two confirmation states included, is an open order.
FINAL_STATES = frozenset({"Completed", "Cancelled", "Order-delivered"})


def is_open(state: str) -> bool:
    return state not in FINAL_STATES


def open_orders(orders: Iterable[Order]) -> list[Order]:
    return [order for order in orders if is_open(order.order_state)]
