"""Live motion: source detection per emulator profile, motion reaching the entity, recovery, unload, isolation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
import time
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import aiohttp
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from onvif.exceptions import ONVIFError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.cgi_camera import motion as motion_module
from custom_components.cgi_camera.api import MalformedReply, onvif_events
from custom_components.cgi_camera.api.alarm_status import AlarmStatus
from custom_components.cgi_camera.api.onvif_events import (
    OnvifSource,
    _mentions_motion,
    onvif_reason,
)
from custom_components.cgi_camera.diagnostics import async_get_config_entry_diagnostics
from tests.conftest import MAC, PASSWORD, USERNAME, entry_for, motion_ready
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

type Setup = Callable[[MockConfigEntry], Awaitable[MockConfigEntry]]

ONVIF = EmulatorConfig(
    username=USERNAME, password=PASSWORD, mac=MAC, onvif=True, reboot_seconds=0.2
)
ALARM_STATUS = EmulatorConfig(
    username=USERNAME, password=PASSWORD, mac=MAC, alarm_status=True
)
BOTH = EmulatorConfig(
    username=USERNAME, password=PASSWORD, mac=MAC, onvif=True, alarm_status=True
)
NEITHER = EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC)


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start over after a tenth of a second instead of a second (the backoff's shape stays)."""
    monkeypatch.setattr(motion_module, "RETRY_DELAYS", (0.1, 0.2, 0.3))


def _motion_entity(
    hass: HomeAssistant, channel: int = 1, area: int | None = None
) -> str | None:
    unique_id = f"{format_uid()}_{channel}_motion" + (f"_area_{area}" if area else "")
    return er.async_get(hass).async_get_entity_id(
        "binary_sensor", "cgi_camera", unique_id
    )


def format_uid() -> str:
    """Return the entry's unique id (the formatted MAC)."""
    return MAC.lower()


async def _wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> float:
    """Wait until `predicate()` holds; return how long it took."""
    started = time.monotonic()
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)
    return time.monotonic() - started


def _state(hass: HomeAssistant, entity_id: str | None) -> str | None:
    assert entity_id is not None
    state = hass.states.get(entity_id)
    return state.state if state is not None else None


def _enable_detection(emulator: CameraEmulator, channel: int = 1) -> None:
    emulator.state.channel(channel).md_info.data["MDEnable"] = 1


async def _motion_round_trip(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    entity_id: str | None,
    channel: int = 1,
) -> tuple[float, float]:
    """Trigger motion on, then off; return how long each took to reach the entity."""
    _enable_detection(emulator, channel)
    assert emulator.motion.trigger(channel, on=True)
    on = await _wait_for(lambda: _state(hass, entity_id) == STATE_ON)
    assert emulator.motion.trigger(channel, on=False)
    off = await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
    return on, off


# Detection per profile ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_onvif_events_chosen_and_motion_reaches_entity(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """ONVIF events are picked first; motion on and off reach the sensor within a second; no area sensors."""
    motion = loaded_entry.runtime_data.motion
    assert motion is not None
    assert motion.kind == "onvif"
    assert motion.tried == {"onvif": "ok"}
    entity_id = _motion_entity(hass)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
    on, off = await _motion_round_trip(hass, emulator, entity_id)
    assert on < 1.0
    assert off < 1.0
    assert _motion_entity(hass, area=1) is None
    assert emulator.onvif is not None
    assert emulator.onvif.log.count("CreatePullPointSubscription") == 1
    assert emulator.onvif.log.refused == 0


def _before_subscribing(emulator: CameraEmulator) -> list[str]:
    """Return the ONVIF operations the camera was asked before the first subscription."""
    assert emulator.onvif is not None
    operations = emulator.onvif.log.operations
    return operations[: operations.index("CreatePullPointSubscription")]


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_onvif_subscribes_with_the_probes_client(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """At setup the subscription reuses the probe's client: the camera's clock and services are asked once."""
    assert loaded_entry.runtime_data.motion.kind == "onvif"
    asked = _before_subscribing(emulator)
    assert asked.count("GetSystemDateAndTime") == 1
    assert asked.count("GetServices") == 1
    assert "GetEventProperties" in asked


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_onvif_probes_client_not_reused_when_old(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A subscription long after the probe reads the camera's clock and services again with a fresh client."""
    monkeypatch.setattr(onvif_events, "PROBED_CLIENT_SECONDS", -1.0)
    entry = await setup_integration(entry_for(emulator))
    assert entry.runtime_data.motion.kind == "onvif"
    asked = _before_subscribing(emulator)
    assert asked.count("GetSystemDateAndTime") == 2
    assert asked.count("GetServices") == 2


async def _disable_motion_sensor(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Disable the motion sensor as a user would, reload the entry and wait until live motion has decided."""
    entity_id = _motion_entity(hass)
    assert entity_id is not None
    er.async_get(hass).async_update_entity(
        entity_id, disabled_by=er.RegistryEntryDisabler.USER
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await motion_ready(hass, entry)


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_onvif_probes_client_closed_when_not_started(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """With the motion sensor disabled nothing subscribes, and the probe's client is closed; so it is on unload."""
    await _disable_motion_sensor(hass, loaded_entry)
    source = loaded_entry.runtime_data.motion.source
    assert isinstance(source, OnvifSource)
    assert source._probed is None
    assert emulator.onvif is not None
    assert emulator.onvif.log.count("CreatePullPointSubscription") == 1
    # A probe whose run never came (stopped first): unloading closes its client.
    await source.async_probe()
    assert source._probed is not None
    client = source._probed[0]
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert source._probed is None
    assert all(session.closed for session in _sessions(client))


def _sessions(client: Any) -> list[aiohttp.ClientSession]:
    """Return the aiohttp sessions an ONVIF client holds."""
    return [
        value
        for value in vars(client).values()
        if isinstance(value, aiohttp.ClientSession)
    ]


@pytest.mark.parametrize("emulator_config", [BOTH])
async def test_onvif_preferred_over_alarm_status(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """With both sources the camera is never polled for getAlarmStatus."""
    motion = loaded_entry.runtime_data.motion
    assert motion is not None
    assert motion.kind == "onvif"
    await asyncio.sleep(0.3)
    assert not [r for r in emulator.requests if r.path == "/cgi/getAlarmStatus"]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("emulator_config", [ALARM_STATUS])
async def test_alarm_status_chosen_with_area_sensors(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
) -> None:
    """Without ONVIF, getAlarmStatus is polled; the channel and each motion area get a sensor."""
    entry = await setup_integration(entry_for(emulator))
    motion = entry.runtime_data.motion
    assert motion is not None
    assert motion.kind == "alarm_status"
    assert motion.tried["onvif"].startswith("nothing answers on ONVIF port")
    assert motion.tried["alarm_status"] == "ok"
    entity_id = _motion_entity(hass)
    area_ids = [_motion_entity(hass, area=n) for n in range(1, 5)]
    assert all(area_ids)
    assert area_ids[1] == "binary_sensor.v6202ir_ar0237_motion_area_2"
    area_state = hass.states.get(area_ids[1] or "")
    assert area_state is not None
    assert area_state.attributes["friendly_name"] == "V6202IR-AR0237 Motion area 2"
    assert area_state.attributes["device_class"] == "motion"
    assert entity_id == "binary_sensor.v6202ir_ar0237_motion"
    _enable_detection(emulator)
    emulator.motion.trigger(1, on=True, areas=(2,))
    on = await _wait_for(lambda: _state(hass, entity_id) == STATE_ON)
    # One polling interval (a fixed second) plus one request.
    assert on < 1.0 + 0.3
    assert [_state(hass, e) for e in area_ids] == [
        STATE_OFF,
        STATE_ON,
        STATE_OFF,
        STATE_OFF,
    ]
    emulator.motion.trigger(1, on=False, areas=(2,))
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
    assert _state(hass, area_ids[1]) == STATE_OFF
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.parametrize("emulator_config", [ALARM_STATUS])
async def test_area_sensors_disabled_by_default(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The channel's motion sensor is enabled, the area sensors are not."""
    registry = er.async_get(hass)
    channel = registry.async_get(_motion_entity(hass) or "")
    area = registry.async_get(_motion_entity(hass, area=1) or "")
    assert channel is not None
    assert channel.disabled_by is None
    assert area is not None
    assert area.disabled_by is er.RegistryEntryDisabler.INTEGRATION


@pytest.mark.parametrize("emulator_config", [NEITHER])
async def test_no_source_no_entity_one_log_line(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Neither source: no motion sensor, one log line, and diagnostics say why each source failed."""
    assert _motion_entity(hass) is None
    motion = loaded_entry.runtime_data.motion
    assert motion is not None
    assert motion.kind is None
    diagnostics = motion.diagnostics()
    assert diagnostics["source"] is None
    assert diagnostics["tried"]["onvif"].startswith("nothing answers on ONVIF port")
    assert "404" in diagnostics["tried"]["alarm_status"]
    records = caplog.get_records("setup") + caplog.records
    lines = [r for r in records if "has no live motion sensor" in r.getMessage()]
    assert len(lines) == 1
    assert PASSWORD not in caplog.text
    entry_diagnostics = await async_get_config_entry_diagnostics(hass, loaded_entry)
    assert entry_diagnostics["motion"]["tried"] == diagnostics["tried"]


# Recovery -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_onvif_resubscribes_after_camera_restart(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """A reboot loses the subscription: the sensor goes unavailable, then resubscribes and sees motion again."""
    assert emulator.onvif is not None
    entity_id = _motion_entity(hass)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
    await emulator.reboot()
    await _wait_for(
        lambda: emulator.onvif is not None and len(emulator.onvif.subscriptions) == 1
    )
    assert emulator.onvif.log.count("CreatePullPointSubscription") >= 2
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
    await _motion_round_trip(hass, emulator, entity_id)
    motion = loaded_entry.runtime_data.motion
    assert motion is not None
    assert motion.restarts >= 1
    assert motion.available


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_onvif_subscription_renewed_before_expiry(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A camera granting a one-minute subscription gets it renewed before it runs out; motion keeps flowing."""
    assert emulator.onvif is not None
    # Long pulls, so that the jump in time below fires only the library's renewal, not a pull's deadline.
    monkeypatch.setattr(onvif_events, "PULL_TIMEOUT", timedelta(seconds=60))
    monkeypatch.setattr(onvif_events, "PULL_GRACE", 30.0)
    emulator.onvif.max_subscription_seconds = 60
    entry = await setup_integration(entry_for(emulator))
    entity_id = _motion_entity(hass)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
    # The library renews at 80 % (48 s); the long poll's own deadlines lie beyond 50 s.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=50))
    await _wait_for(
        lambda: emulator.onvif is not None and emulator.onvif.log.count("Renew") >= 1
    )
    assert len(emulator.onvif.subscriptions) == 1
    await _motion_round_trip(hass, emulator, entity_id)
    assert emulator.onvif.log.count("CreatePullPointSubscription") == 1
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_onvif_with_camera_clock_far_off(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """WS-Security timestamps follow the camera's clock, so a clock hours off still authenticates."""
    emulator.state.time_offset = -5 * 3600
    entry = await setup_integration(entry_for(emulator))
    motion = entry.runtime_data.motion
    assert motion is not None
    assert motion.kind == "onvif"
    await _motion_round_trip(hass, emulator, _motion_entity(hass))
    assert emulator.onvif is not None
    assert emulator.onvif.log.refused == 0
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.parametrize("emulator_config", [BOTH])
async def test_onvif_refusing_credentials_falls_back(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """ONVIF refusing the login falls back to getAlarmStatus; no credential appears anywhere."""
    assert emulator.onvif is not None
    emulator.onvif.password = "another"
    entry = await setup_integration(entry_for(emulator))
    motion = entry.runtime_data.motion
    assert motion is not None
    assert motion.kind == "alarm_status"
    assert "refused the ONVIF user name or password" in motion.tried["onvif"]
    assert PASSWORD not in str(motion.diagnostics())
    assert PASSWORD not in caplog.text
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


# Lifecycle ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_unload_unsubscribes_and_reload_leaves_one_subscription(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Unload sends Unsubscribe; a reload keeps exactly one subscription on the camera."""
    assert emulator.onvif is not None
    await _wait_for(lambda: len(emulator.onvif.subscriptions) == 1)  # type: ignore[union-attr]
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    await motion_ready(hass, loaded_entry)
    await _wait_for(lambda: len(emulator.onvif.subscriptions) == 1)  # type: ignore[union-attr]
    assert emulator.onvif.log.count("Unsubscribe") == 1
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    assert emulator.onvif.subscriptions == {}
    assert emulator.onvif.log.count("Unsubscribe") == 2


@pytest.mark.parametrize("emulator_config", [ALARM_STATUS])
async def test_disabled_motion_entity_costs_no_request(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """With the motion sensor disabled the camera is not polled for getAlarmStatus at all."""
    await _disable_motion_sensor(hass, loaded_entry)
    emulator.clear_requests()
    await asyncio.sleep(2.5)
    assert not [r for r in emulator.requests if r.path == "/cgi/getAlarmStatus"]


@pytest.mark.parametrize("emulator_config", [ALARM_STATUS])
async def test_motion_detection_off_reads_off(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """With motion detection off on the camera, nothing registers and the sensor says off."""
    entity_id = _motion_entity(hass)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
    assert not emulator.motion.trigger(1, on=True)
    await asyncio.sleep(1.5)
    assert _state(hass, entity_id) == STATE_OFF


# Isolation ----------------------------------------------------------------------------------------------------------
def _other_states(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    return {
        reg.entity_id: _state(hass, reg.entity_id) or ""
        for reg in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if reg.disabled_by is None and "_motion" not in reg.unique_id
    }


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_onvif_failure_leaves_other_entities_available(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """ONVIF going away makes only the motion sensor unavailable; it comes back with the service."""
    assert emulator.onvif is not None
    entity_id = _motion_entity(hass)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
    others = _other_states(hass, loaded_entry)
    assert others
    assert STATE_UNAVAILABLE not in others.values()
    await emulator.onvif.stop()
    await _wait_for(lambda: _state(hass, entity_id) == STATE_UNAVAILABLE)
    await loaded_entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert STATE_UNAVAILABLE not in _other_states(hass, loaded_entry).values()
    await emulator.onvif.start(emulator.host, emulator.onvif.port)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
    messages = [r.getMessage() for r in caplog.records]
    assert len([m for m in messages if "from its ONVIF events stopped" in m]) == 1
    assert len([m for m in messages if "is back" in m]) == 1


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_failing_pulls_back_off_with_one_log_line(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A camera accepting subscriptions but refusing every pull is retried (the delays grow up to their cap), and the
    outage is logged once."""
    assert emulator.onvif is not None
    entity_id = _motion_entity(hass)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
    emulator.onvif.refuse_pulls = True
    emulator.onvif.drop_subscriptions()
    motion = loaded_entry.runtime_data.motion
    assert motion is not None
    await _wait_for(lambda: motion.failures >= 4)
    # Each new subscription answered, yet the failures keep counting: the delay stays at its cap.
    assert motion.restarts == motion.failures
    assert "refused the request" in (motion.last_error or "")
    emulator.onvif.refuse_pulls = False
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
    messages = [r.getMessage() for r in caplog.records]
    assert len([m for m in messages if "from its ONVIF events stopped" in m]) == 1


@pytest.mark.parametrize("emulator_config", [ALARM_STATUS])
async def test_alarm_status_failure_leaves_other_entities_available(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """getAlarmStatus failing makes only the motion sensor unavailable; it recovers on its own."""
    entity_id = _motion_entity(hass)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
    emulator.config.alarm_status = False
    await _wait_for(lambda: _state(hass, entity_id) == STATE_UNAVAILABLE)
    await loaded_entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert STATE_UNAVAILABLE not in _other_states(hass, loaded_entry).values()
    emulator.config.alarm_status = True
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)


@pytest.mark.parametrize(
    "emulator_config",
    [
        EmulatorConfig(
            username=USERNAME,
            password=PASSWORD,
            mac=MAC,
            channels=2,
            onvif=True,
            onvif_topic="alarm",
        )
    ],
)
async def test_onvif_channels_of_a_video_server(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Each channel of a video server gets its own sensor; VideoSource/MotionAlarm events reach the right one."""
    first, second = _motion_entity(hass, 1), _motion_entity(hass, 2)
    await _wait_for(lambda: _state(hass, second) == STATE_OFF)
    _enable_detection(emulator, 2)
    emulator.motion.trigger(2, on=True)
    await _wait_for(lambda: _state(hass, second) == STATE_ON)
    assert _state(hass, first) == STATE_OFF


# Parsing ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b"OK getalarmstatus=1\r\nalarmArea=1&0&0&1\r\n",
            AlarmStatus(True, (True, False, False, True)),
        ),
        (b"OK getalarmstatus=0", AlarmStatus(False)),
        (
            b"var x; OK GetAlarmStatus = 0 ... alarmArea=0&1",
            AlarmStatus(False, (False, True)),
        ),
    ],
)
def test_alarm_status_parse(body: bytes, expected: AlarmStatus) -> None:
    """The plain-text reply as the web UI reads it, tolerant of case, spacing and surroundings."""
    assert AlarmStatus.parse(body) == expected


@pytest.mark.parametrize("body", [b"<html>404</html>", b"OK getalarmstatus=", b""])
def test_alarm_status_parse_rejects(body: bytes) -> None:
    """A reply without the flag (an HTML page, a truncated reply) is malformed."""
    with pytest.raises(MalformedReply):
        AlarmStatus.parse(body)


def _message(
    topic: Any, source: list[tuple[str, str]], data: list[tuple[str, str]]
) -> Any:
    items = [SimpleNamespace(Name=n, Value=v) for n, v in source]
    values = [SimpleNamespace(Name=n, Value=v) for n, v in data]
    return SimpleNamespace(
        Topic=SimpleNamespace(_value_1=topic),
        Message=SimpleNamespace(
            _value_1=SimpleNamespace(
                Source=SimpleNamespace(SimpleItem=items),
                Data=SimpleNamespace(SimpleItem=values),
            )
        ),
    )


def test_onvif_message_parsing() -> None:
    """Motion topics under any prefix map to channels by token order; other topics and odd shapes are skipped."""
    source = OnvifSource((1, 2), "127.0.0.1", 1, "u", "p")
    cell = "tns1:RuleEngine/CellMotionDetector/Motion//."
    update = source.parse(
        _message(
            cell, [("VideoSourceConfigurationToken", "vsc_2")], [("IsMotion", "true")]
        )
    )
    assert update is not None
    assert (update.channel, update.motion) == (1, True)
    # A lower-numbered token arrives later: the order follows the numbers.
    update = source.parse(
        _message("x:VideoSource/MotionAlarm", [("Source", "vsc_1")], [("Level", "1")])
    )
    assert update is not None
    assert (update.channel, update.motion) == (1, True)
    assert source.channel_for("vsc_2") == 2
    assert source.channel_for("vsc_3") is None
    # A third video source on a two-channel camera has no sensor.
    assert (
        source.parse(
            _message(cell, [("VideoSourceToken", "vsc_3")], [("IsMotion", "1")])
        )
        is None
    )
    assert (
        source.parse(
            _message("tns1:Device/Trigger/DigitalInput", [], [("State", "true")])
        )
        is None
    )
    assert source.parse(_message(cell, [], [("Other", "1"), ("More", "0")])) is None
    assert source.parse(SimpleNamespace()) is None


def test_onvif_reasons_name_no_secret() -> None:
    """Failure reasons are short and fixed, whatever the exception carries."""
    assert "port 8999" in onvif_reason(ConnectionRefusedError("secret"), 8999)
    assert "in time" in onvif_reason(TimeoutError(), 8999)
    assert onvif_reason(ValueError("secret"), 8999) == "the ONVIF request failed"
    assert "refused" in onvif_reason(ONVIFError("auth failed"), 8999)


def test_unreadable_topic_set_is_tried_anyway() -> None:
    """Event properties without a readable topic set do not rule ONVIF out."""
    assert _mentions_motion(SimpleNamespace())
    assert _mentions_motion(SimpleNamespace(TopicSet=SimpleNamespace(_value_1=[])))


@pytest.mark.parametrize("emulator_config", [ALARM_STATUS])
async def test_stopped_motion_never_starts(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A listener added after stop starts nothing; an area the camera does not report is unknown."""
    motion = loaded_entry.runtime_data.motion
    await motion.async_stop()
    remove = motion.async_add_listener(lambda: None)
    assert motion.diagnostics()["running"] is False
    assert motion.area_motion(1, 9) is None
    remove()


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_onvif_lost_subscription_resubscribes(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """A camera forgetting the subscription (the pull is refused) gets a new one; motion flows again."""
    assert emulator.onvif is not None
    entity_id = _motion_entity(hass)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
    emulator.onvif.drop_subscriptions()
    await _wait_for(
        lambda: emulator.onvif is not None
        and emulator.onvif.log.count("CreatePullPointSubscription") == 2
    )
    await _motion_round_trip(hass, emulator, entity_id)
    motion = loaded_entry.runtime_data.motion
    assert motion is not None
    assert motion.diagnostics()["restarts"] == 1


@pytest.mark.parametrize("emulator_config", [BOTH])
@pytest.mark.parametrize(
    ("knob", "reason"),
    [
        ("events", "the camera has no ONVIF events service"),
        ("topic", "the camera announces no motion event"),
    ],
)
async def test_onvif_without_motion_events_falls_back(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
    knob: str,
    reason: str,
) -> None:
    """ONVIF without an events service, or without a motion topic, is passed over for getAlarmStatus."""
    assert emulator.onvif is not None
    if knob == "events":
        emulator.onvif.events = False
    else:
        emulator.onvif.topic = "none"
    entry = await setup_integration(entry_for(emulator))
    motion = entry.runtime_data.motion
    assert motion is not None
    assert motion.tried["onvif"] == reason
    assert motion.kind == "alarm_status"
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.parametrize("emulator_config", [ALARM_STATUS])
async def test_unexpected_error_is_logged_and_retried(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unforeseen exception in a source is logged once with its traceback, and the source starts over."""
    calls = 0
    original = AlarmStatus.parse

    def _parse(body: bytes) -> AlarmStatus:
        nonlocal calls
        calls += 1
        if calls == 2:  # the first poll after detection
            raise RuntimeError("boom")
        return original(body)

    monkeypatch.setattr(AlarmStatus, "parse", staticmethod(_parse))
    entry = await setup_integration(entry_for(emulator))
    entity_id = _motion_entity(hass)
    await _wait_for(lambda: calls >= 3 and _state(hass, entity_id) == STATE_OFF)
    assert (
        len(
            [
                r
                for r in caplog.records
                if "Live motion of" in r.getMessage() and r.exc_info
            ]
        )
        == 1
    )
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.parametrize("emulator_config", [ONVIF])
async def test_onvif_disconnected_pull_is_pulled_again(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A camera closing an idle long poll is normal: the source pulls again without resubscribing."""
    real_pull = OnvifSource._pull
    disconnects = 0

    async def _pull(self: OnvifSource, manager: Any, publish: Any) -> None:
        nonlocal disconnects
        if disconnects == 0:
            disconnects += 1
            service = manager.get_service()

            async def _disconnected(params: Any) -> None:
                raise aiohttp.ServerDisconnectedError

            service.PullMessages = (
                _disconnected  # the operations are looked up by __getattr__
            )
            try:
                await real_pull(self, manager, publish)
            finally:
                del service.PullMessages
            return
        await real_pull(self, manager, publish)

    monkeypatch.setattr(OnvifSource, "_pull", _pull)
    entry = await setup_integration(entry_for(emulator))
    entity_id = _motion_entity(hass)
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
    await _motion_round_trip(hass, emulator, entity_id)
    assert disconnects == 1
    assert emulator.onvif is not None
    assert emulator.onvif.log.count("CreatePullPointSubscription") == 1
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.parametrize("emulator_config", [ALARM_STATUS])
async def test_each_outage_after_a_healthy_run_is_logged(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After the source has worked for a while, a new outage starts the delays over and is logged again."""
    monkeypatch.setattr(motion_module, "HEALTHY_SECONDS", 0.0)
    entity_id = _motion_entity(hass)
    for _ in range(2):
        await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
        emulator.config.alarm_status = False
        await _wait_for(lambda: _state(hass, entity_id) == STATE_UNAVAILABLE)
        emulator.config.alarm_status = True
    await _wait_for(lambda: _state(hass, entity_id) == STATE_OFF)
    messages = [r.getMessage() for r in caplog.records]
    assert len([m for m in messages if "from its motion status page stopped" in m]) == 2
    assert len([m for m in messages if "is back" in m]) == 2
    motion = loaded_entry.runtime_data.motion
    assert motion is not None
    assert motion.diagnostics()["last_error"] is None


@pytest.mark.parametrize("emulator_config", [BOTH])
async def test_unexpected_probe_error_falls_back(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An unforeseen exception while probing ONVIF falls back to getAlarmStatus; the platform still sets up."""

    async def _broken(self: Any) -> None:
        raise LookupError("odd reply")

    monkeypatch.setattr(onvif_events.PinnedOnvifCamera, "update_xaddrs", _broken)
    entry = await setup_integration(entry_for(emulator))
    motion = entry.runtime_data.motion
    assert motion is not None
    assert motion.tried["onvif"] == (
        "the camera's ONVIF service gave a reply that could not be read"
    )
    assert motion.kind == "alarm_status"
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


def test_announced_addresses_are_pinned() -> None:
    """Whatever address the camera announces, its services are reached at the configured host and port."""
    pinned = onvif_events._PinnedAddresses(
        ("10.0.0.5", 8999), {"device": "http://192.0.2.10:80/onvif/device_service"}
    )
    assert pinned["device"] == "http://10.0.0.5:8999/onvif/device_service"
    pinned.update(relative="/onvif/events")
    assert pinned["relative"] == "/onvif/events"
    assert pinned.setdefault("events", "http://[::1]:1/e") == "http://10.0.0.5:8999/e"
    assert pinned.setdefault("events", "http://x/other") == "http://10.0.0.5:8999/e"
    pinned["odd"] = "http://host:notaport/"
    assert pinned["odd"] == "http://host:notaport/"
