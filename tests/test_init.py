"""Setup, unload, polling and recovery of the integration against the emulator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.cgi_camera.const import DEFAULT_FAST_INTERVAL, DOMAIN
from custom_components.cgi_camera.coordinator import FAST_GROUPS
from tests.conftest import entry_for
from tests.emulator import CameraEmulator, EmulatorConfig

type Setup = Callable[[MockConfigEntry], Awaitable[MockConfigEntry]]


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_setup_and_unload(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, device_registry: dr.DeviceRegistry, emulator: CameraEmulator
) -> None:
    """The entry loads, creates one device with the camera's identity, and unloads cleanly."""
    assert loaded_entry.state is ConfigEntryState.LOADED
    device = device_registry.async_get_device(identifiers={(DOMAIN, loaded_entry.unique_id)})
    assert device is not None
    assert device.model == emulator.config.device_id
    assert device.sw_version == emulator.config.firmware
    assert device.serial_number == emulator.config.serial
    assert (dr.CONNECTION_NETWORK_MAC, emulator.config.mac.lower()) in device.connections
    assert device.configuration_url == f"http://127.0.0.1:{emulator.port}/"

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED


async def test_capabilities_queried_once_and_polls_only_enabled_groups(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator, freezer: FrozenDateTimeFactory
) -> None:
    """Each area is queried once at setup; a fast refresh reads exactly the fast groups of enabled entities."""
    queries = [r for r in emulator.requests if r.op == "query"]
    assert len(queries) == len({r.area for r in queries})

    fast = loaded_entry.runtime_data.coordinators.fast
    wanted = set(fast.wanted_groups)
    assert wanted
    assert all((key.area, key.group) in FAST_GROUPS for key in wanted)

    emulator.clear_requests()
    await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
    polled = {(r.area, r.group, r.channel) for r in emulator.requests}
    assert len(emulator.requests) == len(wanted)
    assert polled == {(k.area, k.group, k.channel) for k in wanted}
    assert not [r for r in emulator.requests if r.op == "query"]


async def test_disabled_entity_costs_no_request(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    entity_registry: er.EntityRegistry,
    setup_integration: Setup,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Disabling every entity of a group removes the group from the poll (after the usual reload)."""
    entry = await setup_integration(entry_for(emulator))
    key = entry.runtime_data.coordinators.fast.wanted_groups[0]
    for reg in er.async_entries_for_config_entry(entity_registry, entry.entry_id):
        if getattr(_entity_object(hass, reg.entity_id), "key", None) == key:
            entity_registry.async_update_entity(reg.entity_id, disabled_by=er.RegistryEntryDisabler.USER)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert key not in entry.runtime_data.coordinators.fast.wanted_groups

    emulator.clear_requests()
    await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
    assert emulator.requests
    assert not [r for r in emulator.requests if (r.area, r.group) == (key.area, key.group)]
    await hass.config_entries.async_unload(entry.entry_id)


def _entity_object(hass: HomeAssistant, entity_id: str) -> object | None:
    domain = entity_id.split(".")[0]
    component = hass.data.get("entity_components", {}).get(domain)
    return component.get_entity(entity_id) if component else None


async def test_unavailable_and_recovery(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The camera going away makes entities unavailable with one log line; they recover within one poll."""
    fast = loaded_entry.runtime_data.coordinators.fast
    entity_ids = [
        reg.entity_id
        for reg in er.async_entries_for_config_entry(er.async_get(hass), loaded_entry.entry_id)
        if reg.disabled_by is None and getattr(_entity_object(hass, reg.entity_id), "coordinator", None) is fast
    ]
    assert entity_ids
    emulator.faults.offline = True
    await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
    await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
    assert all(hass.states.get(e).state == STATE_UNAVAILABLE for e in entity_ids)
    assert caplog.text.count("Error fetching") + caplog.text.count("Could not read the camera") >= 1
    unavailable_lines = [r for r in caplog.records if "unavailable" in r.getMessage().lower() or "Error fetching" in r.getMessage()]
    assert len(unavailable_lines) == 1

    emulator.faults.offline = False
    await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
    assert all(hass.states.get(e).state != STATE_UNAVAILABLE for e in entity_ids)
    assert "recovered" in caplog.text


async def test_setup_retries_when_camera_offline(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """An unreachable camera leaves the entry in setup-retry, not failed."""
    emulator.faults.offline = True
    entry = await setup_integration(entry_for(emulator))
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_reauth_only_after_three_auth_failures(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Two 401s in a row are retried quietly; the third starts a reauth flow."""
    hass.config_entries.async_update_entry(
        loaded_entry, data={**loaded_entry.data, CONF_PASSWORD: "wrong"}
    )
    loaded_entry.runtime_data.client.password = "wrong"  # type: ignore[misc]
    for _ in range(2):
        await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
        assert not list(loaded_entry.async_get_active_flows(hass, {SOURCE_REAUTH}))
    await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
    assert list(loaded_entry.async_get_active_flows(hass, {SOURCE_REAUTH}))


async def test_setup_auth_failures_start_reauth_on_third(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """Wrong credentials at setup: retry twice, then ask the user."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PASSWORD: "wrong"})
    for attempt in range(3):
        if attempt:
            await hass.config_entries.async_reload(entry.entry_id)
        else:
            await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert list(entry.async_get_active_flows(hass, {SOURCE_REAUTH}))


@pytest.mark.parametrize(
    "emulator_config",
    [EmulatorConfig(username="admin", password="pw", mac="00:2a:2a:00:00:09", channels=2)],
)
async def test_multi_channel_devices(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """A two-channel video server gets a device per channel under the main device."""
    main = device_registry.async_get_device(identifiers={(DOMAIN, loaded_entry.unique_id)})
    assert main is not None
    for channel in (1, 2):
        sub = device_registry.async_get_device(identifiers={(DOMAIN, f"{loaded_entry.unique_id}_ch{channel}")})
        assert sub is not None
        assert sub.via_device_id == main.id
