"""Catalogue pages and name search over 10,000 items in one storefront: what /catalogue and
typing part of a name cost, from the database query to the finished message and keyboard.

    .venv/bin/python bench/catalogue.py [--items 10000] [--runs 200] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from bot.i18n import I18n
from bot.storage.db import make_engine
from bot.storage.migrate import upgrade
from bot.storage.models import Product, Seller, Shop, search_key
from bot.storage.store import Store
from conversations.catalogue import PER_PAGE, page_view

BRANDS = [
    "Amul",
    "Tata",
    "Aashirvaad",
    "Fortune",
    "Parle",
    "Britannia",
    "Haldiram",
    "Maggi",
    "Dabur",
    "Patanjali",
    "MDH",
]
GOODS = [
    "Butter",
    "Salt",
    "Atta",
    "Oil",
    "Biscuits",
    "Rusk",
    "Bhujia",
    "Noodles",
    "Honey",
    "Ghee",
    "Masala",
    "Tea",
    "Coffee",
    "Sugar",
    "Rice",
    "Dal",
    "Besan",
    "Poha",
    "Suji",
    "Jaggery",
    "Pickle",
    "Papad",
    "Soap",
    "Shampoo",
    "Detergent",
]


def seed(store: Store, items: int) -> Shop:
    seller = Seller(
        id=str(uuid.uuid4()),
        telegram_id=uuid.uuid4().int % 10**12,  # a database may be reused
        gateway="local",
        gateway_seller_id=1,
        display_name="Bench Kirana",
        phone="+919812345678",
    )
    store.add_seller(seller)
    shop = store.add_shop(
        Shop(
            storefront_id=str(uuid.uuid4()),
            seller_id=seller.id,
            gateway_storefront_id=1,
            name="Bench Kirana",
        )
    )
    rows = []
    for n in range(items):
        name = f"{BRANDS[n % len(BRANDS)]} {GOODS[n * 7 % len(GOODS)]} {n % 997 + 1} g #{n}"
        rows.append(
            {
                "catalogue_item_id": str(uuid.uuid4()),
                "shop_id": shop.id,
                "name": name,
                "name_key": search_key(name),
                "price": Decimal(10 + n % 500) + Decimal("0.50"),
                "stock": n % 40,
                "answers": {},
            }
        )
    with store.engine.begin() as connection:
        connection.execute(insert(Product), rows)
    return shop


def measure(runs: int, step: Callable[[int], object]) -> list[float]:
    timings = []
    for run in range(runs):
        start = time.perf_counter()
        step(run)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def report(label: str, timings: list[float]) -> None:
    timings = sorted(timings)
    p90 = timings[int(len(timings) * 0.9) - 1]
    print(f"{label:<34} median {statistics.median(timings):6.2f} ms   p90 {p90:6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{Path(directory) / 'bench.db'}"
        upgrade(url)
        store = Store(make_engine(url))
        shop = seed(store, args.items)
        texts = I18n().texts("en")
        pages = -(-args.items // PER_PAGE)

        def page(run: int) -> None:
            number = run * 37 % pages  # pages all over the catalogue, not one cached page
            products, total = store.products_page(shop.id or 0, number, PER_PAGE)
            page_view(shop, products, total, number, texts, None)

        def search(run: int) -> None:
            term = GOODS[run % len(GOODS)].lower()[:4]  # part of a name, as a seller types it
            products, total = store.products_page(shop.id or 0, 0, PER_PAGE, term)
            page_view(shop, products, total, 0, texts, term)

        def search_page_5(run: int) -> None:
            term = BRANDS[run % len(BRANDS)].lower()
            products, total = store.products_page(shop.id or 0, 4, PER_PAGE, term)
            page_view(shop, products, total, 4, texts, term)

        print(f"{args.items:,} items in one storefront, {args.runs} runs each, {url.split(':')[0]}")
        for label, step in (
            ("catalogue page (query + render)", page),
            ("name search, first page", search),
            ("name search, page 5", search_page_5),
        ):
            measure(10, step)  # warm-up
            report(label, measure(args.runs, step))


if __name__ == "__main__":
    main()
