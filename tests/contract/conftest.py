"""The `gateway` fixture: every SellerGateway implementation, each on every test database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from bot.gateways.base import OrderInput, SellerGateway
from bot.gateways.local import LocalGateway
from bot.gateways.setu.gateway import SetuGateway
from bot.gateways.setu.http import SANDBOX_URL, SetuHttp
from bot.storage.store import Store
from tests.fakes.setu_server import FakeSetu

SeedOrder = Callable[[int, OrderInput], Awaitable[str]]


@dataclass
class Harness:
    """A gateway under test, plus how to play the buyer's side (placing orders) against it."""

    gateway: SellerGateway
    seed_order: SeedOrder


async def _local(engine: Engine) -> Harness:
    gateway = LocalGateway(engine)
    return Harness(gateway=gateway, seed_order=gateway.create_order)


async def _setu(engine: Engine) -> Harness:
    """SetuGateway over HTTP (an httpx transport) to the fake Setu, which validates every request
    against Setu's OpenAPI spec; orders are placed on the fake as a buyer app would."""
    fake = FakeSetu()
    http = SetuHttp(
        SANDBOX_URL, fake.client_id, fake.client_secret, Store(engine), transport=fake.transport()
    )

    async def seed_order(setu_storefront_id: int, order: OrderInput) -> str:
        return fake.add_order(setu_storefront_id, order.model_dump(mode="json"))

    return Harness(gateway=SetuGateway(http, engine), seed_order=seed_order)


IMPLEMENTATIONS: dict[str, Callable[[Engine], Awaitable[Harness]]] = {
    "local": _local,
    "setu": _setu,
}


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
async def harness(request: pytest.FixtureRequest, engine: Engine) -> AsyncIterator[Harness]:
    harness = await IMPLEMENTATIONS[request.param](engine)
    yield harness
    await harness.gateway.aclose()


@pytest.fixture
def gateway(harness: Harness) -> SellerGateway:
    return harness.gateway


@pytest.fixture
def seed_order(harness: Harness) -> SeedOrder:
    return harness.seed_order
