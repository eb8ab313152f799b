"""SetuGateway: the SellerGateway contract on Setu's seller API (http.py does the talking).
Section numbers (§n) refer to ../shared/api/setu-ondc.md; requests follow the spec ([S]).

Where Setu's API falls short of the contract, the gateway keeps what it needs (records.py):
- Creating is idempotent by our ids: what we sent is recorded with Setu's id; the same payload
  again returns that id, another one under the same id is AlreadyExists (Setu has no lookup by
  our ids, so a POST whose answer was lost and whose retry gets 409 cannot be recovered: the
  operator log names the id).
- PATCH needs whole bodies ([S] SellerDTO, StoreFrontUpdateDTO): the current record is read,
  the changes merged in, the whole sent.
- Pause: Setu reports a storefront's status but has no call to set it (§6). Pausing sends every
  day closed and no orders outside hours, keeping the real hours and policy here; resuming
  sends them back. While paused, get_storefront shows OFFLINE and the real hours.
- Stock: Setu's catalogue GET has no stock (§7.3); the last count sent is kept here. Setu does
  not say whether it reserves stock when an order is accepted, so the gateway does it as the
  contract asks: an accepted order's packs are taken out of the count (and PATCHed to Setu),
  a cancelled one's put back, and an order for more than the count is refused.
- Orders changed since a cursor: Setu lists a storefront's orders and nothing more (§9). A
  poll lists every storefront's orders (a few at a time) and numbers what is new or changed;
  the next poll comes once those changes have all been read, so paging costs no extra polls.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine

from bot.domain.orders import FINAL_STATES, holds_stock, quantities
from bot.gateways.base import (
    ORDER_STATES,
    AlreadyExists,
    CatalogueItem,
    FieldError,
    GatewayError,
    InvalidRequest,
    NotFound,
    Order,
    OrderChange,
    OrderChanges,
    OrderStateUpdate,
    OrderUpdateResult,
    Seller,
    SellerGateway,
    SellerInput,
    SellerUpdate,
    Storefront,
    StorefrontInput,
    StorefrontStatus,
    StorefrontUpdate,
    Unavailable,
    UploadResult,
)
from bot.gateways.setu.http import SetuHttp
from bot.gateways.setu.records import Records, item_key

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# StoreFrontUpdateDTO's fields (§6): the whole storefront but its two ids.
_STOREFRONT_FIELDS = tuple(StorefrontUpdate.model_fields)
log = logging.getLogger(__name__)

POLLS_AT_ONCE = 8  # storefronts whose orders are listed at the same time


def _json(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)


class SetuGateway(SellerGateway):
    def __init__(self, http: SetuHttp, engine: Engine) -> None:
        self._http = http
        self._records = Records(engine)

    async def aclose(self) -> None:
        await self._http.aclose()

    # Seller (§5) -----------------------------------------------------------------------------

    async def create_seller(self, seller: SellerInput) -> int:
        payload = _json(seller)
        known = self._records.get("seller", seller.seller_id)
        if known is not None and known.setu_id is not None:
            if known.data == payload:
                return known.setu_id
            raise AlreadyExists("seller_id is taken by another seller", code="1001")
        answer = await self._create("/api/sellers", "seller_id", seller.seller_id, payload)
        setu_seller_id = int(answer["setu_seller_id"])
        self._records.put("seller", seller.seller_id, setu_seller_id, payload)
        return setu_seller_id

    async def _create(
        self, path: str, id_name: str, our_id: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """POSTs a new seller or storefront. A 409 for an id we have no record of can be a create
        whose answer was lost (Setu has no lookup by our ids): the operator is told which."""
        try:
            return await self._http.request("POST", path, json=payload, idempotent=False)
        except AlreadyExists:
            log.error(
                "Setu says %s %s is taken, and this bot has no record of creating it: if an "
                "earlier create's answer was lost, find it in Setu's dashboard",
                id_name,
                our_id,
            )
            raise

    async def get_seller(self, setu_seller_id: int) -> Seller:
        answer = await self._http.request("GET", f"/api/sellers/{setu_seller_id}", idempotent=True)
        return Seller.model_validate(answer)

    async def update_seller(self, setu_seller_id: int, changes: SellerUpdate) -> None:
        current = await self.get_seller(setu_seller_id)
        merged = {**_json(current), **changes.model_dump(mode="json", exclude_unset=True)}
        body = {name: value for name, value in merged.items() if value is not None}
        await self._http.request(
            "PATCH", f"/api/sellers/{setu_seller_id}", json=body, idempotent=True
        )
        self._records.forget("seller", current.seller_id)
        sent = SellerInput.model_validate(
            {k: v for k, v in body.items() if k in SellerInput.model_fields}
        )
        self._records.put("seller", sent.seller_id, setu_seller_id, _json(sent))

    async def delete_seller(self, setu_seller_id: int) -> None:
        current = await self.get_seller(setu_seller_id)
        await self._http.request("DELETE", f"/api/sellers/{setu_seller_id}", idempotent=True)
        self._records.forget("seller", current.seller_id)

    # Storefront (§6) -------------------------------------------------------------------------

    async def create_storefront(self, storefront: StorefrontInput) -> int:
        payload = _json(storefront)
        known = self._records.get("storefront", storefront.storefront_id)
        if known is not None and known.setu_id is not None:
            if known.data.get("sent") == payload:
                return known.setu_id
            raise AlreadyExists("storefront_id is taken by another storefront", code="1003")
        answer = await self._create(
            "/api/storefronts", "storefront_id", storefront.storefront_id, payload
        )
        setu_storefront_id = int(answer["setu_storefront_id"])
        self._records.put(
            "storefront", storefront.storefront_id, setu_storefront_id, {"sent": payload}
        )
        return setu_storefront_id

    async def get_storefront(self, setu_storefront_id: int) -> Storefront:
        answer = await self._http.request(
            "GET", f"/api/storefronts/{setu_storefront_id}", idempotent=True
        )
        paused = self._paused(setu_storefront_id)
        if paused is not None:  # the real hours and policy, as the seller set them
            answer = {**answer, **paused, "status": StorefrontStatus.OFFLINE.value}
        return Storefront.model_validate(answer)

    async def update_storefront(self, setu_storefront_id: int, changes: StorefrontUpdate) -> None:
        current = await self.get_storefront(setu_storefront_id)
        wanted = {
            **_update_body(current),
            **changes.model_dump(mode="json", exclude_unset=True, exclude_none=True),
        }
        paused = self._paused(setu_storefront_id)
        if paused is not None:  # stays paused: the new hours are kept for the resume
            self._set_paused(
                setu_storefront_id,
                {"business_hours": wanted["business_hours"], "policies": wanted["policies"]},
            )
            wanted = {**wanted, **_closed(wanted["policies"])}
        await self._patch_storefront(setu_storefront_id, wanted)

    async def set_storefront_status(
        self, setu_storefront_id: int, status: StorefrontStatus
    ) -> None:
        current = await self.get_storefront(setu_storefront_id)
        paused = self._paused(setu_storefront_id) is not None
        if (status is StorefrontStatus.OFFLINE) == paused:
            return  # already so
        body = _update_body(current)
        if status is StorefrontStatus.OFFLINE:
            self._set_paused(
                setu_storefront_id,
                {"business_hours": body["business_hours"], "policies": body["policies"]},
            )
            body = {**body, **_closed(body["policies"])}
        else:
            self._set_paused(setu_storefront_id, None)
        await self._patch_storefront(setu_storefront_id, body)

    async def delete_storefront(self, setu_storefront_id: int) -> None:
        await self._http.request(
            "DELETE", f"/api/storefronts/{setu_storefront_id}", idempotent=True
        )
        record = self._records.by_setu_id("storefront", setu_storefront_id)
        if record is not None:
            self._records.forget("storefront", record.key)
        self._records.forget_items_of(setu_storefront_id)

    async def _patch_storefront(self, setu_storefront_id: int, body: dict[str, Any]) -> None:
        await self._http.request(
            "PATCH", f"/api/storefronts/{setu_storefront_id}", json=body, idempotent=True
        )

    def _paused(self, setu_storefront_id: int) -> dict[str, Any] | None:
        record = self._records.by_setu_id("storefront", setu_storefront_id)
        return record.data.get("paused") if record is not None else None

    def _set_paused(self, setu_storefront_id: int, saved: dict[str, Any] | None) -> None:
        record = self._records.by_setu_id("storefront", setu_storefront_id)
        if record is None:
            raise NotFound("a storefront this bot did not open", code="1004")
        data = (
            {**record.data, "paused": saved}
            if saved
            else {k: v for k, v in record.data.items() if k != "paused"}
        )
        self._records.put("storefront", record.key, setu_storefront_id, data)

    # Catalogue and inventory (§7, §8) --------------------------------------------------------

    async def upsert_catalogue(
        self, setu_storefront_id: int, items: Sequence[CatalogueItem]
    ) -> UploadResult:
        body = [_json(item) for item in items]
        answer = await self._http.request(
            "PUT", f"/api/storefronts/{setu_storefront_id}/catalogue", json=body, idempotent=True
        )
        for item, sent in zip(items, body, strict=True):
            key = item_key(setu_storefront_id, item.catalogue_item_id)
            self._records.put("item", key, None, sent)
        counts = answer or {}
        return UploadResult(
            approved=_count(counts, "approved"),
            pending_approval=_count(counts, "pending_approval"),
            failed=_count(counts, "failed"),
        )

    async def delete_catalogue_items(
        self, setu_storefront_id: int, catalogue_item_ids: Sequence[str]
    ) -> None:
        body = [{"catalogue_item_id": item_id} for item_id in catalogue_item_ids]
        await self._http.request(
            "DELETE",
            f"/api/storefronts/{setu_storefront_id}/catalogue",
            json=body,
            idempotent=True,
        )
        for item_id in catalogue_item_ids:
            self._records.forget("item", item_key(setu_storefront_id, item_id))

    async def get_catalogue_item(
        self, setu_storefront_id: int, catalogue_item_id: str
    ) -> CatalogueItem:
        answer = await self._http.request(
            "GET",
            f"/api/storefronts/{setu_storefront_id}/catalogue/{catalogue_item_id}",
            idempotent=True,
        )
        sent = self._records.get("item", item_key(setu_storefront_id, catalogue_item_id))
        area = {k: v for k, v in answer["serviceability"].items() if k in {"radius", "pincodes"}}
        return CatalogueItem.model_validate(
            {
                "catalogue_item_id": answer["storefront_catalogue_item_id"],
                "sub_categories": answer["categories"],
                "catalogue_item_details": answer["item_details"],
                "item_policies": answer["item_policies"],
                # §7.3 gives the area in force (the storefront's when the item has none);
                # what was sent for the item says which it was.
                "serviceability": sent.data["serviceability"] if sent else area,
                # §7.3: no stock in Setu's answer; the count last sent.
                "inventory": sent.data["inventory"] if sent else None,
            }
        )

    async def set_inventory(
        self, setu_storefront_id: int, catalogue_item_id: str, quantity: int
    ) -> None:
        if quantity < 0:
            raise InvalidRequest([FieldError("quantity", "must not be negative")])
        await self._http.request(
            "PATCH",
            f"/api/storefronts/{setu_storefront_id}/catalogue/{catalogue_item_id}/inventory",
            json={"quantity": quantity},
            idempotent=True,
        )
        self._count(setu_storefront_id, catalogue_item_id, quantity)
        self._records.forget("unsent", item_key(setu_storefront_id, catalogue_item_id))

    def _count(self, setu_storefront_id: int, catalogue_item_id: str, quantity: int) -> None:
        """Notes the item's stock count (Setu's GET cannot tell it)."""
        key = item_key(setu_storefront_id, catalogue_item_id)
        sent = self._records.get("item", key)
        if sent is not None:
            inventory = {**sent.data["inventory"], "quantity": quantity}
            self._records.put("item", key, None, {**sent.data, "inventory": inventory})

    # Orders (§9) -------------------------------------------------------------------------------

    async def list_orders(self, setu_storefront_id: int) -> list[Order]:
        return [Order.model_validate(o) for o in await self._orders(setu_storefront_id)]

    async def _orders(self, setu_storefront_id: int) -> list[dict[str, Any]]:
        answer = await self._http.request(
            "GET",
            f"/api/storefronts/{setu_storefront_id}/orders",
            params={"store_front_id": setu_storefront_id},  # §9: [S] wants the query too
            idempotent=True,
        )
        return list(answer or [])

    async def changed_orders(self, since: str | None, limit: int = 500) -> OrderChanges:
        version = int(since) if since else 0
        rows = self._records.orders_since(version, limit)
        if not rows:  # the last poll's changes are all taken: poll again
            await self._poll_orders()
            rows = self._records.orders_since(version, limit)
        changes = [
            OrderChange(
                setu_storefront_id=row.setu_storefront_id,
                order=Order.model_validate(row.order),
                placed_at=row.placed_at,
                changed_at=row.changed_at,
            )
            for row in rows
        ]
        return OrderChanges(changes=changes, cursor=str(rows[-1].version if rows else version))

    async def _poll_orders(self) -> None:
        """Every storefront's orders, a few storefronts at a time, noted as they are now (after
        any stock count Setu did not take)."""
        await self._send_unsent_stock()
        gate = asyncio.Semaphore(POLLS_AT_ONCE)

        async def poll(setu_storefront_id: int) -> None:
            async with gate:
                try:
                    orders = await self._orders(setu_storefront_id)
                except NotFound:  # deleted at Setu meanwhile
                    return
            self._records.note_orders(setu_storefront_id, orders)

        await asyncio.gather(*(poll(sid) for sid in self._records.storefront_ids()))

    async def update_orders(
        self, setu_storefront_id: int, updates: Sequence[OrderStateUpdate]
    ) -> OrderUpdateResult:
        current = {o["order_id"]: o for o in await self._orders(setu_storefront_id)}
        stock = self._stock(setu_storefront_id)
        sent: list[OrderStateUpdate] = []
        failed = 0
        for update in updates:
            order = current.get(update.order_id)
            if (
                order is None
                or update.order_state not in ORDER_STATES
                or order["order_state"] in FINAL_STATES
                or not _take(stock, order, update.order_state)
            ):
                failed += 1
                continue
            sent.append(update)
        if not sent:
            return OrderUpdateResult(failed=failed)
        answer = await self._http.request(
            "PUT",
            f"/api/storefronts/{setu_storefront_id}/orders",
            params={"store_front_id": setu_storefront_id},
            json=[_json(update) for update in sent],
            idempotent=True,
        )
        moved = {o["order_id"]: o for o in await self._orders(setu_storefront_id)}
        changed_stock = _moved_stock(current, moved, sent)
        await self._apply_stock(setu_storefront_id, changed_stock)
        return OrderUpdateResult(
            approved=_count(answer or {}, "approved"),
            failed=failed + _count(answer or {}, "failed"),
        )

    def _stock(self, setu_storefront_id: int) -> dict[str, int]:
        """The count last sent for each item of the storefront, by our item id."""
        return {
            record.key.split("/", 1)[1]: int(record.data["inventory"]["quantity"])
            for record in self._records.items_of(setu_storefront_id)
        }

    async def _apply_stock(self, setu_storefront_id: int, delta: dict[str, int]) -> None:
        """Sends the counts the moved orders leave. The orders have moved by now, so a count Setu
        does not take is not raised: it is noted as unsent and sent at the next poll."""
        stock = self._stock(setu_storefront_id)
        for item_id, change in delta.items():
            if change and item_id in stock:
                count = stock[item_id] + change
                try:
                    await self.set_inventory(setu_storefront_id, item_id, count)
                except GatewayError as failure:
                    log.warning(
                        "Setu's stock of item %s in storefront %s is to be %s after an order "
                        "moved; sent again at the next poll: %s",
                        item_id,
                        setu_storefront_id,
                        count,
                        failure,
                    )
                    self._count(setu_storefront_id, item_id, count)
                    self._records.put("unsent", item_key(setu_storefront_id, item_id), None, {})

    async def _send_unsent_stock(self) -> None:
        """The counts orders left that Setu did not take then (see _apply_stock)."""
        for record in self._records.of_kind("unsent"):
            storefront, item_id = record.key.split("/", 1)
            stock = self._stock(int(storefront))
            if item_id not in stock:  # the item is gone meanwhile
                self._records.forget("unsent", record.key)
                continue
            try:
                await self.set_inventory(int(storefront), item_id, stock[item_id])
            except Unavailable:
                return  # still down: the next poll
            except GatewayError as failure:
                log.warning("Setu refused the stock of item %s: %s", record.key, failure)
                self._records.forget("unsent", record.key)


def _update_body(storefront: Storefront) -> dict[str, Any]:
    """The whole StoreFrontUpdateDTO of a storefront as it is (its two ids left out, §6)."""
    return {k: v for k, v in _json(storefront).items() if k in _STOREFRONT_FIELDS}


def _count(answer: dict[str, Any], name: str) -> int:
    part = answer.get(name)
    return int(part.get("count", 0)) if isinstance(part, dict) else 0


def _closed(policies: dict[str, Any]) -> dict[str, Any]:
    """A storefront that takes no orders: every day closed, none outside hours."""
    return {
        "business_hours": {day: [] for day in DAYS},
        "policies": {**policies, "accept_orders_outside_business_hours": False},
    }


def _take(stock: dict[str, int], order: dict[str, Any], new_state: str) -> bool:
    """Whether the stock can follow this move; takes the packs out of `stock` if it must."""
    if holds_stock(new_state) and not holds_stock(order["order_state"]):
        lines = quantities(order["order_items"])
        if any(stock.get(item, 0) < quantity for item, quantity in lines.items()):
            return False
        for item, quantity in lines.items():
            stock[item] -= quantity
    return True


def _moved_stock(
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
    sent: Sequence[OrderStateUpdate],
) -> dict[str, int]:
    """How each item's count changes with the orders Setu actually moved."""
    delta: dict[str, int] = {}
    for update in sent:
        old, new = before[update.order_id], after.get(update.order_id)
        if new is None or new["order_state"] == old["order_state"]:
            continue
        sign = int(holds_stock(old["order_state"])) - int(holds_stock(new["order_state"]))
        for item, quantity in quantities(old["order_items"]).items():
            delta[item] = delta.get(item, 0) + sign * quantity
    return delta
