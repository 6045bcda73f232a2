"""Minimal WS-Discovery prober: multicast a Probe for ONVIF video transmitters, collect ProbeMatch replies.

Pure asyncio; the caller confirms each responder through the CGI API, since WS-Discovery only says "some ONVIF
device lives at this address" and cameras of this family often put a wrong host in XAddrs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import socket
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit
import uuid

from defusedxml import ElementTree

if TYPE_CHECKING:
    from collections.abc import Sequence
    from xml.etree.ElementTree import Element

__all__ = [
    "MULTICAST_TARGET",
    "Responder",
    "build_probe",
    "parse_probe_matches",
    "probe",
]

MULTICAST_TARGET: Final = ("239.255.255.250", 3702)
# Replies bigger than this are not ProbeMatches of a camera; a UDP datagram cannot exceed 64 KiB anyway.
MAX_REPLY_BYTES: Final = 65_535

_PROBE: Final = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" \
xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" \
xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" \
xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
<s:Header>
<a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>
<a:MessageID>urn:uuid:{message_id}</a:MessageID>
<a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>
<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>
</s:Header>
<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body>
</s:Envelope>"""


@dataclass(frozen=True, slots=True)
class Responder:
    """A device that answered the probe.

    `address` is where the UDP reply came from (trust it); `xaddrs` are the service URLs the device claims (their
    host may be wrong); `scopes` are its ONVIF scope URIs (name, hardware, location...).
    """

    address: str
    xaddrs: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()

    @property
    def ports(self) -> tuple[int, ...]:
        """Return the distinct explicit ports named in XAddrs, in order."""
        ports: list[int] = []
        for xaddr in self.xaddrs:
            try:
                port = urlsplit(xaddr).port
            except ValueError:
                continue
            if port is not None and port not in ports:
                ports.append(port)
        return tuple(ports)


def build_probe(message_id: str | None = None) -> bytes:
    """Return a SOAP 1.2 Probe for dn:NetworkVideoTransmitter."""
    return _PROBE.format(message_id=message_id or uuid.uuid4()).encode()


def _local(tag: Any) -> str:
    """Return an element's tag without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _words(element: Element, name: str) -> tuple[str, ...]:
    """Return the whitespace-separated words of the first child element called `name` (any namespace)."""
    for child in element.iter():
        if _local(child.tag) == name and child.text:
            return tuple(child.text.split())
    return ()


def parse_probe_matches(data: bytes, address: str) -> list[Responder]:
    """Return a Responder per ProbeMatch in a reply; a malformed reply yields [] (never raises)."""
    if len(data) > MAX_REPLY_BYTES:
        return []
    try:
        root = ElementTree.fromstring(data)
    except Exception:  # noqa: BLE001 - ParseError, DTD/entity forbidden, bad encoding: all "not a reply"
        return []
    return [
        Responder(address, _words(match, "XAddrs"), _words(match, "Scopes"))
        for match in root.iter()
        if _local(match.tag) == "ProbeMatch"
    ]


class _ProbeProtocol(asyncio.DatagramProtocol):
    """Collect ProbeMatch replies, one Responder per source address (XAddrs and scopes merged)."""

    def __init__(self) -> None:
        self.responders: dict[str, Responder] = {}

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        for found in parse_probe_matches(data, str(addr[0])):
            if (known := self.responders.get(found.address)) is None:
                self.responders[found.address] = found
            else:
                self.responders[found.address] = Responder(
                    found.address,
                    tuple(dict.fromkeys(known.xaddrs + found.xaddrs)),
                    tuple(dict.fromkeys(known.scopes + found.scopes)),
                )

    def error_received(self, exc: Exception) -> None:
        """Ignore ICMP errors (e.g. port unreachable from a unicast target)."""


# The probe is the wait (replies are collected until the timeout), so a timeout parameter is right here.
async def probe(
    timeout: float = 2.0,  # noqa: ASYNC109
    targets: Sequence[tuple[str, int]] = (MULTICAST_TARGET,),
) -> list[Responder]:
    """Send one Probe to each target and return the devices that answered within `timeout` seconds.

    Raises OSError only when no UDP socket can be opened; unreachable targets just yield no reply.
    """
    if not targets:
        return []
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        _ProbeProtocol, local_addr=("0.0.0.0", 0), family=socket.AF_INET
    )
    try:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # Stay on the local network segment.
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        message = build_probe()
        for target in targets:
            # Send errors (no route, unreachable) go to error_received, not here.
            transport.sendto(message, target)
        await asyncio.sleep(timeout)
    finally:
        transport.close()
    return list(protocol.responders.values())
