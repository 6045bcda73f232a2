"""Setup when the camera fails after its first answer (capability queries, port read) or lacks a card slot."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.helpers import entity_registry as er
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.const import DOMAIN
from tests.conftest import MAC, PASSWORD, USERNAME, entry_for
from tests.emulator import EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.emulator import CameraEmulator, FaultKind

    type Setup = Callable[[MockConfigEntry], Awaitable[MockConfigEntry]]


def _fail_after(emulator: CameraEmulator, area: str, op: str, fault: FaultKind) -> int:
    """Spoil the camera's reply to the first `area` `op` request of a setup; return how many came before it."""
    position = SETUP_ORDER.index((area, op))
    emulator.faults.push("pass", position)
    emulator.faults.push(fault)
    return position


# The CGI requests of a setup up to the port read, in order: the first contact, one query per area, the channel
# probe (channel 2's stream), NetPortInfo (the RTSP and ONVIF ports).
SETUP_ORDER: list[tuple[str, str]] = [
    ("sys", "get"),
    *(
        (area, "query")
        for area in (
            "sys",
            "major_stream",
            "minor_stream",
            "mjpeg",
            "image",
            "audio",
            "record",
            "ptz",
            "camera",
            "net",
            "netport",
            "wifi",
            "alarm",
        )
    ),
    ("major_stream", "get"),
    ("netport", "get"),
]


async def test_setup_order_is_what_the_tests_assume(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """The fault positions below rely on this request order (a changed order must fail here, not silently)."""
    entry = await setup_integration(entry_for(emulator))
    assert entry.state is ConfigEntryState.LOADED
    seen = [(r.area, r.op) for r in emulator.requests if r.area is not None][
        : len(SETUP_ORDER)
    ]
    assert seen == SETUP_ORDER
    await hass.config_entries.async_unload(entry.entry_id)


async def test_camera_lost_during_capability_queries_retries_setup(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """A connection lost while the capabilities are read: setup is retried later with a translated reason."""
    _fail_after(emulator, "image", "query", "reset")
    entry = await setup_integration(entry_for(emulator))
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason is not None
    assert "s3cr3t" not in entry.reason
    assert not [a for a in ("audio", "ptz") if (a, "query") in _requests(emulator)]


async def test_password_refused_during_capability_queries_asks_for_it(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """A 401 while the capabilities are read (password changed meanwhile) starts re-authentication at once."""
    _fail_after(emulator, "camera", "query", "401")
    entry = await setup_integration(entry_for(emulator))
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_rtsp_port_refused_falls_back_to_554(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A camera that refuses the NetPortInfo read (result code) streams on the standard port 554, and live motion
    tries ONVIF on 8999."""
    caplog.set_level(logging.DEBUG, logger="custom_components.cgi_camera")
    emulator.state.netport["RtspPort"] = 8554
    emulator.state.netport["OnvifPort"] = 2000
    _fail_after(emulator, "netport", "get", "501")
    entry = await setup_integration(entry_for(emulator))
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.rtsp_port == 554
    assert entry.runtime_data.motion.onvif_port == 8999
    assert "Could not read the RTSP and ONVIF ports" in caplog.text
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("fault", ["503", "reset"])
async def test_rtsp_port_transient_failure_retries_setup(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup, fault: str
) -> None:
    """A busy or dropped reply to the RTSP port read retries setup: what setup learns is stored until the
    firmware changes, so a passing failure must not leave the camera on 554 for good."""
    emulator.state.netport["RtspPort"] = 8554
    emulator.state.netport["OnvifPort"] = 2000
    _fail_after(emulator, "netport", "get", fault)  # type: ignore[arg-type]
    entry = await setup_integration(entry_for(emulator))
    assert entry.state is ConfigEntryState.SETUP_RETRY
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.rtsp_port == 8554
    assert entry.runtime_data.motion.onvif_port == 2000
    await hass.config_entries.async_unload(entry.entry_id)


def _requests(emulator: CameraEmulator) -> list[tuple[str | None, str | None]]:
    return [(r.area, r.op) for r in emulator.requests]


@pytest.mark.parametrize(
    "emulator_config",
    [EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC, sd_slot=False)],
)
async def test_camera_without_card_slot_gets_no_sd_entities(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """A camera whose record area has no RecordDevice gets no SD card entities and never polls it (setup's
    capability discovery asks for it once, to learn it is missing)."""
    assert loaded_entry.runtime_data.sd_card_slot is False
    unique_ids = [
        e.unique_id
        for e in er.async_entries_for_config_entry(
            er.async_get(hass), loaded_entry.entry_id
        )
    ]
    assert unique_ids
    assert not [u for u in unique_ids if "_sd_" in u]
    emulator.clear_requests()
    await loaded_entry.runtime_data.coordinator.async_refresh()
    assert emulator.requests
    assert not [r for r in emulator.requests if r.group == "RecordDevice"]
