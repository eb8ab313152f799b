"""Setu's seller API over HTTP: one pooled httpx client, the access token, retries, and Setu's
errors as GatewayErrors. Section numbers (§n) refer to ../shared/api/setu-ondc.md.

Tokens (§2): `POST /auth/token` with the client credentials gives a token valid for 7 days and
says nothing of its expiry, so the client notes when it got it. The token is kept in the
database (a restart does not ask again), renewed a day before it runs out, and renewed once
when Setu answers 401; a second 401 means the credentials themselves are refused. Concurrent
calls share one renewal.

Retries: network errors, 429 (after its Retry-After) and 5xx are retried with exponential backoff
and full jitter, but only for idempotent calls (GET, PUT, DELETE, PATCH of a whole value, and
POSTs the caller made idempotent with its own ids), and within a bounded total time.

Nothing secret is logged: not the token, not the client secret, not request bodies.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx

from bot.gateways.base import (
    AlreadyExists,
    FieldError,
    GatewayError,
    InvalidRequest,
    NotFound,
    Unavailable,
)

log = logging.getLogger(__name__)

SANDBOX_URL = "https://sandbox-ondc.setu.co"  # §1
TOKEN_LIFETIME = timedelta(days=7)  # §2
RENEW_BEFORE = timedelta(days=1)  # renewed this long before it runs out
TIMEOUT = httpx.Timeout(15.0, connect=5.0)
LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=10)
ATTEMPTS = 4  # one call and three retries
BACKOFF_SECONDS = 0.5  # the first retry waits up to this long, the next up to twice as long...
RETRY_AFTER_MAX_SECONDS = 30.0
TOTAL_SECONDS = 45.0  # no call, retries included, takes longer than this
_RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})

# §4: Setu's error codes.
_NOT_FOUND_CODES = frozenset({"1002", "1004", "1005"})
_TAKEN_CODES = frozenset({"1001", "1003"})


class TokenStore(Protocol):
    """Where the token is kept between runs (bot.storage.store.Store)."""

    def gateway_token(self, name: str) -> tuple[str, datetime] | None: ...

    def save_gateway_token(self, name: str, token: str, expires_at: datetime) -> None: ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SetuHttp:
    """Calls Setu's API; `request` returns the decoded JSON body (None when there is none)."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        tokens: TokenStore,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = TIMEOUT,
        now: Callable[[], datetime] = _utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, limits=LIMITS, transport=transport
        )
        self._credentials = {
            "client_id": client_id,
            "client_secret": client_secret,
            "grant_type": "client_credentials",
        }
        self._tokens = tokens
        self._token_name = f"setu {base_url.rstrip('/')}"[:64]
        self._token: tuple[str, datetime] | None = None
        self._renewing = asyncio.Lock()
        self._now = now
        self._sleep = sleep
        self._jitter = jitter

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotent: bool,
    ) -> Any:
        """One API call with the token; GatewayError subclasses for every failure."""
        token = await self._current_token()
        response = await self._send(
            method, path, json=json, params=params, token=token, idempotent=idempotent
        )
        if response.status_code == 401:
            # §2: expired or revoked: a new token, and the call once more.
            token = await self._renew(token)
            response = await self._send(
                method, path, json=json, params=params, token=token, idempotent=idempotent
            )
            if response.status_code == 401:
                log.error(
                    "Setu refused a fresh token for %s %s: check the client id and secret",
                    method,
                    path,
                )
                raise Unavailable("Setu refused the access token", code="3001")
        return _decoded(response)

    # Tokens -----------------------------------------------------------------------------------

    def _usable(self, token: tuple[str, datetime] | None) -> bool:
        return token is not None and token[1] - self._now() > RENEW_BEFORE

    async def _current_token(self) -> str:
        if self._usable(self._token):
            return self._token[0]  # type: ignore[index]
        async with self._renewing:
            if not self._usable(self._token):
                stored = self._tokens.gateway_token(self._token_name)
                self._token = stored if self._usable(stored) else await self._new_token()
            return self._token[0]  # type: ignore[index]

    async def _renew(self, refused: str) -> str:
        """A new token in place of `refused`, unless another call renewed it meanwhile."""
        async with self._renewing:
            if self._token is None or self._token[0] == refused:
                self._token = await self._new_token()
            return self._token[0]

    async def _new_token(self) -> tuple[str, datetime]:
        obtained = self._now()
        response = await self._send(
            "POST", "/auth/token", json=self._credentials, token=None, idempotent=True
        )
        if response.status_code != 200:
            log.error("Setu refused the client credentials (HTTP %s)", response.status_code)
            raise Unavailable("Setu refused the client credentials", code=_error_code(response))
        body = _decoded(response)
        token = body.get("accessToken") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise Unavailable("Setu's token answer has no accessToken")
        expires_at = obtained + TOKEN_LIFETIME
        self._tokens.save_gateway_token(self._token_name, token, expires_at)
        log.info("Setu access token obtained, valid until %s", expires_at.isoformat())
        return token, expires_at

    # Sending, with retries --------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        token: str | None,
        idempotent: bool,
    ) -> httpx.Response:
        """The response to the call, retried while that is safe and worth it; a response with a
        status not retried (2xx, 4xx) is returned as it is."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TOTAL_SECONDS
        for attempt in range(1, ATTEMPTS + 1):
            failure: str
            retry_after: float | None = None
            try:
                response = await self._client.request(
                    method, path, json=json, params=params, headers=headers
                )
            except httpx.TransportError as error:
                failure = f"{type(error).__name__}"
            else:
                if response.status_code not in _RETRIED_STATUSES and _readable(response):
                    return response
                failure = f"HTTP {response.status_code}"
                if response.status_code == 429:
                    retry_after = _retry_after(response)
            wait = retry_after if retry_after is not None else self._backoff(attempt)
            if not idempotent or attempt == ATTEMPTS or loop.time() + wait > deadline:
                log.warning(
                    "Setu %s %s failed (%s), attempt %d: giving up", method, path, failure, attempt
                )
                raise Unavailable(f"Setu {method} {path}: {failure}")
            log.info("Setu %s %s failed (%s): retry in %.1f s", method, path, failure, wait)
            await self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        """Full jitter: anywhere between 0 and the exponential step."""
        return self._jitter() * BACKOFF_SECONDS * 2 ** (attempt - 1)


def _readable(response: httpx.Response) -> bool:
    """Whether a successful answer's body is JSON (or empty); a garbled one counts as a failure."""
    if not response.is_success or not response.content:
        return True
    try:
        response.json()
    except ValueError:
        return False
    return True


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), RETRY_AFTER_MAX_SECONDS)


def _decoded(response: httpx.Response) -> Any:
    if response.is_success:
        return response.json() if response.content else None
    raise _error(response)


def _error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return str(code) if code is not None else None


def _error(response: httpx.Response) -> GatewayError:
    """Setu's answer as the gateway error it means (§4)."""
    status, code = response.status_code, _error_code(response)
    if status == 404 or code in _NOT_FOUND_CODES:
        return NotFound(f"Setu: not found ({code})", code=code)
    if status == 409 or code in _TAKEN_CODES:
        return AlreadyExists(f"Setu: already exists ({code})", code=code)
    if status == 422:
        return InvalidRequest(_validation_errors(response), code=code)
    if status == 400:
        return InvalidRequest(_rule_errors(_message(response)), code=code)
    return Unavailable(f"Setu answered HTTP {status} ({code})", code=code)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
        return str(body["error"].get("message") or body["status"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return f"HTTP {response.status_code}"


_FIELD_PATH = re.compile(r"^([A-Za-z_][\w]*|\d+)(\.([A-Za-z_][\w]*|\d+))*$")


def _rule_errors(message: str) -> list[FieldError]:
    """A 400's message as field errors where it names them ("gst_number: bad; pan: bad", as the
    fake and [inferred] Setu's validators word them); otherwise one error for the whole body."""
    errors = []
    for part in message.split("; "):
        field, colon, text = part.partition(": ")
        if colon and _FIELD_PATH.match(field):
            errors.append(FieldError(field, text))
        else:
            errors.append(FieldError("", part))
    return errors


def _validation_errors(response: httpx.Response) -> list[FieldError]:
    """FastAPI's 422 `detail` as dotted field paths, "body" dropped from the front: ["body", 0,
    "inventory", "quantity"] is "0.inventory.quantity" (the item's index in a batch stays)."""
    try:
        detail = response.json()["detail"]
    except (ValueError, KeyError, TypeError):
        return [FieldError("", "rejected")]
    errors = []
    for entry in detail if isinstance(detail, list) else []:
        location = [str(part) for part in entry.get("loc", [])]
        if location and location[0] in {"body", "query", "path"}:
            location.pop(0)
        errors.append(FieldError(".".join(location), str(entry.get("msg", "invalid"))))
    return errors or [FieldError("", "rejected")]
