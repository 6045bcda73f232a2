"""The WS-Discovery prober against the emulated responder on loopback."""

from __future__ import annotations

import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api.wsdiscovery import (
    Responder,
    build_probe,
    parse_probe_matches,
    probe,
)
from tests.emulator.wsdiscovery import (
    ProbeReply,
    WsDiscoveryResponder,
    camera_reply,
    malformed_reply,
    other_device_reply,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")


async def test_probe_collects_replies_by_source_address() -> None:
    """Each reply is attributed to the address it came from, not the (wrong) host in XAddrs."""
    replies = [
        camera_reply("127.0.0.2", 8999),
        camera_reply("127.0.0.3", 80),
        other_device_reply("127.0.0.5", 81),
    ]
    async with WsDiscoveryResponder(replies) as responder:
        found = await probe(0.3, [responder.target])
        assert len(responder.probes) == 1
        assert b"NetworkVideoTransmitter" in responder.probes[0]
    by_address = {r.address: r for r in found}
    assert set(by_address) == {"127.0.0.2", "127.0.0.3", "127.0.0.5"}
    assert by_address["127.0.0.2"].xaddrs == (
        "http://192.168.1.10:8999/onvif/device_service",
    )
    assert by_address["127.0.0.2"].ports == (8999,)
    assert by_address["127.0.0.3"].ports == (80,)
    assert "onvif://www.onvif.org/name/OtherBrandNVR" in by_address["127.0.0.5"].scopes


async def test_probe_ignores_malformed_and_merges_duplicates() -> None:
    """Malformed XML, entity tricks and oversize datagrams are dropped; two replies from one host merge."""
    doctype = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><x><ProbeMatch><XAddrs>&e;</XAddrs></ProbeMatch></x>'
    replies = [
        malformed_reply("127.0.0.4"),
        ProbeReply(source="127.0.0.6", raw=doctype),
        camera_reply("127.0.0.2", 8999),
        ProbeReply(
            source="127.0.0.2",
            xaddrs=("http://127.0.0.2:8080/onvif",),
            scopes=("onvif://x",),
        ),
    ]
    async with WsDiscoveryResponder(replies) as responder:
        found = await probe(0.3, [responder.target])
    assert [r.address for r in found] == ["127.0.0.2"]
    assert found[0].ports == (8999, 8080)
    assert "onvif://x" in found[0].scopes


async def test_probe_without_targets_or_replies() -> None:
    """No target: nothing sent; a silent target: an empty list after the timeout."""
    assert await probe(0.1, []) == []
    async with WsDiscoveryResponder([]) as responder:
        assert await probe(0.1, [responder.target]) == []
    # Nothing listens on the stopped responder's port: the ICMP error is ignored.
    assert await probe(0.1, [responder.target]) == []


def test_parse_edge_cases() -> None:
    """Parser details: size cap, bad ports, probes are not matches."""
    assert parse_probe_matches(b"<a>" + b" " * 70_000 + b"</a>", "1.2.3.4") == []
    assert parse_probe_matches(build_probe("abc"), "1.2.3.4") == []
    assert Responder(
        "h", ("http://h:99999/x", "http://h/x", "http://h:81/x", "http://h:81/y")
    ).ports == (81,)
