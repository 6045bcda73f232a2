"""PTZ when commands cross on a slow link, and the preset select when the camera is moved behind its back."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from unittest.mock import patch

from homeassistant.components.select import DOMAIN as SELECT_DOMAIN
from homeassistant.const import Platform
import pytest

import custom_components.cgi_camera  # noqa: F401
from tests.test_ptz import (
    SHORT,
    assert_ends_stopped,
    call,
    device_id,
    entity_id,
    is_move,
    is_stop,
    ptz_sets,
    recall_preset,
)

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.emulator import CameraEmulator


@pytest.fixture(autouse=True)
def only_ptz_platforms() -> Generator[None]:
    """Set up only the platforms with PTZ entities and the cameras that actions target."""
    with patch(
        "custom_components.cgi_camera.PLATFORMS",
        [Platform.BUTTON, Platform.CAMERA, Platform.NUMBER, Platform.SELECT],
    ):
        yield


async def test_move_replaced_before_the_camera_answered(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """A move replaced while its command is still on the way returns quietly; Stop still follows it."""
    emulator.config.latency = 0.3  # a slow Wi-Fi link
    first = asyncio.create_task(
        hass.services.async_call(
            "cgi_camera",
            "ptz_move",
            {
                "device_id": device_id(hass, loaded_entry),
                "direction": "up",
                "duration": 30,
            },
            blocking=True,
        )
    )
    async with asyncio.timeout(5):
        while not any(is_move(p) for p in ptz_sets(emulator)):
            await asyncio.sleep(0.01)

    await call(hass, loaded_entry, "ptz_move", direction="down", duration=SHORT)

    await asyncio.wait_for(first, 5)  # superseded, not failed
    kinds = [
        "move" if is_move(p) else "stop"
        for p in ptz_sets(emulator)
        if is_move(p) or is_stop(p)
    ]
    assert kinds == ["move", "stop", "move", "stop"]
    assert_ends_stopped(emulator)


async def test_preset_select_clears_when_the_position_changes(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """A camera repositioned without reporting a motion (an absolute move from its app) clears the preset."""
    await call(hass, loaded_entry, "ptz_save_preset", preset=2, title="Door")
    await hass.async_block_till_done()
    select = entity_id(hass, SELECT_DOMAIN, "ptz_preset")
    await recall_preset(hass, "2: Door")
    coordinator = loaded_entry.runtime_data.coordinator
    await coordinator.async_refresh()  # the position right after the recall
    await coordinator.async_refresh()  # unchanged: the preset stays
    assert hass.states.get(select).state == "2: Door"  # type: ignore[union-attr]

    ptz = emulator.state.channel(1).ptz
    ptz.pan = ptz.pan + 1000  # jumped there, no Direction ever reported
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(select).state == "none"  # type: ignore[union-attr]
