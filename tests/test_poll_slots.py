"""Several cameras take turns: each polls in a slot of its own within the fast interval, not all in the same second."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.const import DEFAULT_FAST_INTERVAL
from tests.conftest import PASSWORD, USERNAME, entry_for
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

CAMERAS = 3


@pytest.fixture
async def emulators(socket_enabled: None) -> AsyncGenerator[list[CameraEmulator]]:
    """Start three cameras with MACs of their own."""
    cameras = [
        CameraEmulator(
            EmulatorConfig(
                username=USERNAME, password=PASSWORD, mac=f"00:2a:2a:00:00:{index:02x}"
            )
        )
        for index in range(CAMERAS)
    ]
    for camera in cameras:
        await camera.start(host="127.0.0.1", port=0)
    yield cameras
    for camera in cameras:
        await camera.stop()


def _slot(hass: HomeAssistant, entry: MockConfigEntry) -> tuple[float, float]:
    """Return (seconds to the next poll, where in the interval it falls) as Home Assistant schedules it."""
    # The coordinator counts the time to its next poll from the whole second of the loop's clock, as Home
    # Assistant's scheduler does (a second boundary passed since then moves the figure by at most one second).
    wait = entry.runtime_data.coordinator.update_interval.total_seconds()
    return wait, (int(hass.loop.time()) + wait) % DEFAULT_FAST_INTERVAL


async def test_one_camera_polls_every_fast_interval(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    coordinator = loaded_entry.runtime_data.coordinator
    await coordinator.async_refresh()
    assert coordinator.update_interval == timedelta(seconds=DEFAULT_FAST_INTERVAL)


async def test_cameras_poll_in_slots_of_their_own(
    hass: HomeAssistant,
    emulators: list[CameraEmulator],
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
) -> None:
    """Camera k of N (by entry id) polls k/N of an interval (whole seconds) into it; the next poll is 0.5–1.5 intervals away."""
    entries = [await setup_integration(entry_for(camera)) for camera in emulators]
    slots: dict[str, float] = {}
    for entry in entries:
        await entry.runtime_data.coordinator.async_refresh()
        wait, slot = _slot(hass, entry)
        assert DEFAULT_FAST_INTERVAL / 2 - 1 < wait <= 1.5 * DEFAULT_FAST_INTERVAL
        slots[entry.entry_id] = slot
    for rank, entry_id in enumerate(sorted(slots)):
        # Slots are whole seconds: 0, 3 and 6 for three cameras at 10 s.
        off = abs(slots[entry_id] - rank * DEFAULT_FAST_INTERVAL // CAMERAS)
        assert min(off, DEFAULT_FAST_INTERVAL - off) <= 1, (rank, slots)

    # A camera removed: the others share the interval between them.
    await hass.config_entries.async_remove(entries[0].entry_id)
    await hass.async_block_till_done()
    remaining = sorted(entries[1:], key=lambda entry: entry.entry_id)
    for rank, entry in enumerate(remaining):
        await entry.runtime_data.coordinator.async_refresh()
        off = abs(_slot(hass, entry)[1] - rank * DEFAULT_FAST_INTERVAL // 2)
        assert min(off, DEFAULT_FAST_INTERVAL - off) <= 1
    for entry in remaining:
        assert await hass.config_entries.async_unload(entry.entry_id)
