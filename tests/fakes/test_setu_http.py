"""bot/gateways/setu/http.py against the fake Setu: tokens (first call, expiry, 401, concurrent
calls, kept in the database), retries (429 with Retry-After, 5xx, garbled JSON, a connection
refused) only where the call is idempotent, and Setu's errors as gateway errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine

from bot.gateways.base import AlreadyExists, InvalidRequest, NotFound, Unavailable
from bot.gateways.setu.http import SANDBOX_URL, TIMEOUT, TOKEN_LIFETIME, SetuHttp
from bot.storage.store import Store
from tests.contract import samples
from tests.fakes.setu_server import FakeSetu


class Clock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self.moment

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)  # retries wait on this clock, not the test's time


@pytest.fixture
def fake() -> FakeSetu:
    return FakeSetu()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_http(
    fake: FakeSetu,
    store: Store,
    clock: Clock,
    secret: str | None = None,
    timeout: httpx.Timeout = TIMEOUT,
) -> SetuHttp:
    return SetuHttp(
        SANDBOX_URL,
        fake.client_id,
        secret or fake.client_secret,
        store,
        transport=fake.transport(),
        timeout=timeout,
        now=clock.now,
        sleep=clock.sleep,
        jitter=lambda: 1.0,
    )


@pytest.fixture
async def http(fake: FakeSetu, engine: Engine, clock: Clock) -> AsyncIterator[SetuHttp]:
    client = make_http(fake, Store(engine), clock)
    yield client
    await client.aclose()


async def create_seller(http: SetuHttp) -> int:
    body = samples.seller_input().model_dump(mode="json", exclude_none=True)
    answer = await http.request("POST", "/api/sellers", json=body, idempotent=False)
    return answer["setu_seller_id"]


def calls(fake: FakeSetu, path: str) -> int:
    return sum(1 for request in fake.requests if request.path == path)


async def test_the_first_call_fetches_a_token_and_later_calls_reuse_it(
    http: SetuHttp, fake: FakeSetu
) -> None:
    seller = await create_seller(http)
    await http.request("GET", f"/api/sellers/{seller}", idempotent=True)
    assert fake.tokens_issued == 1
    token_call = next(r for r in fake.requests if r.path == "/auth/token")
    assert "authorization" not in token_call.headers
    api_calls = [r for r in fake.requests if r.path.startswith("/api/")]
    assert all(r.headers["authorization"].startswith("Bearer ") for r in api_calls)


async def test_the_token_is_kept_in_the_database_across_restarts(
    fake: FakeSetu, engine: Engine, clock: Clock
) -> None:
    first = make_http(fake, Store(engine), clock)
    await create_seller(first)
    await first.aclose()
    second = make_http(fake, Store(engine), clock)  # a restart: same database, new client
    await create_seller(second)
    await second.aclose()
    assert fake.tokens_issued == 1


async def test_a_token_is_renewed_a_day_before_its_seven_days_are_up(
    http: SetuHttp, fake: FakeSetu, clock: Clock
) -> None:
    await create_seller(http)
    clock.moment += TOKEN_LIFETIME - timedelta(days=2)
    await create_seller(http)
    assert fake.tokens_issued == 1
    clock.moment += timedelta(days=1, seconds=1)  # within a day of the end: renewed first
    fake.advance((TOKEN_LIFETIME - timedelta(days=1)).total_seconds())
    await create_seller(http)
    assert fake.tokens_issued == 2
    assert calls(fake, "/api/sellers") == 3  # no call was refused on the way


async def test_a_401_renews_the_token_once_and_replays_the_call(
    http: SetuHttp, fake: FakeSetu
) -> None:
    seller = await create_seller(http)
    fake.revoke_tokens()
    answer = await http.request("GET", f"/api/sellers/{seller}", idempotent=True)
    assert answer["setu_seller_id"] == seller
    assert fake.tokens_issued == 2
    assert calls(fake, f"/api/sellers/{seller}") == 2


async def test_a_second_401_is_reported_to_the_operator_and_raised(
    fake: FakeSetu, engine: Engine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    http = make_http(fake, Store(engine), clock)
    await create_seller(http)
    fake.revoke_tokens()
    fake.token_ttl = 0  # every token Setu gives from now on is refused at once
    with caplog.at_level(logging.INFO), pytest.raises(Unavailable) as refused:
        await http.request("GET", "/api/sellers/1", idempotent=True)
    await http.aclose()
    assert refused.value.code == "3001"
    assert fake.tokens_issued == 2  # renewed once, not in a loop
    assert any(r.levelno == logging.ERROR for r in caplog.records)


async def test_concurrent_calls_share_one_renewal(http: SetuHttp, fake: FakeSetu) -> None:
    seller = await create_seller(http)
    fake.revoke_tokens()
    answers = await asyncio.gather(
        *(http.request("GET", f"/api/sellers/{seller}", idempotent=True) for _ in range(10))
    )
    assert {answer["setu_seller_id"] for answer in answers} == {seller}
    assert fake.tokens_issued == 2


async def test_wrong_credentials_are_one_clear_error(
    fake: FakeSetu, engine: Engine, clock: Clock
) -> None:
    http = make_http(fake, Store(engine), clock, secret="not-the-secret")
    with pytest.raises(Unavailable, match="client credentials"):
        await http.request("GET", "/api/sellers/1", idempotent=True)
    await http.aclose()


async def test_429_is_retried_after_its_retry_after(
    http: SetuHttp, fake: FakeSetu, clock: Clock
) -> None:
    seller = await create_seller(http)
    fake.fail_next(f"/api/sellers/{seller}", status=429, retry_after=7)
    answer = await http.request("GET", f"/api/sellers/{seller}", idempotent=True)
    assert answer["setu_seller_id"] == seller
    assert clock.slept == [7.0]


async def test_5xx_and_garbled_answers_are_retried_with_growing_waits(
    http: SetuHttp, fake: FakeSetu, clock: Clock
) -> None:
    seller = await create_seller(http)
    fake.fail_next(f"/api/sellers/{seller}", status=503)
    fake.malformed_next(f"/api/sellers/{seller}")
    answer = await http.request("GET", f"/api/sellers/{seller}", idempotent=True)
    assert answer["setu_seller_id"] == seller
    assert clock.slept == [0.5, 1.0]  # exponential steps (jitter pinned to the top)


async def test_retries_stop_after_a_few_attempts(
    http: SetuHttp, fake: FakeSetu, clock: Clock
) -> None:
    await create_seller(http)
    fake.down = True
    with pytest.raises(Unavailable, match="ConnectError"):
        await http.request("GET", "/api/sellers/1", idempotent=True)
    assert len(clock.slept) == 3 and calls(fake, "/api/sellers/1") == 4


async def test_an_answer_that_comes_too_late_is_retried(
    fake: FakeSetu, engine: Engine, clock: Clock
) -> None:
    """The fake waits in real time and honours the client's read timeout (0.2 s here)."""
    http = make_http(fake, Store(engine), clock, timeout=httpx.Timeout(0.2))
    seller = await create_seller(http)
    fake.delay_next(1.0, f"/api/sellers/{seller}")
    answer = await http.request("GET", f"/api/sellers/{seller}", idempotent=True)
    assert answer["setu_seller_id"] == seller
    assert calls(fake, f"/api/sellers/{seller}") == 2 and clock.slept == [0.5]
    fake.delay_next(1.0, f"/api/sellers/{seller}", count=10)
    with pytest.raises(Unavailable, match="ReadTimeout"):
        await http.request("GET", f"/api/sellers/{seller}", idempotent=True)
    assert calls(fake, f"/api/sellers/{seller}") == 2 + 4  # every attempt timed out
    await http.aclose()


async def test_a_call_that_is_not_idempotent_is_never_retried(
    http: SetuHttp, fake: FakeSetu, clock: Clock
) -> None:
    await create_seller(http)  # the token first
    fake.fail_next("/api/sellers", status=500)
    with pytest.raises(Unavailable):
        await create_seller(http)
    assert clock.slept == [] and calls(fake, "/api/sellers") == 2


async def test_setu_errors_become_gateway_errors(http: SetuHttp, fake: FakeSetu) -> None:
    with pytest.raises(NotFound) as missing:
        await http.request("GET", "/api/sellers/999", idempotent=True)
    assert missing.value.code == "1002"
    body = samples.seller_input().model_dump(mode="json", exclude_none=True)
    await http.request("POST", "/api/sellers", json=body, idempotent=False)
    with pytest.raises(AlreadyExists):
        await http.request("POST", "/api/sellers", json=body, idempotent=False)
    bad = {**samples.seller_input().model_dump(mode="json", exclude_none=True)}
    bad["bank_account"] = {"account_number": "1", "ifsc_code": "nope"}
    with pytest.raises(InvalidRequest) as invalid:
        await http.request("POST", "/api/sellers", json=bad, idempotent=False)
    assert "bank_account.ifsc_code" in invalid.value.fields


async def test_secrets_never_reach_the_log(
    http: SetuHttp, fake: FakeSetu, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        seller = await create_seller(http)
        fake.revoke_tokens()
        fake.fail_next(f"/api/sellers/{seller}", status=500)
        await http.request("GET", f"/api/sellers/{seller}", idempotent=True)
    tokens = {
        r.headers["authorization"].split()[1]
        for r in fake.requests
        if r.headers.get("authorization")
    }
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert tokens and not any(token in logged for token in tokens)
    assert fake.client_secret not in logged
