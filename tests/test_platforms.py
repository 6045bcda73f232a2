"""Entity platforms: entities come from the camera's capabilities, and every writable one round-trips."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
import logging
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.components.number import ATTR_MAX, ATTR_MIN, ATTR_VALUE
from homeassistant.components.select import ATTR_OPTION, ATTR_OPTIONS
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_OFF,
    STATE_ON,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.cgi_camera.const import (
    DEFAULT_FAST_GROUP_INTERVAL,
    DEFAULT_FAST_INTERVAL,
    DEFAULT_SLOW_INTERVAL,
    DOMAIN,
)
from tests.conftest import entry_for
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from syrupy.assertion import SnapshotAssertion

type Setup = Callable[[MockConfigEntry], Awaitable[MockConfigEntry]]

# Settings the emulator (like the firmware) refuses outside manual exposure: a rejected set must leave the state.
REFUSED_OUTSIDE_MANUAL = {"manual_shutter", "manual_gain"}
SETTABLE_PLATFORMS = (Platform.SELECT, Platform.NUMBER, Platform.SWITCH)


async def _tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def _entities(
    entity_registry: er.EntityRegistry, entry: MockConfigEntry, domain: str
) -> list[er.RegistryEntry]:
    return sorted(
        (
            e
            for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
            if e.domain == domain
        ),
        key=lambda e: e.unique_id,
    )


def _key(entry: er.RegistryEntry) -> str:
    """Return the description key: unique ids are `<mac>_<channel>_<key>`."""
    return entry.unique_id.split("_", 2)[2]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "platform",
    [
        Platform.SELECT,
        Platform.NUMBER,
        Platform.SWITCH,
        Platform.SENSOR,
        Platform.BINARY_SENSOR,
        Platform.BUTTON,
    ],
)
async def test_entities(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Each platform creates the entities the emulated camera supports (registry snapshot, states available)."""
    with patch("custom_components.cgi_camera.PLATFORMS", [platform]):
        entry = await setup_integration(entry_for(emulator))
    entries = _entities(entity_registry, entry, platform.value)
    assert entries
    for entity_entry in entries:
        assert entity_entry == snapshot(name=f"{entity_entry.unique_id}-entry")
        state = hass.states.get(entity_entry.entity_id)
        assert state is not None
        assert state.state != "unavailable", entity_entry.entity_id


async def test_camera_without_features_gets_no_entities_for_them(
    hass: HomeAssistant,
    socket_enabled: None,
    setup_integration: Setup,
    entity_registry: er.EntityRegistry,
) -> None:
    """No SD card device (SDStatus 0), no Wi-Fi, no PTZ: their sensors and controls are not created."""
    config = EmulatorConfig(
        username="admin", password="s3cr3t&pw", sd_card=False, wifi=False, ptz=False
    )
    async with CameraEmulator(config) as emu:
        entry = await setup_integration(entry_for(emu))
        keys = {
            _key(e)
            for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        }
        assert "brightness" in keys
        assert "wifi_signal" not in keys
        assert not any(key.startswith("ptz") for key in keys)
        assert not any(key.startswith("sd_") for key in keys)
        await hass.config_entries.async_unload(entry.entry_id)


def _new_value(
    hass: HomeAssistant, entity_id: str
) -> tuple[str, str, dict[str, Any], str]:
    """Return (domain, service, data, expected state) that changes the entity to a different allowed value."""
    state = hass.states.get(entity_id)
    assert state is not None
    domain = entity_id.split(".")[0]
    if domain == "switch":
        turn_on = state.state == STATE_OFF
        return (
            domain,
            "turn_on" if turn_on else "turn_off",
            {},
            STATE_ON if turn_on else STATE_OFF,
        )
    if domain == "select":
        options = [o for o in state.attributes[ATTR_OPTIONS] if o != state.state]
        assert options, f"{entity_id} offers a single option"
        return domain, "select_option", {ATTR_OPTION: options[-1]}, options[-1]
    current = float(state.state)
    low, high = state.attributes[ATTR_MIN], state.attributes[ATTR_MAX]
    target = high if current != high else low
    return domain, "set_value", {ATTR_VALUE: target}, str(float(target))


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("emulator_profile", ["spec", "sparse-query"])
async def test_every_writable_entity_round_trips(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Setup,
    entity_registry: er.EntityRegistry,
) -> None:
    """Setting each select, number and switch changes the camera, and the entity shows what the camera reports."""
    with patch("custom_components.cgi_camera.PLATFORMS", list(SETTABLE_PLATFORMS)):
        entry = await setup_integration(entry_for(emulator))
    checked = 0
    for platform in SETTABLE_PLATFORMS:
        for entity_entry in _entities(entity_registry, entry, platform.value):
            if _key(entity_entry).startswith("ptz"):
                continue  # PTZ entities have their own tests
            entity_id = entity_entry.entity_id
            before = hass.states.get(entity_id)
            assert before is not None
            domain, service, data, expected = _new_value(hass, entity_id)
            emulator.clear_requests()
            refused = False
            try:
                await hass.services.async_call(
                    domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
                )
            except HomeAssistantError:
                refused = True
            if refused:
                # Only settings the camera refuses outside manual exposure may fail, and then nothing changes.
                assert _key(entity_entry) in REFUSED_OUTSIDE_MANUAL, entity_id
                after = hass.states.get(entity_id)
                assert after is not None
                assert after.state == before.state
                continue
            sets = [r for r in emulator.requests if r.op == "set"]
            assert len(sets) == 1, entity_id
            after = hass.states.get(entity_id)
            assert after is not None
            got = after.state if domain != "number" else str(float(after.state))
            assert got == expected, entity_id
            checked += 1
    assert checked >= 40


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_rejected_number_sends_nothing(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """A value outside the camera's list is refused with a translated error before any request."""
    with patch("custom_components.cgi_camera.PLATFORMS", [Platform.NUMBER]):
        await setup_integration(entry_for(emulator))
    emulator.clear_requests()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "number",
            "set_value",
            {ATTR_ENTITY_ID: "number.v6202ir_ar0237_brightness", ATTR_VALUE: 10.5},
            blocking=True,
        )
    assert err.value.translation_key == "invalid_number"
    assert not [r for r in emulator.requests if r.op == "set"]


async def test_failed_set_keeps_camera_state(
    hass: HomeAssistant, emulator: CameraEmulator, loaded_entry: MockConfigEntry
) -> None:
    """A set the camera answers with an error raises a translated error; the state stays the camera's."""
    entity_id = "number.v6202ir_ar0237_brightness"
    before = hass.states.get(entity_id)
    assert before is not None
    emulator.clear_requests()
    emulator.faults.push(
        "503", count=2
    )  # the set, then the re-read the refusal calls for
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "number",
            "set_value",
            {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: 3},
            blocking=True,
        )
    assert err.value.translation_key == "camera_busy"
    assert err.value.translation_domain == DOMAIN
    assert [(r.op, r.group) for r in emulator.requests] == [
        ("set", "ImageInfo"),
        ("get", "ImageInfo"),
    ]
    after = hass.states.get(entity_id)
    assert after is not None
    assert after.state == before.state


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_select_keeps_a_value_outside_the_camera_list(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: CameraEmulator,
    setup_integration: Setup,
) -> None:
    """A value the camera's list lacks is still shown (and offered), but choosing it sends nothing."""
    await setup_integration(entry_for(emulator))
    entity_id = "select.v6202ir_ar0237_time_zone"
    emulator.state.time_info["TimeZone"] = 333
    await _tick(hass, freezer, DEFAULT_SLOW_INTERVAL)
    state = hass.states.get(entity_id)
    assert state.state == "UTC+05:33"
    assert "UTC+05:33" in state.attributes[ATTR_OPTIONS]
    emulator.clear_requests()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "select",
            "select_option",
            {ATTR_ENTITY_ID: entity_id, ATTR_OPTION: "UTC+05:33"},
            blocking=True,
        )
    assert err.value.translation_key == "invalid_option"
    assert not [r for r in emulator.requests if r.op == "set"]


async def test_buttons(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,
    emulator: CameraEmulator,
    loaded_entry: MockConfigEntry,
) -> None:
    """Sync clock sets the camera's time; reboot reaches the camera; a failure is a translated error."""
    emulator.clear_requests()
    await hass.services.async_call(
        "button",
        "press",
        {ATTR_ENTITY_ID: "button.v6202ir_ar0237_sync_clock"},
        blocking=True,
    )
    sets = [r for r in emulator.requests if r.op == "set"]
    assert sets
    assert sets[0].group == "TimeInfo"
    assert sets[0].params["TimeMethod"] == "0"

    emulator.faults.offline = True
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "button",
            "press",
            {ATTR_ENTITY_ID: "button.v6202ir_ar0237_restart"},
            blocking=True,
        )
    assert err.value.translation_key == "camera_unreachable"
    emulator.faults.offline = False


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_sd_card_sensors_follow_the_camera(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: CameraEmulator,
    setup_integration: Setup,
) -> None:
    """SD status, space and write protection show what the camera reports on the next slow poll."""
    await setup_integration(entry_for(emulator))
    prefix = "v6202ir_ar0237"
    assert hass.states.get(f"sensor.{prefix}_sd_card_status").state == "mounted"
    assert float(hass.states.get(f"sensor.{prefix}_sd_card_usage").state) == round(
        100 * 1024 / 30436, 1
    )
    assert (
        hass.states.get(f"binary_sensor.{prefix}_sd_card_write_protected").state
        == STATE_OFF
    )

    sd = emulator.state.channel(1).sd
    sd.status, sd.write_protect, sd.total_mb = 6, 1, 0
    await _tick(hass, freezer, DEFAULT_FAST_INTERVAL)
    assert hass.states.get(f"sensor.{prefix}_sd_card_status").state == "mounted"
    await _tick(hass, freezer, DEFAULT_SLOW_INTERVAL)
    assert hass.states.get(f"sensor.{prefix}_sd_card_status").state == "write_protected"
    assert hass.states.get(f"sensor.{prefix}_sd_card_usage").state == "unknown"
    assert (
        hass.states.get(f"binary_sensor.{prefix}_sd_card_write_protected").state
        == STATE_ON
    )

    # A card pulled out: the camera reports its space as 0; every space figure is unknown, not 0.
    sd.status, sd.total_mb = 2, 30436
    await _tick(hass, freezer, DEFAULT_SLOW_INTERVAL)
    assert hass.states.get(f"sensor.{prefix}_sd_card_status").state == "removed"
    for sensor in ("sd_card_size", "sd_card_used", "sd_card_usage"):
        assert hass.states.get(f"sensor.{prefix}_{sensor}").state == "unknown", sensor


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_boot_time_is_steady(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: CameraEmulator,
    setup_integration: Setup,
) -> None:
    """The boot time derived from the uptime does not move between polls, only when the camera restarts."""
    emulator.state.start_time -= 3600  # the camera has been up for an hour
    await setup_integration(entry_for(emulator))
    entity_id = "sensor.v6202ir_ar0237_boot_time"
    first = hass.states.get(entity_id).state
    await _tick(hass, freezer, DEFAULT_SLOW_INTERVAL)
    assert hass.states.get(entity_id).state == first
    emulator.state.mark_boot()  # the camera restarted (its uptime went back)
    await _tick(hass, freezer, DEFAULT_SLOW_INTERVAL)
    assert hass.states.get(entity_id).state != first


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_reset_image_button(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """Reset image settings restores the camera's defaults and re-reads them."""
    with patch(
        "custom_components.cgi_camera.PLATFORMS", [Platform.BUTTON, Platform.NUMBER]
    ):
        await setup_integration(entry_for(emulator))
    await hass.services.async_call(
        "number",
        "set_value",
        {ATTR_ENTITY_ID: "number.v6202ir_ar0237_brightness", ATTR_VALUE: 7},
        blocking=True,
    )
    assert float(hass.states.get("number.v6202ir_ar0237_brightness").state) == 7
    emulator.clear_requests()
    await hass.services.async_call(
        "button",
        "press",
        {ATTR_ENTITY_ID: "button.v6202ir_ar0237_reset_image_settings"},
        blocking=True,
    )
    assert [(r.op, r.group) for r in emulator.requests if r.op == "set"] == [
        ("set", "ResetInfo")
    ]
    assert float(hass.states.get("number.v6202ir_ar0237_brightness").state) != 7


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_values_that_do_not_fit_are_unknown(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: CameraEmulator,
    setup_integration: Setup,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Camera values an entity cannot show give state unknown, at most one debug line each, no traceback."""
    caplog.set_level(logging.DEBUG, logger="custom_components.cgi_camera")
    await setup_integration(entry_for(emulator))
    prefix = "v6202ir_ar0237"
    emulator.state.start_time -= 1e12  # an UpTime no date can be that far back from
    emulator.state.wifi["Signal"] = "NaN"
    emulator.state.channel(1).sd.total_mb = 10**400
    emulator.state.channel(1).image["Brightness"] = 10**400
    emulator.state.time_info["TimeZone"] = "5.5"
    unfit = (
        f"sensor.{prefix}_boot_time",
        f"sensor.{prefix}_wi_fi_signal",
        f"sensor.{prefix}_sd_card_size",
        f"number.{prefix}_brightness",
        f"select.{prefix}_time_zone",
    )
    caplog.clear()
    for _ in range(2):
        await _tick(hass, freezer, DEFAULT_SLOW_INTERVAL)
    assert {e: hass.states.get(e).state for e in unfit} == dict.fromkeys(
        unfit, STATE_UNKNOWN
    )
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    ours = [r.getMessage() for r in caplog.records if "does not fit" in r.getMessage()]
    assert len(ours) == len(unfit), ours


async def test_value_missing_from_the_reply_is_unknown(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: CameraEmulator,
    loaded_entry: MockConfigEntry,
) -> None:
    """A parameter missing from a successful reply: the entity stays available, its state unknown."""
    entity_id = "number.v6202ir_ar0237_brightness"
    assert hass.states.get(entity_id).state != STATE_UNKNOWN
    del emulator.state.channel(1).image["Brightness"]
    await _tick(hass, freezer, DEFAULT_FAST_GROUP_INTERVAL)
    assert hass.states.get(entity_id).state == STATE_UNKNOWN


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_sd_card_buttons(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """Unmount, mount and format send RecordDevice Operate 0, 1, 2; the SD status follows at once."""
    await setup_integration(entry_for(emulator))
    prefix = "v6202ir_ar0237"
    for button, operate, status in (
        ("unmount_sd_card", "0", "unmounted"),
        ("mount_sd_card", "1", "mounted"),
        ("format_sd_card", "2", "formatting"),
    ):
        emulator.clear_requests()
        await hass.services.async_call(
            "button",
            "press",
            {ATTR_ENTITY_ID: f"button.{prefix}_{button}"},
            blocking=True,
        )
        sets = [r for r in emulator.requests if r.op == "set"]
        assert [(r.group, r.params.get("Operate")) for r in sets] == [
            ("RecordDevice", operate)
        ]
        assert hass.states.get(f"sensor.{prefix}_sd_card_status").state == status


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_sd_status_follows_formatting(
    hass: HomeAssistant, emulator: CameraEmulator, setup_integration: Setup
) -> None:
    """After Format, the SD status is read on every tick until the card is mounted again."""
    entry = await setup_integration(entry_for(emulator))
    status = "sensor.v6202ir_ar0237_sd_card_status"
    await hass.services.async_call(
        "button",
        "press",
        {ATTR_ENTITY_ID: "button.v6202ir_ar0237_format_sd_card"},
        blocking=True,
    )
    assert hass.states.get(status).state == "formatting"
    coordinator = entry.runtime_data.coordinator
    await coordinator.async_refresh()  # a tick well within the slow interval
    assert hass.states.get(status).state == "formatting"
    await asyncio.sleep(1.1)  # the emulator formats for one second
    await coordinator.async_refresh()
    assert hass.states.get(status).state == "mounted"
    emulator.clear_requests()
    await coordinator.async_refresh()
    assert not [r for r in emulator.requests if r.group == "RecordDevice"]
