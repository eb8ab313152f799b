"""The store's index of storefronts: a seller's shops, ownership checks, renames and deletions."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from bot.storage.db import make_engine
from bot.storage.migrate import upgrade
from bot.storage.models import Seller, Shop
from bot.storage.store import Store

OWNER, STRANGER = 7_000_000_001, 42


def add_seller(store: Store, telegram_id: int) -> str:
    seller_id = str(uuid.uuid4())
    store.add_seller(
        Seller(
            id=seller_id,
            telegram_id=telegram_id,
            gateway="local",
            gateway_seller_id=telegram_id % 1000,
            display_name=f"Seller {telegram_id}",
            phone="+919812345678",
        )
    )
    return seller_id


def add_shop(store: Store, seller_id: str, name: str, gateway_id: int = 1) -> Shop:
    return store.add_shop(
        Shop(
            storefront_id=str(uuid.uuid4()),
            seller_id=seller_id,
            gateway_storefront_id=gateway_id,
            name=name,
        )
    )


@pytest.fixture
def store(engine: Engine) -> Store:
    return Store(engine)


def test_add_shop_gives_the_shop_its_id(store: Store) -> None:
    seller_id = add_seller(store, OWNER)
    shop = add_shop(store, seller_id, "Sharma Kirana, Kothrud", gateway_id=17)
    assert isinstance(shop.id, int)
    assert shop.name == "Sharma Kirana, Kothrud"
    assert shop.gateway_storefront_id == 17
    assert shop.created_at is not None


def test_shops_of_lists_a_sellers_shops_oldest_first(engine: Engine, store: Store) -> None:
    owner = add_seller(store, OWNER)
    stranger = add_seller(store, STRANGER)
    first = add_shop(store, owner, "Kothrud", gateway_id=1)
    add_shop(store, stranger, "Elsewhere", gateway_id=2)
    second = add_shop(store, owner, "Baner", gateway_id=3)
    shops = Store(engine).shops_of(owner)  # a fresh store reads it from the database
    assert [shop.id for shop in shops] == [first.id, second.id]
    assert [shop.name for shop in shops] == ["Kothrud", "Baner"]
    assert [shop.storefront_id for shop in shops] == [first.storefront_id, second.storefront_id]
    assert [shop.name for shop in store.shops_of(stranger)] == ["Elsewhere"]


def test_a_seller_without_shops_has_none(store: Store) -> None:
    assert store.shops_of(add_seller(store, OWNER)) == []
    assert store.shops_of("no-such-seller") == []


def test_shop_of_returns_the_shop_only_to_its_owner(store: Store) -> None:
    owner = add_seller(store, OWNER)
    add_seller(store, STRANGER)
    shop = add_shop(store, owner, "Kothrud", gateway_id=9)
    assert shop.id is not None
    found = store.shop_of(OWNER, shop.id)
    assert found is not None
    assert (found.id, found.name, found.gateway_storefront_id) == (shop.id, "Kothrud", 9)
    assert store.shop_of(STRANGER, shop.id) is None  # another seller's button
    assert store.shop_of(12345, shop.id) is None  # someone who never registered
    assert store.shop_of(OWNER, shop.id + 1000) is None


def test_shop_of_tells_two_sellers_shops_apart(store: Store) -> None:
    mine = add_shop(store, add_seller(store, OWNER), "Mine")
    theirs = add_shop(store, add_seller(store, STRANGER), "Theirs")
    assert mine.id is not None and theirs.id is not None
    assert store.shop_of(OWNER, theirs.id) is None
    assert store.shop_of(STRANGER, mine.id) is None
    found = store.shop_of(STRANGER, theirs.id)
    assert found is not None and found.name == "Theirs"


def test_the_copy_of_a_storefront_follows_its_edits(engine: Engine, store: Store) -> None:
    owner = add_seller(store, OWNER)
    shop = add_shop(store, owner, "Kothrud")
    other = add_shop(store, owner, "Baner")
    assert shop.id is not None and shop.categories == [] and shop.has_location is False
    store.copy_storefront(
        shop.id, name="Sharma Kirana, Kothrud", categories=["Grocery"], has_location=True
    )
    assert [s.name for s in Store(engine).shops_of(owner)] == ["Sharma Kirana, Kothrud", "Baner"]
    found = store.shop_of(OWNER, shop.id)
    assert found is not None and found.name == "Sharma Kirana, Kothrud"
    assert found.categories == ["Grocery"] and found.has_location is True
    assert other.name == "Baner"


def test_copying_a_missing_shop_changes_nothing(store: Store) -> None:
    owner = add_seller(store, OWNER)
    shop = add_shop(store, owner, "Kothrud")
    assert shop.id is not None
    store.copy_storefront(shop.id + 1000, name="Ghost", categories=[], has_location=False)
    assert [s.name for s in store.shops_of(owner)] == ["Kothrud"]


def test_delete_shop(engine: Engine, store: Store) -> None:
    owner = add_seller(store, OWNER)
    gone = add_shop(store, owner, "Kothrud")
    kept = add_shop(store, owner, "Baner")
    assert gone.id is not None
    store.delete_shop(gone.id)
    assert [s.id for s in Store(engine).shops_of(owner)] == [kept.id]
    assert store.shop_of(OWNER, gone.id) is None
    store.delete_shop(gone.id)  # deleting again, or a shop never there, is no error
    store.delete_shop(gone.id + 1000)
    assert [s.id for s in store.shops_of(owner)] == [kept.id]


def test_a_deleted_shops_id_is_never_given_again(store: Store) -> None:
    # An old button ("sf:open:12") must find nothing, not the seller's next shop.
    owner = add_seller(store, OWNER)
    add_shop(store, owner, "Kothrud")
    last = add_shop(store, owner, "Baner")
    assert last.id is not None
    store.delete_shop(last.id)
    newer = add_shop(store, owner, "Aundh")
    assert newer.id is not None and newer.id > last.id
    assert store.shop_of(OWNER, last.id) is None


def test_a_storefront_is_indexed_once(store: Store) -> None:
    # Listing it again (a Create repeated after a crash) returns the row already there.
    owner = add_seller(store, OWNER)
    shop = add_shop(store, owner, "Kothrud")
    again = store.add_shop(
        Shop(
            storefront_id=shop.storefront_id,
            seller_id=owner,
            gateway_storefront_id=shop.gateway_storefront_id,
            name=shop.name,
        )
    )
    assert again.id == shop.id
    assert [s.id for s in store.shops_of(owner)] == [shop.id]


def test_a_shop_needs_a_known_seller(store: Store) -> None:
    with pytest.raises(IntegrityError):
        add_shop(store, "no-such-seller", "Orphan")


def test_shops_on_a_migrated_database(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    store = Store(engine)
    owner = add_seller(store, OWNER)
    add_seller(store, STRANGER)
    first = add_shop(store, owner, "Kothrud")
    second = add_shop(store, owner, "Baner")
    assert second.id is not None
    store.copy_storefront(second.id, name="Baner Road", categories=[], has_location=False)
    store.delete_shop(second.id)
    third = add_shop(store, owner, "Aundh")
    assert third.id is not None and third.id > second.id
    assert [s.name for s in store.shops_of(owner)] == ["Kothrud", "Aundh"]
    assert first.id is not None and store.shop_of(STRANGER, first.id) is None
    engine.dispose()
