"""The `gateway` fixture: every SellerGateway implementation, each on every test database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from bot.gateways.base import OrderInput, SellerGateway
from bot.gateways.local import LocalGateway

SeedOrder = Callable[[int, OrderInput], Awaitable[str]]


@dataclass
class Harness:
    """A gateway under test, plus how to play the buyer's side (placing orders) against it."""

    gateway: SellerGateway
    seed_order: SeedOrder


async def _local(engine: Engine) -> Harness:
    gateway = LocalGateway(engine)
    return Harness(gateway=gateway, seed_order=gateway.create_order)


# A new implementation adds a factory here, e.g. a SetuGateway pointed at a fake Setu server whose
# seed_order POSTs to /api/storefronts/{id}/orders (setu-ondc.md §9).
IMPLEMENTATIONS: dict[str, Callable[[Engine], Awaitable[Harness]]] = {"local": _local}


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
