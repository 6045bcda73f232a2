"""PTZ controller and PTZ entities: every motion ends in Stop."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID, Platform
from homeassistant.core import State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    mock_restore_cache_with_extra_data,
)

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.const import (
    CONF_PTZ_WATCHDOG,
    DEFAULT_SLOW_INTERVAL,
    DOMAIN,
)
from custom_components.cgi_camera.ptz import PtzController, get_controller
from tests.conftest import MAC, PASSWORD, USERNAME, entry_for
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Generator

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

SHORT = 0.1  # the shortest duration the actions accept


@pytest.fixture(autouse=True)
def only_ptz_platforms() -> Generator[None]:
    """Set up only the platforms with PTZ entities and the cameras that actions target."""
    with patch(
        "custom_components.cgi_camera.PLATFORMS",
        [Platform.BUTTON, Platform.CAMERA, Platform.NUMBER, Platform.SELECT],
    ):
        yield


def ptz_sets(emulator: CameraEmulator) -> list[dict[str, Any]]:
    """Return the parameters of every ptz_set request, in order."""
    return [
        dict(r.params) for r in emulator.requests if r.area == "ptz" and r.op == "set"
    ]


def is_stop(params: dict[str, Any]) -> bool:
    """Return True for a Stop request."""
    return "Stop" in params


def is_move(params: dict[str, Any]) -> bool:
    """Return True for a Direction (move) request."""
    return "Direction" in params


def assert_ends_stopped(emulator: CameraEmulator) -> None:
    """Every command that starts motion is followed by a Stop, and the camera is still."""
    sets = ptz_sets(emulator)
    assert sets, "no PTZ request reached the camera"
    assert is_stop(sets[-1]), sets
    pending = False
    for params in sets:
        if is_move(params) or any(k in params for k in ("Zoom", "Focus", "Iris")):
            pending = True
        elif is_stop(params):
            pending = False
    assert not pending, sets
    assert not emulator.state.channel(1).ptz.busy


def device_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Return the device registry id of the camera."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(entry.unique_id)), entry.entry_id
    )
    assert device is not None
    return device.id


async def call(
    hass: HomeAssistant, entry: MockConfigEntry, service: str, **data: Any
) -> None:
    """Call a cgi_camera action on the camera's device and wait for it."""
    await hass.services.async_call(
        DOMAIN, service, {ATTR_DEVICE_ID: device_id(hass, entry), **data}, blocking=True
    )


async def press_stop(hass: HomeAssistant) -> None:
    """Press the PTZ stop button (the stop that is an entity, not an action)."""
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: entity_id(hass, BUTTON_DOMAIN, "ptz_stop")},
        blocking=True,
    )


async def recall_preset(hass: HomeAssistant, option: str) -> None:
    """Recall a preset with the preset select (the recall that is an entity, not an action)."""
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {
            ATTR_ENTITY_ID: entity_id(hass, SELECT_DOMAIN, "ptz_preset"),
            ATTR_OPTION: option,
        },
        blocking=True,
    )


def entity_id(hass: HomeAssistant, platform: str, key: str, channel: int = 1) -> str:
    """Return the entity id of one of our entities by its key."""
    ent_reg = er.async_get(hass)
    entries = [
        e
        for e in ent_reg.entities.values()
        if e.platform == DOMAIN and e.domain == platform
    ]
    for entry in entries:
        if entry.unique_id.endswith(f"_{channel}_{key}"):
            return entry.entity_id
    raise AssertionError(
        f"no {platform} entity {key}: {[e.unique_id for e in entries]}"
    )


async def test_move_ends_with_stop(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """A timed move sends the direction, then Stop once the duration is over."""
    await call(
        hass,
        loaded_entry,
        "ptz_move",
        direction="left",
        pan_speed=3,
        tilt_speed=4,
        duration=SHORT,
    )
    sets = ptz_sets(emulator)
    moves = [p for p in sets if is_move(p)]
    assert len(moves) == 1
    assert str(moves[0]["Direction"]) == "3"
    assert str(moves[0]["PanSpeed"]) == "3"
    assert str(moves[0]["TiltSpeed"]) == "4"
    assert_ends_stopped(emulator)
    assert not get_controller(hass, loaded_entry, 1).moving


@pytest.mark.parametrize(
    ("direction", "code"),
    [
        ("up", 1),
        ("down", 2),
        ("right", 4),
        ("up_left", 5),
        ("down_left", 6),
        ("up_right", 7),
        ("down_right", 8),
    ],
)
async def test_move_directions(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    direction: str,
    code: int,
) -> None:
    """Each direction name maps to the spec's Direction code."""
    await call(hass, loaded_entry, "ptz_move", direction=direction, duration=SHORT)
    moves = [p for p in ptz_sets(emulator) if is_move(p)]
    assert [str(m["Direction"]) for m in moves] == [str(code)]
    assert_ends_stopped(emulator)


async def test_cancelled_move_still_stops(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Cancelling the action mid-move stops the camera before the cancellation completes."""
    task = asyncio.create_task(
        call(hass, loaded_entry, "ptz_move", direction="up", duration=30)
    )
    for _ in range(100):
        await asyncio.sleep(0.01)
        if any(is_move(p) for p in ptz_sets(emulator)):
            break
    assert emulator.state.channel(1).ptz.moving
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert_ends_stopped(emulator)


async def test_newer_move_replaces_older(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """A second move stops the first (which returns quietly), then runs; the camera ends stopped."""
    first = asyncio.create_task(
        call(hass, loaded_entry, "ptz_move", direction="up", duration=30)
    )
    for _ in range(100):
        await asyncio.sleep(0.01)
        if any(is_move(p) for p in ptz_sets(emulator)):
            break
    await call(hass, loaded_entry, "ptz_move", direction="down", duration=SHORT)
    await asyncio.wait_for(first, 5)  # no exception: superseded, not failed
    sets = ptz_sets(emulator)
    kinds = [
        ("move", str(p["Direction"])) if is_move(p) else ("stop", "")
        for p in sets
        if is_move(p) or is_stop(p)
    ]
    assert kinds == [("move", "1"), ("stop", ""), ("move", "2"), ("stop", "")]
    assert_ends_stopped(emulator)


async def test_start_and_stop(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """ptz_start returns while moving; the stop button stops."""
    await call(hass, loaded_entry, "ptz_start", direction="right")
    assert emulator.state.channel(1).ptz.moving
    assert get_controller(hass, loaded_entry, 1).moving
    await press_stop(hass)
    assert_ends_stopped(emulator)
    assert [p for p in ptz_sets(emulator) if is_stop(p)] == [ptz_sets(emulator)[-1]]


async def test_stop_without_motion_sends_stop(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """The stop button always reaches the camera (it may be scanning on its own)."""
    await press_stop(hass)
    assert [is_stop(p) for p in ptz_sets(emulator)] == [True]


async def test_watchdog_stops_unreleased_start(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
) -> None:
    """Without ptz_stop, the watchdog stops the camera."""
    entry = await setup_integration(entry_for(emulator, **{CONF_PTZ_WATCHDOG: 0.1}))
    await call(hass, entry, "ptz_start", direction="up")
    assert emulator.state.channel(1).ptz.moving
    for _ in range(100):
        await asyncio.sleep(0.02)
        if not get_controller(hass, entry, 1).moving:
            break
    assert_ends_stopped(emulator)
    await hass.config_entries.async_unload(entry.entry_id)


async def test_failing_move_still_sends_stop(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """The move request fails (the camera may have moved anyway): Stop is sent, the error is translated."""
    emulator.faults.push("503", count=1)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, loaded_entry, "ptz_move", direction="up", duration=SHORT)
    assert err.value.translation_key == "camera_busy"
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["what"] == loaded_entry.title
    assert is_stop(ptz_sets(emulator)[-1])
    assert not get_controller(hass, loaded_entry, 1).moving


async def test_failing_stop_is_logged_not_raised(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failed Stop after a successful move is logged; the action itself succeeded."""
    await call(hass, loaded_entry, "ptz_start", direction="up")
    emulator.faults.push("503", count=1)
    controller = get_controller(hass, loaded_entry, 1)
    await controller.move(
        controller_direction("down"), 2, 2, SHORT
    )  # replaces the start: its Stop fails
    assert "may still be moving" in caplog.text
    assert_ends_stopped(emulator)


def controller_direction(name: str) -> Any:
    """Return the client's direction for a name."""
    from custom_components.cgi_camera.ptz import ptz_direction

    return ptz_direction(name)


@pytest.mark.parametrize(
    ("service", "data", "param", "value"),
    [
        ("ptz_zoom", {"direction": "in"}, "Zoom", "1"),
        ("ptz_zoom", {"direction": "out"}, "Zoom", "0"),
        ("ptz_focus", {"direction": "near"}, "Focus", "1"),
        ("ptz_focus", {"direction": "far"}, "Focus", "0"),
        ("ptz_iris", {"direction": "open"}, "Iris", "1"),
        ("ptz_iris", {"direction": "close"}, "Iris", "0"),
    ],
)
async def test_zoom_focus_iris_stop(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    service: str,
    data: dict[str, Any],
    param: str,
    value: str,
) -> None:
    """Zoom, focus and iris run for their duration, then Stop."""
    await call(hass, loaded_entry, service, duration=SHORT, **data)
    sets = ptz_sets(emulator)
    assert [str(p[param]) for p in sets if param in p] == [value]
    assert_ends_stopped(emulator)


async def test_unload_stops_motion(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Unloading the entry stops a running motion."""
    await call(hass, loaded_entry, "ptz_start", direction="left")
    assert emulator.state.channel(1).ptz.moving
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert_ends_stopped(emulator)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_buttons_step_then_stop(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Direction buttons move one PTZ step at the PTZ speed, then stop; numbers set both."""
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {
            ATTR_ENTITY_ID: entity_id(hass, NUMBER_DOMAIN, "ptz_step_duration"),
            ATTR_VALUE: 0.1,
        },
        blocking=True,
    )
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id(hass, NUMBER_DOMAIN, "ptz_speed"), ATTR_VALUE: 2},
        blocking=True,
    )
    assert hass.states.get(entity_id(hass, NUMBER_DOMAIN, "ptz_speed")).state == "2"  # type: ignore[union-attr]
    for key, code in (("ptz_up", "1"), ("ptz_down_right", "8")):
        await hass.services.async_call(
            BUTTON_DOMAIN,
            SERVICE_PRESS,
            {ATTR_ENTITY_ID: entity_id(hass, BUTTON_DOMAIN, key)},
            blocking=True,
        )
        move = [p for p in ptz_sets(emulator) if is_move(p)][-1]
        assert str(move["Direction"]) == code
        assert str(move["PanSpeed"]) == "2"
        assert_ends_stopped(emulator)
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: entity_id(hass, BUTTON_DOMAIN, "ptz_zoom_in")},
        blocking=True,
    )
    assert_ends_stopped(emulator)
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: entity_id(hass, BUTTON_DOMAIN, "ptz_autoscan")},
        blocking=True,
    )
    assert "AutoScan" in ptz_sets(emulator)[-1]
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: entity_id(hass, BUTTON_DOMAIN, "ptz_stop")},
        blocking=True,
    )
    assert is_stop(ptz_sets(emulator)[-1])


async def test_diagonal_buttons_disabled_by_default(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Diagonal buttons exist but are disabled by default; the four main directions are enabled."""
    ent_reg = er.async_get(hass)
    up = ent_reg.async_get(entity_id(hass, BUTTON_DOMAIN, "ptz_up"))
    diagonal = ent_reg.async_get(entity_id(hass, BUTTON_DOMAIN, "ptz_up_left"))
    assert up is not None
    assert up.disabled_by is None
    assert diagonal is not None
    assert diagonal.disabled_by is er.RegistryEntryDisabler.INTEGRATION


async def test_preset_select(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Saved presets appear in the select at once; selecting one recalls it; moving clears it."""
    await call(hass, loaded_entry, "ptz_save_preset", preset=3, title="Gate")
    await call(hass, loaded_entry, "ptz_save_preset", preset=7, title="Yard")
    await hass.async_block_till_done()
    select = entity_id(hass, SELECT_DOMAIN, "ptz_preset")
    state = hass.states.get(select)
    assert state is not None
    assert "3: Gate" in state.attributes["options"]
    assert "7: Yard" in state.attributes["options"]
    await call(hass, loaded_entry, "ptz_rename_preset", preset=7, title="Back yard")
    state = hass.states.get(select)
    assert state is not None
    assert "7: Back yard" in state.attributes["options"]

    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: select, ATTR_OPTION: "3: Gate"},
        blocking=True,
    )
    calls = [p for p in ptz_sets(emulator) if "Preset" in p]
    assert {
        k: str(v) for k, v in calls[-1].items() if k in ("PresetNumber", "Preset")
    } == {
        "PresetNumber": "3",
        "Preset": "1",
    }
    assert hass.states.get(select).state == "3: Gate"  # type: ignore[union-attr]

    await call(hass, loaded_entry, "ptz_move", direction="up", duration=SHORT)
    assert hass.states.get(select).state == "none"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "emulator_config",
    [EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC, ptz=False)],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_no_ptz_entities_without_ptz(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A camera without PTZ gets no PTZ entities."""
    ent_reg = er.async_get(hass)
    unique_ids = [
        e.unique_id
        for e in er.async_entries_for_config_entry(ent_reg, loaded_entry.entry_id)
    ]
    assert unique_ids  # the other entities exist
    assert not [u for u in unique_ids if "_ptz_" in u]


async def test_select_clears_when_camera_moves(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Movement reported by the camera (someone else moved it) clears the recalled preset."""
    await call(hass, loaded_entry, "ptz_save_preset", preset=1, title="Home")
    await hass.async_block_till_done()
    select = entity_id(hass, SELECT_DOMAIN, "ptz_preset")
    await recall_preset(hass, "1: Home")
    fast = loaded_entry.runtime_data.coordinator
    await fast.async_refresh()
    assert hass.states.get(select).state == "1: Home"  # type: ignore[union-attr]
    emulator.state.channel(1).ptz.start_move(3, 1, 1)  # the vendor app moves the camera
    await fast.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(select).state == "none"  # type: ignore[union-attr]
    emulator.state.channel(1).ptz.halt()


async def test_choosing_not_at_a_preset_sends_nothing(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """ "Not at a preset" is the select's state after a move, not a place to go: choosing it sends nothing."""
    await call(hass, loaded_entry, "ptz_save_preset", preset=1, title="Home")
    await hass.async_block_till_done()
    select = entity_id(hass, SELECT_DOMAIN, "ptz_preset")
    assert hass.states.get(select).state == "none"  # type: ignore[union-attr]
    emulator.clear_requests()
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: select, ATTR_OPTION: "none"},
        blocking=True,
    )
    assert ptz_sets(emulator) == []
    assert hass.states.get(select).state == "none"  # type: ignore[union-attr]


async def test_speed_and_step_restored(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
) -> None:
    """PTZ speed and step duration survive a restart (kept in Home Assistant, not on the camera)."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    ent_reg = er.async_get(hass)
    for key in ("ptz_speed", "ptz_step_duration"):
        ent_reg.async_get_or_create(
            NUMBER_DOMAIN,
            DOMAIN,
            f"{entry.unique_id}_1_{key}",
            suggested_object_id=f"cam_{key}",
            config_entry=entry,
        )
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State("number.cam_ptz_speed", "3"),
                {
                    "native_value": 3,
                    "native_min_value": 1,
                    "native_max_value": 8,
                    "native_step": 1,
                    "native_unit_of_measurement": None,
                },
            ),
            (
                State("number.cam_ptz_step_duration", "0.2"),
                {
                    "native_value": 0.2,
                    "native_min_value": 0.1,
                    "native_max_value": 5,
                    "native_step": 0.1,
                    "native_unit_of_measurement": "s",
                },
            ),
        ],
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    controller = get_controller(hass, entry, 1)
    assert controller.speed == 3
    assert controller.step_duration == 0.2
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: entity_id(hass, BUTTON_DOMAIN, "ptz_left")},
        blocking=True,
    )
    move = [p for p in ptz_sets(emulator) if is_move(p)][-1]
    assert str(move["PanSpeed"]) == "3"
    assert_ends_stopped(emulator)
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    "emulator_config",
    [EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC, channels=2)],
)
async def test_channel_device_target(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """A channel sub-device of a video server targets that channel."""
    if loaded_entry.runtime_data.channels != (1, 2):
        # Setup derives channels from the StreamInfo Channel range; not yet matching the emulator's answer.
        pytest.skip(
            f"setup found channels {loaded_entry.runtime_data.channels}, not (1, 2)"
        )
    dev_reg = dr.async_get(hass)
    identifier = (DOMAIN, f"{loaded_entry.unique_id}_ch2")
    device = dev_reg.async_get_device_by_identifier(
        identifier, loaded_entry.entry_id
    ) or dev_reg.async_get_child_device_by_identifier(identifier, loaded_entry.entry_id)
    assert device is not None
    await hass.services.async_call(
        DOMAIN,
        "ptz_move",
        {ATTR_DEVICE_ID: device.id, "direction": "up", "duration": SHORT},
        blocking=True,
    )
    sets = [r for r in emulator.requests if r.area == "ptz" and r.op == "set"]
    assert {str(r.channel) for r in sets} == {"2"}
    assert "Stop" in sets[-1].params
    assert not emulator.state.channel(2).ptz.busy


async def test_preset_select_appears_with_the_first_preset(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Without presets there is no select (it could only read "unknown" over an empty list); saving adds it."""
    ent_reg = er.async_get(hass)
    assert not [
        e
        for e in er.async_entries_for_config_entry(ent_reg, loaded_entry.entry_id)
        if e.unique_id.endswith("_ptz_preset")
    ]
    # A failed save adds nothing.
    emulator.faults.push("503", count=1)
    with pytest.raises(HomeAssistantError):
        await call(hass, loaded_entry, "ptz_save_preset", preset=2, title="Gate")
    await hass.async_block_till_done()
    assert not [
        e for e in ent_reg.entities.values() if e.unique_id.endswith("_ptz_preset")
    ]

    await call(hass, loaded_entry, "ptz_save_preset", preset=2, title="Gate")
    await hass.async_block_till_done()
    state = hass.states.get(entity_id(hass, SELECT_DOMAIN, "ptz_preset"))
    assert state is not None
    assert state.attributes["options"] == ["none", "2: Gate"]
    # Saving again does not add a second select.
    await call(hass, loaded_entry, "ptz_save_preset", preset=4, title="Yard")
    await hass.async_block_till_done()
    assert (
        len(
            [
                e
                for e in ent_reg.entities.values()
                if e.unique_id.endswith("_ptz_preset")
            ]
        )
        == 1
    )


async def test_preset_select_from_the_cameras_own_app(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A preset saved in the camera's own app adds the select at the next poll of the preset list (slow)."""
    emulator.state.channel(1).ptz.presets[8] = "Porch"
    freezer.tick(timedelta(seconds=DEFAULT_SLOW_INTERVAL))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    state = hass.states.get(entity_id(hass, SELECT_DOMAIN, "ptz_preset"))
    assert state is not None
    assert state.attributes["options"] == ["none", "8: Porch"]


async def test_preset_select_at_setup_when_presets_exist(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
) -> None:
    """A camera that already has presets gets its select at setup, listing them."""
    emulator.state.channel(1).ptz.presets[5] = "Door"
    entry = await setup_integration(entry_for(emulator))
    state = hass.states.get(entity_id(hass, SELECT_DOMAIN, "ptz_preset"))
    assert state is not None
    assert state.attributes["options"] == ["none", "5: Door"]
    await hass.config_entries.async_unload(entry.entry_id)


async def test_preset_select_known_before_is_added_at_once(
    hass: HomeAssistant,
    emulator: CameraEmulator,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
) -> None:
    """A select created before (its camera keeps its presets) is set up with the other entities."""
    entry = entry_for(emulator)
    entry.add_to_hass(hass)
    er.async_get(hass).async_get_or_create(
        SELECT_DOMAIN,
        DOMAIN,
        f"{entry.unique_id}_1_ptz_preset",
        suggested_object_id="cam_preset",
        config_entry=entry,
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("select.cam_preset") is not None
    assert not [
        r for r in emulator.requests if r.group == "PresetNameInfo" and r.op == "get"
    ][1:]  # read once, by the select's own poll
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("ptz_move", {"direction": "left"}),
        ("ptz_zoom", {"direction": "in"}),
    ],
)
async def test_speed_and_step_from_the_numbers_only(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,
    emulator: CameraEmulator,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
    service: str,
    data: dict[str, Any],
) -> None:
    """Defect 10: speed and step live in the PTZ numbers; options left over from older versions are ignored."""
    entry = await setup_integration(
        entry_for(emulator, ptz_speed=3, ptz_step_duration=4.0)
    )
    speed = entity_id(hass, NUMBER_DOMAIN, "ptz_speed")
    step = entity_id(hass, NUMBER_DOMAIN, "ptz_step_duration")
    assert hass.states.get(speed).state == "6"  # type: ignore[union-attr]
    assert hass.states.get(step).state == "0.5"  # type: ignore[union-attr]
    controller = get_controller(hass, entry, 1)
    assert (controller.speed, controller.step_duration) == (6, 0.5)
    for number, value in ((speed, 2), (step, 0.1)):
        await hass.services.async_call(
            NUMBER_DOMAIN,
            SERVICE_SET_VALUE,
            {ATTR_ENTITY_ID: number, ATTR_VALUE: value},
            blocking=True,
        )
    assert (controller.speed, controller.step_duration) == (2, 0.1)
    started = asyncio.get_running_loop().time()
    await call(hass, entry, service, **data)
    assert asyncio.get_running_loop().time() - started < 2  # the 0.1 s step, not 4 s
    moves = [p for p in ptz_sets(emulator) if is_move(p)]
    assert all(str(m["PanSpeed"]) == "2" for m in moves)
    assert_ends_stopped(emulator)
    await hass.config_entries.async_unload(entry.entry_id)


# i21.8: a hung camera held ptz_move and ptz_zoom for the move's timeout plus the Stop's. The command and its Stop
# share one deadline (one request timeout, plus the duration once the command went through); a Stop still on its
# way at the deadline goes on in the background and is logged if it fails.
HUNG_TIMEOUT = 1.0  # short, so the test waits little; long enough that a busy machine answers the first request within it


@pytest.fixture
async def hung_entry(
    emulator: CameraEmulator,
    setup_integration: Callable[[MockConfigEntry], Awaitable[MockConfigEntry]],
) -> MockConfigEntry:
    """A PTZ camera set up with a short request timeout."""
    with patch("custom_components.cgi_camera.REQUEST_TIMEOUT", HUNG_TIMEOUT):
        entry = await setup_integration(entry_for(emulator))
    assert entry.runtime_data.client.timeout == HUNG_TIMEOUT
    return entry


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("ptz_move", {"direction": "up", "duration": SHORT}),
        ("ptz_zoom", {"direction": "in", "duration": SHORT}),
    ],
)
async def test_hung_camera_action_ends_at_one_timeout(
    hass: HomeAssistant,
    hung_entry: MockConfigEntry,
    emulator: CameraEmulator,
    caplog: pytest.LogCaptureFixture,
    service: str,
    data: dict[str, Any],
) -> None:
    """The command hangs for the whole timeout: the action ends then, not after a second timeout for its Stop."""
    controller = get_controller(hass, hung_entry, 1)
    emulator.faults.push("stall", count=2)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, hung_entry, service, **data)
    assert err.value.translation_key == "camera_timeout"
    # Ended at the shared deadline: the Stop sent in the command's place is still waiting for the camera.
    assert controller._pending_stops
    await controller.async_shutdown()
    assert not controller._pending_stops
    assert "may still be moving" in caplog.text


async def test_hung_stop_ends_at_the_shared_deadline(
    hass: HomeAssistant,
    hung_entry: MockConfigEntry,
    emulator: CameraEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The move goes through and its Stop hangs: the action ends at the deadline with a timeout error."""
    controller = get_controller(hass, hung_entry, 1)
    emulator.faults.push("pass")
    emulator.faults.push("stall")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, hung_entry, "ptz_move", direction="up", duration=SHORT)
    assert err.value.translation_key == "camera_timeout"
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["what"] == "PTZ stop"
    assert controller._pending_stops
    await controller.async_shutdown()
    assert "may still be moving" in caplog.text


def test_deadline_shared_by_command_and_stop() -> None:
    """The Stop's wait is what the command left of one timeout, plus the duration once the command went through."""
    assert PtzController.stop_wait(deadline=10.0, now=10.4, duration=None) == 0.0
    assert PtzController.stop_wait(deadline=10.0, now=9.0, duration=None) == 1.0
    assert PtzController.stop_wait(deadline=10.0, now=2.0, duration=0.5) == 8.5
