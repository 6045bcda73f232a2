"""Setup, unload, polling and recovery of the integration against the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
import time
from typing import TYPE_CHECKING
from unittest.mock import patch

import aiohttp
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    CONF_PASSWORD,
    EVENT_STATE_CHANGED,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import Event, EventStateChangedData, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.cgi_camera.api import (
    CannotConnect,
    Capabilities,
    Capability,
    CapabilityBlock,
    CgiCamera,
    Choices,
    IntRange,
    ReadOnly,
)
from custom_components.cgi_camera.api.wire import GroupKey
from custom_components.cgi_camera.const import (
    DEFAULT_FAST_GROUP_INTERVAL,
    DEFAULT_FAST_INTERVAL,
    DEFAULT_SLOW_INTERVAL,
    DOMAIN,
)
from custom_components.cgi_camera.coordinator import (
    FAST_GROUPS,
    CgiCoordinator,
    _async_channels,
)
from tests.conftest import entry_for
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.typing import WebSocketGenerator


type Setup = Callable[[MockConfigEntry], Awaitable[MockConfigEntry]]


async def _tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_setup_and_unload(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    emulator: CameraEmulator,
) -> None:
    """The entry loads, creates one device with the camera's identity, and unloads cleanly."""
    assert loaded_entry.state is ConfigEntryState.LOADED
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, loaded_entry.unique_id), loaded_entry.entry_id
    )
    assert device is not None
    assert device.model_id == emulator.config.device_id
    assert device.sw_version == emulator.config.firmware
    assert device.serial_number == emulator.config.serial
    assert (
        dr.CONNECTION_NETWORK_MAC,
        emulator.config.mac.lower(),
    ) in device.connections
    assert device.configuration_url == f"http://127.0.0.1:{emulator.port}/"

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED


async def test_capabilities_queried_once_and_polls_only_enabled_groups(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
) -> None:
    """Each area is queried once at setup; the fast groups of enabled entities are read once per fast-group interval,
    spread so that each tick carries about one of them and needs no heartbeat; after the slow interval, every group."""
    queries = [r for r in emulator.requests if r.op == "query"]
    assert len(queries) == len({r.area for r in queries})

    coordinator = loaded_entry.runtime_data.coordinator
    wanted = coordinator.wanted_groups
    assert wanted
    fast = sorted(
        (k.area, k.group, k.channel) for k in wanted if (k.area, k.group) in FAST_GROUPS
    )
    assert len(fast) >= 3
    assert len(fast) < len(wanted)

    ticks = DEFAULT_FAST_GROUP_INTERVAL // DEFAULT_FAST_INTERVAL
    per_tick = []
    for _ in range(ticks):
        emulator.clear_requests()
        await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
        per_tick.append(sorted((r.area, r.group, r.channel) for r in emulator.requests))
        assert coordinator.stats.last_requests == len(per_tick[-1])
    # Every fast group once over the fast-group interval, at most a third of them (rounded up) in one tick, and
    # every tick reads one at least, so none needs the heartbeat.
    assert sorted(r for tick in per_tick for r in tick) == fast
    assert all(1 <= len(tick) <= -(-len(fast) // ticks) for tick in per_tick), per_tick

    emulator.clear_requests()
    await _tick(hass, freezer, DEFAULT_SLOW_INTERVAL)
    polled = sorted((r.area, r.group, r.channel) for r in emulator.requests)
    assert polled == sorted((k.area, k.group, k.channel) for k in wanted)


async def test_heartbeat_when_no_group_is_due(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: CameraEmulator,
    setup_integration: Setup,
) -> None:
    """With only slow groups wanted, a tick where none is due reads DeviceInfo, and nothing else."""
    with patch("custom_components.cgi_camera.PLATFORMS", [Platform.BINARY_SENSOR]):
        entry = await setup_integration(entry_for(emulator))
        emulator.clear_requests()
        await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
        assert [(r.area, r.group) for r in emulator.requests] == [("sys", "DeviceInfo")]
        await hass.config_entries.async_unload(entry.entry_id)


async def test_disabled_entity_costs_no_request(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: CameraEmulator,
    entity_registry: er.EntityRegistry,
    setup_integration: Setup,
) -> None:
    """Disabling every entity of a group removes the group from the poll (after the usual reload)."""
    entry = await setup_integration(entry_for(emulator))
    # A group read only by plain entities (PTZ entities watch PTZCtrlInfo under another attribute).
    key = GroupKey("image", "ImageInfo", 1)
    assert key in entry.runtime_data.coordinator.wanted_groups
    for reg in er.async_entries_for_config_entry(entity_registry, entry.entry_id):
        if getattr(_entity_object(hass, reg.entity_id), "key", None) == key:
            entity_registry.async_update_entity(
                reg.entity_id, disabled_by=er.RegistryEntryDisabler.USER
            )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert key not in entry.runtime_data.coordinator.wanted_groups

    emulator.clear_requests()
    await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
    assert emulator.requests
    assert not [
        r for r in emulator.requests if (r.area, r.group) == (key.area, key.group)
    ]
    await hass.config_entries.async_unload(entry.entry_id)


def _entity_object(hass: HomeAssistant, entity_id: str) -> object | None:
    domain = entity_id.split(".")[0]
    component = hass.data.get("entity_components", {}).get(domain)
    return component.get_entity(entity_id) if component else None


async def test_unavailable_and_recovery(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The camera going away makes entities unavailable with one log line; they recover within one poll."""
    entity_ids = [
        reg.entity_id
        for reg in er.async_entries_for_config_entry(
            er.async_get(hass), loaded_entry.entry_id
        )
        if reg.disabled_by is None
        # The PTZ speed and step numbers are Home Assistant's own settings, not the camera's.
        and getattr(_entity_object(hass, reg.entity_id), "coordinator", None)
    ]
    assert entity_ids
    emulator.faults.offline = True
    await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
    await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
    assert {e: hass.states.get(e).state for e in entity_ids} == dict.fromkeys(
        entity_ids, STATE_UNAVAILABLE
    )
    ours = [
        r for r in caplog.records if r.name.startswith("custom_components.cgi_camera")
    ]
    assert len([r for r in ours if "Error fetching" in r.getMessage()]) == 1

    emulator.faults.offline = False
    await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
    assert all(hass.states.get(e).state != STATE_UNAVAILABLE for e in entity_ids)
    assert len([r for r in caplog.records if "recovered" in r.getMessage()]) == 1


async def test_setup_retries_when_camera_offline(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """An unreachable camera leaves the entry in setup-retry, not failed."""
    emulator.faults.offline = True
    entry = await setup_integration(entry_for(emulator))
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_reauth_only_after_three_auth_failures(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
) -> None:
    """Two 401s in a row are retried quietly; the third starts a reauth flow."""
    emulator.config.password = "changed on the camera"
    for _ in range(2):
        await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
        assert not list(loaded_entry.async_get_active_flows(hass, {SOURCE_REAUTH}))
    await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
    assert list(loaded_entry.async_get_active_flows(hass, {SOURCE_REAUTH}))


async def test_setup_auth_failure_starts_reauth(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """Wrong credentials at setup: no retry (it could lock the camera), the user is asked at once."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_PASSWORD: "wrong"}
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert list(entry.async_get_active_flows(hass, {SOURCE_REAUTH}))
    assert len([r for r in emulator.requests if r.group == "DeviceInfo"]) == 1


@pytest.mark.parametrize(
    "emulator_config",
    [
        EmulatorConfig(
            username="admin", password="pw", mac="00:2a:2a:00:00:09", channels=2
        )
    ],
)
async def test_multi_channel_devices(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A two-channel video server gets a device per channel under the main device."""
    main = device_registry.async_get_device_by_identifier(
        (DOMAIN, loaded_entry.unique_id), loaded_entry.entry_id
    )
    assert main is not None
    for channel in (1, 2):
        sub = device_registry.async_get_device_by_identifier(
            (DOMAIN, f"{loaded_entry.unique_id}_ch{channel}"), loaded_entry.entry_id
        )
        assert sub is not None
        assert sub.via_device_id == main.id


@pytest.mark.parametrize(
    "emulator_config",
    [EmulatorConfig(username="admin", password="admin", mac="00:2a:2a:00:00:0a")],
)
async def test_factory_password_repair_issue(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    """A factory password raises a repair issue, which goes away with the entry."""
    issue = issue_registry.async_get_issue(
        DOMAIN, f"default_password_{loaded_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_key == "default_password"
    await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert (
        issue_registry.async_get_issue(
            DOMAIN, f"default_password_{loaded_entry.entry_id}"
        )
        is None
    )


async def test_no_repair_issue_for_a_real_password(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    """The conftest camera has a non-default password: no issue."""
    assert (
        issue_registry.async_get_issue(
            DOMAIN, f"default_password_{loaded_entry.entry_id}"
        )
        is None
    )


async def test_remove_stale_device_only(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The camera's own device cannot be removed; a stale channel device can."""
    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)
    main = device_registry.async_get_device_by_identifier(
        (DOMAIN, loaded_entry.unique_id), loaded_entry.entry_id
    )
    assert main is not None
    stale = device_registry.async_get_or_create(
        config_entry_id=loaded_entry.entry_id,
        identifiers={(DOMAIN, f"{loaded_entry.unique_id}_ch7")},
    )
    for device, allowed in ((main, False), (stale, True)):
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": loaded_entry.entry_id,
                "device_id": device.id,
            }
        )
        response = await client.receive_json()
        assert response["success"] is allowed


async def test_rtsp_port_from_camera_and_option(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """The RTSP port is the camera's NetPortInfo RtspPort, unless the option overrides it; the ONVIF port comes
    from the same reply."""
    emulator.state.netport["RtspPort"] = 8554
    emulator.state.netport["OnvifPort"] = 2000
    entry = await setup_integration(entry_for(emulator))
    assert entry.runtime_data.rtsp_port == 8554
    assert entry.runtime_data.motion.onvif_port == 2000
    await hass.config_entries.async_unload(entry.entry_id)

    entry = await setup_integration(entry_for(emulator, rtsp_port=10554))
    assert entry.runtime_data.rtsp_port == 10554
    await hass.config_entries.async_unload(entry.entry_id)


async def test_rtsp_port_default_when_camera_has_none(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """A nonsense RtspPort falls back to 554, a nonsense OnvifPort to 8999."""
    emulator.state.netport["RtspPort"] = 0
    emulator.state.netport["OnvifPort"] = 65536
    entry = await setup_integration(entry_for(emulator))
    assert entry.runtime_data.rtsp_port == 554
    assert entry.runtime_data.motion.onvif_port == 8999
    await hass.config_entries.async_unload(entry.entry_id)


def _stream_caps(channel: Capability) -> dict[str, Capabilities]:
    block = CapabilityBlock(
        "StreamInfo", {"Channel": channel, "BitRate": IntRange(32, 8000)}
    )
    return {"major_stream": Capabilities([block], "major_stream")}


@pytest.mark.parametrize(
    ("capabilities", "expected"),
    [
        ({}, (1,)),
        (_stream_caps(IntRange(1, 4)), (1, 2, 3, 4)),
        (_stream_caps(Choices((2, 1, "x"))), (1, 2)),
    ],
)
async def test_channels_from_the_query(
    capabilities: dict[str, Capabilities], expected: tuple[int, ...]
) -> None:
    """A Channel range or list in the stream query decides the channels without probing."""
    assert await _async_channels(None, capabilities) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "emulator_config",
    [
        EmulatorConfig(
            username="admin", password="pw", mac="00:2a:2a:00:00:0b", channels=3
        )
    ],
)
async def test_channels_probed_when_query_is_silent(
    hass: HomeAssistant, emulator: CameraEmulator
) -> None:
    """An empty (read-only) Channel in the query: channels are probed until the camera says invalid."""
    async with aiohttp.ClientSession() as session:
        client = CgiCamera(session, "127.0.0.1", emulator.port, "admin", "pw")
        assert await _async_channels(client, _stream_caps(ReadOnly())) == (1, 2, 3)
        emulator.faults.offline = True
        with pytest.raises(CannotConnect):
            await _async_channels(client, _stream_caps(ReadOnly()))


@pytest.mark.parametrize(
    "emulator_config",
    [
        EmulatorConfig(
            username="admin", password="pw", mac="00:2a:2a:00:00:0c", wifi=False
        )
    ],
)
async def test_unsupported_area_is_left_out(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """An area the camera answers with 501 is skipped; the rest of the camera still works."""
    entry = await setup_integration(entry_for(emulator))
    assert entry.state is ConfigEntryState.LOADED
    assert "wifi" not in entry.runtime_data.capabilities
    assert "image" in entry.runtime_data.capabilities
    await hass.config_entries.async_unload(entry.entry_id)


# Setup requests before the groups: DeviceInfo (the first refresh), 13 queries, one channel probe, NetPortInfo (the
# RTSP and ONVIF ports).
SETUP_REQUESTS = 16


async def test_setup_reads_each_wanted_group_once(
    hass: HomeAssistant, emulator: CameraEmulator, loaded_entry: MockConfigEntry
) -> None:
    """Setup: the first refresh reads DeviceInfo, then the queries, then each group enabled entities need, once."""
    coordinator = loaded_entry.runtime_data.coordinator
    assert emulator.requests[0].group == "DeviceInfo"
    # Live motion's detection (motion.py) probes getAlarmStatus as the platforms set up; its ONVIF port comes from
    # the NetPortInfo read above, not from a read of its own.
    assert sorted(
        (r.area, r.group, r.channel)
        for r in emulator.requests[SETUP_REQUESTS:]
        if r.path != "/cgi/getAlarmStatus"
    ) == sorted((k.area, k.group, k.channel) for k in coordinator.wanted_groups)
    assert coordinator.stats.failures == 0


async def test_unsupported_group_no_longer_polled(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: CameraEmulator,
    loaded_entry: MockConfigEntry,
) -> None:
    """A group the camera refuses (501) although its query listed it is dropped from the poll."""
    emulator.config.ptz = False
    await _tick(hass, freezer, DEFAULT_SLOW_INTERVAL)
    coordinator = loaded_entry.runtime_data.coordinator
    assert coordinator.last_update_success
    assert not [k for k in coordinator.wanted_groups if k.area == "ptz"]
    assert not [k for k in coordinator.data if k.area == "ptz"]
    emulator.clear_requests()
    await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
    assert emulator.requests
    assert not [r for r in emulator.requests if r.area == "ptz"]


async def test_refresh_after_platforms_fails_quietly(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: CameraEmulator,
    setup_integration: Setup,
) -> None:
    """The camera vanishing once the queries are done: the entry loads, its entities unavailable, then recover."""
    register = CgiCoordinator.async_register_group

    def _register(self: CgiCoordinator, key: GroupKey) -> Callable[[], None]:
        emulator.faults.offline = True
        return register(self, key)

    with patch.object(CgiCoordinator, "async_register_group", _register):
        entry = await setup_integration(entry_for(emulator))
    assert entry.state is ConfigEntryState.LOADED
    entity_ids = [
        reg.entity_id
        for reg in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if reg.disabled_by is None
        and getattr(_entity_object(hass, reg.entity_id), "coordinator", None)
    ]
    assert {e: hass.states.get(e).state for e in entity_ids} == dict.fromkeys(
        entity_ids, STATE_UNAVAILABLE
    )
    emulator.faults.offline = False
    await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
    assert all(hass.states.get(e).state != STATE_UNAVAILABLE for e in entity_ids)
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    "platforms",
    [[Platform.BINARY_SENSOR, Platform.BUTTON], [Platform.CAMERA]],
    ids=["slow_groups_only", "camera_only"],
)
async def test_outage_reaches_every_entity(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: CameraEmulator,
    setup_integration: Setup,
    platforms: list[Platform],
) -> None:
    """Whatever entities are enabled, all go unavailable within one fast interval and come back within one."""
    with patch("custom_components.cgi_camera.PLATFORMS", platforms):
        entry = await setup_integration(entry_for(emulator))
        entity_ids = [
            reg.entity_id
            for reg in er.async_entries_for_config_entry(
                er.async_get(hass), entry.entry_id
            )
            if reg.disabled_by is None
        ]
        assert entity_ids

        def _unavailable() -> dict[str, bool]:
            return {
                e: hass.states.get(e).state == STATE_UNAVAILABLE for e in entity_ids
            }

        assert not any(_unavailable().values())
        emulator.faults.offline = True
        await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
        assert all(_unavailable().values()), _unavailable()
        emulator.faults.offline = False
        await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
        assert not any(_unavailable().values()), _unavailable()
        await hass.config_entries.async_unload(entry.entry_id)


async def test_actions_fail_within_one_timeout(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,
    emulator: CameraEmulator,
    setup_integration: Setup,
) -> None:
    """A camera that accepts connections but never answers: each of three concurrent sets fails in one timeout.

    The deadline includes the wait for the camera's request slot, and nothing is re-read after the failure.
    """
    timeout = 0.5
    with patch("custom_components.cgi_camera.REQUEST_TIMEOUT", timeout):
        await setup_integration(entry_for(emulator))
    emulator.clear_requests()
    emulator.faults.push("stall", count=10)

    async def _set(entity_id: str) -> float:
        started = time.monotonic()
        with pytest.raises(HomeAssistantError):
            await hass.services.async_call(
                "number",
                "set_value",
                {ATTR_ENTITY_ID: entity_id, "value": 7},
                blocking=True,
            )
        return time.monotonic() - started

    durations = await asyncio.gather(
        *(
            _set(f"number.v6202ir_ar0237_{name}")
            for name in ("brightness", "contrast", "saturation")
        )
    )
    assert max(durations) < timeout * 1.6, durations
    assert not [r for r in emulator.requests if r.op == "get"]


@pytest.mark.parametrize(
    "emulator_config",
    [
        EmulatorConfig(
            username="admin", password="pw", mac="00:2a:2a:00:00:0e", channels=2
        )
    ],
)
async def test_stale_channel_devices_removed_at_setup(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A channel the video server no longer reports loses its device at setup; current channels keep theirs."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    device_registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, f"{entry.unique_id}_ch3")},
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    devices = {
        identifier
        for device in dr.async_entries_for_config_entry(device_registry, entry.entry_id)
        for _, identifier in device.identifiers
    }
    assert devices == {
        entry.unique_id,
        f"{entry.unique_id}_ch1",
        f"{entry.unique_id}_ch2",
    }
    await hass.config_entries.async_unload(entry.entry_id)


async def test_first_state_is_the_cameras_value(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """At set-up each entity's group is read before its first state is written: no "unavailable" first, and each
    group and DeviceInfo are read once."""
    emulator.state.channel(1).image.data["Brightness"] = 77
    first: dict[str, str] = {}

    @callback
    def _record(event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is not None and event.data[
            "old_state"
        ] is None:
            first.setdefault(new.entity_id, new.state)

    hass.bus.async_listen(EVENT_STATE_CHANGED, _record)
    entry = await setup_integration(entry_for(emulator))
    ours = {
        reg.entity_id
        for reg in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if reg.disabled_by is None
        and getattr(_entity_object(hass, reg.entity_id), "coordinator", None)
    }
    assert ours
    assert {e: first[e] for e in ours if first[e] == STATE_UNAVAILABLE} == {}
    assert first["number.v6202ir_ar0237_brightness"] == "77"
    reads = [(r.area, r.group, r.channel) for r in emulator.requests if r.op == "get"]
    assert len(reads) == len(set(reads)), reads
    await hass.config_entries.async_unload(entry.entry_id)


async def test_first_read_failing_leaves_it_to_the_set_up_poll(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """A group the camera fails to answer while its entities are added: no further group is read that way, the
    set-up's poll reads them all, and the entities show the camera's values once set up."""
    emulator.faults.push_for("image_get?Group=ImageInfo", "503")
    entry = await setup_integration(entry_for(emulator))
    reads = [(r.area, r.group) for r in emulator.requests if r.op == "get"]
    assert reads.count(("image", "ImageInfo")) == 2
    assert hass.states.get("number.v6202ir_ar0237_brightness").state == "128"
    await hass.config_entries.async_unload(entry.entry_id)
