r"""HTTP transport for one camera: URL building, authentication, timeouts, size cap, serialization.

Decision (tested against all four framings the firmware uses: spec_mixed `\r\n` + bare `\n`, all-LF, GoAhead
mixed and clean CRLF): aiohttp 3.14's response parser accepts every one of them, so /cgi and /jpgimage requests go
through the injected ClientSession. Only the MJPEG stream uses a raw asyncio socket (see `RawStream`), because it
must be read as an endless byte stream whatever its framing; that path computes Basic or Digest itself.
"""

from __future__ import annotations

import asyncio
import base64
from contextlib import contextmanager
import hashlib
import re
import secrets
import time
from typing import TYPE_CHECKING
from urllib.parse import quote

import aiohttp
from yarl import URL

from .errors import (
    AuthenticationFailed,
    CameraTimeout,
    CannotConnect,
    MalformedReply,
    NotFound,
    ServerFailed,
)
from .wire import NO_CHANNEL_AREAS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

__all__ = [
    "NO_CHANNEL_AREAS",
    "DigestChallenge",
    "KeepAliveImages",
    "RawStream",
    "Transport",
    "build_query",
]


type QueryValue = int | str | bool


def _text(value: QueryValue) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def build_query(params: Iterable[tuple[str, QueryValue]]) -> str:
    """Percent-encode every name and value: `&`, `=`, `#`, spaces or non-ASCII can never add or change a parameter."""
    return "&".join(
        f"{quote(name, safe='')}={quote(_text(value), safe='')}"
        for name, value in params
    )


_CHALLENGE_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


class DigestChallenge:
    """A parsed `WWW-Authenticate: Digest ...` challenge and an RFC 7616 MD5 responder (qop=auth or none)."""

    def __init__(self, header: str) -> None:
        """Parse the challenge's parameters."""
        _, _, rest = header.strip().partition(" ")
        self.params: dict[str, str] = {
            m.group(1).lower(): (
                m.group(2) if m.group(2) is not None else m.group(3)
            ).replace('\\"', '"')
            for m in _CHALLENGE_PARAM.finditer(rest)
        }
        self._nc = 0

    def authorization(self, method: str, uri: str, username: str, password: str) -> str:
        """Return the Authorization header value for one request."""
        realm = self.params.get("realm", "")
        nonce = self.params.get("nonce", "")
        algorithm = self.params.get("algorithm", "MD5")
        qops = [q.strip() for q in self.params.get("qop", "").split(",") if q.strip()]

        def md5(text: str) -> str:
            return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()

        ha1 = md5(f"{username}:{realm}:{password}")
        if algorithm.upper() == "MD5-SESS":
            cnonce_sess = secrets.token_hex(8)
            ha1 = md5(f"{ha1}:{nonce}:{cnonce_sess}")
        ha2 = md5(f"{method}:{uri}")
        fields = [
            f'username="{username}"',
            f'realm="{realm}"',
            f'nonce="{nonce}"',
            f'uri="{uri}"',
        ]
        if "auth" in qops:
            self._nc += 1
            nc = f"{self._nc:08x}"
            cnonce = secrets.token_hex(8)
            response = md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
            fields += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
        else:
            response = md5(f"{ha1}:{nonce}:{ha2}")
        fields += [f'response="{response}"', f"algorithm={algorithm}"]
        if opaque := self.params.get("opaque"):
            fields.append(f'opaque="{opaque}"')
        return "Digest " + ", ".join(fields)


def is_digest(header: str | None) -> bool:
    """Return whether a WWW-Authenticate header asks for Digest."""
    return bool(header) and header.strip().lower().startswith("digest")  # type: ignore[union-attr]


class Transport:
    """Sends requests to one camera; holds credentials but never shows them."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        port: int,
        username: str,
        password: str,
        *,
        timeout: float,
        concurrency: int,
        max_response_bytes: int,
    ) -> None:
        """Prepare; the session is injected and never closed here."""
        self.session = session
        self.host = host
        self.port = port
        self.username = username
        self._password = password
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.semaphore = asyncio.Semaphore(max(1, concurrency))
        # Images have a slot of their own: the firmware serves /jpgimage in its media process, one thread per
        # request with no connection limit (field notes §2.3), so a snapshot never waits behind a poll's CGI
        # requests; one image request at a time per camera.
        self.image_semaphore = asyncio.Semaphore(1)
        self._basic = basic_token(username, password)
        # Switched on for good once the camera answers 401 with a Digest challenge.
        self._digest: aiohttp.DigestAuthMiddleware | None = None

    @property
    def digest(self) -> bool:
        """Whether the camera demanded Digest authentication."""
        return self._digest is not None

    def basic_header(self) -> str:
        """The Basic Authorization header value (for the raw MJPEG socket)."""
        return self._basic

    def digest_header(self, challenge: str, method: str, uri: str) -> str:
        """Answer a Digest challenge (for the raw MJPEG socket)."""
        return DigestChallenge(challenge).authorization(
            method, uri, self.username, self._password
        )

    def authorization(self, challenge: str | None, method: str, uri: str) -> str:
        """Answer a Digest challenge, or without one return the Basic header value (for RTSP)."""
        if challenge is None:
            return self._basic
        return self.digest_header(challenge, method, uri)

    def enable_digest(self) -> None:
        """Use Digest from now on."""
        if self._digest is None:
            self._digest = aiohttp.DigestAuthMiddleware(self.username, self._password)

    @property
    def host_port(self) -> str:
        """`host:port` for URLs (IPv6 literals bracketed)."""
        host = (
            f"[{self.host}]"
            if ":" in self.host and not self.host.startswith("[")
            else self.host
        )
        return f"{host}:{self.port}"

    def url(self, path: str, query: str = "") -> URL:
        """Build an already-encoded URL (the query was encoded by build_query)."""
        text = f"http://{self.host_port}{path}"
        if query:
            text += f"?{query}"
        return URL(text, encoded=True)

    async def request(
        self,
        path: str,
        query: str = "",
        *,
        area: str | None = None,
        group: str | None = None,
        max_bytes: int | None = None,
        time_limit: float | None = None,
        image: bool = False,
    ) -> tuple[int, bytes]:
        """GET `path?query`; return (HTTP status, body) for a 200 reply, else raise a CgiError.

        `time_limit` (seconds) replaces the transport's own for this request. `image`: an image request, which
        waits only for the camera's image slot, not for its CGI requests.
        """
        cap = self.max_response_bytes if max_bytes is None else max_bytes
        url = self.url(path, query)
        deadline = self.timeout if time_limit is None else time_limit
        slot = self.image_semaphore if image else self.semaphore
        # The deadline includes the wait for the per-camera slot: a caller waits at most one timeout in all.
        try:
            async with asyncio.timeout(deadline), slot:
                status, challenge, body, reset = await self._get(url, cap, deadline)
                if status == 401 and self._digest is None and is_digest(challenge):
                    self.enable_digest()
                    status, challenge, body, reset = await self._get(url, cap, deadline)
        except TimeoutError:
            raise CameraTimeout("timed out", area=area, group=group) from None
        except aiohttp.ClientResponseError as err:
            # A reply aiohttp cannot parse as HTTP.
            raise MalformedReply(
                f"bad HTTP reply ({type(err).__name__})", area=area, group=group
            ) from None
        except (aiohttp.ClientError, OSError) as err:
            raise CannotConnect(
                f"connection failed ({type(err).__name__})", area=area, group=group
            ) from None
        if reset and not _complete(body):
            # A reply without Content-Length ends when the camera closes: a reset before its end is a broken
            # connection, not a malformed reply (wire-decisions "Reply framing").
            raise CannotConnect(
                "connection reset during the reply", area=area, group=group
            )
        if status == 401:
            raise AuthenticationFailed(
                "authentication failed", area=area, group=group, code=401
            )
        if status == 503:
            raise ServerFailed("HTTP 503", area=area, group=group, code=503)
        if status == 404:
            raise NotFound("HTTP 404", area=area, group=group, code=404)
        if status != 200:
            raise MalformedReply(f"HTTP {status}", area=area, group=group, code=status)
        if len(body) > cap:
            raise MalformedReply("reply too large", area=area, group=group)
        if not body:
            raise CannotConnect("empty reply", area=area, group=group)
        return status, body

    async def _get(
        self, url: URL, cap: int, deadline: float
    ) -> tuple[int, str | None, bytes, bool]:
        """GET once; return (status, WWW-Authenticate, body, whether the connection ended with a reset)."""
        headers = {"Connection": "close"}
        middlewares: tuple[aiohttp.DigestAuthMiddleware, ...] = ()
        if self._digest is not None:
            middlewares = (self._digest,)
        else:
            headers["Authorization"] = self._basic
        async with self.session.get(
            url,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=deadline),
            allow_redirects=False,
            middlewares=middlewares,
        ) as resp:
            closed = _closed_future(resp)
            body = bytearray()
            # Read at most cap + 1 bytes: one more than allowed proves the reply is too large.
            while len(body) <= cap:
                chunk = await resp.content.read(cap + 1 - len(body))
                if not chunk:
                    break
                body += chunk
        reset = closed is not None and closed.done() and closed.exception() is not None
        return resp.status, resp.headers.get("WWW-Authenticate"), bytes(body), reset

    def __repr__(self) -> str:
        """Never show the password."""
        return f"Transport({self.host_port}, user={self.username!r})"


def _closed_future(resp: aiohttp.ClientResponse) -> asyncio.Future[None] | None:
    """Return the future that tells how the reply's connection ends (an exception: reset), if still open.

    aiohttp ends a body without Content-Length at the connection's end and reports a reset there as a normal end;
    only this future keeps the difference.
    """
    connection = resp.connection
    protocol = connection.protocol if connection is not None else None
    closed = protocol.closed if protocol is not None else None
    if closed is not None:
        # Retrieve the exception even when nobody looks (e.g. a reply that was too large), so none is logged.
        closed.add_done_callback(_retrieve)
    return closed


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()


def _complete(body: bytes) -> bool:
    """Whether a body cut off by a reset still holds a whole CGI message or JPEG."""
    return b"</Message>" in body or body.rstrip().endswith(b"\xff\xd9")


class RawStream:
    """A raw socket GET for the endless MJPEG stream; returns the reader after checking the first status line."""

    def __init__(self, transport: Transport, path: str) -> None:
        """Prepare a GET of `path` on the transport's camera."""
        self.transport = transport
        self.path = path
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(
        self, authorization: str | None
    ) -> tuple[asyncio.StreamReader, bytes]:
        t = self.transport
        with _socket_errors("mjpeg", self.close):
            async with asyncio.timeout(t.timeout):
                reader, writer = await asyncio.open_connection(t.host, t.port)
                self.writer = writer
                lines = [
                    f"GET {self.path} HTTP/1.1",
                    f"Host: {t.host_port}",
                    "Connection: close",
                ]
                if authorization:
                    lines.append(f"Authorization: {authorization}")
                writer.write(
                    ("\r\n".join(lines) + "\r\n\r\n").encode(
                        "latin-1", errors="replace"
                    )
                )
                await writer.drain()
                head = await _read_head(reader, 64 * 1024)
        return reader, head

    async def open(self) -> tuple[asyncio.StreamReader, bytes]:
        """Connect and authenticate; return the reader and any bytes already read after the first header block."""
        t = self.transport
        auth = None if t.digest else t.basic_header()
        for attempt in range(2):
            reader, data = await self._connect(auth)
            status, challenge, rest = parse_head(data)
            if status == 200:
                return reader, rest
            self.close()
            if status == 401 and attempt == 0 and is_digest(challenge):
                t.enable_digest()
                auth = t.digest_header(challenge or "", "GET", self.path)
                continue
            if status == 401:
                raise AuthenticationFailed(
                    "authentication failed", area="mjpeg", code=401
                )
            raise CannotConnect(f"HTTP {status}", area="mjpeg", code=status)
        raise AuthenticationFailed(
            "authentication failed", area="mjpeg", code=401
        )  # pragma: no cover

    def close(self) -> None:
        """Close the socket (idempotent)."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None


class KeepAliveImages:
    """The camera's keep-alive snapshot path: one JPEG per GET on one kept connection (field notes §2.3, §7 E.21).

    `GET /jpgmulreq/<ch>/image.jpg?key=<ms>&lq=1`, answered with `Content-Length` and `Connection: keep-alive`;
    each follow-up GET on the same socket gets the next JPEG. The connection counts toward the two stream sessions
    the camera shares with MJPEG, so it is closed after `idle` seconds without a snapshot (and by `close()`).
    """

    def __init__(self, transport: Transport, channel: int, *, idle: float) -> None:
        """Prepare; nothing is sent until `fetch()`."""
        self.transport = transport
        self.channel = channel
        self.idle = idle
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._idle_close: asyncio.TimerHandle | None = None
        self._challenge: str | None = None

    async def fetch(self, max_bytes: int) -> bytes:
        """Return the next JPEG's bytes (the body, unchecked), opening the connection when none is open.

        Raises NotFound when the camera has no such path, MalformedReply for a reply without Content-Length,
        CannotConnect when it closes without a reply (both stream sessions taken) or the connection fails.
        """
        t = self.transport
        with _socket_errors("jpgmulreq", self.close):
            async with asyncio.timeout(t.timeout), t.image_semaphore:
                if self._idle_close is not None:
                    self._idle_close.cancel()
                    self._idle_close = None
                # A kept connection the camera has since closed fails at once: one more try on a new one.
                for attempt in range(3):
                    reused = self._writer is not None
                    try:
                        status, challenge, body = await self._get(max_bytes)
                    except CannotConnect:
                        self.close()
                        if reused and attempt == 0:
                            continue
                        raise
                    if status == 401 and attempt < 2 and is_digest(challenge):
                        t.enable_digest()
                        self._challenge = challenge
                        self.close()
                        continue
                    break
        if status != 200:
            self.close()
            if status == 401:
                raise AuthenticationFailed(
                    "authentication failed", area="jpgmulreq", code=401
                )
            if status == 404:
                raise NotFound("HTTP 404", area="jpgmulreq", code=404)
            raise MalformedReply(f"HTTP {status}", area="jpgmulreq", code=status)
        self._idle_close = asyncio.get_running_loop().call_later(self.idle, self.close)
        return body

    async def _get(self, max_bytes: int) -> tuple[int, str | None, bytes]:
        t = self.transport
        path = f"/jpgmulreq/{int(self.channel)}/image.jpg"
        target = f"{path}?key={int(time.time() * 1000)}&lq=1"
        if self._writer is None or self._reader is None:
            self._reader, self._writer = await asyncio.open_connection(t.host, t.port)
        reader, writer = self._reader, self._writer
        if t.digest and self._challenge is not None:
            authorization = t.digest_header(self._challenge, "GET", target)
        else:
            authorization = t.basic_header()
        writer.write(
            (
                f"GET {target} HTTP/1.1\r\nHost: {t.host_port}\r\n"
                f"Connection: keep-alive\r\nAuthorization: {authorization}\r\n\r\n"
            ).encode("latin-1", errors="replace")
        )
        await writer.drain()
        head = await _read_head(reader, 64 * 1024, area="jpgmulreq")
        status, challenge, rest = parse_head(head, area="jpgmulreq")
        length = _content_length(head)
        if status != 200:
            # The reply's body (if any) is not read: the connection is not used again.
            self.close()
            return status, challenge, b""
        if length is None:
            # "no Image." and other replies without a length end at the close: not this path's keep-alive.
            self.close()
            raise MalformedReply("no Content-Length", area="jpgmulreq")
        if length > max_bytes:
            self.close()
            raise MalformedReply("reply too large", area="jpgmulreq")
        try:
            body = rest + await reader.readexactly(length - len(rest))
        except asyncio.IncompleteReadError:
            raise CannotConnect(
                "connection closed during the reply", area="jpgmulreq"
            ) from None
        return status, challenge, body

    def close(self) -> None:
        """Close the connection (idempotent): the camera's media process ends its session when the socket closes."""
        if self._idle_close is not None:
            self._idle_close.cancel()
            self._idle_close = None
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


def _content_length(data: bytes) -> int | None:
    """Return the Content-Length of the first header block in `data`, if it has a valid one."""
    match = _HEAD_END.search(data)
    head = data[: match.start()] if match else data
    for line in head.decode("latin-1").replace("\r\n", "\n").split("\n")[1:]:
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == "content-length" and value.strip().isdigit():
            return int(value.strip())
    return None


_HEAD_END = re.compile(rb"\r?\n\r?\n")
_STATUS = re.compile(r"[0-9]{3}")


async def _read_head(
    reader: asyncio.StreamReader, limit: int, area: str = "mjpeg"
) -> bytes:
    r"""Read until the first blank line (`\\r\\n\\r\\n`, `\\n\\n` or `\\r\\n\\n`); return everything read."""
    data = b""
    while not _HEAD_END.search(data):
        chunk = await reader.read(4096)
        if not chunk:
            if not data:
                raise CannotConnect("empty reply", area=area)
            break
        data += chunk
        if len(data) > limit:
            raise MalformedReply("header too large", area=area)
    return data


def parse_head(data: bytes, area: str = "mjpeg") -> tuple[int, str | None, bytes]:
    """Split a raw reply into (status, WWW-Authenticate, bytes after the header block)."""
    match = _HEAD_END.search(data)
    head, rest = (data[: match.start()], data[match.end() :]) if match else (data, b"")
    lines = head.decode("latin-1").replace("\r\n", "\n").split("\n")
    parts = lines[0].split(None, 2)
    # Three ASCII digits: str.isdigit() is also true for "²", which int() refuses (issue 21).
    if (
        len(parts) < 2
        or not parts[0].startswith("HTTP/")
        or not _STATUS.fullmatch(parts[1])
    ):
        raise MalformedReply("bad HTTP status line", area=area)
    challenge = None
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == "www-authenticate":
            challenge = value.strip()
    return int(parts[1]), challenge, rest


def basic_token(username: str, password: str) -> str:
    """Return a Basic header value (utf-8)."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode(
        "ascii"
    )


@contextmanager
def _socket_errors(area: str, close: Callable[[], None]) -> Iterator[None]:
    """On a timeout or a socket failure of a connection of our own, close it and raise the client's error."""
    try:
        yield
    except TimeoutError:
        close()
        raise CameraTimeout("timed out", area=area) from None
    except OSError as err:
        close()
        raise CannotConnect(
            f"connection failed ({type(err).__name__})", area=area
        ) from None
