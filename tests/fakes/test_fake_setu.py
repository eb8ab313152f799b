"""Tests of FakeSetu and setu_spec themselves, through a plain httpx.AsyncClient."""

from __future__ import annotations

import copy
import hashlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.contract import samples
from tests.fakes.setu_server import FakeSetu
from tests.fakes.setu_spec import (
    SHARED_SPEC_PATH,
    SPEC_PATH,
    SPEC_SHA256,
    path_params,
    validate_request,
    validate_schema,
)

# Valid bodies come from the contract samples (setu-ondc.md §5–§9), not from the guide's
# broken samples (§10).
PAN = samples.PAN


def seller_body(**changes: Any) -> dict[str, Any]:
    """SellerInputDTO as JSON, from the contract sample; `changes` may break the spec on purpose."""
    return samples.seller_input().model_dump(mode="json", exclude_none=True) | changes


def storefront_update_body(**changes: Any) -> dict[str, Any]:
    """StoreFrontUpdateDTO: the sample storefront minus its two ids (§6)."""
    ids = {"storefront_id", "setu_seller_id"}
    sample = samples.storefront_input(1).model_dump(mode="json", exclude_none=True, exclude=ids)
    return sample | changes


def storefront_body(setu_seller_id: Any, **changes: Any) -> dict[str, Any]:
    """StoreFrontInputDTO as JSON (`setu_seller_id` raw, so a test can send the guide's "592")."""
    return (
        {"storefront_id": str(uuid.uuid4()), "setu_seller_id": setu_seller_id}
        | storefront_update_body()
        | changes
    )


def item_body(**changes: Any) -> dict[str, Any]:
    """ProductItemDTO: 500 g atta at ₹58.50 incl. 5 % GST, MRP ₹60, 20 packs (§7)."""
    return {
        "catalogue_item_id": str(uuid.uuid4()),
        "sub_categories": ["Grocery"],
        "catalogue_item_details": {
            "name": "Chakki Atta 500 g",
            "symbol": "https://cdn.sharmakirana.in/atta-symbol.png",
            "short_description": "Whole wheat flour",
            "long_description": "Stone-ground whole wheat flour.",
            "images": ["https://cdn.sharmakirana.in/atta.jpg"],
            "price": {
                "is_selling_price_exclusive_of_gst": False,
                "max_retail_price": 60,
                "selling_price": 58.5,
                "total_tax_rate": 5,
                "cgst_tax_rate": 2.5,
                "sgst_tax_rate": 2.5,
            },
        },
        "inventory": {"unit_denomination": "GM", "unit_value": 500, "quantity": 20},
        "item_policies": {
            "returnable": True,
            "return_window": 7,
            "cancellable": True,
            "cod_availability": True,
            "time_to_ship": {"days": 0, "hours": 2, "seconds": 0},
        },
        "serviceability": {},
    } | changes


def order_body(catalogue_item_id: str, **changes: Any) -> dict[str, Any]:
    """OrderBaseDTO: 2 packs at ₹58.50 (§9); [S] requires feedback and an OrderState value."""
    return {
        "order_state": "AWAITING BAP CONFIRMED",
        "order_items": [
            {
                "store_front_product_id": catalogue_item_id,
                "quantity": 2,
                "unit_price": 58.5,
                "total_value": 117,
            }
        ],
        "total_value": 117,
        "fulfilment_type": "SELF",
        "buyer_details": {
            "name": "Anita Kulkarni",
            "mobile_number": "9822012345",
            "delivery_address": {"address": "Flat 3, Karve Road", "pincode": 411038},
        },
        "feedback": {"rating": 0, "review": ""},
        "notes": "Ring twice",
    } | changes


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture
def fake() -> FakeSetu:
    return FakeSetu()


@pytest.fixture
async def client(fake: FakeSetu) -> AsyncIterator[httpx.AsyncClient]:
    async with fake.client() as client:
        yield client


def credentials(fake: FakeSetu) -> dict[str, str]:
    """The token request body (setu-ondc.md §2)."""
    return {
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
        "grant_type": "client_credentials",
    }


async def token(client: httpx.AsyncClient, fake: FakeSetu) -> str:
    response = await client.post(
        "/auth/token",
        json=credentials(fake),
    )
    assert response.status_code == 200, response.text
    return response.json()["accessToken"]


@pytest.fixture
async def api(client: httpx.AsyncClient, fake: FakeSetu) -> httpx.AsyncClient:
    """The client with a valid bearer token set."""
    client.headers["Authorization"] = f"Bearer {await token(client, fake)}"
    return client


async def create_seller(api: httpx.AsyncClient, **changes: Any) -> int:
    response = await api.post("/api/sellers", json=seller_body(**changes))
    assert response.status_code == 201, response.text
    return response.json()["setu_seller_id"]


async def create_storefront(api: httpx.AsyncClient, **changes: Any) -> int:
    setu_seller_id = await create_seller(api)
    response = await api.post("/api/storefronts", json=storefront_body(setu_seller_id, **changes))
    assert response.status_code == 201, response.text
    return response.json()["setu_storefront_id"]


def assert_setu_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert isinstance(body["status"], str)


# ---------------------------------------------------------------------------------------------
# The spec


def test_spec_copy_is_byte_identical() -> None:
    data = SPEC_PATH.read_bytes()
    assert hashlib.sha256(data).hexdigest() == SPEC_SHA256
    if not SHARED_SPEC_PATH.exists():
        pytest.skip(f"{SHARED_SPEC_PATH} is not checked out beside the repo")
    assert SHARED_SPEC_PATH.read_bytes() == data


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/sellers", seller_body()),
        ("PATCH", "/api/sellers/7", seller_body(setu_seller_id=7)),
        ("POST", "/api/storefronts", storefront_body(7)),
        ("PATCH", "/api/storefronts/3", storefront_update_body()),
        ("PUT", "/api/storefronts/3/catalogue", [item_body()]),
        ("DELETE", "/api/storefronts/3/catalogue", [{"catalogue_item_id": str(uuid.uuid4())}]),
        ("PATCH", f"/api/storefronts/3/catalogue/{uuid.uuid4()}/inventory", {"quantity": 3000}),
        ("GET", "/api/storefronts/3/orders?store_front_id=3", None),
        (
            "PUT",
            "/api/storefronts/3/orders?store_front_id=3",
            [{"order_id": "o1", "order_state": "Packed"}],
        ),
        ("POST", "/api/storefronts/3/orders?store_front_id=3", order_body(str(uuid.uuid4()))),
        ("GET", "/api/storefronts/3/catalogue/any-string-id", None),
    ],
)
def test_valid_fixtures_pass_the_spec(method: str, path: str, body: Any) -> None:
    assert validate_request(method, path, body) == []


def test_contract_samples_dump_to_spec_valid_bodies() -> None:
    # What a SetuGateway would send: our models dumped without None (§0 recommendation).
    from tests.contract import samples

    seller = samples.seller_input().model_dump(mode="json", exclude_none=True)
    storefront = samples.storefront_input(1).model_dump(mode="json", exclude_none=True)
    item = samples.prepackaged_food_item().model_dump(mode="json", exclude_none=True)
    assert validate_request("POST", "/api/sellers", seller) == []
    assert validate_request("POST", "/api/storefronts", storefront) == []
    assert validate_request("PUT", "/api/storefronts/1/catalogue", [item]) == []


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        # §10: the guide's sample data fails the [S] regexes and types.
        ("POST", "/api/sellers", seller_body(gst_number="ADJKNEMDI1234S"), "body.gst_number"),
        (
            "POST",
            "/api/sellers",
            seller_body(bank_account={"account_number": "1", "ifsc_code": "HDFC00109202"}),
            "body.bank_account.ifsc_code",
        ),
        ("POST", "/api/sellers", seller_body(consent_object="yes"), "body.consent_object"),
        ("POST", "/api/storefronts", storefront_body("592"), "body.setu_seller_id"),
        ("POST", "/api/storefronts", storefront_body(1, business_hours={"sunday": None}), "sunday"),
        ("PATCH", "/api/sellers/1", {"name": "partial"}, "body.seller_id"),  # §5 conflict
        ("PATCH", "/api/sellers/x", seller_body(), "path.setu_seller_id"),
        ("PATCH", "/api/storefronts/1/catalogue/nope/inventory", {"quantity": 1}, "path."),
        ("GET", "/api/storefronts/3/orders", None, "query.store_front_id"),
        ("PUT", "/api/storefronts/3/catalogue", None, "body: field required"),
        # §7.2: the junk enum value is not a unit.
        (
            "PUT",
            "/api/storefronts/3/catalogue",
            [
                item_body(
                    inventory={
                        "unit_denomination": "<class 'seller_client.web.api.product.schema."
                        "UnitDenomination.Config'>",
                        "unit_value": 1,
                        "quantity": 1,
                    }
                )
            ],
            "body.0.inventory.unit_denomination",
        ),
        # pydantic v1 anchors patterns at the start: "xx" + PAN is not a PAN.
        ("POST", "/api/sellers", seller_body(pan_number="xx" + PAN), "body.pan_number"),
        ("POST", "/api/sellers", seller_body(fssai_number=None), "none is not an allowed"),
    ],
)
def test_spec_violations_are_reported(method: str, path: str, body: Any, expected: str) -> None:
    errors = validate_request(method, path, body)
    assert any(expected in error for error in errors), errors


def test_guide_catalogue_sample_shape_is_rejected() -> None:
    # §10: [G]'s catalogue_item_description and bare-int time_to_ship are not [S].
    item = item_body()
    item["catalogue_item_description"] = item.pop("catalogue_item_details")
    item["item_policies"]["time_to_ship"] = 3
    errors = validate_request("PUT", "/api/storefronts/1/catalogue", [item])
    assert any("body.0.catalogue_item_details: field required" in e for e in errors)
    assert any("body.0.catalogue_item_description: extra fields" in e for e in errors)
    assert any("body.0.item_policies.time_to_ship: value is not a valid dict" in e for e in errors)


def test_formats_are_checked() -> None:
    bad_uri = item_body()
    bad_uri["catalogue_item_details"]["images"] = ["http://localhost/atta.jpg"]
    assert any(
        "images.0" in e for e in validate_request("PUT", "/api/storefronts/1/catalogue", [bad_uri])
    )
    bad_email = storefront_body(1)
    bad_email["pickup_details"]["email"] = "not-an-email"
    assert any(
        "pickup_details.email" in e for e in validate_request("POST", "/api/storefronts", bad_email)
    )
    assert any(
        "seller_id" in e
        for e in validate_request("POST", "/api/sellers", seller_body(seller_id="42"))
    )


def test_path_params() -> None:
    template = "/api/storefronts/{setu_storefront_id}/catalogue/{storefront_catalogue_item_id}"
    assert path_params(template, "/api/storefronts/12/catalogue/ab-cd") == {
        "setu_storefront_id": "12",
        "storefront_catalogue_item_id": "ab-cd",
    }
    assert path_params(template, "/api/storefronts/12/catalogue") is None


# ---------------------------------------------------------------------------------------------
# Auth (§2)


async def test_no_token_is_401_with_the_spec_body(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/sellers/1")
    assert response.status_code == 401
    assert response.json() == {
        "status": "INVALID_AUTH_TOKEN_ERROR",
        "success": False,
        "error": {"code": "3001"},
    }


async def test_token_is_issued_and_expires(client: httpx.AsyncClient, fake: FakeSetu) -> None:
    access = await token(client, fake)
    assert fake.tokens_issued == 1
    headers = {"Authorization": f"Bearer {access}"}
    assert (await client.get("/api/sellers/1", headers=headers)).status_code == 404
    fake.advance(fake.token_ttl - 1)
    assert (await client.get("/api/sellers/1", headers=headers)).status_code == 404
    fake.advance(1)
    assert (await client.get("/api/sellers/1", headers=headers)).status_code == 401
    # The guide's "authorisation" spelling is a different header (§1).
    fresh = await token(client, fake)
    misspelt = await client.get("/api/sellers/1", headers={"authorisation": f"Bearer {fresh}"})
    assert misspelt.status_code == 401
    assert fake.tokens_issued == 2


async def test_token_call_checks_credentials(client: httpx.AsyncClient, fake: FakeSetu) -> None:
    wrong = {**credentials(fake), "client_secret": "nope"}
    assert_setu_error(await client.post("/auth/token", json=wrong), 401, "3001")
    assert (await client.post("/auth/token", json={"client_id": "x"})).status_code == 422
    right = credentials(fake)
    with_header = await client.post(
        "/auth/token", json=right, headers={"Authorization": "Bearer x"}
    )
    assert_setu_error(with_header, 400, "2001")
    assert fake.tokens_issued == 0


async def test_revoked_token_is_401(api: httpx.AsyncClient, fake: FakeSetu) -> None:
    fake.revoke_tokens()
    assert (await api.get("/api/sellers/1")).status_code == 401


# ---------------------------------------------------------------------------------------------
# Sellers (§5)


async def test_seller_lifecycle(api: httpx.AsyncClient) -> None:
    body = seller_body()
    created = await api.post("/api/sellers", json=body)
    assert created.status_code == 201
    setu_seller_id = created.json()["setu_seller_id"]
    assert isinstance(setu_seller_id, int)

    got = await api.get(f"/api/sellers/{setu_seller_id}")
    assert got.status_code == 200
    assert got.json() == {**body, "setu_seller_id": setu_seller_id}
    assert validate_schema("SellerDTO", got.json()) == []

    assert_setu_error(await api.post("/api/sellers", json=body), 409, "1001")

    patched = await api.patch(f"/api/sellers/{setu_seller_id}", json={**got.json(), "name": "New"})
    assert patched.status_code == 204
    assert (await api.get(f"/api/sellers/{setu_seller_id}")).json()["name"] == "New"

    deleted = await api.delete(f"/api/sellers/{setu_seller_id}")
    assert deleted.status_code == 200
    assert_setu_error(await api.get(f"/api/sellers/{setu_seller_id}"), 404, "1002")
    assert_setu_error(await api.delete(f"/api/sellers/{setu_seller_id}"), 404, "1002")
    assert_setu_error(await api.patch("/api/sellers/999", json=body), 404, "1002")


async def test_seller_patch_to_a_taken_seller_id_is_409(api: httpx.AsyncClient) -> None:
    first = seller_body()
    await create_seller(api, **first)
    second = await create_seller(api)
    current = (await api.get(f"/api/sellers/{second}")).json()
    response = await api.patch(
        f"/api/sellers/{second}", json={**current, "seller_id": first["seller_id"]}
    )
    assert_setu_error(response, 409, "1001")


async def test_spec_failure_is_422_with_loc(api: httpx.AsyncClient, fake: FakeSetu) -> None:
    body = seller_body()
    del body["name"]
    body["incorporation_type"] = "LTD"
    response = await api.post("/api/sellers", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert {
        "loc": ["body", "name"],
        "msg": "field required",
        "type": "value_error.missing",
    } in detail
    assert any(d["loc"] == ["body", "incorporation_type"] for d in detail)
    assert validate_schema("HTTPValidationError", response.json()) == []
    assert fake.sellers == {}


async def test_fssai_is_required_for_grocery(api: httpx.AsyncClient) -> None:
    body = seller_body()
    del body["fssai_number"]
    response = await api.post("/api/sellers", json=body)
    assert_setu_error(response, 400, "2001")
    assert "fssai_number" in response.json()["error"]["message"]
    assert (
        await api.post("/api/sellers", json={**body, "categories": ["Fashion"]})
    ).status_code == 201


# ---------------------------------------------------------------------------------------------
# Storefronts (§6)


async def test_storefront_lifecycle(api: httpx.AsyncClient) -> None:
    setu_seller_id = await create_seller(api)
    body = storefront_body(setu_seller_id)
    created = await api.post("/api/storefronts", json=body)
    assert created.status_code == 201
    setu_storefront_id = created.json()["setu_storefront_id"]
    got = (await api.get(f"/api/storefronts/{setu_storefront_id}")).json()
    assert got["status"] == "LIVE" and got["rating"] == 0.0
    assert validate_schema("StoreFrontOutputDTO", got) == []
    assert_setu_error(await api.post("/api/storefronts", json=body), 409, "1003")

    update = storefront_update_body(name="Sharma Kirana 2")
    assert (
        await api.patch(f"/api/storefronts/{setu_storefront_id}", json=update)
    ).status_code == 204
    assert (await api.get(f"/api/storefronts/{setu_storefront_id}")).json()[
        "name"
    ] == "Sharma Kirana 2"

    assert (await api.delete(f"/api/storefronts/{setu_storefront_id}")).status_code == 200
    assert_setu_error(await api.get(f"/api/storefronts/{setu_storefront_id}"), 404, "1004")


async def test_storefront_rules(api: httpx.AsyncClient) -> None:
    setu_seller_id = await create_seller(api)
    outside = await api.post(
        "/api/storefronts", json=storefront_body(setu_seller_id, categories=["Grocery", "F&B"])
    )
    assert_setu_error(outside, 400, "2001")
    assert "categories" in outside.json()["error"]["message"]
    both = await api.post(
        "/api/storefronts",
        json=storefront_body(setu_seller_id, serviceability={"radius": 5, "pincodes": [411038]}),
    )
    assert_setu_error(both, 400, "2001")
    assert_setu_error(await api.post("/api/storefronts", json=storefront_body(999)), 404, "1002")


async def test_guide_storefront_path_is_404(api: httpx.AsyncClient) -> None:
    # §10: the client follows [S]; the guide's singular path does not exist on this fake.
    setu_seller_id = await create_seller(api)
    response = await api.post("/api/storefront", json=storefront_body(setu_seller_id))
    assert response.status_code == 404


async def test_deleting_a_seller_deletes_its_storefronts(
    api: httpx.AsyncClient, fake: FakeSetu
) -> None:
    setu_storefront_id = await create_storefront(api)
    seller = fake.storefronts[setu_storefront_id]["setu_seller_id"]
    await api.delete(f"/api/sellers/{seller}")
    assert_setu_error(await api.get(f"/api/storefronts/{setu_storefront_id}"), 404, "1004")


# ---------------------------------------------------------------------------------------------
# Catalogue and inventory (§7, §8)


async def test_catalogue_upsert_twice_updates(api: httpx.AsyncClient, fake: FakeSetu) -> None:
    setu_storefront_id = await create_storefront(api)
    item = item_body()
    url = f"/api/storefronts/{setu_storefront_id}/catalogue"
    first = await api.put(url, json=[item])
    assert first.status_code == 202
    assert first.json() == {
        "approved": {"count": 1},
        "pending_approval": {"count": 0},
        "failed": {"count": 0},
    }
    assert validate_schema("ProductsUploadOutputDTO", first.json()) == []
    changed = copy.deepcopy(item)
    changed["catalogue_item_details"]["name"] = "Chakki Atta 500 g (new)"
    second = await api.put(url, json=[changed, item_body()])
    assert second.json()["approved"]["count"] == 2
    assert len(fake.catalogues[setu_storefront_id]) == 2

    got = await api.get(f"{url}/{item['catalogue_item_id']}")
    assert got.status_code == 200
    assert got.json()["name"] == "Chakki Atta 500 g (new)"
    assert got.json()["storefront_catalogue_item_id"] == item["catalogue_item_id"]
    assert validate_schema("CatalogueDTO", got.json()) == []

    deleted = await api.request(
        "DELETE", url, json=[{"catalogue_item_id": item["catalogue_item_id"]}]
    )
    assert deleted.status_code == 202 and deleted.content == b""
    assert_setu_error(await api.get(f"{url}/{item['catalogue_item_id']}"), 404, "1005")


async def test_catalogue_rules(api: httpx.AsyncClient, fake: FakeSetu) -> None:
    setu_storefront_id = await create_storefront(api)
    url = f"/api/storefronts/{setu_storefront_id}/catalogue"
    above_mrp = item_body()
    above_mrp["catalogue_item_details"]["price"]["selling_price"] = 70
    bad_tax = item_body()
    bad_tax["catalogue_item_details"]["price"]["cgst_tax_rate"] = 9
    outside = item_body(sub_categories=["Fashion"])
    response = await api.put(url, json=[item_body(), above_mrp, bad_tax, outside])
    assert_setu_error(response, 400, "2001")
    message = response.json()["error"]["message"]
    assert "1.catalogue_item_details.price.selling_price" in message
    assert "2.catalogue_item_details.price.total_tax_rate" in message
    assert "3.sub_categories" in message
    assert fake.catalogues[setu_storefront_id] == {}  # nothing stored
    assert_setu_error(await api.put("/api/storefronts/999/catalogue", json=[]), 404, "1004")


async def test_pending_approval_counts() -> None:
    fake = FakeSetu(approval="pending_approval")
    async with fake.client() as client:
        client.headers["Authorization"] = f"Bearer {await token(client, fake)}"
        setu_storefront_id = await create_storefront(client)
        response = await client.put(
            f"/api/storefronts/{setu_storefront_id}/catalogue", json=[item_body()]
        )
    assert response.json()["pending_approval"] == {"count": 1}


async def test_inventory_patch(api: httpx.AsyncClient, fake: FakeSetu) -> None:
    setu_storefront_id = await create_storefront(api)
    item = item_body()
    await api.put(f"/api/storefronts/{setu_storefront_id}/catalogue", json=[item])
    url = f"/api/storefronts/{setu_storefront_id}/catalogue/{item['catalogue_item_id']}/inventory"
    response = await api.patch(url, json={"quantity": 3000})
    assert response.status_code == 204
    assert fake.catalogues[setu_storefront_id][item["catalogue_item_id"]].quantity == 3000
    assert_setu_error(await api.patch(url, json={"quantity": -1}), 400, "2001")
    unknown = f"/api/storefronts/{setu_storefront_id}/catalogue/{uuid.uuid4()}/inventory"
    assert_setu_error(await api.patch(unknown, json={"quantity": 1}), 404, "1005")
    assert (await api.patch(url, json={"quantity": "3000"})).status_code == 422


# ---------------------------------------------------------------------------------------------
# Orders (§9)


async def test_orders_list_and_update(api: httpx.AsyncClient, fake: FakeSetu) -> None:
    setu_storefront_id = await create_storefront(api)
    item = item_body()
    await api.put(f"/api/storefronts/{setu_storefront_id}/catalogue", json=[item])
    url = f"/api/storefronts/{setu_storefront_id}/orders"
    query = {"store_front_id": setu_storefront_id}

    seeded = await api.post(url, params=query, json=order_body(item["catalogue_item_id"]))
    assert seeded.status_code == 202 and seeded.content == b""
    direct = fake.add_order(
        setu_storefront_id, order_body(item["catalogue_item_id"], order_state="Created")
    )

    listed = await api.get(url, params=query)
    assert listed.status_code == 200
    orders = listed.json()
    assert [o["order_state"] for o in orders] == ["AWAITING BAP CONFIRMED", "Created"]
    assert orders[1]["order_id"] == direct
    assert validate_schema("OrderOutputDTO", orders[0]) == []

    updated = await api.put(
        url,
        params=query,
        json=[
            {"order_id": orders[0]["order_id"], "order_state": "Accepted"},
            {"order_id": "no-such-order", "order_state": "Accepted"},
            {"order_id": direct, "order_state": "Teleported"},
        ],
    )
    assert updated.status_code == 202
    assert updated.json() == {"approved": {"count": 1}, "failed": {"count": 2}}
    assert fake.orders[setu_storefront_id][0]["order_state"] == "Accepted"


async def test_orders_need_matching_store_front_id(api: httpx.AsyncClient) -> None:
    setu_storefront_id = await create_storefront(api)
    url = f"/api/storefronts/{setu_storefront_id}/orders"
    missing = await api.get(url)
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["query", "store_front_id"]
    assert_setu_error(await api.get(url, params={"store_front_id": 999}), 400, "2001")
    assert_setu_error(
        await api.get("/api/storefronts/999/orders", params={"store_front_id": 999}), 404, "1004"
    )


async def test_order_for_an_unknown_item_is_rejected(api: httpx.AsyncClient) -> None:
    setu_storefront_id = await create_storefront(api)
    response = await api.post(
        f"/api/storefronts/{setu_storefront_id}/orders",
        params={"store_front_id": setu_storefront_id},
        json=order_body(str(uuid.uuid4())),
    )
    assert_setu_error(response, 400, "2001")


# ---------------------------------------------------------------------------------------------
# Faults and recording


async def test_fail_next(api: httpx.AsyncClient, fake: FakeSetu) -> None:
    fake.fail_next("/api/sellers", status=500, count=2)
    fake.fail_next(None, status=429, retry_after=3)
    for _ in range(2):
        response = await api.get("/api/sellers/1")
        assert_setu_error(response, 500, "4001")
    limited = await api.get("/api/storefronts/1")
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "3"
    assert (await api.get("/api/sellers/1")).status_code == 404  # faults used up


async def test_fail_next_matches_only_its_prefix(api: httpx.AsyncClient, fake: FakeSetu) -> None:
    fake.fail_next("/api/storefronts")
    assert (await api.get("/api/sellers/1")).status_code == 404
    assert (await api.get("/api/storefronts/1")).status_code == 500


async def test_down_raises_connect_error(client: httpx.AsyncClient, fake: FakeSetu) -> None:
    fake.down = True
    with pytest.raises(httpx.ConnectError):
        await client.post("/auth/token", json={})
    fake.down = False
    assert (await client.post("/auth/token", json={})).status_code == 422


async def test_malformed_next(client: httpx.AsyncClient, fake: FakeSetu) -> None:
    fake.malformed_next("/auth/token")
    response = await client.post(
        "/auth/token",
        json=credentials(fake),
    )
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    assert fake.tokens_issued == 0  # not processed
    assert await token(client, fake)


async def test_delay_next(client: httpx.AsyncClient, fake: FakeSetu) -> None:
    fake.delay_next(0.2)
    with pytest.raises(httpx.ReadTimeout):
        await client.get("/api/sellers/1", timeout=0.01)
    fake.delay_next(0.01)
    assert (await client.get("/api/sellers/1")).status_code == 401


async def test_requests_are_recorded(api: httpx.AsyncClient, fake: FakeSetu) -> None:
    body = seller_body()
    await api.post("/api/sellers", json=body)
    token_call, seller_call = fake.requests
    assert token_call.path == "/auth/token"
    assert token_call.json["client_secret"] == fake.client_secret
    assert "authorization" not in token_call.headers
    assert seller_call.method == "POST" and seller_call.path == "/api/sellers"
    assert seller_call.headers["authorization"].startswith("Bearer ")
    assert seller_call.headers["content-type"] == "application/json"
    assert seller_call.json == body
