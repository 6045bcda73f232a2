"""Actions (services) of the CGI IP Camera integration: PTZ, RS-485 UART passthrough and text OSD.

Every action is an entity action on the integration's camera entities, registered once in `async_setup`: Home
Assistant resolves entity, device, area and label targets to those entities, and each action runs once per camera
channel they stand for (a channel's main and sub stream are one target). Every input is checked before the first
request: the schema rejects wrong types, ranges, non-integers and text the camera cannot store, the handlers reject
what the schema cannot express (hex syntax, a PTZ action on a camera without PTZ, a call that reaches no camera)
with a translated ServiceValidationError. Only then does anything reach a camera.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial
import re
from typing import TYPE_CHECKING, Any, Final, cast
import unicodedata

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, ENTITY_MATCH_ALL, Platform
from homeassistant.core import HomeAssistant, ServiceCall, SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    entity_platform,
    entity_registry as er,
)
from homeassistant.helpers.target import (
    TargetSelection,
    async_extract_referenced_entity_ids,
)

from .api.wire import group_key
from .compat import batched_entity_service_call, vol
from .const import DOMAIN
from .errors import camera_errors
from .ptz import (
    DIRECTIONS,
    SPEED_RANGE,
    PtzController,
    get_controller,
    has_ptz,
    ptz_direction,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine, Mapping

    from homeassistant.core import EntityServiceResponse
    from homeassistant.helpers.entity import Entity

    from .camera import CgiCameraEntity
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

DURATION_RANGE: Final = (0.1, 60.0)
PRESET_RANGE: Final = (1, 255)
PROGRAM_NUMBER_RANGE: Final = (1, 4)
# Titles (OSD text, preset names) are bounded in UTF-8 bytes, as sent (docs/wire-decisions.md, "Text the camera
# stores").
TITLE_MAX_BYTES: Final = 64
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


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def whole_number(field: str, low: int, high: int) -> Callable[[Any], int]:
    """Validate an integer field: 3, 3.0 (what templates render) and "3" pass; 3.9, "3.9" and True do not.

    Refused with a translated error rather than truncated (preset 3.9 used to recall preset 3).
    """

    def validate(value: Any) -> int:
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif (isinstance(value, float) and value.is_integer()) or (
            isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value)
        ):
            number = int(value)
        if number is None or not low <= number <= high:
            raise _invalid(
                "not_whole_number",
                value=str(value),
                min=str(low),
                max=str(high),
            )
        return number

    return validate


def camera_text(field: str) -> Callable[[Any], str]:
    """Validate a title the camera stores: printable text of at most TITLE_MAX_BYTES bytes in UTF-8.

    Control characters (C0, DEL, C1), line separators and lone surrogates are refused: the camera stored CR/LF
    as sent, and a NUL made its reply unparsable although the value was set.
    """

    def validate(value: Any) -> str:
        text = cv.string(value)
        for char in text:
            if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
                raise _invalid(
                    "text_invalid_character",
                    character=f"U+{ord(char):04X}",
                )
        if (length := len(text.encode("utf-8"))) > TITLE_MAX_BYTES:
            raise _invalid(
                "text_too_long",
                length=str(length),
                max=str(TITLE_MAX_BYTES),
            )
        return text

    return validate


_DURATION = vol.All(
    vol.Coerce(float), vol.Range(min=DURATION_RANGE[0], max=DURATION_RANGE[1])
)
_PRESET = whole_number(ATTR_PRESET, *PRESET_RANGE)
_TITLE = camera_text(ATTR_TITLE)
_DEGREES = vol.All(vol.Coerce(float), vol.Range(min=-360, max=360))

UART_SEND_FIELDS: Final = {
    vol.Optional(ATTR_DATA): cv.string,
    vol.Optional(ATTR_TEXT): cv.string,
    vol.Optional(ATTR_ENCODING, default="ascii"): vol.In(ENCODINGS),
    vol.Optional(ATTR_READ_BACK, default=False): cv.boolean,
}
SET_OSD_TEXT_FIELDS: Final = {
    vol.Required(ATTR_TITLE): _TITLE,
    vol.Optional(ATTR_X): whole_number(ATTR_X, *OSD_RANGE),
    vol.Optional(ATTR_Y): whole_number(ATTR_Y, *OSD_RANGE),
    vol.Optional(ATTR_SHOW, default=True): cv.boolean,
}


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


@callback
def _camera_entities(hass: HomeAssistant) -> dict[str, Entity]:
    """Return the integration's loaded camera entities by entity id: what actions can target."""
    return {
        entity_id: entity
        for platform in entity_platform.async_get_platforms(hass, DOMAIN)
        if platform.domain == Platform.CAMERA
        for entity_id, entity in platform.entities.items()
    }


@callback
def _async_check_targets(
    hass: HomeAssistant, call: ServiceCall, cameras: Mapping[str, Entity]
) -> None:
    """Explain, with a translated error, a call that would reach no camera (Home Assistant only logs it).

    As soon as one targeted camera can act the call goes ahead; Home Assistant skips the others and logs them.
    `entity_id: all` means every camera there is, including none.
    """
    if call.data.get(ATTR_ENTITY_ID) == ENTITY_MATCH_ALL:
        return
    selected = async_extract_referenced_entity_ids(hass, TargetSelection(call.data))
    ent_reg = er.async_get(hass)
    problem: ServiceValidationError | None = None
    for entity_id in sorted(selected.referenced | selected.indirectly_referenced):
        if (camera := cameras.get(entity_id)) is not None:
            if camera.available:
                return
            problem = problem or _invalid("unavailable", target=entity_id)
        elif (
            (reg := ent_reg.async_get(entity_id)) is not None
            and reg.platform == DOMAIN
            and reg.domain == Platform.CAMERA
        ):
            entry = hass.config_entries.async_get_entry(reg.config_entry_id or "")
            if entry is not None and entry.state is not ConfigEntryState.LOADED:
                problem = problem or _invalid("not_loaded", target=entry.title)
        elif entity_id in selected.referenced:
            problem = problem or _invalid("invalid_target", target=entity_id)
    raise problem or _invalid("no_target")


def _targets(entities: list[Entity]) -> list[Target]:
    """Return the camera channels behind `entities`, each once (a channel has a main and a sub stream)."""
    targets: dict[tuple[str, int], Target] = {}
    for entity in entities:
        camera = cast("CgiCameraEntity", entity)
        targets.setdefault(
            (camera.entry.entry_id, camera.channel),
            Target(camera.entry, camera.channel),
        )
    return list(targets.values())


async def _each(
    targets: list[Target], action: Callable[[Target], Awaitable[None]]
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


type BatchedAction = Callable[
    [list[Entity], ServiceCall], Coroutine[Any, Any, EntityServiceResponse | None]
]
type PtzAction = Callable[[PtzController, Mapping[str, Any]], Awaitable[None]]


def _ptz_action(
    hass: HomeAssistant,
    action: PtzAction,
    check: Callable[[Mapping[str, Any]], object] | None = None,
) -> BatchedAction:
    """Return the handler that checks PTZ support (and `check` the input), then runs `action` per channel."""

    async def _handle(
        entities: list[Entity], call: ServiceCall
    ) -> EntityServiceResponse | None:
        targets = _targets(entities)
        for target in targets:
            if not has_ptz(target.entry):
                raise _invalid("ptz_not_supported", target=target.name)
        if check is not None:
            check(call.data)
        await _each(
            targets,
            lambda target: action(
                get_controller(hass, target.entry, target.channel), call.data
            ),
        )
        return None

    return _handle


def position_params(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return PtzController.position's arguments in spec units, rejecting what the camera cannot take."""
    relative = data[ATTR_MODE] == "relative"
    pan = data.get(ATTR_PAN)
    tilt = data.get(ATTR_TILT)
    zoom = data.get(ATTR_ZOOM)
    if pan is None and tilt is None and zoom is None:
        raise _invalid("position_empty")
    if not relative:
        for value in (pan, tilt):
            if value is not None and value < 0:
                raise _invalid("position_out_of_range", value=str(value))
    return {
        "pan": round(pan * PAN_TILT_SCALE) if pan is not None else None,
        "tilt": round(tilt * PAN_TILT_SCALE) if tilt is not None else None,
        "zoom": round(zoom / 100 * ZOOM_MAX) if zoom is not None else None,
        "relative": relative,
    }


def run_params(data: Mapping[str, Any]) -> tuple[str, int | None, str]:
    """Check the program/number/action combination: autoscan takes run or stop, the others need a number."""
    program: str = data[ATTR_PROGRAM]
    number: int | None = data.get(ATTR_NUMBER)
    action: str = data[ATTR_ACTION]
    if program in ("autoscan", "tour") and action not in ("run", "stop"):
        raise _invalid("invalid_program_action")
    if program != "autoscan" and number is None and action != "stop":
        raise _invalid("program_number_required")
    if program == "tour" and number is None:
        raise _invalid("program_number_required")
    return program, number, action


def parse_uart_payload(call_data: Mapping[str, Any]) -> bytes:
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
            raise _invalid("uart_cannot_encode") from err
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


async def _uart_send(
    entities: list[Entity], call: ServiceCall
) -> EntityServiceResponse | None:
    """Send on each channel's UART; with a response, one channel's answer (`data` hex, `bytes` list)."""
    targets = _targets(entities)
    payload = parse_uart_payload(call.data)
    if call.return_response and len(targets) != 1:
        raise _invalid("single_target_response")
    read_back: bool = call.data[ATTR_READ_BACK]
    received = b""
    for target in targets:
        client = target.entry.runtime_data.client
        with camera_errors(target.entry.title):
            if read_back:
                received = await client.rs485_transceive(target.channel, payload)
            else:
                received = await client.rs485_send(target.channel, payload)
    return uart_response(received) if call.return_response else None


async def _set_osd_text(
    entities: list[Entity], call: ServiceCall
) -> EntityServiceResponse | None:
    params: dict[str, int | str] = {
        "TextOSDStatus": 1 if call.data[ATTR_SHOW] else 0,
        "TextOSDTitle": call.data[ATTR_TITLE],
    }
    if ATTR_X in call.data:
        params["TextOSDX"] = call.data[ATTR_X]
    if ATTR_Y in call.data:
        params["TextOSDY"] = call.data[ATTR_Y]

    async def _set(target: Target) -> None:
        key = group_key("image", "OSDInfo", target.channel)
        await target.entry.runtime_data.coordinator.async_set(key, params, "OSD text")

    await _each(_targets(entities), _set)
    return None


@dataclass(frozen=True, kw_only=True)
class PtzService:
    """A PTZ action: its fields, what it does with a channel's controller, and a check of the whole input."""

    name: str
    fields: dict[Any, Any]
    run: PtzAction
    check: Callable[[Mapping[str, Any]], object] | None = None


def _duration(controller: PtzController, data: Mapping[str, Any]) -> float:
    duration: float = data.get(ATTR_DURATION, controller.step_duration)
    return duration


def _speeds(controller: PtzController, data: Mapping[str, Any]) -> tuple[int, int]:
    return (
        data.get(ATTR_PAN_SPEED, controller.speed),
        data.get(ATTR_TILT_SPEED, controller.speed),
    )


_MOVE_FIELDS: Final = {
    vol.Required(ATTR_DIRECTION): vol.In(DIRECTIONS),
    vol.Optional(ATTR_PAN_SPEED): whole_number(ATTR_PAN_SPEED, *SPEED_RANGE),
    vol.Optional(ATTR_TILT_SPEED): whole_number(ATTR_TILT_SPEED, *SPEED_RANGE),
}


def _direction_fields(directions: tuple[str, ...]) -> dict[Any, Any]:
    return {
        vol.Required(ATTR_DIRECTION): vol.In(directions),
        vol.Optional(ATTR_DURATION): _DURATION,
    }


PTZ_SERVICES: Final[tuple[PtzService, ...]] = (
    PtzService(
        name=SERVICE_PTZ_MOVE,
        fields={**_MOVE_FIELDS, vol.Optional(ATTR_DURATION): _DURATION},
        run=lambda c, data: c.move(
            ptz_direction(data[ATTR_DIRECTION]),
            *_speeds(c, data),
            _duration(c, data),
        ),
    ),
    PtzService(
        name=SERVICE_PTZ_START,
        fields=_MOVE_FIELDS,
        run=lambda c, data: c.start(
            ptz_direction(data[ATTR_DIRECTION]), *_speeds(c, data)
        ),
    ),
    PtzService(name=SERVICE_PTZ_STOP, fields={}, run=lambda c, data: c.stop()),
    PtzService(
        name=SERVICE_PTZ_ZOOM,
        fields=_direction_fields(ZOOM_DIRECTIONS),
        run=lambda c, data: c.zoom(data[ATTR_DIRECTION] == "in", _duration(c, data)),
    ),
    PtzService(
        name=SERVICE_PTZ_FOCUS,
        fields=_direction_fields(FOCUS_DIRECTIONS),
        run=lambda c, data: c.focus(data[ATTR_DIRECTION] == "near", _duration(c, data)),
    ),
    PtzService(
        name=SERVICE_PTZ_IRIS,
        fields=_direction_fields(IRIS_DIRECTIONS),
        run=lambda c, data: c.iris(data[ATTR_DIRECTION] == "open", _duration(c, data)),
    ),
    PtzService(
        name=SERVICE_PTZ_GOTO_PRESET,
        fields={vol.Required(ATTR_PRESET): _PRESET},
        run=lambda c, data: c.goto_preset(data[ATTR_PRESET]),
    ),
    PtzService(
        name=SERVICE_PTZ_SAVE_PRESET,
        fields={vol.Required(ATTR_PRESET): _PRESET, vol.Optional(ATTR_TITLE): _TITLE},
        run=lambda c, data: c.save_preset(data[ATTR_PRESET], data.get(ATTR_TITLE)),
    ),
    PtzService(
        name=SERVICE_PTZ_RENAME_PRESET,
        fields={vol.Required(ATTR_PRESET): _PRESET, vol.Required(ATTR_TITLE): _TITLE},
        run=lambda c, data: c.rename_preset(data[ATTR_PRESET], data[ATTR_TITLE]),
    ),
    PtzService(
        name=SERVICE_PTZ_POSITION,
        fields={
            vol.Optional(ATTR_MODE, default="absolute"): vol.In(POSITION_MODES),
            vol.Optional(ATTR_PAN): _DEGREES,
            vol.Optional(ATTR_TILT): _DEGREES,
            vol.Optional(ATTR_ZOOM): vol.All(
                vol.Coerce(float), vol.Range(min=0, max=100)
            ),
        },
        run=lambda c, data: c.position(**position_params(data)),
        check=position_params,
    ),
    PtzService(
        name=SERVICE_PTZ_RUN,
        fields={
            vol.Required(ATTR_PROGRAM): vol.In(PROGRAMS),
            vol.Optional(ATTR_NUMBER): whole_number(ATTR_NUMBER, *PROGRAM_NUMBER_RANGE),
            vol.Optional(ATTR_ACTION, default="run"): vol.In(PROGRAM_ACTIONS),
        },
        run=lambda c, data: c.run_program(*run_params(data)),
        check=run_params,
    ),
)


@callback
def _async_register(
    hass: HomeAssistant,
    name: str,
    fields: dict[Any, Any],
    action: BatchedAction,
    supports_response: SupportsResponse = SupportsResponse.NONE,
) -> None:
    """Register an entity action on the integration's cameras, as a batched platform entity service.

    Home Assistant resolves the targets and calls `action` once with every camera entity among them; before
    that, a call that would reach no camera (entry not loaded, camera unavailable, not ours) gets an error.
    """
    cameras = partial(_camera_entities, hass)

    async def _handle(call: ServiceCall) -> EntityServiceResponse | None:
        _async_check_targets(hass, call, cameras())
        return await batched_entity_service_call(hass, cameras, action, call)

    hass.services.async_register(
        DOMAIN,
        name,
        _handle,
        schema=cv.make_entity_service_schema(fields),
        supports_response=supports_response,
    )


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, in async_setup)."""
    for ptz_service in PTZ_SERVICES:
        _async_register(
            hass,
            ptz_service.name,
            ptz_service.fields,
            _ptz_action(hass, ptz_service.run, ptz_service.check),
        )
    _async_register(
        hass,
        SERVICE_UART_SEND,
        UART_SEND_FIELDS,
        _uart_send,
        SupportsResponse.OPTIONAL,
    )
    _async_register(hass, SERVICE_SET_OSD_TEXT, SET_OSD_TEXT_FIELDS, _set_osd_text)
