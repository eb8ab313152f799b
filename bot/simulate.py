"""A buyer app, played by the bot's operator: `sellerbot simulate-order` places an order on a
local storefront as a buyer would, for demos and tests."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal

from bot.gateways.base import OrderInput
from bot.gateways.local import LocalGateway
from bot.storage.models import Product
from bot.storage.store import Store

BUYERS = (
    ("Anita Kulkarni", "9822012345", "Flat 3, Shanti Kunj, Karve Road"),
    ("Rahul Verma", "9811098110", "B-14, Lajpat Nagar II"),
    ("Fatima Shaikh", "9870011223", "Room 7, Noor Manzil, Mohammed Ali Road"),
    ("Suresh Iyer", "9444012345", "12, 3rd Cross, Jayanagar"),
)


class SimulationError(Exception):
    """What stops an order from being placed; its message is one line for the console."""


def parse_items(specs: Sequence[str]) -> list[tuple[str, int]]:
    """ITEM_ID:QTY pairs as typed on the command line (QTY defaults to 1)."""
    items = []
    for spec in specs:
        item_id, _, quantity = spec.partition(":")
        if not item_id or (quantity and not quantity.isdigit()) or quantity == "0":
            raise SimulationError(f"--items takes ITEM_ID:QTY, not {spec!r}")
        items.append((item_id, int(quantity or 1)))
    return items


async def simulate_order(
    store: Store,
    gateway: LocalGateway,
    telegram_id: int,
    storefront: int | None = None,
    items: Sequence[tuple[str, int]] = (),
    *,
    cash_on_delivery: bool = False,
) -> str:
    """Places an order on one of the seller's storefronts (by default the first) for `items`
    (catalogue item ids or our product numbers; by default one or two items in stock)."""
    seller = store.seller_of(telegram_id)
    if seller is None:
        raise SimulationError(f"no seller is registered with Telegram id {telegram_id}")
    shops = store.shops_of(seller.id)
    shop = next((s for s in shops if storefront in (None, s.id)), None)
    if shop is None:
        raise SimulationError(f"seller {telegram_id} has no storefront {storefront or ''}".strip())
    in_stock, _ = store.products_page(shop.id or 0, 0, 100)
    if items:
        by_key: dict[str, Product] = {}
        for product in in_stock:
            by_key[product.catalogue_item_id] = by_key[str(product.id)] = product
        chosen = []
        for key, quantity in items:
            if key not in by_key:
                raise SimulationError(f"storefront {shop.id} has no item {key}")
            chosen.append((by_key[key], quantity))
    else:
        chosen = [(p, 1) for p in in_stock if p.stock > 0][:2]
        if not chosen:
            raise SimulationError(f"storefront {shop.id} has no item in stock to order")
    stored = await gateway.get_storefront(shop.gateway_storefront_id)
    pincodes = stored.serviceability.pincodes or [int(stored.pickup_details.pickup_pincode)]
    name, phone, address = random.choice(BUYERS)
    lines = [
        {
            "store_front_product_id": product.catalogue_item_id,
            "quantity": quantity,
            "unit_price": str(product.price),
            "total_value": str(product.price * quantity),
        }
        for product, quantity in chosen
    ]
    order = OrderInput.model_validate(
        {
            "order_state": "Created",
            "order_items": lines,
            "total_value": str(sum((Decimal(line["total_value"]) for line in lines), Decimal(0))),
            "buyer_details": {
                "name": name,
                "mobile_number": phone,
                "delivery_address": {"address": address, "pincode": pincodes[0]},
            },
        }
    )
    return await gateway.create_order(
        shop.gateway_storefront_id, order, cash_on_delivery=cash_on_delivery
    )
