"""The store's index of products: pages by name, search, ownership, stock, deletion."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from bot.storage.models import Product, search_key
from bot.storage.store import Store
from tests.unit.test_shops_store import OWNER, STRANGER, add_seller, add_shop


@pytest.fixture
def store(engine: Engine) -> Store:
    return Store(engine)


def product(shop_id: int, name: str, price: str = "120.00", stock: int = 5) -> Product:
    return Product(
        catalogue_item_id=str(uuid.uuid4()),
        shop_id=shop_id,
        name=name,
        name_key="",
        price=Decimal(price),
        stock=stock,
    )


@pytest.fixture
def shop_id(store: Store) -> int:
    shop = add_shop(store, add_seller(store, OWNER), "Sharma Kirana")
    assert shop.id is not None
    return shop.id


def test_pages_go_by_name_and_count_everything(store: Store, shop_id: int) -> None:
    names = [f"Item {n:02d}" for n in range(19)]
    for name in reversed(names):
        store.save_product(product(shop_id, name))

    first, total = store.products_page(shop_id, 0, 8)
    last, _ = store.products_page(shop_id, 2, 8)

    assert total == 19
    assert [p.name for p in first] == names[:8]
    assert [p.name for p in last] == names[16:]
    assert store.products_page(shop_id, 3, 8) == ([], 19)


def test_search_finds_part_of_a_name_in_any_case(store: Store, shop_id: int) -> None:
    for name in ("Amul Butter 500 g", "Tata Salt 1 kg", "BUTTER cookies", "मक्खन"):
        store.save_product(product(shop_id, name))

    found, total = store.products_page(shop_id, 0, 8, search="butter")

    assert total == 2 and {p.name for p in found} == {"Amul Butter 500 g", "BUTTER cookies"}
    assert [p.name for p in store.products_page(shop_id, 0, 8, search="मक्ख")[0]] == ["मक्खन"]
    assert store.products_page(shop_id, 0, 8, search="  salt ")[1] == 1


@pytest.mark.parametrize("typed", ["%", "_", "50%", "a_b", "\\"])
def test_search_takes_like_wildcards_as_letters(store: Store, shop_id: int, typed: str) -> None:
    store.save_product(product(shop_id, "Plain flour"))
    store.save_product(product(shop_id, f"Odd {typed} name"))

    found, total = store.products_page(shop_id, 0, 8, search=typed)

    assert total == 1 and found[0].name == f"Odd {typed} name"


def test_saving_the_same_item_again_updates_its_listing(store: Store, shop_id: int) -> None:
    first = store.save_product(product(shop_id, "Amul Butter", price="250.00"))
    again = product(shop_id, "Amul Butter 500 g", price="260.00", stock=9)
    again.catalogue_item_id = first.catalogue_item_id

    saved = store.save_product(again)

    assert saved.id == first.id
    assert (saved.name, saved.price, saved.stock) == ("Amul Butter 500 g", Decimal("260.00"), 9)
    assert saved.name_key == search_key("Amul Butter 500 g")


def test_only_the_owner_reaches_a_product(store: Store, shop_id: int) -> None:
    add_shop(store, add_seller(store, STRANGER), "Other shop")
    saved = store.save_product(product(shop_id, "Amul Butter"))
    assert saved.id is not None

    assert store.product_of(OWNER, saved.id) is not None
    assert store.product_of(STRANGER, saved.id) is None
    assert store.product_of(OWNER, saved.id + 1) is None


def test_stock_and_deletion(store: Store, shop_id: int) -> None:
    saved = store.save_product(product(shop_id, "Amul Butter", stock=3))
    assert saved.id is not None
    store.set_product_stock(saved.id, 0)
    assert store.product_of(OWNER, saved.id).stock == 0  # type: ignore[union-attr]
    store.delete_product(saved.id)
    assert store.product_of(OWNER, saved.id) is None


def test_deleting_a_shop_forgets_its_products(store: Store, shop_id: int) -> None:
    saved = store.save_product(product(shop_id, "Amul Butter"))
    store.delete_shop(shop_id)
    assert saved.id is not None and store.product_of(OWNER, saved.id) is None
    assert store.products_page(shop_id, 0, 8) == ([], 0)


def _alert(store: Store, shop_id: int, items: list[tuple[Product, int]], state: str):
    from bot.storage.models import OrderAlert

    lines = [{"store_front_product_id": p.catalogue_item_id, "quantity": q} for p, q in items]
    return store.add_alert(
        OrderAlert(
            order_id=str(uuid.uuid4()),
            shop_id=shop_id,
            chat_id=OWNER,
            state=state,
            details={"order": {"order_items": lines}},
        )
    )


def test_orders_move_the_index_stock_once_and_make_low_stock_due(
    store: Store, shop_id: int
) -> None:
    butter = store.save_product(product(shop_id, "Butter", stock=5))
    salt = store.save_product(product(shop_id, "Salt", stock=9))
    alert = _alert(store, shop_id, [(butter, 2), (salt, 1), (butter, 1)], "Created")
    assert store.move_alert(alert, "Accepted", reason=None) is True
    assert store.move_alert(alert, "Accepted") is False  # the watcher sees the same move
    assert alert.state == "Accepted"
    stocks = {p.name: (p.stock, p.low_stock) for p in store.products_page(shop_id, 0, 10)[0]}
    assert stocks == {"Butter": (2, "due"), "Salt": (8, "ok")}
    assert [(p.name, chat) for p, chat in store.low_stock_due()] == [("Butter", OWNER)]
    claimed = store.claim_low_stock(butter.id or 0)
    assert claimed is not None and claimed.stock == 2
    assert store.claim_low_stock(butter.id or 0) is None  # one claim, one message
    assert store.low_stock_due() == []
    assert store.move_alert(alert, "Packed") is True  # no stock change
    assert store.move_alert(alert, "Cancelled") is True  # back on the shelf, above the level
    stocks = {p.name: (p.stock, p.low_stock) for p in store.products_page(shop_id, 0, 10)[0]}
    assert stocks == {"Butter": (5, "ok"), "Salt": (9, "ok")}


def test_an_order_seen_first_when_accepted_takes_its_stock(store: Store, shop_id: int) -> None:
    butter = store.save_product(product(shop_id, "Butter", stock=1))
    alert = _alert(store, shop_id, [(butter, 3)], "Accepted")  # more than the index knew
    listed = store.product_of(OWNER, butter.id or 0)
    assert listed is not None and listed.stock == 0  # 0, not -2
    store.move_alert(alert, "Cancelled")  # gives back the 1 it took, not 3
    listed = store.product_of(OWNER, butter.id or 0)
    assert listed is not None and listed.stock == 1
    salt = store.save_product(product(shop_id, "Salt", stock=5))
    _alert(store, shop_id, [(salt, 4)], "Accepted")
    claimed = store.claim_low_stock(salt.id or 0)
    assert claimed is not None and claimed.stock == 1
    store.unclaim_low_stock(salt.id or 0)  # the send failed: due again
    assert [p.name for p, _ in store.low_stock_due()] == ["Salt"]


def test_the_seller_sets_the_level_and_a_relisting_keeps_it(store: Store, shop_id: int) -> None:
    butter = store.save_product(product(shop_id, "Butter", stock=4))
    assert butter.low_stock_at == 2
    changed = store.set_low_stock_at(butter.id or 0, 5)
    assert changed is not None and (changed.low_stock_at, changed.low_stock) == (5, "told")
    relisted = store.save_product(
        product(shop_id, "Butter", stock=9).model_copy(
            update={"catalogue_item_id": butter.catalogue_item_id}
        )
    )
    assert (relisted.low_stock_at, relisted.low_stock) == (5, "ok")
    store.set_product_stock(butter.id or 0, 1)  # the seller's own count: no alert due
    assert store.low_stock_due() == []
    assert store.set_low_stock_at(butter.id or 0, None).low_stock == "ok"  # type: ignore[union-attr]
