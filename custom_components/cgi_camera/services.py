"""Actions (services) of the CGI IP Camera integration: what no entity does.

Timed and held PTZ moves, zoom, focus, iris, presets by number, absolute position, camera programs, RS-485 UART
passthrough.

Each is a platform entity service on the integration's camera entities, registered once in `async_setup`: Home
Assistant resolves entity, device, area and label targets and skips unavailable cameras. The schema refuses wrong
types, ranges and non-integers (`vol.Invalid`); what it cannot express (text the camera cannot store, hex syntax, a
PTZ action on a camera without PTZ, a program's combination of fields) is refused with a translated
ServiceValidationError before the first request. Only then does anything reach a camera. A channel's main and sub
stream are one camera channel: targeting both (a device target does) acts once.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
import re
from typing import TYPE_CHECKING, Any, Final, cast
import unicodedata

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall, SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, service

from .compat import vol
from .const import DOMAIN
from .errors import camera_errors
from .ptz import DIRECTIONS, SPEED_RANGE, PtzController, ptz_direction

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Awaitable, Callable, Coroutine, Mapping

    from homeassistant.core import ServiceResponse
    from homeassistant.helpers.entity import Entity

    from .camera import CgiCameraEntity

SERVICE_PTZ_MOVE: Final = "ptz_move"
SERVICE_PTZ_START: Final = "ptz_start"
SERVICE_PTZ_ZOOM: Final = "ptz_zoom"
SERVICE_PTZ_FOCUS: Final = "ptz_focus"
SERVICE_PTZ_IRIS: Final = "ptz_iris"
SERVICE_PTZ_SAVE_PRESET: Final = "ptz_save_preset"
SERVICE_PTZ_RENAME_PRESET: Final = "ptz_rename_preset"
SERVICE_PTZ_POSITION: Final = "ptz_position"
SERVICE_PTZ_RUN: Final = "ptz_run"
SERVICE_UART_SEND: Final = "uart_send"

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

DURATION_RANGE: Final = (0.1, 60.0)
PRESET_RANGE: Final = (1, 255)
PROGRAM_NUMBER_RANGE: Final = (1, 4)
# Titles (OSD text, preset names) are bounded in UTF-8 bytes, as sent (docs/wire-decisions.md, "Text the camera
# stores").
TITLE_MAX_BYTES: Final = 64
UART_MAX_BYTES: Final = 256
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
# Unicode categories a camera title may not contain: control (C0, DEL, C1), format (invisible: U+200D zero-width
# joiner, U+202E right-to-left override...), surrogate, private use, unassigned, line and paragraph separators.
_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def whole_number(low: int, high: int) -> Callable[[Any], int]:
    """Return a schema validator for an integer field from `low` to `high`.

    3, 3.0 (what templates render) and "3" pass; 3.9, "3.9" and True do not (refused rather than truncated: preset
    3.9 used to recall preset 3).
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
            raise vol.Invalid(f"expected a whole number from {low} to {high}")
        return number

    return validate


def finite(low: float, high: float) -> Callable[[Any], float]:
    """Return a schema validator for a number from `low` to `high` (NaN and infinities refused)."""

    def validate(value: Any) -> float:
        number = float(vol.Coerce(float)(value))
        if not math.isfinite(number) or not low <= number <= high:
            raise vol.Invalid(f"expected a number from {low:g} to {high:g}")
        return number

    return validate


def check_camera_text(text: str) -> str:
    """Return `text` if the camera can store and show it: printable, at most TITLE_MAX_BYTES bytes in UTF-8.

    Control characters and invisible format characters are refused with a translated error: the camera stored
    CR/LF as sent, a NUL made its reply unparsable although the value was set, and a right-to-left override or a
    zero-width joiner would be stored unseen.
    """
    for char in text:
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise _invalid("text_invalid_character", character=f"U+{ord(char):04X}")
    if (length := len(text.encode("utf-8"))) > TITLE_MAX_BYTES:
        raise _invalid("text_too_long", length=str(length), max=str(TITLE_MAX_BYTES))
    return text


_DURATION: Final = finite(*DURATION_RANGE)
_PRESET: Final = whole_number(*PRESET_RANGE)
_SPEED: Final = whole_number(*SPEED_RANGE)

_MOVE_FIELDS: Final = {
    vol.Required(ATTR_DIRECTION): vol.In(DIRECTIONS),
    vol.Optional(ATTR_PAN_SPEED): _SPEED,
    vol.Optional(ATTR_TILT_SPEED): _SPEED,
}


def _direction_fields(directions: tuple[str, ...]) -> dict[Any, Any]:
    return {
        vol.Required(ATTR_DIRECTION): vol.In(directions),
        vol.Optional(ATTR_DURATION): _DURATION,
    }


def position_params(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return PtzController.position's arguments in spec units, refusing what the camera cannot take."""
    relative = data[ATTR_MODE] == "relative"
    pan, tilt, zoom = data.get(ATTR_PAN), data.get(ATTR_TILT), data.get(ATTR_ZOOM)
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


def _duration(controller: PtzController, data: Mapping[str, Any]) -> float:
    duration: float = data.get(ATTR_DURATION, controller.step_duration)
    return duration


def _speeds(controller: PtzController, data: Mapping[str, Any]) -> tuple[int, int]:
    return (
        data.get(ATTR_PAN_SPEED, controller.speed),
        data.get(ATTR_TILT_SPEED, controller.speed),
    )


def _title(data: Mapping[str, Any]) -> str | None:
    title: str | None = data.get(ATTR_TITLE)
    return None if title is None else check_camera_text(title)


type Handler = Callable[[CgiCameraEntity, Mapping[str, Any]], Coroutine[Any, Any, Any]]


def _ptz(
    run: Callable[[PtzController, Mapping[str, Any]], Awaitable[None]],
    check: Callable[[Mapping[str, Any]], object] | None = None,
) -> Handler:
    """Return the handler that checks PTZ support (and `check` the input), then runs `run` on the channel."""

    async def _handle(camera: CgiCameraEntity, data: Mapping[str, Any]) -> None:
        if (controller := camera.camera.ptz.get(camera.channel)) is None:
            # The channel's device name (a video server's channels are devices), in the user's words.
            device = camera.device_entry
            name = (device.name_by_user or device.name) if device else None
            raise _invalid("ptz_not_supported", target=name or camera.entry.title)
        if check is not None:
            check(data)
        await run(controller, data)

    return _handle


async def _uart_send(camera: CgiCameraEntity, data: Mapping[str, Any]) -> Any:
    """Send on the channel's UART; the answer (`data` hex, `bytes` list) read back when asked."""
    payload = parse_uart_payload(data)
    client = camera.camera.client
    if data[ATTR_READ_BACK]:
        with camera_errors(camera.entry.title):
            return uart_response(await client.rs485_transceive(camera.channel, payload))
    with camera_errors(camera.entry.title):
        return uart_response(await client.rs485_send(camera.channel, payload))


@dataclass(frozen=True, kw_only=True)
class Action:
    """An action: its fields and what it does with one camera channel."""

    name: str
    fields: dict[Any, Any]
    run: Handler
    response: SupportsResponse = SupportsResponse.NONE


ACTIONS: Final[tuple[Action, ...]] = (
    Action(
        name=SERVICE_PTZ_MOVE,
        fields={**_MOVE_FIELDS, vol.Optional(ATTR_DURATION): _DURATION},
        run=_ptz(
            lambda c, data: c.move(
                ptz_direction(data[ATTR_DIRECTION]),
                *_speeds(c, data),
                _duration(c, data),
            )
        ),
    ),
    Action(
        name=SERVICE_PTZ_START,
        fields=_MOVE_FIELDS,
        run=_ptz(
            lambda c, data: c.start(
                ptz_direction(data[ATTR_DIRECTION]), *_speeds(c, data)
            )
        ),
    ),
    Action(
        name=SERVICE_PTZ_ZOOM,
        fields=_direction_fields(ZOOM_DIRECTIONS),
        run=_ptz(
            lambda c, data: c.zoom(data[ATTR_DIRECTION] == "in", _duration(c, data))
        ),
    ),
    Action(
        name=SERVICE_PTZ_FOCUS,
        fields=_direction_fields(FOCUS_DIRECTIONS),
        run=_ptz(
            lambda c, data: c.focus(data[ATTR_DIRECTION] == "near", _duration(c, data))
        ),
    ),
    Action(
        name=SERVICE_PTZ_IRIS,
        fields=_direction_fields(IRIS_DIRECTIONS),
        run=_ptz(
            lambda c, data: c.iris(data[ATTR_DIRECTION] == "open", _duration(c, data))
        ),
    ),
    Action(
        name=SERVICE_PTZ_SAVE_PRESET,
        fields={
            vol.Required(ATTR_PRESET): _PRESET,
            vol.Optional(ATTR_TITLE): cv.string,
        },
        run=_ptz(
            lambda c, data: c.save_preset(data[ATTR_PRESET], data.get(ATTR_TITLE)),
            _title,
        ),
    ),
    Action(
        name=SERVICE_PTZ_RENAME_PRESET,
        fields={
            vol.Required(ATTR_PRESET): _PRESET,
            vol.Required(ATTR_TITLE): cv.string,
        },
        run=_ptz(
            lambda c, data: c.rename_preset(data[ATTR_PRESET], data[ATTR_TITLE]),
            _title,
        ),
    ),
    Action(
        name=SERVICE_PTZ_POSITION,
        fields={
            vol.Optional(ATTR_MODE, default="absolute"): vol.In(POSITION_MODES),
            vol.Optional(ATTR_PAN): finite(-360, 360),
            vol.Optional(ATTR_TILT): finite(-360, 360),
            vol.Optional(ATTR_ZOOM): finite(0, 100),
        },
        run=_ptz(lambda c, data: c.position(**position_params(data)), position_params),
    ),
    Action(
        name=SERVICE_PTZ_RUN,
        fields={
            vol.Required(ATTR_PROGRAM): vol.In(PROGRAMS),
            vol.Optional(ATTR_NUMBER): whole_number(*PROGRAM_NUMBER_RANGE),
            vol.Optional(ATTR_ACTION, default="run"): vol.In(PROGRAM_ACTIONS),
        },
        run=_ptz(lambda c, data: c.run_program(*run_params(data)), run_params),
    ),
    Action(
        name=SERVICE_UART_SEND,
        fields={
            vol.Optional(ATTR_DATA): cv.string,
            vol.Optional(ATTR_TEXT): cv.string,
            vol.Optional(ATTR_ENCODING, default="ascii"): vol.In(ENCODINGS),
            vol.Optional(ATTR_READ_BACK, default=False): cv.boolean,
        },
        run=_uart_send,
        response=SupportsResponse.OPTIONAL,
    ),
)

# The channel actions in flight, by service call: a channel's main and sub stream entities share one run.
_RUNNING: Final[dict[tuple[int, str, int], asyncio.Task[Any]]] = {}


def _handler(
    hass: HomeAssistant, action: Action
) -> Callable[[Entity, ServiceCall], Awaitable[ServiceResponse]]:
    """Return the per-entity function Home Assistant calls: one run per camera channel and service call."""

    async def _handle(entity: Entity, call: ServiceCall) -> ServiceResponse:
        camera = cast("CgiCameraEntity", entity)
        key = (id(call), camera.entry.entry_id, camera.channel)
        if (task := _RUNNING.get(key)) is None:
            data = service.remove_entity_service_fields(call)
            task = _RUNNING[key] = camera.entry.async_create_task(
                hass, action.run(camera, data), f"{DOMAIN} {action.name}"
            )
            task.add_done_callback(lambda _: _RUNNING.pop(key, None))
        result: ServiceResponse = await task
        return result

    return _handle


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions on its camera entities (once, in async_setup)."""
    for action in ACTIONS:
        service.async_register_platform_entity_service(
            hass,
            DOMAIN,
            action.name,
            entity_domain=Platform.CAMERA,
            func=_handler(hass, action),
            schema=action.fields,
            supports_response=action.response,
        )
