"""What a new camera shows by default (docs/entities.md): the daily controls, nothing the camera cannot do.

The demo's PTZ dome (tests/e2e/demo.py) stands for a typical camera: at most MAX_ENABLED entities enabled by
default, the rest one click away in the entity list; a camera without an SD card slot gets no recording controls.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from homeassistant.helpers import entity_registry as er
import pytest

import custom_components.cgi_camera  # noqa: F401
from tests.conftest import entry_for
from tests.e2e.demo import BULLET, DOME

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.emulator import CameraEmulator, EmulatorConfig

MAX_ENABLED = 25
# What needs an SD card: recording settings and the card itself.
RECORDING = {
    "manual_recording",
    "loop_recording",
    "event_recording",
    "record_length",
    "record_stream",
    "motion_alarm_sd",
    "sd_status",
    "sd_used_percent",
    "sd_total",
    "sd_used",
    "sd_write_protected",
    "sd_mount",
    "sd_unmount",
    "sd_format",
}


def _keys(hass: HomeAssistant, entry: MockConfigEntry) -> tuple[set[str], set[str]]:
    """Return the description keys of the entry's entities: (enabled, all)."""
    entries = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    key = lambda e: e.unique_id.split("_", 2)[2]
    return {key(e) for e in entries if e.disabled_by is None}, {key(e) for e in entries}


@pytest.mark.parametrize(
    "emulator_config", [dataclasses.replace(DOME, latency=0.0)], ids=["dome"]
)
async def test_demo_dome_shows_the_daily_controls(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    emulator_config: EmulatorConfig,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
) -> None:
    """The PTZ dome without an SD card: at most MAX_ENABLED entities enabled, no recording or SD entity at all."""
    entry = await setup_integration(entry_for(emulator))
    enabled, created = _keys(hass, entry)
    assert len(enabled) <= MAX_ENABLED, " ".join(sorted(enabled))
    assert created & RECORDING == set()
    # The daily ones are there.
    assert {
        "main_stream",
        "ir_cut_mode",
        "brightness",
        "motion_detection",
        "ptz_up",
        "ptz_down",
        "ptz_left",
        "ptz_right",
        "reboot",
    } <= enabled
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    "emulator_config", [dataclasses.replace(BULLET, latency=0.0)], ids=["bullet"]
)
async def test_camera_with_sd_card_gets_recording(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    emulator_config: EmulatorConfig,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
) -> None:
    """The bullet with an SD card: its recording switch and card status, within the same limit."""
    entry = await setup_integration(entry_for(emulator))
    enabled, _ = _keys(hass, entry)
    assert len(enabled) <= MAX_ENABLED, " ".join(sorted(enabled))
    assert {"manual_recording", "sd_status"} <= enabled
    await hass.config_entries.async_unload(entry.entry_id)
