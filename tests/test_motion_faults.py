"""Live motion under faults (issue 21): a silent or malformed ONVIF service, a hung getAlarmStatus, long outages;
and its sensors' first state (issue 22): all against the emulator over loopback, with the shipped timeouts."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir
import pytest

from custom_components.cgi_camera import motion as motion_module
from custom_components.cgi_camera.api import alarm_status, onvif_events
from custom_components.cgi_camera.const import DEFAULT_FAST_INTERVAL, DOMAIN
from tests.conftest import MAC, PASSWORD, USERNAME, motion_ready
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

ONVIF = EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC, onvif=True)
ALARM_STATUS = EmulatorConfig(
    username=USERNAME, password=PASSWORD, mac=MAC, alarm_status=True
)
NEITHER = EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC)
# ONVIF events, and getAlarmStatus to fall back on.
BOTH = EmulatorConfig(
    username=USERNAME, password=PASSWORD, mac=MAC, onvif=True, alarm_status=True
)
# Live motion is back within this many seconds of the camera answering again (issue 21, acceptance).
RECOVERY_BOUND = 5.0


async def _wait_for(predicate: Callable[[], bool], timeout: float) -> None:
    """Wait until `predicate()` holds; fail after `timeout` seconds."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


def _motion_entity(hass: HomeAssistant) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"{MAC.lower()}_1_motion"
    )
    assert entity_id is not None
    return entity_id


def _state(hass: HomeAssistant, entity_id: str) -> str | None:
    state = hass.states.get(entity_id)
    return state.state if state is not None else None


# Silence and recovery ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_onvif_going_silent_is_unavailable_within_a_poll(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """An ONVIF service that stops answering (a pending pull included) turns the sensor unavailable within one
    poll interval, while the camera's other entities stay; it is back soon after the service answers again."""
    assert emulator.onvif is not None
    entity_id = _motion_entity(hass)
    assert _state(hass, entity_id) == STATE_OFF
    emulator.onvif.set_fault("hang")
    await _wait_for(
        lambda: _state(hass, entity_id) == STATE_UNAVAILABLE, DEFAULT_FAST_INTERVAL
    )
    assert loaded_entry.runtime_data.coordinator.last_update_success
    emulator.onvif.set_fault(None)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF, RECOVERY_BOUND)
    emulator.state.channel(1).md_info.data["MDEnable"] = 1
    emulator.motion.trigger(1, on=True)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_ON, RECOVERY_BOUND)


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_motion_back_quickly_after_a_long_outage(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """However many retries an outage took, live motion is back within 5 s of the camera answering again."""
    assert emulator.onvif is not None
    entity_id = _motion_entity(hass)
    motion = loaded_entry.runtime_data.motion
    port = emulator.onvif.port
    await emulator.onvif.stop()
    await _wait_for(lambda: _state(hass, entity_id) == STATE_UNAVAILABLE, 10)
    # Enough failures for any growing delay to have grown.
    await _wait_for(lambda: motion.failures >= 5, 60)
    await emulator.onvif.start(emulator.host, port)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF, RECOVERY_BOUND)


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_camera_offline_then_back(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """The whole camera dropping off: the sensor follows its availability, and is back with it."""
    entity_id = _motion_entity(hass)
    coordinator = loaded_entry.runtime_data.coordinator
    emulator.faults.offline = True
    assert emulator.onvif is not None
    await emulator.onvif.stop()
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert _state(hass, entity_id) == STATE_UNAVAILABLE
    emulator.faults.offline = False
    await emulator.onvif.start(emulator.host, emulator.onvif.port)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF, RECOVERY_BOUND)


# Malformed replies ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("emulator_config", [ONVIF])
@pytest.mark.parametrize("fault", ["xml_bomb", "xxe", "http500"])
async def test_malformed_onvif_reply_one_warning_then_quiet(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    caplog: pytest.LogCaptureFixture,
    fault: str,
) -> None:
    """An XML bomb, an external entity or a plain-text HTTP 500: one warning in plain words, no traceback, quiet
    retries, and live motion back once the replies are sane again."""
    assert emulator.onvif is not None
    entity_id = _motion_entity(hass)
    motion = loaded_entry.runtime_data.motion
    caplog.clear()
    emulator.onvif.set_fault(fault)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_UNAVAILABLE, 10)
    await _wait_for(lambda: motion.failures >= 3, 30)
    emulator.onvif.set_fault(None)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF, RECOVERY_BOUND)
    ours = [r for r in caplog.records if r.name.startswith("custom_components")]
    warnings = [r for r in ours if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert warnings[0].levelno == logging.WARNING
    assert "127.0.0.1" in warnings[0].getMessage()
    assert "could not be read" in warnings[0].getMessage()
    # Exception classes only at debug level.
    assert not re.search(r"\w+(Error|Forbidden)\b", warnings[0].getMessage())
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [r for r in ours if r.exc_info and r.levelno > logging.DEBUG]
    assert PASSWORD not in caplog.text


# getAlarmStatus ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("emulator_config", [ALARM_STATUS])
async def test_hung_alarm_status_does_not_starve_the_camera(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """A hung getAlarmStatus holds the camera's request slot no longer than its own short timeout: polls and
    sets still get through promptly, and the motion sensor turns unavailable."""
    entity_id = _motion_entity(hass)
    coordinator = loaded_entry.runtime_data.coordinator
    emulator.motion.hang_alarm_status()
    await _wait_for(lambda: _state(hass, entity_id) == STATE_UNAVAILABLE, 10)
    for _ in range(3):
        # A poll's requests take milliseconds: it waits at most for one hung getAlarmStatus to give up.
        async with asyncio.timeout(alarm_status.ALARM_STATUS_TIMEOUT + 1):
            await coordinator.async_refresh()
        assert coordinator.last_update_success
    # A set too: two requests (the set, then the re-read), each waiting at most for one hung getAlarmStatus.
    async with asyncio.timeout(2 * alarm_status.ALARM_STATUS_TIMEOUT + 1):
        await hass.services.async_call(
            "switch",
            "turn_on",
            {"entity_id": "switch.v6202ir_ar0237_motion_detection"},
            blocking=True,
        )
    assert _state(hass, "switch.v6202ir_ar0237_motion_detection") == STATE_ON
    emulator.motion.hang_alarm_status(False)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF, RECOVERY_BOUND)


# First state ------------------------------------------------------------------------------------------------------
def _record_states(hass: HomeAssistant) -> list[tuple[str, bool]]:
    """Record (state, restored) of every motion sensor state written from now on."""
    seen: list[tuple[str, bool]] = []

    @callback
    def _changed(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None and new.entity_id.endswith("_motion"):
            seen.append((new.state, bool(new.attributes.get("restored"))))

    hass.bus.async_listen("state_changed", _changed)
    return seen


@pytest.mark.parametrize("emulator_config", [ONVIF, ALARM_STATUS])
async def test_first_state_is_the_real_one_on_setup_and_reload(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    config_entry: MockConfigEntry,
    setup_integration: Callable[..., object],
) -> None:
    """The motion sensor never writes "unavailable" while it is created: on setup and on reload its first state
    is what the camera reports (the registry's own placeholder while the entry reloads is marked restored)."""
    seen = _record_states(hass)
    await setup_integration(config_entry)  # type: ignore[misc]
    assert seen == [(STATE_OFF, False)]
    seen.clear()
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    await motion_ready(hass, config_entry)
    written = [state for state, restored in seen if not restored]
    assert written == [STATE_OFF]
    await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()


# No source ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("emulator_config", [NEITHER])
async def test_no_source_raises_a_repair_issue(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without a live motion source a repair issue says so, naming the camera and its address; removing the
    entry removes the issue."""
    issue = issue_registry.async_get_issue(
        DOMAIN, f"no_live_motion_{loaded_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_key == "no_live_motion"
    assert issue.translation_placeholders == {
        "title": loaded_entry.title,
        "address": "127.0.0.1",
        "port": str(loaded_entry.runtime_data.motion.onvif_port),
    }
    lines = [r.getMessage() for r in caplog.get_records("setup")]
    assert [m for m in lines if "has no live motion sensor" in m and "127.0.0.1" in m]
    await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert (
        issue_registry.async_get_issue(
            DOMAIN, f"no_live_motion_{loaded_entry.entry_id}"
        )
        is None
    )


@pytest.mark.parametrize("emulator_config", [BOTH])
async def test_silent_onvif_port_does_not_delay_setup(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    config_entry: MockConfigEntry,
) -> None:
    """Live motion is detected in the background: the entry is loaded with its other entities before an ONVIF
    port that never answers has been given up on; then getAlarmStatus takes over."""
    assert emulator.onvif is not None
    emulator.onvif.set_fault("hang")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    motion = config_entry.runtime_data.motion
    assert not motion.ready.is_set()
    assert _state(hass, "switch.v6202ir_ar0237_motion_detection") == STATE_OFF
    await motion_ready(hass, config_entry)
    assert motion.kind == "alarm_status"
    assert "did not answer in time" in motion.tried["onvif"]
    emulator.onvif.set_fault(None)
    await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.parametrize("emulator_config", [BOTH])
async def test_unload_while_live_motion_is_still_detecting(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    config_entry: MockConfigEntry,
) -> None:
    """Unloading before detection has finished ends it: no motion sensor appears afterwards; a late subscriber of a
    finished detection is called at once."""
    assert emulator.onvif is not None
    emulator.onvif.set_fault("hang")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    motion = config_entry.runtime_data.motion
    assert not motion.ready.is_set()
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert not motion.ready.is_set()
    assert hass.states.get("binary_sensor.v6202ir_ar0237_motion") is None
    emulator.onvif.set_fault(None)
    motion.ready.set()
    called: list[bool] = []
    motion.async_on_ready(lambda: called.append(True))()
    assert called == [True]


def test_silence_bounds_fit_the_poll_interval() -> None:
    """The deadlines behind the tests above: an ONVIF pull is given up, and a getAlarmStatus read ends, within one
    poll interval; a retry comes within the recovery bound."""
    pull = onvif_events.PULL_TIMEOUT.total_seconds() + onvif_events.PULL_GRACE
    assert pull < DEFAULT_FAST_INTERVAL
    assert alarm_status.ALARM_STATUS_TIMEOUT < DEFAULT_FAST_INTERVAL
    assert max(motion_module.RETRY_DELAYS) < RECOVERY_BOUND
