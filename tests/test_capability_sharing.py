"""Cameras of one model share what storage says they support: one parsed copy in memory, not one per camera."""

from __future__ import annotations

from typing import TYPE_CHECKING

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api.capabilities import parse_capabilities
from custom_components.cgi_camera.capability_cache import (
    CachedCapabilities,
    CapabilityCache,
)
from tests.test_capability_cache import FIRMWARE, MAC, QUERY

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant


async def test_same_stored_capabilities_are_one_object(hass: HomeAssistant) -> None:
    """Two entries storing the same capabilities load one shared (immutable) Capabilities per area."""
    caps = parse_capabilities(QUERY, "image")
    other = parse_capabilities(QUERY.replace(b"0 ... 255", b"0 ... 100"), "image")
    loaded = []
    for entry_id, stored in (("a", caps), ("b", caps), ("c", other)):
        cache = CapabilityCache.for_entry(hass, entry_id)
        await cache.async_save(
            MAC,
            FIRMWARE,
            CachedCapabilities(
                capabilities={"image": stored},
                channels=(1,),
                rtsp_port=554,
                onvif_port=8999,
            ),
        )
        result = await cache.async_load(MAC, FIRMWARE)
        assert result is not None
        loaded.append(result.capabilities["image"])

    first, second, third = loaded
    assert second is first
    assert third is not first
    assert third.get("ImageInfo", "Brightness") != first.get("ImageInfo", "Brightness")
    # The capabilities themselves are shared between blocks and areas too.
    assert first.get("User", "Level") is third.get("User", "Level")
