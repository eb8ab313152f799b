"""The fake Setu served over real HTTP on 127.0.0.1 (aiohttp), for the real bot process."""

from __future__ import annotations

import httpx
from aiohttp import web

from tests.fakes.setu_server import FakeSetu

_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "content-encoding"}


class FakeSetuServer:
    """`fake`'s handler behind an aiohttp server; `url` once started."""

    def __init__(self, fake: FakeSetu) -> None:
        self.fake = fake
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self, port: int = 0) -> None:
        """Serves on `port` (0: a free one); after `stop`, the same port again (its connections
        were refused meanwhile, as a Setu that is down refuses them)."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        forwarded = httpx.Request(
            request.method,
            str(request.url),
            headers=dict(request.headers),
            content=await request.read(),
        )
        try:
            answer = await self.fake.handle(forwarded)
        except httpx.TransportError:  # the fake is "down": the connection just closes
            raise web.HTTPServiceUnavailable() from None
        await answer.aread()
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP}
        return web.Response(status=answer.status_code, body=answer.content, headers=headers)
