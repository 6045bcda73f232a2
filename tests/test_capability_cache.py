"""The capability cache: stored per entry, valid only for the same MAC, firmware and cache format."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera import capability_cache
from custom_components.cgi_camera.api import (
    Capabilities,
    CapabilityBlock,
    Choices,
    FreeString,
    IntRange,
    ReadOnly,
    RtspCheck,
    RtspOutcome,
)
from custom_components.cgi_camera.api.capabilities import parse_capabilities
from custom_components.cgi_camera.capability_cache import (
    CachedCapabilities,
    CapabilityCache,
    capabilities_from_json,
    capabilities_to_json,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

MAC = "00:2a:2a:12:34:56"
FIRMWARE = "V2.6.0.5"

QUERY = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<Message>\n<Header class="image_query"></Header>\n'
    b'<result code="200">Successfully</result>\n'
    b"<ImageInfo><Brightness><int>0 ... 255</int></Brightness><Mode><int>0, 1, 2</int></Mode>"
    b"<Name><string>valid string</string></Name><Model><string></string></Model>"
    b"<Size><string>1920x1080, 1280x720</string></Size></ImageInfo>\n"
    b"<User><Name><string>valid string</string></Name></User>\n"
    b"<User><Level><int>0, 1</int></Level></User>\n</Message>\n"
)


def _cached() -> CachedCapabilities:
    return CachedCapabilities(
        capabilities={"image": parse_capabilities(QUERY, "image")},
        channels=(1, 2),
        rtsp_port=554,
        onvif_port=2000,
        rtsp=RtspCheck(554, RtspOutcome.OK, "streaming", {"main": "H265"}),
    )


def test_capabilities_json_round_trip() -> None:
    caps = parse_capabilities(QUERY, "image")
    again = capabilities_from_json(capabilities_to_json(caps))
    assert capabilities_to_json(again) == capabilities_to_json(caps)
    assert again.area == "image"
    assert again.groups == ("ImageInfo", "User")
    assert len(again.blocks("User")) == 2
    assert again.get("ImageInfo", "Brightness") == IntRange(0, 255)
    assert again.get("ImageInfo", "Mode") == Choices((0, 1, 2))
    assert again.get("ImageInfo", "Size") == Choices(("1920x1080", "1280x720"))
    assert again.get("ImageInfo", "Name") == FreeString()
    assert again.get("ImageInfo", "Model") == ReadOnly()
    assert again.get("User", "Level") == Choices((0, 1))


async def test_save_then_load(hass: HomeAssistant) -> None:
    cache = CapabilityCache.for_entry(hass, "entry1")
    assert await cache.async_load(MAC, FIRMWARE) is None
    await cache.async_save(MAC, FIRMWARE, _cached())
    loaded = await CapabilityCache.for_entry(hass, "entry1").async_load(MAC, FIRMWARE)
    assert loaded is not None
    assert loaded.channels == (1, 2)
    assert loaded.rtsp_port == 554
    assert loaded.onvif_port == 2000
    assert loaded.rtsp == RtspCheck(554, RtspOutcome.OK, "streaming", {"main": "H265"})
    assert capabilities_to_json(loaded.capabilities["image"]) == capabilities_to_json(
        _cached().capabilities["image"]
    )
    # Another entry has a store of its own.
    assert (
        await CapabilityCache.for_entry(hass, "entry2").async_load(MAC, FIRMWARE)
        is None
    )


async def test_without_rtsp_check(hass: HomeAssistant) -> None:
    """Capabilities learnt without an RTSP check keep None (the camera platform checks then)."""
    cache = CapabilityCache.for_entry(hass, "entry1")
    await cache.async_save(MAC, FIRMWARE, replace(_cached(), rtsp=None))
    loaded = await cache.async_load(MAC, FIRMWARE)
    assert loaded is not None
    assert loaded.rtsp is None


async def test_other_key_is_ignored(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = CapabilityCache.for_entry(hass, "entry1")
    await cache.async_save(MAC, FIRMWARE, _cached())
    assert await cache.async_load(MAC, "V2.6.0.6") is None  # new firmware
    assert (
        await cache.async_load("00:2a:2a:00:00:01", FIRMWARE) is None
    )  # another camera
    monkeypatch.setattr(
        capability_cache, "CACHE_FORMAT", capability_cache.CACHE_FORMAT + 1
    )
    assert await cache.async_load(MAC, FIRMWARE) is None  # an older cache format


async def test_invalidate(hass: HomeAssistant) -> None:
    cache = CapabilityCache.for_entry(hass, "entry1")
    await cache.async_save(MAC, FIRMWARE, _cached())
    await cache.async_invalidate()
    assert await cache.async_load(MAC, FIRMWARE) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data.pop("channels"),
        lambda data: data.update(rtsp_port="x"),
        lambda data: data.pop("onvif_port"),
        lambda data: data.update(onvif_port=None),
        lambda data: data.pop("rtsp"),
        lambda data: data["rtsp"].update(layout="unknown"),
        lambda data: data["rtsp"].update(codecs=None),
        lambda data: data["capabilities"]["image"]["blocks"][0]["caps"].update(
            Mode={"unknown": 1}
        ),
        lambda data: data["capabilities"]["image"]["blocks"][0]["caps"].update(
            Mode={"choices": [True]}
        ),
        lambda data: data["capabilities"]["image"]["blocks"][0].pop("caps"),
        lambda data: data.update(capabilities=[]),
    ],
)
async def test_unreadable_entry_is_ignored(
    hass: HomeAssistant, hass_storage: dict[str, Any], change: Any
) -> None:
    cache = CapabilityCache.for_entry(hass, "entry1")
    await cache.async_save(MAC, FIRMWARE, _cached())
    data = hass_storage["cgi_camera.capabilities.entry1"]["data"]
    change(data)
    fresh = CapabilityCache.for_entry(hass, "entry1")
    assert await fresh.async_load(MAC, FIRMWARE) is None


async def test_stored_group_without_parameters_is_not_used(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Issue 21 item 4: an older release stored an empty group reply as "supported, nothing in it"; such a stored
    entry is not used (the camera is asked again), but a group that has no parameters (ResetInfo) is fine."""
    cache = CapabilityCache.for_entry(hass, "entry1")
    reset = CapabilityBlock("ResetInfo", {})
    cached = _cached()
    cached.capabilities["camera"] = Capabilities([reset], "camera")
    await cache.async_save(MAC, FIRMWARE, cached)
    assert await CapabilityCache.for_entry(hass, "entry1").async_load(MAC, FIRMWARE)
    data = hass_storage["cgi_camera.capabilities.entry1"]["data"]
    data["capabilities"]["image"]["blocks"][0]["caps"] = {}
    fresh = CapabilityCache.for_entry(hass, "entry1")
    assert await fresh.async_load(MAC, FIRMWARE) is None


async def test_get_or_query(hass: HomeAssistant) -> None:
    """The first setup queries and stores; the next one (a restart) does not query."""
    queries = 0

    async def query() -> CachedCapabilities:
        nonlocal queries
        queries += 1
        return _cached()

    cache = CapabilityCache.for_entry(hass, "entry1")
    first = await cache.async_get_or_query(MAC, FIRMWARE, query)
    again = await CapabilityCache.for_entry(hass, "entry1").async_get_or_query(
        MAC, FIRMWARE, query
    )
    assert queries == 1
    assert again.channels == first.channels == (1, 2)
    # New firmware: asked again, and stored for it.
    await cache.async_get_or_query(MAC, "V2.6.0.6", query)
    assert queries == 2
    assert await cache.async_load(MAC, "V2.6.0.6") is not None
    # No MAC: nothing cached.
    await cache.async_get_or_query(None, FIRMWARE, query)
    await cache.async_get_or_query(None, FIRMWARE, query)
    assert queries == 4
