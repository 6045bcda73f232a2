"""Every entity's unique id and device come from the base entity (entity.py), on cameras like the demo's."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from homeassistant.helpers import (
    device_registry as dr,
    entity_platform,
    entity_registry as er,
)
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.const import DOMAIN
from custom_components.cgi_camera.entity import CgiChannelEntity
from tests.conftest import MAC, PASSWORD, USERNAME
from tests.emulator import EmulatorConfig

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

# The demo's two cameras (tests/e2e/demo.py: a PTZ dome without SD card, a bullet with one) and a video server.
CAMERAS = [
    EmulatorConfig(
        username=USERNAME, password=PASSWORD, mac=MAC, ptz=True, sd_card=False
    ),
    EmulatorConfig(
        username=USERNAME, password=PASSWORD, mac=MAC, ptz=False, sd_card=True
    ),
    EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC, ptz=True, channels=2),
]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("emulator_config", CAMERAS, ids=["dome", "bullet", "nvr"])
async def test_every_entity_is_identified_by_the_base_entity(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Each entity is a CgiChannelEntity; its unique id is `<mac>_<channel>_<key>` and its device that channel's."""
    entities = [
        entity
        for platform in entity_platform.async_get_platforms(hass, DOMAIN)
        for entity in platform.entities.values()
    ]
    assert len(entities) > 20
    assert [e for e in entities if not isinstance(e, CgiChannelEntity)] == []

    multi = loaded_entry.runtime_data.multi_channel
    ent_reg, dev_reg = er.async_get(hass), dr.async_get(hass)
    uid = loaded_entry.unique_id
    assert uid is not None
    pattern = re.compile(rf"{re.escape(uid)}_(\d+)_([a-z0-9_]+)")
    seen: set[str] = set()
    for entity in entities:
        assert isinstance(entity, CgiChannelEntity)
        assert entity.unique_id not in seen
        seen.add(entity.unique_id)
        match = pattern.fullmatch(entity.unique_id)
        assert match, entity.unique_id
        channel, key = int(match.group(1)), match.group(2)
        assert key == entity.entity_description.key
        assert channel in (0, entity.channel)
        entry = ent_reg.async_get(entity.entity_id)
        assert entry is not None
        assert entry.unique_id == entity.unique_id
        device = dev_reg.async_get(entry.device_id or "")
        assert device is not None
        expected = uid if channel == 0 or not multi else f"{uid}_ch{channel}"
        assert device.identifiers == {(DOMAIN, expected)}, entity.entity_id
