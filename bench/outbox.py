"""The outbox: how long a seller waits while Setu refuses connections, and how fast the writes
kept meanwhile reach Setu once it answers.

    .venv/bin/python bench/outbox.py        # 1,000 writes, 10 storefronts, 3 runs (~1.5 min)
    .venv/bin/python bench/outbox.py --writes 200 --storefronts 10 --repeat 1

The bot's Outbox and SetuGateway run in this process on a fresh SQLite file; the fake Setu
(tests/fakes/setu_server.py, which checks every request against Setu's OpenAPI spec) is served
over real HTTP on 127.0.0.1. Per run: Setu is stopped, one stock write per storefront is made
the way a seller's press makes it (each goes through the HTTP retries before it is kept), the
rest of the writes wait behind those, Setu starts again, and the outbox is drained. Printed:
medians over the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import SQLModel

import bot.storage.tables  # noqa: F401
from bot.gateways.setu.gateway import SetuGateway
from bot.gateways.setu.http import SetuHttp
from bot.outbox import Outbox
from bot.storage.db import make_engine
from bot.storage.store import Store
from tests.contract import samples
from tests.fakes.setu_http_server import FakeSetuServer
from tests.fakes.setu_server import FakeSetu


async def run(writes: int, storefronts: int, directory: Path) -> dict[str, float]:
    fake = FakeSetu()
    server = FakeSetuServer(fake)
    await server.start()
    port = int(server.url.rsplit(":", 1)[1])
    engine = make_engine(f"sqlite:///{directory / 'bench.db'}")
    SQLModel.metadata.create_all(engine)
    http = SetuHttp(server.url, fake.client_id, fake.client_secret, Store(engine))
    gateway = SetuGateway(http, engine)
    outbox = Outbox(engine, gateway)
    items: list[tuple[int, str]] = []
    seller = await gateway.create_seller(samples.seller_input())
    for _ in range(storefronts):
        storefront = await gateway.create_storefront(samples.storefront_input(seller))
        item = samples.catalogue_item()
        await gateway.upsert_catalogue(storefront, [item])
        items.append((storefront, item.catalogue_item_id))

    await server.stop()  # connections refused from here
    kept_seconds = []
    for storefront, item_id in items:  # the first write of each storefront tries Setu
        started = time.perf_counter()
        assert not await outbox.set_stock(storefront, item_id, 1, chat_id=1, label="x")
        kept_seconds.append(time.perf_counter() - started)
    behind_seconds = []
    for n in range(writes - storefronts):  # the rest wait behind them at once
        storefront, item_id = items[n % storefronts]
        started = time.perf_counter()
        assert not await outbox.set_stock(storefront, item_id, n + 2, chat_id=1, label="x")
        behind_seconds.append(time.perf_counter() - started)

    await server.start(port)
    started = time.perf_counter()
    delivered = 0
    while outbox.waiting():
        delivered += len(await outbox.deliver())
    drain = time.perf_counter() - started
    assert delivered == writes
    last = {storefront: 1 for storefront, _ in items}
    for n in range(writes - storefronts):
        last[items[n % storefronts][0]] = n + 2
    for storefront, item_id in items:  # the newest count of each item is what Setu has
        assert fake.catalogues[storefront][item_id.lower()].quantity == last[storefront]
    await gateway.aclose()
    await server.stop()
    engine.dispose()
    return {
        "kept_p50_ms": statistics.median(kept_seconds) * 1000,
        "kept_max_ms": max(kept_seconds) * 1000,
        "behind_p50_ms": statistics.median(behind_seconds) * 1000 if behind_seconds else 0.0,
        "drain_s": drain,
        "writes_per_s": writes / drain,
    }


async def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # the retries' and the outbox's warnings are expected
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--storefronts", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as directory:
            runs.append(await run(args.writes, args.storefronts, Path(directory)))

    def median(name: str) -> float:
        return statistics.median(r[name] for r in runs)

    print(f"{args.writes} writes to {args.storefronts} storefronts, {args.repeat} runs (medians)")
    print(
        f"  first write to each storefront, Setu refusing: p50 {median('kept_p50_ms'):.0f} ms, "
        f"max {median('kept_max_ms'):.0f} ms (the first pays the HTTP retries; the quiet "
        "period keeps the rest at once)"
    )
    print(f"  kept behind earlier writes: p50 {median('behind_p50_ms'):.1f} ms")
    print(
        f"  drained once Setu answers: {median('drain_s'):.1f} s, "
        f"{median('writes_per_s'):.0f} writes/s, in order, each once"
    )


if __name__ == "__main__":
    asyncio.run(main())
