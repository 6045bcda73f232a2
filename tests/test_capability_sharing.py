"""Memory: cameras of one model share what storage says they support, entities of one device its DeviceInfo."""

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
    from pytest_homeassistant_custom_component.common import MockConfigEntry


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


async def test_entities_of_a_device_share_its_device_info(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Every entity of the camera holds the same DeviceInfo (read once, when the entity is added), not a copy each."""
    component = hass.data["entity_components"]
    entities = [
        entity
        for domain in ("sensor", "switch", "number", "camera")
        if (platform := component.get(domain)) is not None
        for entity in platform.entities
        if getattr(entity, "entry", None) is loaded_entry
    ]
    assert len(entities) > 3
    first = entities[0]._attr_device_info
    assert all(entity._attr_device_info is first for entity in entities)
