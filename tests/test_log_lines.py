"""Log lines a camera owner reads: the camera's name and address in plain words; error classes at debug only."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import custom_components.cgi_camera  # noqa: F401

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    import pytest
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.emulator import CameraEmulator

# A Python class name as an error carries it ("ClientOSError", "CameraTimeout"), or a CGI group ("sys/DeviceInfo").
JARGON = re.compile(
    r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:Error|Timeout|Exception)\b|\b[a-z]+/[A-Z]\w+"
)


async def test_outage_and_recovery_lines(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The camera goes away and comes back: one line each, naming it and its address, no jargon above debug."""
    coordinator = loaded_entry.runtime_data.coordinator
    caplog.set_level(logging.DEBUG, logger="custom_components.cgi_camera")
    emulator.faults.offline = True
    await coordinator.async_refresh()
    emulator.faults.offline = False
    await coordinator.async_refresh()
    ours = [
        r for r in caplog.records if r.name.startswith("custom_components.cgi_camera")
    ]
    shown = [r.getMessage() for r in ours if r.levelno > logging.DEBUG]
    assert shown == [
        f"Error fetching {loaded_entry.title} data: Could not connect to the camera (127.0.0.1)",
        f"Fetching {loaded_entry.title} data recovered",
    ]
    assert [line for line in shown if JARGON.search(line)] == []
    # The details stay available at debug level.
    assert any(
        JARGON.search(r.getMessage()) for r in ours if r.levelno == logging.DEBUG
    )


def test_jargon() -> None:
    """What counts as jargon in a log line."""
    assert JARGON.search("connection failed (ClientOSError) (sys/DeviceInfo)")
    assert JARGON.search("CameraTimeout")
    assert not JARGON.search("Could not connect to the camera (192.168.1.20)")
