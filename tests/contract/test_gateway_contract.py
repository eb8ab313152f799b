"""The SellerGateway contract: what every gateway implementation must do, resource by resource."""

from __future__ import annotations

from collections.abc import Awaitable
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from pydantic import BaseModel
from sqlalchemy import Engine

from bot.config import ConfigError, Settings
from bot.gateways import make_gateway
from bot.gateways.base import (
    AlreadyExists,
    CatalogueItem,
    InvalidRequest,
    NotFound,
    OrderStateUpdate,
    SellerGateway,
    SellerUpdate,
    StorefrontStatus,
    StorefrontUpdate,
    UploadResult,
)
from bot.gateways.local import LocalGateway
from bot.gateways.setu.gateway import SetuGateway
from bot.storage.store import Store
from tests.contract import samples
from tests.contract.conftest import SeedOrder

Model = TypeVar("Model", bound=BaseModel)


def changed(model: Model, **paths: Any) -> Model:
    """A copy of `model` with fields replaced by dotted path: `**{"price.selling_price": 5}`."""
    payload = model.model_dump(mode="json")
    for path, value in paths.items():
        *parents, last = path.split(".")
        target = payload
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[last] = value
    return type(model).model_validate(payload)


async def rejected_fields(call: Awaitable[object]) -> list[str]:
    """The field paths an InvalidRequest names; fails the test if the call is accepted."""
    with pytest.raises(InvalidRequest) as info:
        await call
    assert info.value.errors, "an InvalidRequest must say which fields are wrong"
    return info.value.fields


# ---------------------------------------------------------------------------------------------
# Seller


async def test_created_seller_reads_back_with_every_field(gateway: SellerGateway) -> None:
    sent = samples.seller_input()
    setu_seller_id = await gateway.create_seller(sent)

    seller = await gateway.get_seller(setu_seller_id)

    assert seller.setu_seller_id == setu_seller_id
    assert seller.model_dump(exclude={"setu_seller_id"}) == sent.model_dump()


async def test_each_seller_gets_its_own_id(gateway: SellerGateway) -> None:
    first = await gateway.create_seller(samples.seller_input())
    second = await gateway.create_seller(samples.seller_input(name="Patil Stores"))

    assert first != second
    assert (await gateway.get_seller(second)).name == "Patil Stores"


async def test_seller_outside_food_needs_no_fssai(gateway: SellerGateway) -> None:
    sent = samples.seller_input(categories=["Home & Kitchen"], fssai_number=None)

    seller = await gateway.get_seller(await gateway.create_seller(sent))

    assert seller.fssai_number is None


async def test_duplicate_seller_id_is_rejected(gateway: SellerGateway) -> None:
    first = samples.seller_input()
    setu_seller_id = await gateway.create_seller(first)

    with pytest.raises(AlreadyExists):
        await gateway.create_seller(samples.seller_input(seller_id=first.seller_id, name="Other"))

    assert (await gateway.get_seller(setu_seller_id)).name == first.name


async def test_creating_the_same_seller_again_is_idempotent(gateway: SellerGateway) -> None:
    """A retry after a lost answer (crash, timeout) must not fail or register twice."""
    sent = samples.seller_input()
    first = await gateway.create_seller(sent)

    assert await gateway.create_seller(sent.model_copy(deep=True)) == first


async def test_unknown_seller_is_not_found(gateway: SellerGateway) -> None:
    with pytest.raises(NotFound):
        await gateway.get_seller(424242)
    with pytest.raises(NotFound):
        await gateway.update_seller(424242, SellerUpdate(name="Ghost"))
    with pytest.raises(NotFound):
        await gateway.delete_seller(424242)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"gst_number": "27AAPFU0939F1AV"}, "gst_number"),  # 14th character must be Z
        ({"gst_number": "ADJKNEMDI1234S"}, "gst_number"),  # the guide's own sample
        ({"pan_number": "AAPFU0939"}, "pan_number"),
        ({"pan_number": "AAPFU0939FX"}, "pan_number"),
        (
            {"bank_account": {"account_number": "1", "ifsc_code": "HDFC00109202"}},
            "bank_account.ifsc_code",
        ),
        ({"categories": ["Grocery"], "fssai_number": None}, "fssai_number"),
        ({"categories": ["F&B"], "fssai_number": None}, "fssai_number"),
        ({"fssai_number": "1234"}, "fssai_number"),
        ({"categories": []}, "categories"),
        ({"name": "  "}, "name"),
        ({"seller_id": "seller-1"}, "seller_id"),
    ],
)
async def test_invalid_seller_is_rejected_naming_the_field(
    gateway: SellerGateway, changes: dict[str, Any], field: str
) -> None:
    assert field in await rejected_fields(gateway.create_seller(samples.seller_input(**changes)))


async def test_every_bad_seller_field_is_reported_at_once(gateway: SellerGateway) -> None:
    bad = samples.seller_input(
        gst_number="GST", bank_account={"account_number": "1", "ifsc_code": "HDFC1"}
    )

    fields = await rejected_fields(gateway.create_seller(bad))

    assert {"gst_number", "bank_account.ifsc_code"} <= set(fields)


async def test_rejected_seller_is_not_stored(gateway: SellerGateway) -> None:
    bad = samples.seller_input(gst_number="GST")
    await rejected_fields(gateway.create_seller(bad))

    # Had anything been stored, the seller_id would now be taken.
    fixed = changed(bad, gst_number=samples.GSTIN)
    seller = await gateway.get_seller(await gateway.create_seller(fixed))

    assert seller.gst_number == samples.GSTIN


async def test_partial_seller_update_changes_only_the_given_fields(gateway: SellerGateway) -> None:
    sent = samples.seller_input()
    setu_seller_id = await gateway.create_seller(sent)

    await gateway.update_seller(setu_seller_id, SellerUpdate(name="Sharma Super Mart"))

    seller = await gateway.get_seller(setu_seller_id)
    expected = sent.model_dump() | {"name": "Sharma Super Mart"}
    assert seller.model_dump(exclude={"setu_seller_id"}) == expected


async def test_seller_update_replaces_the_bank_account(gateway: SellerGateway) -> None:
    setu_seller_id = await gateway.create_seller(samples.seller_input())
    account = {"account_number": "000123456789", "ifsc_code": "SBIN0004567"}

    await gateway.update_seller(
        setu_seller_id, SellerUpdate.model_validate({"bank_account": account})
    )

    seller = await gateway.get_seller(setu_seller_id)
    assert (seller.bank_account.account_number, seller.bank_account.ifsc_code) == (
        "000123456789",
        "SBIN0004567",
    )


async def test_seller_update_may_clear_fssai_when_leaving_food(gateway: SellerGateway) -> None:
    setu_seller_id = await gateway.create_seller(samples.seller_input())

    await gateway.update_seller(
        setu_seller_id, SellerUpdate(categories=["Home & Kitchen"], fssai_number=None)
    )

    seller = await gateway.get_seller(setu_seller_id)
    assert (seller.categories, seller.fssai_number) == (["Home & Kitchen"], None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"gst_number": "27AAPFU0939F1A"}, "gst_number"),
        ({"fssai_number": None}, "fssai_number"),  # still a Grocery seller
        ({"name": None}, "name"),  # a required field cannot be unset
        (
            {"bank_account": {"account_number": "1", "ifsc_code": "hdfc0001234"}},
            "bank_account.ifsc_code",
        ),
    ],
)
async def test_invalid_seller_update_is_rejected_and_changes_nothing(
    gateway: SellerGateway, changes: dict[str, Any], field: str
) -> None:
    sent = samples.seller_input()
    setu_seller_id = await gateway.create_seller(sent)

    update = SellerUpdate.model_validate(changes)
    assert field in await rejected_fields(gateway.update_seller(setu_seller_id, update))

    seller = await gateway.get_seller(setu_seller_id)
    assert seller.model_dump(exclude={"setu_seller_id"}) == sent.model_dump()


async def test_seller_update_to_a_taken_seller_id_is_rejected(gateway: SellerGateway) -> None:
    taken = samples.seller_input()
    await gateway.create_seller(taken)
    setu_seller_id = await gateway.create_seller(samples.seller_input())

    with pytest.raises(AlreadyExists):
        await gateway.update_seller(setu_seller_id, SellerUpdate(seller_id=taken.seller_id))


async def test_deleted_seller_is_gone_and_its_id_never_reused(gateway: SellerGateway) -> None:
    setu_seller_id = await gateway.create_seller(samples.seller_input())

    await gateway.delete_seller(setu_seller_id)

    with pytest.raises(NotFound):
        await gateway.get_seller(setu_seller_id)
    with pytest.raises(NotFound):
        await gateway.delete_seller(setu_seller_id)
    assert await gateway.create_seller(samples.seller_input()) != setu_seller_id


# ---------------------------------------------------------------------------------------------
# Storefront


@pytest.fixture
async def setu_seller_id(gateway: SellerGateway) -> int:
    return await gateway.create_seller(samples.seller_input())


async def test_created_storefront_reads_back_with_every_field(
    gateway: SellerGateway, setu_seller_id: int
) -> None:
    sent = samples.storefront_input(setu_seller_id)
    setu_storefront_id = await gateway.create_storefront(sent)

    storefront = await gateway.get_storefront(setu_storefront_id)

    assert storefront.setu_storefront_id == setu_storefront_id
    assert storefront.status == StorefrontStatus.LIVE
    assert storefront.model_dump(exclude={"setu_storefront_id", "status", "rating"}) == (
        sent.model_dump()
    )


async def test_storefront_may_serve_pincodes_without_coordinates(
    gateway: SellerGateway, setu_seller_id: int
) -> None:
    sent = changed(
        samples.storefront_input(setu_seller_id),
        serviceability={"pincodes": [411038, 411052]},
        **{"pickup_details.pickup_lat": None, "pickup_details.pickup_long": None},
    )

    storefront = await gateway.get_storefront(await gateway.create_storefront(sent))

    assert storefront.serviceability.pincodes == [411038, 411052]
    assert storefront.serviceability.radius is None


async def test_storefront_of_unknown_seller_is_not_found(gateway: SellerGateway) -> None:
    with pytest.raises(NotFound):
        await gateway.create_storefront(samples.storefront_input(424242))


async def test_duplicate_storefront_id_is_rejected(
    gateway: SellerGateway, setu_seller_id: int
) -> None:
    first = samples.storefront_input(setu_seller_id)
    await gateway.create_storefront(first)

    with pytest.raises(AlreadyExists):
        await gateway.create_storefront(
            samples.storefront_input(
                setu_seller_id, storefront_id=first.storefront_id, name="Another shop"
            )
        )


async def test_creating_the_same_storefront_again_is_idempotent(
    gateway: SellerGateway, setu_seller_id: int
) -> None:
    sent = samples.storefront_input(setu_seller_id)
    first = await gateway.create_storefront(sent)

    assert await gateway.create_storefront(sent) == first
    with pytest.raises(NotFound):  # no second storefront was made
        await gateway.get_storefront(first + 1)


@pytest.mark.parametrize(
    ("paths", "field"),
    [
        ({"categories": ["Grocery", "F&B"]}, "categories"),  # the seller has no F&B
        ({"categories": []}, "categories"),
        ({"serviceability": {"radius": 5, "pincodes": [411038]}}, "serviceability"),
        ({"serviceability": {}}, "serviceability"),
        ({"pickup_details.pickup_lat": None}, "serviceability.radius"),
        ({"pickup_details.pickup_lat": "north"}, "pickup_details.pickup_lat"),
        (
            {"business_hours.monday": [{"opening": "21:00", "closing": "09:00"}]},
            "business_hours.monday.0",
        ),
        (
            {"billing_details.legal_details.gstin": "27AAPFU0939F1Z"},
            "billing_details.legal_details.gstin",
        ),
        ({"billing_details.legal_details.pan": "AAPF0939F"}, "billing_details.legal_details.pan"),
        (
            {"billing_details.bank_account.ifsc_code": "HDFC00109202"},
            "billing_details.bank_account.ifsc_code",
        ),
        ({"billing_details.contact_detail.email": "ondc@"}, "billing_details.contact_detail.email"),
        ({"pickup_details.email": "orders at shop"}, "pickup_details.email"),
        ({"pickup_details.pickup_phone": "12345"}, "pickup_details.pickup_phone"),
        ({"storefront_id": "shop-1"}, "storefront_id"),
    ],
)
async def test_invalid_storefront_is_rejected_naming_the_field(
    gateway: SellerGateway, setu_seller_id: int, paths: dict[str, Any], field: str
) -> None:
    bad = changed(samples.storefront_input(setu_seller_id), **paths)

    assert field in await rejected_fields(gateway.create_storefront(bad))


async def test_rejected_storefront_is_not_stored(
    gateway: SellerGateway, setu_seller_id: int
) -> None:
    bad = samples.storefront_input(setu_seller_id, categories=["F&B"])
    await rejected_fields(gateway.create_storefront(bad))

    fixed = changed(bad, categories=["Grocery"])
    storefront = await gateway.get_storefront(await gateway.create_storefront(fixed))

    assert storefront.storefront_id == bad.storefront_id


async def test_partial_storefront_update_changes_only_the_given_fields(
    gateway: SellerGateway, setu_seller_id: int
) -> None:
    sent = samples.storefront_input(setu_seller_id)
    setu_storefront_id = await gateway.create_storefront(sent)

    await gateway.update_storefront(
        setu_storefront_id,
        StorefrontUpdate.model_validate(
            {"name": "Sharma Kirana 24x7", "serviceability": {"pincodes": [411038]}}
        ),
    )

    storefront = await gateway.get_storefront(setu_storefront_id)
    expected = sent.model_dump() | {
        "name": "Sharma Kirana 24x7",
        "serviceability": {"radius": None, "pincodes": [411038]},
    }
    assert storefront.model_dump(exclude={"setu_storefront_id", "status", "rating"}) == expected


async def test_storefront_update_outside_seller_categories_changes_nothing(
    gateway: SellerGateway, setu_seller_id: int
) -> None:
    sent = samples.storefront_input(setu_seller_id)
    setu_storefront_id = await gateway.create_storefront(sent)

    fields = await rejected_fields(
        gateway.update_storefront(setu_storefront_id, StorefrontUpdate(categories=["Fashion"]))
    )

    assert "categories" in fields
    assert (await gateway.get_storefront(setu_storefront_id)).categories == sent.categories


async def test_deleted_storefront_is_gone(gateway: SellerGateway, setu_seller_id: int) -> None:
    setu_storefront_id = await gateway.create_storefront(samples.storefront_input(setu_seller_id))

    await gateway.delete_storefront(setu_storefront_id)

    with pytest.raises(NotFound):
        await gateway.get_storefront(setu_storefront_id)
    with pytest.raises(NotFound):
        await gateway.update_storefront(setu_storefront_id, StorefrontUpdate(name="Ghost"))
    with pytest.raises(NotFound):
        await gateway.delete_storefront(setu_storefront_id)


async def test_paused_storefront_is_offline_until_resumed(
    gateway: SellerGateway, setu_seller_id: int
) -> None:
    setu_storefront_id = await gateway.create_storefront(samples.storefront_input(setu_seller_id))

    await gateway.set_storefront_status(setu_storefront_id, StorefrontStatus.OFFLINE)
    await gateway.set_storefront_status(setu_storefront_id, StorefrontStatus.OFFLINE)  # again: fine
    assert (await gateway.get_storefront(setu_storefront_id)).status == StorefrontStatus.OFFLINE

    # Editing a paused storefront does not open it again.
    await gateway.update_storefront(setu_storefront_id, StorefrontUpdate(name="Closed for Diwali"))
    paused = await gateway.get_storefront(setu_storefront_id)
    assert (paused.status, paused.name) == (StorefrontStatus.OFFLINE, "Closed for Diwali")

    await gateway.set_storefront_status(setu_storefront_id, StorefrontStatus.LIVE)
    assert (await gateway.get_storefront(setu_storefront_id)).status == StorefrontStatus.LIVE


async def test_status_of_unknown_storefront_is_not_found(gateway: SellerGateway) -> None:
    with pytest.raises(NotFound):
        await gateway.set_storefront_status(424242, StorefrontStatus.OFFLINE)


async def test_storefront_hours_may_have_closed_days_and_touching_slots(
    gateway: SellerGateway, setu_seller_id: int
) -> None:
    split_day = [
        {"opening": "09:00:00", "closing": "13:00:00"},
        {"opening": "13:00:00", "closing": "21:00:00"},
    ]
    sent = changed(
        samples.storefront_input(setu_seller_id),
        business_hours={"monday": split_day, "tuesday": [], "sunday": None},
    )

    hours = (await gateway.get_storefront(await gateway.create_storefront(sent))).business_hours

    assert [(slot.opening.hour, slot.closing.hour) for slot in hours.monday or []] == [
        (9, 13),
        (13, 21),
    ]
    assert not hours.tuesday and not hours.sunday


async def test_full_storefront_update_replaces_every_field(
    gateway: SellerGateway, setu_seller_id: int
) -> None:
    setu_storefront_id = await gateway.create_storefront(samples.storefront_input(setu_seller_id))
    other = samples.storefront_input(setu_seller_id, name="Sharma Kirana Kothrud")
    other = changed(other, serviceability={"pincodes": [411038]}, categories=["Grocery"])
    update = StorefrontUpdate.model_validate(
        other.model_dump(exclude={"storefront_id", "setu_seller_id"})
    )

    await gateway.update_storefront(setu_storefront_id, update)

    stored = await gateway.get_storefront(setu_storefront_id)
    assert stored.model_dump(include=set(StorefrontUpdate.model_fields)) == update.model_dump()


# ---------------------------------------------------------------------------------------------
# Catalogue and inventory


@pytest.fixture
async def setu_storefront_id(gateway: SellerGateway, setu_seller_id: int) -> int:
    return await gateway.create_storefront(samples.storefront_input(setu_seller_id))


def accepted(result: UploadResult, count: int) -> bool:
    """All `count` items were taken, whether approved at once or pending approval (§7)."""
    return result.failed == 0 and result.approved + result.pending_approval == count


@pytest.mark.parametrize("make_item", [samples.catalogue_item, samples.prepackaged_food_item])
async def test_upserted_item_reads_back_with_every_field(
    gateway: SellerGateway, setu_storefront_id: int, make_item: Any
) -> None:
    item: CatalogueItem = make_item()

    result = await gateway.upsert_catalogue(setu_storefront_id, [item])

    assert accepted(result, 1)
    assert await gateway.get_catalogue_item(setu_storefront_id, item.catalogue_item_id) == item


async def test_upserting_a_known_id_updates_it_in_place(
    gateway: SellerGateway, setu_storefront_id: int
) -> None:
    item = samples.catalogue_item()
    await gateway.upsert_catalogue(setu_storefront_id, [item])
    repriced = changed(
        item,
        **{
            "catalogue_item_details.name": "Chakki Atta 500 g (new pack)",
            "catalogue_item_details.price.selling_price": "55.00",
        },
    )

    result = await gateway.upsert_catalogue(setu_storefront_id, [repriced])

    assert accepted(result, 1)
    stored = await gateway.get_catalogue_item(setu_storefront_id, item.catalogue_item_id)
    assert stored == repriced
    assert stored.catalogue_item_details.price.selling_price == Decimal("55")
    # No older copy is left behind: once deleted, the item is gone.
    await gateway.delete_catalogue_items(setu_storefront_id, [item.catalogue_item_id])
    with pytest.raises(NotFound):
        await gateway.get_catalogue_item(setu_storefront_id, item.catalogue_item_id)


async def test_upsert_leaves_items_it_does_not_mention(
    gateway: SellerGateway, setu_storefront_id: int
) -> None:
    atta, chivda = samples.catalogue_item(), samples.prepackaged_food_item()
    assert accepted(await gateway.upsert_catalogue(setu_storefront_id, [atta, chivda]), 2)

    await gateway.upsert_catalogue(setu_storefront_id, [changed(atta, **{"inventory.quantity": 3})])

    assert await gateway.get_catalogue_item(setu_storefront_id, chivda.catalogue_item_id) == chivda


P = "0.catalogue_item_details.price"


@pytest.mark.parametrize(
    ("paths", "field"),
    [
        ({"sub_categories": ["Fashion"]}, "0.sub_categories"),
        ({"sub_categories": ["prepackaged_food"]}, "0.sub_categories"),
        (
            {"sub_categories": ["Grocery", "prepackaged_food"]},
            "0.catalogue_item_details.subcategory_specific_requirements.prepackaged_food",
        ),
        ({"catalogue_item_details.price.selling_price": "61"}, f"{P}.selling_price"),
        ({"catalogue_item_details.price.selling_price": "0"}, f"{P}.selling_price"),
        # ₹58.50 + 5 % GST on top = ₹61.43, above the ₹60 MRP.
        (
            {"catalogue_item_details.price.is_selling_price_exclusive_of_gst": True},
            f"{P}.selling_price",
        ),
        ({"catalogue_item_details.price.sgst_tax_rate": "3"}, f"{P}.total_tax_rate"),
        (
            {"catalogue_item_details.images": ["ftp://cdn.in/a.jpg"]},
            "0.catalogue_item_details.images.0",
        ),
        (
            {"catalogue_item_details.images": ["http://localhost/a.jpg"]},
            "0.catalogue_item_details.images.0",
        ),
        ({"catalogue_item_details.name": ""}, "0.catalogue_item_details.name"),
        ({"serviceability": {"radius": 3, "pincodes": [411038]}}, "0.serviceability"),
        ({"inventory.quantity": -1}, "0.inventory.quantity"),
        ({"catalogue_item_id": "atta-500"}, "0.catalogue_item_id"),
    ],
)
async def test_invalid_item_is_rejected_naming_the_field(
    gateway: SellerGateway, setu_storefront_id: int, paths: dict[str, Any], field: str
) -> None:
    bad = changed(samples.catalogue_item(), **paths)

    assert field in await rejected_fields(gateway.upsert_catalogue(setu_storefront_id, [bad]))


async def test_batch_with_a_bad_item_stores_none_of_it(
    gateway: SellerGateway, setu_storefront_id: int
) -> None:
    good, bad = samples.catalogue_item(), samples.catalogue_item(sub_categories=["Fashion"])

    fields = await rejected_fields(gateway.upsert_catalogue(setu_storefront_id, [good, bad]))

    assert fields == ["1.sub_categories"]
    with pytest.raises(NotFound):
        await gateway.get_catalogue_item(setu_storefront_id, good.catalogue_item_id)


async def test_delete_removes_the_given_items_and_ignores_unknown_ones(
    gateway: SellerGateway, setu_storefront_id: int
) -> None:
    atta, chivda = samples.catalogue_item(), samples.prepackaged_food_item()
    await gateway.upsert_catalogue(setu_storefront_id, [atta, chivda])

    await gateway.delete_catalogue_items(
        setu_storefront_id, [atta.catalogue_item_id, samples.catalogue_item().catalogue_item_id]
    )

    with pytest.raises(NotFound):
        await gateway.get_catalogue_item(setu_storefront_id, atta.catalogue_item_id)
    assert await gateway.get_catalogue_item(setu_storefront_id, chivda.catalogue_item_id) == chivda


async def test_items_belong_to_their_storefront(
    gateway: SellerGateway, setu_seller_id: int, setu_storefront_id: int
) -> None:
    other = await gateway.create_storefront(samples.storefront_input(setu_seller_id))
    item = samples.catalogue_item()
    await gateway.upsert_catalogue(setu_storefront_id, [item])

    with pytest.raises(NotFound):
        await gateway.get_catalogue_item(other, item.catalogue_item_id)


async def test_catalogue_of_unknown_storefront_is_not_found(gateway: SellerGateway) -> None:
    item = samples.catalogue_item()
    with pytest.raises(NotFound):
        await gateway.upsert_catalogue(424242, [item])
    with pytest.raises(NotFound):
        await gateway.delete_catalogue_items(424242, [item.catalogue_item_id])
    with pytest.raises(NotFound):
        await gateway.get_catalogue_item(424242, item.catalogue_item_id)
    with pytest.raises(NotFound):
        await gateway.set_inventory(424242, item.catalogue_item_id, 5)


async def test_inventory_replaces_the_stock_count(
    gateway: SellerGateway, setu_storefront_id: int
) -> None:
    item = samples.catalogue_item()
    await gateway.upsert_catalogue(setu_storefront_id, [item])

    await gateway.set_inventory(setu_storefront_id, item.catalogue_item_id, 3000)
    await gateway.set_inventory(setu_storefront_id, item.catalogue_item_id, 7)

    stored = await gateway.get_catalogue_item(setu_storefront_id, item.catalogue_item_id)
    assert stored.inventory.quantity == 7
    assert stored.model_dump(exclude={"inventory"}) == item.model_dump(exclude={"inventory"})


async def test_inventory_of_unknown_item_is_not_found(
    gateway: SellerGateway, setu_storefront_id: int
) -> None:
    with pytest.raises(NotFound):
        await gateway.set_inventory(
            setu_storefront_id, samples.catalogue_item().catalogue_item_id, 5
        )


async def test_negative_inventory_is_rejected(
    gateway: SellerGateway, setu_storefront_id: int
) -> None:
    item = samples.catalogue_item()
    await gateway.upsert_catalogue(setu_storefront_id, [item])

    fields = await rejected_fields(
        gateway.set_inventory(setu_storefront_id, item.catalogue_item_id, -1)
    )

    assert fields == ["quantity"]
    stored = await gateway.get_catalogue_item(setu_storefront_id, item.catalogue_item_id)
    assert stored.inventory.quantity == item.inventory.quantity


# ---------------------------------------------------------------------------------------------
# Orders


@pytest.fixture
async def item_id(gateway: SellerGateway, setu_storefront_id: int) -> str:
    item = samples.catalogue_item()
    await gateway.upsert_catalogue(setu_storefront_id, [item])
    return item.catalogue_item_id


async def test_new_storefront_has_no_orders(
    gateway: SellerGateway, setu_storefront_id: int
) -> None:
    assert await gateway.list_orders(setu_storefront_id) == []


async def test_orders_are_listed_oldest_first_with_every_field(
    gateway: SellerGateway, seed_order: SeedOrder, setu_storefront_id: int, item_id: str
) -> None:
    first = samples.order_input(item_id)
    second = samples.order_input(item_id, notes="", feedback={"rating": 5, "review": "Fresh"})
    first_id = await seed_order(setu_storefront_id, first)
    second_id = await seed_order(setu_storefront_id, second)

    orders = await gateway.list_orders(setu_storefront_id)

    assert [order.order_id for order in orders] == [first_id, second_id]
    assert [order.model_dump(exclude={"order_id"}) for order in orders] == [
        first.model_dump(),
        second.model_dump(),
    ]


async def test_order_update_applies_known_orders_and_counts_the_rest_as_failed(
    gateway: SellerGateway, seed_order: SeedOrder, setu_storefront_id: int, item_id: str
) -> None:
    accepted_id = await seed_order(setu_storefront_id, samples.order_input(item_id))
    untouched_id = await seed_order(setu_storefront_id, samples.order_input(item_id))

    result = await gateway.update_orders(
        setu_storefront_id,
        [
            OrderStateUpdate(order_id=accepted_id, order_state="Accepted"),
            OrderStateUpdate(order_id="no-such-order", order_state="Accepted"),
            OrderStateUpdate(order_id=untouched_id, order_state="Teleported"),
        ],
    )

    assert (result.approved, result.failed) == (1, 2)
    states = {
        order.order_id: order.order_state for order in await gateway.list_orders(setu_storefront_id)
    }
    assert states == {accepted_id: "Accepted", untouched_id: "AWAITING BAP CONFIRMED"}


async def test_order_of_another_storefront_cannot_be_updated(
    gateway: SellerGateway,
    seed_order: SeedOrder,
    setu_seller_id: int,
    setu_storefront_id: int,
    item_id: str,
) -> None:
    order_id = await seed_order(setu_storefront_id, samples.order_input(item_id))
    other = await gateway.create_storefront(samples.storefront_input(setu_seller_id))

    result = await gateway.update_orders(
        other, [OrderStateUpdate(order_id=order_id, order_state="Cancelled")]
    )

    assert (result.approved, result.failed) == (0, 1)
    assert await gateway.list_orders(other) == []
    [order] = await gateway.list_orders(setu_storefront_id)
    assert order.order_state == "AWAITING BAP CONFIRMED"


async def changes_after(gateway: SellerGateway, cursor: str | None) -> tuple[list[str], str]:
    changed = await gateway.changed_orders(cursor)
    return [c.order.order_id + ":" + c.order.order_state for c in changed.changes], changed.cursor


async def test_changed_orders_come_once_each_from_a_cursor(
    gateway: SellerGateway,
    seed_order: SeedOrder,
    setu_seller_id: int,
    setu_storefront_id: int,
    item_id: str,
) -> None:
    before, start = await changes_after(gateway, None)
    assert before == []
    first = await seed_order(setu_storefront_id, samples.order_input(item_id))
    second = await seed_order(setu_storefront_id, samples.order_input(item_id))

    placed, cursor = await changes_after(gateway, start)
    assert placed == [f"{first}:AWAITING BAP CONFIRMED", f"{second}:AWAITING BAP CONFIRMED"]
    assert await changes_after(gateway, cursor) == ([], cursor)  # nothing new: nothing again

    await gateway.update_orders(
        setu_storefront_id, [OrderStateUpdate(order_id=first, order_state="Accepted")]
    )
    await gateway.update_orders(
        setu_storefront_id, [OrderStateUpdate(order_id=first, order_state="Packed")]
    )
    moved, later = await changes_after(gateway, cursor)
    assert moved == [f"{first}:Packed"]  # changed twice, listed once, as it is now

    changed = (await gateway.changed_orders(cursor)).changes[0]
    assert changed.setu_storefront_id == setu_storefront_id
    assert changed.order.total_value == samples.order_input(item_id).total_value
    assert await changes_after(gateway, later) == ([], later)


async def test_changed_orders_are_paged_by_the_limit(
    gateway: SellerGateway, seed_order: SeedOrder, setu_storefront_id: int, item_id: str
) -> None:
    _, start = await changes_after(gateway, None)
    ids = [await seed_order(setu_storefront_id, samples.order_input(item_id)) for _ in range(3)]

    page = await gateway.changed_orders(start, limit=2)
    rest = await gateway.changed_orders(page.cursor, limit=2)

    assert [c.order.order_id for c in page.changes + rest.changes] == ids


async def test_accepting_takes_stock_and_cancelling_gives_it_back(
    gateway: SellerGateway, seed_order: SeedOrder, setu_storefront_id: int, item_id: str
) -> None:
    async def stock() -> int:
        item = await gateway.get_catalogue_item(setu_storefront_id, item_id)
        return item.inventory.quantity

    await gateway.set_inventory(setu_storefront_id, item_id, 5)
    order_id = await seed_order(setu_storefront_id, samples.order_input(item_id))  # 2 packs
    assert await stock() == 5  # placed, not yet accepted

    for state, left in (("Accepted", 3), ("Packed", 3), ("Cancelled", 5)):
        result = await gateway.update_orders(
            setu_storefront_id, [OrderStateUpdate(order_id=order_id, order_state=state)]
        )
        assert result.approved == 1 and await stock() == left, state


async def test_a_finished_order_does_not_move_again(
    gateway: SellerGateway, seed_order: SeedOrder, setu_storefront_id: int, item_id: str
) -> None:
    cancelled = await seed_order(setu_storefront_id, samples.order_input(item_id))
    delivered = await seed_order(setu_storefront_id, samples.order_input(item_id))
    await gateway.update_orders(
        setu_storefront_id,
        [
            OrderStateUpdate(order_id=cancelled, order_state="Cancelled"),
            OrderStateUpdate(order_id=delivered, order_state="Accepted"),
            OrderStateUpdate(order_id=delivered, order_state="Order-delivered"),
        ],
    )

    result = await gateway.update_orders(
        setu_storefront_id,
        [
            OrderStateUpdate(order_id=cancelled, order_state="Accepted"),
            OrderStateUpdate(order_id=delivered, order_state="Cancelled"),
        ],
    )

    assert (result.approved, result.failed) == (0, 2)
    states = {o.order_id: o.order_state for o in await gateway.list_orders(setu_storefront_id)}
    assert states == {cancelled: "Cancelled", delivered: "Order-delivered"}


async def test_accepting_more_than_the_stock_fails(
    gateway: SellerGateway, seed_order: SeedOrder, setu_storefront_id: int, item_id: str
) -> None:
    await gateway.set_inventory(setu_storefront_id, item_id, 3)
    first = await seed_order(setu_storefront_id, samples.order_input(item_id))  # 2 packs
    second = await seed_order(setu_storefront_id, samples.order_input(item_id))  # 2 more

    result = await gateway.update_orders(
        setu_storefront_id,
        [
            OrderStateUpdate(order_id=first, order_state="Accepted"),
            OrderStateUpdate(order_id=second, order_state="Accepted"),
        ],
    )

    assert (result.approved, result.failed) == (1, 1)
    item = await gateway.get_catalogue_item(setu_storefront_id, item_id)
    assert item.inventory.quantity == 1


async def test_orders_of_unknown_storefront_are_not_found(gateway: SellerGateway) -> None:
    with pytest.raises(NotFound):
        await gateway.list_orders(424242)
    with pytest.raises(NotFound):
        await gateway.update_orders(
            424242, [OrderStateUpdate(order_id="x", order_state="Accepted")]
        )


# ---------------------------------------------------------------------------------------------
# The local gateway's own extras (not part of the interface)


@pytest.fixture
def local(engine: Engine) -> LocalGateway:
    return LocalGateway(engine)


async def test_make_gateway_picks_the_configured_one(engine: Engine) -> None:
    store = Store(engine)
    local_settings = Settings(_env_file=None, gateway="local")
    assert isinstance(make_gateway(local_settings, engine, store), LocalGateway)
    setu_settings = Settings(
        _env_file=None, gateway="setu", setu_client_id="id", setu_client_secret="secret"
    )
    setu = make_gateway(setu_settings, engine, store)
    assert isinstance(setu, SetuGateway)
    await setu.aclose()
    with pytest.raises(ConfigError, match="SELLERBOT_SETU_CLIENT_SECRET"):
        make_gateway(Settings(_env_file=None, gateway="setu", setu_client_id="id"), engine, store)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {
                "order_items": [
                    {
                        "store_front_product_id": "nope",
                        "quantity": 1,
                        "unit_price": 1,
                        "total_value": 1,
                    }
                ]
            },
            "order_items.0.store_front_product_id",
        ),
        ({"order_items": []}, "order_items"),
        ({"order_state": "Shipped by owl"}, "order_state"),
    ],
)
async def test_local_order_must_fit_the_storefront(
    local: LocalGateway, changes: dict[str, Any], field: str
) -> None:
    setu_seller_id = await local.create_seller(samples.seller_input())
    setu_storefront_id = await local.create_storefront(samples.storefront_input(setu_seller_id))

    fields = await rejected_fields(
        local.create_order(setu_storefront_id, samples.order_input("x", **changes))
    )

    assert field in fields


async def test_local_order_line_total_must_match(local: LocalGateway) -> None:
    setu_seller_id = await local.create_seller(samples.seller_input())
    setu_storefront_id = await local.create_storefront(samples.storefront_input(setu_seller_id))
    item = samples.catalogue_item()
    await local.upsert_catalogue(setu_storefront_id, [item])
    order = samples.order_input(item.catalogue_item_id)
    order.order_items[0].total_value = Decimal("100")

    assert "order_items.0.total_value" in await rejected_fields(
        local.create_order(setu_storefront_id, order)
    )


async def test_deleting_a_local_seller_deletes_its_storefronts(local: LocalGateway) -> None:
    setu_seller_id = await local.create_seller(samples.seller_input())
    setu_storefront_id = await local.create_storefront(samples.storefront_input(setu_seller_id))
    item = samples.catalogue_item()
    await local.upsert_catalogue(setu_storefront_id, [item])

    await local.delete_seller(setu_seller_id)

    with pytest.raises(NotFound):
        await local.get_storefront(setu_storefront_id)
    with pytest.raises(NotFound):
        await local.get_catalogue_item(setu_storefront_id, item.catalogue_item_id)


# ---------------------------------------------------------------------------------------------
# Payload models


def test_models_accept_the_guides_variants() -> None:
    """setu-ondc.md §10: [G] spellings a gateway may receive are read as [S]."""
    payload = samples.catalogue_item().model_dump(mode="json")
    payload["catalogue_item_description"] = payload.pop("catalogue_item_details")
    payload["item_policies"]["time_to_ship"] = 3

    item = CatalogueItem.model_validate(payload)

    assert item.item_policies.time_to_ship.days == 3
    assert "catalogue_item_details" in item.model_dump()
    storefront = changed(
        samples.storefront_input(1), **{"billing_details.registered_address.address_line_2": None}
    )
    assert storefront.billing_details.registered_address.address_line_2 == ""


def test_money_is_decimal_in_python_and_a_number_on_the_wire() -> None:
    price = samples.catalogue_item().catalogue_item_details.price

    assert price.selling_price == Decimal("58.50")
    assert price.model_dump(mode="json")["selling_price"] == 58.5
    assert price.model_dump(mode="json")["total_tax_rate"] == 5


async def test_local_order_for_more_than_the_stock_is_refused(local: LocalGateway) -> None:
    setu_seller_id = await local.create_seller(samples.seller_input())
    setu_storefront_id = await local.create_storefront(samples.storefront_input(setu_seller_id))
    item = samples.catalogue_item()
    item.inventory.quantity = 1
    await local.upsert_catalogue(setu_storefront_id, [item])

    fields = await rejected_fields(
        local.create_order(setu_storefront_id, samples.order_input(item.catalogue_item_id))
    )

    assert fields == ["order_items.0.quantity"]


async def test_local_order_knows_how_it_is_paid(local: LocalGateway) -> None:
    setu_seller_id = await local.create_seller(samples.seller_input())
    setu_storefront_id = await local.create_storefront(samples.storefront_input(setu_seller_id))
    item = samples.catalogue_item()
    await local.upsert_catalogue(setu_storefront_id, [item])
    order = samples.order_input(item.catalogue_item_id)
    prepaid = await local.create_order(setu_storefront_id, order)
    cash = await local.create_order(setu_storefront_id, order, cash_on_delivery=True)

    changes = (await local.changed_orders(None)).changes

    assert {c.order.order_id: c.cash_on_delivery for c in changes} == {prepaid: False, cash: True}
    assert all(c.placed_at is not None and c.changed_at is not None for c in changes)
