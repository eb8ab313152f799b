"""FakeSetu: a stateful, spec-validating fake of Setu's ONDC seller API, as an httpx transport."""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs

import httpx
import pydantic

from bot.gateways.base import (
    ORDER_STATES,
    CatalogueItem,
    FieldError,
    OrderInput,
    SellerInput,
    StorefrontInput,
)

# The rules themselves live in the local gateway, which implements Setu's [S] patterns and [G]
# rules over our DB (setu-ondc.md §11); the fake reuses them so each rule exists once.
from bot.gateways.local import (
    LocalStorefront,
    _item_problems,
    _lookup_id,
    _order_problems,
    _seller_problems,
    _storefront_problems,
)
from tests.fakes.setu_spec import SpecError, find_operation, find_template, request_errors

# Section numbers (§n) below refer to /work/shared/api/setu-ondc.md.

SANDBOX_URL = "https://sandbox-ondc.setu.co"  # §1
TOKEN_TTL = 7 * 24 * 3600  # §2: tokens are valid for 7 days

Json = Any
Handler = Callable[["_Call"], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it; nothing is redacted."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    json: Json  # the decoded body; None for no body or a body that is not JSON
    content: bytes
    url: str


@dataclass
class _Fault:
    kind: Literal["fail", "malformed", "delay"]
    path_prefix: str | None
    count: int
    status: int = 500
    retry_after: float | None = None
    seconds: float = 0.0

    def matches(self, path: str) -> bool:
        return self.path_prefix is None or path.startswith(self.path_prefix)


@dataclass
class _Item:
    """A stored catalogue item: the ProductItemDTO as sent, Setu's own ids and the live stock."""

    setu_id: int  # CatalogueDTO.catalogue_item_id (an int, §7.3)
    inventory_id: int  # CatalogueDTO.product_inventory_id
    payload: dict[str, Any]
    quantity: int


@dataclass
class _Call:
    """A request being handled: its path parameters, query and decoded body."""

    request: httpx.Request
    params: dict[str, str]
    query: dict[str, list[str]]
    body: Json


class _Reject(Exception):
    """Ends handling with this response (a 4xx of the [S] envelope or FastAPI's 422)."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


# ---------------------------------------------------------------------------------------------
# Responses (§4)

# status, code, default message of each [S] error; 1004's message is the spec's copy-paste bug.
_ERRORS: dict[int | str, tuple[int, str, str | None]] = {
    "1001": (409, "SELLER_ALREADY_EXISTS_ERROR", "Seller already exists."),
    "1002": (404, "SELLER_DOES_NOT_EXISTS", "Seller does not exists."),
    "1003": (409, "STOREFRONT_ALREADY_EXISTS_ERROR", "Storefront already exists."),
    "1004": (404, "STOREFRONT_DOES_NOT_EXISTS_ERROR", "Storefront already exists."),
    "1005": (404, "PRODUCT_DOES_NOT_EXISTS_ERROR", "Product does not exists."),
    "2001": (400, "BAD_REQUEST", None),
    "3001": (401, "INVALID_AUTH_TOKEN_ERROR", None),
    "4001": (500, "GENERIC_EXCEPTION", None),
}


def _json(status: int, body: Json, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def _empty(status: int) -> httpx.Response:
    return httpx.Response(status)


def setu_error(code: str, message: str | None = None) -> httpx.Response:
    """The [S] error envelope for `code` with its documented HTTP status (§4)."""
    status, name, default = _ERRORS[code]
    error: dict[str, str] = {"code": code}
    if message or default:
        error["message"] = message or default or ""
    return _json(status, {"status": name, "success": False, "error": error})


def validation_error(errors: list[SpecError]) -> httpx.Response:
    """FastAPI's 422 (§4)."""
    return _json(422, {"detail": [error.as_detail() for error in errors]})


def _rule_error(problems: list[FieldError]) -> _Reject:
    # Setu answers 400 BAD_REQUEST / 2001 for a rule its schemas cannot express (§4, §11).
    message = "; ".join(f"{p.field}: {p.message}" if p.field else p.message for p in problems)
    return _Reject(setu_error("2001", message))


def _model_error(error: pydantic.ValidationError, prefix: tuple[str | int, ...]) -> _Reject:
    # A body the spec accepts but our models cannot read (e.g. "9am" as an opening time, typed
    # only as a string in [S]); FastAPI would report it the same way, as a 422.
    errors = [
        SpecError((*prefix, *detail["loc"]), detail["msg"], detail["type"])
        for detail in error.errors()
    ]
    return _Reject(validation_error(errors))


def _parse(model: type[pydantic.BaseModel], body: Json, prefix: tuple[str | int, ...]) -> Any:
    try:
        return model.model_validate(body)
    except pydantic.ValidationError as error:
        raise _model_error(error, prefix) from error


# ---------------------------------------------------------------------------------------------
# The fake


class FakeSetu:
    """Setu's seller API in memory: auth, sellers, storefronts, catalogue, inventory and orders.

    Wire a client to it with `httpx.AsyncClient(transport=fake.transport(), base_url=SANDBOX_URL)`
    (or `fake.client()`). Every request body is validated against the spec (422 on failure), then
    against Setu's documented rules (the [S] error envelope).
    """

    def __init__(
        self,
        client_id: str = "test-client-id",
        client_secret: str = "test-client-secret",
        *,
        token_ttl: float = TOKEN_TTL,
        approval: Literal["approved", "pending_approval"] = "approved",
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_ttl = token_ttl
        # §7: the PUT response implies an approval workflow that is not documented; by default
        # every valid item is approved at once, "pending_approval" reports them as pending.
        self.approval = approval
        self.down = False  # True: every request fails with httpx.ConnectError
        self.requests: list[RecordedRequest] = []
        self.tokens_issued = 0
        self.sellers: dict[int, dict[str, Any]] = {}  # SellerDTO by setu_seller_id
        self.storefronts: dict[int, dict[str, Any]] = {}  # StoreFrontOutputDTO by id
        self.catalogues: dict[int, dict[str, _Item]] = {}  # by storefront, then item uuid
        self.orders: dict[int, list[dict[str, Any]]] = {}  # OrderOutputDTO, oldest first
        self._now = 0.0
        self._tokens: dict[str, float] = {}  # token -> issue time on the fake clock
        self._faults: list[_Fault] = []
        self._ids: dict[str, int] = {}
        self._routes: dict[tuple[str, str], Handler] = {
            ("POST", "/api/sellers"): self._create_seller,
            ("GET", "/api/sellers/{setu_seller_id}"): self._get_seller,
            ("PATCH", "/api/sellers/{setu_seller_id}"): self._update_seller,
            ("DELETE", "/api/sellers/{setu_seller_id}"): self._delete_seller,
            ("POST", "/api/storefronts"): self._create_storefront,
            ("GET", "/api/storefronts/{setu_storefront_id}"): self._get_storefront,
            ("PATCH", "/api/storefronts/{setu_storefront_id}"): self._update_storefront,
            ("DELETE", "/api/storefronts/{setu_storefront_id}"): self._delete_storefront,
            ("PUT", "/api/storefronts/{setu_storefront_id}/catalogue"): self._upsert_catalogue,
            ("DELETE", "/api/storefronts/{setu_storefront_id}/catalogue"): self._delete_items,
            (
                "GET",
                "/api/storefronts/{setu_storefront_id}/catalogue/{storefront_catalogue_item_id}",
            ): self._get_item,
            (
                "PATCH",
                "/api/storefronts/{setu_storefront_id}/catalogue/{storefront_catalogue_item_id}"
                "/inventory",
            ): self._set_inventory,
            ("GET", "/api/storefronts/{setu_storefront_id}/orders"): self._list_orders,
            ("PUT", "/api/storefronts/{setu_storefront_id}/orders"): self._update_orders,
            ("POST", "/api/storefronts/{setu_storefront_id}/orders"): self._create_order,
        }

    # Test controls ----------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """An httpx transport served by this fake (async clients only: the handler is async)."""
        return httpx.MockTransport(self.handle)

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        """A plain AsyncClient on the sandbox base URL, served by this fake."""
        return httpx.AsyncClient(transport=self.transport(), base_url=SANDBOX_URL, **kwargs)

    def advance(self, seconds: float) -> None:
        """Moves the fake's clock on, e.g. past `token_ttl` to expire every token."""
        self._now += seconds

    def revoke_tokens(self) -> None:
        """Invalidates every token at once (the next /api call gets 401)."""
        self._tokens.clear()

    def fail_next(
        self,
        path_prefix: str | None = None,
        *,
        status: int = 500,
        retry_after: float | None = None,
        count: int = 1,
    ) -> None:
        """The next `count` requests whose path starts with `path_prefix` (None: any) fail.

        5xx answers carry the [S] GENERIC_EXCEPTION envelope; `retry_after` sets Retry-After.
        The request is not processed.
        """
        self._faults.append(_Fault("fail", path_prefix, count, status, retry_after))

    def malformed_next(self, path_prefix: str | None = None, *, count: int = 1) -> None:
        """The next matching requests get a 200 whose body is not JSON; they are not processed."""
        self._faults.append(_Fault("malformed", path_prefix, count))

    def delay_next(self, seconds: float, path_prefix: str | None = None, *, count: int = 1) -> None:
        """The next matching requests wait `seconds` (real time) before being handled.

        MockTransport ignores httpx timeouts, so the fake honours the request's read timeout
        itself: a delay longer than it raises httpx.ReadTimeout after the timeout.
        """
        self._faults.append(_Fault("delay", path_prefix, count, seconds=seconds))

    def add_order(
        self, setu_storefront_id: int, order: dict[str, Any], *, order_id: str | None = None
    ) -> str:
        """Seeds an order directly (any state, e.g. ONDC's "Created"); returns its order_id.

        The HTTP hook (POST .../orders) only takes [S]'s two OrderState values (§9).
        """
        order_id = order_id or str(uuid.uuid4())
        # OrderOutputDTO requires feedback (§9); a fresh order has none, so send an empty one.
        stored = {"feedback": {"rating": 0, "review": ""}, "notes": "", **order}
        self.orders.setdefault(setu_storefront_id, []).append({**stored, "order_id": order_id})
        return order_id

    # The transport ------------------------------------------------------------------------------

    async def handle(self, request: httpx.Request) -> httpx.Response:
        """The MockTransport handler: records the request, applies faults, then answers it."""
        body = self._decode(request.content)
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.url.path,
                query=parse_qs(request.url.query.decode(), keep_blank_values=True),
                headers={name.lower(): value for name, value in request.headers.items()},
                json=body,
                content=request.content,
                url=str(request.url),
            )
        )
        if self.down:
            raise httpx.ConnectError("fake Setu is down", request=request)
        path = request.url.path
        delay = self._take_fault("delay", path)
        if delay is not None:
            await self._sleep(delay.seconds, request)
        failure = self._take_fault("fail", path)
        if failure is not None:
            return self._failure(failure)
        if self._take_fault("malformed", path) is not None:
            return httpx.Response(
                200, content=b'{"accessToken\': "truncated', headers={"content-type": "json"}
            )
        try:
            return await self._route(request, body)
        except _Reject as reject:
            return reject.response

    @staticmethod
    def _decode(content: bytes) -> Json:
        if not content:
            return None
        try:
            return json.loads(content)
        except ValueError:
            return None

    def _take_fault(self, kind: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.kind == kind and fault.matches(path):
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    @staticmethod
    async def _sleep(seconds: float, request: httpx.Request) -> None:
        timeout = request.extensions.get("timeout", {}).get("read")
        if timeout is not None and seconds > timeout:
            await asyncio.sleep(timeout)
            raise httpx.ReadTimeout("fake Setu did not answer in time", request=request)
        await asyncio.sleep(seconds)

    @staticmethod
    def _failure(fault: _Fault) -> httpx.Response:
        headers = {"retry-after": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
        if fault.status >= 500:
            name = _ERRORS["4001"][1]
            body = {"status": name, "success": False, "error": {"code": "4001"}}
        else:
            # [inferred] Setu documents no 429; a gateway in front answers in FastAPI's style.
            body = {"detail": httpx.codes.get_reason_phrase(fault.status) or "error"}
        return _json(fault.status, body, headers)

    async def _route(self, request: httpx.Request, body: Json) -> httpx.Response:
        path = request.url.path
        if path == "/auth/token":
            return self._issue_token(request, body)
        # Only [S] paths exist (§10): the guide's singular /api/storefront[/...] is a 404, so a
        # client that copied the guide fails loudly here rather than against Setu.
        found = find_template(path)
        if found is None or not path.startswith("/api/"):
            return _json(404, {"detail": "Not Found"})
        template, params = found
        handler = self._routes.get((request.method, template))
        if handler is None:
            if find_operation(request.method, path) is None and any(
                key[1] == template for key in self._routes
            ):
                return _json(405, {"detail": "Method Not Allowed"})
            # /api/health, /api/echo/, /api/redis/ are in [S] but are not the seller API.
            return _json(404, {"detail": "Not Found"})
        self._authenticate(request)
        if request.content and "json" not in request.headers.get("content-type", ""):
            # §1: every call sends Content-Type: application/json.
            raise _Reject(
                validation_error(
                    [SpecError(("body",), "value is not a valid dict", "type_error.dict")]
                )
            )
        if request.content and body is None:
            raise _Reject(
                validation_error(
                    [SpecError(("body", 0), "Expecting value", "value_error.jsondecode")]
                )
            )
        target = path + (f"?{request.url.query.decode()}" if request.url.query else "")
        errors = request_errors(request.method, target, body)
        if errors:
            return validation_error(errors)
        query = parse_qs(request.url.query.decode(), keep_blank_values=True)
        return await handler(_Call(request, params, query, body))

    # Auth (§2) ------------------------------------------------------------------------------

    def _issue_token(self, request: httpx.Request, body: Json) -> httpx.Response:
        if request.method != "POST":
            return _json(405, {"detail": "Method Not Allowed"})
        if "authorization" in request.headers:
            # §2: the token call must not send Authorization; [inferred] a 400.
            return setu_error("2001", "The token call takes no Authorization header.")
        errors = [
            SpecError(("body", name), "field required", "value_error.missing")
            for name in ("client_id", "client_secret", "grant_type")
            if not isinstance(body, dict) or not isinstance(body.get(name), str)
        ]
        if not errors and body["grant_type"] != "client_credentials":
            errors.append(
                SpecError(
                    ("body", "grant_type"),
                    "unexpected value; permitted: 'client_credentials'",
                    "value_error.const",
                )
            )
        if errors:
            return validation_error(errors)
        if (body["client_id"], body["client_secret"]) != (self.client_id, self.client_secret):
            # [inferred] the guide states no status or body for bad credentials.
            return setu_error("3001", "Invalid client credentials.")
        token = secrets.token_urlsafe(24)
        self._tokens[token] = self._now
        self.tokens_issued += 1
        # §2: the (malformed) sample shows only accessToken; the status is not stated.
        return _json(200, {"accessToken": token})

    def _authenticate(self, request: httpx.Request) -> None:
        # §1/§2: the header must be spelt "Authorization" (any case), value "Bearer <token>".
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        issued = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if issued is None or self._now - issued >= self.token_ttl:
            # §2: the [S] 401 body, with no message.
            raise _Reject(
                _json(
                    401,
                    {
                        "status": "INVALID_AUTH_TOKEN_ERROR",
                        "success": False,
                        "error": {"code": "3001"},
                    },
                )
            )

    # Helpers --------------------------------------------------------------------------------

    def _next_id(self, kind: str) -> int:
        # Ids never come back after a delete, so a stale id is a 404, not someone else's record.
        self._ids[kind] = self._ids.get(kind, 0) + 1
        return self._ids[kind]

    def _seller(self, setu_seller_id: int) -> dict[str, Any]:
        seller = self.sellers.get(setu_seller_id)
        if seller is None:
            raise _Reject(setu_error("1002"))
        return seller

    def _storefront(self, setu_storefront_id: int) -> dict[str, Any]:
        storefront = self.storefronts.get(setu_storefront_id)
        if storefront is None:
            raise _Reject(setu_error("1004"))
        return storefront

    def _item(self, setu_storefront_id: int, catalogue_item_id: str) -> _Item:
        self._storefront(setu_storefront_id)
        item = self.catalogues.get(setu_storefront_id, {}).get(_lookup_id(catalogue_item_id))
        if item is None:
            raise _Reject(setu_error("1005"))
        return item

    def _seller_id_taken(self, seller_id: str, *, other_than: int | None = None) -> bool:
        return any(
            s["seller_id"] == seller_id for key, s in self.sellers.items() if key != other_than
        )

    def _delete_storefront_data(self, setu_storefront_id: int) -> None:
        self.storefronts.pop(setu_storefront_id, None)
        self.catalogues.pop(setu_storefront_id, None)
        self.orders.pop(setu_storefront_id, None)

    # Seller (§5) ------------------------------------------------------------------------------

    def _checked_seller(self, body: dict[str, Any]) -> dict[str, Any]:
        fields = {k: v for k, v in body.items() if k != "setu_seller_id"}
        seller: SellerInput = _parse(SellerInput, fields, ("body",))
        problems = _seller_problems(seller)
        if problems:
            raise _rule_error(problems)
        # pydantic v1 returns a UUID field in canonical form; store it so.
        return {**fields, "seller_id": _lookup_id(seller.seller_id)}

    async def _create_seller(self, call: _Call) -> httpx.Response:
        seller = self._checked_seller(call.body)
        if self._seller_id_taken(seller["seller_id"]):
            return setu_error("1001")
        setu_seller_id = self._next_id("seller")
        self.sellers[setu_seller_id] = {**seller, "setu_seller_id": setu_seller_id}
        return _json(201, {"setu_seller_id": setu_seller_id})  # §5: [S] 201, [G] 200

    async def _get_seller(self, call: _Call) -> httpx.Response:
        return _json(200, self._seller(int(call.params["setu_seller_id"])))

    async def _update_seller(self, call: _Call) -> httpx.Response:
        # §5 conflict: [S] requires the full SellerDTO (a partial body already failed the spec).
        setu_seller_id = int(call.params["setu_seller_id"])
        self._seller(setu_seller_id)
        seller = self._checked_seller(call.body)
        if self._seller_id_taken(seller["seller_id"], other_than=setu_seller_id):
            return setu_error("1001")
        # [inferred] the path id wins over a setu_seller_id in the body.
        self.sellers[setu_seller_id] = {**seller, "setu_seller_id": setu_seller_id}
        return _empty(204)

    async def _delete_seller(self, call: _Call) -> httpx.Response:
        setu_seller_id = int(call.params["setu_seller_id"])
        self._seller(setu_seller_id)
        del self.sellers[setu_seller_id]
        # §5: deletion is permanent; [inferred] the seller's storefronts go with it.
        for key in [
            k for k, s in self.storefronts.items() if s["setu_seller_id"] == setu_seller_id
        ]:
            self._delete_storefront_data(key)
        return _json(200, None)  # §5: [S] 200 with an unspecified body; FastAPI sends null

    # Storefront (§6) --------------------------------------------------------------------------

    def _checked_storefront(self, body: dict[str, Any]) -> dict[str, Any]:
        seller = self._seller(body["setu_seller_id"])
        storefront: StorefrontInput = _parse(StorefrontInput, body, ("body",))
        problems = _storefront_problems(storefront, seller["categories"])
        if problems:
            raise _rule_error(problems)
        return {**body, "storefront_id": _lookup_id(storefront.storefront_id)}

    async def _create_storefront(self, call: _Call) -> httpx.Response:
        storefront = self._checked_storefront(call.body)
        if any(
            s["storefront_id"] == storefront["storefront_id"] for s in self.storefronts.values()
        ):
            return setu_error("1003")
        setu_storefront_id = self._next_id("storefront")
        self.storefronts[setu_storefront_id] = {
            **storefront,
            "setu_storefront_id": setu_storefront_id,
            "status": "LIVE",  # §6: StoreFrontOutputDTO defaults
            "rating": 0.0,
        }
        self.catalogues[setu_storefront_id] = {}
        self.orders[setu_storefront_id] = []
        return _json(201, {"setu_storefront_id": setu_storefront_id})

    async def _get_storefront(self, call: _Call) -> httpx.Response:
        return _json(200, self._storefront(int(call.params["setu_storefront_id"])))

    async def _update_storefront(self, call: _Call) -> httpx.Response:
        # §6: StoreFrontUpdateDTO is the full storefront minus storefront_id and setu_seller_id.
        setu_storefront_id = int(call.params["setu_storefront_id"])
        current = self._storefront(setu_storefront_id)
        fixed = {k: current[k] for k in ("storefront_id", "setu_seller_id")}
        updated = self._checked_storefront({**call.body, **fixed})
        self.storefronts[setu_storefront_id] = {**current, **updated}
        return _empty(204)

    async def _delete_storefront(self, call: _Call) -> httpx.Response:
        setu_storefront_id = int(call.params["setu_storefront_id"])
        self._storefront(setu_storefront_id)
        self._delete_storefront_data(setu_storefront_id)
        return _json(200, None)  # §6: [S] 200, body unspecified

    # Catalogue and inventory (§7, §8) -----------------------------------------------------------

    async def _upsert_catalogue(self, call: _Call) -> httpx.Response:
        setu_storefront_id = int(call.params["setu_storefront_id"])
        storefront = LocalStorefront.model_validate(self._storefront(setu_storefront_id))
        problems: list[FieldError] = []
        items: list[CatalogueItem] = []
        seen: set[str] = set()
        for index, body in enumerate(call.body):
            item: CatalogueItem = _parse(CatalogueItem, body, ("body", index))
            item_problems = _item_problems(item, storefront)
            if _lookup_id(item.catalogue_item_id) in seen:
                item_problems.append(FieldError("catalogue_item_id", "appears twice"))
            seen.add(_lookup_id(item.catalogue_item_id))
            problems += [FieldError(f"{index}.{p.field}", p.message) for p in item_problems]
            items.append(item)
        # [inferred] the whole body is checked before any item is stored, as the local gateway does.
        if problems:
            raise _rule_error(problems)
        catalogue = self.catalogues.setdefault(setu_storefront_id, {})
        for body, item in zip(call.body, items, strict=True):
            # §7: an unseen catalogue_item_id is created, a known one replaced in place.
            item_id = _lookup_id(item.catalogue_item_id)
            payload = {**body, "catalogue_item_id": item_id}
            known = catalogue.get(item_id)
            if known is None:
                catalogue[item_id] = _Item(
                    self._next_id("item"),
                    self._next_id("inventory"),
                    payload,
                    item.inventory.quantity,
                )
            else:
                known.payload, known.quantity = payload, item.inventory.quantity
        counts = {"approved": 0, "pending_approval": 0, "failed": 0}
        counts[self.approval] = len(items)
        # §7: ProductsUploadOutputDTO; the *_items report URIs are optional and left out.
        return _json(202, {name: {"count": count} for name, count in counts.items()})

    async def _delete_items(self, call: _Call) -> httpx.Response:
        setu_storefront_id = int(call.params["setu_storefront_id"])
        self._storefront(setu_storefront_id)
        catalogue = self.catalogues.setdefault(setu_storefront_id, {})
        for entry in call.body:
            # [inferred] unknown ids are ignored (§7: 202 with an empty body either way).
            catalogue.pop(_lookup_id(entry["catalogue_item_id"]), None)
        return _empty(202)

    async def _get_item(self, call: _Call) -> httpx.Response:
        setu_storefront_id = int(call.params["setu_storefront_id"])
        storefront = self._storefront(setu_storefront_id)
        item = self._item(setu_storefront_id, call.params["storefront_catalogue_item_id"])
        return _json(200, self._catalogue_dto(storefront, item))

    @staticmethod
    def _catalogue_dto(storefront: dict[str, Any], item: _Item) -> dict[str, Any]:
        """CatalogueDTO (§7.3): Setu's view of the item; it does not include the stock."""
        payload = item.payload
        details = payload["catalogue_item_details"]
        pickup = storefront["pickup_details"]
        area = payload["serviceability"] or storefront["serviceability"]  # §7.1 rule 7
        coordinates = (
            [[float(pickup["pickup_long"]), float(pickup["pickup_lat"])]]
            if pickup.get("pickup_lat") and pickup.get("pickup_long")
            else []
        )
        return {
            "_id": f"{item.setu_id:024x}",  # [inferred] a Mongo-style ObjectId
            "catalogue_item_id": item.setu_id,
            "storefront_catalogue_item_id": payload["catalogue_item_id"],
            "display_catalogue_item_id": str(item.setu_id),
            "parent_category": (payload["sub_categories"] or ["F&B"])[0],
            "storefront": {
                "name": storefront["name"],
                "categories": storefront["categories"],
                "short_desc": storefront["name"],
                "long_desc": storefront["name"],
                "images": [],
                "pickup_details": pickup,
                "ttl": "PT1H",
            },
            "name": details["name"],
            "categories": payload["sub_categories"],
            "item_details": details,
            "item_policies": payload["item_policies"],
            "serviceability": {
                **area,
                "location_coordinates": {"type": "multipoint", "coordinates": coordinates},
            },
            "status": "APPROVED",  # [inferred] the values are undocumented
            "product_inventory_id": item.inventory_id,
            "storefront_id": storefront["setu_storefront_id"],
            "seller_id": storefront["setu_seller_id"],
        }

    async def _set_inventory(self, call: _Call) -> httpx.Response:
        item = self._item(
            int(call.params["setu_storefront_id"]), call.params["storefront_catalogue_item_id"]
        )
        quantity = call.body["quantity"]
        if quantity < 0:
            raise _rule_error([FieldError("quantity", "must not be negative")])
        item.quantity = quantity  # §8: [inferred] the value replaces the stock count
        return _empty(204)  # §8: [S] 204, [G] 202

    # Orders (§9) --------------------------------------------------------------------------------

    def _orders_storefront(self, call: _Call) -> int:
        # §9: [S] declares only the query store_front_id (required, checked by the spec); the
        # client sends both, with the same value. [inferred] A mismatch is a 400, to catch bugs.
        path_id, query_id = call.params["setu_storefront_id"], call.query["store_front_id"][-1]
        try:
            same = int(path_id) == int(query_id)
        except ValueError:
            same = False
        if not same:
            raise _Reject(setu_error("2001", "store_front_id differs from the path's id."))
        setu_storefront_id = int(query_id)
        self._storefront(setu_storefront_id)  # §9: assume 404 for an unknown storefront
        return setu_storefront_id

    async def _list_orders(self, call: _Call) -> httpx.Response:
        setu_storefront_id = self._orders_storefront(call)
        # §9: a bare array, every order, no pagination.
        return _json(200, list(self.orders.get(setu_storefront_id, [])))

    async def _update_orders(self, call: _Call) -> httpx.Response:
        setu_storefront_id = self._orders_storefront(call)
        orders = {o["order_id"]: o for o in self.orders.get(setu_storefront_id, [])}
        approved = failed = 0
        for update in call.body:
            # §11: per-order failures are counted, not raised; order_state is a free string in
            # [S], so [inferred] only the known Setu/ONDC states are accepted.
            order = orders.get(update["order_id"])
            if order is None or update["order_state"] not in ORDER_STATES:
                failed += 1
                continue
            order["order_state"] = update["order_state"]
            approved += 1
        return _json(202, {"approved": {"count": approved}, "failed": {"count": failed}})

    async def _create_order(self, call: _Call) -> httpx.Response:
        setu_storefront_id = self._orders_storefront(call)
        order: OrderInput = _parse(OrderInput, call.body, ("body",))
        # Setu documents no stock check on its order hook: any known item may be ordered.
        known = dict.fromkeys(self.catalogues.get(setu_storefront_id, {}), 10**9)
        problems = _order_problems(order, known)
        if problems:
            raise _rule_error(problems)
        self.add_order(setu_storefront_id, call.body)
        return _empty(202)  # §9: 202 with an empty body (so no order_id comes back)


__all__ = ["SANDBOX_URL", "TOKEN_TTL", "FakeSetu", "RecordedRequest", "setu_error"]
