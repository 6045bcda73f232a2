"""Actions (services) of the CGI IP Camera integration: PTZ, RS-485 UART passthrough and text OSD.

Every input is checked before the first request: the schema rejects wrong types and ranges, the handlers reject
what the schema cannot express (hex syntax, a PTZ action on a camera without PTZ) with a translated
ServiceValidationError. Only then does anything reach a camera.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import re
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID, Platform
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.target import (
    TargetSelection,
    async_extract_referenced_entity_ids,
)
import probatio as vol

from .api import CgiError
from .api.wire import group_key
from .const import DOMAIN
from .ptz import DIRECTIONS, get_controller, has_ptz, ptz_direction

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from homeassistant.helpers.typing import VolSchemaType

    from .api.wire import GroupKey
    from .data import CgiCameraConfigEntry

SERVICE_PTZ_MOVE: Final = "ptz_move"
SERVICE_PTZ_START: Final = "ptz_start"
SERVICE_PTZ_STOP: Final = "ptz_stop"
SERVICE_PTZ_ZOOM: Final = "ptz_zoom"
SERVICE_PTZ_FOCUS: Final = "ptz_focus"
SERVICE_PTZ_IRIS: Final = "ptz_iris"
SERVICE_PTZ_GOTO_PRESET: Final = "ptz_goto_preset"
SERVICE_PTZ_SAVE_PRESET: Final = "ptz_save_preset"
SERVICE_PTZ_RENAME_PRESET: Final = "ptz_rename_preset"
SERVICE_PTZ_POSITION: Final = "ptz_position"
SERVICE_PTZ_RUN: Final = "ptz_run"
SERVICE_UART_SEND: Final = "uart_send"
SERVICE_SET_OSD_TEXT: Final = "set_osd_text"

ATTR_DIRECTION: Final = "direction"
ATTR_PAN_SPEED: Final = "pan_speed"
ATTR_TILT_SPEED: Final = "tilt_speed"
ATTR_DURATION: Final = "duration"
ATTR_PRESET: Final = "preset"
ATTR_TITLE: Final = "title"
ATTR_MODE: Final = "mode"
ATTR_PAN: Final = "pan"
ATTR_TILT: Final = "tilt"
ATTR_ZOOM: Final = "zoom"
ATTR_PROGRAM: Final = "program"
ATTR_NUMBER: Final = "number"
ATTR_ACTION: Final = "action"
ATTR_DATA: Final = "data"
ATTR_TEXT: Final = "text"
ATTR_ENCODING: Final = "encoding"
ATTR_READ_BACK: Final = "read_back"
ATTR_X: Final = "x"
ATTR_Y: Final = "y"
ATTR_SHOW: Final = "show"

SPEED_RANGE: Final = (1, 8)
DURATION_RANGE: Final = (0.1, 60.0)
PRESET_RANGE: Final = (1, 255)
PROGRAM_NUMBER_RANGE: Final = (1, 4)
TITLE_MAX: Final = 32
UART_MAX_BYTES: Final = 256
OSD_RANGE: Final = (0, 99)  # TextOSDX/TextOSDY per the spec
PAN_TILT_SCALE: Final = 100  # spec units are hundredths of a degree
ZOOM_MAX: Final = 65535

ZOOM_DIRECTIONS: Final = ("in", "out")
FOCUS_DIRECTIONS: Final = ("near", "far")
IRIS_DIRECTIONS: Final = ("open", "close")
POSITION_MODES: Final = ("absolute", "relative")
PROGRAMS: Final = ("autoscan", "pattern", "auto_pan", "tour")
PROGRAM_ACTIONS: Final = ("set_start", "set_end", "run", "stop")
ENCODINGS: Final = ("ascii", "utf-8", "latin-1")

_HEX_RE: Final = re.compile(r"[0-9A-Fa-f\s]*")

_SPEED = vol.All(vol.Coerce(int), vol.Range(min=SPEED_RANGE[0], max=SPEED_RANGE[1]))
_DURATION = vol.All(
    vol.Coerce(float), vol.Range(min=DURATION_RANGE[0], max=DURATION_RANGE[1])
)
_PRESET = vol.All(vol.Coerce(int), vol.Range(min=PRESET_RANGE[0], max=PRESET_RANGE[1]))
_TITLE = vol.All(cv.string, vol.Length(max=TITLE_MAX))

PTZ_MOVE_SCHEMA = cv.make_entity_service_schema(
    {
        vol.Required(ATTR_DIRECTION): vol.In(DIRECTIONS),
        vol.Optional(ATTR_PAN_SPEED): _SPEED,
        vol.Optional(ATTR_TILT_SPEED): _SPEED,
        vol.Optional(ATTR_DURATION): _DURATION,
    }
)
PTZ_START_SCHEMA = cv.make_entity_service_schema(
    {
        vol.Required(ATTR_DIRECTION): vol.In(DIRECTIONS),
        vol.Optional(ATTR_PAN_SPEED): _SPEED,
        vol.Optional(ATTR_TILT_SPEED): _SPEED,
    }
)
PTZ_STOP_SCHEMA = cv.make_entity_service_schema({})
PTZ_ZOOM_SCHEMA = cv.make_entity_service_schema(
    {
        vol.Required(ATTR_DIRECTION): vol.In(ZOOM_DIRECTIONS),
        vol.Optional(ATTR_DURATION): _DURATION,
    }
)
PTZ_FOCUS_SCHEMA = cv.make_entity_service_schema(
    {
        vol.Required(ATTR_DIRECTION): vol.In(FOCUS_DIRECTIONS),
        vol.Optional(ATTR_DURATION): _DURATION,
    }
)
PTZ_IRIS_SCHEMA = cv.make_entity_service_schema(
    {
        vol.Required(ATTR_DIRECTION): vol.In(IRIS_DIRECTIONS),
        vol.Optional(ATTR_DURATION): _DURATION,
    }
)
PTZ_GOTO_PRESET_SCHEMA = cv.make_entity_service_schema(
    {vol.Required(ATTR_PRESET): _PRESET}
)
PTZ_SAVE_PRESET_SCHEMA = cv.make_entity_service_schema(
    {vol.Required(ATTR_PRESET): _PRESET, vol.Optional(ATTR_TITLE): _TITLE}
)
PTZ_RENAME_PRESET_SCHEMA = cv.make_entity_service_schema(
    {vol.Required(ATTR_PRESET): _PRESET, vol.Required(ATTR_TITLE): _TITLE}
)
PTZ_POSITION_SCHEMA = cv.make_entity_service_schema(
    {
        vol.Optional(ATTR_MODE, default="absolute"): vol.In(POSITION_MODES),
        vol.Optional(ATTR_PAN): vol.All(
            vol.Coerce(float), vol.Range(min=-360, max=360)
        ),
        vol.Optional(ATTR_TILT): vol.All(
            vol.Coerce(float), vol.Range(min=-360, max=360)
        ),
        vol.Optional(ATTR_ZOOM): vol.All(vol.Coerce(float), vol.Range(min=0, max=100)),
    }
)
PTZ_RUN_SCHEMA = cv.make_entity_service_schema(
    {
        vol.Required(ATTR_PROGRAM): vol.In(PROGRAMS),
        vol.Optional(ATTR_NUMBER): vol.All(
            vol.Coerce(int),
            vol.Range(min=PROGRAM_NUMBER_RANGE[0], max=PROGRAM_NUMBER_RANGE[1]),
        ),
        vol.Optional(ATTR_ACTION, default="run"): vol.In(PROGRAM_ACTIONS),
    }
)
UART_SEND_SCHEMA = cv.make_entity_service_schema(
    {
        vol.Optional(ATTR_DATA): cv.string,
        vol.Optional(ATTR_TEXT): cv.string,
        vol.Optional(ATTR_ENCODING, default="ascii"): vol.In(ENCODINGS),
        vol.Optional(ATTR_READ_BACK, default=False): cv.boolean,
    }
)
SET_OSD_TEXT_SCHEMA = cv.make_entity_service_schema(
    {
        vol.Required(ATTR_TITLE): _TITLE,
        vol.Optional(ATTR_X): vol.All(
            vol.Coerce(int), vol.Range(min=OSD_RANGE[0], max=OSD_RANGE[1])
        ),
        vol.Optional(ATTR_Y): vol.All(
            vol.Coerce(int), vol.Range(min=OSD_RANGE[0], max=OSD_RANGE[1])
        ),
        vol.Optional(ATTR_SHOW, default=True): cv.boolean,
    }
)


@dataclass(frozen=True)
class Target:
    """One camera channel an action applies to."""

    entry: CgiCameraConfigEntry
    channel: int

    @property
    def name(self) -> str:
        """Return a name for messages."""
        if self.entry.runtime_data.multi_channel:
            return f"{self.entry.title} channel {self.channel}"
        return self.entry.title


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def _loaded_entry(
    hass: HomeAssistant, entry_id: str | None, ref: str
) -> CgiCameraConfigEntry:
    entry = hass.config_entries.async_get_entry(entry_id) if entry_id else None
    if entry is None or entry.domain != DOMAIN:
        raise _invalid("invalid_target", target=ref)
    if entry.state is not ConfigEntryState.LOADED:
        raise _invalid("not_loaded", target=entry.title)
    return entry


def _channel_from_unique_id(entry: CgiCameraConfigEntry, unique_id: str) -> int | None:
    """Return the channel in a camera entity's unique id `f"{entry.unique_id}_{channel}_{key}"`."""
    prefix = f"{entry.unique_id}_"
    if not unique_id.startswith(prefix):
        return None
    head = unique_id[len(prefix) :].split("_", 1)[0]
    return int(head) if head.isdigit() else None


def _device_targets(hass: HomeAssistant, device: dr.AnyDeviceEntry) -> list[Target]:
    """Return the channel(s) a device of this integration stands for."""
    entry = hass.config_entries.async_get_entry(device.config_entry_id)
    if entry is None or entry.domain != DOMAIN or entry.unique_id is None:
        return []
    for domain, identifier in device.identifiers:
        if domain != DOMAIN:
            continue
        entry = _loaded_entry(hass, entry.entry_id, device.name or device.id)
        channels = entry.runtime_data.channels
        if identifier == entry.unique_id:
            # The camera itself; a multi-channel server's channels are devices of their own, targeted on their own.
            return (
                [] if entry.runtime_data.multi_channel else [Target(entry, channels[0])]
            )
        suffix = identifier.removeprefix(f"{entry.unique_id}_ch")
        if suffix != identifier and suffix.isdigit() and int(suffix) in channels:
            return [Target(entry, int(suffix))]
    return []


@callback
def async_resolve_targets(hass: HomeAssistant, call: ServiceCall) -> list[Target]:
    """Resolve the call's camera entities and devices to (config entry, channel), without duplicates."""
    selected = async_extract_referenced_entity_ids(hass, TargetSelection(call.data))
    ent_reg = er.async_get(hass)
    dev_reg = dr.async_get(hass)
    targets: dict[tuple[str, int], Target] = {}
    for entity_id in sorted(selected.referenced):
        reg_entry = ent_reg.async_get(entity_id)
        if (
            reg_entry is None
            or reg_entry.platform != DOMAIN
            or reg_entry.domain != Platform.CAMERA
        ):
            raise _invalid("invalid_target", target=entity_id)
        entry = _loaded_entry(hass, reg_entry.config_entry_id, entity_id)
        channel = _channel_from_unique_id(entry, reg_entry.unique_id)
        if channel is None or channel not in entry.runtime_data.channels:
            raise _invalid("invalid_target", target=entity_id)
        targets.setdefault((entry.entry_id, channel), Target(entry, channel))
    explicit_devices = set(cv.ensure_list(call.data.get(ATTR_DEVICE_ID) or []))
    for device_id in sorted(selected.referenced_devices):
        device = dev_reg.async_get(device_id)
        found = _device_targets(hass, device) if device is not None else []
        if (
            not found
            and device_id in explicit_devices
            and (device is None or not _is_ours(device))
        ):
            raise _invalid(
                "invalid_target",
                target=(device.name or device_id) if device else device_id,
            )
        for target in found:
            targets.setdefault((target.entry.entry_id, target.channel), target)
    if not targets:
        raise _invalid("no_target")
    return list(targets.values())


def _is_ours(device: dr.AnyDeviceEntry) -> bool:
    """Return True for a device of this integration (a multi-channel host resolves through its children)."""
    return any(domain == DOMAIN for domain, _ in device.identifiers)


def _require_ptz(targets: list[Target]) -> None:
    for target in targets:
        if not has_ptz(target.entry):
            raise _invalid("ptz_not_supported", target=target.name)


async def _each(
    targets: list[Target], action: Callable[[Target], Coroutine[Any, Any, None]]
) -> None:
    """Run `action` on every target at once (so several cameras move together); re-raise the first error."""
    if len(targets) == 1:
        await action(targets[0])
        return
    results = await asyncio.gather(
        *(action(target) for target in targets), return_exceptions=True
    )
    for result in results:
        if isinstance(result, BaseException):
            raise result


def _ptz_handler(
    hass: HomeAssistant,
    action: Callable[[HomeAssistant, Target, ServiceCall], Coroutine[Any, Any, None]],
) -> Callable[[ServiceCall], Coroutine[Any, Any, None]]:
    async def _handle(call: ServiceCall) -> None:
        targets = async_resolve_targets(hass, call)
        _require_ptz(targets)
        await _each(targets, lambda target: action(hass, target, call))

    return _handle


async def _ptz_move(hass: HomeAssistant, target: Target, call: ServiceCall) -> None:
    controller = get_controller(hass, target.entry, target.channel)
    await controller.move(
        ptz_direction(call.data[ATTR_DIRECTION]),
        call.data.get(ATTR_PAN_SPEED, controller.speed),
        call.data.get(ATTR_TILT_SPEED, controller.speed),
        call.data.get(ATTR_DURATION, controller.step_duration),
    )


async def _ptz_start(hass: HomeAssistant, target: Target, call: ServiceCall) -> None:
    controller = get_controller(hass, target.entry, target.channel)
    await controller.start(
        ptz_direction(call.data[ATTR_DIRECTION]),
        call.data.get(ATTR_PAN_SPEED, controller.speed),
        call.data.get(ATTR_TILT_SPEED, controller.speed),
    )


async def _ptz_stop(hass: HomeAssistant, target: Target, call: ServiceCall) -> None:
    await get_controller(hass, target.entry, target.channel).stop()


async def _ptz_zoom(hass: HomeAssistant, target: Target, call: ServiceCall) -> None:
    controller = get_controller(hass, target.entry, target.channel)
    await controller.zoom(
        call.data[ATTR_DIRECTION] == "in",
        call.data.get(ATTR_DURATION, controller.step_duration),
    )


async def _ptz_focus(hass: HomeAssistant, target: Target, call: ServiceCall) -> None:
    controller = get_controller(hass, target.entry, target.channel)
    await controller.focus(
        call.data[ATTR_DIRECTION] == "near",
        call.data.get(ATTR_DURATION, controller.step_duration),
    )


async def _ptz_iris(hass: HomeAssistant, target: Target, call: ServiceCall) -> None:
    controller = get_controller(hass, target.entry, target.channel)
    await controller.iris(
        call.data[ATTR_DIRECTION] == "open",
        call.data.get(ATTR_DURATION, controller.step_duration),
    )


async def _ptz_goto_preset(
    hass: HomeAssistant, target: Target, call: ServiceCall
) -> None:
    await get_controller(hass, target.entry, target.channel).goto_preset(
        call.data[ATTR_PRESET]
    )


async def _ptz_save_preset(
    hass: HomeAssistant, target: Target, call: ServiceCall
) -> None:
    await get_controller(hass, target.entry, target.channel).save_preset(
        call.data[ATTR_PRESET], call.data.get(ATTR_TITLE)
    )


async def _ptz_rename_preset(
    hass: HomeAssistant, target: Target, call: ServiceCall
) -> None:
    await get_controller(hass, target.entry, target.channel).rename_preset(
        call.data[ATTR_PRESET], call.data[ATTR_TITLE]
    )


def _position_params(
    call: ServiceCall,
) -> tuple[int | None, int | None, int | None, bool]:
    """Convert degrees and zoom percent to spec units, rejecting what the camera cannot take."""
    relative = call.data[ATTR_MODE] == "relative"
    pan = call.data.get(ATTR_PAN)
    tilt = call.data.get(ATTR_TILT)
    zoom = call.data.get(ATTR_ZOOM)
    if pan is None and tilt is None and zoom is None:
        raise _invalid("position_empty")
    if not relative:
        for name, value in ((ATTR_PAN, pan), (ATTR_TILT, tilt)):
            if value is not None and value < 0:
                raise _invalid("position_out_of_range", field=name, value=str(value))
    return (
        round(pan * PAN_TILT_SCALE) if pan is not None else None,
        round(tilt * PAN_TILT_SCALE) if tilt is not None else None,
        round(zoom / 100 * ZOOM_MAX) if zoom is not None else None,
        relative,
    )


def _run_params(call: ServiceCall) -> tuple[str, int | None, str]:
    """Check the program/number/action combination: autoscan takes run or stop, the others need a number."""
    program: str = call.data[ATTR_PROGRAM]
    number: int | None = call.data.get(ATTR_NUMBER)
    action: str = call.data[ATTR_ACTION]
    if program in ("autoscan", "tour") and action not in ("run", "stop"):
        raise _invalid("invalid_program_action", program=program, action=action)
    if program != "autoscan" and number is None and action != "stop":
        raise _invalid("program_number_required", program=program)
    if program == "tour" and number is None:
        raise _invalid("program_number_required", program=program)
    return program, number, action


def parse_uart_payload(call_data: dict[str, Any] | Any) -> bytes:
    """Return the bytes to send: hex digits (spaces allowed, even count) or text in an encoding."""
    hex_data: str | None = call_data.get(ATTR_DATA)
    text: str | None = call_data.get(ATTR_TEXT)
    if (hex_data is None) == (text is None):
        raise _invalid("uart_data_or_text")
    if hex_data is not None:
        if not _HEX_RE.fullmatch(hex_data):
            raise _invalid("uart_invalid_hex")
        digits = "".join(hex_data.split())
        if len(digits) % 2:
            raise _invalid("uart_odd_length")
        payload = bytes.fromhex(digits)
    else:
        assert text is not None
        encoding: str = call_data[ATTR_ENCODING]
        try:
            payload = text.encode(encoding)
        except UnicodeEncodeError as err:
            raise _invalid("uart_cannot_encode", encoding=encoding) from err
    if not payload:
        raise _invalid("uart_empty")
    if len(payload) > UART_MAX_BYTES:
        raise _invalid(
            "uart_too_long", max=str(UART_MAX_BYTES), length=str(len(payload))
        )
    return payload


def uart_response(data: bytes) -> dict[str, Any]:
    """Return the action response for bytes read from the UART."""
    return {"data": data.hex(" ").upper(), "bytes": list(data)}


async def _async_uart_send(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    targets = async_resolve_targets(hass, call)
    payload = parse_uart_payload(call.data)
    if call.return_response and len(targets) != 1:
        raise _invalid("single_target_response")
    read_back: bool = call.data[ATTR_READ_BACK]
    received = b""
    for target in targets:
        client = target.entry.runtime_data.client
        try:
            if read_back:
                received = await client.rs485_transceive(target.channel, payload)
            else:
                received = await client.rs485_send(target.channel, payload)
        except CgiError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="uart_failed",
                translation_placeholders={
                    "operation": "read" if read_back else "send",
                    "error": str(err),
                },
            ) from err
    if not call.return_response:
        return None
    return uart_response(received)


async def _async_set_osd_text(hass: HomeAssistant, call: ServiceCall) -> None:
    targets = async_resolve_targets(hass, call)
    for target in targets:
        params: dict[str, int | str] = {
            "TextOSDStatus": 1 if call.data[ATTR_SHOW] else 0,
            "TextOSDTitle": call.data[ATTR_TITLE],
        }
        if ATTR_X in call.data:
            params["TextOSDX"] = call.data[ATTR_X]
        if ATTR_Y in call.data:
            params["TextOSDY"] = call.data[ATTR_Y]
        key: GroupKey = group_key("image", "OSDInfo", target.channel)
        await target.entry.runtime_data.coordinator.async_set(key, params, "OSD text")


_PTZ_SERVICES: Final[
    tuple[
        tuple[
            str,
            VolSchemaType,
            Callable[[HomeAssistant, Target, ServiceCall], Coroutine[Any, Any, None]],
        ],
        ...,
    ]
] = (
    (SERVICE_PTZ_MOVE, PTZ_MOVE_SCHEMA, _ptz_move),
    (SERVICE_PTZ_START, PTZ_START_SCHEMA, _ptz_start),
    (SERVICE_PTZ_STOP, PTZ_STOP_SCHEMA, _ptz_stop),
    (SERVICE_PTZ_ZOOM, PTZ_ZOOM_SCHEMA, _ptz_zoom),
    (SERVICE_PTZ_FOCUS, PTZ_FOCUS_SCHEMA, _ptz_focus),
    (SERVICE_PTZ_IRIS, PTZ_IRIS_SCHEMA, _ptz_iris),
    (SERVICE_PTZ_GOTO_PRESET, PTZ_GOTO_PRESET_SCHEMA, _ptz_goto_preset),
    (SERVICE_PTZ_SAVE_PRESET, PTZ_SAVE_PRESET_SCHEMA, _ptz_save_preset),
    (SERVICE_PTZ_RENAME_PRESET, PTZ_RENAME_PRESET_SCHEMA, _ptz_rename_preset),
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, in async_setup)."""
    for name, schema, action in _PTZ_SERVICES:
        hass.services.async_register(
            DOMAIN, name, _ptz_handler(hass, action), schema=schema
        )

    async def _position(call: ServiceCall) -> None:
        targets = async_resolve_targets(hass, call)
        _require_ptz(targets)
        pan, tilt, zoom, relative = _position_params(call)
        await _each(
            targets,
            lambda target: get_controller(hass, target.entry, target.channel).position(
                pan, tilt, zoom, relative=relative
            ),
        )

    async def _run(call: ServiceCall) -> None:
        targets = async_resolve_targets(hass, call)
        _require_ptz(targets)
        program, number, action = _run_params(call)
        await _each(
            targets,
            lambda target: get_controller(
                hass, target.entry, target.channel
            ).run_program(program, number, action),
        )

    async def _uart(call: ServiceCall) -> ServiceResponse:
        return await _async_uart_send(hass, call)

    async def _osd(call: ServiceCall) -> None:
        await _async_set_osd_text(hass, call)

    hass.services.async_register(
        DOMAIN, SERVICE_PTZ_POSITION, _position, schema=PTZ_POSITION_SCHEMA
    )
    hass.services.async_register(DOMAIN, SERVICE_PTZ_RUN, _run, schema=PTZ_RUN_SCHEMA)
    hass.services.async_register(
        DOMAIN,
        SERVICE_UART_SEND,
        _uart,
        schema=UART_SEND_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_SET_OSD_TEXT, _osd, schema=SET_OSD_TEXT_SCHEMA
    )
