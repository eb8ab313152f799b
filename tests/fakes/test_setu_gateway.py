"""What the Setu gateway does beyond the contract when Setu fails half-way: an order that moved
stays moved when the stock count after it cannot be sent (the count goes at the next poll), and
a create whose retry is refused as taken names the id for the operator."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Engine

from bot.gateways.base import AlreadyExists, OrderStateUpdate
from bot.gateways.setu.gateway import SetuGateway
from bot.storage.store import Store
from tests.contract import samples
from tests.fakes.setu_server import FakeSetu
from tests.fakes.test_setu_http import Clock, make_http


@pytest.fixture
def fake() -> FakeSetu:
    return FakeSetu()


@pytest.fixture
async def gateway(fake: FakeSetu, engine: Engine) -> AsyncIterator[SetuGateway]:
    gateway = SetuGateway(make_http(fake, Store(engine), Clock()), engine)
    yield gateway
    await gateway.aclose()


async def test_an_order_moved_stays_moved_and_its_stock_is_sent_at_the_next_poll(
    gateway: SetuGateway, fake: FakeSetu, caplog: pytest.LogCaptureFixture
) -> None:
    seller = await gateway.create_seller(samples.seller_input())
    storefront = await gateway.create_storefront(samples.storefront_input(seller))
    item = samples.catalogue_item()
    await gateway.upsert_catalogue(storefront, [item])
    order_id = fake.add_order(
        storefront, samples.order_input(item.catalogue_item_id).model_dump(mode="json")
    )
    inventory = f"/api/storefronts/{storefront}/catalogue/{item.catalogue_item_id}/inventory"
    fake.fail_next(inventory, status=503, count=4)  # every attempt of one call
    with caplog.at_level(logging.WARNING):
        result = await gateway.update_orders(
            storefront, [OrderStateUpdate(order_id=order_id, order_state="Accepted")]
        )
    assert result.approved == 1
    [order] = fake.orders[storefront]
    assert order["order_state"] == "Accepted"
    assert f"{item.catalogue_item_id} in storefront {storefront} is to be 18" in caplog.text
    [stored] = fake.catalogues[storefront].values()
    assert stored.quantity == 20  # Setu did not take the count then
    changes = await gateway.changed_orders(None)  # the next poll sends it
    assert stored.quantity == 18
    sent = len(fake.requests)
    await gateway.changed_orders(changes.cursor)
    assert [r.method for r in fake.requests[sent:]] == ["GET"]  # sent once, not again


async def test_a_create_refused_as_taken_names_the_id_for_the_operator(
    gateway: SetuGateway, fake: FakeSetu, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    seller = samples.seller_input()
    await gateway.create_seller(seller)
    # Another bot (or this one before its records were lost) made it: no record here.
    forgetful = SetuGateway(make_http(fake, Store(engine), Clock()), engine)
    forgetful._records.forget("seller", seller.seller_id)
    with caplog.at_level(logging.ERROR), pytest.raises(AlreadyExists):
        await forgetful.create_seller(seller)
    assert f"seller_id {seller.seller_id} is taken" in caplog.text
    await forgetful.aclose()
