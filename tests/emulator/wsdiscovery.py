"""An emulated WS-Discovery responder: answers a Probe with scripted ProbeMatches over UDP on loopback.

Each reply is sent from its own `source` address, so several emulated cameras can share one responder and still look
like distinct hosts (on Linux the whole 127.0.0.0/8 is loopback: 127.0.0.2, 127.0.0.3... work without setup).
Imports nothing from custom_components.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import re
from typing import TYPE_CHECKING, Any, Self
import uuid

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "ProbeReply",
    "WsDiscoveryResponder",
    "camera_reply",
    "malformed_reply",
    "other_device_reply",
]

_MESSAGE_ID = re.compile(rb"<(?:\w+:)?MessageID>\s*([^<\s]+)\s*</(?:\w+:)?MessageID>")

_MATCHES = """<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" \
xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" \
xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" \
xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">
<SOAP-ENV:Header>
<wsa:MessageID>urn:uuid:{message_id}</wsa:MessageID>
<wsa:RelatesTo>{relates_to}</wsa:RelatesTo>
<wsa:To SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>
<wsa:Action SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action>
</SOAP-ENV:Header>
<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch>
<wsa:EndpointReference><wsa:Address>urn:uuid:{endpoint}</wsa:Address></wsa:EndpointReference>
<d:Types>{types}</d:Types>
<d:Scopes>{scopes}</d:Scopes>
<d:XAddrs>{xaddrs}</d:XAddrs>
<d:MetadataVersion>1</d:MetadataVersion>
</d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body>
</SOAP-ENV:Envelope>"""


@dataclass
class ProbeReply:
    """One scripted answer to a Probe.

    source: the address the reply is sent from (what a prober should trust).
    xaddrs: the service URLs claimed in the reply (the host in them may be wrong, as on real cameras).
    raw: if set, sent verbatim instead of a well-formed ProbeMatches (malformed XML, junk...).
    """

    source: str = "127.0.0.1"
    xaddrs: Sequence[str] = ("http://192.168.1.10:8999/onvif/device_service",)
    scopes: Sequence[str] = (
        "onvif://www.onvif.org/type/video_encoder",
        "onvif://www.onvif.org/name/IPCAM",
    )
    types: str = "dn:NetworkVideoTransmitter tds:Device"
    raw: bytes | None = None
    endpoint: str = field(default_factory=lambda: str(uuid.uuid4()))

    def render(self, relates_to: str) -> bytes:
        """Return the datagram answering a Probe whose MessageID was `relates_to`."""
        if self.raw is not None:
            return self.raw
        return _MATCHES.format(
            message_id=uuid.uuid4(),
            relates_to=relates_to,
            endpoint=self.endpoint,
            types=self.types,
            scopes=" ".join(self.scopes),
            xaddrs=" ".join(self.xaddrs),
        ).encode()


def camera_reply(
    source: str, port: int, *, wrong_host: str = "192.168.1.10"
) -> ProbeReply:
    """Reply for a camera at `source` whose XAddrs name `wrong_host` and `port` (as real cameras do)."""
    return ProbeReply(
        source=source, xaddrs=(f"http://{wrong_host}:{port}/onvif/device_service",)
    )


def other_device_reply(source: str, port: int) -> ProbeReply:
    """Reply for an ONVIF device that is not one of these cameras (e.g. an NVR of another brand)."""
    return ProbeReply(
        source=source,
        xaddrs=(f"http://{source}:{port}/onvif/device_service",),
        scopes=("onvif://www.onvif.org/name/OtherBrandNVR",),
    )


def malformed_reply(source: str) -> ProbeReply:
    """A reply that is not well-formed XML."""
    return ProbeReply(
        source=source,
        raw=b"<SOAP-ENV:Envelope><d:ProbeMatches><d:ProbeMatch><d:XAddrs>http://",
    )


class _Server(asyncio.DatagramProtocol):
    def __init__(self, owner: WsDiscoveryResponder) -> None:
        self._owner = owner

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self._owner._on_probe(data, (str(addr[0]), int(addr[1])))


class WsDiscoveryResponder:
    """UDP server on 127.0.0.1:<free port> answering every Probe with `replies`.

    Usage: `responder = WsDiscoveryResponder([camera_reply("127.0.0.2", emu.port)]); await responder.start()`,
    then probe `responder.target`. `responder.probes` records every datagram received.
    """

    def __init__(
        self, replies: Sequence[ProbeReply] = (), host: str = "127.0.0.1"
    ) -> None:
        """Prepare a responder; nothing is bound before start()."""
        self.replies = list(replies)
        self.host = host
        self.port = 0
        self.probes: list[bytes] = []
        self._server: asyncio.DatagramTransport | None = None
        self._senders: dict[str, asyncio.DatagramTransport] = {}

    @property
    def target(self) -> tuple[str, int]:
        """Return the (host, port) a prober should send to."""
        return (self.host, self.port)

    async def start(self) -> None:
        """Bind the server and one sending socket per distinct reply source."""
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Server(self), local_addr=(self.host, 0)
        )
        self._server = transport
        self.port = transport.get_extra_info("sockname")[1]
        for source in {reply.source for reply in self.replies}:
            if source == self.host:
                self._senders[source] = transport
            else:
                sender, _ = await loop.create_datagram_endpoint(
                    asyncio.DatagramProtocol, local_addr=(source, 0)
                )
                self._senders[source] = sender

    def _on_probe(self, data: bytes, addr: tuple[str, int]) -> None:
        self.probes.append(data)
        if b"Probe" not in data or b"ProbeMatch" in data:
            return
        match = _MESSAGE_ID.search(data)
        relates_to = match.group(1).decode(errors="replace") if match else ""
        for reply in self.replies:
            self._senders[reply.source].sendto(reply.render(relates_to), addr)

    async def stop(self) -> None:
        """Close every socket."""
        for sender in self._senders.values():
            sender.close()
        if self._server is not None:
            self._server.close()
        self._senders.clear()
        self._server = None

    async def __aenter__(self) -> Self:
        """Start on entering the context."""
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop on leaving the context."""
        await self.stop()
