"""The connections under httpx: aiohttp's, through httpx's transport interface.

crpsdigest speaks httpx (requests, responses, timeouts and errors are httpx's) but sends through
``httpx_aiohttp``, the aiohttp transport written by an httpx maintainer. httpx's own transport
(httpcore on anyio) spent about 1.5 ms of CPU per feed on locks, cancel scopes and its pure-Python
HTTP parser; aiohttp, with its parser in C, about half that. A first run of 500 feeds opens
hundreds of connections from one process before the first body is in, so that CPU is time every
run waits for (see ``bench/fetch.py``).

One more job here: the transport turns aiohttp's errors into httpx's by a table that calls every
lost connection a connect timeout. :class:`HostTransport` names them as httpx would (a refused
connection is a ``ConnectError`` whose cause carries the OS's words, a server hanging up is a
``ReadError``), so fetch's one-line messages and retry rules are the same whatever is underneath.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
from collections.abc import AsyncIterator, Iterator

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

# aiohttp refuses header lines over 8 KiB; some CDNs send longer cookies or policies than that.
_MAX_HEADER_LINE = 64 * 2**10


def _httpx_error(exc: BaseException) -> httpx.TransportError:
    """The httpx exception for an aiohttp error (raw, or as the table wrapped it)."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message)
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return httpx.ReadTimeout(message)
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return httpx.TimeoutException(message)
    if isinstance(exc, aiohttp.ClientProxyConnectionError | aiohttp.ClientHttpProxyError):
        return httpx.ProxyError(message)
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, unreachable, DNS, TLS
        return httpx.ConnectError(message)
    if isinstance(exc, aiohttp.ClientPayloadError):  # the body cut short, or not decodable
        # its own words wrap the parser's in a repr: "(received 200 of 5000 bytes)" is in there
        return httpx.ReadError(getattr(exc.__cause__, "message", "") or message)
    if isinstance(exc, aiohttp.ClientConnectionError):
        return httpx.ReadError(message)  # hung up, or reset before the body
    if isinstance(exc, aiohttp.ClientResponseError):  # not HTTP, or HTTP broken beyond reading
        return httpx.RemoteProtocolError(exc.message or message)
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(message)  # what httpx says of a url it cannot use
    if isinstance(exc, httpx.TransportError):
        return exc
    return httpx.TransportError(message)


@contextlib.contextmanager
def _renamed_errors() -> Iterator[None]:
    """Re-raise an aiohttp error (raw, or under the httpx one the transport's table made) as
    :func:`_httpx_error` names it, caused by the aiohttp error."""
    try:
        yield
    except (httpx.TransportError, aiohttp.ClientError) as exc:
        cause = exc.__cause__
        origin = cause if isinstance(exc, httpx.HTTPError) and cause is not None else exc
        renamed = _httpx_error(origin)
        if renamed is exc:
            raise  # already httpx's, from no aiohttp error
        raise renamed from origin


class _Body(httpx.AsyncByteStream):
    """A response body whose read errors are named as in :func:`_httpx_error`."""

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self.inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _renamed_errors():
            async for chunk in self.inner:
                yield chunk

    async def aclose(self) -> None:
        with _renamed_errors():
            await self.inner.aclose()


class HostTransport(AiohttpTransport):
    """The connections to one host: at most ``limit`` at once, closed with :meth:`aclose`."""

    def __init__(
        self, limit: int, tls: ssl.SSLContext | None, proxy: str | None = None
    ) -> None:
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=limit, limit_per_host=limit, ssl=tls if tls is not None else False
            ),
            cookie_jar=aiohttp.DummyCookieJar(),  # a feed fetch sends no cookies and keeps none
            max_line_size=_MAX_HEADER_LINE,
            max_field_size=_MAX_HEADER_LINE,
        )
        # ``verify``: any context, as the session above holds the real one; left to default,
        # the transport would load the CA bundle (0.05 s of CPU) for each host.
        super().__init__(
            client=session,
            proxy=httpx.Proxy(proxy) if proxy else None,
            verify=tls or _placeholder_context(),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with _renamed_errors():
            response = await super().handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Body(response.stream)
        return response


@functools.cache
def _placeholder_context() -> ssl.SSLContext:
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
