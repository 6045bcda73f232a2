"""Actions: targets, input validation (nothing reaches the camera on bad input), presets, position, UART, OSD."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID, Platform
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    entity_platform,
    entity_registry as er,
)
from homeassistant.helpers.update_coordinator import UpdateFailed
import probatio as vol
import pytest

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.const import DOMAIN
from tests.conftest import MAC, PASSWORD, USERNAME
from tests.emulator import CameraEmulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

SHORT = 0.1  # the shortest duration the actions accept


@pytest.fixture(autouse=True)
def only_camera_platform() -> Generator[None]:
    """Set up only the camera platform (actions target camera entities or devices)."""
    with patch("custom_components.cgi_camera.PLATFORMS", [Platform.CAMERA]):
        yield


def device_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Return the device registry id of the camera."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(entry.unique_id)), entry.entry_id
    )
    assert device is not None
    return device.id


async def call(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    service: str,
    *,
    response: bool = False,
    **data: Any,
) -> Any:
    """Call an action on the camera's device."""
    return await hass.services.async_call(
        DOMAIN,
        service,
        {ATTR_DEVICE_ID: device_id(hass, entry), **data},
        blocking=True,
        return_response=response,
    )


def ptz_sets(emulator: CameraEmulator) -> list[dict[str, Any]]:
    """Return the parameters of every ptz_set request."""
    return [
        dict(r.params) for r in emulator.requests if r.area == "ptz" and r.op == "set"
    ]


# Refused by the schema (vol.Invalid): wrong choice, out of range, NaN or infinite, not a whole number, missing.
SCHEMA_INVALID: list[tuple[str, dict[str, Any]]] = [
    ("ptz_move", {"direction": "sideways", "duration": SHORT}),
    ("ptz_move", {"direction": "up", "pan_speed": 0, "duration": SHORT}),
    ("ptz_move", {"direction": "up", "tilt_speed": 9, "duration": SHORT}),
    ("ptz_move", {"direction": "up", "duration": 0.05}),
    ("ptz_move", {"direction": "up", "duration": 61}),
    ("ptz_move", {"direction": "up", "duration": float("nan")}),
    ("ptz_move", {"direction": "up", "duration": float("inf")}),
    ("ptz_move", {"direction": "up", "duration": "nan"}),
    ("ptz_start", {"direction": "up", "pan_speed": 99}),
    ("ptz_zoom", {"direction": "sideways", "duration": SHORT}),
    ("ptz_zoom", {"direction": "in", "duration": 0}),
    ("ptz_focus", {"direction": "in", "duration": SHORT}),
    ("ptz_iris", {"direction": "near", "duration": SHORT}),
    ("ptz_save_preset", {"preset": 0}),
    ("ptz_save_preset", {"preset": 300}),
    ("ptz_rename_preset", {"preset": 1}),
    ("ptz_position", {"pan": 400}),
    ("ptz_position", {"pan": float("nan")}),
    ("ptz_position", {"tilt": float("-inf")}),
    ("ptz_position", {"zoom": 101}),
    ("ptz_run", {"program": "pattern", "number": 5}),
    ("ptz_run", {"program": "scan"}),
    ("uart_send", {"text": "a", "encoding": "ebcdic"}),
    # Defect 7: integer fields truncated non-integers (preset 3.9 saved preset 3, speed 2.7 became 2).
    ("ptz_save_preset", {"preset": 3.9}),
    ("ptz_save_preset", {"preset": "3.9"}),
    ("ptz_save_preset", {"preset": True}),
    ("ptz_rename_preset", {"preset": 1.5, "title": "Gate"}),
    ("ptz_move", {"direction": "up", "pan_speed": 2.7, "duration": SHORT}),
    ("ptz_start", {"direction": "up", "tilt_speed": 2.7}),
    ("ptz_run", {"program": "pattern", "number": 1.5}),
]

# Refused before any request with a translated error: what the schema cannot express.
HANDLER_INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("ptz_save_preset", {"preset": 1, "title": "x" * 65}, "text_too_long"),
    ("ptz_save_preset", {"preset": 1, "title": "Gate\x00"}, "text_invalid_character"),
    ("ptz_position", {"mode": "absolute"}, "position_empty"),
    ("ptz_position", {"mode": "absolute", "pan": -10}, "position_out_of_range"),
    ("ptz_run", {"program": "pattern"}, "program_number_required"),
    (
        "ptz_run",
        {"program": "tour", "number": 1, "action": "set_start"},
        "invalid_program_action",
    ),
    ("ptz_run", {"program": "autoscan", "action": "set_end"}, "invalid_program_action"),
    ("uart_send", {"data": "12 3G"}, "uart_invalid_hex"),
    ("uart_send", {"data": "123"}, "uart_odd_length"),
    ("uart_send", {"data": "00" * 257}, "uart_too_long"),
    ("uart_send", {"data": ""}, "uart_empty"),
    ("uart_send", {}, "uart_data_or_text"),
    ("uart_send", {"data": "12", "text": "a"}, "uart_data_or_text"),
    ("uart_send", {"text": "é", "encoding": "ascii"}, "uart_cannot_encode"),
    ("uart_send", {"text": "x" * 257}, "uart_too_long"),
]

# Defect 8: control characters reached the camera (CR LF stored, NUL made the reply unparsable); i21.7: invisible
# format characters (right-to-left override, zero-width joiner, byte order mark) were stored unseen.
CONTROL_CHARACTERS: list[str] = [
    "\x00",
    "\r",
    "\n",
    "\t",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\u200d",
    "\ufeff",
]


@pytest.mark.parametrize(("service", "data"), SCHEMA_INVALID)
async def test_schema_refuses_and_sends_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    service: str,
    data: dict[str, Any],
) -> None:
    """The action's schema refuses invalid input (vol.Invalid) before any request reaches the camera."""
    before = len(emulator.requests)
    with pytest.raises(vol.Invalid):
        await call(hass, loaded_entry, service, **data)
    assert len(emulator.requests) == before


@pytest.mark.parametrize(("service", "data", "key"), HANDLER_INVALID)
async def test_invalid_input_translated_and_sends_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    service: str,
    data: dict[str, Any],
    key: str,
) -> None:
    """What the schema cannot express is refused with a translated error before any request."""
    before = len(emulator.requests)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, loaded_entry, service, **data)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert len(emulator.requests) == before


@pytest.mark.parametrize("preset", [4, 4.0, "4", " 4 "])
async def test_integer_forms_accepted(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    preset: Any,
) -> None:
    """An int, an integral float (what templates render) or an int string saves exactly that preset."""
    await call(hass, loaded_entry, "ptz_save_preset", preset=preset)
    last = ptz_sets(emulator)[-1]
    assert str(last["PresetNumber"]) == "4"


@pytest.mark.parametrize("char", CONTROL_CHARACTERS)
async def test_control_characters_refused(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    char: str,
) -> None:
    """A title with a control or invisible character gets a translated error naming it; nothing is sent."""
    before = len(emulator.requests)
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, loaded_entry, "ptz_rename_preset", preset=1, title=f"Front{char}door"
        )
    assert err.value.translation_key == "text_invalid_character"
    assert err.value.translation_placeholders == {"character": f"U+{ord(char):04X}"}
    assert len(emulator.requests) == before


@pytest.mark.parametrize(
    "emulator_config",
    [EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC, ptz=False)],
)
@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("ptz_move", {"direction": "up", "duration": SHORT}),
        ("ptz_start", {"direction": "up"}),
        ("ptz_zoom", {"direction": "in", "duration": SHORT}),
        ("ptz_save_preset", {"preset": 1}),
        ("ptz_position", {"pan": 10}),
        ("ptz_run", {"program": "autoscan"}),
    ],
)
async def test_ptz_action_on_camera_without_ptz(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    service: str,
    data: dict[str, Any],
) -> None:
    """A camera without PTZ rejects PTZ actions with a translated error and no request."""
    before = len(emulator.requests)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, loaded_entry, service, **data)
    assert err.value.translation_key == "ptz_not_supported"
    assert len(emulator.requests) == before


async def test_target_camera_entity(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Actions accept camera entity ids as well as device ids."""
    ent_reg = er.async_get(hass)
    cameras = [
        e.entity_id
        for e in er.async_entries_for_config_entry(ent_reg, loaded_entry.entry_id)
        if e.domain == "camera"
    ]
    assert cameras
    await hass.services.async_call(
        DOMAIN,
        "ptz_save_preset",
        {ATTR_ENTITY_ID: cameras[0], "preset": 2},
        blocking=True,
    )
    last = ptz_sets(emulator)[-1]
    assert str(last["PresetNumber"]) == "2"
    assert str(last["Preset"]) == "0"


async def test_all_cameras(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """`entity_id: all` reaches every camera of the integration."""
    await hass.services.async_call(
        DOMAIN, "ptz_save_preset", {ATTR_ENTITY_ID: "all", "preset": 6}, blocking=True
    )
    assert str(ptz_sets(emulator)[-1]["PresetNumber"]) == "6"


async def test_save_preset(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Saving sends Preset=0 with the title."""
    await call(hass, loaded_entry, "ptz_save_preset", preset=5, title="Door")
    saves = [p for p in ptz_sets(emulator) if "Preset" in p]
    assert str(saves[-1]["Preset"]) == "0"
    assert str(saves[-1]["PresetNumber"]) == "5"
    assert saves[-1]["PresetTitle"] == "Door"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"pan": 90, "tilt": 12.5, "zoom": 50},
            {"Model": "0", "Pan": "9000", "Tilt": "1250", "ZoomPosition": "32768"},
        ),
        ({"mode": "relative", "pan": 10}, {"Model": "1", "Pan": "1000"}),
    ],
)
async def test_position_units(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    data: dict[str, Any],
    expected: dict[str, str],
) -> None:
    """Degrees become hundredths of a degree, zoom percent becomes 0..65535."""
    await call(hass, loaded_entry, "ptz_position", **data)
    last = ptz_sets(emulator)[-1]
    assert {k: str(last[k]) for k in expected if k in last} == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"program": "autoscan"}, {"AutoScan": "1"}),
        (
            {"program": "pattern", "number": 2, "action": "set_start"},
            {"PatternNumber": "2", "Pattern": "0"},
        ),
        (
            {"program": "pattern", "number": 2, "action": "run"},
            {"PatternNumber": "2", "Pattern": "2"},
        ),
        (
            {"program": "auto_pan", "number": 4, "action": "set_end"},
            {"AutoPanNumber": "4", "AutoPan": "1"},
        ),
        ({"program": "pattern", "action": "stop"}, {"Stop": "0"}),
    ],
)
async def test_run_program(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    emulator: CameraEmulator,
    data: dict[str, Any],
    expected: dict[str, str],
) -> None:
    """Programs map to the spec's AutoScan, Pattern and AutoPan parameters."""
    await call(hass, loaded_entry, "ptz_run", **data)
    last = ptz_sets(emulator)[-1]
    assert {k: str(last[k]) for k in expected if k in last} == expected


async def test_tour(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Tours are started and stopped through TourInfo."""
    await call(hass, loaded_entry, "ptz_run", program="tour", number=3)
    last = [
        dict(r.params) for r in emulator.requests if r.area == "ptz" and r.op == "set"
    ][-1]
    assert str(last["TourNum"]) == "3"
    assert str(last["TourAct"]) == "1"


async def test_uart_round_trip(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """With read_back the action returns the bytes the UART peer answered."""
    rs485 = emulator.state.channel(1).rs485
    rs485.responder = (
        lambda data: bytes.fromhex("1234AB") if data == b"\xff\x01\x00" else b"?"
    )
    response = await call(
        hass, loaded_entry, "uart_send", response=True, data="ff 01 00", read_back=True
    )
    # An entity action's response is keyed by the camera entity that answered.
    assert response == {
        camera_entity_ids(hass, loaded_entry)[0]: {
            "data": "12 34 AB",
            "bytes": [0x12, 0x34, 0xAB],
        }
    }
    assert rs485.sent[-1] == b"\xff\x01\x00"


async def test_uart_send_text(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Text is encoded and sent as hex digits."""
    await call(hass, loaded_entry, "uart_send", text="Hi", encoding="latin-1")
    sends = [dict(r.params) for r in emulator.requests if r.area == "rs485"]
    assert sends
    assert str(sends[-1]["Data"]).upper() == "4869"
    assert emulator.state.channel(1).rs485.sent[-1] == b"Hi"


async def test_camera_error_is_translated(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """A camera error becomes the translated message of its class, naming the camera (the user's own name)."""
    emulator.faults.push("503", count=1)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, loaded_entry, "ptz_save_preset", preset=1)
    assert err.value.translation_key == "camera_busy"
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["what"] == loaded_entry.title
    emulator.faults.push("503", count=1)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, loaded_entry, "uart_send", data="01")
    assert err.value.translation_key == "camera_busy"
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["what"] == loaded_entry.title


def camera_entity_ids(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """Return the entry's camera entities (main stream first)."""
    return sorted(
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.domain == "camera"
    )


async def test_no_camera_reached_sends_nothing(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Home Assistant resolves the targets: another integration's entity, a device without our cameras, an
    unavailable camera and an unloaded entry's camera are skipped, and nothing reaches the camera."""
    camera = camera_entity_ids(hass, loaded_entry)[0]
    hass.states.async_set("camera.other", "idle")
    other = dr.async_get(hass).async_get_or_create(
        config_entry_id=loaded_entry.entry_id, identifiers={("other", "x")}
    )
    before = len(emulator.requests)
    for target in ({ATTR_ENTITY_ID: "camera.other"}, {ATTR_DEVICE_ID: other.id}):
        await hass.services.async_call(
            DOMAIN, "ptz_zoom", {**target, "direction": "in"}, blocking=True
        )
    entity = next(
        platform.entities[camera]
        for platform in entity_platform.async_get_platforms(hass, DOMAIN)
        if camera in platform.entities
    )
    entity.coordinator.async_set_update_error(UpdateFailed("camera gone"))  # type: ignore[attr-defined]
    assert hass.states.get(camera).state == "unavailable"  # type: ignore[union-attr]
    await hass.services.async_call(
        DOMAIN, "ptz_zoom", {ATTR_ENTITY_ID: camera, "direction": "in"}, blocking=True
    )
    target_device = device_id(hass, loaded_entry)
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    for target in ({ATTR_ENTITY_ID: camera}, {ATTR_DEVICE_ID: target_device}):
        await hass.services.async_call(
            DOMAIN, "ptz_zoom", {**target, "direction": "in"}, blocking=True
        )
    assert len(emulator.requests) == before


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_channel_acts_once_for_both_streams(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """The main and sub stream entities of a channel are one target: the device gets one request."""
    assert len(camera_entity_ids(hass, loaded_entry)) == 2
    await call(hass, loaded_entry, "ptz_save_preset", preset=2)
    assert len([p for p in ptz_sets(emulator) if "Preset" in p]) == 1
    await call(hass, loaded_entry, "uart_send", data="AA")
    assert emulator.state.channel(1).rs485.sent == [b"\xaa"]
    cameras = camera_entity_ids(hass, loaded_entry)
    response = await hass.services.async_call(
        DOMAIN,
        "uart_send",
        {ATTR_ENTITY_ID: cameras, "data": "BB"},
        blocking=True,
        return_response=True,
    )
    assert response == {camera: {"data": "BB", "bytes": [0xBB]} for camera in cameras}
    assert emulator.state.channel(1).rs485.sent == [b"\xaa", b"\xbb"]


@pytest.mark.parametrize(
    "emulator_config",
    [EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC, channels=2)],
)
async def test_uart_response_per_channel(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Two channels with a response: each channel sends, and the response holds each camera entity's answer."""
    assert loaded_entry.runtime_data.channels == (1, 2)
    dev_reg = dr.async_get(hass)
    channels = [
        device.id
        for device in dr.async_entries_for_config_entry(dev_reg, loaded_entry.entry_id)
        if device.via_device_id is not None
    ]
    assert len(channels) == 2
    response = await hass.services.async_call(
        DOMAIN,
        "uart_send",
        {ATTR_DEVICE_ID: channels, "data": "01"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert len(response) == 2
    assert emulator.state.channel(1).rs485.sent == [b"\x01"]
    assert emulator.state.channel(2).rs485.sent == [b"\x01"]


@pytest.mark.parametrize(
    "emulator_config",
    [EmulatorConfig(username=USERNAME, password=PASSWORD, mac=MAC, channels=2)],
)
async def test_channels_move_together(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, emulator: CameraEmulator
) -> None:
    """Both channels of a video server move at once and each ends stopped; a failure is still translated."""
    channels = [
        device.id
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), loaded_entry.entry_id
        )
        if device.via_device_id is not None
    ]
    await hass.services.async_call(
        DOMAIN,
        "ptz_move",
        {ATTR_DEVICE_ID: channels, "direction": "up", "duration": SHORT},
        blocking=True,
    )
    sets = [r for r in emulator.requests if r.area == "ptz" and r.op == "set"]
    assert sorted(str(r.channel) for r in sets if "Direction" in r.params) == [
        "1",
        "2",
    ]
    assert not emulator.state.channel(1).ptz.busy
    assert not emulator.state.channel(2).ptz.busy
    emulator.faults.push("503", count=1)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "ptz_save_preset",
            {ATTR_DEVICE_ID: channels, "preset": 1},
            blocking=True,
        )
    assert err.value.translation_key == "camera_busy"
