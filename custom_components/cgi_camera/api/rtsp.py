"""A cheap check of the camera's RTSP service: which path layout answers, and the codec of each stream.

One TCP connection to the RTSP port, `DESCRIBE` (authenticated as the camera asks, digest or basic) on channel 1's
main stream in each known path layout until one answers, then on its sub stream; the SDP's `rtpmap` tells the
codec. Nothing is played. The family's layout is `/<ch>/h264major`, `/<ch>/h264minor` (field notes §3.3); the
others are aliases reported for OEM relatives of the family (§3.3, §7 E.24).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field, replace
from enum import StrEnum
import re
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["RTSP_LAYOUTS", "RtspCheck", "RtspOutcome", "async_check_rtsp"]

# Path layouts: name → (main stream, sub stream), `{ch}` the channel number. The first is the family's own.
RTSP_LAYOUTS: Final[dict[str, tuple[str, str]]] = {
    "h264major": ("{ch}/h264major", "{ch}/h264minor"),
    "streaming": ("Streaming/Channels/{ch}01", "Streaming/Channels/{ch}02"),
    "av_stream": ("mpeg4/ch{ch:02d}/main/av_stream", "mpeg4/ch{ch:02d}/sub/av_stream"),
    "mpeg4": ("mpeg4", "mpeg4cif"),
}
DEFAULT_LAYOUT: Final = "h264major"
# The whole check, connection included: a port that does not answer in this time counts as no answer.
CHECK_SECONDS = 5.0
_HEAD_LIMIT: Final = 16 * 1024
_BODY_LIMIT: Final = 64 * 1024
_RTPMAP = re.compile(r"^a=rtpmap:\d+\s+([A-Za-z0-9.-]+)/", re.MULTILINE)


class RtspOutcome(StrEnum):
    """What the RTSP check found."""

    OK = "ok"
    REFUSED = "refused"  # nothing listens on the port
    NO_ANSWER = (
        "no_answer"  # no RTSP answer in time (a filtered port, another service on it)
    )
    NOT_FOUND = "not_found"  # RTSP answers, but none of the path layouts
    UNAUTHORIZED = "unauthorized"  # the camera's user and password are refused


@dataclass(frozen=True, slots=True)
class RtspCheck:
    """The outcome of one check of `port`: the layout that answered and the codec of each stream."""

    port: int
    outcome: RtspOutcome
    layout: str = DEFAULT_LAYOUT
    # "main" / "sub" → the SDP's encoding name ("H264", "H265"), for the streams that were described.
    codecs: dict[str, str] = field(default_factory=dict)
    # Made by this process (not read from storage): a failed check this fresh is not repeated at once.
    fresh: bool = field(default=False, compare=False)

    @property
    def ok(self) -> bool:
        """Return True when a layout answered: the live view can play over RTSP."""
        return self.outcome is RtspOutcome.OK

    def path(self, channel: int, stream: str) -> str:
        """Return the RTSP path (no leading slash) of `stream` ("main" or "sub") on `channel`."""
        main, sub = RTSP_LAYOUTS.get(self.layout, RTSP_LAYOUTS[DEFAULT_LAYOUT])
        return (main if stream == "main" else sub).format(ch=channel)

    def as_dict(self) -> dict[str, Any]:
        """Return the check as JSON-friendly data (storage and diagnostics)."""
        return {
            "port": self.port,
            "outcome": self.outcome.value,
            "layout": self.layout,
            "codecs": dict(self.codecs),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RtspCheck:
        """Rebuild what as_dict returned (raises KeyError, TypeError or ValueError on other data)."""
        layout = str(data["layout"])
        if layout not in RTSP_LAYOUTS:
            raise ValueError("unknown RTSP path layout")
        codecs = data["codecs"]
        if not isinstance(codecs, dict):
            raise TypeError("codecs is not a mapping")
        return cls(
            port=int(data["port"]),
            outcome=RtspOutcome(data["outcome"]),
            layout=layout,
            codecs={str(k): str(v) for k, v in codecs.items()},
        )


type Authorizer = Callable[[str | None, str, str], str]
"""(WWW-Authenticate challenge or None for basic, method, uri) → Authorization header value."""


class _Connection:
    """One RTSP control connection: requests in turn, each answered before the next."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        host_port: str,
        authorize: Authorizer,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._host_port = host_port
        self._authorize = authorize
        self._cseq = 0
        self._authorization: tuple[str | None, bool] | None = (
            None  # (challenge, digest)
        )

    async def _request(
        self, method: str, uri: str, authorization: str | None
    ) -> tuple[int, dict[str, str], bytes]:
        self._cseq += 1
        lines = [
            f"{method} {uri} RTSP/1.0",
            f"CSeq: {self._cseq}",
            "Accept: application/sdp",
            "User-Agent: Home Assistant",
        ]
        if authorization is not None:
            lines.append(f"Authorization: {authorization}")
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await self._writer.drain()
        head = await self._reader.readuntil(b"\r\n\r\n")
        if len(head) > _HEAD_LIMIT:
            raise ValueError("RTSP reply head too long")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("RTSP/"):
            raise ValueError("not an RTSP reply")
        headers: dict[str, str] = {}
        for line in header_lines:
            name, sep, value = line.partition(":")
            if sep:
                headers.setdefault(name.strip().lower(), value.strip())
        length = int(headers.get("content-length", "0") or 0)
        if not 0 <= length <= _BODY_LIMIT:
            raise ValueError("RTSP reply body too long")
        body = await self._reader.readexactly(length) if length else b""
        return int(parts[1]), headers, body

    async def describe(self, path: str) -> tuple[int, bytes]:
        """DESCRIBE `path`, answering one authentication challenge; return (status, SDP)."""
        uri = f"rtsp://{self._host_port}/{path}"
        authorization = None
        if self._authorization is not None:
            challenge, _ = self._authorization
            authorization = self._authorize(challenge, "DESCRIBE", uri)
        status, headers, body = await self._request("DESCRIBE", uri, authorization)
        if status == 401 and (challenge_header := headers.get("www-authenticate")):
            digest = challenge_header.lower().startswith("digest")
            self._authorization = (challenge_header if digest else None, digest)
            status, headers, body = await self._request(
                "DESCRIBE",
                uri,
                self._authorize(self._authorization[0], "DESCRIBE", uri),
            )
        return status, body

    def close(self) -> None:
        self._writer.close()


def _codec(sdp: bytes) -> str | None:
    if match := _RTPMAP.search(sdp.decode("utf-8", "replace")):
        return match[1].upper()
    return None


async def async_check_rtsp(
    host: str,
    port: int,
    authorize: Authorizer,
    *,
    channel: int = 1,
) -> RtspCheck:
    """Check the RTSP service at `host:port` (see the module docstring); never raises for what it finds."""
    return replace(await _async_check(host, port, authorize, channel), fresh=True)


async def _async_check(
    host: str, port: int, authorize: Authorizer, channel: int
) -> RtspCheck:
    host_port = (
        f"[{host}]:{port}"
        if ":" in host and not host.startswith("[")
        else f"{host}:{port}"
    )
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            try:
                reader, writer = await asyncio.open_connection(host, port)
            except ConnectionRefusedError:
                return RtspCheck(port, RtspOutcome.REFUSED)
            connection = _Connection(reader, writer, host_port, authorize)
            try:
                return await _check_layouts(connection, port, channel)
            finally:
                connection.close()
    except (
        TimeoutError,
        OSError,
        ValueError,
        asyncio.IncompleteReadError,
        asyncio.LimitOverrunError,
    ):
        return RtspCheck(port, RtspOutcome.NO_ANSWER)


async def _check_layouts(connection: _Connection, port: int, channel: int) -> RtspCheck:
    for layout, (main, sub) in RTSP_LAYOUTS.items():
        if "{ch" not in main and channel != 1:
            continue
        status, sdp = await connection.describe(main.format(ch=channel))
        if status == 401:
            return RtspCheck(port, RtspOutcome.UNAUTHORIZED, layout)
        if status != 200:
            continue
        codecs = {}
        if (codec := _codec(sdp)) is not None:
            codecs["main"] = codec
        with contextlib.suppress(ValueError):
            status, sdp = await connection.describe(sub.format(ch=channel))
            if status == 200 and (codec := _codec(sdp)) is not None:
                codecs["sub"] = codec
        return RtspCheck(port, RtspOutcome.OK, layout, codecs)
    return RtspCheck(port, RtspOutcome.NOT_FOUND)
